"""XLSX submissions (plain and KoboToolbox) read with python-calamine.

Cells become text close to what Excel displays: strings as they are; numbers in their
shortest form, integers without ``.0`` (Excel stores ``15`` as ``15.0``); dates and
date-times in ISO 8601 (``2024-03-01``, ``2024-03-01T08:30:00``), times ``08:30:00``,
durations in seconds; booleans ``true``/``false``; empty cells null. ``_row`` is the
Excel row number. Rows that are entirely empty are skipped; a row with values beyond the
header's last column, or a cell longer than ``max_field_bytes``, is a problem row. So is a
row with a formula cell that has no stored result (what openpyxl, pandas and other scripts
write; calamine would read the cell as empty): see
`cdinterop.ingest._sources.xlsx_formulas`. Formula cells with a stored result (what Excel
and LibreOffice save) read as their value.

calamine loads one sheet into memory at a time, as a dense range from its first to its
last cell; batches are then built ``batch_rows`` at a time. Before calamine allocates,
the sheet's XML is streamed from the zip to find where its cells really are (its
``<dimension>`` may lie): a range beyond the ``cells`` reader limit, or a sheet that
decompresses beyond ``unzipped_bytes``, is refused (`cdinterop.limits`). The sheet is
opened once for the header and the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from cdinterop import limits
from cdinterop._extras import require
from cdinterop.errors import Issue, ReadError
from cdinterop.ingest._sources.base import (
    FileDigest,
    Layout,
    SourceOptions,
    Submission,
    check_header,
)
from cdinterop.ingest._sources.rows import (
    ColumnBatch,
    beyond_header,
    is_blank,
    texts_after_header,
)
from cdinterop.ingest._sources.xlsx_formulas import (
    UncomputedFormula,
    check_parts,
    column_letters,
    sheet_extent,
    uncomputed_formulas,
)

__all__ = ["XlsxSubmission", "cell_text", "xlsx_header"]


def cell_text(value: Any) -> str | None:
    """The text of one calamine cell value (see the module docs)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return cell_text(value.total_seconds())
    return str(value)


_WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
"""The first bytes of the workbooks calamine reads: ZIP (XLSX, XLSB, ODS) and OLE2 (XLS)."""


def _not_a_workbook(path: Path, layout: Layout | None, exc: Exception) -> ReadError:
    """The error for a file calamine cannot open: a damaged workbook, or text (CSV, JSON)
    given to an XLSX layout, with the layout that fits it."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError:
        head = b""
    if not head or head.startswith(_WORKBOOK_SIGNATURES) or b"\x00" in head:
        return ReadError(str(path), f"not a readable XLSX workbook: {exc}")
    is_json = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")
    kind = "json" if is_json else "csv"
    what = f"{path.name} looks like {kind.upper()} text, not an XLSX workbook"
    if layout is None:
        reason = f"{what}, despite its suffix: rename it to .{kind} (the layout is then detected)"
    else:
        fits = f"kobo-{kind}" if layout.is_kobo else kind
        auto = "" if path.suffix.lower() in (".xlsx", ".xlsm") else " (or auto)"
        reason = (
            f"{what}, but the layout asked for is {layout.value} (source.layout in the spec, "
            f"SourceOptions.layout in Python): use {fits}{auto}"
        )
    return ReadError(str(path), reason)


def _check_extent(path: Path, sheet: str) -> None:
    """Refuse a sheet whose cells span more than the ``cells`` limit before calamine
    allocates its dense range (one stray cell at XFD1048576 would make it 17 billion
    cells): the extent is read from the sheet's XML, not from its ``<dimension>``."""
    extent = sheet_extent(path, sheet)
    if extent is None:
        return
    limits.exceeded(
        str(path),
        "cells",
        extent.cells,
        f"sheet {sheet!r} spans {extent.cells:,} cells (rows {extent.first_row:,} to "
        f"{extent.last_row:,}, columns {column_letters(extent.first_column)} to "
        f"{column_letters(extent.last_column)})",
    )


def _open_sheet(path: Path, sheet: str | None, layout: Layout | None = None) -> Any:
    calamine = require(
        "python_calamine", extra="xlsx", purpose="reading XLSX, XLS and ODS workbooks"
    )
    check_parts(path)
    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several unrelated types
        raise _not_a_workbook(path, layout, exc) from exc
    with workbook:
        names = list(workbook.sheet_names)
        if not names:
            raise ReadError(str(path), "the workbook has no sheets")
        if sheet is not None and sheet not in names:
            raise ReadError(str(path), f"no sheet {sheet!r}; the sheets are {names}")
        _check_extent(path, sheet or names[0])
        try:
            return workbook.get_sheet_by_name(sheet or names[0])
        except Exception as exc:
            raise ReadError(str(path), f"cannot read sheet {sheet or names[0]!r}: {exc}") from exc


