"""The linear-programming attacker against one written here with scipy.

The oracle rebuilds the additive relations from the cells' keys (not from
``_disclosure.Relations``) and solves every bound with ``scipy.optimize.linprog``, so it
shares neither the relations nor the solver interface with ``_attack`` / ``_attacker``
(both use HiGHS, scipy through its own wrapper)."""

from __future__ import annotations

import itertools
import subprocess
import sys
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdinterop.aggregate._attack import (
    attack_intervals,
    find_violations,
    protection_failures,
    unprotected,
)
from cdinterop.aggregate._disclosure import additive_relations
from cdinterop.aggregate._protection import ProtectionProblem
from cdinterop.aggregate._relations import LinearRelations, components, linear_relations

from .helpers import key_relations

linprog = pytest.importorskip("scipy.optimize").linprog

TOTAL = "_T"


@dataclass(frozen=True)
class Table:
    """Cells of a table with every total (only cells with a record are written)."""

    dims: list[str]
    keys: list[tuple[str, ...]]
    values: np.ndarray

    def relations(self) -> list[tuple[int, list[int]]]:
        """(total cell, its children) of every relation, from the keys alone."""
        return key_relations(self.keys, range(len(self.dims)), TOTAL)

    def linear(self) -> LinearRelations:
        """The library's relations of these cells."""
        table = pa.table({d: [k[j] for k in self.keys] for j, d in enumerate(self.dims)})
        return linear_relations(
            additive_relations(table, self.dims, dict.fromkeys(self.dims, TOTAL))
        )


@st.composite
def tables(draw: st.DrawFn, max_levels: int = 3) -> Table:
    """A random table: 1-3 dimensions of 1-``max_levels`` codes, skewed counts (many
    small, some empty finest cells), with every total."""
    ndims = draw(st.integers(1, 3))
    levels = [[f"c{v}" for v in range(draw(st.integers(1, max_levels)))] for _ in range(ndims)]
    finest = list(itertools.product(*levels))
    counts = draw(
        st.lists(
            st.sampled_from([0, 0, 1, 1, 2, 3, 4, 6, 9, 15, 40]),
            min_size=len(finest),
            max_size=len(finest),
        )
    )
    base = dict(zip(finest, counts, strict=True))
    keys, values = [], []
    for key in itertools.product(*[[*lv, TOTAL] for lv in levels]):
        v = sum(
            n
            for f, n in base.items()
            if all(key[j] == TOTAL or key[j] == f[j] for j in range(ndims))
        )
        if v > 0:
            keys.append(key)
            values.append(float(v))
    if not keys:  # every finest cell empty: one cell
        keys, values = [tuple(lv[0] for lv in levels)], [1.0]
    return Table([f"D{j}" for j in range(ndims)], keys, np.array(values))


