"""Dominance rules (issue 21, point 3): the largest contributions each cell keeps, and the
p% and (n, k) rules on them.

The oracle is a brute force over the unit records with pandas and ``math.fsum``: per cell
(totals included) every contribution (each record, or the sum of a contributor's records),
its absolute value, the sum and the sorted list. The accumulator's cells (what
``result_from_cells`` receives) must hold the same top ``m`` and total, whatever the
batches and the merge tree, with weights and with contributors by column.
"""

from __future__ import annotations

import itertools
import math
import pickle
from collections.abc import Callable
from fractions import Fraction
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdinterop.aggregate import AggregationSpec, CellAccumulator, _partials, merge_accumulators
from cdinterop.aggregate._dominance import (
    dominance_levels,
    dominance_status,
    magnitudes,
    top_column,
    top_size,
)
from cdinterop.aggregate._groupby import absolute_column
from cdinterop.aggregate._spec import DominanceSpec
from cdinterop.model import CitizenDataset

from .helpers import target_structure, unit_records

LEVELS = ("a", "b", "c")
DIMS = ["A", "B"]
FLOATS = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False) | st.sampled_from(
    [0.1, 0.2, 0.3, 1e-300, 1e150, -1e150, 1.5, 0.0]
)

Magnitude = Callable[[pd.DataFrame], pd.Series]

