"""Secondary suppression with protection levels: every pattern returned is re-attacked by
the scipy attacker of test_attack (independent of the library's relations and solver
interface): every sensitive cell suppressed, none exact, none inside its protection."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdinterop.aggregate._attack import unprotected
from cdinterop.aggregate._csp import cap_levels, protect_heuristic, protect_optimal
from cdinterop.aggregate._disclosure import additive_relations, protect
from cdinterop.aggregate._protection import Pattern, ProtectionProblem

from .test_attack import TOTAL, Table, oracle_failures, oracle_intervals, tables, threshold_problem

CASES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def today(t: Table, p: ProtectionProblem) -> np.ndarray:
    """The ``simple`` pattern of `_disclosure.protect` (today's secondary pass and audit)."""
    table = pa.table({d: [k[j] for k in t.keys] for j, d in enumerate(t.dims)})
    relations = additive_relations(table, t.dims, dict.fromkeys(t.dims, TOTAL))
    pattern, _ = protect(relations, p.sensitive, t.values.astype(np.int64))
    return pattern


def check(t: Table, problems: list[ProtectionProblem], pattern: Pattern) -> None:
    """The oracle's verdict on a returned pattern: protected, no suppressed cell exact."""
    supp = pattern.suppressed
    for p in problems:
        assert np.all(supp[p.sensitive])
        fail, (lo, hi) = oracle_failures(t, p, supp)
        assert not fail.any(), np.nonzero(fail)[0]
        exact = supp & (hi - lo < 1e-6)
        assert not exact.any(), np.nonzero(exact)[0]
    assert pattern.solver.startswith("HiGHS ")
    if pattern.method == "optimal":
        assert pattern.status in ("optimal", "time_limit")
        assert pattern.lower_bound is not None and pattern.gap is not None
        cost = float(problems[0].weights[supp & ~problems[0].sensitive].sum())
        assert pattern.lower_bound <= cost + 1e-9
        assert pattern.status != "optimal" or pattern.gap <= 1e-6
    else:
        assert pattern.status == "heuristic"


@CASES
@given(tables(), st.integers(3, 10), st.sampled_from([(0.5, 0.0), (0.2, 0.0), (0.3, 0.8)]))
def test_heuristic_and_optimal_patterns_are_protected(
    t: Table, k: int, shares: tuple[float, float]
) -> None:
    share, sliding = shares
    lin = t.linear()
    (p,), _ = cap_levels(lin, [threshold_problem(t, k, share, sliding)])
    start = today(t, p)
    heuristic = protect_heuristic(lin, [p], start, time_limit=2)
    check(t, [p], heuristic)
    optimal = protect_optimal(lin, [p], heuristic.suppressed, 3)
    check(t, [p], optimal)
    cost = [float((x.suppressed & ~p.sensitive).sum()) for x in (heuristic, optimal)]
    assert cost[1] <= cost[0]


@CASES
@given(tables(), st.integers(3, 10))
def test_one_pattern_protects_the_count_and_a_magnitude(t: Table, k: int) -> None:
    lin = t.linear()
    count = threshold_problem(t, k)
    rng = np.random.default_rng(int(t.values.sum()))
    # a magnitude: a random positive amount per finest cell, summed like the counts
    finest = [i for i, key in enumerate(t.keys) if TOTAL not in key]
    amount = {t.keys[i]: float(rng.integers(1, 50)) * t.values[i] for i in finest}
    values = np.array(
        [
            sum(v for f, v in amount.items() if all(c in (TOTAL, f[j]) for j, c in enumerate(key)))
            for key in t.keys
        ]
    )
    dominant = count.sensitive | (rng.random(values.size) < 0.1)
    level = np.where(dominant, np.ceil(0.1 * values), 0.0)
    magnitude = ProtectionProblem(
        values=values,
        sensitive=dominant,
        upl=level,
        lpl=np.minimum(level, values),
        spl=np.zeros_like(values),
        lb=np.zeros_like(values),
        ub=np.full_like(values, np.inf),
        weights=count.weights,
    )
    problems, _ = cap_levels(lin, [count, magnitude])
    heuristic = protect_heuristic(lin, problems, problems[0].sensitive, time_limit=1)
    check(t, problems, heuristic)
    optimal = protect_optimal(lin, problems, heuristic.suppressed, 2)
    check(t, problems, optimal)


def _grid(rows: int, cols: int, counts: list[int]) -> Table:
    finest = dict(zip(itertools.product(range(rows), range(cols)), counts, strict=True))
    keys, values = [], []
    for r in [*range(rows), TOTAL]:
        for c in [*range(cols), TOTAL]:
            v = sum(n for (i, j), n in finest.items() if r in (TOTAL, i) and c in (TOTAL, j))
            if v:
                keys.append((str(r), str(c)))
                values.append(float(v))
    return Table(["R", "C"], keys, np.array(values))


def test_optimal_is_the_cheapest_pattern_by_enumeration() -> None:
    t = _grid(3, 3, [2, 30, 25, 40, 3, 35, 20, 30, 45])
    lin = t.linear()
    (p,), _ = cap_levels(lin, [threshold_problem(t, 5)])
    free = np.nonzero(~p.sensitive)[0]
    best = np.inf
    for bits in itertools.product([False, True], repeat=free.size):
        supp = p.sensitive.copy()
        supp[free] = bits
        if sum(bits) < best and not unprotected(lin, p, supp).any():
            best = sum(bits)
    got = protect_optimal(lin, [p], today(t, p), 10)
    check(t, [p], got)
    assert got.status == "optimal" and got.gap == 0.0
    assert float((got.suppressed & ~p.sensitive).sum()) == best == got.lower_bound


def test_levels_are_capped_to_what_full_suppression_allows() -> None:
    # the column total of 3 has three children of at least 1: it cannot go below 3 - 0
    t = _grid(3, 2, [1, 40, 1, 40, 1, 40])
    lin = t.linear()
    p = threshold_problem(t, 10)
    (capped,), n = cap_levels(lin, [p])
    lo, _ = oracle_intervals(t, np.ones(t.values.size, dtype=bool), p.lb, p.ub)
    assert n > 0
    assert np.all(capped.lpl <= p.lpl) and np.all(capped.upl == p.upl)
    moved = capped.lpl < p.lpl
    assert np.allclose(capped.lpl[moved], np.floor(p.values - lo)[moved])
    got = protect_heuristic(lin, [capped], capped.sensitive)
    check(t, [capped], got)


def test_value_cost_prefers_small_cells() -> None:
    t = _grid(2, 3, [2, 30, 8, 40, 50, 9])
    lin = t.linear()
    p = threshold_problem(t, 5)
    by_value = replace(p, weights=np.maximum(p.values, 1.0))
    (q,), _ = cap_levels(lin, [by_value])
    got = protect_optimal(lin, [q], today(t, q), 10)
    check(t, [q], got)
    assert got.status == "optimal"
    value = float(q.values[got.suppressed & ~q.sensitive].sum())
    assert value == pytest.approx(got.lower_bound)


def test_the_same_input_gives_the_same_pattern() -> None:
    rng = np.random.default_rng(5)
    t = _grid(5, 6, rng.choice([1, 2, 3, 4, 8, 20, 40], size=30).tolist())
    lin = t.linear()
    (p,), _ = cap_levels(lin, [threshold_problem(t, 5)])
    runs = []
    for _ in range(2):
        h = protect_heuristic(lin, [p], today(t, p), time_limit=0.5)
        o = protect_optimal(lin, [p], h.suppressed, 0.5)
        assert h.reproducible and o.reproducible
        runs.append((h.suppressed, o.suppressed, o.lower_bound))
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])
    assert runs[0][2] == runs[1][2]
    check(t, [p], Pattern(runs[0][1], "optimal", "time_limit", runs[0][2], 0.0, 0.0, "HiGHS x", 1))
