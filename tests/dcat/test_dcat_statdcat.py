"""StatDCAT-AP 1.0.1 views of the structure: dimensions, attributes, unit, series."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import DCTERMS, RDF, RDFS, SKOS, Literal, URIRef

import cdinterop
from cdinterop import dcat
from cdinterop.dcat._vocab import ADMS_LICENCE_TYPE, QB, SPDX, STAT, licence_types
from cdinterop.model import CitizenDataset

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/dataset.json"))
BASE = "https://data.example.net/cd/"


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.parent.name)
def example(request: pytest.FixtureRequest) -> CitizenDataset:
    return cdinterop.load(request.param)


def test_dimensions_and_attributes(example: CitizenDataset) -> None:
    graph = dcat.to_graph(example, base_iri=BASE)
    d = URIRef(f"{BASE}dataset/{example.id}")
    structure = example.structure
    dims = set(graph.objects(d, STAT.dimension))
    attrs = set(graph.objects(d, STAT.attribute))
    expected_dims = [c.id for c in structure.dimensions]
    assert structure.time_dimension is not None
    expected_dims.append(structure.time_dimension.id)
    assert {str(graph.value(n, SKOS.notation)) for n in dims} == set(expected_dims)
    assert {str(graph.value(n, SKOS.notation)) for n in attrs} == {
        a.id for a in structure.attributes
    }
    assert len(dims) == len(expected_dims)
    assert all(str(n).startswith(f"{BASE}component/{example.id}.") for n in dims | attrs)
    names = {c.id: c.name for c in structure.concepts}
    for node, cls in [(n, QB.DimensionProperty) for n in dims] + [
        (n, QB.AttributeProperty) for n in attrs
    ]:
        assert (node, RDF.type, cls) in graph
        component = structure.component(str(graph.value(node, SKOS.notation)))
        labels = {
            (o.language, str(o)) for o in graph.objects(node, RDFS.label) if isinstance(o, Literal)
        }
        assert isinstance(component.concept_id, str)
        assert labels == set(names[component.concept_id].items())


def test_unit_and_number_of_series(example: CitizenDataset) -> None:
    graph = dcat.to_graph(example, base_iri=BASE)
    d = URIRef(f"{BASE}dataset/{example.id}")
    unit = example.attribute_values["UNIT_MEASURE"]
    [node] = graph.objects(d, STAT.statUnitMeasure)
    assert (node, SKOS.notation, Literal(unit)) in graph
    assert list(graph.objects(node, SKOS.prefLabel))
    frame = example.observations.to_pandas()
    series = len(frame[list(example.structure.series_key_ids)].drop_duplicates())
    assert 0 < series <= len(frame)
    assert list(graph.objects(d, STAT.numSeries)) == [Literal(series)]


def test_no_series_count_without_observations(example: CitizenDataset) -> None:
    graph = dcat.to_graph(example.replace(observations=[]))
    assert not list(graph.objects(None, STAT.numSeries))
    assert list(graph.objects(None, STAT.dimension))


def test_views_do_not_change_the_round_trip(example: CitizenDataset) -> None:
    assert dcat.from_graph(dcat.to_graph(example)) == example.replace(observations=[])


def test_checksum_algorithm_and_licence_type(example: CitizenDataset) -> None:
    graph = dcat.to_graph(example)
    algorithms = set(graph.objects(None, SPDX.algorithm))
    assert algorithms
    assert all(
        str(a).startswith("https://spdx.org/rdf/terms#checksumAlgorithm_") for a in algorithms
    )
    assert example.licence is not None
    types = set(graph.objects(None, DCTERMS.type)) & {
        ADMS_LICENCE_TYPE[t] for t in ("Attribution", "ViralEffect-ShareAlike")
    }
    assert types == {ADMS_LICENCE_TYPE[t] for t in licence_types(example.licence)}


def test_licence_types() -> None:
    assert licence_types("CC-BY-4.0") == ("Attribution",)
    assert licence_types("CC-BY-SA-4.0") == ("Attribution", "ViralEffect-ShareAlike")
    assert licence_types("CC0-1.0") == ("PublicDomain",)
    assert licence_types("CC-BY-NC-4.0") == ()
    assert licence_types("MIT") == ()


def test_conforms_to_the_structure(example: CitizenDataset) -> None:
    graph = dcat.to_graph(example, base_iri=BASE)
    d = URIRef(f"{BASE}dataset/{example.id}")
    s = example.structure
    urn = f"urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure={s.agency}:{s.id}({s.version})"
    assert list(graph.objects(d, DCTERMS.conformsTo)) == [URIRef(urn)]
    assert (URIRef(urn), RDF.type, DCTERMS.Standard) in graph
