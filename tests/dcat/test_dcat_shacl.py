"""The DCAT graphs of the examples conform to the official DCAT-AP 3.0.1 SHACL shapes."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

import cdinterop
from cdinterop import dcat

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ROOT.parent / "shared" / "standards" / "dcat-ap-3.0.1"
EXAMPLES = sorted((ROOT / "examples").glob("*/dataset.json"))
SH = Namespace("http://www.w3.org/ns/shacl#")

pytestmark = pytest.mark.skipif(
    not (SHAPES / "dcat-ap-SHACL.ttl").is_file(),
    reason=f"official DCAT-AP 3.0.1 shapes not found at {SHAPES}",
)


@cache
def _shapes() -> Graph:
    return Graph().parse(SHAPES / "dcat-ap-SHACL.ttl", format="turtle")


def _violations(data: Graph) -> list[str]:
    from pyshacl import validate

    _conforms, report, text = validate(data, shacl_graph=_shapes(), inference="none", advanced=True)
    assert isinstance(report, Graph)
    found = [
        result
        for result in report.subjects(RDF.type, SH.ValidationResult)
        if (result, SH.resultSeverity, SH.Violation) in report
    ]
    return [text] if found else []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_has_no_violations(path: Path) -> None:
    graph = dcat.to_graph(cdinterop.load(path))
    assert _violations(graph) == []
