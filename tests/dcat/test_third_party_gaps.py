"""Gaps found by user testing of the tolerant DCAT-AP reader: distributions, dateTimes cut to
dates, data sets without a title, and agents named in public metadata."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rdflib import DCAT, DCTERMS, RDF, Graph, Literal, URIRef

import cdinterop
from cdinterop import dcat
from cdinterop.dcat import CDI
from cdinterop.errors import InvalidDatasetError, ReadError
from cdinterop.model import (
    AgentKind,
    Availability,
    ChecksumAlgorithm,
    CitizenDataset,
    Concept,
    DataStructure,
    Dimension,
)

ROOT = Path(__file__).resolve().parents[2]
LITTER = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"
SHA = "ab" * 32

PREFIXES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix spdx: <http://spdx.org/rdf/terms#> .
@prefix dcatap: <http://data.europa.eu/r5r/> .
@prefix ft: <http://publications.europa.eu/resource/authority/file-type/> .
@prefix iana: <https://www.iana.org/assignments/media-types/> .
@prefix lic: <http://publications.europa.eu/resource/authority/licence/> .
@prefix avail: <http://publications.europa.eu/resource/authority/planned-availability/> .
"""

PORTAL = (
    PREFIXES
    + """
<https://p.example/ds/water> a dcat:Dataset ;
    dct:title "Water points"@en ;
    dct:description "Where to get drinking water."@en ;
    dct:publisher <https://p.example/org/stats> ;
    dct:creator <https://p.example/org/ngo> ;
    dct:license lic:CC_BY_4_0 ;
    dcat:keyword "water"@en , "health"@en ;
    dct:issued "2024-02-01T10:00:00Z"^^xsd:dateTime ;
    dct:modified "2024-03-05T23:59:59"^^xsd:dateTime ;
    dct:temporal [ dcat:startDate "2023-01-01T00:00:00"^^xsd:dateTime ;
                   dcat:endDate "2023-12-31"^^xsd:date ] ;
    dct:conformsTo <https://p.example/schema/water> ;
    dcat:distribution <https://p.example/ds/water/csv> .

<https://p.example/org/stats> a foaf:Organization ; foaf:name "Statistics Office" .
<https://p.example/org/ngo> a foaf:Agent ; foaf:name "Water NGO" .

<https://p.example/ds/water/csv> a dcat:Distribution ;
    dct:identifier "water-csv" ;
    dct:title "Water points as CSV"@en ;
    dcat:accessURL <https://p.example/ds/water/page> ;
    dcat:downloadURL <https://p.example/ds/water/data.csv> ;
    dct:format ft:CSV ;
    dcat:mediaType iana:text\\/csv ;
    dcat:byteSize "1234"^^xsd:nonNegativeInteger ;
    spdx:checksum [ a spdx:Checksum ;
        spdx:algorithm spdx:checksumAlgorithm_sha256 ;
        spdx:checksumValue "ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB" ] ;
    dct:license lic:CC_BY_4_0 ;
    dct:conformsTo <https://p.example/schema/water> ;
    dcatap:availability avail:STABLE ;
    dct:issued "2024-02-01"^^xsd:date .
"""
)


@pytest.fixture
def structure() -> DataStructure:
    return DataStructure(
        id="DSD_WATER",
        agency="EXSTAT",
        name={"en": "Water points"},
        concepts=[Concept(id=i, name={"en": i}) for i in ("DISTRICT", "OBS_VALUE")],
        dimensions=[Dimension(id="DISTRICT")],
    )


def read_text(tmp_path: Path, text: str, structure: DataStructure) -> CitizenDataset:
    path = tmp_path / "portal.ttl"
    path.write_text(text, encoding="utf-8")
    return dcat.read(path, structure=structure)


def notes(ds: CitizenDataset) -> list[str]:
    activity = ds.provenance.activities[-1]
    assert activity.label.startswith("read third-party DCAT:")
    text = activity.description["en"] if activity.description else ""
    return text.splitlines()


# -- 1. distributions ---------------------------------------------------------------------


def test_a_full_distribution_is_read(tmp_path: Path, structure: DataStructure) -> None:
    ds = read_text(tmp_path, PORTAL, structure)
    (dist,) = ds.distributions
    assert dist.id == "water-csv"
    assert dist.title == {"en": "Water points as CSV"}
    assert str(dist.access_url) == "https://p.example/ds/water/page"
    assert str(dist.download_url) == "https://p.example/ds/water/data.csv"
    assert (dist.format, dist.media_type, dist.byte_size) == ("CSV", "text/csv", 1234)
    assert dist.checksum is not None and dist.checksum.algorithm is ChecksumAlgorithm.SHA256
    assert dist.checksum.value == SHA
    assert dist.licence == "CC-BY-4.0"
    assert [str(u) for u in dist.conforms_to] == ["https://p.example/schema/water"]
    assert dist.availability is Availability.STABLE
    text = notes(ds)
    # what the model cannot hold is listed, with the distribution it belonged to
    assert any(
        n.startswith("distributions[water-csv]: dropped 'dct:issued 2024-02-01'") for n in text
    ), text
    # its dct:conformsTo is mapped, not dropped
    assert not any(n.startswith("distributions[water-csv]: dropped 'dct:conformsTo") for n in text)
    assert any(n.startswith("distributions[water-csv].checksum: 'ABAB") for n in text), text


