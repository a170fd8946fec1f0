"""User-supplied SHACL shapes whose SPARQL constraints call ``SERVICE`` (a query to another
host) are refused before pyshacl runs them: cdinterop never reaches the network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

import cdinterop
from cdinterop import dcat
from cdinterop._cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix ex: <http://example.org/shapes#> .
ex:Remote a sh:NodeShape ;
  sh:targetClass dcat:Dataset ;
  sh:sparql [
    a sh:SPARQLConstraint ;
    sh:message "asks another host" ;
    sh:select \"\"\"SELECT $this WHERE { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }\"\"\" ;
  ] .
"""


def test_service_in_shapes_is_refused(tmp_path: Path, no_network: list[Any]) -> None:
    ds = cdinterop.load(ROOT / "examples" / "marine-litter-ghana" / "dataset.json")
    data = tmp_path / "dataset.ttl"
    dcat.write(ds, data)
    shapes = tmp_path / "remote.ttl"
    shapes.write_text(SHAPES, encoding="utf-8")

    result = runner.invoke(app, ["validate", str(data), "--shapes", str(shapes)])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "SPARQL query with SERVICE" in text and "Traceback" not in text
    assert no_network == []
