"""`cdinterop dcat write|read`, as a user runs them."""

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from typer.testing import CliRunner

import cdinterop
from cdinterop._cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "marine-litter-ghana" / "dataset.json"
runner = CliRunner()


@pytest.mark.parametrize("suffix", [".ttl", ".jsonld", ".rdf", ".nt"])
def test_write_then_read(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"litter{suffix}"
    args = [
        "dcat",
        "write",
        str(EXAMPLE),
        "-o",
        str(target),
        "--base-iri",
        "https://data.example.org/",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    graph = Graph()
    graph.parse(
        target, format={".ttl": "turtle", ".jsonld": "json-ld", ".rdf": "xml", ".nt": "nt"}[suffix]
    )
    assert any(str(s).startswith("https://data.example.org/dataset/") for s in graph.subjects())
    back = tmp_path / "back.json"
    result = runner.invoke(app, ["dcat", "read", str(target), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert cdinterop.load(back) == cdinterop.load(EXAMPLE).replace(observations=[])


def test_unknown_format_is_a_clean_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["dcat", "write", str(EXAMPLE), "-o", str(tmp_path / "x.ttl"), "-f", "rdfa"]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output


EXAMPLES = EXAMPLE.parents[1]
CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "dcat"
SDG_DSD = EXAMPLES.parents[1] / "shared" / "standards" / "sdmx" / "IAEG-SDGs_SDG_1.0_structure.xml"


def test_catalog_command(tmp_path: Path) -> None:
    from cdinterop import dcat

    target = tmp_path / "catalog.jsonld"
    datasets = sorted(str(p) for p in EXAMPLES.glob("*/dataset.json"))
    args = ["dcat", "catalog", str(EXAMPLES / "catalog.yaml"), *datasets, "-o", str(target)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "with 2 data set(s)" in result.output
    catalog = dcat.read_catalog(target)
    assert catalog.id == "CITIZEN_DATA_HUB"
    assert [d.id for d in catalog.datasets] == [cdinterop.load(p).id for p in datasets]


def test_catalog_command_errors(tmp_path: Path) -> None:
    catalog = str(EXAMPLES / "catalog.yaml")
    twice = [catalog, str(EXAMPLE), str(EXAMPLE), "-o", str(tmp_path / "c.ttl")]
    result = runner.invoke(app, ["dcat", "catalog", *twice])
    assert result.exit_code == 2
    assert "already used by datasets[0]" in " ".join(result.output.split())
    assert "pydantic" not in result.output
    assert not (tmp_path / "c.ttl").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: X\ntitle: {en: t}\ndescription: {en: d}\npublisher: {id: P}\n")
    result = runner.invoke(app, ["dcat", "catalog", str(bad), str(EXAMPLE), "-o", "x.ttl"])
    assert result.exit_code == 1
    assert "publisher.kind" in result.output and "line 4" in result.output


def test_read_third_party_with_structure(tmp_path: Path) -> None:
    """A portal's data set without stat:dimension needs a structure: a clear error
    without one, a data set with one."""
    source = tmp_path / "one.ttl"
    graph = Graph().parse(CORPUS / "portal.ttl")
    from rdflib import DCAT, RDF

    keep = next(
        d
        for d in graph.subjects(RDF.type, DCAT.Dataset)
        if not list(graph.objects(d, URIRef("http://data.europa.eu/m8g/dimension")))
    )
    for other in list(graph.subjects(RDF.type, DCAT.Dataset)):
        if other != keep:
            graph.remove((other, RDF.type, DCAT.Dataset))
    graph.serialize(source, format="turtle")
    out = tmp_path / "ds.json"
    result = runner.invoke(app, ["dcat", "read", str(source), "-o", str(out)])
    assert result.exit_code == 2
    assert "no data structure" in " ".join(result.output.split())
    assert "--structure on the command line" in " ".join(result.output.split())
    if not SDG_DSD.is_file():
        pytest.skip(f"SDG structure not found at {SDG_DSD}")
    args = ["dcat", "read", str(source), "-o", str(out), "--structure", str(SDG_DSD)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert cdinterop.load(out).structure.id == "SDG"
