"""`cdinterop dcat write|read`, as a user runs them."""

from pathlib import Path

import pytest
from rdflib import Graph
from typer.testing import CliRunner

import cdinterop
from cdinterop.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "marine-litter-ghana" / "dataset.json"
runner = CliRunner()


@pytest.mark.parametrize("suffix", [".ttl", ".jsonld", ".rdf", ".nt"])
def test_write_then_read(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"litter{suffix}"
    args = [
        "dcat",
        "write",
        str(EXAMPLE),
        "-o",
        str(target),
        "--base-iri",
        "https://data.example.org/",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    graph = Graph()
    graph.parse(
        target, format={".ttl": "turtle", ".jsonld": "json-ld", ".rdf": "xml", ".nt": "nt"}[suffix]
    )
    assert any(str(s).startswith("https://data.example.org/dataset/") for s in graph.subjects())
    back = tmp_path / "back.json"
    result = runner.invoke(app, ["dcat", "read", str(target), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert cdinterop.load(back) == cdinterop.load(EXAMPLE).replace(observations=[])


def test_unknown_format_is_a_clean_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["dcat", "write", str(EXAMPLE), "-o", str(tmp_path / "x.ttl"), "-f", "rdfa"]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
