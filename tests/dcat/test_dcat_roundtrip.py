"""Round trips through the DCAT graph and through every RDF serialisation."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from rdflib import DCAT, DCTERMS, RDF, SKOS, BNode, Graph, URIRef
from rdflib.compare import isomorphic

import cdinterop
from cdinterop import dcat
from cdinterop.dcat import _graph
from cdinterop.model import CitizenDataset
from cdinterop.testing import citizen_datasets

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/dataset.json"))
FORMATS = ("turtle", "json-ld", "xml", "nt")


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.parent.name)
def example(request: pytest.FixtureRequest) -> CitizenDataset:
    return cdinterop.load(request.param)


def test_example_round_trip(example: CitizenDataset) -> None:
    assert dcat.from_graph(dcat.to_graph(example)) == example.replace(observations=[])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(citizen_datasets())
def test_random_round_trip(ds: CitizenDataset) -> None:
    assert dcat.from_graph(dcat.to_graph(ds)) == ds.replace(observations=[])


@pytest.mark.parametrize("fmt", FORMATS)
def test_serialisations_parse_back_isomorphic(example: CitizenDataset, fmt: str) -> None:
    graph = dcat.to_graph(example)
    again = Graph().parse(data=graph.serialize(format=fmt), format=fmt)
    assert isomorphic(graph, again)
    assert dcat.from_graph(again) == example.replace(observations=[])


def test_minted_iris_and_vocabularies(example: CitizenDataset) -> None:
    base = "https://data.example.net/cd/"
    graph = dcat.to_graph(example, base_iri=base)
    dataset = URIRef(f"{base}dataset/{example.id}")
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert not any(isinstance(n, BNode) for n in graph.all_nodes())
    assert all(
        str(s).startswith(base)
        for s in graph.subjects(RDF.type, DCTERMS.Location)
        if "/authority/" not in str(s)
    )
    for theme in graph.objects(dataset, DCAT.theme):
        assert (theme, RDF.type, SKOS.Concept) in graph
        assert str(theme).startswith(
            ("http://metadata.un.org/sdg/", "http://publications.europa.eu/resource/authority/")
        )
    for lang in graph.objects(dataset, DCTERMS.language):
        assert str(lang).startswith("http://publications.europa.eu/resource/authority/language/")
        assert (lang, RDF.type, DCTERMS.LinguisticSystem) in graph
    assert list(graph.objects(dataset, DCTERMS.spatial))


def test_language_and_area_iris() -> None:
    assert str(_graph.language_iri("en")).endswith("/language/ENG")
    assert str(_graph.language_iri("fr-CA")).endswith("/language/FRA")
    for code in ("GH", "GHA", "288"):
        assert str(_graph.area_iri(code, "b:")).endswith("/country/GHA")
    assert str(_graph.area_iri("GH-AA", "https://x/")) == "https://x/area/GH-AA"
    assert str(_graph.area_iri("002", "https://x/")) == "https://x/area/002"
