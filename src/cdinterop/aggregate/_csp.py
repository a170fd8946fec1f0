"""Optimal secondary cell suppression with protection levels (Fischetti and Salazar).

The model: a binary ``y_j`` per cell (1 = suppressed), ``y_i = 1`` for sensitive cells,
minimise ``sum_j w_j y_j`` subject to every protection level, where the levels are
expressed through the attacker's dual cuts (`_attack`): for each sensitive cell and
direction, ``sum_j c_j y_j >= level`` for every attacker dual. There are exponentially
many, so they are generated (row generation), in one HiGHS model kept between rounds:

- the master starts with two families of valid rows: **relation capacity** rows (in each
  relation of a sensitive cell, the other suppressed cells must be able to absorb its
  move) and **lone-suppression** rows (a non-sensitive cell is not the only suppressed
  cell of a relation: such a cell is determined, publishing it changes nothing and costs
  less, so some optimal pattern satisfies these rows);
- first, cut rounds on the master's **linear relaxation** (a tenth of the time limit):
  the attacker accepts fractional patterns (a cell moves ``y_j`` times its room), and
  these cheap rounds raise the bound before any branching;
- then each **round** solves the master MIP (at most half the time left; relative gap 5 %
  at first, 1e-6 once a master pattern is protected), with the incumbent given to HiGHS;
  attacks its pattern; adds the cut of every failing protection; and turns the pattern
  into a protected one (`_csp_heuristic.repair`, lone cells published, a short pruning),
  which replaces the incumbent when it costs less;
- the loop ends when a master solved to the 1e-6 gap gives a protected pattern (status
  ``optimal``), or at the time limit (status ``time_limit``): a master stopped by the
  time limit never ends the loop as if optimal, and a pattern replaces the incumbent only
  when the attacker finds it protected and it costs less;
- at the end, secondary cells that the attacker already knows exactly are published.

The lower bound is the best dual bound of the master (every row is valid, so the master is
a relaxation of the problem), rounded up for integer costs; the gap is
``(cost - bound) / cost`` over the secondary cells, and a gap of at most 1e-6 is reported
as ``optimal`` whatever stopped the loop. The incumbent starts from ``start``, repaired if
the attacker finds it unprotected, so the result is always protected.

**Time**: ``time_limit`` is turned into a counted budget (`_protection.Budget`: linear
programs solved, branch-and-bound nodes, simplex iterations of the master), so the same
input gives the same pattern on every run; the wall clock only stops a step after three
times the limit (``Pattern.reproducible`` is then false). The master's root node is not
limited by HiGHS' node count: on the benchmark table it can spend seconds separating cuts,
so a call may take up to about twice ``time_limit``. ``deterministic=False`` uses wall-clock seconds
instead. The repair of ``start`` always completes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from cdinterop.aggregate._attacker import TOLERANCE, Violation
from cdinterop.aggregate._csp_heuristic import (
    OutOfTime,
    cap_levels,
    protect_heuristic,
    prune,
    publish_determined_cells,
    publish_lone_cells,
    repair,
)
from cdinterop.aggregate._highs import OPTIMAL, build_lp, new_highs, solver_name
from cdinterop.aggregate._protection import (
    Attack,
    Budget,
    Pattern,
    ProtectionProblem,
    cost,
    sensitive_cells,
)
from cdinterop.aggregate._relations import LinearRelations

__all__ = [
    "Pattern",
    "ProtectionProblem",
    "cap_levels",
    "protect_heuristic",
    "protect_optimal",
]

_Rows = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""Rows ``sum coef * y >= rhs`` as (row start, cells, coefficients, rhs)."""


