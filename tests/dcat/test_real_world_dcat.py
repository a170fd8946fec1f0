"""DCAT-AP written by others (``../shared/real-world/dcat/``: SEMIC's and CKAN's examples):
every file reads, ids are unique and never made of blank-node labels, every distribution is
kept (counted with SPARQL, not with cdinterop), the model survives cdinterop's own round trip,
and what cdinterop writes from it has no Violation of the official DCAT-AP 3.0.1 shapes.

Defects of the files themselves are reported, not hidden: two files are not valid Turtle and
must fail with a clear message naming the line; CKAN's catalogue has no ``dct:publisher``,
which DCAT-AP (and cdinterop's ``Catalog``) requires, so it is refused as a catalogue while
its data sets still read one by one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from rdflib import DCTERMS, RDF, BNode, Graph, Namespace

from cdinterop import dcat
from cdinterop.errors import ReadError
from cdinterop.model import CitizenDataset, Concept, DataStructure, Dimension

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "real-world" / "dcat"
SHAPES = ROOT.parent / "shared" / "standards" / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl"
FILES = sorted(p for p in REAL.iterdir() if p.is_file()) if REAL.is_dir() else [REAL]
SH = Namespace("http://www.w3.org/ns/shacl#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")

SYNTAX_DEFECTS = {
    # an undeclared prefix (healthdcatap:) and a datatype IRI written <<...>
    "ckan-dataset.ttl": "at line 149, column 17: The prefix healthdcatap: has not been declared",
    # prefixed names with a "/" in the local part (example-dist:BeePopulation2023/biojson)
    "semic-3.0.0-bee-series-combined.ttl": "at line 32",
}
"""Files that are not valid RDF, and what the error must say."""
CATALOGUE_DEFECTS = {"ckan-catalog.rdf": "the catalogue has no dct:publisher"}
"""Catalogues that cannot be a ``Catalog``, and what the error must say."""

STRUCTURE = DataStructure(
    id="DSD_REAL_WORLD",
    agency="TEST",
    name={"en": "A structure for data sets that name none"},
    concepts=(
        Concept(id="REF_AREA", name={"en": "Area"}),
        Concept(id="OBS_VALUE", name={"en": "Value"}),
    ),
    dimensions=(Dimension(id="REF_AREA"),),
)
"""The real-world descriptions have no StatDCAT-AP dimensions: a structure is passed in."""


def _name(path: Path) -> str:
    return path.name


@cache
def _graph(path: Path) -> Graph:
    if not REAL.is_dir():
        pytest.skip(f"real-world DCAT files not found at {REAL}")
    if path.name in SYNTAX_DEFECTS:
        pytest.skip(f"{path.name} is not valid RDF (a defect of the file itself)")
    return dcat.read_graph(path)


@cache
def _datasets(path: Path) -> tuple[CitizenDataset, ...]:
    return dcat.datasets_from_graph(_graph(path), structure=STRUCTURE)


def _labels(graph: Graph) -> set[str]:
    """The blank-node labels of this parse."""
    return {str(node) for triple in graph for node in triple if isinstance(node, BNode)}


def _node(ds: CitizenDataset) -> str:
    """The data set's node, as the conversion record names it."""
    return str(ds.provenance.activities[-1].parameters["node"])


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_every_file_reads(path: Path) -> None:
    if not REAL.is_dir():
        pytest.skip(f"real-world DCAT files not found at {REAL}")
    if path.name in SYNTAX_DEFECTS:
        with pytest.raises(ReadError) as info:
            dcat.read_graph(path)
        assert SYNTAX_DEFECTS[path.name] in info.value.reason, info.value.reason
        return
    graph = _graph(path)
    nodes = set(graph.subjects(RDF.type, DCAT.Dataset))
    datasets = dcat.read_datasets(path, structure=STRUCTURE)
    assert len(datasets) == len(nodes) > 0
    assert datasets == _datasets(path)  # file and graph read alike
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    if not catalogs:
        return
    if path.name in CATALOGUE_DEFECTS:
        with pytest.raises(ReadError) as info:
            dcat.read_catalog(path, structure=STRUCTURE)
        assert CATALOGUE_DEFECTS[path.name] in info.value.reason
        assert not [label for label in _labels(graph) if label in str(info.value)]
        return
    catalog = dcat.read_catalog(path, structure=STRUCTURE)
    assert sorted(ds.id for ds in catalog.datasets) == sorted(ds.id for ds in datasets)


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_ids_are_unique(path: Path) -> None:
    datasets = _datasets(path)
    ids = [ds.id for ds in datasets]
    assert len(set(ids)) == len(ids), ids
    for ds in datasets:
        for kind, found in (
            ("distributions", [d.id for d in ds.distributions]),
            ("agents", [a.id for a in ds.provenance.agents]),
            ("sources", [s.id for s in ds.provenance.sources]),
            ("activities", [a.id for a in ds.provenance.activities]),
        ):
            assert len(set(found)) == len(found), (ds.id, kind, found)


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_no_blank_node_label_in_ids_or_messages(path: Path) -> None:
    labels = _labels(_graph(path))
    for ds in _datasets(path):
        text = ds.model_dump_json()  # every id, and the notes of the conversion record
        assert not [label for label in labels if label in text], ds.id
        assert "_:" not in text


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_ids_do_not_depend_on_the_parse(path: Path) -> None:
    """The same file parsed again (new blank-node labels) and in another syntax."""
    graph = _graph(path)
    again = dcat.datasets_from_graph(dcat.read_graph(path), structure=STRUCTURE)
    assert again == _datasets(path)
    nt = dcat.parse_graph(graph.serialize(format="nt", encoding="utf-8"), "nt")
    assert dcat.datasets_from_graph(nt, structure=STRUCTURE) == _datasets(path)


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_every_distribution_is_kept(path: Path) -> None:
    graph = _graph(path)
    counts = {
        str(row.dataset): int(row.n)  # type: ignore[union-attr]
        for row in graph.query(
            """
            PREFIX dcat: <http://www.w3.org/ns/dcat#>
            SELECT ?dataset (COUNT(DISTINCT ?dist) AS ?n)
            WHERE { ?dataset a dcat:Dataset . OPTIONAL { ?dataset dcat:distribution ?dist } }
            GROUP BY ?dataset
            """
        )
    }
    datasets = _datasets(path)
    assert {_node(ds): len(ds.distributions) for ds in datasets} == counts


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_round_trip_through_cdinterop(path: Path, tmp_path: Path) -> None:
    for ds in _datasets(path):
        assert dcat.from_graph(dcat.to_graph(ds)) == ds
        for suffix in (".ttl", ".jsonld"):
            written = dcat.write(ds, tmp_path / f"{ds.id}{suffix}")
            assert dcat.read(written) == ds
    if list(_graph(path).subjects(RDF.type, DCAT.Catalog)) and path.name not in CATALOGUE_DEFECTS:
        catalog = dcat.catalog_from_graph(_graph(path), structure=STRUCTURE)
        assert dcat.catalog_from_graph(dcat.to_graph(catalog)) == catalog


