"""dataset_from_dcat: reading DCAT-AP that cdinterop did not write (tests/corpus/dcat)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef

from cdinterop.dcat._files import read_graph
from cdinterop.dcat._third_party import dataset_from_dcat
from cdinterop.errors import ReadError
from cdinterop.model import (
    AccessRights,
    AgentKind,
    CitizenDataset,
    Concept,
    DataStructure,
    Dimension,
    Frequency,
    OrganisationType,
    Role,
    Theme,
    ThemeScheme,
)

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "dcat"
SYNTAXES = ["portal.ttl", "portal.jsonld", "portal.rdf", "portal.nt"]
DATASET = URIRef("http://www.w3.org/ns/dcat#Dataset")
BASE = "https://data.example.gov/dataset/"


def read_all(name: str) -> dict[str, CitizenDataset | str]:
    """Every data set of a corpus file by IRI; a ReadError's reason where it fails."""
    graph = read_graph(CORPUS / name)
    out: dict[str, CitizenDataset | str] = {}
    for node in graph.subjects(RDF.type, DATASET):
        assert isinstance(node, URIRef)
        try:
            out[str(node)] = dataset_from_dcat(graph, node)
        except ReadError as exc:
            out[str(node)] = exc.reason
    return out


def notes(ds: CitizenDataset) -> str:
    activity = ds.provenance.activities[-1]
    assert activity.label.startswith("read third-party DCAT:")
    return activity.description["en"] if activity.description else ""


@pytest.fixture(scope="module")
def portal() -> dict[str, CitizenDataset | str]:
    return read_all("portal.ttl")


@pytest.mark.parametrize("name", SYNTAXES[1:])
def test_every_syntax_reads_the_same(name: str, portal: dict[str, CitizenDataset | str]) -> None:
    assert read_all(name) == portal


def test_beach_litter(portal: dict[str, CitizenDataset | str]) -> None:
    ds = portal[f"{BASE}beach-litter-2023"]
    assert isinstance(ds, CitizenDataset)
    assert ds.id == "beach-litter-2023" and ds.agency == "EXSTAT"
    assert ds.title == {"en": "Beach litter 2023", "de": "Strandmüll 2023"}
    assert ds.keywords == {"en": ("litter", "plastic"), "de": ("Müll",)}
    assert set(ds.themes) == {
        Theme(scheme=ThemeScheme.EU_DATA_THEME, code="ENVI"),
        Theme(scheme=ThemeScheme.SDG_INDICATOR, code="14.1.1"),
    }
    assert set(ds.languages) == {"en", "de"}
    assert ds.licence == "CC-BY-4.0" and ds.access_rights is AccessRights.PUBLIC
    assert ds.contact_point is not None and ds.contact_point.email == "marine@stats.example.gov"
    assert str(ds.landing_page) == "https://data.example.gov/beach-litter"
    assert ds.temporal_coverage is not None
    assert ds.temporal_coverage.start == date(2023, 1, 1)
    assert ds.temporal_coverage.end == date(2023, 12, 31)
    assert set(ds.spatial_coverage) == {"DE", "DE-SH"}
    assert ds.frequency is Frequency.ANNUAL
    assert (ds.issued, ds.modified) == (date(2024, 2, 1), date(2024, 3, 15))
    assert ds.version == "2.1" and ds.citation is not None
    publisher = ds.provenance.agent("EXSTAT")
    assert ds.publisher == "EXSTAT" and publisher.kind is AgentKind.ORGANISATION
    assert publisher.organisation_type is OrganisationType.NATIONAL_AUTHORITY
    roles = {(a.agent, a.role) for a in ds.provenance.attributions}
    assert roles == {
        ("ocean-volunteers", Role.CREATOR),
        ("ocean-volunteers", Role.DATA_COLLECTOR),
    }
    structure = ds.structure
    assert [d.id for d in structure.dimensions] == ["LITTER_ITEM", "REF_AREA", "period"]
    assert [a.id for a in structure.attributes] == ["OBS_STATUS"]
    assert structure.concept("LITTER_ITEM").name == {"en": "Litter item", "de": "Müllart"}
    text = notes(ds)
    for dropped in (
        "'Beach litter counts 2023'",
        "eurovoc.europa.eu/1234",
        "sws.geonames.org",
        "ResponsiblePartyRole/owner",
        "'v2.1' read as '2.1'",
    ):
        assert dropped in text
    assert ds.provenance.activities[-1].parameters["dropped"] == 4


