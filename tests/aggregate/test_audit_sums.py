"""`cdinterop.aggregate.audit` on tables of sums: what the published values alone can and
cannot tell an attacker.

- Sums published unrounded add up: they are attacked (the litter example checks the
  intervals against the scipy attacker, in ``test_interval_protection.py``).
- Sums rounded to the published decimals do not add up exactly: the audit says so in a note
  and passes, instead of calling a protected output inconsistent.
- Suppressed sums may be negative while every published one is positive: unless the
  structure declares a minimum (``min_value``), the audit attacks sums unbounded below,
  and its intervals hold the true sums (pandas) whatever they are.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cdinterop.aggregate import AggregationSpec, aggregate, audit
from cdinterop.model import CitizenDataset, ValueType

from .helpers import target_structure, unit_records

DIMS = {"A": ["a0", "a1", "a2", "a3"], "B": ["b0", "b1", "b2"]}


def _summed(frame: pd.DataFrame, value_type: ValueType, **measure: Any) -> CitizenDataset:
    spec = AggregationSpec.model_validate(
        {
            "structure": target_structure(DIMS, value_type=value_type).model_dump(),
            "dimensions": {d: {"from": d} for d in DIMS},
            "measure": {"type": "sum", "column": "x", **measure},
            "contributor_count": "SAMPLE_SIZE",
            "disclosure": {"method": "cell_suppression", "threshold": 5},
        }
    )
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    return aggregate(unit_records(table), spec).dataset


def _frame(seed: int, values: np.ndarray) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "A": rng.choice(DIMS["A"], values.size, p=[0.4, 0.4, 0.15, 0.05]),
            "B": rng.choice(DIMS["B"], values.size, p=[0.5, 0.4, 0.1]),
            "x": values,
        }
    )


def test_sums_rounded_to_whole_numbers_are_noted_not_failed() -> None:
    rng = np.random.default_rng(0)  # a table whose rounded totals contradict their children
    frame = pd.DataFrame(
        {
            "A": rng.choice(DIMS["A"], 120, p=[0.4, 0.4, 0.15, 0.05]),
            "B": rng.choice(DIMS["B"], 120, p=[0.5, 0.4, 0.1]),
            "x": rng.uniform(0.0, 0.9, 120).round(3),
        }
    )
    ds = _summed(frame, ValueType.DECIMAL, decimals=0)
    report = audit(ds)
    assert report.ok and not report.problems
    assert any("do not add up exactly" in note for note in report.notes)
    assert {c.component for c in report.intervals} == {"SAMPLE_SIZE"}  # counts still attacked


def test_unrounded_sums_are_attacked() -> None:
    rng = np.random.default_rng(1)
    ds = _summed(_frame(1, rng.integers(0, 10, 120)), ValueType.INTEGER)
    report = audit(ds)
    assert report.ok and not report.notes
    assert {c.component for c in report.intervals} == {"SAMPLE_SIZE", "OBS_VALUE"}


@pytest.mark.parametrize("seed", range(8))
def test_negative_suppressed_sums_are_attacked_unbounded_below(seed: int) -> None:
    """Small cells hold losses: the published sums may all be positive while suppressed
    ones are negative; every interval must still hold the true sum."""
    rng = np.random.default_rng(seed)
    frame = _frame(seed, rng.integers(0, 10, 120))
    rare = (frame["A"] == "a3") | (frame["B"] == "b2")
    frame.loc[rare, "x"] = -rng.integers(5, 15, int(rare.sum()))
    ds = _summed(frame, ValueType.INTEGER)
    report = audit(ds)
    assert not report.problems, report.problems
    for cell in report.intervals:
        if cell.component != "OBS_VALUE":
            continue
        rows = frame
        for dim in ("A", "B"):
            if cell.key[dim] != "_T":
                rows = rows[rows[dim] == cell.key[dim]]
        true = float(rows["x"].sum())
        assert cell.lower - 1e-6 <= true <= cell.upper + 1e-6, (cell, true)


def test_a_declared_minimum_bounds_the_suppressed_sums() -> None:
    """With ``min_value: 0`` on the measure, suppressed sums are attacked from 0 up: the
    intervals are those of the same attack with that bound, and never wider than without."""
    from cdinterop.model import Facets

    rng = np.random.default_rng(2)
    frame = _frame(2, rng.integers(0, 10, 120))
    plain = _summed(frame, ValueType.INTEGER)
    measure = plain.structure.measures[0]
    bounded_structure = plain.structure.model_copy(
        update={"measures": (measure.model_copy(update={"facets": Facets(min_value=0)}),)}
    )
    bounded = plain.replace(structure=bounded_structure)
    ours = {
        tuple(c.key.values()): (c.lower, c.upper)
        for c in audit(bounded).intervals
        if c.component == "OBS_VALUE"
    }
    wide = {
        tuple(c.key.values()): (c.lower, c.upper)
        for c in audit(plain).intervals
        if c.component == "OBS_VALUE"
    }
    assert ours and ours.keys() == wide.keys()
    assert all(lo >= 0 for lo, _ in ours.values())
    pairs = [(ours[key], wide[key]) for key in ours]
    assert all(w[0] <= o[0] and o[1] <= w[1] for o, w in pairs)
    assert any(o != w for o, w in pairs)