@cache
def _shapes() -> Graph:
    if not SHAPES.is_file():
        pytest.skip(f"official DCAT-AP 3.0.1 shapes not found at {SHAPES}")
    return Graph().parse(SHAPES, format="turtle")


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


def test_the_shapes_are_not_vacuous() -> None:
    """A data set without its title (which DCAT-AP requires) is reported."""
    path = next((p for p in FILES if p.name not in SYNTAX_DEFECTS), FILES[0])
    graph = dcat.to_graph(_datasets(path)[0])
    graph.remove((None, DCTERMS.title, None))
    assert _violations(graph) != []


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_what_cdinterop_writes_conforms(path: Path) -> None:
    for ds in _datasets(path):
        assert _violations(dcat.to_graph(ds)) == [], ds.id
    graph = _graph(path)
    if list(graph.subjects(RDF.type, DCAT.Catalog)) and path.name not in CATALOGUE_DEFECTS:
        catalog = dcat.catalog_from_graph(graph, structure=STRUCTURE)
        assert _violations(dcat.to_graph(catalog)) == []


def test_the_folder_is_covered() -> None:
    """Every file of the folder is one of the parameters above (none left out)."""
    if not REAL.is_dir():
        pytest.skip(f"real-world DCAT files not found at {REAL}")
    assert {p.name for p in FILES} == {p.name for p in REAL.iterdir() if p.is_file()}
