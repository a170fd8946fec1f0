"""Input nested 100,000 levels deep (a few hundred KB) is refused with a clear message, not
a RecursionError from the CLI (exit 3 before)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import cdinterop
from cdinterop._cli import app
from cdinterop.errors import ReadError
from cdinterop.mapping import ConformanceSpec, load_spec

ROOT = Path(__file__).resolve().parents[2]
DEPTH = 100_000
runner = CliRunner()


@pytest.fixture
def deep_json(tmp_path: Path) -> Path:
    path = tmp_path / "dataset.json"
    path.write_text('{"id": ' + "[" * DEPTH + "]" * DEPTH + "}", encoding="utf-8")
    return path


@pytest.fixture
def deep_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text("id: " + "[" * DEPTH + "]" * DEPTH + "\n", encoding="utf-8")
    return path


def test_a_deep_dataset_json_is_refused(deep_json: Path) -> None:
    with pytest.raises(ReadError, match="nested too deeply"):
        cdinterop.load(deep_json)
    result = runner.invoke(app, ["validate", str(deep_json)])
    assert result.exit_code == 2, result.output
    assert "nested too deeply" in " ".join(result.output.split())


def test_a_deep_yaml_spec_is_refused(deep_yaml: Path, tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="nested too deeply"):
        load_spec(deep_yaml, ConformanceSpec)
    submission = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
    args = ["ingest", str(submission), "-m", str(deep_yaml), "-o", str(tmp_path / "out")]
    result = runner.invoke(app, [*args, "--key", "env:CDINTEROP_TEST_KEY"])
    assert result.exit_code == 2, result.output
    assert "nested too deeply" in " ".join(result.output.split())
    assert "Traceback" not in result.output