# per measure kind: the spec's part and, per indicator, the magnitude of each record
MEASURES: dict[str, tuple[dict[str, Any], dict[str | None, Magnitude]]] = {
    "sum-int": ({"measure": {"type": "sum", "column": "n"}}, {None: lambda f: f["n"]}),
    "sum-float": ({"measure": {"type": "sum", "column": "x"}}, {None: lambda f: f["x"]}),
    "mean": ({"measure": {"type": "mean", "column": "x"}}, {None: lambda f: f["x"]}),
    "ratio": (
        {"measure": {"type": "ratio", "numerator": "x", "denominator": "n"}},
        {None: lambda f: f["x"]},
    ),
    "weighted-sum": (
        {"measure": {"type": "sum", "column": "x"}, "weight": "w"},
        {None: lambda f: f["x"] * f["w"]},
    ),
    "weighted-count": ({"measure": {"type": "count"}, "weight": "w"}, {None: lambda f: f["w"]}),
    "indicators": (
        {
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
        {"N": lambda f: f["w"], "AVG": lambda f: f["x"] * f["w"]},
    ),
}

RULES = st.builds(
    lambda p, nk: {k: v for k, v in (("p_percent", p), ("nk", nk)) if v is not None},
    st.none()
    | st.builds(
        lambda p, n: {"p": p, "n": n}, st.sampled_from([5, 10, 25.5, 100]), st.integers(1, 3)
    ),
    st.none()
    | st.builds(lambda n, k: {"n": n, "k": k}, st.integers(1, 4), st.sampled_from([50, 85, 100])),
).filter(bool)


def _spec(kind: str, contributors: bool, rules: dict[str, Any] | None) -> AggregationSpec:
    extra, _ = MEASURES[kind]
    coded = {d: list(LEVELS) for d in DIMS}
    if "indicators" in extra:
        coded = {"SERIES": ["N", "PCT", "AVG"], **coded}
    disclosure: dict[str, Any] = {"method": "cell_suppression", "threshold": 3}
    if rules is not None:
        disclosure["dominance"] = rules
    return AggregationSpec.model_validate(
        {
            "structure": target_structure(coded).model_dump(),
            "dimensions": {d: {"from": d} for d in DIMS},
            "contributor_count": "SAMPLE_SIZE",
            "disclosure": disclosure,
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
            "who": column(st.none() | st.sampled_from(["p1", "p2", "p3", "p4", "p5", "p6"])),
        }
    )


def _cells(acc: CellAccumulator, units: CitizenDataset) -> pa.Table:
    """The cells with totals that ``finish`` hands to ``result_from_cells``, sorted."""
    with mock.patch.object(_partials, "result_from_cells", side_effect=lambda *a: a[2]):
        cells: pa.Table = acc.finish(units)
    return cells.sort_by([(d, "ascending") for d in DIMS])


def _whole(spec: AggregationSpec, table: pa.Table) -> pa.Table:
    units = unit_records(table)
    return _cells(CellAccumulator(spec).add(units.observations.table), units)


def _batches(table: pa.Table, cuts: list[int]) -> list[pa.Table]:
    points = sorted({min(c, table.num_rows) for c in cuts} | {0, table.num_rows})
    return [table.slice(a, b - a) for a, b in itertools.pairwise(points)]


def _tree_merge(accs: list[CellAccumulator], picks: list[int]) -> CellAccumulator:
    """Merge pairs picked by ``picks`` until one is left, through a pickle round trip."""
    accs = list(accs)
    i = 0
    while len(accs) > 1:
        a = accs.pop(picks[i % len(picks)] % len(accs))
        b = accs.pop(picks[(i + 1) % len(picks)] % len(accs))
        merged = a.merge(b) if i % 2 else merge_accumulators([b, a])
        accs.append(pickle.loads(pickle.dumps(merged)))
        i += 2
    return accs[0]


# --- the oracle ---------------------------------------------------------------------------


def _oracle(
    table: pa.Table, kind: str, contributors: bool
) -> dict[tuple[str | None, str, str], list[float]]:
    """Per (indicator, A, B) cell, totals included: every absolute contribution (largest
    first), from the unit records."""
    frame = table.to_pandas()
    out: dict[tuple[str | None, str, str], list[float]] = {}
    for r in range(len(DIMS) + 1):
        for subset in itertools.combinations(DIMS, r):
            keyed = frame.copy()
            for d in subset:
                keyed[d] = "_T"
            for (a, b), group in keyed.groupby(DIMS):
                for indicator, magnitude in MEASURES[kind][1].items():
                    values = magnitude(group)
                    if contributors:
                        ok = values.notna() & group["who"].notna()
                        who = group["who"][ok]
                        parts = [abs(math.fsum(v)) for _, v in values[ok].groupby(who)]
                    else:
                        parts = [abs(float(v)) for v in values.dropna()]
                    out[(indicator, str(a), str(b))] = sorted(parts, reverse=True)
    return out


def _sensitive(parts: list[float], rules: dict[str, Any]) -> bool | None:
    """The rules written out for one cell (Hundepool et al. 2012; tau-ARGUS), in exact
    rational arithmetic on every contribution; ``None`` for a cell on the edge of a rule
    (within 1e-9 of the total), where the rounding of float sums decides either way."""
    x = [Fraction(v) for v in parts] + [Fraction(0)] * 12
    total = sum(x, Fraction(0))
    edge = Fraction(1, 10**9) * max(abs(total), Fraction(1))
    hit = False
    margins = []
    if "p_percent" in rules:
        p, n = Fraction(rules["p_percent"].get("p", 10)), rules["p_percent"].get("n", 1)
        margin = p / 100 * x[0] - (total - sum(x[: n + 1]))
        hit |= margin > 0
        margins.append(margin)
    if "nk" in rules:
        n, k = rules["nk"].get("n", 2), Fraction(rules["nk"].get("k", 85))
        margin = sum(x[:n]) - k / 100 * total
        hit |= margin > 0
        margins.append(margin)
    if any(abs(m) <= edge for m in margins) and not any(m > edge for m in margins):
        return None
    return hit


def _check_against_oracle(
    cells: pa.Table, table: pa.Table, kind: str, contributors: bool, spec: AggregationSpec
) -> None:
    rules = spec.disclosure.dominance
    assert rules is not None
    m = top_size(rules)
    want = _oracle(table, kind, contributors)
    status = dominance_status(cells, spec)
    rows = cells.to_pylist()
    assert len(rows) * len(magnitudes(spec)) == len(want)
    expected_sensitive = np.zeros(len(rows), dtype=bool)
    edge = np.zeros(len(rows), dtype=bool)
    for i, row in enumerate(rows):
        for indicator in magnitudes(spec):
            parts = want[(indicator, row["A"], row["B"])]
            top = ([p for p in parts if p != 0] + [0.0] * m)[:m]
            total = math.fsum(parts)
            got_top = [row[top_column(indicator, j)] for j in range(1, m + 1)]
            got_total = float(row[absolute_column(indicator)] or 0)
            if contributors:
                assert got_top == pytest.approx(top, rel=1e-12), (indicator, row)
                assert got_total == pytest.approx(total, rel=1e-12), (indicator, row)
            else:  # single records and an exact sum: no rounding at all
                assert got_top == top, (indicator, row)
                assert got_total == total, (indicator, row)
            verdict = _sensitive(parts, rules.model_dump(exclude_unset=True))
            if verdict is None:
                edge[i] = True
            else:
                expected_sensitive[i] |= verdict
    keep = ~edge | expected_sensitive
    assert status.sensitive[keep].tolist() == expected_sensitive[keep].tolist()


KINDS = sorted(MEASURES)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=records(),
    kind=st.sampled_from(KINDS),
    contributors=st.booleans(),
    rules=RULES,
    cuts=st.lists(st.integers(0, 50), max_size=6),
    picks=st.lists(st.integers(0, 10), min_size=1, max_size=8),
)
def test_top_contributions_and_sensitivity_match_a_brute_force_whatever_the_batches(
    table: pa.Table,
    kind: str,
    contributors: bool,
    rules: dict[str, Any],
    cuts: list[int],
    picks: list[int],
) -> None:
    spec = _spec(kind, contributors, rules)
    units = unit_records(table)
    records_table = units.observations.table
    whole = _cells(CellAccumulator(spec).add(records_table), units)
    _check_against_oracle(whole, table, kind, contributors, spec)
    # any batches, any merge tree (with pickling, as Dask): the same cells, bit for bit
    accs = [CellAccumulator(spec).add(b) for b in _batches(records_table, cuts)]
    assert _cells(_tree_merge(accs, picks), units).equals(whole)
    one = CellAccumulator(spec)
    for b in reversed(_batches(records_table, cuts)):
        one.add(b)
    assert _cells(one, units).equals(whole)


