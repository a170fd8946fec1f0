"""Weighting and intervals in the aggregation (issue 17.3): bounds of proportions and means
from each cell's effective sample size, checked against statsmodels and scipy on pandas
recomputations; raking to a benchmark's margins; disclosure control counting contributors,
not weights."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from cdinterop.aggregate import AggregationSpec, aggregate
from cdinterop.model import Attribute, Concept, ValueType

from .helpers import target_structure, unit_records

stats = pytest.importorskip("scipy.stats")
proportion_confint = pytest.importorskip("statsmodels.stats.proportion").proportion_confint

LEVELS = ("a", "b")


def _structure(dims: list[str]) -> dict[str, Any]:
    """The target structure with decimal LOWER_BOUND / UPPER_BOUND attributes."""
    base = target_structure({d: list(LEVELS) for d in dims})
    bounds = [Attribute(id=b, value_type=ValueType.DECIMAL) for b in ("LOWER_BOUND", "UPPER_BOUND")]
    concepts = [Concept(id=b, name={"en": b}) for b in ("LOWER_BOUND", "UPPER_BOUND")]
    return base.model_copy(
        update={
            "attributes": (*base.attributes, *bounds),
            "concepts": (*base.concepts, *concepts),
        }
    ).model_dump()


def _spec(dims: list[str], measure: dict[str, Any], **extra: Any) -> AggregationSpec:
    return AggregationSpec.model_validate(
        {
            "structure": _structure(dims),
            "dimensions": {d: {"from": d} for d in dims},
            "measure": measure,
            "contributor_count": "SAMPLE_SIZE",
            **extra,
        }
    )


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)


def _cells(frame: pd.DataFrame, dims: list[str]) -> dict[tuple[str, ...], pd.DataFrame]:
    """Every cell's records, totals included (pandas)."""
    out: dict[tuple[str, ...], pd.DataFrame] = {}
    for r in range(len(dims) + 1):
        for kept in itertools.combinations(dims, r):
            groups = frame.groupby(list(kept)) if kept else [((), frame)]
            for key, rows in groups:
                key = key if isinstance(key, tuple) else (key,)
                values = dict(zip(kept, key, strict=True))
                out[tuple(values.get(d, "_T") for d in dims)] = rows
    return out


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(5, 60))
    return pd.DataFrame(
        {
            "A": draw(st.lists(st.sampled_from(LEVELS), min_size=n, max_size=n)),
            "flag": draw(st.lists(st.sampled_from(["yes", "no"]), min_size=n, max_size=n)),
            "w": draw(st.lists(st.floats(0.2, 5.0, allow_nan=False), min_size=n, max_size=n)),
            "x": draw(st.lists(st.floats(-50, 50, allow_nan=False), min_size=n, max_size=n)),
        }
    )


@pytest.mark.parametrize("method", ["wilson", "korn-graubard"])
@pytest.mark.parametrize("weighted", [False, True])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=tables())
def test_proportion_bounds_equal_statsmodels(
    frame: pd.DataFrame, method: str, weighted: bool
) -> None:
    extra: dict[str, Any] = {"intervals": {"method": method, "level": 0.9}}
    if weighted:
        extra["weight"] = "w"
    measure = {"type": "proportion", "column": "flag", "values": ["yes"], "scale": "share"}
    result = aggregate(unit_records(_arrow(frame)), _spec(["A"], measure, **extra))
    published = result.dataset.observations.to_pandas().set_index("A")
    for (code,), rows in _cells(frame, ["A"]).items():
        w = rows["w"] if weighted else pd.Series(1.0, index=rows.index)
        p = float((w * (rows["flag"] == "yes")).sum() / w.sum())
        n_eff = float(w.sum() ** 2 / (w**2).sum())
        oracle = "wilson" if method == "wilson" else "beta"
        low, high = proportion_confint(p * n_eff, n_eff, alpha=0.1, method=oracle)
        row = published.loc[code]
        assert row["OBS_VALUE"] == pytest.approx(p, abs=1e-12)
        assert row["LOWER_BOUND"] == pytest.approx(low, abs=1e-9)
        assert row["UPPER_BOUND"] == pytest.approx(high, abs=1e-9)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=tables())