def test_air_quality(portal: dict[str, CitizenDataset | str]) -> None:
    ds = portal[f"{BASE}air-quality"]
    assert isinstance(ds, CitizenDataset)
    assert ds.id == "pm10"  # the IRI identifier's tail
    assert "'https://data.example.gov/id/air.quality/pm10' is not an SDMX id" in notes(ds)
    assert ds.description == {"en": "Daily mean PM10 at monitoring stations."}
    assert ds.keywords == {"en": ("air", "pm10")}
    assert ds.licence == "CC0-1.0" and ds.version == "3.0"
    assert ds.spatial_coverage == ("FR",) and ds.frequency is Frequency.DAILY
    assert ds.temporal_coverage is not None
    assert ds.temporal_coverage.start == date(2020, 1, 1)
    assert ds.temporal_coverage.end is None
    assert [d.id for d in ds.structure.dimensions] == ["STATION"]


def test_no_structure_is_a_clear_error(portal: dict[str, CitizenDataset | str]) -> None:
    reason = portal[f"{BASE}water-points"]
    assert reason == (
        "has no data structure (no stat:dimension); supply one (structure= in Python, "
        "--structure on the command line)"
    )


def test_structure_given() -> None:
    structure = DataStructure(
        id="DSD_WATER",
        agency="EXSTAT",
        name={"en": "Water points"},
        concepts=[Concept(id=i, name={"en": i}) for i in ("DISTRICT", "OBS_VALUE")],
        dimensions=[Dimension(id="DISTRICT")],
    )
    graph = read_graph(CORPUS / "portal.ttl")
    ds = dataset_from_dcat(graph, URIRef(f"{BASE}water-points"), structure=structure)
    assert ds.structure == structure
    assert ds.access_rights is AccessRights.RESTRICTED
    assert ds.licence is None and ds.frequency is None
    text = notes(ds)
    assert "licence: dropped" in text and "SOME_LOCAL_LICENCE" in text
    assert "frequency: dropped" in text and "IRREG" in text


def test_untagged_text_takes_the_single_declared_language() -> None:
    graph = Graph().parse(
        data="""
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        @prefix stat: <http://data.europa.eu/m8g/> .
        <http://x/d> a dcat:Dataset ; dct:title "Wasserstellen" , "Water"@en ;
            dct:language <http://publications.europa.eu/resource/authority/language/DEU> ;
            dct:identifier "has space" ; dcat:version "final" ;
            dct:license <http://creativecommons.org/licenses/by-sa/4.0/> ;
            dct:issued "2024-05-01" ; dct:modified "2023-01-01" ;
            stat:dimension <http://x/d#1st> .
        """,
        format="turtle",
    )
    ds = dataset_from_dcat(graph, URIRef("http://x/d"))
    assert ds.title == {"de": "Wasserstellen", "en": "Water"}
    assert ds.id == "has_space" and ds.version == "1.0"
    assert ds.licence == "CC-BY-SA-4.0"
    assert ds.issued == date(2024, 5, 1) and ds.modified is None
    assert [d.id for d in ds.structure.dimensions] == ["C_1st"]
    text = notes(ds)
    for note in (
        "untagged text read as 'de'",
        "'has space' is not an SDMX id",
        "'final'",
        "modified: dropped",
        "'1st' read as 'C_1st'",
    ):
        assert note in text


def test_bnode_dataset_and_literal_values_never_crash() -> None:
    graph = Graph().parse(
        data="""
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        @prefix stat: <http://data.europa.eu/m8g/> .
        @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
        [] a dcat:Dataset ; dct:title ""@en ; dcat:keyword "  " ;
            dcat:theme "ENVI" ; dct:language "xx-invalid-tag" ;
            dct:spatial <http://publications.europa.eu/resource/authority/country/XXX> ;
            dcat:contactPoint [ vcard:fn "nobody" ] ; dcat:landingPage "not a url" ;
            dct:temporal [ dcat:startDate "2024-01-01" ; dcat:endDate "2023-01-01" ] ;
            dct:publisher [ a <http://xmlns.com/foaf/0.1/Person> ] ;
            stat:dimension [ ] .
        """,
        format="turtle",
    )
    (node,) = graph.subjects(RDF.type, DATASET)
    ds = dataset_from_dcat(graph, node)  # type: ignore[arg-type]
    assert ds.id == "DATASET" and ds.agency == "UNKNOWN"
    assert ds.contact_point is None and ds.temporal_coverage is None and ds.themes == ()
    assert ds.landing_page is None and ds.spatial_coverage == () and ds.publisher is None
    assert int(ds.provenance.activities[-1].parameters["dropped"]) >= 7


def test_literal_values_do_not_count_as_iris() -> None:
    graph = Graph()
    node = URIRef("http://x/d")
    graph.add((node, RDF.type, DATASET))
    graph.add((node, URIRef("http://data.europa.eu/m8g/dimension"), Literal("SEX")))
    ds = dataset_from_dcat(graph, node)
    assert ds.title == {"en": "d"} and "no dct:title" in notes(ds)
