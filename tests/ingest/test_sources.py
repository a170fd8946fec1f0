"""Tests of cdinterop.ingest._sources: every fixture is generated here, in tmp_path."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from cdinterop import limits
from cdinterop.errors import ReadError
from cdinterop.ingest._sources import (
    Layout,
    SourceOptions,
    Submission,
    detect_layout,
    open_submission,
)

KOBO_HEADER = [
    "start",
    "grp_site/site_name",
    "grp_site/location",
    "items",
    "items/bottle",
    "items/bag",
    "comments",
    "__version__",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
]


def kobo_rows() -> list[list[str]]:
    return [
        [
            "2024-03-01",
            "Nyali",
            "-4.04 39.70 12 5",
            "bottle bag",
            "1",
            "1",
            "",
            "v1",
            "1",
            "u1",
            "2024-03-01T10:00:00",
            "Approved",
        ],
        [
            "2024-03-02",
            "Diani",
            "-4.30 39.58 8 4",
            "bag",
            "0",
            "1",
            "line one\nline two",
            "v1",
            "2",
            "u2",
            "2024-03-02T10:00:00",
            "",
        ],
        [
            "2024-03-03",
            "Kilifi",
            "-3.63 39.85 3 5",
            "",
            "0",
            "0",
            "NA",
            "v2",
            "3",
            "u3",
            "2024-03-03T10:00:00",
            "On Hold",
        ],
    ]


def write_csv(
    path: Path,
    header: list[str],
    rows: list[list[str]],
    *,
    sep: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
) -> Path:
    def quote(value: str) -> str:
        if any(c in value for c in (sep, '"', "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    text = "\n".join(sep.join(quote(v) for v in row) for row in [header, *rows]) + "\n"
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def read_all(sub: Submission) -> pa.Table:
    batches = list(sub.batches())
    return pa.Table.from_batches(batches, schema=sub.schema)


def rows_of(path: Path, **options: object) -> tuple[Submission, list[dict[str, object]]]:
    sub = open_submission(path, SourceOptions(**options))  # type: ignore[arg-type]
    with sub:
        table = read_all(sub)
    assert sub.rows_read == table.num_rows + len(sub.problems())
    return sub, table.to_pylist()


# -- Kobo CSV -------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [",", ";"])
@pytest.mark.parametrize("bom", [False, True])
def test_kobo_csv(tmp_path: Path, sep: str, bom: bool) -> None:
    path = write_csv(tmp_path / "kobo.csv", KOBO_HEADER, kobo_rows(), sep=sep, bom=bom)
    sub, rows = rows_of(path)
    info = sub.info
    assert info.layout is Layout.KOBO_CSV
    assert info.delimiter == sep
    assert info.encoding == ("utf-8-sig" if bom else "utf-8")
    assert info.columns == (*KOBO_HEADER, "_validation_status_raw")
    assert info.short_names["grp_site/site_name"] == "site_name"
    assert "items/bottle" in info.short_names
    assert info.form_version == "v1"
    assert info.size == path.stat().st_size
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [r["_row"] for r in rows] == [2, 3, 5]  # the second record spans lines 3-4
    assert rows[0]["grp_site/location"] == "-4.04 39.70 12 5"
    assert rows[0]["items"] == "bottle bag"
    assert rows[1]["items/bottle"] == "0"
    assert rows[1]["comments"] == "line one\nline two"
    assert rows[0]["comments"] is None
    assert rows[2]["comments"] == "NA"
    assert rows[2]["items"] is None
    assert [r["_validation_status"] for r in rows] == ["approved", None, "on_hold"]
    assert [r["_validation_status_raw"] for r in rows] == ["Approved", None, "On Hold"]
    assert sub.problems() == []


def test_row_numbers_after_many_quoted_newlines_and_problems(tmp_path: Path) -> None:
    lines = ["a,b"]
    expected = []
    line = 2
    for i in range(500):
        if i % 7 == 3:
            lines.append(f"{i}")  # too few fields
            line += 1
            continue
        if i % 5 == 0:
            lines.append(f'{i},"x\ny\nz"')
            expected.append((str(i), line))
            line += 3
        else:
            lines.append(f"{i},v")
            expected.append((str(i), line))
            line += 1
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sub, rows = rows_of(path, batch_rows=16)
    assert [(r["a"], r["_row"]) for r in rows] == expected
    physical = path.read_text(encoding="utf-8").split("\n")
    problems = sub.problems()
    assert len(problems) == len([i for i in range(500) if i % 7 == 3])
    for issue in problems:
        assert issue.code == "read"
        assert issue.row is not None
        assert issue.value is None  # the text of a record may hold private columns
        assert physical[issue.row - 1].count(",") == 0  # the line a 1-field record is on
        assert "expected 2 fields, found 1" in issue.message


def test_batches_are_incremental(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "big.csv", ["a", "b"], [[str(i), "x" * 50] for i in range(50_000)])
    with open_submission(path, SourceOptions(batch_rows=1000)) as sub:
        iterator = sub.batches()
        first = next(iterator)
        assert first.num_rows == 1000
        assert first.column("_row").to_pylist()[:2] == [2, 3]
        rest = list(iterator)
    assert len(rest) >= 40
    assert sum(b.num_rows for b in rest) + 1000 == 50_000 == sub.rows_read


# -- ODK, plain CSV, encodings ----------------------------------------------------------


def test_odk_csv(tmp_path: Path) -> None:
    header = [
        "SubmissionDate",
        "grp-count",
        "grp-site",
        "meta-instanceID",
        "KEY",
        "SubmitterID",
        "SubmitterName",
        "ReviewState",
        "AttachmentsPresent",
        "Status",
        "FormVersion",
    ]
    rows = [
        [
            "2024-03-01T10:00:00.000Z",
            "12",
            "Nyali",
            "uuid:1",
            "uuid:1",
            "5",
            "amina",
            "approved",
            "0",
            "",
            "2024030101",
        ]
    ]
    path = write_csv(tmp_path / "odk.csv", header, rows)
    assert detect_layout(path) is Layout.ODK_CSV
    sub, got = rows_of(path)
    assert sub.info.layout is Layout.ODK_CSV
    assert sub.info.form_version == "2024030101"
    assert sub.info.short_names["grp-count"] == "count"
    assert got[0]["grp-count"] == "12" and got[0]["Status"] is None and got[0]["_row"] == 2


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16(tmp_path: Path, encoding: str) -> None:
    path = write_csv(
        tmp_path / "u16.csv",
        ["name", "town"],
        [["Zoë", "Mombasa"], ["Ngũgĩ", "Thika"]],
        encoding=encoding,
    )
    sub, rows = rows_of(path)
    assert sub.info.encoding.startswith("utf-16")  # type: ignore[union-attr]
    assert [(r["name"], r["_row"]) for r in rows] == [("Zoë", 2), ("Ngũgĩ", 3)]


def test_latin1_declared(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "l1.csv",
        ["name", "n"],
        [["Zoë", "1"], ["Ana;María", "2"]],
        encoding="latin-1",
        sep=";",
    )
    sub, rows = rows_of(path, encoding="latin-1")
    assert [r["name"] for r in rows] == ["Zoë", "Ana;María"]
    assert sub.info.delimiter == ";"


def test_undecodable_utf8_names_offset(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes("name,n\nZoë,1\n".encode() + b"Jos\xe9,2\n")
    with pytest.raises(ReadError) as info, open_submission(path) as sub:
        list(sub.batches())
    message = str(info.value)
    assert "byte offset 17" in message and "line 3" in message and "encoding=" in message
    _, rows = rows_of(path, encoding="cp1252")
    assert rows[1]["name"] == "José"


def test_one_column_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("name\nA\n\nB\n", encoding="utf-8")
    sub, rows = rows_of(path)
    assert [(r["name"], r["_row"]) for r in rows] == [("A", 2), ("B", 4)]
    assert sub.info.columns == ("name",)


def test_header_row(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("exported by kobo\n\na,b\n1,2\n", encoding="utf-8")
    _, rows = rows_of(path, header_row=3)
    assert rows == [{"a": "1", "b": "2", "_row": 4}]


# -- malformed corpus --------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(ReadError, match="the file is empty"):
        open_submission(path)


def test_header_only(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("a,b,c\n", encoding="utf-8")
    with open_submission(path) as sub:
        assert list(sub.batches()) == []
        assert sub.rows_read == 0
        assert sub.info.columns == ("a", "b", "c")


@pytest.mark.parametrize(
    ("header", "match"),
    [("a,b,a\n", "duplicate column names: 'a' \\(2x\\)"), ("a,,c\n", "empty column names")],
)
def test_bad_header(tmp_path: Path, header: str, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(header + "1,2,3\n", encoding="utf-8")
    with pytest.raises(ReadError, match=match):
        open_submission(path)


def test_wrong_delimiter_declared(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "semi.csv", ["a", "b", "c"], [["1", "2", "3"]], sep=";")
    with pytest.raises(ReadError, match="looks ';'-separated"):
        open_submission(path, SourceOptions(delimiter=","))


def test_too_many_fields(tmp_path: Path) -> None:
    path = tmp_path / "extra.csv"
    path.write_text("a,b\n1,2\n3,4,5\n6,7\n", encoding="utf-8")
    sub, rows = rows_of(path)
    assert [r["_row"] for r in rows] == [2, 4]
    (problem,) = sub.problems()
    assert problem.row == 3 and "expected 2 fields, found 3" in problem.message
    assert problem.location == "line 3"


@pytest.mark.parametrize("ending", ['3,"abc\ndef\n', '3,"abc', '3,"'])
def test_truncated_file(tmp_path: Path, ending: str) -> None:
    path = tmp_path / "cut.csv"
    path.write_text('a,b\n1,"ok ""quoted"""\n' + ending, encoding="utf-8")
    sub, rows = rows_of(path)
    assert rows == [{"a": "1", "b": 'ok "quoted"', "_row": 2}]
    (problem,) = sub.problems()
    assert problem.row == 3 and "truncated" in problem.message


