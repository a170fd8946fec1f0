"""Partial aggregates (issue 18.1): whatever the batches and the merge tree, the cell
accumulator gives the same data set, report and disclosure record as one ``add`` of every
record; float sums are exact (the correctly rounded sum, as ``math.fsum``)."""

from __future__ import annotations

import itertools
import math
import pickle
from dataclasses import asdict
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdinterop.aggregate import (
    AggregationResult,
    AggregationSpec,
    CellAccumulator,
    aggregate,
    merge_accumulators,
)
from cdinterop.aggregate._exact import exact_float, exact_parts, split
from cdinterop.model import Attribute, CitizenDataset, Concept, ValueType

from .helpers import target_structure, unit_records

LEVELS = ("a", "b", "c")
DIMS = ["A", "B"]
FLOATS = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False) | st.sampled_from(
    [0.1, 0.2, 0.3, 1e-300, 1e150, -1e150, 2.0**-1070, 1.5]
)


def _structure(indicators: bool) -> dict[str, Any]:
    coded = {d: list(LEVELS) for d in DIMS}
    if indicators:
        coded = {"SERIES": ["N", "PCT", "AVG"], **coded}
    base = target_structure(coded)
    bounds = [Attribute(id=b, value_type=ValueType.DECIMAL) for b in ("LOWER_BOUND", "UPPER_BOUND")]
    concepts = [Concept(id=b, name={"en": b}) for b in ("LOWER_BOUND", "UPPER_BOUND")]
    structure: dict[str, Any] = base.model_copy(
        update={
            "attributes": (*base.attributes, *bounds),
            "concepts": (*base.concepts, *concepts),
        }
    ).model_dump()
    return structure


MEASURES: dict[str, dict[str, Any]] = {
    "count": {"measure": {"type": "count"}},
    "sum-int": {"measure": {"type": "sum", "column": "n"}},
    "sum-float": {"measure": {"type": "sum", "column": "x"}},
    "mean": {"measure": {"type": "mean", "column": "x"}, "intervals": {}},
    "ratio": {"measure": {"type": "ratio", "numerator": "x", "denominator": "n"}},
    "proportion": {
        "measure": {"type": "proportion", "column": "flag", "values": ["yes"]},
        "intervals": {"method": "korn-graubard"},
    },
    "weighted": {
        "measure": {"type": "mean", "column": "x"},
        "weight": "w",
        "intervals": {},
    },
    "weighted-count": {"measure": {"type": "count"}, "weight": "w"},
    "indicators": {
        "indicators": {
            "dimension": "SERIES",
            "measures": {
                "N": {"type": "count"},
                "PCT": {"type": "proportion", "column": "flag", "values": ["yes"]},
                "AVG": {"type": "mean", "column": "x"},
            },
        },
        "weight": "w",
    },
}


def _spec(kind: str, contributors: bool, secondary: bool) -> AggregationSpec:
    extra = MEASURES[kind]
    return AggregationSpec.model_validate(
        {
            "structure": _structure("indicators" in extra),
            "dimensions": {d: {"from": d} for d in DIMS},
            "contributor_count": "SAMPLE_SIZE",
            "disclosure": {"method": "cell_suppression", "threshold": 3, "secondary": secondary},
            **({"contributors": "who"} if contributors else {}),
            **extra,
        }
    )


@st.composite
def records(draw: st.DrawFn) -> pa.Table:
    n = draw(st.integers(1, 50))

    def column(values: st.SearchStrategy[Any]) -> list[Any]:
        return draw(st.lists(values, min_size=n, max_size=n))

    return pa.table(
        {
            "A": column(st.sampled_from(LEVELS)),
            "B": column(st.sampled_from(LEVELS)),
            "x": pa.array(column(st.none() | FLOATS), pa.float64()),
            "n": pa.array(column(st.none() | st.integers(-5, 50)), pa.int64()),
            "flag": column(st.none() | st.sampled_from(["yes", "no"])),
            "w": pa.array(column(st.floats(0.01, 100.0)), pa.float64()),
            "who": column(st.sampled_from(["p1", "p2", "p3", "p4", "p5", "p6"])),
        }
    )