def test_memory_is_m_contributions_per_finest_cell() -> None:
    rng = np.random.default_rng(21)
    n = 5000
    table = pa.table(
        {
            "A": rng.choice(list(LEVELS), n).tolist(),
            "B": rng.choice(list(LEVELS), n).tolist(),
            "x": rng.lognormal(3, 2, n),
            "n": rng.integers(0, 9, n),
            "flag": ["yes"] * n,
            "w": np.ones(n),
            "who": [f"p{i}" for i in rng.integers(0, 50, n)],
        }
    )
    spec = _spec("sum-float", False, {"p_percent": {"n": 2}, "nk": {"n": 2}})
    acc = CellAccumulator(spec)
    for batch in _batches(table, list(range(0, n, 700))):
        acc.add(batch)
    state = acc._compact()
    assert state is not None and state.contributions is not None
    assert state.contributions.num_rows <= 3 * 9  # m = 3 rows per finest cell
    _check_against_oracle(_cells(acc, unit_records(table)), table, "sum-float", False, spec)


def test_nothing_changes_without_dominance() -> None:
    table = pa.table({"A": ["a", "b"], "B": ["a", "a"], "x": [1.0, 2.0], "n": [1, 2]})
    table = table.append_column("flag", pa.array(["yes", "no"]))
    table = table.append_column("w", pa.array([1.0, 1.0]))
    table = table.append_column("who", pa.array(["p1", "p2"]))
    for contributors in (False, True):
        cells = _whole(_spec("sum-float", contributors, None), table)
        assert not [c for c in cells.column_names if c.startswith(("_top", "_abs"))]