def oracle_intervals(
    t: Table,
    suppressed: np.ndarray,
    lb: np.ndarray,
    ub: np.ndarray,
    values: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of every suppressed cell by scipy's linprog (published: the value) for
    the relations of ``t`` and its values (or ``values``: another quantity)."""
    values = t.values if values is None else values
    hidden = np.nonzero(suppressed)[0]
    pos = {int(c): p for p, c in enumerate(hidden)}
    rows, rhs = [], []
    for total, children in t.relations():
        row = np.zeros(hidden.size)
        known = 0.0
        for c, coef in [(total, 1.0)] + [(ch, -1.0) for ch in children]:
            if c in pos:
                row[pos[c]] += coef
            else:
                known += coef * values[c]
        if row.any():
            rows.append(row)
            rhs.append(-known)
    lower, upper = values.copy(), values.copy()
    bounds = [(lb[c], None if np.isinf(ub[c]) else ub[c]) for c in hidden]
    a_eq = np.array(rows) if rows else None
    b_eq = np.array(rhs) if rows else None
    for p, c in enumerate(hidden):
        for sign, out in ((1.0, lower), (-1.0, upper)):
            cost = np.zeros(hidden.size)
            cost[p] = sign
            res = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if res.status == 3:
                out[c] = -sign * np.inf
            else:
                assert res.status == 0, res.message
                out[c] = sign * res.fun
    return lower, upper


def oracle_failures(
    t: Table, p: ProtectionProblem, suppressed: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sensitive cells whose protection fails by the oracle's intervals, and the oracle's
    intervals (tolerance 1e-6, like the library's verdict)."""
    lo, hi = oracle_intervals(t, suppressed, p.lb, p.ub, p.values)
    a = p.values
    with np.errstate(invalid="ignore"):
        fail = p.sensitive & (
            ((p.upl > 0) & (hi < a + p.upl - 1e-6))
            | ((p.lpl > 0) & (lo > a - p.lpl + 1e-6))
            | ((p.spl > 0) & (hi - lo < p.spl - 1e-6))
        )
    return fail, np.vstack([lo, hi])


def threshold_problem(
    t: Table, k: int, share: float = 0.5, sliding: float = 0.0, lb: float = 1.0
) -> ProtectionProblem:
    """The threshold rule's problem: sensitive ``0 < x < k``, levels as shares of k."""
    v = t.values
    sensitive = (v > 0) & (v < k)
    level = float(np.ceil(share * k))
    lbs = np.minimum(v, lb)
    return ProtectionProblem(
        values=v,
        sensitive=sensitive,
        upl=np.where(sensitive, level, 0.0),
        lpl=np.where(sensitive, np.minimum(level, v - lbs), 0.0),
        spl=np.where(sensitive, float(np.ceil(sliding * k)), 0.0),
        lb=lbs,
        ub=np.full_like(v, np.inf),
        weights=np.ones_like(v),
    )


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(tables(max_levels=4))
def test_linear_relations_are_the_tables_relations(t: Table) -> None:
    lin = t.linear()
    got = set()
    for r in range(lin.n_rows):
        cells = lin.index[lin.start[r] : lin.start[r + 1]]
        coefs = lin.value[lin.start[r] : lin.start[r + 1]]
        (total,) = cells[coefs > 0]
        got.add((int(total), tuple(sorted(cells[coefs < 0].tolist()))))
    want = {(total, tuple(sorted(children))) for total, children in t.relations()}
    assert got == want
    assert np.all(np.diff(lin.start) >= 2)
    assert np.allclose(lin.times(t.values), 0.0)  # the true values balance


@FAST
@given(tables(), st.data())
def test_intervals_match_an_independent_attacker(t: Table, data: st.DataObject) -> None:
    n = t.values.size
    suppressed = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    lb = np.full(n, data.draw(st.sampled_from([0.0, 1.0])))
    ub = np.full(n, np.inf) if data.draw(st.booleans()) else np.full(n, t.values.max() * 2)
    got = attack_intervals(t.linear(), t.values, suppressed, lb, ub)
    lo, hi = oracle_intervals(t, suppressed, lb, ub)
    assert got.complete
    assert np.allclose(got.lower, lo, atol=1e-6)
    assert np.array_equal(np.isinf(got.upper), np.isinf(hi))
    assert np.allclose(got.upper[np.isfinite(hi)], hi[np.isfinite(hi)], atol=1e-6)
    assert np.all((got.lower <= t.values + 1e-9) & (t.values <= got.upper + 1e-9))


@FAST
@given(tables(), st.integers(2, 10), st.sampled_from([0.0, 0.5, 1.0]), st.data())
def test_unprotected_agrees_with_the_intervals(
    t: Table, k: int, sliding: float, data: st.DataObject
) -> None:
    n = t.values.size
    p = threshold_problem(t, k, sliding=sliding)
    suppressed = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    suppressed |= p.sensitive & data.draw(st.booleans())
    lin = t.linear()
    found = unprotected(lin, p, suppressed)
    iv = attack_intervals(lin, p.values, suppressed, p.lb, p.ub)
    up, down, slide = protection_failures(p, iv.lower, iv.upper)
    assert np.array_equal(found, up | down | slide)
    assert np.array_equal(found, oracle_failures(t, p, suppressed)[0])


@FAST
@given(tables(), st.integers(3, 10), st.data())
def test_cuts_are_tight_here_and_valid_for_every_pattern(
    t: Table, k: int, data: st.DataObject
) -> None:
    n = t.values.size
    p = threshold_problem(t, k)
    p = replace(p, ub=np.full(n, t.values.max() * 2))
    lin = t.linear()
    y = p.sensitive | np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    other = y | np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    other_fail = oracle_failures(t, p, other)
    for v in find_violations(lin, p, y):
        lhs_here = float(v.coefs[y[v.cells]].sum())
        assert lhs_here <= v.move + 1e-6  # capped coefficients: at most the move
        assert lhs_here < v.level - 1e-7  # so the cut is violated by this pattern
        if not other_fail[0][v.cell]:  # protected there: the cut must hold there
            assert float(v.coefs[other[v.cells]].sum()) >= v.level - 1e-6


def test_published_values_of_suppressed_cells_are_not_read() -> None:
    t = Table(
        ["R", "C"],
        [(r, c) for r in ("a", "b", TOTAL) for c in ("x", "y", TOTAL)],
        np.array([3.0, 20, 23, 20, 20, 40, 23, 40, 63]),
    )
    hidden = np.zeros(9, dtype=bool)
    hidden[[0, 1, 3, 4]] = True
    blank = np.where(hidden, np.nan, t.values)
    got = attack_intervals(t.linear(), blank, hidden, np.ones(9), np.full(9, np.inf))
    assert got.lower[0] == pytest.approx(1.0) and got.upper[0] == pytest.approx(22.0)
    assert np.array_equal(got.lower[~hidden], t.values[~hidden])


def test_components_are_the_linked_cells() -> None:
    t = Table(
        ["R", "C"],
        [(r, c) for r in ("a", "b", TOTAL) for c in ("x", "y", TOTAL)],
        np.array([3.0, 20, 23, 20, 20, 40, 23, 40, 63]),
    )
    lin = t.linear()
    mask = np.zeros(9, dtype=bool)
    mask[[0, 2, 4]] = True  # (a,x) and (a,_T) share row a; (b,y) shares nothing with them
    label = components(lin, mask)
    assert label[0] == label[2] != label[4]
    assert np.all(label[~mask] == -1)
    assert np.unique(components(lin, np.ones(9, dtype=bool))).size == 1


def test_the_solver_writes_nothing_to_the_console() -> None:
    code = (
        "from cdinterop.aggregate._highs import new_highs, solver_name\n"
        "new_highs(); print(solver_name())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("HiGHS ") and out.stdout.strip().endswith("(highspy)")
    assert out.stdout.count("\n") == 1 and out.stderr == ""


class _Scripted:
    """A stand-in for a HiGHS model whose runs end in the statuses given, in order."""

    def __init__(self, *statuses: object) -> None:
        self.statuses = list(statuses)
        self.status: object = None
        self.cleared = 0

    def run(self) -> None:
        self.status = self.statuses.pop(0)

    def getModelStatus(self) -> object:
        return self.status

    def clearSolver(self) -> None:
        self.cleared += 1


def test_a_warm_solve_that_says_infeasible_is_solved_again_from_scratch() -> None:
    """A warm start can end in a wrong "infeasible" (seen on the benchmark table with a
    20 s limit): the true values are feasible, so only a cold solve may say so."""
    import highspy

    from cdinterop.aggregate._highs import solve_twice

    status = highspy.HighsModelStatus
    model = _Scripted(status.kInfeasible, status.kOptimal)
    assert solve_twice(model) == (status.kOptimal, 2) and model.cleared == 1
    model = _Scripted(status.kUnboundedOrInfeasible, status.kUnbounded)
    assert solve_twice(model) == (status.kUnbounded, 2)
    model = _Scripted(status.kOptimal)
    assert solve_twice(model) == (status.kOptimal, 1) and model.cleared == 0
    model = _Scripted(status.kInfeasible, status.kInfeasible)
    assert solve_twice(model) == (status.kInfeasible, 2)


@FAST
@given(tables(), st.integers(2, 10), st.sampled_from([0.0, 0.5, 1.0]), st.data())
def test_the_runs_audit_gives_the_verdicts_of_an_independent_attacker(
    t: Table, k: int, sliding: float, data: st.DataObject
) -> None:
    """The run's audit skips the programs of cells whose verdicts the feasible points seen
    already settle: its counts must be those of the scipy attacker's full intervals."""
    from cdinterop.aggregate._suppression import _audit

    n = t.values.size
    p = threshold_problem(t, k, sliding=sliding)
    suppressed = p.sensitive | np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    lin = t.linear()
    got = _audit(lin, [p], suppressed)
    lo, hi = oracle_intervals(t, suppressed, p.lb, p.ub, p.values)
    lo, hi = np.ceil(lo - 1e-6), np.floor(hi + 1e-6)
    a = p.values
    s = p.sensitive & suppressed
    with np.errstate(invalid="ignore"):
        inside = s & ((hi < a + p.upl - 1e-6) | (lo > a - p.lpl + 1e-6))
        narrow = s & (hi - lo < p.spl - 1e-6)
    assert got.complete and got.cells == int(suppressed.sum())
    assert got.exact == int((suppressed & (hi - lo < 0.5)).sum())
    assert got.inside_protection == int(inside.sum())
    assert got.narrower_than_sliding == int(narrow.sum())
