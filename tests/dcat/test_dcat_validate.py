"""`cdinterop validate` on RDF (DCAT) files: SHACL results as located issues, a summary,
exit codes (violations 1, warnings 0, unreadable 2)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from typer.testing import CliRunner

import cdinterop
from cdinterop import dcat
from cdinterop._cli import app
from cdinterop.checking import RDF_KIND, check_file, checker_for
from cdinterop.dcat._shacl import failures, issue_from_result, summarize, validate_graph
from cdinterop.errors import Issue, ReadError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/dataset.json"))
LITTER = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"
DCAT_AP = ROOT.parent / "shared" / "standards" / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl"
SH = Namespace("http://www.w3.org/ns/shacl#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # open namespaces: pytest probes module names
DCTERMS = Namespace("http://purl.org/dc/terms/")
EX = Namespace("https://example.org/x/")
runner = CliRunner()


def _has_default_shapes() -> bool:
    try:
        module = importlib.import_module("cdinterop.dcat._vocabulary")
    except ImportError:
        return False
    return hasattr(module, "shapes_graph")


# Every RDF check starts from cdinterop's own shapes (cdinterop.dcat._vocabulary).
pytestmark = pytest.mark.skipif(
    not _has_default_shapes(), reason="cdinterop.dcat._vocabulary.shapes_graph not available yet"
)
needs_dcat_ap = pytest.mark.skipif(
    not DCAT_AP.is_file(), reason=f"official DCAT-AP 3.0.1 shapes not found at {DCAT_AP}"
)

WARNING_SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ex: <https://example.org/shapes#> .

ex:DatasetAdvice a sh:NodeShape ;
    sh:targetClass dcat:Dataset ;
    sh:property [ sh:path dcat:spatialResolutionInMeters ; sh:minCount 1 ;
                  sh:severity sh:Warning ] ,
                [ sh:path dcat:temporalResolution ; sh:minCount 1 ; sh:severity sh:Warning ;
                  sh:message "say which standard the data set conforms to"@en ] .
"""

VIOLATION_SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix ex: <https://example.org/shapes#> .

ex:DatasetRule a sh:NodeShape ;
    sh:targetClass dcat:Dataset ;
    sh:property [ sh:path dcat:spatialResolutionInMeters ; sh:minCount 2 ] .