def test_proportions_and_unweighted_counts_have_no_magnitude() -> None:
    spec = _spec("indicators", False, {"nk": {}})
    assert magnitudes(spec) == {"N": "_num:N", "AVG": "_num:AVG"}
    unweighted = AggregationSpec.model_validate(
        {**spec.model_dump(by_alias=True, exclude_unset=True), "weight": None}
    )
    assert magnitudes(unweighted) == {"AVG": "_num:AVG"}


# --- contributors by column and negative values ---------------------------------------------


def _frame(**columns: list[Any]) -> pa.Table:
    n = len(columns["x"])
    base: dict[str, Any] = {"A": ["a"] * n, "B": ["a"] * n, "n": [1] * n, "flag": ["yes"] * n}
    base.update({"w": [1.0] * n, "who": [f"p{i}" for i in range(n)]})
    base.update(columns)
    return pa.table(base)


def test_a_contributor_in_several_children_is_summed_over_them() -> None:
    """p1 has 60 in (a, a) and 50 in (b, a): the total over A sees one contributor of 110,
    although neither child's top list has it."""
    table = _frame(
        A=["a", "a", "a", "b", "b", "b"],
        x=[60.0, 59.0, 58.0, 50.0, 49.0, 48.0],
        who=["p1", "p2", "p3", "p1", "p4", "p5"],
    )
    spec = _spec("sum-float", True, {"p_percent": {}, "nk": {"n": 2}})
    cells = {(r["A"], r["B"]): r for r in _whole(spec, table).to_pylist()}
    assert [cells["_T", "a"][top_column(None, j)] for j in (1, 2)] == [110.0, 59.0]
    assert cells["_T", "a"]["_abs"] == 324.0
    by_record = {
        (r["A"], r["B"]): r
        for r in _whole(_spec("sum-float", False, {"nk": {}}), table).to_pylist()
    }
    assert [by_record["_T", "a"][top_column(None, j)] for j in (1, 2)] == [60.0, 59.0]


def test_negative_values_count_by_their_absolute_value() -> None:
    """Per record |x|; per contributor the absolute value of its sum; T the sum of those."""
    table = _frame(x=[-100.0, 3.0, 2.0, 40.0], who=["p1", "p2", "p2", "p1"])
    spec = _spec("sum-float", False, {"p_percent": {}})
    (cell,) = [r for r in _whole(spec, table).to_pylist() if (r["A"], r["B"]) == ("a", "a")]
    assert (cell["_top:1"], cell["_top:2"], cell["_abs"], cell["_num"]) == (
        100.0,
        40.0,
        145.0,
        -55.0,
    )
    spec = _spec("sum-float", True, {"p_percent": {}})
    (cell,) = [r for r in _whole(spec, table).to_pylist() if (r["A"], r["B"]) == ("a", "a")]
    assert (cell["_top:1"], cell["_top:2"], cell["_abs"]) == (60.0, 5.0, 65.0)


def test_records_without_a_contributor_id_are_left_out() -> None:
    table = _frame(x=[100.0, 5.0, 5.0], who=[None, "p1", "p2"])
    spec = _spec("sum-float", True, {"nk": {"n": 1, "k": 50}})
    (cell,) = [r for r in _whole(spec, table).to_pylist() if (r["A"], r["B"]) == ("a", "a")]
    assert (cell["_top:1"], cell["_abs"], cell["_n"]) == (5.0, 10.0, 2)


def test_weights_scale_each_contribution() -> None:
    table = _frame(x=[10.0, 1.0, 1.0], w=[1.0, 30.0, 2.0])
    spec = _spec("weighted-sum", False, {"nk": {"n": 1, "k": 50}})
    (cell,) = [r for r in _whole(spec, table).to_pylist() if (r["A"], r["B"]) == ("a", "a")]
    assert (cell["_top:1"], cell["_abs"]) == (30.0, 42.0)
    spec = _spec("weighted-count", False, {"nk": {"n": 1, "k": 50}})
    (cell,) = [r for r in _whole(spec, table).to_pylist() if (r["A"], r["B"]) == ("a", "a")]
    assert (cell["_top:1"], cell["_abs"]) == (30.0, 33.0)


