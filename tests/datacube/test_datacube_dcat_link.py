"""The DCAT description of a data set links to its RDF Data Cube (the same IRI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import DCTERMS, URIRef

import cdinterop
from cdinterop import datacube, dcat

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/dataset.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_dcat_description_links_to_the_cube(path: Path) -> None:
    ds = cdinterop.load(path)
    graph = dcat.to_graph(ds, base_iri="https://data.example.org/")
    subject = URIRef(f"https://data.example.org/dataset/{ds.id}")
    cube = URIRef(datacube.dataset_iri(ds, base_iri="https://data.example.org/"))
    assert (subject, DCTERMS.relation, cube) in graph


def test_metadata_without_observations_has_no_cube_link() -> None:
    ds = cdinterop.load(EXAMPLES[0]).replace(observations=[])
    graph = dcat.to_graph(ds)
    assert not list(graph.objects(None, DCTERMS.relation))
