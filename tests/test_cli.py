import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cdinterop
from cdinterop._cli import app
from cdinterop.model import CitizenDataset

CORPUS = Path(__file__).resolve().parent / "corpus" / "json"
runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert cdinterop.__version__ in result.output


def test_validate_valid(dataset: CitizenDataset, tmp_path: Path) -> None:
    path = cdinterop.save(dataset, tmp_path / "ds.json")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_validate_invalid_names_row_component_value(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(CORPUS / "wrong-code.json"), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    issue = next(i for i in report["issues"] if i["code"] == "unknown-code")
    assert (issue["row"], issue["component"], issue["value"]) == (1, "SEX", "X")


def test_validate_text_report(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(CORPUS / "bad-period-and-metadata.json")])
    assert result.exit_code == 1
    assert "TIME_PERIOD" in result.output and "2023-Q9" in result.output
    assert "licence" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", ["not-json.json", "latin1.json", "array-root.json"])
def test_validate_unreadable(name: str) -> None:
    result = runner.invoke(app, ["validate", str(CORPUS / name)])
    assert result.exit_code == 2
    assert "cannot read" in result.output and "Traceback" not in result.output


def test_validate_missing_file() -> None:
    result = runner.invoke(app, ["validate", "/no/such/file.json"])
    assert result.exit_code == 2


def test_schema_export(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "export", str(tmp_path)])
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "aggregation.schema.json",
        "cdi-shapes.ttl",
        "cdi-vocabulary.ttl",
        "citizen-dataset.schema.json",
        "codelist.schema.json",
        "conformance-mapping.schema.json",
        "data-structure.schema.json",
        "datapackage-extension.schema.json",
        "ingest-mapping.schema.json",
    ]


def test_console_script_has_no_traceback(tmp_path: Path) -> None:
    """The installed entry point (main) maps errors to exit codes without tracebacks."""
    code = "from cdinterop._cli import main; main()"
    proc = subprocess.run(
        [sys.executable, "-c", code, "validate", str(CORPUS / "truncated.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_many_kinds_of_problems_give_a_bounded_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """100,000 problems of 100,000 kinds (a column each): the summary lists the first kinds
    and says how many more there are, instead of rendering a table of every kind (which
    took minutes: a hostile data set with 100k attribute keys hung `validate`)."""
    from cdinterop import _cli
    from cdinterop.errors import Issue

    monkeypatch.setattr(_cli.err, "_width", 200)
    issues = [
        Issue(f"observations.X{i}", "unknown-column", "not a column", component=f"X{i}")
        for i in range(100_000)
    ]
    _cli._report_issues(Path("ds.json"), issues, 20)
    text = capsys.readouterr().err
    assert "100000 problem(s) of 100000 kind(s)" in text
    assert "… and 99980 more kinds (--json for all)" in text
    assert text.count("X9999") <= 2
