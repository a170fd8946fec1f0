"""Distributions of files actually written (SDMX-ML, SDMX-CSV, Data Package): sizes and
checksums checked with hashlib, triples checked against the DCAT-AP 3.0.1 shapes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pydantic import ValidationError
from rdflib import DCAT, DCTERMS, RDF, XSD, Graph, Literal, Namespace, URIRef

import cdinterop
from cdinterop import datapackage, dcat, sdmx
from cdinterop.dcat._vocab import SPDX
from cdinterop.errors import InvalidDatasetError
from cdinterop.model import AreaExtent, Availability, CitizenDataset, Distribution

ROOT = Path(__file__).resolve().parents[2]
LITTER = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"
SHAPES = ROOT.parent / "shared" / "standards" / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl"
SH = Namespace("http://www.w3.org/ns/shacl#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
URL = "https://data.example.org/litter"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> CitizenDataset:
    """The marine-litter example with distributions of the files written for it."""
    ds = cdinterop.load(LITTER)
    out = tmp_path_factory.mktemp("published")
    sdmx.write(ds, out / "data-ml21-ss.xml", format="ml21-ss")
    sdmx.write(ds, out / "data-csv20.csv", format="csv20")
    datapackage.write(ds, out / "datapackage.zip")
    files = [
        ("data-ml21-ss.xml", "SDMX", "application/xml"),
        ("data-csv20.csv", "CSV", "text/csv"),
        ("datapackage.zip", "ZIP", "application/zip"),
    ]
    distributions = tuple(
        Distribution.of_file(
            out / name,
            id=name.split(".")[0].replace("-", "_").upper(),
            access_url=f"{URL}/{name}",
            format=fmt,
            media_type=media,
            licence=ds.licence,
            availability=Availability.STABLE,
            description={"en": f"{name} as written by cdinterop"},
        )
        for name, fmt, media in files
    )
    return ds.replace(distributions=distributions, observations=[])


def test_of_file_measures_size_and_checksum(
    published: CitizenDataset, tmp_path_factory: pytest.TempPathFactory
) -> None:
    for dist in published.distributions:
        assert dist.download_url is not None and dist.checksum is not None
        name = str(dist.download_url).rsplit("/", 1)[-1]
        matches = list(tmp_path_factory.getbasetemp().glob(f"published*/{name}"))
        data = matches[0].read_bytes()
        assert dist.byte_size == len(data)
        assert dist.checksum.value == hashlib.sha256(data).hexdigest()


def test_distribution_triples(published: CitizenDataset) -> None:
    graph = dcat.to_graph(published)
    d = next(iter(graph.subjects(RDF.type, DCAT.Dataset)))
    nodes = list(graph.objects(d, DCAT.distribution))
    assert len(nodes) == 3
    for dist in published.distributions:
        [node] = [n for n in nodes if (n, DCTERMS.identifier, Literal(dist.id)) in graph]
        assert (node, RDF.type, DCAT.Distribution) in graph
        assert (node, DCAT.accessURL, URIRef(str(dist.access_url))) in graph
        assert (node, DCAT.downloadURL, URIRef(str(dist.download_url))) in graph
        size = Literal(dist.byte_size, datatype=XSD.nonNegativeInteger)
        assert (node, DCAT.byteSize, size) in graph
        media = URIRef(f"https://www.iana.org/assignments/media-types/{dist.media_type}")
        assert (node, DCAT.mediaType, media) in graph
        fmt = URIRef(f"http://publications.europa.eu/resource/authority/file-type/{dist.format}")
        assert (node, DCTERMS.format, fmt) in graph
        checksum = graph.value(node, SPDX.checksum)
        assert dist.checksum is not None
        assert str(graph.value(checksum, SPDX.checksumValue)) == dist.checksum.value
        assert (node, DCTERMS.license, URIRef("https://spdx.org/licenses/CC-BY-4.0")) in graph


def test_distributions_round_trip(published: CitizenDataset) -> None:
    assert dcat.from_graph(dcat.to_graph(published)) == published


@pytest.mark.skipif(
    not SHAPES.is_file(), reason=f"official DCAT-AP 3.0.1 shapes not found at {SHAPES}"
)
def test_distributions_conform(published: CitizenDataset) -> None:
    from pyshacl import validate

    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, _report, text = validate(dcat.to_graph(published), shacl_graph=shapes)
    assert conforms, text


def test_area_extents_as_wkt() -> None:
    ds = cdinterop.load(LITTER)
    graph = dcat.to_graph(ds)
    ghana = URIRef("http://publications.europa.eu/resource/authority/country/GHA")
    box = graph.value(ghana, DCAT.bbox)
    assert isinstance(box, Literal) and box.datatype == GSP.wktLiteral
    assert str(box) == "POLYGON((-3.25 4.7,1.2 4.7,1.2 11.15,-3.25 11.15,-3.25 4.7))"
    assert str(graph.value(ghana, DCAT.centroid)) == "POINT(-1.025 7.925)"


def test_area_extent_rules() -> None:
    assert AreaExtent(west=170, south=0, east=-170, north=2).centroid == (180.0, 1.0)
    with pytest.raises(ValidationError, match="south"):
        AreaExtent(west=0, south=5, east=1, north=4)
    ds = cdinterop.load(LITTER)
    with pytest.raises(InvalidDatasetError, match="not an area of spatial_coverage"):
        ds.replace(area_extents={"KE": AreaExtent(west=33, south=-4, east=41, north=5)})
    twice = (ds.distributions[0], ds.distributions[0])
    with pytest.raises(InvalidDatasetError, match="used twice"):
        ds.replace(distributions=twice)
