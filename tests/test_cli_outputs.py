"""What `cdinterop convert` and `cdinterop ingest` leave in the output folder, and how they
refuse what they cannot use: a folder never mixes two runs, a run with nothing to
aggregate says why, and mistakes in the command line or the spec exit 2 with a plain
message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdinterop._cli import app

ROOT = Path(__file__).resolve().parents[1]
SUBMISSION = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
ENV = {"CDINTEROP_PSEUDONYM_KEY": "a-long-secret-key-for-the-tests", "COLUMNS": "300"}
runner = CliRunner()


def _run(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args], env=ENV)
    assert "Traceback" not in result.output
    return result.exit_code, " ".join(result.output.split())


def test_convert_replaces_an_earlier_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run("convert", SUBMISSION, "-m", SPEC, "-o", out)[0] == 0
    assert {p.name for p in out.iterdir()} == {
        "sdmx",
        "datapackage.zip",
        "dataset.ttl",
        "dataset.json",
        "rejects.csv",
        "summary.json",
        "report.html",
    }
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert _run("convert", SUBMISSION, "-m", SPEC, "-o", out, "--to", "sdmx")[0] == 0
    names = {p.name for p in out.iterdir()}
    assert "dataset.ttl" not in names and "datapackage.zip" not in names
    assert {"sdmx", "dataset.json", "summary.json", "notes.txt"} <= names  # not ours: kept
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    listed = {f["path"].split("/")[0] for f in summary["files"]}
    assert listed == names - {"summary.json", "notes.txt"}


def test_a_failed_convert_leaves_only_its_rejects(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run("convert", SUBMISSION, "-m", SPEC, "-o", out)[0] == 0
    code, text = _run("convert", SUBMISSION, "-m", SPEC, "-o", out, "--max-rejected", "0.001")
    assert code == 1
    assert "rejects.csv and summary.json are in" in text
    assert {p.name for p in out.iterdir()} == {"rejects.csv", "summary.json"}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["failed"] is True and summary["ingest"]["rejected"] == 9


def test_a_failed_ingest_removes_the_earlier_unit_records(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run("ingest", SUBMISSION, "-m", SPEC, "-o", out)[0] == 0
    assert (out / "dataset.json").exists() and (out / "datapackage").is_dir()
    assert _run("ingest", SUBMISSION, "-m", SPEC, "-o", out, "--max-rejected", "0.001")[0] == 1
    assert {p.name for p in out.iterdir()} == {"rejects.csv", "summary.json"}


def test_nothing_to_aggregate_is_a_data_error(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    text = SPEC.read_text(encoding="utf-8")
    assert "_validation_status: [approved]" in text
    spec.write_text(text.replace("[approved]", "[Approved]"), encoding="utf-8")
    code, message = _run("convert", SUBMISSION, "-m", spec, "-o", tmp_path / "out")
    assert code == 1
    assert "no unit records to aggregate: 972 rows read, none accepted" in message
    assert "filtered by not-approved: 972" in message
    assert not (tmp_path / "out").exists()
    code, message = _run("ingest", SUBMISSION, "-m", spec, "-o", tmp_path / "units")
    assert code == 0 and "no row was accepted" in message


def test_a_header_only_export_is_a_data_error(tmp_path: Path) -> None:
    header = tmp_path / "header.csv"
    header.write_text(SUBMISSION.read_text(encoding="utf-8").splitlines()[0] + "\n")
    code, message = _run("convert", header, "-m", SPEC, "-o", tmp_path / "out")
    assert code == 1 and "no unit records to aggregate: 0 rows read" in message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--to", "sdmx,foo"], "--to sdmx,foo: choose from sdmx, datapackage, dcat"),
        (["--structure", "x.xml"], "--structure and --conform go together"),
    ],
)
def test_convert_usage_errors(tmp_path: Path, args: list[str], expected: str) -> None:
    code, message = _run("convert", SUBMISSION, "-m", SPEC, "-o", tmp_path / "out", *args)
    assert code == 2 and expected in message


@pytest.mark.parametrize("command", ["convert", "ingest"])
def test_paths_of_the_wrong_kind(tmp_path: Path, command: str) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("", encoding="utf-8")
    code, message = _run(command, SUBMISSION, "-m", SPEC, "-o", a_file)
    assert code == 2 and "is a file: --output names a folder" in message
    code, message = _run(command, tmp_path, "-m", SPEC, "-o", tmp_path / "out")
    # both read a folder's submissions (several exports); this one holds none
    expected = "the folder holds no submission file (.csv, .json, .tsv, .txt, .xlsx)"
    assert code == 2 and expected in message


@pytest.mark.parametrize("command", ["convert", "ingest"])
def test_a_spec_that_cannot_be_used_exits_2(tmp_path: Path, command: str) -> None:
    spec = tmp_path / "typo.yaml"
    text = SPEC.read_text(encoding="utf-8")
    assert "\ndeduplicate:" in text
    spec.write_text(text.replace("\ndeduplicate:", "\ndedupliate:"), encoding="utf-8")
    code, message = _run(command, SUBMISSION, "-m", spec, "-o", tmp_path / "out")
    assert code == 2 and "dedupliate" in message
    assert not (tmp_path / "out").exists()


def test_convert_warns_about_local_distribution_urls(tmp_path: Path) -> None:
    code, message = _run("convert", SUBMISSION, "-m", SPEC, "-o", tmp_path / "a")
    assert code == 0 and "no --base-url" in message
    url = "https://data.example.org/services/"
    code, message = _run("convert", SUBMISSION, "-m", SPEC, "-o", tmp_path / "b", "--base-url", url)
    assert code == 0 and "no --base-url" not in message


def test_the_python_api_takes_a_spec_path(tmp_path: Path) -> None:
    """`ingest` and `convert` take the spec's YAML path as well as a loaded spec."""
    from cdinterop.convert import ConvertError, convert
    from cdinterop.ingest import ingest

    key = ENV["CDINTEROP_PSEUDONYM_KEY"].encode()
    assert ingest(SUBMISSION, SPEC, key=key).summary.accepted == 958
    result = convert(SUBMISSION, str(SPEC), tmp_path / "out", to=["sdmx"], key=key)
    assert result.summary["ingest"]["accepted"] == 958
    with pytest.raises(ConvertError, match="structure and conform go together"):
        convert(SUBMISSION, SPEC, tmp_path / "x", structure="dsd.xml", key=key)


