"""XLSX formula cells without a stored result (what openpyxl and pandas write) are problem
rows of the reader, never read as empty; formula cells with a stored result (what Excel
writes) read as their value."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cdinterop.errors import ReadError
from cdinterop.ingest import SourceOptions, ingest, open_submission
from cdinterop.ingest._sources import xlsx_formulas
from cdinterop.ingest._spec import IngestSpec
from cdinterop.mapping._loading import load_spec

ROOT = Path(__file__).resolve().parents[2]
CARDS = ROOT / "examples" / "marine-litter-ghana" / "data-cards.xlsx"
CARDS_SPEC = ROOT / "mappings" / "beach-data-cards.yaml"
KEY = "a-test-key-that-is-long-enough"
REASON = "open and save the file in Excel (or LibreOffice) so the value is computed"


def _workbook(path: Path, rows: list[list[Any]], *, cells: dict[str, Any] | None = None) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for ref, value in (cells or {}).items():
        sheet[ref] = value
    workbook.save(path)
    return path


def _read(path: Path, **options: Any) -> tuple[list[dict[str, Any]], list[Any], int]:
    with open_submission(path, SourceOptions(**options)) as sub:
        rows = [row for batch in sub.batches() for row in batch.to_pylist()]
        return rows, sub.problems(), sub.rows_read


def test_formula_without_result_is_a_problem_row(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "counts.xlsx",
        [["site", "bottles", "bags"], ["A", 3, 4], ["B", "=100+1", 5], ["C", 7, 8]],
    )
    rows, problems, read = _read(path)
    assert [(r["site"], r["bottles"], r["_row"]) for r in rows] == [("A", "3", 2), ("C", "7", 4)]
    (problem,) = problems
    assert problem.row == 3 and problem.location == "row 3" and problem.code == "read"
    assert problem.component == "bottles" and problem.value == "=100+1"
    assert "cell B3 ('bottles') holds a formula without a stored result" in problem.message
    assert REASON in problem.message
    assert read == 3


def test_several_formulas_in_one_row_are_one_problem(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "counts.xlsx",
        [["site", "bottles", "bags"], ["A", "=1+1", "=SUM(1,2)"], ["B", 1, 2]],
    )
    rows, problems, read = _read(path)
    assert [r["site"] for r in rows] == ["B"]
    (problem,) = problems
    assert problem.component == "bottles" and problem.value == ["=1+1", "=SUM(1,2)"]
    assert "cells B2 ('bottles'), C2 ('bags') hold formulas" in problem.message
    assert read == 2


def test_rows_that_hold_only_such_formulas_are_not_skipped(tmp_path: Path) -> None:
    """calamine sees such a row as empty (or past its last row); it is still a record."""
    path = _workbook(
        tmp_path / "counts.xlsx",
        [["site", "bottles"], ["A", 1]],
        cells={"B3": "=2*2", "B5": "=3*3", "A6": "F", "B6": 6, "A8": "=1", "B9": "=9"},
    )
    rows, problems, read = _read(path)
    assert [(r["site"], r["_row"]) for r in rows] == [("A", 2), ("F", 6)]
    assert [(p.row, p.component) for p in problems] == [
        (3, "bottles"),
        (5, "bottles"),
        (8, "site"),
        (9, "bottles"),
    ]
    assert read == 6


def test_formula_outside_the_header_is_a_problem_too(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "wide.xlsx", [["a", "b"], ["x", 1], ["y", 2, "=1+1"]])
    rows, problems, _ = _read(path)
    assert [r["a"] for r in rows] == ["x"]
    (problem,) = problems
    assert problem.row == 3 and problem.component is None
    assert "cell C3 (outside the header's columns)" in problem.message


def test_columns_and_rows_follow_a_table_that_does_not_start_at_a1(tmp_path: Path) -> None:
    """calamine drops the empty columns before the data; the cell is mapped to its header."""
    path = _workbook(
        tmp_path / "offset.xlsx",
        [],
        cells={"C2": "site", "D2": "n", "C3": "A", "D3": "=5", "C4": "B", "D4": 4},
    )
    rows, problems, _ = _read(path, header_row=2)
    assert [(r["site"], r["n"], r["_row"]) for r in rows] == [("B", "4", 4)]
    (problem,) = problems
    assert (problem.row, problem.component) == (3, "n") and "cell D3 ('n')" in problem.message


def test_formula_in_a_rows_above_the_header_is_ignored(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "title.xlsx", [["=TODAY()"], ["site", "n"], ["A", 1]])
    rows, problems, _ = _read(path, header_row=2)
    assert [(r["site"], r["n"]) for r in rows] == [("A", "1")] and problems == []


def test_the_sheet_option_is_followed(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.append(["site", "n"])
    first.append(["A", 1])
    data = workbook.create_sheet("data")
    data.append(["site", "n"])
    data.append(["B", "=2+2"])
    data.append(["C", 3])
    path = tmp_path / "two.xlsx"
    workbook.save(path)
    rows, problems, _ = _read(path)
    assert [r["site"] for r in rows] == ["A"] and problems == []
    rows, problems, _ = _read(path, sheet="data")
    assert [r["site"] for r in rows] == ["C"] and [p.row for p in problems] == [2]


# -- workbooks as Excel saves them: every formula with its result -----------------------------

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _excel_like(path: Path, sheet_data: str) -> Path:
    """A minimal XLSX package written by hand (openpyxl cannot store formula results); the
    worksheet part is named and linked the way Excel does (relative target)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/data.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<workbook {_NS} xmlns:r="{_REL}"><sheets>'
            '<sheet name="Cards" sheetId="1" r:id="rId7"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId7" Type="{_REL}/worksheet" Target="worksheets/data.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/data.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f"<worksheet {_NS}><sheetData>{sheet_data}</sheetData></worksheet>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


