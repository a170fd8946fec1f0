"""`cdinterop ingest` with several exports and --parquet, as a data engineer runs it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from cdinterop import load
from cdinterop._cli import app

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
ENV = {"CDINTEROP_PSEUDONYM_KEY": "ingest-many-test-key-0123456789"}


def _split(folder: Path) -> None:
    lines = EXPORT.read_text(encoding="utf-8").splitlines(keepends=True)
    folder.mkdir()
    (folder / "a.csv").write_text(lines[0] + "".join(lines[1:300]), encoding="utf-8")
    (folder / "b.csv").write_text(lines[0] + "".join(lines[300:]), encoding="utf-8")


def test_several_exports_and_parquet(tmp_path: Path) -> None:
    _split(tmp_path / "exports")
    runner = CliRunner()
    one = runner.invoke(
        app, ["ingest", str(EXPORT), "-m", str(SPEC), "-o", str(tmp_path / "one")], env=ENV
    )
    assert one.exit_code == 0, one.output
    many = runner.invoke(
        app,
        [
            "ingest",
            str(tmp_path / "exports" / "*.csv"),
            "-m",
            str(SPEC),
            "-o",
            str(tmp_path / "many"),
            "--parquet",
        ],
        env=ENV,
    )
    assert many.exit_code == 0, many.output
    assert "a.csv, b.csv" in many.output
    single = load(tmp_path / "one" / "dataset.json")
    both = load(tmp_path / "many" / "dataset.json")
    assert both.observations == single.observations
    parquet = pq.read_table(tmp_path / "many" / "records.parquet")
    assert parquet.equals(both.observations.table)
    assert not (tmp_path / "one" / "records.parquet").exists()
    summary = json.loads((tmp_path / "many" / "summary.json").read_text("utf-8"))
    assert [s["source"] for s in summary["sources"]] == ["a.csv", "b.csv"]
    assert sum(s["rows_read"] for s in summary["sources"]) == summary["rows_read"]
    assert "records.parquet" in summary["outputs"]
    with (tmp_path / "many" / "rejects.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[0] == "source"


def test_a_pattern_that_matches_nothing_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["ingest", str(tmp_path / "*.csv"), "-m", str(SPEC), "-o", str(tmp_path / "o")],
        env=ENV,
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_a_missing_export_exits_2_naming_it(tmp_path: Path) -> None:
    missing = str(tmp_path / "nothing.csv")
    for command in ("ingest", "convert"):
        args = [command, str(EXPORT), missing, "-m", str(SPEC), "-o", str(tmp_path / command)]
        result = CliRunner().invoke(app, args, env=ENV)
        assert result.exit_code == 2, result.output
        assert "nothing.csv:nosuchfile" in "".join(result.output.split())  # wrapped anywhere


def test_ingest_in_python_takes_a_folder_and_a_pattern(tmp_path: Path) -> None:
    """What the docs say: ``ingest()`` reads a folder or a glob pattern as ``convert()``
    does (the folder was opened as a file: 'no such file')."""
    from cdinterop.ingest import ingest

    _split(tmp_path / "exports")
    key = ENV["CDINTEROP_PSEUDONYM_KEY"].encode()
    by_folder = ingest(tmp_path / "exports", SPEC, key=key)
    by_pattern = ingest(str(tmp_path / "exports" / "*.csv"), SPEC, key=key)
    assert [s.source for s in by_folder.summary.sources] == ["a.csv", "b.csv"]
    assert by_folder.dataset.observations == by_pattern.dataset.observations
    assert by_folder.summary.rows_read == ingest(EXPORT, SPEC, key=key).summary.rows_read
