"""The DCAT corpus: every malformed or hostile file fails with a clear ReadError, and
reading never opens a network connection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, URIRef

from cdinterop import dcat
from cdinterop.dcat._files import parse_graph, read_graph
from cdinterop.dcat._third_party import dataset_from_dcat
from cdinterop.errors import ReadError

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "dcat"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
DATASET = URIRef("http://www.w3.org/ns/dcat#Dataset")
PORTAL = {"portal.ttl", "portal.jsonld", "portal.rdf", "portal.nt"}


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if EXPECTED[n]["error"] == "read"))
def test_malformed_dcat(name: str, no_network: list[Any]) -> None:
    with pytest.raises(ReadError) as info:
        dcat.read(CORPUS / name)
    message = str(info.value)
    assert EXPECTED[name]["message"] in message
    assert str(CORPUS / name) in message or "graph" in message
    assert "root:" not in message  # nothing from /etc/passwd
    assert no_network == []


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if EXPECTED[n]["error"] == "note"))
def test_dropped_values_are_noted(name: str, no_network: list[Any]) -> None:
    graph = read_graph(CORPUS / name)
    (node,) = graph.subjects(RDF.type, DATASET)
    ds = dataset_from_dcat(graph, node)  # type: ignore[arg-type]
    notes = ds.provenance.activities[-1].description
    assert notes is not None and EXPECTED[name]["message"] in notes["en"]
    assert ds.issued is None and no_network == []


def test_every_corpus_file_is_listed() -> None:
    files = {p.name for p in CORPUS.iterdir()}
    assert files - {"expected.json", "make_corpus.py"} - PORTAL == set(EXPECTED)


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("xml", (CORPUS / "billion-laughs.rdf").read_bytes()),
        ("xml", (CORPUS / "xxe-http.rdf").read_bytes()),
        ("json-ld", (CORPUS / "import.jsonld").read_bytes()),
        ("json-ld", (CORPUS / "remote-context-scoped.jsonld").read_bytes()),
    ],
)
def test_parse_graph_refuses_before_parsing(fmt: str, data: bytes, no_network: list[Any]) -> None:
    with pytest.raises(ReadError, match=r"DTD or entities|remote @context"):
        parse_graph(data, fmt, source="upload")
    assert no_network == []


def test_external_entity_without_doctype_check_is_not_fetched(no_network: list[Any]) -> None:
    """What rdflib's own RDF/XML parser does with an external entity (the reason for the
    DOCTYPE check is entity expansion; expat does not fetch, as this records)."""
    from rdflib import Graph

    graph = Graph().parse(data=(CORPUS / "xxe-http.rdf").read_bytes(), format="xml")
    assert [str(o) for o in graph.objects()] == [""]
    assert no_network == []


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.nt"
    line = b"<http://e/s> <http://e/p> <http://e/o> .\n"
    path.write_bytes(line * 100)
    with pytest.raises(ReadError, match=r"the limit is 1000 bytes \(max_bytes=1000"):
        dcat.read(path, max_bytes=1000)
    with pytest.raises(ReadError, match="max_bytes=1000"):
        parse_graph(path.read_bytes(), "nt", max_bytes=1000)
    assert len(read_graph(path, max_bytes=len(line) * 100)) == 1


@pytest.mark.parametrize("fmt", ["turtle", "nt", "xml", "json-ld"])
def test_triple_limit(fmt: str) -> None:
    from rdflib import Graph

    graph = Graph()
    for i in range(30):
        graph.add((URIRef(f"http://e/{i}"), URIRef("http://e/p"), URIRef("http://e/o")))
    data = graph.serialize(format=fmt, encoding="utf-8")
    assert len(parse_graph(data, fmt, max_triples=30)) == 30
    with pytest.raises(ReadError, match="more than 29 triples"):
        parse_graph(data, fmt, max_triples=29)


def test_many_xml_references_are_refused() -> None:
    from cdinterop.dcat import _files as files

    body = (CORPUS / "xxe-file.rdf").read_text().split("\n", 2)[2]
    data = body.replace("&x;", "&#65;" * (files.MAX_XML_REFERENCES + 1)).encode()
    with pytest.raises(ReadError, match="character or entity references"):
        parse_graph(data, "xml")


def test_syntax_error_has_line_number() -> None:
    data = b"@prefix ex: <http://e/> .\n\n\n\n\nex:a ex:b ex:c .\nex:a ex:b ;;; .\n"
    with pytest.raises(ReadError, match="not valid turtle at line 7"):
        parse_graph(data, "turtle")


def test_latin1_names_the_position() -> None:
    with pytest.raises(ReadError, match=r"byte 0xfc at line \d+, column \d+"):
        dcat.read(CORPUS / "latin1.ttl")


def test_unknown_suffix_with_format(no_network: list[Any]) -> None:
    graph = read_graph(CORPUS / "unknown-suffix.rdfx", format="turtle")
    assert len(list(graph.subjects(RDF.type, DATASET))) == 3