def _other_entries(lin: LinearRelations, entries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each entry of ``entries``, every other entry of its row: (source, other)."""
    row = lin.row_of_entry[entries]
    first, lens = lin.start[row], lin.start[row + 1] - lin.start[row]
    src = np.repeat(entries, lens)
    dst = np.repeat(first - np.cumsum(lens) + lens, lens) + np.arange(int(lens.sum()))
    keep = dst != src
    return src[keep], dst[keep]


def _grouped(src: np.ndarray, cells: np.ndarray, coefs: np.ndarray, rhs: np.ndarray) -> _Rows:
    """Rows from entries grouped by ``src`` (sorted); ``rhs`` per distinct ``src``."""
    keys, counts = np.unique(src, return_counts=True)
    start = np.zeros(keys.size + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    return start, cells, coefs, rhs


def _capacity_rows(lin: LinearRelations, p: ProtectionProblem) -> list[_Rows]:
    """In each relation of a sensitive cell, the others' room must absorb its levels."""
    entries = np.nonzero(p.sensitive[lin.index])[0]
    src, dst = _other_entries(lin, entries)
    i, j = lin.index[src], lin.index[dst]
    opposite = lin.value[src] * lin.value[dst] < 0  # j moves with i (the total of child i)
    with np.errstate(invalid="ignore"):
        up_room = p.ub[j] - p.values[j]
        down_room = p.values[j] - p.lb[j]
    out = []
    for level, room in (
        (p.upl, np.where(opposite, up_room, down_room)),
        (p.lpl, np.where(opposite, down_room, up_room)),
        (p.spl, up_room + down_room),
    ):
        coef = np.minimum(room, level[i])
        keep = (level[i] > 0) & (coef > 0)
        if not keep.any():
            continue
        s, c, v = src[keep], j[keep], coef[keep]
        order = np.argsort(s, kind="stable")
        s, c, v = s[order], c[order], v[order]
        keys = np.unique(s)
        total = np.bincount(np.searchsorted(keys, s), weights=v)
        need = np.minimum(level[lin.index[keys]], total)  # an impossible level: all of them
        out.append(_grouped(s, c, v, need - TOLERANCE * np.maximum(1.0, need)))
    return out


def _lone_rows(lin: LinearRelations, sensitive: np.ndarray) -> _Rows:
    """``-y_j + sum of the other cells of the relation >= 0`` for non-sensitive cells."""
    entries = np.nonzero(~sensitive[lin.index])[0]
    src, dst = _other_entries(lin, entries)
    s = np.concatenate([entries, src])
    c = np.concatenate([lin.index[entries], lin.index[dst]])
    v = np.concatenate([-np.ones(entries.size), np.ones(dst.size)])
    order = np.argsort(s, kind="stable")
    return _grouped(s[order], c[order], v[order], np.zeros(entries.size))


def _cut_rows(found: Sequence[Violation]) -> _Rows:
    """The cuts of failing protections (a cut without any cell would only say that the
    level is impossible, which `cap_levels` rules out: left out)."""
    found = [v for v in found if v.cells.size]
    cells = np.concatenate([v.cells for v in found])
    coefs = np.concatenate([v.coefs for v in found])
    start = np.zeros(len(found) + 1, dtype=np.int64)
    np.cumsum([v.cells.size for v in found], out=start[1:])
    rhs = np.array([v.level - TOLERANCE * max(1.0, v.level) for v in found])
    return start, cells, coefs, rhs


@dataclass(frozen=True)
class _MasterResult:
    y: np.ndarray | None
    """The master's pattern (rounded), or its relaxation's ``y`` in [0, 1]."""
    bound: float
    """A lower bound on the master's optimum (its dual bound)."""
    optimal: bool
    """Whether the master was solved to its gap tolerance."""
    nodes: int = 0
    """Its work: branch-and-bound nodes, and a unit per 30 simplex iterations."""
    clock: bool = False
    """Whether the wall clock stopped it."""


class _Master:
    """The master MIP, one HiGHS model kept between rounds."""

    def __init__(self, weights: np.ndarray, sensitive: np.ndarray) -> None:
        n = weights.size
        self.n, self.weights = n, weights
        self.h = new_highs()
        # no strong branching: nodes stay cheap, so the node limit bounds the time better
        self.h.setOptionValue("mip_pscost_minreliable", 0)
        zeros = np.zeros(0)
        self.h.passModel(
            build_lp(
                weights.astype(np.float64),
                sensitive.astype(np.float64),
                np.ones(n),
                zeros,
                zeros,
                np.zeros(n + 1, dtype=np.int64),
                zeros,
                zeros,
            )
        )
        self.h.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), [highspy.HighsVarType.kInteger] * n
        )
        self.rows = 0

    def add(self, rows: _Rows) -> None:
        start, cells, coefs, rhs = rows
        if rhs.size == 0:
            return
        self.h.addRows(
            rhs.size,
            rhs.astype(np.float64),
            np.full(rhs.size, highspy.kHighsInf),
            cells.size,
            start[:-1].astype(np.int32),
            cells.astype(np.int32),
            coefs.astype(np.float64),
        )
        self.rows += rhs.size

    def relaxation(self, seconds: float) -> _MasterResult:
        """The linear relaxation (fractional ``y``)."""
        self.h.setOptionValue("solve_relaxation", True)
        self.h.setOptionValue("time_limit", max(0.05, seconds))
        self.h.run()
        self.h.setOptionValue("solve_relaxation", False)
        if self.h.getModelStatus() != OPTIMAL:
            return _MasterResult(None, -np.inf, False)
        y = np.clip(np.asarray(self.h.getSolution().col_value), 0.0, 1.0)
        return _MasterResult(y, float(self.h.getInfo().objective_function_value), True)

    def solve(
        self, seconds: float, nodes: float, incumbent: np.ndarray, gap: float
    ) -> _MasterResult:
        """The MIP within ``seconds``, ``nodes`` branch-and-bound nodes and the relative
        ``gap``, from the incumbent."""
        self.h.setOptionValue("time_limit", max(0.05, seconds))
        self.h.setOptionValue("mip_max_nodes", int(min(max(1.0, nodes), 2**31 - 1)))
        self.h.setOptionValue("mip_rel_gap", gap)
        self.h.setSolution(self.n, np.arange(self.n, dtype=np.int32), incumbent.astype(np.float64))
        self.h.run()
        y = self._solution()
        if y is not None and not self._consistent(y):
            # HiGHS 1.16 sometimes hands back the solution given by setSolution, not the
            # better one its objective value reports: solve again without it
            self.h.clearSolver()
            self.h.run()
            y = self._solution()
            if y is not None and not self._consistent(y):
                y = None
        info: Any = self.h.getInfo()
        optimal = self.h.getModelStatus() == OPTIMAL
        work = int(info.mip_node_count) + int(info.simplex_iteration_count) // 30
        clock = self.h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit
        return _MasterResult(y, float(info.mip_dual_bound), optimal, work, clock)

    def _solution(self) -> np.ndarray | None:
        if self.h.getInfo().primal_solution_status != highspy.kSolutionStatusFeasible:
            return None
        y: np.ndarray = np.asarray(self.h.getSolution().col_value) > 0.5
        return y

    def _consistent(self, y: np.ndarray) -> bool:
        objective = float(self.h.getInfo().objective_function_value)
        return abs(float(self.weights[y].sum()) - objective) <= 1e-6 * max(1.0, abs(objective))