def _batches(table: pa.Table, cuts: list[int], order: list[int]) -> list[pa.Table]:
    """``table`` cut at ``cuts`` (row positions), the pieces in ``order``."""
    points = sorted({min(c, table.num_rows) for c in cuts} | {0, table.num_rows})
    pieces = [table.slice(a, b - a) for a, b in itertools.pairwise(points)]
    return [pieces[i % len(pieces)] for i in dict.fromkeys(o % len(pieces) for o in order)] + [
        p for i, p in enumerate(pieces) if i not in {o % len(pieces) for o in order}
    ]


def _tree_merge(accs: list[CellAccumulator], picks: list[int]) -> CellAccumulator:
    """Merge pairs picked by ``picks`` until one is left (a random merge tree), through a
    pickle round trip, as Dask would send them."""
    accs = list(accs)
    i = 0
    while len(accs) > 1:
        a = accs.pop(picks[i % len(picks)] % len(accs))
        b = accs.pop(picks[(i + 1) % len(picks)] % len(accs))
        merged = pickle.loads(pickle.dumps(a.merge(b) if i % 2 else merge_accumulators([b, a])))
        accs.append(merged)
        i += 2
    return accs[0]


def _same(a: AggregationResult, b: AggregationResult) -> None:
    assert a.dataset.observations.table.equals(b.dataset.observations.table)
    ra, rb = asdict(a.report), asdict(b.report)
    ra.pop("seconds"), rb.pop("seconds")
    assert ra == rb
    assert a.dataset.disclosure == b.dataset.disclosure


def _metadata(units: CitizenDataset) -> CitizenDataset:
    """The unit-record data set without observations (``finish`` must not read them)."""
    empty = units.observations.table.slice(0, 0)
    return units.model_copy(update={"observations": type(units.observations).from_arrow(empty)})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=records(),
    kind=st.sampled_from(sorted(MEASURES)),
    contributors=st.booleans(),
    secondary=st.booleans(),
    cuts=st.lists(st.integers(0, 50), max_size=6),
    order=st.lists(st.integers(0, 10), max_size=7),
    picks=st.lists(st.integers(0, 10), min_size=1, max_size=8),
)
def test_any_batches_and_merge_tree_give_the_same_result(
    table: pa.Table,
    kind: str,
    contributors: bool,
    secondary: bool,
    cuts: list[int],
    order: list[int],
    picks: list[int],
) -> None:
    spec = _spec(kind, contributors, secondary)
    units = unit_records(table)
    whole = aggregate(units, spec)
    accs = [CellAccumulator(spec).add(b) for b in _batches(units.observations.table, cuts, order)]
    _same(whole, _tree_merge(accs, picks).finish(_metadata(units)))
    # one accumulator, batch by batch
    one = CellAccumulator(spec)
    for b in reversed(_batches(units.observations.table, cuts, order)):
        one.add(b)
    _same(whole, one.finish(_metadata(units)))


def test_float_sums_are_exact_and_independent_of_the_order() -> None:
    """A weighted sum whose float total depends on the order of additions."""
    values = [1e16, 1.0, -1e16, 1.0, 0.1, 0.2, 0.3] * 3
    table = pa.table(
        {
            "A": ["a"] * len(values),
            "B": ["b"] * len(values),
            "x": values,
            "n": [1] * len(values),
            "flag": ["yes"] * len(values),
            "w": [1.0] * len(values),
            "who": ["p1"] * len(values),
        }
    )
    spec = AggregationSpec.model_validate(
        {
            "structure": _structure(False),
            "dimensions": {d: {"from": d} for d in DIMS},
            "measure": {"type": "sum", "column": "x"},
        }
    )
    got = {
        r["A"] + r["B"]: r["OBS_VALUE"]
        for r in aggregate(unit_records(table), spec).dataset.observations.table.to_pylist()
    }
    assert got["ab"] == math.fsum(values) == got["_T_T"]
    reverse = aggregate(unit_records(table.take(list(range(len(values)))[::-1])), spec)
    assert reverse.dataset.observations.table.column("OBS_VALUE").to_pylist()[0] == got["ab"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e307, 1e307) | st.floats(-1e-300, 1e-300), max_size=40))
