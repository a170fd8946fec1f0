"""Formula injection (OWASP CSV injection): ``rejects.csv``, meant for a spreadsheet, puts a
``'`` before every text cell that begins with ``=``, ``+``, ``-``, ``@``, tab or CR (plain
negative numbers excepted); the data files (SDMX-CSV, the Data Package's CSV,
``dataset.json``) keep the values exact; ``validate``, ``ingest`` and ``convert`` warn about
such text values without changing their exit codes."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from cdinterop._cli import app
from cdinterop._formulas import FORMULA_CODE, formula_text, neutralise
from cdinterop.checking import ADVISORY_CODES, check_file, failures

SPEC = """\
id: formulas
version: "1.0"
source: {layout: csv}
max_rejected: 1
structure:
  id: DSD_F
  agency: T
  name: {en: Formulas}
  concepts:
    - {id: CARD, name: {en: Card}}
    - {id: COUNT, name: {en: Count}}
    - {id: NOTE, name: {en: Note}}
  dimensions:
    - {id: CARD}
  measures:
    - {id: COUNT, value_type: integer, facets: {min_value: 0}}
  attributes:
    - {id: NOTE}
components:
  CARD: {from: card}
  COUNT: {from: count}
  NOTE: {from: note}
dataset:
  id: DF_F
  agency: T
  title: {en: Formulas}
"""

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "\t=1+1",
    "-2+3",
    "\r=2",
]

runner = CliRunner()


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """A submission whose rejected rows carry each hostile value in ``count`` (not a
    number) and whose accepted rows carry it in the free-text ``note``; one more row is
    rejected for ``-3`` (a number below the minimum)."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    submission = tmp_path / "submission.csv"
    with submission.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["card", "count", "note"])
        writer.writerows([f"R{i}", value, "fine"] for i, value in enumerate(HOSTILE))
        writer.writerow(["RN", "-3", "fine"])
        writer.writerows([f"A{i}", "1", value] for i, value in enumerate(HOSTILE))
    return submission, spec


def _rejects(folder: Path) -> list[dict[str, str]]:
    with (folder / "rejects.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _check_rejects(folder: Path) -> None:
    rows = _rejects(folder)
    by_value = {row["value"]: row for row in rows}
    assert len(rows) == len(HOSTILE) + 1
    for value in HOSTILE:
        assert by_value["'" + value]["column"] == "count"
    assert by_value["-3"]["reason"].startswith("less than")  # a plain number is kept
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), row
            assert not cell.startswith("-") or cell == "-3", row


def _notes(rows: list[dict[str, str]]) -> list[str]:
    return [row["NOTE"] for row in sorted(rows, key=lambda row: row["CARD"])]


def test_ingest_neutralises_rejects_and_keeps_the_data_exact(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    submission, spec = files
    out = tmp_path / "ingest"
    result = runner.invoke(app, ["ingest", str(submission), "-m", str(spec), "-o", str(out)])
    assert result.exit_code == 0, result.output
    _check_rejects(out)
    with (out / "datapackage" / "observations.csv").open(encoding="utf-8", newline="") as handle:
        assert _notes(list(csv.DictReader(handle))) == HOSTILE
    records = json.loads((out / "dataset.json").read_text(encoding="utf-8"))["observations"]
    assert [r["NOTE"] for r in sorted(records, key=lambda r: r["CARD"])] == HOSTILE
    output = _flat(result.output)
    assert "6 text values begin with =, +, -, @, tab or CR in NOTE of the unit records" in output

    for target in (out / "dataset.json", out / "datapackage"):
        checked = runner.invoke(app, ["validate", str(target)])
        assert checked.exit_code == 0, checked.output
        assert "valid, with 1 warning(s)" in _flat(checked.output)
        report = json.loads(runner.invoke(app, ["validate", str(target), "--json"]).output)
        assert report["valid"] and report["counts"] == {FORMULA_CODE: 1}


def test_convert_neutralises_rejects_keeps_sdmx_exact_and_warns(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    submission, spec = files
    out = tmp_path / "convert"
    result = runner.invoke(
        app,
        ["convert", str(submission), "-m", str(spec), "-o", str(out), "--to", "sdmx,datapackage"],
    )
    assert result.exit_code == 0, result.output
    assert "6 text values begin with =, +, -, @, tab or CR in NOTE" in _flat(result.output)
    _check_rejects(out)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["formula_text"] == [
        {"data": "unit records", "column": "NOTE", "count": 6, "row": 0}
    ]
    sdmx_csv = sorted((out / "sdmx").glob("data-*.csv"))
    assert sdmx_csv
    for path in sdmx_csv:
        with path.open(encoding="utf-8", newline="") as handle:
            assert _notes(list(csv.DictReader(handle))) == HOSTILE
    with zipfile.ZipFile(out / "datapackage.zip") as archive:
        name = next(n for n in archive.namelist() if n.endswith("observations.csv"))
        text = archive.read(name).decode("utf-8")
    assert _notes(list(csv.DictReader(io.StringIO(text, newline="")))) == HOSTILE

    _, issues = check_file(sdmx_csv[0])
    assert not failures(issues)
    warned = [issue for issue in issues if issue.code == FORMULA_CODE]
    assert [(i.component, i.row, i.value) for i in warned] == [("NOTE", 0, HOSTILE[0])]
    checked = runner.invoke(app, ["validate", str(sdmx_csv[0])])
    assert checked.exit_code == 0, checked.output


def test_too_many_rejects_still_neutralised(files: tuple[Path, Path], tmp_path: Path) -> None:
    submission, spec = files
    for command in ("ingest", "convert"):
        out = tmp_path / command
        args = [command, str(submission), "-m", str(spec), "-o", str(out), "--max-rejected", "0.1"]
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        _check_rejects(out)


def test_the_rule() -> None:
    table = pa.table(
        {
            "n": pa.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
            "text": [
                "=1",
                "-3",
                "-0.5e3",
                "-.5",
                "- 3",
                "-",
                None,
                "a=b",
                " =x",
                "-1.0 36.0",
            ],
            "coded": pa.array(
                ["@x", "ok", "@x", "ok", "+1", "ok", "ok", None, "ok", "ok"]
            ).dictionary_encode(),
        }
    )
    out = neutralise(table)
    assert out.column("n").equals(table.column("n"))
    assert out.column("text").to_pylist() == [
        "'=1",
        "-3",
        "-0.5e3",
        "-.5",
        "'- 3",
        "'-",
        None,
        "a=b",
        " =x",
        "'-1.0 36.0",
    ]
    assert out.column("coded").to_pylist()[:5] == ["'@x", "ok", "'@x", "ok", "'+1"]
    found = {f.column: (f.count, f.row, f.value) for f in formula_text(table)}
    assert found == {"text": (4, 0, "=1"), "coded": (3, 0, "@x")}
    assert formula_text(pa.table({"text": ["plain", "-7", "1-2"]})) == []
    assert FORMULA_CODE in ADVISORY_CODES