_RELAXATION_SHARE = 0.1
"""Share of the time limit for cuts on the master's linear relaxation (cheap rounds)."""
_MASTER_SHARE = 0.5
"""Share of the time left that one master solve may take."""
_PRUNE_SHARE = 0.15
"""Share of the time left for pruning a repaired master pattern."""
_FIRST_GAP, _FINAL_GAP = 0.05, 1e-6
"""The master's relative gap tolerance: first loose (fast rounds), then tight once its
pattern is protected."""


class _Search:
    """The state of one optimisation: the master, the attack, the budget, the incumbent."""

    def __init__(
        self,
        lin: LinearRelations,
        problems: list[ProtectionProblem],
        time_limit: float,
        deterministic: bool,
    ) -> None:
        self.lin, self.problems = lin, problems
        self.weights = problems[0].weights
        self.sensitive = sensitive_cells(problems)
        self.fixed = float(self.weights[self.sensitive].sum())
        self.attack = Attack(lin, problems)
        self.budget = Budget(self.attack, time_limit, deterministic=deterministic)
        self.master = _Master(self.weights, self.sensitive)
        for p in problems:
            for rows in _capacity_rows(lin, p):
                self.master.add(rows)
        self.master.add(_lone_rows(lin, self.sensitive))
        self.incumbent = self.sensitive
        self.best = np.inf
        self.bound = 0.0

    def offer(self, pattern: np.ndarray) -> None:
        """A pattern the attacker found protected: the incumbent if it costs less."""
        c = cost(self.problems, pattern)
        if c < self.best:
            self.incumbent, self.best = pattern.copy(), c

    def improve(self, pattern: np.ndarray) -> None:
        """Repair an unprotected pattern, publish its lone cells, prune it a little and
        offer it."""
        try:
            fixed, _, _ = repair(self.lin, self.problems, pattern, self.attack, self.budget)
        except OutOfTime:
            return
        fixed = publish_lone_cells(self.lin, self.sensitive, fixed)
        fixed = prune(self.lin, self.problems, fixed, self.budget.share(_PRUNE_SHARE))
        self.offer(fixed)

    def relax(self, budget: Budget) -> None:
        """Cut rounds on the linear relaxation until nothing is violated or the budget is
        spent."""
        while not budget.spent():
            got = self.master.relaxation(budget.seconds_left())
            self.attack.other += 1
            if got.y is None:
                return
            self.bound = max(self.bound, got.bound - self.fixed)
            if budget.spent():
                return
            found = [v for _, v in self.attack.violations(got.y)]
            if not found:
                return
            self.master.add(_cut_rows(found))

    def run(self) -> tuple[str, int]:
        """Master rounds until a proven optimum or the budget's end: (status, rounds)."""
        gap, rounds = _FIRST_GAP, 0
        while not self.budget.spent():
            rounds += 1
            part = self.budget.share(_MASTER_SHARE)
            # counted: nodes; the root node is not, so the clock is only the safety cap
            got = self.master.solve(part.seconds_left(), part.work_left(), self.incumbent, gap)
            self.attack.other += got.nodes
            self.attack.clock_stopped |= got.clock
            if np.isfinite(got.bound):
                self.bound = max(self.bound, got.bound - self.fixed)
            if got.y is None:
                break
            found = [v for _, v in self.attack.violations(got.y)]
            if not found:
                self.offer(got.y)
                if got.optimal and gap <= _FINAL_GAP:
                    return "optimal", rounds
                gap = _FINAL_GAP if got.optimal else gap
                continue
            self.master.add(_cut_rows(found))
            if not self.budget.spent():
                self.improve(got.y)
        return "time_limit", rounds


