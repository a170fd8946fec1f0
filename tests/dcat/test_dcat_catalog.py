"""Catalogues: Catalog ⇄ dcat:Catalog, files in four syntaxes, third-party catalogues,
random catalogues against the official DCAT-AP 3.0.1 shapes."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from rdflib import DCAT, DCTERMS, FOAF, RDF, Graph, Literal, Namespace

import cdinterop
from cdinterop import dcat
from cdinterop.errors import ReadError
from cdinterop.model import (
    Agent,
    AgentKind,
    Catalog,
    CitizenDataset,
    Concept,
    DataStructure,
    Dimension,
    OrganisationType,
)
from cdinterop.testing import citizen_datasets

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/dataset.json"))
CORPUS = ROOT / "tests" / "corpus" / "dcat"
SHAPES = ROOT.parent / "shared" / "standards" / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl"
SH = Namespace("http://www.w3.org/ns/shacl#")
NSO = Agent(
    id="NSO",
    kind=AgentKind.ORGANISATION,
    name="National statistical office (example)",
    organisation_type=OrganisationType.NATIONAL_STATISTICAL_OFFICE,
)


def _catalog(datasets: tuple[CitizenDataset, ...]) -> Catalog:
    return Catalog(
        id="HUB",
        title={"en": "Citizen data hub"},
        description={"en": "Citizen data sets reviewed for official statistics."},
        publisher=NSO,
        homepage="https://nso.example.org/citizen-data",
        languages=("en",),
        licence="CC0-1.0",
        issued=date(2025, 1, 15),
        modified=date(2025, 3, 1),
        datasets=datasets,
    )


def _without_observations(catalog: Catalog) -> Catalog:
    return catalog.replace(datasets=tuple(d.replace(observations=[]) for d in catalog.datasets))


@pytest.fixture(scope="module")
def examples() -> Catalog:
    return _catalog(tuple(cdinterop.load(p) for p in EXAMPLES))


def test_catalog_round_trip(examples: Catalog) -> None:
    again = dcat.catalog_from_graph(dcat.to_graph(examples))
    assert again == _without_observations(examples)


def test_catalog_triples(examples: Catalog) -> None:
    graph = dcat.to_graph(examples, base_iri="https://data.example.net/")
    [c] = graph.subjects(RDF.type, DCAT.Catalog)
    assert str(c) == "https://data.example.net/catalog/HUB"
    assert {str(d) for d in graph.objects(c, DCAT.dataset)} == {
        f"https://data.example.net/dataset/{ds.id}" for ds in examples.datasets
    }
    publisher = graph.value(c, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert str(graph.value(publisher, FOAF.name)) == NSO.name
    spatial = set(graph.objects(c, DCTERMS.spatial))
    for ds in examples.datasets:
        d = next(iter(graph.subjects(DCTERMS.identifier, Literal(ds.id))))
        assert set(graph.objects(d, DCTERMS.spatial)) <= spatial
    assert len(list(graph.objects(c, DCAT.themeTaxonomy))) == 2  # EU data themes and SDG


@pytest.mark.parametrize("suffix", [".ttl", ".jsonld", ".rdf", ".nt"])
def test_catalog_files(examples: Catalog, tmp_path: Path, suffix: str) -> None:
    path = dcat.write(examples, tmp_path / f"catalog{suffix}")
    assert dcat.read_catalog(path) == _without_observations(examples)


def test_from_graph_points_to_catalog_reading(examples: Catalog) -> None:
    with pytest.raises(ReadError, match="found 2; read a catalogue with catalog_from_graph"):
        dcat.from_graph(dcat.to_graph(examples))


def test_agents_with_the_same_local_id_stay_distinct(examples: Catalog) -> None:
    first, second = examples.datasets
    agent = Agent(id="VOL001", kind=AgentKind.PERSON, name="volunteer-a")
    other = Agent(id="VOL001", kind=AgentKind.PERSON, name="volunteer-b")
    a = first.replace(
        provenance=first.provenance.model_copy(update={"agents": (*first.provenance.agents, agent)})
    )
    b = second.replace(
        provenance=second.provenance.model_copy(
            update={"agents": (*second.provenance.agents, other)}
        )
    )
    graph = dcat.to_graph(examples.replace(datasets=(a, b)))
    names = {str(n) for n in graph.objects(None, FOAF.name) if str(n).startswith("volunteer-")}
    assert {"volunteer-a", "volunteer-b"} <= names
    nodes = {s for s in graph.subjects(FOAF.name, None) if str(s).endswith(".VOL001")}
    assert len(nodes) == 2
    assert all(len(list(graph.objects(n, FOAF.name))) == 1 for n in nodes)


def test_catalog_rules() -> None:
    ds = cdinterop.load(EXAMPLES[0])
    with pytest.raises(ValidationError, match="already used by datasets\\[0\\]"):
        _catalog((ds, ds))
    software = Agent(id="BOT", kind=AgentKind.SOFTWARE, name="portal bot")
    with pytest.raises(ValidationError, match="software agent cannot publish"):
        Catalog(id="C", title={"en": "t"}, description={"en": "d"}, publisher=software)


def _structure() -> DataStructure:
    return DataStructure(
        id="DSD_PORTAL",
        agency="PORTAL",
        name={"en": "Portal structure"},
        concepts=(
            Concept(id="REF_AREA", name={"en": "Reference area"}),
            Concept(id="OBS_VALUE", name={"en": "Observation value"}),
        ),
        dimensions=(Dimension(id="REF_AREA", concept="REF_AREA"),),
    )


@pytest.mark.parametrize("name", ["portal.ttl", "portal.jsonld", "portal.rdf", "portal.nt"])
def test_third_party_catalogue(name: str) -> None:
    """A portal's catalogue in any syntax: the data set without a structure is a clear
    error, and reads once a structure is supplied."""
    with pytest.raises(ReadError, match="no data structure"):
        dcat.read_catalog(CORPUS / name)
    catalog = dcat.read_catalog(CORPUS / name, structure=_structure())
    assert len(catalog.datasets) == 3
    assert catalog.title
    assert catalog.publisher.kind is AgentKind.ORGANISATION
    assert catalog == dcat.read_catalog(CORPUS / "portal.ttl", structure=_structure())


@cache
def _shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


@pytest.mark.skipif(
    not SHAPES.is_file(), reason=f"official DCAT-AP 3.0.1 shapes not found at {SHAPES}"
)
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(citizen_datasets(), min_size=1, max_size=2, unique_by=lambda d: d.id))
def test_random_catalogues_round_trip_and_conform(datasets: list[CitizenDataset]) -> None:
    from pyshacl import validate

    catalog = _catalog(tuple(datasets))
    graph = dcat.to_graph(catalog)
    assert dcat.catalog_from_graph(graph) == _without_observations(catalog)
    _conforms, report, text = validate(graph, shacl_graph=_shapes(), inference="none")
    assert isinstance(report, Graph)
    assert not list(report.subjects(SH.resultSeverity, SH.Violation)), text


@pytest.mark.parametrize("fmt", ["turtle", "json-ld", "xml", "nt"])
def test_catalog_serialisations_parse_back_isomorphic(examples: Catalog, fmt: str) -> None:
    from rdflib.compare import isomorphic

    graph = dcat.to_graph(examples)
    again = Graph().parse(data=graph.serialize(format=fmt), format=fmt)
    assert isomorphic(graph, again)