_HEADER = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>site</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>n</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>label</t></is></c></row>'
)


def test_stored_formula_results_read_as_before(tmp_path: Path) -> None:
    path = _excel_like(
        tmp_path / "excel.xlsx",
        _HEADER + '<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c>'
        '<c r="B2"><f>100+1</f><v>101</v></c>'
        '<c r="C2" t="str"><f>IF(B2&gt;0,"","x")</f><v></v></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>B</t></is></c>'
        '<c r="B3"><f t="shared" ref="B3:B4" si="0">B2+1</f><v>102</v></c>'
        '<c r="C3" t="str"><f>"ok"</f><v>ok</v></c></row>'
        '<row r="4"><c r="A4" t="inlineStr"><is><t>C</t></is></c>'
        '<c r="B4"><f t="shared" si="0"/><v>103</v></c></row>',
    )
    rows, problems, _ = _read(path)
    assert problems == []
    assert [(r["site"], r["n"], r["label"]) for r in rows] == [
        ("A", "101", None),  # an empty-string result, stored as such: read as empty
        ("B", "102", "ok"),
        ("C", "103", None),
    ]


def test_a_shared_formula_without_result_is_found(tmp_path: Path) -> None:
    path = _excel_like(
        tmp_path / "shared.xlsx",
        _HEADER + '<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c>'
        '<c r="B2"><f t="shared" ref="B2:B3" si="0">1+1</f><v>2</v></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>B</t></is></c>'
        '<c r="B3"><f t="shared" si="0"/></c></row>',
    )
    rows, problems, _ = _read(path)
    assert [r["n"] for r in rows] == ["2"]
    (problem,) = problems
    assert problem.row == 3 and problem.value == "(shared formula)"