def test_exact_float_is_the_correctly_rounded_sum(values: list[float]) -> None:
    exponents, hi, lo = split(np.array(values, dtype=np.float64))
    want = math.fsum(values) if values else 0.0
    got = exact_float(exponents.tolist(), hi.tolist(), lo.tolist())
    assert got == want or (got == 0.0 and want == 0.0)


@pytest.mark.parametrize(
    ("values", "want"),
    [
        ([1.0, math.nan], math.nan),
        ([math.inf, 1.0], math.inf),
        ([-math.inf, 1.0], -math.inf),
        ([math.inf, -math.inf], math.nan),
        ([1.7e308, 1.7e308], math.inf),
    ],
)
def test_exact_float_follows_float_addition_for_specials(values: list[float], want: float) -> None:
    exponents, hi, lo = split(np.array(values))
    got = exact_float(exponents.tolist(), hi.tolist(), lo.tolist())
    assert (math.isnan(got) and math.isnan(want)) or got == want


@given(st.integers(-(2**200), 2**200), st.integers(-1100, 900))
def test_exact_parts_hold_any_integer_times_a_power_of_two(value: int, scale: int) -> None:
    rows = [r for r in exact_parts(value, scale) if r != (0, 0, 0)]
    # every row is (hi * 2**26 + lo) * 2**(e - 53), a multiple of 2**scale
    assert sum(((h << 26) + lo) << (e - 53 - scale) for e, h, lo in rows) == value
    assert all(abs((h << 26) + lo) < 2**53 for _, h, lo in rows)


def test_finish_without_records_is_refused() -> None:
    from cdinterop.errors import InvalidDatasetError

    spec = _spec("count", False, False)
    units = unit_records(_one_row())
    with pytest.raises(InvalidDatasetError, match="no unit records"):
        CellAccumulator(spec).finish(_metadata(units))


def _one_row() -> pa.Table:
    return pa.table(
        {
            "A": ["a"],
            "B": ["b"],
            "x": [1.0],
            "n": [1],
            "flag": ["yes"],
            "w": [1.0],
            "who": ["p1"],
        }
    )


def test_a_column_that_is_integer_in_one_batch_and_float_in_another() -> None:
    spec = _spec("sum-float", False, False)
    table = pa.concat_tables([_one_row(), _one_row()])
    ints = table.set_column(2, "x", pa.array([3, 4], pa.int64()))
    floats = table.set_column(2, "x", pa.array([0.5, 0.25]))
    acc = merge_accumulators([CellAccumulator(spec).add(ints), CellAccumulator(spec).add(floats)])
    result = acc.finish(_metadata(unit_records(floats)))
    values = result.dataset.observations.table.column("OBS_VALUE").to_pylist()
    assert values[0] == 7.75
    assert result.report.rows_in == 4


# --- the benchmark step from cell counts ---------------------------------------------------

MARGINS = "A,B,OBS_VALUE\n" + "".join(
    f"{a},{b},{1000 * (i + 1) + 37 * j}\n"
    for i, a in enumerate(LEVELS)
    for j, b in enumerate(LEVELS)
)


@pytest.fixture(scope="module")
def margins(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("benchmark") / "margins.csv"
    path.write_text(MARGINS, encoding="utf-8")
    return str(path)


def _calibrated_spec(kind: str, file: str, weighting: dict[str, Any] | None) -> AggregationSpec:
    extra = {k: v for k, v in MEASURES[kind].items() if k != "weight"}
    return AggregationSpec.model_validate(
        {
            "structure": _structure("indicators" in extra),
            "dimensions": {d: {"from": d} for d in DIMS},
            "contributor_count": "SAMPLE_SIZE",
            "disclosure": {"method": "cell_suppression", "threshold": 3, "secondary": True},
            "benchmark": {"file": file, "dimensions": DIMS},
            **({"weighting": weighting} if weighting is not None else {}),
            **extra,
        }
    )


def _every_group(table: pa.Table) -> pa.Table:
    """``table`` after one record of every (A, B) combination (so raking can run)."""
    first = pa.table(
        {
            "A": [a for a in LEVELS for _ in LEVELS],
            "B": [b for _ in LEVELS for b in LEVELS],
            "x": [1.5] * 9,
            "n": [2] * 9,
            "flag": ["yes", "no", None] * 3,
            "w": [1.0] * 9,
            "who": ["p1"] * 9,
        }
    )
    return pa.concat_tables([first, table.cast(first.schema)])


WEIGHTINGS = [None, {}, {"trim": 1.5}]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=records(),
    kind=st.sampled_from(sorted(MEASURES)),
    weighting=st.sampled_from(WEIGHTINGS),
    cuts=st.lists(st.integers(0, 60), max_size=5),
    picks=st.lists(st.integers(0, 10), min_size=1, max_size=8),
)
def test_calibration_from_cells_is_the_same_whatever_the_batches(
    margins: str,
    table: pa.Table,
    kind: str,
    weighting: dict[str, Any] | None,
    cuts: list[int],
    picks: list[int],
) -> None:
    pytest.importorskip("svy")
    spec = _calibrated_spec(kind, margins, weighting)
    units = unit_records(_every_group(table))
    whole = aggregate(units, spec)
    accs = [CellAccumulator(spec).add(b) for b in _batches(units.observations.table, cuts, [])]
    merged = _tree_merge(accs, picks).finish(_metadata(units))
    _same(whole, merged)
    assert whole.calibration == merged.calibration