# --- the rules ------------------------------------------------------------------------------


def _rules(**rules: Any) -> DominanceSpec:
    return DominanceSpec.model_validate(rules)


def test_p_percent_with_one_contributor_and_with_two() -> None:
    rules = _rules(p_percent={"p": 10, "n": 1})
    total = np.array([50.0, 100.0, 100.0, 100.0])
    top = np.array([[50.0, 0.0], [60.0, 40.0], [50.0, 30.0], [80.0, 15.0]])
    sensitive, level, counts = dominance_levels(total, top, rules)
    # one contributor: remainder 0 < 5, level = p% of x1; two: remainder 0 < 6
    # (50, 30, 20): remainder 20 >= 5, safe; (80, 15, 5): remainder 5 < 8, level 3
    assert sensitive.tolist() == [True, True, False, True]
    assert level.tolist() == pytest.approx([5.0, 6.0, 0.0, 3.0])
    assert counts == {"p_percent": 3}


def test_p_percent_coalition_of_two() -> None:
    rules = _rules(p_percent={"p": 10, "n": 2})
    # (50, 30, 15, 5): T - x1 - x2 - x3 = 5 >= 5: safe; with x4 = 4: remainder 4 < 5
    sensitive, level, _ = dominance_levels(
        np.array([100.0, 99.0]), np.array([[50.0, 30.0, 15.0], [50.0, 30.0, 15.0]]), rules
    )
    assert sensitive.tolist() == [False, True]
    assert level.tolist() == pytest.approx([0.0, 1.0])


def test_nk_with_fewer_than_n_contributors_and_tau_argus_level() -> None:
    rules = _rules(nk={"n": 3, "k": 90})
    total = np.array([10.0, 100.0, 100.0])
    top = np.array([[10.0, 0.0, 0.0], [40.0, 30.0, 25.0], [40.0, 30.0, 20.0]])
    sensitive, level, counts = dominance_levels(total, top, rules)
    assert sensitive.tolist() == [True, True, False]
    assert level.tolist() == pytest.approx([100 / 90 * 10 - 10, 100 / 90 * 95 - 100, 0.0])
    assert counts == {"nk": 2}
    # (2, 85): 80 + 10 > 85 of 100; UPL = 100/85 * 90 - 100
    s, lv, _ = dominance_levels(np.array([100.0]), np.array([[80.0, 10.0]]), _rules(nk={}))
    assert s.tolist() == [True] and lv[0] == pytest.approx(100 / 85 * 90 - 100)


def test_k_100_never_fires_and_zero_totals_are_never_sensitive() -> None:
    total = np.array([0.0, 7.0])
    top = np.array([[0.0, 0.0, 0.0], [7.0, 0.0, 0.0]])
    s, lv, _ = dominance_levels(total, top, _rules(nk={"n": 1, "k": 100}))
    assert s.tolist() == [False, False] and lv.tolist() == [0.0, 0.0]
    s, lv, counts = dominance_levels(total, top, _rules(p_percent={}, nk={"n": 3}))
    assert s.tolist() == [False, True]
    assert lv[1] == pytest.approx(max(0.1 * 7, 100 / 85 * 7 - 7))
    assert counts == {"p_percent": 1, "nk": 1}


def test_levels_take_the_largest_rule_and_need_enough_columns() -> None:
    rules = _rules(p_percent={"p": 50}, nk={"n": 1, "k": 60})
    s, lv, counts = dominance_levels(np.array([100.0]), np.array([[70.0, 20.0]]), rules)
    # p%: 0.5 * 70 - 10 = 25; (1, 60): 100/60 * 70 - 100 = 16.7
    assert s.tolist() == [True] and lv[0] == pytest.approx(25.0)
    assert counts == {"p_percent": 1, "nk": 1}
    with pytest.raises(ValueError, match="2 largest"):
        dominance_levels(np.array([1.0]), np.array([[1.0]]), rules)


