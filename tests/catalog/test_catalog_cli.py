"""``cdinterop catalog add | list | query | export`` through Typer's runner, on both back
ends: exit codes, messages, outputs; bad input gives one clear line and no traceback."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rdflib import Graph
from typer.testing import CliRunner

from cdinterop._cli import app

from .conftest import EXAMPLES, violations

runner = CliRunner()
IDS = ["DF_MARINE_LITTER_GH", "DF_SERVICE_SATISFACTION_KE"]


def _run(*words: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(w) for w in words], env={"COLUMNS": "200"})
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.output


@pytest.fixture
def filled(location: str, example_files: list[Path]) -> str:
    """A store holding the two examples."""
    code, output = _run("catalog", "add", *example_files, "--store", location)
    assert code == 0, output
    return location


def test_add_then_add_again(location: str, example_files: list[Path]) -> None:
    code, output = _run("catalog", "add", *example_files, "--store", location)
    assert code == 0, output
    assert "2 added, 0 replaced, 0 skipped" in output
    code, output = _run("catalog", "add", example_files[0].parent, "--store", location, "--json")
    assert code == 0, output
    report = json.loads(output)
    assert report["counts"] == {"added": 0, "replaced": 2, "skipped": 0, "failed": 0}


def test_a_malformed_file_exits_2_and_the_rest_is_harvested(
    location: str, example_files: list[Path], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('<a> <b> "unclosed .\n', encoding="utf-8")
    code, output = _run("catalog", "add", bad, example_files[0], "--store", location)
    assert code == 2
    assert "failed" in output and "not valid turtle" in output
    assert "1 added" in output


def test_skipped_data_sets_exit_1(location: str, tmp_path: Path) -> None:
    thin = tmp_path / "thin.ttl"
    thin.write_text(
        "<https://x.example/d> a <http://www.w3.org/ns/dcat#Dataset> .\n", encoding="utf-8"
    )
    code, output = _run("catalog", "add", thin, "--store", location)
    assert code == 1
    assert "skipped" in output and "dct:title" in output


def test_a_missing_file_exits_2(location: str, tmp_path: Path) -> None:
    code, output = _run("catalog", "add", tmp_path / "absent.ttl", "--store", location)
    assert code == 2
    assert "no such file" in output


def test_list(filled: str) -> None:
    code, output = _run("catalog", "list", "--store", filled)
    assert code == 0, output
    assert "2 data set(s)" in output and "DF_MARINE" in output
    code, output = _run("catalog", "list", "--store", filled, "--format", "json")
    assert [e["identifier"] for e in json.loads(output)] == IDS
    code, output = _run("catalog", "list", "--store", filled, "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(output)))
    assert [r["identifier"] for r in rows] == IDS
    assert {r["source"] for r in rows} == {
        "marine-litter-ghana.ttl",
        "public-services-satisfaction.ttl",
    }


def test_query(filled: str, tmp_path: Path) -> None:
    select = "SELECT ?id WHERE { ?d a dcat:Dataset ; dct:identifier ?id } ORDER BY ?id"
    code, output = _run("catalog", "query", select, "--store", filled)
    assert code == 0, output
    assert "2 row(s)" in output and IDS[0] in output
    code, output = _run("catalog", "query", select, "--store", filled, "--format", "json")
    bindings = json.loads(output)["results"]["bindings"]
    assert [b["id"]["value"] for b in bindings] == IDS
    code, output = _run("catalog", "query", select, "--store", filled, "--format", "csv")
    assert output.splitlines() == ["id", *IDS]
    code, output = _run("catalog", "query", "ASK { ?d a dcat:Dataset }", "--store", filled)
    assert (code, output.strip()) == (0, "true")
    query_file = tmp_path / "titles.rq"
    query_file.write_text("CONSTRUCT { ?d dct:title ?t } WHERE { ?d dct:title ?t }")
    code, output = _run("catalog", "query", f"@{query_file}", "--store", filled)
    assert code == 0 and len(Graph().parse(data=output, format="turtle")) >= 2


def test_bad_queries_exit_2(filled: str, tmp_path: Path) -> None:
    code, output = _run("catalog", "query", "SELECT ?x WHERE {", "--store", filled)
    assert code == 2 and "SPARQL" in output
    code, output = _run("catalog", "query", "CLEAR ALL", "--store", filled)
    assert code == 2 and "queries only" in output
    code, output = _run("catalog", "query", f"@{tmp_path / 'absent.rq'}", "--store", filled)
    assert code == 2 and "absent.rq" in output


def test_export(filled: str, tmp_path: Path) -> None:
    target = tmp_path / "commons.ttl"
    description = EXAMPLES[0].parents[1] / "catalog.yaml"
    code, output = _run(
        "catalog", "export", "-o", target, "--store", filled, "--catalog", description
    )
    assert code == 0, output
    assert "catalogue of 2 data set(s) written" in output
    graph = Graph().parse(target, format="turtle")
    assert violations(graph) == []
    code, output = _run("catalog", "export", "-o", tmp_path / "c.nt", "--store", filled)
    assert code == 0 and (tmp_path / "c.nt").stat().st_size > 0
    code, output = _run("catalog", "export", "-o", tmp_path / "c.txt", "--store", filled)
    assert code == 2 and "suffix" in output


def test_an_unreachable_server_exits_2() -> None:
    for words in (["list"], ["query", "ASK {}"], ["export", "-o", "never.ttl"]):
        code, output = _run("catalog", *words, "--store", "http://127.0.0.1:9")
        assert code == 2, output
        assert "does not answer" in output
    assert not Path("never.ttl").exists()


def test_a_missing_store_exits_2(tmp_path: Path) -> None:
    code, output = _run("catalog", "list", "--store", tmp_path / "nothing")
    assert code == 2 and "no catalogue store here" in output
    assert not (tmp_path / "nothing").exists()


def test_the_store_from_the_environment(
    example_files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CDINTEROP_CATALOG_STORE", str(tmp_path / "env-store"))
    code, output = _run("catalog", "add", example_files[0])
    assert code == 0, output
    assert (tmp_path / "env-store").is_dir()
    code, output = _run("catalog", "list", "--format", "json")
    assert [e["identifier"] for e in json.loads(output)] == [IDS[0]]


def test_help_names_the_default_store() -> None:
    code, output = _run("catalog", "add", "--help")
    assert code == 0
    assert "CDINTEROP_CATALOG_STORE" in output and "catalog-store" in output
