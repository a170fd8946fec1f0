"""Hostile XLSX submissions: a stray cell far away (calamine aborted the process
allocating the dense range) or a small file whose range is ninety million cells are
refused from the sheet's XML before calamine allocates; sheets count against
``unzipped_bytes``; the sheet is opened once."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from cdinterop import limits
from cdinterop.errors import ReadError
from cdinterop.ingest._sources import SourceOptions, open_submission
from cdinterop.ingest._sources.xlsx_formulas import sheet_extent
from cdinterop.limits import LimitExceeded

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)


def _cell(ref: str, value: str, *, plain: bool = True) -> str:
    where = f'r="{ref}" t="inlineStr"' if plain else f't="inlineStr" r="{ref}"'
    return f"<c {where}><is><t>{value}</t></is></c>"


def _xlsx(path: Path, rows: dict[int, list[tuple[str, str]]], *, plain: bool = True) -> Path:
    body = "".join(
        f'<row r="{number}">' + "".join(_cell(r, v, plain=plain) for r, v in cells) + "</row>"
        for number, cells in rows.items()
    )
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
        f'<dimension ref="A1:B3"/><sheetData>{body}</sheetData></worksheet>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Type="{_DOC}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets><sheet name="Sheet1" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Type="{_DOC}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


BASE = {1: [("A1", "name"), ("B1", "value")], 2: [("A2", "a"), ("B2", "1")]}


def _read(path: Path) -> int:
    with open_submission(path, SourceOptions()) as submission:
        return sum(batch.num_rows for batch in submission.batches())


@pytest.mark.parametrize("plain", [True, False])
def test_a_stray_cell_far_away_is_refused_before_calamine_allocates(
    tmp_path: Path, plain: bool
) -> None:
    path = _xlsx(tmp_path / "stray.xlsx", {**BASE, 200_000: [("XFD200000", "x")]}, plain=plain)
    start = time.perf_counter()
    with pytest.raises(LimitExceeded, match="spans 3,276,800,000 cells") as caught:
        _read(path)
    assert time.perf_counter() - start < 5
    assert caught.value.limit == "cells" and str(path) in str(caught.value)
    assert "columns A to XFD" in str(caught.value)


def test_a_small_file_with_a_huge_range_is_refused(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "dense.xlsx", {**BASE, 9_000: [("NTP9000", "x")]})
    assert path.stat().st_size < 5_000
    with pytest.raises(LimitExceeded, match="limit cells"):
        _read(path)
    with limits.use(cells=100), pytest.raises(LimitExceeded):
        _read(_xlsx(tmp_path / "small.xlsx", {**BASE, 60: [("B60", "x")]}))
    assert _read(_xlsx(tmp_path / "fits.xlsx", {**BASE, 60: [("B60", "x")]})) == 2


def test_the_extent_is_read_from_the_cells_not_the_dimension(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "lies.xlsx", {**BASE, 7: [("C7", "x")]})
    extent = sheet_extent(path, "Sheet1")
    assert extent is not None
    assert (extent.first_row, extent.last_row, extent.first_column, extent.last_column) == (
        1,
        7,
        0,
        2,
    )
    assert extent.cells == 21


def test_cells_without_references_count(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "norefs.xlsx", BASE)
    text = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    row = "<row>" + '<c t="inlineStr"><is><t>x</t></is></c>' * 30 + "</row>"
    text = text.replace("</sheetData>", row + "</sheetData>")
    rebuilt = tmp_path / "rebuilt.xlsx"
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(rebuilt, "w") as new:
        for name in old.namelist():
            data = text.encode() if name.endswith("sheet1.xml") else old.read(name)
            new.writestr(name, data)
    extent = sheet_extent(rebuilt, "Sheet1")
    assert extent is not None and extent.last_column >= 29


def test_a_sheet_beyond_unzipped_bytes_is_refused(tmp_path: Path) -> None:
    rows = {1: BASE[1], **{n: [(f"A{n}", "x" * 50), (f"B{n}", "1")] for n in range(2, 20_000)}}
    path = _xlsx(tmp_path / "big.xlsx", rows)
    with limits.use(unzipped_bytes=500_000), pytest.raises(LimitExceeded, match="unzipped"):
        _read(path)
    assert _read(path) == 19_998


def test_a_workbook_with_a_dtd_is_still_refused(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "ok.xlsx", BASE)
    with zipfile.ZipFile(path) as old:
        members = {n: old.read(n) for n in old.namelist()}
    members["xl/workbook.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e "x">]>' + members["xl/workbook.xml"]
    )
    bad = tmp_path / "dtd.xlsx"
    with zipfile.ZipFile(bad, "w") as new:
        for name, data in members.items():
            new.writestr(name, data)
    with pytest.raises(ReadError):
        _read(bad)
