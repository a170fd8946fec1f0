"""The DCAT-AP description at ``/catalog`` (and ``/.well-known/dcat``): every served data
set, with distributions that are the service's own data endpoints, in four RDF syntaxes,
read by rdflib and checked with the official DCAT-AP 3.0.1 SHACL shapes when present."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ROOT.parent / "shared" / "standards" / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl"
SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture(scope="module")
def graph(http: Any) -> Graph:
    response = http.get("/catalog")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    return Graph().parse(data=response.text, format="turtle")


def test_every_served_data_set_is_listed(graph: Graph) -> None:
    [catalog] = graph.subjects(RDF.type, DCAT.Catalog)
    datasets = set(graph.objects(catalog, DCAT.dataset))
    assert len(datasets) == 2
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == datasets


def test_distributions_are_the_service_endpoints(graph: Graph, http: Any, server: str) -> None:
    urls = {str(u) for u in graph.objects(None, DCAT.accessURL)}
    served = {u for u in urls if u.startswith(f"{server}/data/dataflow/")}
    assert len(served) >= 2 * 5  # every data set in several formats
    assert urls == served
    for url in sorted(served)[:6]:
        response = http.get(url)
        assert response.status_code == 200, url
    media = {str(m) for m in graph.objects(None, DCAT.mediaType)}
    assert any("vnd.sdmx.data+csv" in m for m in media)


@pytest.mark.parametrize(
    ("headers", "params", "syntax", "media_type"),
    [
        ({"Accept": "application/ld+json"}, {}, "json-ld", "application/ld+json"),
        ({"Accept": "application/rdf+xml"}, {}, "xml", "application/rdf+xml"),
        (
            {"Accept": "application/n-triples;q=0.9, text/turtle;q=0.5"},
            {},
            "nt",
            "application/n-triples",
        ),
        ({}, {"format": "nt"}, "nt", "application/n-triples"),
        ({"Accept": "application/json"}, {}, "json-ld", "application/ld+json"),
    ],
)
def test_rdf_syntaxes(
    http: Any,
    headers: dict[str, str],
    params: dict[str, str],
    syntax: str,
    media_type: str,
    graph: Graph,
) -> None:
    response = http.get("/.well-known/dcat", headers=headers, params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    again = Graph().parse(data=response.content, format=syntax)
    assert len(again) == len(graph)


def test_not_acceptable(http: Any) -> None:
    assert http.get("/catalog", headers={"Accept": "image/png"}).status_code == 406
    assert http.get("/catalog", params={"format": "pdf"}).status_code == 406


@pytest.mark.skipif(
    not SHAPES.is_file(), reason=f"official DCAT-AP 3.0.1 shapes not found at {SHAPES}"
)
def test_conforms_to_dcat_ap(graph: Graph) -> None:
    from pyshacl import validate

    _conforms, report, text = validate(graph, shacl_graph=Graph().parse(SHAPES), inference="none")
    assert not list(report.subjects(URIRef(SH + "resultSeverity"), URIRef(SH + "Violation"))), text
