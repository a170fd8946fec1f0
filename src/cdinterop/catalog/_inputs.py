"""The DCAT files that ``add`` is given: files, folders (every RDF file below them) and glob
patterns, each checked as an input before it is opened."""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from cdinterop._files import check_input
from cdinterop.dcat import FORMATS
from cdinterop.errors import ReadError

__all__ = ["RDF_SUFFIXES", "harvest_files"]

RDF_SUFFIXES = frozenset(s for suffixes in FORMATS.values() for s in suffixes if s != ".json")
"""Suffixes of the files taken from a folder (``.json`` only when named: a folder holds
cdinterop data set JSON too)."""


def harvest_files(values: Iterable[str | Path]) -> list[Path]:
    """The files ``values`` name, in order and without repeats: a file as it is, a folder as
    the RDF files below it (sorted), a pattern (``*``, ``?``, ``[``) as its matches.
    Raise [`ReadError`][cdinterop.errors.ReadError] for a name that matches nothing or that
    is no regular file or folder (a FIFO, a device)."""
    found: dict[Path, None] = {}
    for value in values:
        for path in _expand(value):
            check_input(path)
            found.setdefault(path, None)
    return list(found)


def _expand(value: str | Path) -> list[Path]:
    path = Path(value)
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in RDF_SUFFIXES
        )
    if path.exists():
        return [path]
    text = str(value)
    if any(char in text for char in "*?["):
        matches = sorted(Path(m) for m in glob.glob(text, recursive=True))  # noqa: PTH207
        matches = [m for m in matches if m.is_file()]
        if matches:
            return matches
        raise ReadError(text, "the pattern matches no file")
    raise ReadError(text, "no such file or folder")