def xlsx_header(
    path: str | Path,
    sheet: str | None = None,
    header_row: int = 1,
    layout: Layout | None = None,
) -> list[str]:
    """The header cells of a sheet (for layout detection); empty if the row is missing.

    ``layout`` is the XLSX layout asked for (``None``: chosen by the suffix or detected),
    named in the error for a file that is not a workbook."""
    return _header_of(_open_sheet(Path(path), sheet, layout), header_row)


def _header_of(worksheet: Any, header_row: int) -> list[str]:
    for number, row in enumerate(worksheet.iter_rows(), start=1):
        if number == header_row:
            return [cell_text(value) or "" for value in row]
    return []


def _trim(header: list[str]) -> list[str]:
    while header and not header[-1]:
        header.pop()
    return header


class XlsxSubmission(Submission):
    """An XLSX submission file (plain or Kobo layout)."""

    row_unit = "row"

    def __init__(self, path: Path, options: SourceOptions, *, layout: Layout | None) -> None:
        source = str(path)
        if path.stat().st_size == 0:
            raise ReadError(source, "the file is empty")
        # the sheet is opened (and its dense range allocated) once, for the header and rows
        self._worksheet: Any = _open_sheet(path, options.sheet, layout)
        header = _trim(_header_of(self._worksheet, options.header_row))
        if not header:
            raise ReadError(source, f"there is no header in row {options.header_row}")
        check_header(header, source)
        if layout is None:
            from cdinterop.ingest._sources.kobo import is_kobo_header

            layout = Layout.KOBO_XLSX if is_kobo_header(header) else Layout.XLSX
        super().__init__(
            path,
            options,
            layout=layout,
            encoding=None,
            delimiter=None,
            columns=tuple(header),
            digest=FileDigest(path),
        )

    def _formula_problem(self, number: int, cells: list[UncomputedFormula], first: int) -> None:
        """Report row ``number``, whose ``cells`` are formulas without a stored result
        (``first``: the Excel column of the reader's first column)."""
        named: list[str] = []
        component: str | None = None
        for cell in cells:
            index = cell.column - first
            if 0 <= index < len(self._columns):
                name = self._columns[index]
                component = component or name
                named.append(f"{cell.ref} ({name!r})")
            else:
                named.append(f"{cell.ref} (outside the header's columns)")
        formulas = [f"={cell.formula}" if cell.formula else "(shared formula)" for cell in cells]
        what = (
            f"cell {named[0]} holds a formula"
            if len(cells) == 1
            else f"cells {', '.join(named[:5])}{', ...' if len(cells) > 5 else ''} hold formulas"
        )
        self._problems.append(
            Issue(
                location=f"{self.row_unit} {number}",
                code="read",
                message=(
                    f"{self.row_unit} {number}: {what} without a stored result, which would "
                    "read as empty: open and save the file in Excel (or LibreOffice) so the "
                    "value is computed; the row is left out"
                ),
                value=formulas[0] if len(formulas) == 1 else formulas[:5],
                row=number,
                component=component,
            )
        )

    def _raw_batches(self) -> Iterator[pa.RecordBatch]:
        width = len(self._columns)
        header_row = self._options.header_row
        worksheet, self._worksheet = self._worksheet, None
        if worksheet is None:  # read a second time
            worksheet = _open_sheet(self._path, self._options.sheet)
        # Excel row -> formula cells without a stored result (calamine reads them empty).
        formulas = uncomputed_formulas(self._path, worksheet.name)
        first = worksheet.start[1] if worksheet.start is not None else 0
        batch = ColumnBatch(width, min(self._options.batch_rows, 65_536))
        for number, texts in texts_after_header(worksheet.iter_rows(), header_row, cell_text):
            extra = beyond_header(texts, width)
            if number in formulas:
                self._formula_problem(number, formulas.pop(number), first)
            elif extra:
                self._problem(
                    number,
                    f"row {number}: {len(extra)} value(s) beyond the header's {width} "
                    "columns; the row is left out",
                    value=extra[:5],
                )
            elif not is_blank(texts) and batch.add(number, texts):
                yield self._build(*batch.take())
        if batch:
            yield self._build(*batch.take())
        # Rows after calamine's last row whose only cells are such formulas.
        for number in sorted(formulas):
            if number > header_row:
                self._formula_problem(number, formulas[number], first)
