"""The summary `convert()` hands its caller is a typed model (`ConvertSummary`) whose JSON form
is ``summary.json``: the same keys as when it was a dict, the parts a run did not have left
out, and read back by ``model_validate``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from cdinterop.aggregate import AggregationReport
from cdinterop.convert import (
    ConformCounts,
    ConvertError,
    ConvertResult,
    ConvertSummary,
    FormulaTextCount,
    WrittenFile,
    convert,
)
from cdinterop.ingest import IngestError, IngestSummary

ROOT = Path(__file__).resolve().parents[1]
SUBMISSION = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"
KEY = b"a-long-secret-key-for-the-tests"

INGEST_KEYS = [
    "source",
    "layout",
    "sha256",
    "spec",
    "rows_read",
    "accepted",
    "filtered",
    "rejected",
    "filtered_by_rule",
    "rejected_by_column",
    "seconds",
    "quality",
]


def _ingest_counts() -> IngestSummary:
    return IngestSummary(
        source="s.csv",
        layout="csv",
        sha256="ab" * 32,
        spec_id="spec",
        spec_version="1.0",
        rows_read=10,
        accepted=7,
        filtered=2,
        rejected=1,
        filtered_by_rule={"not-approved": 2},
        rejected_by_column={"age": 1},
        seconds=0.12345,
    )


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[ConvertResult, Path]:
    out = tmp_path_factory.mktemp("convert") / "out"
    return convert(SUBMISSION, SPEC, out, key=KEY, base_url="https://example.org/x/"), out


def test_summary_json_is_the_json_form_of_the_summary(
    converted: tuple[ConvertResult, Path],
) -> None:
    result, out = converted
    summary = result.summary
    assert isinstance(summary, ConvertSummary)
    text = (out / "summary.json").read_text(encoding="utf-8")
    assert text == summary.to_json()
    data = json.loads(text)
    assert data == summary.to_dict() == summary.model_dump(mode="json")
    # the keys (and their order) of the summary.json convert wrote when it was a dict
    assert list(data) == ["ingest", "aggregate", "formula_text", "files", "outputs", "quality"]
    assert list(data["ingest"]) == INGEST_KEYS
    assert data["ingest"]["spec"] == {"id": "services-survey-kobo", "version": "1.0"}
    assert (data["ingest"]["rows_read"], data["ingest"]["accepted"]) == (972, 958)
    assert list(data["aggregate"]) == [
        "rows_in",
        "groupings",
        "cells",
        "published",
        "primary_suppressed",
        "secondary_suppressed",
        "missing",
        "audit_complete",
        "seconds",
        "null_values",
        "indicators",
        "cells_published",
        "observations",
    ]
    assert data["aggregate"]["null_values"] == {"SATISFIED": 0}
    agg = data["aggregate"]
    assert (agg["indicators"], agg["cells_published"], agg["observations"]) == (
        1,
        agg["published"],
        agg["cells"],
    )
    assert data["formula_text"] == [
        {"data": "unit records", "column": "GRID_CELL", "count": 819, "row": 0}
    ]
    assert data["outputs"] == ["sdmx", "datapackage", "dcat"]
    assert [f["path"] for f in data["files"]] == [f.path for f in result.files]
    assert all(list(f) == ["path", "bytes", "sha256"] for f in data["files"])


def test_the_summary_is_typed(converted: tuple[ConvertResult, Path]) -> None:
    summary = converted[0].summary
    assert summary.ingest.accepted == 958
    assert summary.ingest.rows_read == (
        summary.ingest.accepted + summary.ingest.filtered + summary.ingest.rejected
    )
    assert isinstance(summary.aggregate, AggregationReport)
    assert summary.aggregate.rows_in == 958
    assert summary.conform is None and not summary.failed and summary.sdmx_left_out == {}
    assert summary.formula_text == (
        FormulaTextCount(data="unit records", column="GRID_CELL", count=819, row=0),
    )
    assert summary.files == converted[0].files
    assert summary.outputs == ("sdmx", "datapackage", "dcat")


def test_summary_json_reads_back(converted: tuple[ConvertResult, Path]) -> None:
    result, out = converted
    text = (out / "summary.json").read_text(encoding="utf-8")
    again = ConvertSummary.model_validate(json.loads(text))
    assert again.to_json() == text
    assert again.ingest.spec_id == "services-survey-kobo"
    assert again.files == result.files


def test_the_json_form_is_read_as_before(converted: tuple[ConvertResult, Path]) -> None:
    summary = converted[0].summary
    assert summary["ingest"]["accepted"] == 958
    assert "aggregate" in summary and "conform" not in summary and "failed" not in summary
    with pytest.raises(KeyError):
        summary["conform"]


def test_the_parts_a_run_did_not_have_are_left_out() -> None:
    counts = _ingest_counts()
    bare = ConvertSummary(ingest=counts)
    assert bare.to_dict() == {"ingest": counts.to_dict(), "files": [], "outputs": []}
    assert bare.to_dict()["ingest"]["seconds"] == 0.123  # as IngestSummary.to_dict rounds
    full = ConvertSummary(
        ingest=counts,
        conform=ConformCounts(rows_in=5, rows_out=4),
        files=(WrittenFile("a.csv", 3, "cd" * 32),),
        sdmx_left_out={"structure-3.0.xml": "why"},
        outputs=("sdmx",),
    )
    assert full.to_dict() == {
        "ingest": counts.to_dict(),
        "conform": {"rows_in": 5, "rows_out": 4},
        "files": [{"path": "a.csv", "bytes": 3, "sha256": "cd" * 32}],
        "sdmx_left_out": {"structure-3.0.xml": "why"},
        "outputs": ["sdmx"],
    }
    rounded = dataclasses.replace(counts, seconds=0.123)
    assert ConvertSummary.model_validate(full.to_dict()) == full.model_copy(
        update={"ingest": rounded}
    )


def test_a_summary_is_frozen_and_refuses_unknown_parts() -> None:
    from pydantic import ValidationError

    summary = ConvertSummary(ingest=_ingest_counts())
    with pytest.raises(ValidationError):
        summary.outputs = ("sdmx",)  # type: ignore[misc]
    with pytest.raises(ValidationError, match="extra"):
        ConvertSummary.model_validate({**summary.to_dict(), "surprise": 1})


def test_a_failed_run_writes_the_failed_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(IngestError) as caught:
        convert(SUBMISSION, SPEC, out, key=KEY, max_rejected=0.001)
    assert caught.value.result is not None
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert sorted(data) == ["failed", "files", "ingest", "outputs"]
    assert data["failed"] is True and data["outputs"] == []
    assert [f["path"] for f in data["files"]] == ["rejects.csv"]
    assert data["ingest"] == caught.value.result.summary.to_dict()
    summary = ConvertSummary.model_validate(data)
    assert summary.failed and summary.to_dict() == data


def test_convert_error_carries_the_summary_so_far(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    text = SPEC.read_text(encoding="utf-8")
    spec.write_text(text.replace("[approved]", "[Approved]"), encoding="utf-8")
    with pytest.raises(ConvertError, match="no unit records to aggregate") as caught:
        convert(SUBMISSION, spec, tmp_path / "out", key=KEY)
    summary = caught.value.summary
    assert summary is not None
    assert summary.ingest.filtered == 972 and summary.ingest.accepted == 0
    assert list(summary.to_dict()) == ["ingest", "files", "outputs"]
    with pytest.raises(ConvertError) as early:
        convert(SUBMISSION, SPEC, tmp_path / "x", to=["nothing"], key=KEY)
    assert early.value.summary is None