@example(  # bounds of -1.3e8: equal to scipy's within one unit in the last place
    frame=pd.DataFrame(
        {
            "A": ["b", "a", "b", "a", "a", "a"],
            "flag": ["yes"] * 6,
            "w": [0.2, 1.0, 2.5, 1.0, 1.0, 1.0],
            "x": [17.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        }
    )
)
def test_mean_bounds_equal_scipy(frame: pd.DataFrame) -> None:
    spec = _spec(["A"], {"type": "mean", "column": "x"}, weight="w", intervals={})
    published = aggregate(unit_records(_arrow(frame)), spec).dataset.observations.to_pandas()
    published = published.set_index("A")
    for (code,), rows in _cells(frame, ["A"]).items():
        w, x = rows["w"], rows["x"]
        mean = float((w * x).sum() / w.sum())
        sd = float(np.sqrt(max((w * x * x).sum() / w.sum() - mean * mean, 0.0)))
        n_eff = float(w.sum() ** 2 / (w**2).sum())
        row = published.loc[code]
        if n_eff <= 1:
            assert pd.isna(row["LOWER_BOUND"])
            continue
        if sd == 0:  # scipy gives NaN for a zero scale; the interval is the point
            low = high = mean
        else:
            low, high = stats.t.interval(0.95, n_eff - 1, loc=mean, scale=sd / np.sqrt(n_eff))
        assert row["LOWER_BOUND"] == pytest.approx(low, rel=1e-12, abs=1e-8)
        assert row["UPPER_BOUND"] == pytest.approx(high, rel=1e-12, abs=1e-8)


def test_bounds_are_rounded_like_the_value_and_absent_where_suppressed() -> None:
    frame = pd.DataFrame({"A": ["a"] * 30 + ["b"] * 3, "flag": (["yes", "no", "no"] * 11)})
    measure = {"type": "proportion", "column": "flag", "values": ["yes"], "decimals": 1}
    spec = _spec(
        ["A"],
        measure,
        intervals={},
        disclosure={"method": "cell_suppression", "threshold": 5, "secondary": True},
    )
    table = aggregate(unit_records(_arrow(frame)), spec).dataset.observations.to_pandas()
    published = table[table["OBS_VALUE"].notna()]
    assert len(published) >= 1
    for column in ("LOWER_BOUND", "UPPER_BOUND"):
        assert (published[column] == published[column].round(1)).all()
        assert table.loc[table["OBS_VALUE"].isna(), column].isna().all()
    assert (published["LOWER_BOUND"] <= published["OBS_VALUE"]).all()
    assert (published["OBS_VALUE"] <= published["UPPER_BOUND"]).all()


def _benchmark(tmp_path: Path) -> Path:
    path = tmp_path / "margins.csv"
    path.write_text("A,B,OBS_VALUE\na,a,4000\na,b,1000\nb,a,3000\nb,b,2000\n", encoding="utf-8")
    return path


def test_raking_weights_the_measures_and_reaches_the_margins(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    n = 400
    frame = pd.DataFrame(
        {
            "A": rng.choice(list(LEVELS), n, p=[0.3, 0.7]),
            "B": rng.choice(list(LEVELS), n, p=[0.6, 0.4]),
        }
    )
    spec = _spec(
        ["A", "B"],
        {"type": "count", "decimals": 6},
        benchmark={"file": str(_benchmark(tmp_path)), "dimensions": ["A", "B"]},
        weighting={"method": "raking"},
        disclosure={"method": "cell_suppression", "threshold": 10},
    )
    result = aggregate(unit_records(_arrow(frame)), spec)
    table = result.dataset.observations.to_pandas().set_index(["A", "B"])
    # the weighted counts of the margins are the benchmark's
    assert table.loc[("a", "_T"), "OBS_VALUE"] == pytest.approx(5000, rel=1e-9)
    assert table.loc[("b", "_T"), "OBS_VALUE"] == pytest.approx(5000, rel=1e-9)
    assert table.loc[("_T", "a"), "OBS_VALUE"] == pytest.approx(7000, rel=1e-9)
    assert table.loc[("_T", "_T"), "OBS_VALUE"] == pytest.approx(10000, rel=1e-9)
    # contributors stay people: the sample size is the record count, not the weights
    counts = frame.groupby("A").size()
    assert table.loc[("a", "_T"), "SAMPLE_SIZE"] == counts["a"]
    assert result.calibration.weighting is not None
    assert result.calibration.weighting["converged"] is True
    representativeness = result.calibration.representativeness
    assert representativeness is not None
    assert representativeness["benchmark"] == "margins.csv"
    weighted = representativeness["weighted"]["dimensions"]
    assert weighted["A"]["total_variation"] == pytest.approx(0.0, abs=1e-9)
    sample = representativeness["dimensions"]["A"]["groups"]
    share = {g["code"]: g["sample_share"] for g in sample}
    assert share["a"] == pytest.approx((frame["A"] == "a").mean())


def test_suppression_counts_people_not_weights(tmp_path: Path) -> None:
    """The same records with and without raking: the same cells are suppressed."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "A": rng.choice(list(LEVELS), 200, p=[0.1, 0.9]),
            "B": rng.choice(list(LEVELS), 200, p=[0.5, 0.5]),
        }
    )
    disclosure = {"method": "cell_suppression", "threshold": 15, "secondary": True}
    plain = _spec(["A", "B"], {"type": "count"}, disclosure=disclosure)
    raked = _spec(
        ["A", "B"],
        {"type": "count"},
        disclosure=disclosure,
        benchmark={"file": str(_benchmark(tmp_path)), "dimensions": ["A", "B"]},
        weighting={},
    )
    records = unit_records(_arrow(frame))
    status = [
        aggregate(records, spec).dataset.observations.to_pandas().set_index(["A", "B"])
        for spec in (plain, raked)
    ]
    pd.testing.assert_series_equal(status[0]["CONF_STATUS"], status[1]["CONF_STATUS"])
    assert (status[0]["CONF_STATUS"] != "F").any()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"weighting": {}}, "raking needs a 'benchmark'"),
        ({"intervals": {"lower": "SAMPLE_SIZE"}}, "SAMPLE_SIZE must be a decimal attribute"),
        ({"intervals": {"upper": "UPPER"}}, "'UPPER' is not an observation-level attribute"),
        (
            {"weight": "w", "weighting": {}, "benchmark": {"file": "m.csv", "dimensions": ["A"]}},
            "either a 'weight' column or 'weighting'",
        ),
    ],
)
def test_spec_checks(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _spec(["A"], {"type": "count"}, **extra)
