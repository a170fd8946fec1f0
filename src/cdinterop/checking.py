"""Checking files of any supported kind: the registry behind ``cdinterop validate``.

Each :class:`Checker` recognises its files from their first bytes and returns every
problem as located :class:`~cdinterop.errors.Issue` objects. Format packages contribute
checkers here; the CLI only calls :func:`check_file`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cdinterop.errors import InvalidDatasetError, Issue, ReadError

__all__ = ["CHECKERS", "Checker", "check_file"]

_HEAD_BYTES = 4096


@dataclass(frozen=True)
class Checker:
    """A kind of file that ``cdinterop validate`` understands."""

    name: str
    """Short name of the kind of file."""
    handles: Callable[[bytes, Path], bool]
    """Whether a file (its first bytes and path) is of this kind."""
    check: Callable[[Path, Path | None], list[Issue]]
    """Check a file, given an optional structure file; return every problem."""


def _is_json(head: bytes, path: Path) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") or path.suffix.lower() == ".json"


def _check_json(path: Path, structure: Path | None) -> list[Issue]:
    from cdinterop.model.jsonio import check_json

    return check_json(path)


def _is_sdmx(head: bytes, path: Path) -> bool:
    from cdinterop.sdmx import sniff_format

    try:
        sniff_format(head)
    except ReadError:
        return False
    return True


_XSD_LINE = re.compile(r"^line (\d+): (.*)$", re.S)


def _check_sdmx(path: Path, structure: Path | None) -> list[Issue]:
    from cdinterop import sdmx
    from cdinterop.sdmx.xsd_validation import validate_official, validate_structure_specific

    kind = sdmx.sniff_format(path)
    structure_path = structure if structure is not None else sdmx.find_structure(path)
    base = sdmx.read_structure(structure_path)
    issues: list[Issue] = []
    if kind.startswith("ml"):
        version = "3.0" if kind.startswith("ml30") else "2.1"
        if kind.endswith("-ss"):
            errors = validate_structure_specific(path, base.structure, version=version)
        else:
            errors = validate_official(path, version=version)
        for error in errors:
            match = _XSD_LINE.match(error)
            where = f"{path.name}:{match[1]}" if match else path.name
            issues.append(Issue(where, "xsd", match[2] if match else error))
    try:
        sdmx.read(path, structure=base)
    except InvalidDatasetError as exc:
        issues.extend(exc.issues)
    return issues


def _is_datapackage(head: bytes, path: Path) -> bool:
    if path.is_dir():
        return (path / "datapackage.json").is_file()
    if path.name == "datapackage.json":
        return True
    return path.suffix.lower() == ".zip" and head.startswith(b"PK")


def _check_datapackage(path: Path, structure: Path | None) -> list[Issue]:
    from cdinterop.datapackage import check_package

    return check_package(path)


CHECKERS: list[Checker] = [
    Checker("Data Package", _is_datapackage, _check_datapackage),
    Checker("cdinterop data set (JSON)", _is_json, _check_json),
    Checker("SDMX-ML / SDMX-CSV data", _is_sdmx, _check_sdmx),
]
"""The kinds of file ``check_file`` recognises, tried in order."""


def check_file(path: str | Path, *, structure: str | Path | None = None) -> tuple[str, list[Issue]]:
    """Check a file of any supported kind; return (kind name, problems).

    Raises :class:`~cdinterop.errors.ReadError` when the file cannot be read or is of no
    supported kind.
    """
    source = Path(path)
    try:
        head = b""
        if not source.is_dir():
            with source.open("rb") as handle:
                head = handle.read(_HEAD_BYTES)
    except OSError as exc:
        raise ReadError(str(source), exc.strerror or str(exc)) from None
    for checker in CHECKERS:
        if checker.handles(head, source):
            return checker.name, checker.check(source, Path(structure) if structure else None)
    kinds = ", ".join(c.name for c in CHECKERS)
    raise ReadError(str(source), f"not a file cdinterop can check ({kinds})")
