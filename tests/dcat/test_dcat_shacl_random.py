"""Random data sets (``cdinterop.testing.citizen_datasets``) give DCAT graphs with no
Violation against the official DCAT-AP 3.0.1 SHACL shapes (``dcat-ap-SHACL.ttl``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from rdflib import Graph, Namespace

import cdinterop
from cdinterop import dcat
from cdinterop.model import CitizenDataset
from cdinterop.testing import citizen_datasets

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ROOT.parent / "shared" / "standards" / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl"
EXAMPLE = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"
SH = Namespace("http://www.w3.org/ns/shacl#")

pytestmark = pytest.mark.skipif(
    not SHAPES.is_file(), reason=f"official DCAT-AP 3.0.1 shapes not found at {SHAPES}"
)


@cache
def _shapes() -> Graph:
    """The shapes graph, parsed once per test session (parsing it takes seconds)."""
    return Graph().parse(SHAPES, format="turtle")


def _violations(data: Graph) -> list[str]:
    """Shape, focus node, path and message of every result of severity sh:Violation."""
    from pyshacl import validate

    _conforms, report, _text = validate(
        data, shacl_graph=_shapes(), inference="none", advanced=True
    )
    assert isinstance(report, Graph)
    return sorted(
        f"shape={report.value(r, SH.sourceShape)} focus={report.value(r, SH.focusNode)} "
        f"path={report.value(r, SH.resultPath)}: {report.value(r, SH.resultMessage)}"
        for r in report.subjects(SH.resultSeverity, SH.Violation)
    )


SLOW = [HealthCheck.too_slow]


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=SLOW,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
)
@given(citizen_datasets())
def test_random_dataset_has_no_violations(ds: CitizenDataset) -> None:
    assert _violations(dcat.to_graph(ds)) == []


def _described(ds: CitizenDataset) -> CitizenDataset:
    return ds if ds.description is not None else ds.replace(description=ds.title)


@settings(max_examples=10, deadline=None, suppress_health_check=SLOW)
@given(citizen_datasets().map(_described))
def test_random_described_dataset_has_no_violations(ds: CitizenDataset) -> None:
    """Apart from the missing description, random data sets conform."""
    assert _violations(dcat.to_graph(ds)) == []


@settings(max_examples=5, deadline=None, suppress_health_check=SLOW)
@given(citizen_datasets(complete=True))
def test_complete_random_dataset_has_no_violations(ds: CitizenDataset) -> None:
    assert _violations(dcat.to_graph(ds)) == []


def test_dataset_without_description_has_no_violations() -> None:
    """DCAT-AP requires dct:description; the title stands in and the round trip holds."""
    ds = cdinterop.load(EXAMPLE).replace(description=None, observations=[])
    graph = dcat.to_graph(ds)
    assert _violations(graph) == []
    assert dcat.from_graph(graph) == ds


SPLIT = [SHAPES.parent / name for name in ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl")]


@cache
def _split_shapes() -> Graph:
    graph = Graph()
    for path in SPLIT:
        graph.parse(path, format="turtle")
    return graph


@pytest.mark.skipif(
    not all(p.is_file() for p in SPLIT), reason=f"split-form shapes not found in {SHAPES.parent}"
)
@settings(max_examples=8, deadline=None, suppress_health_check=SLOW, database=None)
@given(citizen_datasets())
def test_random_dataset_has_no_violations_split_form(ds: CitizenDataset) -> None:
    """The split form too: no top-level result of severity Violation (nested sh:detail
    results only explain a Warning of the vocabulary shape)."""
    from pyshacl import validate

    _conforms, report, text = validate(
        dcat.to_graph(ds), shacl_graph=_split_shapes(), inference="none", advanced=True
    )
    assert isinstance(report, Graph)
    top = [
        r for r in report.objects(None, SH.result) if (r, SH.resultSeverity, SH.Violation) in report
    ]
    assert top == [], text
