"""Other portals' DCAT-AP (issue 13, point 6): ids unique, stable and never made of blank-node
labels; distributions without format or media type kept; a missing version noted; places
with polygons carried through the model and back out. Small inline fixtures only."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError
from rdflib import RDF, BNode, Graph, URIRef

import cdinterop
from cdinterop import dcat
from cdinterop.dcat._nodes import Candidate, unique_ids
from cdinterop.dcat._vocab import GSP
from cdinterop.errors import InvalidDatasetError
from cdinterop.model import AreaExtent, CitizenDataset, Concept, DataStructure, Dimension

from .test_third_party_gaps import LITTER

STRUCTURE = DataStructure(
    id="DSD_PORTAL",
    agency="PORTAL",
    name={"en": "Portal data"},
    concepts=(
        Concept(id="REF_AREA", name={"en": "Area"}),
        Concept(id="OBS_VALUE", name={"en": "Value"}),
    ),
    dimensions=(Dimension(id="REF_AREA"),),
)
PREFIXES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix locn: <http://www.w3.org/ns/locn#> .
@prefix gsp: <http://www.opengis.net/ont/geosparql#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""
TWO_DATASETS = (
    PREFIXES
    + """
<http://portal.example/catalog> a dcat:Catalog ; dct:title "Portal"@en ;
    dct:publisher <http://portal.example/org> ;
    dcat:dataset <http://a.example/water/dataset> , <http://b.example/air/dataset> .
<http://portal.example/org> foaf:name "Portal office" .
<http://a.example/water/dataset> a dcat:Dataset ; dct:title "Water"@en .
<http://b.example/air/dataset> a dcat:Dataset ; dct:title "Air"@en .
"""
)
BLANK = (
    PREFIXES
    + """
