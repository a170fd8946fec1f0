"""The DCAT graphs of the examples conform to the official DCAT-AP 3.0.1 SHACL shapes."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

import cdinterop
from cdinterop import dcat
from cdinterop.model import Agent, AgentKind, Catalog, OrganisationType

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


SPLIT_FORM = ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl")


@cache
def _split_shapes() -> Graph:
    graph = Graph()
    for name in SPLIT_FORM:
        graph.parse(SHAPES / name, format="turtle")
    return graph


def _top_level(data: Graph, shapes: Graph, severity: URIRef) -> list[str]:
    """Messages of the report's own results (``sh:result``) of ``severity``. Nested
    ``sh:detail`` results only explain a top-level result and take its place's severity
    from the inner shape (a Warning-level vocabulary check reports its failed inner
    ``sh:hasValue`` as a detail Violation), so they are not counted on their own."""
    from pyshacl import validate

    _conforms, report, _text = validate(data, shacl_graph=shapes, inference="none", advanced=True)
    assert isinstance(report, Graph)
    return sorted(
        f"{report.value(r, SH.focusNode)} {report.value(r, SH.resultPath)}: "
        f"{report.value(r, SH.resultMessage)}"
        for r in report.objects(None, SH.result)
        if (r, SH.resultSeverity, severity) in report
    )


@pytest.mark.skipif(
    not all((SHAPES / name).is_file() for name in SPLIT_FORM),
    reason=f"split-form DCAT-AP 3.0.1 shapes not found at {SHAPES}",
)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_has_no_violations_split_form(path: Path) -> None:
    graph = dcat.to_graph(cdinterop.load(path))
    assert _top_level(graph, _split_shapes(), SH.Violation) == []


def _catalog() -> Catalog:
    """A catalogue of both examples, as an NSO's citizen-data hub would publish it."""
    return Catalog(
        id="CITIZEN_DATA_HUB",
        title={"en": "Citizen data hub (example)", "fr": "Données citoyennes (exemple)"},
        description={"en": "Citizen data sets reviewed for use in official statistics."},
        publisher=Agent(
            id="NSO",
            kind=AgentKind.ORGANISATION,
            name="National statistical office (example)",
            organisation_type=OrganisationType.NATIONAL_STATISTICAL_OFFICE,
        ),
        homepage="https://nso.example.org/citizen-data",
        languages=("en", "fr"),
        licence="CC-BY-4.0",
        issued=date(2025, 1, 15),
        modified=date(2025, 3, 1),
        datasets=tuple(cdinterop.load(path) for path in EXAMPLES),
    )


def test_catalogue_has_no_violations() -> None:
    assert _violations(dcat.to_graph(_catalog())) == []


@pytest.mark.skipif(
    not all((SHAPES / name).is_file() for name in SPLIT_FORM),
    reason=f"split-form DCAT-AP 3.0.1 shapes not found at {SHAPES}",
)
def test_catalogue_has_no_violations_split_form() -> None:
    assert _top_level(dcat.to_graph(_catalog()), _split_shapes(), SH.Violation) == []


@pytest.mark.skipif(
    not (SHAPES / "shapes_recommended.ttl").is_file(),
    reason=f"recommended DCAT-AP 3.0.1 shapes not found at {SHAPES}",
)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_examples_have_no_recommended_warnings(path: Path) -> None:
    shapes = Graph().parse(SHAPES / "shapes_recommended.ttl", format="turtle")
    assert _top_level(dcat.to_graph(cdinterop.load(path)), shapes, SH.Warning) == []


@pytest.mark.skipif(
    not (SHAPES / "shapes_recommended.ttl").is_file(),
    reason=f"recommended DCAT-AP 3.0.1 shapes not found at {SHAPES}",
)
def test_catalogue_has_no_recommended_warnings() -> None:
    shapes = Graph().parse(SHAPES / "shapes_recommended.ttl", format="turtle")
    assert _top_level(dcat.to_graph(_catalog()), shapes, SH.Warning) == []


@pytest.mark.skipif(
    not all((SHAPES / name).is_file() for name in SPLIT_FORM),
    reason=f"split-form DCAT-AP 3.0.1 shapes not found at {SHAPES}",
)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_split_form_warnings_are_non_eu_vocabularies(path: Path) -> None:
    """The EU-vocabulary shape (severity Warning) prefers EU authority tables: the SDG
    themes, ISO 3166-2 subdivisions and publishers outside the EU corporate-body table
    are reported, and nothing else."""
    warnings = _top_level(dcat.to_graph(cdinterop.load(path)), _split_shapes(), SH.Warning)
    assert warnings
    for warning in warnings:
        assert any(
            f" {prop}:" in warning
            for prop in (
                "http://www.w3.org/ns/dcat#theme",
                "http://purl.org/dc/terms/spatial",
                "http://purl.org/dc/terms/publisher",
            )
        ), warning