def _close(a: Any, b: Any, where: str = "") -> None:
    """Equal JSON-like data, floats within 1e-12 (relative)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _close(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert b == pytest.approx(a, rel=1e-12, abs=1e-12, nan_ok=True), where
    else:
        assert a == b, where


@pytest.mark.parametrize("weighting", WEIGHTINGS)
def test_calibration_from_cells_equals_the_record_level_computation(
    margins: str, weighting: dict[str, Any] | None
) -> None:
    """The cells' calibration against fitness.rake / fitness.compare on the records
    themselves (the computation before issue 18), within 1e-12."""
    pytest.importorskip("svy")
    from cdinterop.fitness import compare, rake, read_benchmark

    rng = np.random.default_rng(18)
    n = 3000
    table = _every_group(
        pa.table(
            {
                "A": rng.choice(list(LEVELS), n, p=[0.5, 0.3, 0.2]).tolist(),
                "B": rng.choice(list(LEVELS), n, p=[0.2, 0.2, 0.6]).tolist(),
                "x": rng.normal(10, 3, n),
                "n": rng.integers(0, 9, n),
                "flag": rng.choice(["yes", "no"], n).tolist(),
                "w": np.ones(n),
                "who": ["p1"] * n,
            }
        )
    )
    spec = _calibrated_spec("mean", margins, weighting)
    result = aggregate(unit_records(table), spec)
    benchmark = read_benchmark(margins, dimensions=DIMS)
    found = compare(table, benchmark, dimensions=DIMS)
    if weighting is None:
        assert result.calibration.weighting is None
        _close(
            {**found.to_dict(), "benchmark": "margins.csv"}, result.calibration.representativeness
        )
        return
    raked = rake(table, benchmark, dimensions=DIMS, trim=weighting.get("trim"))
    assert result.calibration.weighting is not None
    _close(raked.to_dict(), result.calibration.weighting)
    untrimmed = raked.weights if raked.trimmed == 0 else None
    found = compare(table, benchmark, dimensions=DIMS, raked=untrimmed)
    got = result.calibration.representativeness
    assert got is not None
    weighted = got.pop("weighted")
    _close({**found.to_dict(), "benchmark": "margins.csv"}, got)
    with_weights = table.append_column("_W", pa.array(raked.weights))
    again = compare(with_weights, benchmark, dimensions=DIMS, weights="_W", propensities=False)
    _close({**again.to_dict(), "benchmark": "margins.csv"}, weighted)
    # the weighted means of the cells, record by record
    frame = with_weights.to_pandas()
    values = {
        (r["A"], r["B"]): r["OBS_VALUE"] for r in result.dataset.observations.table.to_pylist()
    }
    for (a, b), g in frame.groupby(["A", "B"]):
        want = float((g["x"] * g["_W"]).sum() / g["_W"].sum())
        assert values[(a, b)] == pytest.approx(want, rel=1e-12)
    assert values[("_T", "_T")] == pytest.approx(
        float((frame["x"] * frame["_W"]).sum() / frame["_W"].sum()), rel=1e-12
    )