def test_distribution_gaps_are_filled_or_noted(tmp_path: Path, structure: DataStructure) -> None:
    text = (
        PREFIXES
        + """
<http://x/d> a dcat:Dataset ; dct:title "D"@en ;
    dcat:distribution <http://x/d/a> , <http://x/d/b> , <http://x/d/c> , [ dct:title "E" ] .
<http://x/d/a> dcat:downloadURL <http://x/a.json> ; dcat:mediaType "application/json" ;
    dcat:byteSize "many" .
<http://x/d/b> dcat:accessURL <http://x/b> ; dct:format "csv" ;
    dcat:mediaType "text/csv; charset=utf-8" ;
    spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "00" ] .
<http://x/d/c> dcat:accessURL <http://x/c> ; dct:format ft:SHP .
"""
    )
    ds = read_text(tmp_path, text, structure)
    by_id = {d.id: d for d in ds.distributions}
    assert set(by_id) == {"a", "b", "c"}
    a, b, c = by_id["a"], by_id["b"], by_id["c"]
    assert str(a.access_url) == str(a.download_url) == "http://x/a.json"
    assert (a.format, a.media_type, a.byte_size) == ("JSON", "application/json", None)
    assert (b.format, b.media_type, b.checksum) == ("CSV", "text/csv", None)
    # DCAT-AP requires only the access URL: a format without a common media type is kept
    assert (c.format, c.media_type) == ("SHP", None)
    joined = "\n".join(notes(ds))
    for note in (
        "distributions[a].access_url: no dcat:accessURL; the download URL 'http://x/a.json'",
        "distributions[a].format: no EU file type; 'JSON' from the media type",
        "distributions[a].byte_size: dropped 'many'",
        "distributions[b].format: 'csv' read as 'CSV'",
        "distributions[b].media_type: 'text/csv; charset=utf-8' read as 'text/csv'",
        "distributions[b].checksum: dropped",
        # SHP has no common media type: the gap is noted, the distribution kept
        "distributions[c].media_type: no readable dcat:mediaType; left empty",
        # no URL at all: DCAT-AP's one requirement; the blank node is named readably
        """distributions: dropped 'a blank node [dct:title "E"]' (no readable """
        "dcat:accessURL or dcat:downloadURL, which DCAT-AP requires)",
    ):
        assert note in joined, joined


def test_distribution_ids_are_unique_and_noted(tmp_path: Path, structure: DataStructure) -> None:
    text = (
        PREFIXES
        + """
<http://x/d> a dcat:Dataset ; dct:title "D"@en ;
    dcat:distribution <http://x/one/file> , <http://x/two/file> , <http://x/3> .
<http://x/one/file> dcat:accessURL <http://x/1> ; dct:format ft:CSV .
<http://x/two/file> dcat:accessURL <http://x/2> ; dct:format ft:CSV .
<http://x/3> dct:identifier "has space" ; dcat:accessURL <http://x/3> ; dct:format ft:ZIP .
"""
    )
    ds = read_text(tmp_path, text, structure)
    # both IRIs end in /file: each takes one more segment, whatever the order
    assert [d.id for d in ds.distributions] == ["has_space", "one_file", "two_file"]
    joined = "\n".join(notes(ds))
    assert "dct:identifier 'has space'; id 'has_space'" in joined
    assert "no dct:identifier (http://x/two/file); id 'two_file'" in joined


def test_unmapped_data_set_properties_are_listed(tmp_path: Path, structure: DataStructure) -> None:
    ds = read_text(tmp_path, PORTAL, structure)
    assert any(
        n == "dataset: dropped 'dct:conformsTo https://p.example/schema/water' "
        "(no field of the model)"
        for n in notes(ds)
    )


def test_parameters_count_every_note(tmp_path: Path, structure: DataStructure) -> None:
    ds = read_text(tmp_path, PORTAL, structure)
    activity = ds.provenance.activities[-1]
    params = activity.parameters
    assert int(params["dropped"]) + int(params["changed"]) == len(notes(ds))


# -- 2. dateTimes cut to dates ------------------------------------------------------------


def test_datetimes_cut_to_dates_are_listed(tmp_path: Path, structure: DataStructure) -> None:
    ds = read_text(tmp_path, PORTAL, structure)
    assert (ds.issued, ds.modified) == (date(2024, 2, 1), date(2024, 3, 5))
    assert ds.temporal_coverage is not None
    assert ds.temporal_coverage.start == date(2023, 1, 1)
    text = notes(ds)
    # old value (as rdflib gives its lexical form) and new value
    assert "issued: dateTime '2024-02-01T10:00:00+00:00' cut to the date '2024-02-01'" in text
    assert "modified: dateTime '2024-03-05T23:59:59' cut to the date '2024-03-05'" in text
    assert (
        "temporal_coverage.start: dateTime '2023-01-01T00:00:00' cut to the date '2023-01-01'"
        in text
    )
    assert not any(n.startswith("temporal_coverage.end") for n in text)  # an xsd:date