@pytest.mark.parametrize(
    ("xml", "found"),
    [
        ('<c r="B2"><f>1+1</f></c>', True),
        ('<c r="B2"><f>1+1</f><v></v></c>', True),
        ('<c r="B2"><f>1+1</f><v/></c>', True),
        ('<c r="B2"><f t="shared" si="0"/></c>', True),
        ('<c r="B2" t="str"><f>""</f><v></v></c>', True),  # a false alarm the parser settles
        ('<c r="B2"><f>1+1</f><v>2</v></c>', False),
        ('<c r="B2"><f t="shared" si="0"/>\n  <v>2</v></c>', False),
        ('<c r="B2" t="n"><v>2</v></c>', False),
    ],
)
def test_the_byte_prescreen_never_misses_one(
    xml: str, found: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    filler = '<c r="A1" t="n"><v>1</v></c>' * 7
    data = f'<worksheet {_NS}><sheetData><row r="1">{filler}{xml}{filler}</row>'.encode()
    assert xlsx_formulas._may_have_uncomputed(io.BytesIO(data)) is found
    # wherever the chunks are cut
    monkeypatch.setattr(xlsx_formulas, "_CHUNK", 64)
    for shift in range(64):
        shifted = data.replace(b'<row r="1">', b'<row r="1">' + b" " * shift)
        assert xlsx_formulas._may_have_uncomputed(io.BytesIO(shifted)) is found, shift


def test_cells_and_rows_without_references() -> None:
    """``r`` is optional on ``<row>`` and ``<c>``: positions then follow the earlier ones."""
    data = (
        f"<worksheet {_NS}><sheetData>"
        "<row><c><v>1</v></c><c><f>1</f></c></row>"
        '<row r="4"><c r="C4"><v>1</v></c><c><f>2</f></c><c><v>1</v></c><c><f>3</f><v/></c></row>'
        '<row><c r="A5"><f>4</f></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    found = xlsx_formulas._scan(io.BytesIO(data), "sheet.xml")
    assert [(c.ref, c.row, c.column, c.formula) for c in found] == [
        ("B1", 1, 1, "1"),
        ("D4", 4, 3, "2"),
        ("F4", 4, 5, "3"),
        ("A5", 5, 0, "4"),
    ]


def test_a_sheet_declaring_a_dtd_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = _excel_like(tmp_path / "dtd.xlsx", _HEADER)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/data.xml"].decode()
    parts["xl/worksheets/data.xml"] = (
        sheet.replace("<worksheet ", '<!DOCTYPE worksheet [<!ENTITY x "1">]><worksheet ', 1)
        .replace("</sheetData>", '<row r="2"><c r="B2"><f>1+1</f></c></row></sheetData>')
        .encode()
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(ReadError, match="DTD"):
        _read(path)


def test_sheets_without_formulas_or_with_every_result_stored_are_not_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _workbook(tmp_path / "plain.xlsx", [["site", "n"], ["A", 1]])
    stored = _excel_like(
        tmp_path / "stored.xlsx",
        _HEADER + '<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c>'
        '<c r="B2"><f>100+1</f><v>101</v></c></row>',
    )

    def fail(stream: Any) -> Any:
        raise AssertionError("parsed")

    monkeypatch.setattr(xlsx_formulas, "_scan", fail)
    for path in (plain, stored):
        rows, problems, _ = _read(path)
        assert len(rows) == 1 and problems == []


# -- through ingest: the shipped example -----------------------------------------------------


def test_ingest_rejects_the_row_of_an_uncomputed_count(tmp_path: Path) -> None:
    spec = load_spec(CARDS_SPEC, IngestSpec)
    before = ingest(CARDS, spec, key=KEY.encode()).summary
    workbook = openpyxl.load_workbook(CARDS)
    sheet = workbook["Data cards"]
    assert sheet["I1"].value == "Plastic bottles & caps"
    sheet["I5"] = "=100+1"
    path = tmp_path / "cards.xlsx"
    workbook.save(path)
    result = ingest(path, spec, key=KEY.encode())
    summary = result.summary
    assert summary.rows_read == before.rows_read
    assert summary.accepted == before.accepted - 1
    assert summary.rejected == before.rejected + 1
    (reject,) = [r for r in result.rejects.to_pylist() if r["row"] == 5]
    assert reject["column"] == "Plastic bottles & caps" and reject["value"] == "=100+1"
    assert REASON in reject["reason"]
    assert summary.rejected_by_column["Plastic bottles & caps"] == 1
