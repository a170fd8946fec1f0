"""Which files a run reads: a submission given as files, folders or glob patterns.

A campaign run by many organisations arrives as many exports; ``convert`` and ``ingest``
read them as one submission. [`submission_files()`][cdinterop.ingest.submission_files] says
which files that is, in the order they are read (which decides, e.g., which of two
duplicates is kept).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cdinterop.errors import ReadError

__all__ = ["SUBMISSION_SUFFIXES", "submission_files"]

SUBMISSION_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".xlsx", ".json"})
"""The files of a folder that are read as submissions (others, and hidden files, are not)."""
_GLOB_CHARACTERS = frozenset("*?[")


def submission_files(submission: str | Path | Sequence[str | Path]) -> list[Path]:
    """The files ``submission`` names, in the order they are read: a file as it is; a
    folder's files with a submission suffix (`SUBMISSION_SUFFIXES`, not hidden, not in
    sub-folders) by name; a glob pattern (``exports/*.csv``, ``**`` reaches sub-folders) its
    matches by name; several of these in the order given, each file once.

    Raises [`ReadError`][cdinterop.errors.ReadError] for a name that is none of these, a
    folder without submissions or a pattern that matches no file."""
    items = [submission] if isinstance(submission, str | Path) else list(submission)
    if not items:
        raise ReadError("(no submission)", "give at least one submission file")
    files: dict[Path, None] = {}
    for item in items:
        for path in _files_of(item):
            files.setdefault(path, None)
    return list(files)


def _files_of(item: str | Path) -> list[Path]:
    """The files one item names: a folder's submissions, a pattern's matches, or itself."""
    path = Path(item)
    if path.is_dir():
        return _folder_files(path)
    if path.exists() or not _GLOB_CHARACTERS & set(str(item)):
        return [path]  # a missing file is the reader's to report
    return _pattern_files(path, str(item))


def _folder_files(folder: Path) -> list[Path]:
    """The submission files of ``folder`` (by suffix, hidden files left out), by name."""
    found = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in SUBMISSION_SUFFIXES and not p.name.startswith(".")
    )
    if not found:
        suffixes = ", ".join(sorted(SUBMISSION_SUFFIXES))
        raise ReadError(str(folder), f"the folder holds no submission file ({suffixes})")
    return found


def _pattern_files(pattern: Path, given: str) -> list[Path]:
    """The files a glob pattern matches, by name (the pattern's fixed folder first)."""
    parts = pattern.parts
    fixed = next(i for i, part in enumerate(parts) if _GLOB_CHARACTERS & set(part))
    base = Path(*parts[:fixed]) if fixed else Path()
    matches = sorted(p for p in base.glob(str(Path(*parts[fixed:]))) if p.is_file())
    if not matches:
        raise ReadError(given, "the pattern matches no file")
    return matches
