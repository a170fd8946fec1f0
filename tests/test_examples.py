"""The shipped examples: valid, complete, reproducible, and caught when broken."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest
from typer.testing import CliRunner

import cdinterop
from cdinterop._cli import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NAMES = ["marine-litter-ghana", "public-services-satisfaction"]
runner = CliRunner()


@pytest.mark.parametrize("name", NAMES)
def test_example_is_valid_and_complete(name: str) -> None:
    ds = cdinterop.load(EXAMPLES / name / "dataset.json")
    for field in (
        "description",
        "participation",
        "consent",
        "quality",
        "disclosure",
        "contact_point",
        "temporal_coverage",
        "reference_period",
        "citation",
    ):
        assert getattr(ds, field) is not None, field
    assert ds.provenance.activities and ds.provenance.sources and ds.provenance.attributions
    assert all(s.checksum or s.url for s in ds.provenance.sources)
    assert ds.participation is not None and ds.participation.is_citizen_data
    assert ds.quality is not None and ds.quality.assessment is not None
    assert len(ds.observations) > 300
    assert any(t.scheme == "sdg_indicator" for t in ds.themes)


def test_examples_are_up_to_date() -> None:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def test_disclosure_matches_observations() -> None:
    ds = cdinterop.load(EXAMPLES / "public-services-satisfaction" / "dataset.json")
    table = ds.observations.table
    suppressed = table.filter(pc.equal(table.column("CONF_STATUS"), "C"))
    assert ds.disclosure is not None
    assert suppressed.num_rows == ds.disclosure.cells_suppressed > 0
    assert suppressed.column("OBS_VALUE").null_count == suppressed.num_rows


def _break(name: str, tmp_path: Path, change: Any) -> Path:
    data = json.loads((EXAMPLES / name / "dataset.json").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", NAMES)
def test_cli_validates_example(name: str) -> None:
    result = runner.invoke(app, ["validate", str(EXAMPLES / name / "dataset.json")])
    assert result.exit_code == 0, result.output


def test_hand_broken_copy_is_reported(tmp_path: Path) -> None:
    def wrong_code_and_reversed_period(data: dict[str, Any]) -> None:
        data["observations"][5]["REF_AREA"] = "GH-ZZ"
        data["temporal_coverage"] = {"start": "2024-12-14", "end": "2021-01-09"}

    path = _break("marine-litter-ghana", tmp_path, wrong_code_and_reversed_period)
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    issues = json.loads(result.stdout)["issues"]
    assert {"location": "temporal_coverage", "code": "rule"}.items() <= issues[0].items()
    wrong = next(i for i in issues if i["code"] == "unknown-code")
    assert (wrong["row"], wrong["component"], wrong["value"]) == (5, "REF_AREA", "GH-ZZ")