def test_status_over_several_indicators_and_cells_without_contributions() -> None:
    table = _frame(x=[None, None, 9.0, 1.0], w=[1.0, 1.0, 1.0, 1.0], A=["a", "a", "b", "b"])
    spec = _spec("indicators", False, {"nk": {"n": 1, "k": 80}})
    cells = _whole(spec, table)
    status = dominance_status(cells, spec)
    by_cell = dict(
        zip(zip(*(cells.column(d).to_pylist() for d in DIMS), strict=True), range(9), strict=False)
    )
    # (a, a): the mean's values are all missing, its magnitude 0; N: 2 records of weight 1
    assert not status.sensitive[by_cell["a", "a"]]
    # (b, a): AVG 9 of 10 > 80 %; N: 1 of 2 is not
    assert status.sensitive[by_cell["b", "a"]]
    assert status.levels["AVG"][by_cell["b", "a"]] == pytest.approx(100 / 80 * 9 - 10)
    assert status.levels["N"][by_cell["b", "a"]] == 0.0
    assert status.cells == {"nk": int(status.sensitive.sum())}


# --- raking: every record of a benchmark cell has that cell's weight ------------------------

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


def _raked_spec(file: str, kind: str, contributors: bool) -> AggregationSpec:
    base = _spec(kind, contributors, {"p_percent": {}, "nk": {"n": 3}})
    extra = {"benchmark": {"file": file, "dimensions": DIMS}, "weighting": {}}
    spec = base.model_dump(by_alias=True, exclude_unset=True)
    spec.pop("weight", None)
    return AggregationSpec.model_validate({**spec, **extra})


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


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=records(),
    contributors=st.booleans(),
    cuts=st.lists(st.integers(0, 60), max_size=5),
    picks=st.lists(st.integers(0, 10), min_size=1, max_size=8),
)
def test_raked_counts_have_the_raking_weights_as_contributions(
    margins: str, table: pa.Table, contributors: bool, cuts: list[int], picks: list[int]
) -> None:
    """A raked count: each record contributes its cell's raking weight ``w = _num / rows``
    of its finest cell; a total's top list is the largest of its children's weights (each
    as often as the child has records, or contributors summed over the children)."""
    pytest.importorskip("svy")
    spec = _raked_spec(margins, "weighted-count", contributors)
    table = _every_group(table)
    units = unit_records(table)
    whole = _cells(CellAccumulator(spec).add(units.observations.table), units)
    accs = [CellAccumulator(spec).add(b) for b in _batches(units.observations.table, cuts)]
    assert _cells(_tree_merge(accs, picks), units).equals(whole)
    rows = {(r["A"], r["B"]): r for r in whole.to_pylist()}
    frame = table.to_pandas()
    weight = {
        (a, b): rows[a, b]["_num"] / len(g) for (a, b), g in frame.groupby(DIMS) if (a, b) in rows
    }
    frame["_w"] = [weight[a, b] for a, b in zip(frame["A"], frame["B"], strict=True)]
    for (a, b), row in rows.items():
        group = frame[((frame["A"] == a) | (a == "_T")) & ((frame["B"] == b) | (b == "_T"))]
        if contributors:
            ok = group["who"].notna()
            parts = [math.fsum(v) for _, v in group["_w"][ok].groupby(group["who"][ok])]
        else:
            parts = group["_w"].tolist()
        top = (sorted(parts, reverse=True) + [0.0] * 3)[:3]
        assert [row[top_column(None, j)] for j in (1, 2, 3)] == pytest.approx(top, rel=1e-12)
        assert row["_abs"] == pytest.approx(math.fsum(parts), rel=1e-12)