def protect_optimal(
    lin: LinearRelations,
    problems: Sequence[ProtectionProblem],
    start: np.ndarray,
    time_limit: float,
    *,
    deterministic: bool = True,
) -> Pattern:
    """The cheapest protected pattern found within the budget of ``time_limit`` (see the
    module documentation and `Budget`: counted work, so the same input gives the same
    pattern; ``deterministic=False``: wall-clock seconds), started from ``start``
    (repaired first if the attacker finds it unprotected; that repair always completes)."""
    started = time.perf_counter()
    problems = list(problems)
    search = _Search(lin, problems, time_limit, deterministic)
    incumbent, _, capped = repair(lin, problems, start, search.attack)  # never cut short
    search.offer(publish_lone_cells(lin, search.sensitive, incumbent))
    search.relax(search.budget.share(_RELAXATION_SHARE))
    status, rounds = search.run()
    incumbent = publish_determined_cells(problems, search.incumbent, search.attack)
    best = cost(problems, incumbent)
    bound = min(search.bound, best)
    if np.all(problems[0].weights == np.round(problems[0].weights)):
        bound = max(0.0, float(np.ceil(bound - TOLERANCE * max(1.0, bound))))  # integer costs
    gap = (best - bound) / best if best > 0 else 0.0
    if gap <= _FINAL_GAP:
        status = "optimal"
    return Pattern(
        incumbent,
        "optimal",
        status,
        bound,
        gap,
        round(time.perf_counter() - started, 3),
        solver_name(),
        rounds,
        capped,
        not search.attack.clock_stopped or not deterministic,
    )