def test_a_plain_date_is_not_a_change() -> None:
    graph = Graph().parse(
        data=PREFIXES
        + """<http://x/d> a dcat:Dataset ; dct:title "D"@en ; dct:issued "2024-01-02"^^xsd:date ;
            <http://data.europa.eu/m8g/dimension> <http://x/d#A> .""",
        format="turtle",
    )
    ds = dcat.from_graph(graph)
    assert ds.issued == date(2024, 1, 2)
    assert not any(n.startswith("issued") for n in notes(ds))


# -- 3. mandatory fields ------------------------------------------------------------------


@pytest.fixture(scope="module")
def ours() -> Graph:
    return dcat.to_graph(cdinterop.load(LITTER))


def _without(graph: Graph, prop: URIRef) -> Graph:
    edited = Graph()
    for triple in graph:
        edited.add(triple)
    (d,) = edited.subjects(RDF.type, DCAT.Dataset)
    edited.remove((d, prop, None))
    return edited


def test_no_title_is_a_clear_read_error(ours: Graph) -> None:
    with pytest.raises(ReadError) as caught:
        dcat.from_graph(_without(ours, DCTERMS.title))
    (d,) = ours.subjects(RDF.type, DCAT.Dataset)
    assert caught.value.source == f"<{d}>"
    assert caught.value.reason == "the dcat:Dataset has no dct:title (DCAT-AP requires one)"
    assert "pydantic" not in str(caught.value) and "dict_type" not in str(caught.value)


@pytest.mark.parametrize(
    ("prop", "message"),
    [
        (DCTERMS.identifier, "has no dct:identifier"),
        (CDI.coreJson, "has no cdi:coreJson with the SDMX agency"),
    ],
)
def test_other_mandatory_triples_are_clear_read_errors(
    ours: Graph, prop: URIRef, message: str
) -> None:
    with pytest.raises(ReadError, match=message):
        dcat.from_graph(_without(ours, prop))


def test_no_title_in_a_file_names_the_file(ours: Graph, tmp_path: Path) -> None:
    path = tmp_path / "edited.ttl"
    _without(ours, DCTERMS.title).serialize(path, format="turtle")
    with pytest.raises(ReadError) as caught:
        dcat.read(path)
    assert caught.value.source == str(path)
    assert caught.value.reason.endswith(
        ">: the dcat:Dataset has no dct:title (DCAT-AP requires one)"
    )


def test_an_invalid_structure_json_is_short(ours: Graph) -> None:
    edited = _without(ours, CDI.structureJson)
    (d,) = edited.subjects(RDF.type, DCAT.Dataset)
    edited.add((d, CDI.structureJson, Literal('{"id": "S"}')))
    with pytest.raises(InvalidDatasetError) as caught:
        dcat.from_graph(edited)
    issues = caught.value.issues
    assert issues and all(i.location.startswith("structure") for i in issues)
    assert all("errors.pydantic.dev" not in i.message for i in issues)
    assert caught.value.context.startswith("data set ")


def test_own_graphs_still_read_back_exactly(ours: Graph) -> None:
    ds = cdinterop.load(LITTER)
    assert ds.distributions  # the example carries distributions
    assert dcat.from_graph(dcat.to_graph(ds)) == ds.replace(observations=[])


# -- 4. agents named in public metadata ---------------------------------------------------


def test_agents_read_are_not_pseudonymous(tmp_path: Path, structure: DataStructure) -> None:
    ds = read_text(tmp_path, PORTAL, structure)
    agents = {a.id: a for a in ds.provenance.agents}
    assert set(agents) == {"stats", "ngo", "cdinterop"}
    assert agents["stats"].kind is AgentKind.ORGANISATION
    assert agents["cdinterop"].kind is AgentKind.SOFTWARE
    assert not any(a.pseudonymous for a in agents.values())


def test_a_named_person_is_not_pseudonymous() -> None:
    graph = Graph().parse(
        data=PREFIXES
        + """<http://x/d> a dcat:Dataset ; dct:title "D"@en ; dct:creator <http://x/p> ;
            <http://data.europa.eu/m8g/dimension> <http://x/d#A> .
            <http://x/p> a foaf:Person ; foaf:name "Ada Example" .""",
        format="turtle",
    )
    person = dcat.from_graph(graph).provenance.agent("p")
    assert person.kind is AgentKind.PERSON and person.pseudonymous is False


def test_a_foreign_catalogue_publisher_is_not_pseudonymous() -> None:
    graph = Graph().parse(
        data=PREFIXES
        + """<http://x/c> a dcat:Catalog ; dct:title "C"@en ; dct:publisher <http://x/o> ;
              dcat:dataset <http://x/d> .
            <http://x/o> foaf:name "Portal operator" .
            <http://x/d> a dcat:Dataset ; dct:title "D"@en ;
              <http://data.europa.eu/m8g/dimension> <http://x/d#A> .""",
        format="turtle",
    )
    catalog = dcat.catalog_from_graph(graph)
    assert catalog.publisher.pseudonymous is False
