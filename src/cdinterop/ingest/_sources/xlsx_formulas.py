"""Formula cells of an XLSX sheet that have no stored (cached) result.

Excel saves every formula with its last computed value (``<c r="I5"><f>100+1</f>
<v>101</v></c>``); openpyxl, pandas and other scripts write the formula alone
(``<v>`` missing or empty) and leave the computing to the next program that opens the
file. calamine reads such a cell as empty, so the XLSX reader asks this module where
they are and reports their rows instead of reading a blank.

The sheet's part is found through ``xl/workbook.xml`` and ``xl/_rels/workbook.xml.rels``;
its bytes are first scanned for the end of an ``<f>`` element that no non-empty ``<v>``
follows (a sheet without formulas, or with every result stored, costs one decompression
and a regular-expression search), and only then streamed through lxml's
``iterparse`` with the safe options of `cdinterop._safe_xml` (no DTD, no entities, no
network), clearing the parsed rows so that memory stays bounded.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree

from cdinterop import limits
from cdinterop._safe_xml import PROLOG_BYTES, check_prolog, iterparse, parse_bytes
from cdinterop.errors import ReadError

__all__ = [
    "SheetExtent",
    "UncomputedFormula",
    "check_parts",
    "column_letters",
    "sheet_extent",
    "uncomputed_formulas",
]

_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_UNSTORED = re.compile(
    rb"<(?:/" + _PREFIX + rb"f>|" + _PREFIX + rb"f\b[^<]*?/>)"  # the end of a formula ...
    rb"(?!\s*<" + _PREFIX + rb"v(?:\s[^>]*)?>[^<])"  # ... not followed by a value
)
"""The end of an ``<f>`` element that no non-empty ``<v>`` follows (a byte pre-screen)."""
_CHUNK = 1 << 20
_ROW_DIGITS = 15
"""Row numbers longer than this stand for 10**15 (any of them is far beyond the limits)."""
_REF = re.compile(r"([A-Za-z]{1,3})(\d+)")


@dataclass(frozen=True)
class UncomputedFormula:
    """A formula cell without a stored result."""

    ref: str
    """The cell reference, ``I5``."""
    row: int
    """The Excel row number (1-based)."""
    column: int
    """The Excel column number (0-based: ``A`` is 0)."""
    formula: str | None
    """The formula text without ``=`` (``None`` for a shared formula's other cells)."""


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def column_letters(column: int) -> str:
    """The letters of the 0-based ``column`` (0 is ``A``, 26 is ``AA``)."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _parse_small(archive: zipfile.ZipFile, name: str, source: str) -> Any:
    with archive.open(name) as stream:
        data = b"".join(_member_chunks(stream, source, name))
    return parse_bytes(data, source, kind="XLSX")


def _sheet_part(archive: zipfile.ZipFile, sheet: str, source: str) -> str | None:
    """The zip member holding ``sheet``; ``None`` when the workbook does not say."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    rid = _sheet_relationship(archive, sheet, source)
    target = None if rid is None else _relationship_target(archive, rid, source)
    if target is None:
        return None
    if target.startswith("/"):
        part = target.lstrip("/")
    else:
        part = posixpath.normpath(posixpath.join("xl", target))
    return part if part in names else None


def _sheet_relationship(archive: zipfile.ZipFile, sheet: str, source: str) -> str | None:
    """The relationship id (``r:id``) the workbook gives ``sheet``, if it names the sheet."""
    workbook = _parse_small(archive, "xl/workbook.xml", source)
    for element in workbook.iter():
        if _local(element.tag) == "sheet" and element.get("name") == sheet:
            return next(
                (v for k, v in element.attrib.items() if k.startswith("{") and _local(k) == "id"),
                None,
            )
    return None


def _relationship_target(archive: zipfile.ZipFile, rid: str, source: str) -> str | None:
    """The target of the workbook's relationship ``rid`` (``""`` without one), if any."""
    rels = _parse_small(archive, "xl/_rels/workbook.xml.rels", source)
    for element in rels.iter():
        if _local(element.tag) == "Relationship" and element.get("Id") == rid:
            return str(element.get("Target") or "")
    return None


def _may_have_uncomputed(stream: IO[bytes]) -> bool:
    """Whether the sheet's bytes have a formula not followed by a non-empty ``<v>``: a
    quick pre-screen that never misses one (it may give a false alarm, e.g. for an
    empty-string result), so that sheets without formulas, or with every result stored,
    are not parsed a second time."""
    tail = b""
    while chunk := stream.read(_CHUNK):
        window = tail + chunk
        found, cut = _formula_without_value(window)
        if found:
            return True
        tail = window[cut:] if cut >= 0 else b""
        if len(tail) > _CHUNK:
            return True  # an enormous text run: parse rather than carry it
    return bool(tail) and _UNSTORED.search(tail) is not None


def _formula_without_value(window: bytes) -> tuple[bool, int]:
    """Whether the first formula end in ``window`` is surely not followed by a value, and
    where the next window starts: by default at the last ``<`` of this one (a match
    starts with "<" and holds no other "<" before its end); at the formula's end when
    what follows it is cut off at the window's end, to look again with more."""
    cut = window.rfind(b"<")
    if b"<f" not in window and b"/f>" not in window and b":f" not in window:
        return False, cut
    match = _UNSTORED.search(window)
    if match is None:
        return False, cut
    after = window[match.end() :].lstrip()
    if after and not after.startswith(b"<"):
        return True, cut
    close = after.find(b">")
    if 0 <= close < len(after) - 1:
        return True, cut  # what follows the formula is there in full: not a value
    return False, match.start()


_UNCOMPUTED = etree.XPath(
    "*[local-name()='c'][*[local-name()='f']][not(*[local-name()='v'][string-length(.)>0])]"
)
"""The cells of a ``<row>`` with a formula and no (or an empty) stored value."""


def _cell_column(cell: Any) -> tuple[int, int | None]:
    """The column (0-based) and row of a ``<c>``; without ``r``, the column follows the
    nearest earlier cell that has one (the row is then the ``<row>``'s)."""
    steps = 0
    while cell is not None:
        ref = cell.get("r")
        match = _REF.fullmatch(ref) if ref else None
        if match is not None:
            return _column_number(match[1]) + steps, None if steps else int(match[2])
        cell = cell.getprevious()
        steps += 1
    return steps - 1, None


def _scan(stream: IO[bytes], source: str) -> list[UncomputedFormula]:
    found: list[UncomputedFormula] = []
    row = 0
    events = iterparse(stream, source, kind="XLSX", events=("end",), tag=("{*}sheetData", "{*}row"))
    for _, element in events:
        if _local(element.tag) == "sheetData":
            break
        given = element.get("r")
        row = int(given) if given and given.isdigit() else row + 1
        found += _uncomputed_in_row(element, row)
        _release(element)
    return found


def _uncomputed_in_row(element: Any, row: int) -> list[UncomputedFormula]:
    """The formula cells of a ``<row>`` (Excel row ``row``) without a stored result."""
    found: list[UncomputedFormula] = []
    for cell in _UNCOMPUTED(element):
        if cell.get("t") == "str" and any(_local(c.tag) == "v" for c in cell):
            continue  # Excel stores an empty-string result as t="str" with an empty <v>
        found.append(_uncomputed(cell, row))
    return found


def _uncomputed(cell: Any, row: int) -> UncomputedFormula:
    """A formula ``<c>`` without a stored result, in Excel row ``row`` unless it says."""
    column, cell_row = _cell_column(cell)
    formula = next((c for c in cell if _local(c.tag) == "f"), None)
    return UncomputedFormula(
        ref=f"{column_letters(column)}{cell_row or row}",
        row=cell_row or row,
        column=column,
        formula=(formula.text or None) if formula is not None else None,
    )


def _release(element: Any) -> None:
    """Free a parsed ``<row>`` and the rows before it, so that memory stays bounded."""
    element.clear()
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def uncomputed_formulas(path: Path, sheet: str) -> dict[int, list[UncomputedFormula]]:
    """The formula cells of ``sheet`` without a stored result, by Excel row number.

    Empty for workbooks that are not XLSX packages (XLS, ODS, XLSB: calamine reads them,
    this module does not look) and for sheets without any formula."""
    source = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet, source)
            if part is None:
                return {}
            with archive.open(part) as stream:
                if not _may_have_uncomputed(stream):
                    return {}
            with archive.open(part) as stream:
                check_prolog(stream.read(PROLOG_BYTES), source, kind="XLSX")
            with archive.open(part) as stream:
                cells = _scan(stream, source)
    except zipfile.BadZipFile:
        return {}
    except (etree.XMLSyntaxError, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ReadError(
            source, f"cannot look for formulas without a stored result in sheet {sheet!r}: {exc}"
        ) from exc
    rows: dict[int, list[UncomputedFormula]] = {}
    for cell in cells:
        rows.setdefault(cell.row, []).append(cell)
    return rows


# -- the extent of a sheet ----------------------------------------------------------------

_CELL_REF = re.compile(rb"<" + _PREFIX + rb"c\s[^>]*?\br\s*=\s*[\"']([A-Za-z]{1,3})(\d+)[\"']")
"""A cell with its reference (``<c r="B7"``): the column letters and the row number."""
_PLAIN_LETTERS = re.compile(rb'<c r="([A-Z]{1,3})\d')
_PLAIN_DIGITS = re.compile(rb'<c r="[A-Z]{1,3}(\d+)"')
"""Column letters and row numbers of cells as Excel, LibreOffice and openpyxl write them
(``r`` first, no prefix): a literal start, much faster to search than `_CELL_REF`."""
_OTHER_CELL = re.compile(rb'<c(?! r=")[\s/>]')
"""A cell whose ``r`` is not the first attribute, or that has none."""
_CELL = re.compile(rb"<" + _PREFIX + rb"c[\s/>]")
_ROW = re.compile(rb"<" + _PREFIX + rb"row[\s/>]")


@dataclass(frozen=True)
class SheetExtent:
    """Where the cells of a sheet are, read from its XML (not from its ``<dimension>``)."""

    first_row: int
    """The first row with a cell (1-based); 0 for a sheet without cells."""
    last_row: int
    """The last row with a cell."""
    first_column: int
    """The first column with a cell (0-based)."""
    last_column: int
    """The last column with a cell."""

    @property
    def cells(self) -> int:
        """Cells of the dense range a reader allocates (rows times columns)."""
        if self.last_row < self.first_row:
            return 0
        rows = self.last_row - self.first_row + 1
        return rows * (self.last_column - self.first_column + 1)


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DTD_SPAN = 9
"""Bytes of one chunk kept to find a declaration cut between two chunks."""


def _member_chunks(stream: IO[bytes], source: str, part: str) -> Any:
    """The decompressed chunks of a zip member, counted against ``unzipped_bytes``; a
    part holding a DTD (``<!DOCTYPE``, ``<!ENTITY``: entity expansion, external fetches)
    is refused wherever the declaration stands, as every XML parse of cdinterop does."""
    total = 0
    previous = b""
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
        limits.exceeded(source, "unzipped_bytes", total, f"{part} decompressed")
        if _DTD.search(previous + chunk):
            raise ReadError(
                source,
                f"{part} holds a DTD (<!DOCTYPE or <!ENTITY); workbooks never need one and "
                "it is refused (entity expansion, external fetches)",
            )
        previous = chunk[-_DTD_SPAN:]
        yield chunk


def check_parts(path: Path) -> None:
    """Stream every XML part of an XLSX package except its worksheets (the workbook, shared
    strings, styles, relationships: what a reader loads when it opens the workbook) and
    refuse one with a DTD or one that decompresses beyond ``unzipped_bytes``, before
    calamine opens it (a shared-strings bomb would otherwise be held whole). Worksheets
    are checked by `sheet_extent()`, the one read. A file that is not a zip is left to the
    reader."""
    source = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = info.filename
                if name.startswith("xl/worksheets/") or not name.endswith((".xml", ".rels")):
                    continue
                with archive.open(info) as stream:
                    for _chunk in _member_chunks(stream, source, name):
                        pass
    except zipfile.BadZipFile:
        return
    except (zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, zlib.error) as exc:
        raise ReadError(source, f"not a readable XLSX workbook: {exc}") from exc


def _refs(body: bytes) -> tuple[set[bytes], set[bytes], bool]:
    """The column letters and row numbers of the cells of ``body``, and whether some cell
    there has no reference (its column then follows the cell before)."""
    if b":c" not in body and _OTHER_CELL.search(body) is None:
        return set(_PLAIN_LETTERS.findall(body)), set(_PLAIN_DIGITS.findall(body)), False
    found = _CELL_REF.findall(body)
    letters = {letter.upper() for letter, _ in found}
    return letters, {digits for _, digits in found}, len(_CELL.findall(body)) > len(found)


def _extent(stream: IO[bytes], source: str, part: str) -> SheetExtent:
    """Scan the sheet's bytes (regular expressions over chunks, at C speed) for the cell
    references; cells without one follow the one before (their count in a row bounds the
    width, and rows without ``r`` are counted)."""
    found = _CellsFound()
    for body in _whole_tags(_member_chunks(stream, source, part)):
        found.add(body)
    return found.extent()


def _whole_tags(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks cut again at the last ``<`` of each, so that no tag is split between
    two (the bytes after the last ``<`` of the member are left out)."""
    tail = b""
    for chunk in chunks:
        window = tail + chunk
        cut = window.rfind(b"<")
        body, tail = (window[:cut], window[cut:]) if cut >= 0 else (window, b"")
        if len(tail) > _CHUNK:  # an enormous text run: it holds no tag
            tail = b""
        yield body


@dataclass
class _CellsFound:
    """The cell references a scan of a sheet's bytes has found so far."""

    rows: list[int] = field(default_factory=list)
    """The smallest and largest row number of each body with references."""
    columns: set[bytes] = field(default_factory=set)
    """The column letters of the references."""
    row_elements: int = 0
    """``<row>`` elements counted (in bodies with cells without a reference)."""
    widest_unreferenced: int = 0
    """The most cells seen in one row, where cells without a reference are."""

    def add(self, body: bytes) -> None:
        """Count the cells of ``body`` (whole tags only)."""
        letters, digits, unreferenced = _refs(body)
        if digits:  # a row number beyond any sheet counts as the largest one
            numbers = [int(d) if len(d) <= _ROW_DIGITS else 10**_ROW_DIGITS for d in digits]
            self.rows.extend((min(numbers), max(numbers)))
        self.columns |= letters
        if unreferenced:
            segments = _ROW.split(body)
            self.row_elements += len(segments) - 1
            for segment in segments:
                self.widest_unreferenced = max(
                    self.widest_unreferenced, len(_CELL.findall(segment))
                )

    def extent(self) -> SheetExtent:
        """Where the cells found are."""
        rows = self.rows
        if not rows and not self.row_elements:
            return SheetExtent(0, -1, 0, -1)
        numbers = [_column_number(letters.decode()) for letters in self.columns]
        first_row = min(rows) if rows else 1
        last_row = max([*rows, self.row_elements, first_row])
        first_column = min(numbers) if numbers else 0
        last_column = max([*numbers, first_column + self.widest_unreferenced - 1, first_column])
        return SheetExtent(first_row, last_row, first_column, last_column)


def sheet_extent(path: Path, sheet: str) -> SheetExtent | None:
    """The extent of ``sheet``'s cells, found by streaming its XML from the zip (the
    sheet's ``<dimension>`` is not trusted), its decompressed size counted against the
    ``unzipped_bytes`` limit. ``None`` for a workbook that is not an XLSX package (XLS,
    ODS, XLSB) or whose workbook does not name the sheet's part."""
    source = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet, source)
            if part is None:
                return None
            with archive.open(part) as stream:
                return _extent(stream, source, part)
    except zipfile.BadZipFile:
        return None
    except (zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, zlib.error) as exc:
        raise ReadError(source, f"cannot read sheet {sheet!r}: {exc}") from exc