@pytest.mark.parametrize("ending", ['3,"abc"\n', '3,""', "3,abc", '3,"a""b"'])
def test_closed_last_field_is_not_truncated(tmp_path: Path, ending: str) -> None:
    path = tmp_path / "ok.csv"
    path.write_text("a,b\n1,2\n" + ending, encoding="utf-8")
    sub, rows = rows_of(path)
    assert len(rows) == 2 and sub.problems() == []


def test_huge_field_is_a_problem_row(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("a,b\n1,small\n")
        handle.write('2,"' + "x" * 10_000_000 + '"\n')
        handle.write("3,small\n")
    sub, rows = rows_of(path, max_field_bytes=1_048_576)
    assert [(r["a"], r["_row"]) for r in rows] == [("1", 2), ("3", 4)]
    (problem,) = sub.problems()
    assert problem.row == 3 and "max_field_bytes" in problem.message
    assert problem.value is None and problem.component == "b"


def test_the_field_bytes_limit_applies_by_default(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text('a,b\n1,small\n2,"' + "x" * 5000 + '"\n3,small\n', encoding="utf-8")
    with limits.use(field_bytes=4096):
        sub, rows = rows_of(path)
    assert [r["_row"] for r in rows] == [2, 4]
    (problem,) = sub.problems()
    assert problem.row == 3 and "field_bytes" in problem.message and "--limit" in problem.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no such file"):
        open_submission(tmp_path / "nope.csv")


# -- XLSX ----------------------------------------------------------------------------------


def test_kobo_xlsx(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Beach clean-up"
    sheet.append(["today", "grp/count", "weight", "ok", "_uuid", "_validation_status"])
    sheet.append([dt.date(2024, 3, 1), 15, 2.5, True, "u1", "Not Approved"])
    sheet.append([None, None, None, None, None, None])
    sheet.append([dt.datetime(2024, 3, 2, 8, 30), 0, 0.1, False, "u2", None])
    sheet.append(["x", 1, 1, True, "u3", None, "extra"])
    path = tmp_path / "kobo.xlsx"
    workbook.save(path)
    assert detect_layout(path) is Layout.KOBO_XLSX
    sub, rows = rows_of(path)
    assert sub.info.layout is Layout.KOBO_XLSX
    assert rows[0] == {
        "today": "2024-03-01",
        "grp/count": "15",
        "weight": "2.5",
        "ok": "true",
        "_uuid": "u1",
        "_validation_status": "not_approved",
        "_validation_status_raw": "Not Approved",
        "_row": 2,
    }
    assert rows[1]["today"] == "2024-03-02T08:30:00" and rows[1]["_row"] == 4
    assert rows[1]["grp/count"] == "0" and rows[1]["ok"] == "false"
    (problem,) = sub.problems()
    assert problem.row == 5 and "beyond the header" in problem.message


def test_xlsx_sheet_option(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.create_sheet("data").append(["a"])
    workbook["data"].append(["v"])
    path = tmp_path / "plain.xlsx"
    workbook.save(path)
    _, rows = rows_of(path, sheet="data")
    assert rows == [{"a": "v", "_row": 2}]
    with pytest.raises(ReadError, match="no sheet 'nope'"):
        open_submission(path, SourceOptions(sheet="nope"))


def test_broken_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ReadError):
        open_submission(path)


# -- JSON ------------------------------------------------------------------------------------


def kobo_api_page() -> dict[str, object]:
    return {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {
                "_id": 1,
                "_uuid": "u1",
                "grp_site/site_name": "Nyali",
                "items": "bottle bag",
                "weight": 2.50,
                "ok": True,
                "__version__": "v1",
                "_validation_status": {"uid": "validation_status_approved", "label": "Approved"},
                "_geolocation": [-4.04, 39.7],
                "_attachments": [{"filename": "a.jpg", "id": 9}],
                "_tags": [],
                "_notes": [],
            },
            {
                "_id": 2,
                "_uuid": "u2",
                "grp_site": {"site_name": "Diani"},
                "extra": None,
                "_validation_status": {},
                "__version__": "v1",
            },
        ],
    }


def test_kobo_json(tmp_path: Path) -> None:
    path = tmp_path / "kobo.json"
    path.write_text(json.dumps(kobo_api_page()), encoding="utf-8")
    assert detect_layout(path) is Layout.KOBO_JSON
    sub, rows = rows_of(path)
    assert sub.info.layout is Layout.KOBO_JSON
    assert sub.info.form_version == "v1"
    first, second = rows
    assert first["_id"] == "1" and first["weight"] == "2.5" and first["ok"] == "true"
    assert first["_validation_status"] == "approved"
    assert first["_validation_status_raw"] == "validation_status_approved"
    assert first["_geolocation"] == "-4.04 39.7"
    assert json.loads(str(first["_attachments"])) == [{"filename": "a.jpg", "id": 9}]
    assert first["_tags"] is None
    assert second["grp_site/site_name"] == "Diani" and second["_row"] == 2
    assert second["_validation_status"] is None


def test_json_array_with_bad_item(tmp_path: Path) -> None:
    path = tmp_path / "plain.json"
    path.write_text(json.dumps([{"a": 1}, 5, {"a": "x", "b": 1.25}]), encoding="utf-8")
    sub, rows = rows_of(path)
    assert sub.info.layout is Layout.JSON
    assert rows == [{"a": "1", "b": None, "_row": 1}, {"a": "x", "b": "1.25", "_row": 3}]
    (problem,) = sub.problems()
    assert problem.row == 2


def test_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[{"a": 1}, {"a": ', encoding="utf-8")
    with pytest.raises(ReadError, match="not valid JSON"):
        open_submission(path)
