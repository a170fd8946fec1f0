"""The metric catalogue, the measurement model and the measuring functions on small inputs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

import cdinterop
from cdinterop.ingest import ingest
from cdinterop.model import (
    METRICS,
    QualityDimension,
    QualityMeasurement,
    QualityMetric,
)
from cdinterop.quality import RowCounts, measure_cells, measure_unit_records, rejected_by_reason

ROOT = Path(__file__).resolve().parents[2]
KEY = "a-long-secret-key-for-the-tests"


def test_every_metric_is_defined_with_a_unit_and_a_dimension() -> None:
    assert set(METRICS) == set(QualityMetric)
    for metric, definition in METRICS.items():
        assert definition.definition.endswith(".") and len(definition.definition) > 40
        assert definition.unit in {"ratio", "days"}
        assert isinstance(definition.dimension, QualityDimension)
        QualityMeasurement(metric=metric.value, value=0)  # a valid metric id


def test_old_measurements_stay_readable() -> None:
    old = {"metric": "COMPLETENESS", "value": 0.9, "unit": "percent"}
    read = QualityMeasurement.model_validate(old)
    assert read.component is None and read.qualifier is None
    assert read.model_dump(mode="json", exclude_none=True) == old
    with pytest.raises(ValueError):
        QualityMeasurement(metric="X", value=1, component="1bad")
    with pytest.raises(ValueError):
        QualityMeasurement(metric="X", value=1, qualifier="")


@dataclass(frozen=True)
class _Cells:
    cells: int
    cells_published: int
    primary_suppressed: int
    secondary_suppressed: int


def test_cell_rates() -> None:
    at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    measured = measure_cells(_Cells(8, 4, 3, 1), computed_at=at)
    assert [(m.metric, m.value) for m in measured] == [
        ("CELL_PUBLICATION_RATE", 0.5),
        ("PRIMARY_SUPPRESSION_RATE", 0.375),
        ("SECONDARY_SUPPRESSION_RATE", 0.125),
    ]
    assert all(m.computed_at == at and m.unit == "ratio" for m in measured)
    assert measure_cells(_Cells(0, 0, 0, 0)) == []


def test_rejected_rows_are_counted_once_per_reason() -> None:
    rejects = pa.table(
        {
            "row": pa.array([1, 1, 2, 3, 3], pa.int64()),
            "code": ["unmapped-value", "unmapped-value", "missing-value", "unmapped-value", "x"],
        }
    )
    assert rejected_by_reason(rejects) == {"unmapped-value": 2, "missing-value": 1, "x": 1}
    assert rejected_by_reason(rejects.slice(0, 0)) == {}


def test_without_rows_only_the_coverage_is_measured() -> None:
    """No rows read, no record, no coverage dates: no share of rows, completeness or
    timeliness (nothing to divide by), and every code is missing."""
    counts = RowCounts(rows_read=0, rejected=0)
    assert counts.duplicates == 0
    example = cdinterop.load(ROOT / "examples" / "marine-litter-ghana" / "dataset.json")
    ds = example.replace(observations=[], attribute_values={}, temporal_coverage=None)
    measured = measure_unit_records(ds, counts)
    coded = [d.id for d in ds.structure.dimensions if ds.structure.codelist_of(d.id)]
    assert [(m.metric, m.component, m.value) for m in measured] == [
        ("CODE_COVERAGE", dim, 0.0) for dim in coded
    ]


def test_measurements_typed_in_the_spec_are_kept_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CDINTEROP_PSEUDONYM_KEY", KEY)
    spec = yaml.safe_load((ROOT / "mappings" / "beach-data-cards.yaml").read_text("utf-8"))
    typed = {"metric": "FIELD_CHECKS", "value": "passed", "dimension": "relevance"}
    spec["dataset"]["quality"] = {"measurements": [typed]}
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    result = ingest(ROOT / "examples" / "marine-litter-ghana" / "data-cards.xlsx", path)
    assert result.dataset.quality is not None
    measurements = result.dataset.quality.measurements
    assert measurements[0] == QualityMeasurement.model_validate(typed)
    assert measurements[1:] == result.summary.quality
    assert {m.metric for m in result.summary.quality} >= {"COMPLETENESS", "REJECTED_ROW_SHARE"}