[] a dcat:Dataset ; dct:title "Bins"@en ;
    dct:publisher [ a foaf:Organization ; foaf:name "City of Example" ] ;
    dct:creator [ a foaf:Organization ; foaf:name "Bin volunteers" ] ;
    dcat:distribution [ a dcat:Distribution ; dcat:accessURL <http://city.example/api> ] ,
        [ a dcat:Distribution ; dcat:downloadURL <http://city.example/files/bins.csv> ] ,
        [ a dcat:Distribution ; dcat:downloadURL <http://city.example/old/bins.csv> ] ,
        [ a dcat:Distribution ; dct:title "No URL at all"@en ] ;
    dct:spatial [ a dct:Location ;
        locn:geometry "POLYGON((4.3 50.8,4.4 50.8,4.4 50.9,4.3 50.8))"^^gsp:wktLiteral ] ,
        [ a dct:Location ; skos:prefLabel "Harbour"@en ; locn:geometry
          "{\\"type\\": \\"Point\\", \\"coordinates\\": [4.35, 50.85]}"^^gsp:geoJSONLiteral ] .
"""
)


def _read(text: str) -> tuple[CitizenDataset, ...]:
    graph = dcat.parse_graph(text.encode(), "turtle")
    return dcat.datasets_from_graph(graph, structure=STRUCTURE)


def _notes(ds: CitizenDataset) -> str:
    activity = ds.provenance.activities[-1]
    assert activity.label.startswith("read third-party DCAT:")
    return activity.description["en"] if activity.description else ""


def _in_syntax(text: str, fmt: str) -> tuple[CitizenDataset, ...]:
    """The same description, parsed again from another syntax (fresh blank-node labels)."""
    data = Graph().parse(data=text, format="turtle").serialize(format=fmt, encoding="utf-8")
    graph = dcat.parse_graph(data, fmt)
    return dcat.datasets_from_graph(graph, structure=STRUCTURE)


# -- 1. ids -------------------------------------------------------------------------------


def test_catalogue_data_sets_ending_alike_get_longer_ids() -> None:
    graph = dcat.parse_graph(TWO_DATASETS.encode(), "turtle")
    catalog = dcat.catalog_from_graph(graph, structure=STRUCTURE)
    assert sorted(ds.id for ds in catalog.datasets) == ["air_dataset", "water_dataset"]
    water = next(ds for ds in catalog.datasets if ds.id == "water_dataset")
    assert "'dataset' is the id of another data set of the catalogue too" in _notes(water)
    # written and read back: the same catalogue
    assert dcat.catalog_from_graph(dcat.to_graph(catalog)) == catalog


def test_ids_that_no_segment_separates_get_a_stable_hash() -> None:
    text = (
        PREFIXES
        + """
<http://x.example/dataset> a dcat:Dataset ; dct:title "One"@en .
<https://x.example/dataset> a dcat:Dataset ; dct:title "Two"@en .
"""
    )
    ids = sorted(ds.id for ds in _read(text))
    assert all(re.fullmatch(r"dataset_[0-9a-f]{8}", i) for i in ids), ids
    assert len(set(ids)) == 2
    assert sorted(ds.id for ds in _in_syntax(text, "nt")) == ids


def test_unique_ids_do_not_depend_on_order() -> None:
    a = Candidate(URIRef("http://a/x/file"), "file", ("a", "x", "file"), "<http://a/x/file>")
    b = Candidate(URIRef("http://a/y/file"), "file", ("a", "y", "file"), "<http://a/y/file>")
    c = Candidate(URIRef("http://a/z"), "x_file", ("a", "x_file"), "<http://a/z>")
    forward, backward = unique_ids([a, b, c]), unique_ids([c, b, a])
    assert forward == backward
    assert len(set(forward.values())) == 3
    assert forward[b.node] == "y_file"
    assert unique_ids([a], taken={"file"})[a.node] == "x_file"


def test_blank_nodes_get_ids_from_content_never_from_labels() -> None:
    (ds,) = _read(BLANK)
    graph = Graph().parse(data=BLANK, format="turtle")
    labels = {str(n) for triple in graph for n in triple if isinstance(n, BNode)}
    # named after what they are: the data set, its agents by name, distributions by URL
    assert ds.id == "DATASET"
    assert {a.id for a in ds.provenance.agents} == {
        "City_of_Example",
        "Bin_volunteers",
        "cdinterop",
    }
    # two download URLs ending in bins.csv: each takes one more segment of its URL
    assert sorted(d.id for d in ds.distributions) == ["api", "files_bins_csv", "old_bins_csv"]
    text = ds.model_dump_json()
    assert not [label for label in labels if label in text]
    assert "_:" not in text
    # the same description in other syntaxes (other labels) reads the same
    for fmt in ("nt", "xml", "json-ld"):
        assert _in_syntax(BLANK, fmt) == (ds,), fmt


def test_blank_nodes_are_named_readably_in_notes() -> None:
    (ds,) = _read(BLANK)
    notes = _notes(ds)
    assert (
        """distributions: dropped 'a blank node [a dcat:Distribution; dct:title """
        """"No URL at all"]' (no readable dcat:accessURL or dcat:downloadURL"""
    ) in notes
    assert "no dct:identifier (a blank node [a dcat:Distribution; dcat:accessURL" in notes
    assert not re.search(r"\bN[0-9a-f]{32}\b", notes)


def test_catalogue_publisher_blank_node() -> None:
    text = (
        PREFIXES
        + """
<http://p.example/catalog> a dcat:Catalog ; dct:title "P"@en ;
    dct:publisher [ foaf:name "My office" ] ; dcat:dataset <http://p.example/d/1> .
<http://p.example/d/1> a dcat:Dataset ; dct:title "One"@en .
"""
    )
    catalog = dcat.catalog_from_graph(
        dcat.parse_graph(text.encode(), "turtle"), structure=STRUCTURE
    )
    assert catalog.publisher.id == "My_office" and catalog.publisher.name == "My office"


def test_catalogue_errors_are_readable() -> None:
    text = PREFIXES + '[] a dcat:Catalog ; dct:title "P"@en .\n'
    with pytest.raises(cdinterop.errors.ReadError) as info:
        dcat.catalog_from_graph(dcat.parse_graph(text.encode(), "turtle"))
    assert info.value.source == 'a blank node [a dcat:Catalog; dct:title "P"]'
    assert "no dct:publisher" in info.value.reason


# -- 2. distributions ---------------------------------------------------------------------


def test_a_distribution_with_only_an_access_url_is_kept() -> None:
    (ds,) = _read(BLANK)
    api = next(d for d in ds.distributions if d.id == "api")
    assert (api.format, api.media_type) == (None, None)
    assert "distributions[api].format: no readable dct:format; left empty" in _notes(ds)
    graph = dcat.to_graph(ds)
    node = next(graph.subjects(RDF.type, URIRef("http://www.w3.org/ns/dcat#Distribution")))
    assert node is not None
    assert dcat.from_graph(graph) == ds


def test_ckan_formats_and_literal_urls() -> None:
    text = (
        PREFIXES
        + """
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfv: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
<http://c.example/d> a dcat:Dataset ; dct:title "D"@en ;
    dcat:distribution [ dct:identifier "http://c.example/d/dist/1" ;
        dcat:downloadURL "http://c.example/1.pdf"^^xsd:anyURI ;
        dct:format [ a dct:IMT ; rdfv:value "application/pdf" ] ] .
"""
    )
    (ds,) = _read(text)
    (dist,) = ds.distributions
    assert dist.id == "1" and str(dist.download_url) == "http://c.example/1.pdf"
    assert (dist.format, dist.media_type) == ("PDF", "application/pdf")
    assert "the literal 'http://c.example/1.pdf' read as an IRI" in _notes(ds)


# -- 3. version ---------------------------------------------------------------------------


def test_a_missing_version_is_noted() -> None:
    (ds,) = _read(PREFIXES + '<http://v.example/d> a dcat:Dataset ; dct:title "D"@en .')
    assert ds.version == "1.0"
    assert (
        "version: no dcat:version, owl:versionInfo or adms:version; the model's default "
        "'1.0' is used"
    ) in _notes(ds)
    assert ds.provenance.sources[-1].version is None


def test_a_version_that_is_no_sdmx_version_is_kept_as_text() -> None:
    text = PREFIXES + '<http://v.example/d> a dcat:Dataset ; owl:versionInfo "2023-03-30" .'
    (ds,) = _read(text)
    assert ds.version == "1.0"
    assert ds.provenance.sources[-1].version == "2023-03-30"
    assert "no usable version; the model's default '1.0' is used" in _notes(ds)
    (ds,) = _read(PREFIXES + '<http://v.example/d> a dcat:Dataset ; owl:versionInfo "2" .')
    assert ds.version == "2" and ds.provenance.sources[-1].version == "2"


# -- 4. places ----------------------------------------------------------------------------


def test_polygons_of_places_without_codes_are_kept() -> None:
    (ds,) = _read(BLANK)
    assert ds.spatial_coverage == ()
    extents = ds.area_extents
    assert set(extents) == {"location", "Harbour"}
    assert extents["location"].geometry == "POLYGON((4.3 50.8,4.4 50.8,4.4 50.9,4.3 50.8))"
    assert extents["location"].box is None
    assert extents["Harbour"].geometry == "POINT(4.35 50.85)"  # GeoJSON read as WKT
    notes = _notes(ds)
    assert "has no area code; its extent is kept as 'location'" in notes
    assert "GeoJSON read as WKT 'POINT(4.35 50.85)'" in notes


def test_geometry_box_and_centroid_of_a_coded_place() -> None:
    text = (
        PREFIXES
        + """
<http://g.example/d> a dcat:Dataset ; dct:title "D"@en ;
    dct:spatial <http://publications.europa.eu/resource/authority/country/GHA> .
<http://publications.europa.eu/resource/authority/country/GHA>
    dcat:bbox "POLYGON((-3.25 4.7,1.2 4.7,1.2 11.15,-3.25 11.15,-3.25 4.7))"^^gsp:wktLiteral ;
    dcat:centroid "POINT(-1 8)"^^gsp:wktLiteral ;
    locn:geometry [ a locn:Geometry ;
        gsp:asWKT "polygon((-3 5,1 5,1 11,-3 5))"^^gsp:wktLiteral ] .
"""
    )
    (ds,) = _read(text)
    assert ds.spatial_coverage == ("GH",)
    ghana = ds.area_extents["GH"]
    assert ghana.box == (-3.25, 4.7, 1.2, 11.15) and ghana.centroid == (-1.0, 8.0)
    assert ghana.geometry == "POLYGON((-3 5,1 5,1 11,-3 5))"
    assert "read as 'POLYGON((-3 5,1 5,1 11,-3 5))'" in _notes(ds)


def test_geometries_round_trip_through_the_writer() -> None:
    ds = cdinterop.load(LITTER).replace(observations=[])
    extents = {
        "GH": AreaExtent(west=-3.25, south=4.7, east=1.2, north=11.15, geometry="POINT(-1 8)"),
        "ACCRA": AreaExtent(geometry="POLYGON((-0.3 5.5,-0.1 5.5,-0.1 5.7,-0.3 5.5))"),
    }
    ds = ds.replace(spatial_coverage=("GH",), area_extents=extents)
    graph = dcat.to_graph(ds)
    wkt = {str(o) for o in graph.objects(None, GSP.asWKT)}
    assert wkt == {"POINT(-1 8)", "POLYGON((-0.3 5.5,-0.1 5.5,-0.1 5.7,-0.3 5.5))"}
    assert dcat.from_graph(graph) == ds
    # a portal reading what cdinterop wrote (no cdi: literals) finds the polygons too
    for _s, prop, _o in list(graph):  # every cdi:*Json literal, as a portal drops them
        if str(prop).startswith("https://w3id.org/cdinterop/vocab#") and str(prop).endswith("Json"):
            graph.remove((None, prop, None))
    (foreign,) = dcat.datasets_from_graph(graph, structure=ds.structure)
    assert foreign.area_extents["GH"].geometry == "POINT(-1 8)"
    assert foreign.area_extents["ACCRA"].geometry == extents["ACCRA"].geometry


def test_area_extent_rules() -> None:
    assert AreaExtent(geometry="MULTIPOLYGON(((1 2,3 4,5 6,1 2)))").centroid is None
    assert AreaExtent(centroid=(1, 2)).box is None
    with pytest.raises(ValidationError, match="give all four or none"):
        AreaExtent(west=1, south=2, east=3)
    with pytest.raises(ValidationError, match="needs a bounding box, a centroid or a geometry"):
        AreaExtent()
    with pytest.raises(ValidationError, match="geometry"):
        AreaExtent(geometry="CIRCLE(1 2 3)")
    ds = cdinterop.load(LITTER)
    # a place without an area code takes a local id; an area code must be covered
    assert "CITY" in ds.replace(area_extents={"CITY": AreaExtent(centroid=(0, 5))}).area_extents
    with pytest.raises(InvalidDatasetError, match="not an area of spatial_coverage"):
        ds.replace(area_extents={"KE": AreaExtent(centroid=(37, 0))})
    with pytest.raises(InvalidDatasetError, match="needs a local id"):
        ds.replace(area_extents={"not an id": AreaExtent(centroid=(0, 5))})
