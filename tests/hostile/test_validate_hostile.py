"""`cdinterop validate` on hostile input: many issues are deduplicated in linear time, and a
truncated DCAT description cdinterop wrote is invalid (exit 1), as ``dcat read`` refuses it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import RDF
from typer.testing import CliRunner

import cdinterop
from cdinterop import dcat
from cdinterop._cli import app
from cdinterop.checking import _add_new_issues, check_file, failures
from cdinterop.dcat import CDI
from cdinterop.errors import Issue, ReadError

ROOT = Path(__file__).resolve().parents[2]
LITTER = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # open: pytest probes closed namespaces
runner = CliRunner()


# -- deduplication ---------------------------------------------------------------------


def test_new_issues_keep_order_and_drop_repeats() -> None:
    first = Issue("observations[0].X", "unknown-code", "not in CL", ["a", "list"], 0, "X")
    second = Issue("observations[1].X", "unknown-code", "not in CL", {"a": 1}, 1, "X")
    issues = [first]
    same_as_first = Issue("observations[0].X", "unknown-code", "not in CL", ["a", "list"], 0, "X")
    _add_new_issues(issues, [second, same_as_first, second])
    assert issues == [first, second]


def test_100k_issues_are_merged_quickly() -> None:
    """The old ``issue not in issues`` scan took minutes for 100,000 issues."""

    def issue(i: int, component: str, value: object) -> Issue:
        return Issue(f"observations[{i}].{component}", "unknown-code", "bad", value, i, component)

    old = [issue(i, "X", [i]) for i in range(100_000)]
    new = [issue(i, "X", [i]) for i in range(100_000)]
    new += [issue(i, "Y", {"v": i}) for i in range(3)]
    issues = list(old)
    start = time.perf_counter()
    _add_new_issues(issues, new)
    assert time.perf_counter() - start < 5
    assert len(issues) == 100_003
    assert [i.component for i in issues[-3:]] == ["Y", "Y", "Y"]


# -- truncated DCAT descriptions -------------------------------------------------------


def _written_graph(tmp_path: Path) -> tuple[Graph, Path]:
    path = dcat.write(cdinterop.load(LITTER), tmp_path / "written.ttl")
    return Graph().parse(path, format="turtle"), path


def _save(graph: Graph, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    graph.serialize(target, format="turtle")
    return target


def test_written_graph_is_valid(tmp_path: Path) -> None:
    _, path = _written_graph(tmp_path)
    _kind, issues = check_file(path)
    assert failures(issues) == []


@pytest.mark.parametrize(
    ("lost", "says"),
    [
        ("structure", "no cdi:structureJson"),
        ("type", "no rdf:type dcat:Dataset"),
        ("both", "no cdi:structureJson"),
    ],
)
def test_truncated_description_is_invalid(tmp_path: Path, lost: str, says: str) -> None:
    graph, _ = _written_graph(tmp_path)
    node = next(graph.subjects(CDI.coreJson, None))
    if lost in ("structure", "both"):
        graph.remove((node, CDI.structureJson, None))
    if lost in ("type", "both"):
        graph.remove((node, RDF.type, DCAT.Dataset))
    path = _save(graph, tmp_path, "truncated.ttl")
    _kind, issues = check_file(path)
    found = [i for i in failures(issues) if i.code == "dcat-read"]
    assert len(found) == 1, issues
    assert says in found[0].message and "truncated?" in found[0].message
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "truncated?" in result.output


def test_dcat_read_refuses_what_validate_refuses(tmp_path: Path) -> None:
    graph, _ = _written_graph(tmp_path)
    node = next(graph.subjects(CDI.coreJson, None))
    graph.remove((node, CDI.structureJson, None))
    with pytest.raises(ReadError, match="truncated"):
        dcat.from_graph(graph)


def test_only_core_json_left(tmp_path: Path) -> None:
    """Everything lost but one literal: still recognised as cdinterop's, and invalid."""
    graph, _ = _written_graph(tmp_path)
    node, core = next(iter(graph.subject_objects(CDI.coreJson)))
    kept = Graph()
    kept.namespace_manager = graph.namespace_manager
    kept.add((node, CDI.coreJson, core))
    path = _save(kept, tmp_path, "one-triple.ttl")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "cdi:coreJson" in result.output
