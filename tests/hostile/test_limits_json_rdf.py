"""Reader limits of whole documents: JSON and YAML nesting checked before parsing, the
``bytes`` limit checked before reading, RDF triples counted while parsing, a truncated
description of a cdinterop data set refused, user SHACL with SPARQL stopped at
``seconds``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import rdflib
from typer.testing import CliRunner

import cdinterop
from cdinterop import dcat, limits
from cdinterop._cli import app
from cdinterop.dcat import CDI
from cdinterop.errors import ReadError
from cdinterop.limits import LimitExceeded
from cdinterop.mapping import ConformanceSpec, load_spec, loads_spec
from cdinterop.model import CitizenDataset

ROOT = Path(__file__).resolve().parents[2]
MARINE = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"
runner = CliRunner()


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ("[" * 201 + "]" * 201, True),
        ("[" * 200 + "]" * 200, False),
        ('{"a":' * 150 + "[" * 51 + "]" * 51 + "}" * 150, True),
        ('["' + "[" * 500 + '"]', False),  # brackets inside a string
        ('["\\\\", ' + "[" * 300 + "]" * 300 + "]", True),  # an escaped backslash
        ('["\\"[[[", ' + "[" * 100 + "]" * 100 + "]", False),  # an escaped quote
        ("[" * 100_000, True),
    ],
)
def test_json_nesting_is_checked_before_parsing(text: str, deep: bool) -> None:
    if deep:
        with pytest.raises(LimitExceeded, match="nesting = 200"):
            limits.check_json_nesting(text, "x.json")
    else:
        limits.check_json_nesting(text, "x.json")
        limits.check_json_nesting(text.encode(), "x.json")


def test_a_deep_dataset_json_names_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"id": ' + "[" * 300 + "]" * 300 + "}", encoding="utf-8")
    with pytest.raises(LimitExceeded, match="nested too deeply") as caught:
        cdinterop.load(path)
    assert caught.value.limit == "nesting"
    with limits.use(nesting=400), pytest.raises(Exception) as other:
        cdinterop.load(path)
    assert not isinstance(other.value, LimitExceeded)


def test_a_dataset_json_beyond_bytes_is_refused_before_reading(tmp_path: Path) -> None:
    with limits.use(bytes=1000), pytest.raises(LimitExceeded, match="limit bytes"):
        cdinterop.load(MARINE)
    assert cdinterop.load(MARINE).id


def test_a_deep_yaml_spec_names_the_limit(tmp_path: Path) -> None:
    block = "".join("  " * i + f"k{i}:\n" for i in range(250)) + "  " * 250 + "v\n"
    with pytest.raises(LimitExceeded, match=r"line \d+: nested too deeply"):
        loads_spec(block, ConformanceSpec, source="spec.yaml")
    path = tmp_path / "spec.yaml"
    path.write_text("id: " + "[" * 300 + "]" * 300 + "\n", encoding="utf-8")
    with pytest.raises(LimitExceeded, match="limit nesting"):
        load_spec(path, ConformanceSpec)
    with limits.use(bytes=10), pytest.raises(LimitExceeded, match="limit bytes"):
        load_spec(path, ConformanceSpec)


def test_deep_json_literals_in_dcat_are_refused(tmp_path: Path) -> None:
    ds = cdinterop.load(MARINE)
    graph = dcat.to_graph(ds)
    node = next(graph.subjects(CDI.structureJson, None))
    graph.set((node, CDI.qualityJson, rdflib.Literal("[" * 50_000 + "]" * 50_000)))
    path = tmp_path / "deep.ttl"
    graph.serialize(path, format="turtle")
    with pytest.raises(LimitExceeded, match="cdi:qualityJson: nested too deeply"):
        dcat.read(path)


def test_a_deep_jsonld_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonld"
    path.write_text('{"@context": {}, "x": ' + "[" * 5000 + "]" * 5000 + "}", encoding="utf-8")
    with pytest.raises(LimitExceeded, match="limit nesting"):
        dcat.read_graph(path)


def test_triples_are_counted_while_parsing(tmp_path: Path) -> None:
    path = tmp_path / "many.nt"
    path.write_text(
        "".join(f"<urn:s{i}> <urn:p> <urn:o> .\n" for i in range(500)), encoding="utf-8"
    )
    with limits.use(triples=100), pytest.raises(LimitExceeded, match="limit triples = 100"):
        dcat.read_graph(path)
    assert len(dcat.read_graph(path)) == 500
    with limits.use(bytes=1000), pytest.raises(LimitExceeded, match="limit bytes"):
        dcat.read_graph(path)
    with pytest.raises(ReadError, match="max_triples=10"):
        dcat.read_graph(path, max_triples=10)  # an explicit limit keeps its message


def _lines(tmp_path: Path, dataset: CitizenDataset) -> list[str]:
    path = tmp_path / "full.nt"
    dcat.write(dataset, path)
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_a_truncated_description_of_ours_is_never_read_as_third_party(
    tmp_path: Path,
) -> None:
    ds = cdinterop.load(MARINE)
    lines = _lines(tmp_path, ds)
    structure = next(i for i, line in enumerate(lines) if "structureJson" in line)
    others = [i for i, line in enumerate(lines) if "Json>" in line and i != structure]
    # every line but the one with cdi:structureJson: a description cut before it
    kept = [line for i, line in enumerate(lines) if i != structure]
    cut = tmp_path / "cut.nt"
    cut.write_text("".join(kept), encoding="utf-8")
    assert others
    with pytest.raises(ReadError, match="no cdi:structureJson: a description cdinterop wrote"):
        dcat.read(cut)
    for end in range(max(others) + 1, len(lines), 7):
        part = tmp_path / "part.nt"
        part.write_text("".join(kept[:end]), encoding="utf-8")
        graph = rdflib.Graph().parse(part, format="nt")
        if (None, rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/dcat#Dataset")) in graph:
            with pytest.raises(ReadError, match="cdinterop wrote"):
                dcat.read(part)


SLOW_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix ex: <http://example.org/shapes#> .
ex:Slow a sh:NodeShape ;
  sh:targetClass dcat:Dataset ;
  sh:sparql [
    a sh:SPARQLConstraint ;
    sh:message "cartesian" ;
    sh:select \"\"\"SELECT $this WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l .
      FILTER(?c = ?l && ?a != ?j) }\"\"\" ;
  ] .
"""