def test_a_title_line_above_the_header_gets_a_header_row_hint(tmp_path: Path) -> None:
    titled = tmp_path / "titled.csv"
    titled.write_text("Survey export 2024\n" + SUBMISSION.read_text(encoding="utf-8"))
    code, message = _run("ingest", titled, "-m", SPEC, "-o", tmp_path / "out")
    assert code == 2
    assert "none of the columns the spec names is in the header of titled.csv" in message
    assert "set source.header_row in the spec" in message


def test_a_failed_convert_lists_its_rejects_with_their_checksum(tmp_path: Path) -> None:
    import hashlib

    out = tmp_path / "out"
    assert _run("convert", SUBMISSION, "-m", SPEC, "-o", out, "--max-rejected", "0.001")[0] == 1
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    [listed] = summary["files"]
    assert listed["path"] == "rejects.csv"
    assert listed["sha256"] == hashlib.sha256((out / "rejects.csv").read_bytes()).hexdigest()


def test_ingest_and_convert_share_an_output_folder_without_mixing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run("convert", SUBMISSION, "-m", SPEC, "-o", out)[0] == 0
    assert _run("ingest", SUBMISSION, "-m", SPEC, "-o", out)[0] == 0
    assert {p.name for p in out.iterdir()} == {
        "dataset.json",
        "datapackage",
        "rejects.csv",
        "summary.json",
    }
    assert _run("convert", SUBMISSION, "-m", SPEC, "-o", out, "--to", "dcat")[0] == 0
    assert "datapackage" not in {p.name for p in out.iterdir()}
