"""Nulls are nulls in aggregation (issue 16): a unit record whose measure column is null
(or blank text) is left out of that measure's numerator and denominator, and the report
counts it per column (``null_values``, also in ``summary.json``)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from cdinterop.aggregate import AggregationSpec, aggregate
from cdinterop.model import ValueType

from .helpers import rows, target_structure, unit_records


def _spec(measure: dict[str, Any]) -> AggregationSpec:
    value_type = ValueType.INTEGER if measure["type"] in ("count", "sum") else ValueType.DECIMAL
    return AggregationSpec.model_validate(
        {
            "structure": target_structure({"SEX": ["F", "M"]}, value_type=value_type).model_dump(),
            "dimensions": {"SEX": {"from": "sex"}},
            "measure": measure,
            "contributor_count": "SAMPLE_SIZE",
        }
    )


TABLE = pa.table(
    {
        "sex": ["F", "F", "F", "M", "M", "M"],
        "answer": ["1", "0", None, "1", "  ", ""],
        "score": [2.0, None, 4.0, None, 6.0, 8.0],
        "den": [1.0, 1.0, None, 2.0, 2.0, None],
    }
)


def _cells(measure: dict[str, Any]) -> tuple[dict[str, tuple[Any, Any]], dict[str, int]]:
    result = aggregate(unit_records(TABLE), _spec(measure))
    cells = {r["SEX"]: (r["OBS_VALUE"], r["SAMPLE_SIZE"]) for r in rows(result.dataset)}
    assert result.report.to_dict()["null_values"] == result.report.null_values
    return cells, result.report.null_values


def test_a_proportion_leaves_null_and_blank_answers_out_of_the_denominator() -> None:
    cells, nulls = _cells(
        {"type": "proportion", "column": "answer", "values": ["1"], "scale": "share"}
    )
    # F: 1 of 2 answers (one null); M: 1 of 1 answer (one blank, one empty)
    assert cells == {"F": (0.5, 2), "M": (1.0, 1), "_T": (pytest.approx(2 / 3), 3)}
    assert nulls == {"answer": 3}


def test_a_mean_and_a_sum_leave_nulls_out() -> None:
    cells, nulls = _cells({"type": "mean", "column": "score"})
    assert cells == {"F": (3.0, 2), "M": (7.0, 2), "_T": (5.0, 4)}
    assert nulls == {"score": 2}
    cells, nulls = _cells({"type": "sum", "column": "score"})
    assert cells == {"F": (6, 2), "M": (14, 2), "_T": (20, 4)}
    assert nulls == {"score": 2}


def test_a_ratio_counts_nulls_per_column_and_a_count_has_none() -> None:
    _, nulls = _cells({"type": "ratio", "numerator": "score", "denominator": "den"})
    assert nulls == {"score": 2, "den": 2}
    cells, nulls = _cells({"type": "count"})
    assert cells == {"F": (3, 3), "M": (3, 3), "_T": (6, 6)}
    assert nulls == {}