EVERY_DATASET = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix ex: <http://example.org/shapes#> .
ex:Flag a sh:NodeShape ;
  sh:targetClass dcat:Dataset ;
  sh:sparql [
    a sh:SPARQLConstraint ;
    sh:message "flagged by a SPARQL constraint" ;
    sh:select \"\"\"SELECT $this WHERE { $this a ?type }\"\"\" ;
  ] .
"""


@pytest.fixture
def description(tmp_path: Path) -> Path:
    path = tmp_path / "dataset.ttl"
    dcat.write(cdinterop.load(MARINE), path)
    return path


def test_user_sparql_shapes_are_stopped_at_the_time_limit(
    tmp_path: Path, description: Path, no_network: list[Any]
) -> None:
    shapes = tmp_path / "slow.ttl"
    shapes.write_text(SLOW_SHAPES, encoding="utf-8")
    start = time.perf_counter()
    with limits.use(seconds=2):
        result = runner.invoke(app, ["validate", str(description), "--shapes", str(shapes)])
    assert time.perf_counter() - start < 30
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "limit seconds = 2" in text and "--limit seconds=N" in text


def test_user_sparql_shapes_that_finish_report_their_results(
    tmp_path: Path, description: Path
) -> None:
    shapes = tmp_path / "flag.ttl"
    shapes.write_text(EVERY_DATASET, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(description), "--shapes", str(shapes)])
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "SHACL: 1 violation" in text and "shapes#Flag" in text
