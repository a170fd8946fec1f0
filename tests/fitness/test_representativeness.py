"""compare() against pandas: shares, differences, total variation, flags, R-indicator."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cdinterop.fitness import Benchmark, compare, r_indicator, rake

from .helpers import MARGINS, benchmark, records

DIMS = list(MARGINS)


def pandas_shares(table: pa.Table, dim: str, weights: str | None = None) -> pd.Series:
    frame = table.to_pandas()
    sums = frame.groupby(dim)[weights].sum() if weights else frame[dim].value_counts()
    return sums / sums.sum()


@pytest.mark.parametrize("weights", [None, "w"])
def test_shares_and_distance_match_pandas(weights: str | None) -> None:
    table = records(weights=True)
    result = compare(table, benchmark(), dimensions=DIMS, weights=weights).to_dict()
    assert result["benchmark"] == "test margins"
    for dim in DIMS:
        sample = pandas_shares(table, dim, weights)
        population = pd.Series(MARGINS[dim]) / sum(MARGINS[dim].values())
        groups = {g["code"]: g for g in result["dimensions"][dim]["groups"]}
        assert list(groups) == list(MARGINS[dim])
        for code, group in groups.items():
            assert group["sample_share"] == pytest.approx(sample[code], abs=1e-12)
            assert group["population_share"] == pytest.approx(population[code], abs=1e-12)
            assert group["difference"] == pytest.approx(sample[code] - population[code], abs=1e-12)
            assert group["ratio"] == pytest.approx(sample[code] / population[code])
        tvd = 0.5 * (sample - population).abs().sum()
        assert result["dimensions"][dim]["total_variation"] == pytest.approx(tvd, abs=1e-12)
    counts = table.to_pandas()["SEX"].value_counts()
    sex = {g["code"]: g["sample"] for g in result["dimensions"]["SEX"]["groups"]}
    if weights is None:
        assert sex == {"F": counts["F"], "M": counts["M"]}
    json.dumps(result, allow_nan=False)


def test_flags() -> None:
    table = pa.table({"AREA": ["a"] * 70 + ["b"] * 25 + ["c"] * 4 + ["zz"] * 1 + [None] * 0})
    margins = {"AREA": {"a": 30.0, "b": 30.0, "c": 20.0, "d": 20.0}}
    result = compare(table, Benchmark(margins=margins, source="m"), dimensions=["AREA"])
    groups = {g["code"]: g for g in result.to_dict()["dimensions"]["AREA"]["groups"]}
    assert groups["a"]["flag"] == "over"  # 0.70 / 0.30 > 2
    assert groups["b"]["flag"] is None  # 0.25 / 0.30
    assert groups["c"]["flag"] == "under"  # 0.04 / 0.20 < 0.5
    assert groups["d"]["flag"] == "missing"
    assert groups["d"]["sample"] == 0 and groups["d"]["ratio"] == 0
    assert groups["zz"]["flag"] == "not in benchmark"
    assert groups["zz"]["population_share"] == 0 and groups["zz"]["ratio"] is None
    assert result.to_dict()["flagged"] == [
        {"dimension": "AREA", "code": "a", "flag": "over"},
        {"dimension": "AREA", "code": "c", "flag": "under"},
        {"dimension": "AREA", "code": "d", "flag": "missing"},
        {"dimension": "AREA", "code": "zz", "flag": "not in benchmark"},
    ]
    # a missing group or a code outside the benchmark: no raking, no R-indicator
    assert result.r_indicator is None
    distance = 0.5 * (0.40 + 0.05 + 0.16 + 0.20 + 0.01)
    assert result.total_variation["AREA"] == pytest.approx(distance)


def test_thresholds_and_missing_values() -> None:
    table = pa.table({"SEX": ["F", "F", "F", "M", None]})
    margins = {"SEX": {"F": 50.0, "M": 50.0}}
    result = compare(table, Benchmark(margins=margins), dimensions=["SEX"], under=0.6, over=1.4)
    groups = {g["code"]: g for g in result.to_dict()["dimensions"]["SEX"]["groups"]}
    assert groups["F"]["sample_share"] == pytest.approx(0.6) and groups["F"]["flag"] is None
    assert groups["M"]["flag"] == "under"  # 0.2 / 0.5 = 0.4
    assert groups[None]["flag"] == "not in benchmark" and groups[None]["sample"] == 1


def test_joint_distance_matches_pandas() -> None:
    table = records()
    cells = list(itertools.product(*(list(m) for m in MARGINS.values())))
    rng = np.random.default_rng(5)
    counts = rng.uniform(50, 500, len(cells))
    joint = pa.table(
        {**{d: [c[i] for c in cells] for i, d in enumerate(DIMS)}, "count": counts.tolist()}
    )
    frame = joint.to_pandas()
    margins = {d: frame.groupby(d)["count"].sum().to_dict() for d in DIMS}
    result = compare(table, Benchmark(margins=margins, joint=joint), dimensions=["REF_AREA", "SEX"])
    sample = table.to_pandas().groupby(["REF_AREA", "SEX"]).size()
    sample = sample / sample.sum()
    population = frame.groupby(["REF_AREA", "SEX"])["count"].sum()
    population = population / population.sum()
    both = pd.concat([sample, population], axis=1).fillna(0.0)
    expected = 0.5 * (both.iloc[:, 0] - both.iloc[:, 1]).abs().sum()
    assert result.to_dict()["joint"] == {
        "dimensions": ["REF_AREA", "SEX"],
        "total_variation": pytest.approx(expected, abs=1e-12),
    }
    assert compare(table, benchmark(), dimensions=DIMS).to_dict()["joint"] is None


def test_r_indicator_from_the_raking_weights() -> None:
    table = records()
    result = compare(table, benchmark(), dimensions=DIMS)
    w = rake(table, benchmark(), dimensions=DIMS).weights
    n, population = len(w), w.sum()
    rho = 1 / w  # sum(w * rho) / N = n / N
    s = math.sqrt(sum(w * (rho - n / population) ** 2) / (population - 1))
    assert result.r_indicator == pytest.approx(1 - 2 * s, abs=1e-9)
    assert 0 < result.r_indicator < 1


def test_r_indicator_is_one_for_a_proportional_sample() -> None:
    table = pa.table({"SEX": ["F"] * 51 + ["M"] * 49})
    result = compare(
        table, Benchmark(margins={"SEX": {"F": 5100.0, "M": 4900.0}}), dimensions=["SEX"]
    )
    assert result.r_indicator == pytest.approx(1.0)
    assert result.total_variation["SEX"] == pytest.approx(0.0)


def test_r_indicator_with_base_weights() -> None:
    d = np.array([1.0, 1.0, 2.0, 2.0])
    w = np.array([3.0, 3.0, 2.0, 2.0])
    rho = 4 / d.sum() * d / w
    mean = 4 / w.sum()
    s = math.sqrt(float(np.sum(w * (rho - mean) ** 2)) / (w.sum() - 1))
    assert r_indicator(w, d) == pytest.approx(1 - 2 * s)
    assert float(np.sum(w * rho)) / w.sum() == pytest.approx(mean)


def test_errors() -> None:
    with pytest.raises(ValueError, match="no records"):
        compare(records().slice(0, 0), benchmark(), dimensions=DIMS)
    with pytest.raises(ValueError, match="no margin for EDU"):
        compare(records(), benchmark(), dimensions=["EDU"])