"""


def _invoke(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", *(str(a) for a in args)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _written(tmp_path: Path, suffix: str, source: Path = LITTER) -> Path:
    return dcat.write(cdinterop.load(source), tmp_path / f"x{suffix}")


def _without_title(tmp_path: Path) -> Path:
    graph = Graph().parse(_written(tmp_path, ".ttl"), format="turtle")
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    graph.remove((dataset, DCTERMS.title, None))
    target = tmp_path / "no-title.ttl"
    graph.serialize(target, format="turtle")
    return target


# -- recognising RDF files -------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".ttl", ".jsonld", ".rdf", ".nt"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.parent.name)
def test_written_examples_are_valid(tmp_path: Path, suffix: str, example: Path) -> None:
    path = _written(tmp_path, suffix, example)
    code, output = _invoke(path)
    assert code == 0, output
    assert "RDF" in output and "valid" in output
    assert "0 violations" in output


def test_jsonld_and_rdfxml_are_recognised_by_content(tmp_path: Path) -> None:
    graph = dcat.to_graph(cdinterop.load(LITTER))
    as_json = tmp_path / "described.json"
    as_json.write_text(graph.serialize(format="json-ld", context={"dcat": str(DCAT)}))
    as_xml = tmp_path / "described.xml"
    as_xml.write_bytes(graph.serialize(format="xml", encoding="utf-8"))
    for path in (as_json, as_xml):
        assert checker_for(path).name == RDF_KIND
        assert check_file(path) == (RDF_KIND, [])


def test_other_json_and_xml_keep_their_checkers(tmp_path: Path) -> None:
    assert checker_for(LITTER).name != RDF_KIND
    for text in (
        '<?xml version="1.0"?>\n<root xmlns:rdf="x"><RDF/></root>\n',
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="https://not.rdf.example/"/>\n',
    ):
        plain = tmp_path / "plain.xml"
        plain.write_text(text)
        with pytest.raises(ReadError, match="not a kind of file cdinterop checks"):
            checker_for(plain)


def test_jsonld_key_only_in_nested_object_is_not_jsonld(tmp_path: Path) -> None:
    path = tmp_path / "nested.json"
    path.write_text(json.dumps({"id": "X", "notes": {"@context": "not at the top"}}))
    assert checker_for(path).name != RDF_KIND


# -- SHACL results, exit codes ---------------------------------------------------------


@needs_dcat_ap
@pytest.mark.parametrize("suffix", [".ttl", ".jsonld", ".rdf", ".nt"])
def test_examples_conform_to_dcat_ap(tmp_path: Path, suffix: str) -> None:
    code, output = _invoke(_written(tmp_path, suffix), "--shapes", DCAT_AP)
    assert code == 0, output


@needs_dcat_ap
def test_missing_title_is_a_located_violation(tmp_path: Path) -> None:
    code, output = _invoke(_without_title(tmp_path), "--shapes", DCAT_AP)
    assert code == 1, output
    assert "dct:title" in output and "missing" in output  # table cells may wrap
    assert "1 violation" in output


@needs_dcat_ap
def test_json_report_has_issues_and_counts(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["validate", str(_without_title(tmp_path)), "--shapes", str(DCAT_AP), "--json"]
    )
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["kind"] == RDF_KIND
    assert report["valid"] is False
    assert report["counts"]["shacl-violation"] == 1
    assert report["shacl"]["violations"] == 1
    assert report["shacl"]["most_frequent"][0] == {"path": "dct:title", "count": 1}
    violation = next(i for i in report["issues"] if i["code"] == "shacl-violation")
    assert violation["location"] == "dataset:DF_MARINE_LITTER_GH dct:title"
    assert violation["component"] == "dct:title"
    assert violation["message"] == "missing (at least 1 required)"
    # the structural check: the data set no longer reads back
    assert any(i["code"] == "dcat-read" for i in report["issues"])


def test_warnings_only_is_valid(tmp_path: Path) -> None:
    shapes = tmp_path / "advice.ttl"
    shapes.write_text(WARNING_SHAPES)
    code, output = _invoke(_written(tmp_path, ".ttl"), "--shapes", shapes)
    assert code == 0, output
    assert "0 violations, 2 warnings" in output
    assert "dcat:spatialResolutionInMeters" in output and "dcat:temporalResolution" in output
    assert "say which standard" in output


def test_own_shapes_violation_fails(tmp_path: Path) -> None:
    shapes = tmp_path / "rule.ttl"
    shapes.write_text(VIOLATION_SHAPES)
    warn = tmp_path / "advice.ttl"
    warn.write_text(WARNING_SHAPES)
    args = ["validate", str(_written(tmp_path, ".nt")), "--shapes", str(shapes)]
    result = runner.invoke(app, [*args, "--shapes", str(warn), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["shacl"]["violations"] == 1 and report["shacl"]["warnings"] == 2
    codes = [i["code"] for i in report["issues"]]
    assert codes == sorted(codes, key=["shacl-violation", "shacl-warning"].index)
    assert report["issues"][0]["message"] == "missing (at least 2 required)"


# -- unreadable input ------------------------------------------------------------------


def test_garbage_turtle_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "garbage.ttl"
    path.write_text("@prefix dcat: <http://www.w3.org/ns/dcat#> .\nthis is { not turtle\n")
    code, output = _invoke(path)
    assert code == 2
    assert "cannot read" in output


def test_remote_jsonld_context_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps({"@context": "https://example.org/context.jsonld", "@id": "x"}))
    code, output = _invoke(path)
    assert code == 2
    assert "cannot read" in output and "context" in output


def test_unreadable_shapes_file(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("not turtle at all {")
    code, output = _invoke(_written(tmp_path, ".ttl"), "--shapes", shapes)
    assert code == 2
    assert "cannot read" in output and "shapes.ttl" in output


def test_shapes_on_a_data_set_json_is_a_usage_error(tmp_path: Path) -> None:
    shapes = tmp_path / "rule.ttl"
    shapes.write_text(VIOLATION_SHAPES)
    code, output = _invoke(LITTER, "--shapes", shapes)
    assert code == 2
    assert "RDF files only" in output
    with pytest.raises(ValueError, match="RDF files only"):
        check_file(LITTER, shapes=[shapes])


def test_broken_structure_literal_is_an_issue(tmp_path: Path) -> None:
    graph = Graph().parse(_written(tmp_path, ".ttl"), format="turtle")
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    graph.set((dataset, dcat.CDI.structureJson, Literal("{not json")))
    path = tmp_path / "broken.ttl"
    graph.serialize(path, format="turtle")
    _kind, issues = check_file(path)
    assert [i.code for i in failures(issues)] == ["dcat-read"]


# -- unit: report results as issues ----------------------------------------------------


def _report(*results: dict[URIRef, object]) -> tuple[Graph, list[BNode]]:
    report = Graph()
    nodes = []
    for fields in results:
        node = BNode()
        report.add((BNode(), SH.result, node))
        for prop, value in fields.items():
            assert isinstance(value, (URIRef, Literal, BNode))
            report.add((node, prop, value))
        nodes.append(node)
    return report, nodes


def test_issue_from_result_shortens_and_explains() -> None:
    data = Graph()
    data.bind("dct", DCTERMS)
    data.bind("ex", EX)
    shapes = Graph()
    shape = BNode()
    shapes.add((shape, SH.minCount, Literal(1)))
    report, (node,) = _report(
        {
            SH.resultSeverity: SH.Violation,
            SH.focusNode: EX.ds,
            SH.resultPath: DCTERMS.title,
            SH.sourceShape: shape,
            SH.sourceConstraintComponent: SH.MinCountConstraintComponent,
            SH.resultMessage: Literal("Less than 1 values on ex:ds->dct:title"),
        }
    )
    issue = issue_from_result(report, node, data=data, shapes=shapes)
    assert issue == Issue(
        "ex:ds dct:title",
        "shacl-violation",
        "missing (at least 1 required)",
        None,
        None,
        "dct:title",
    )


def test_issue_from_result_uses_the_shapes_own_message_and_value() -> None:
    data = Graph()
    data.bind("dcat", DCAT)
    shapes = Graph()
    shape = URIRef("https://example.org/shapes#ThemeShape")
    shapes.add((shape, SH.message, Literal("use an EU data theme", lang="en")))
    report, (node,) = _report(
        {
            SH.resultSeverity: SH.Warning,
            SH.focusNode: URIRef("https://unbound.example/ds"),
            SH.resultPath: DCAT.theme,
            SH.value: URIRef("https://unbound.example/theme/T"),
            SH.sourceShape: shape,
            SH.sourceConstraintComponent: SH.InConstraintComponent,
            SH.resultMessage: Literal("use an EU data theme", lang="en"),
        }
    )
    issue = issue_from_result(report, node, data=data, shapes=shapes)
    assert issue.location == "<https://unbound.example/ds> dcat:theme"
    assert (issue.code, issue.message) == ("shacl-warning", "use an EU data theme")
    assert issue.value == "<https://unbound.example/theme/T>"


def test_issue_from_result_sequence_path_and_blank_focus() -> None:
    data = Graph()
    data.bind("dcat", DCAT)
    data.bind("ex", EX)
    distribution = BNode()
    data.add((EX.ds, DCAT.distribution, distribution))
    report, (node,) = _report(
        {
            SH.resultSeverity: SH.Info,
            SH.focusNode: distribution,
            SH.sourceConstraintComponent: SH.ClosedConstraintComponent,
        }
    )
    path = BNode()
    Collection(report, path, [DCAT.accessService, DCAT.endpointURL])
    report.add((node, SH.resultPath, path))
    issue = issue_from_result(report, node, data=data, shapes=Graph())
    assert issue.location == "ex:ds/dcat:distribution[] dcat:accessService/dcat:endpointURL"
    assert issue.code == "shacl-info"
    assert issue.message == "property not allowed by the closed shape"


def test_validate_graph_sorts_and_summarize_counts() -> None:
    data = Graph()
    data.bind("ex", EX)
    data.bind("dcat", DCAT)
    data.bind("dct", DCTERMS)
    for name in ("b", "a"):
        data.add((EX[name], RDF.type, DCAT.Dataset))
    shapes = Graph().parse(data=VIOLATION_SHAPES, format="turtle")
    shapes += Graph().parse(data=WARNING_SHAPES, format="turtle")
    issues = validate_graph(data, shapes, source="test")
    assert [(i.code, i.location) for i in issues][:2] == [
        ("shacl-violation", "ex:a dcat:spatialResolutionInMeters"),
        ("shacl-violation", "ex:b dcat:spatialResolutionInMeters"),
    ]
    assert validate_graph(data, shapes, source="test") == issues
    summary = summarize(issues)
    assert (summary.violations, summary.warnings, summary.infos) == (2, 4, 0)
    assert str(summary) == (
        "2 violations, 4 warnings; most frequent: dcat:spatialResolutionInMeters (4), "
        "dcat:temporalResolution (2)"
    )
    assert len(failures(issues)) == 2
