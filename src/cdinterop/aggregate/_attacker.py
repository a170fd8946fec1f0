"""The attacker of protection levels, kept between patterns (HiGHS through highspy).

An `Attacker` holds one problem (`ProtectionLevels`: true values, sensitive cells, levels,
a-priori bounds) and HiGHS models over **every** cell of the table: a published cell is a
column fixed at its value, a suppressed one is free between its bounds. Changing the
pattern only changes column bounds, so the models stay warm from one pattern to the next
(the repair rounds, the pruning trials and the optimisation rounds change a few cells at a
time; a cold start of the services table costs 35 ms, a warm re-solve 2-3 ms).

For a pattern ``y`` (0 published, 1 suppressed; fractional values are allowed for the
relaxation of the optimisation) cell ``j`` lies in ``[a_j - LB_j y_j, a_j + UB_j y_j]``
with ``LB = a - lb`` and ``UB = ub - a``. A sensitive cell is protected when the attacker's
maximum reaches ``a + UPL``, the minimum ``a - LPL`` and the width ``SPL``
(`protection_failures` is the one verdict).

`Attacker.violations` decides it with few programs: a **certificate** program per direction
maximises ``sum_i min(+-(x_i - a_i), level_i)`` over the sensitive cells; every feasible
point reached (certificates and single-cell optima) witnesses the cells it moves far
enough, and only the others get their own program (objective changed, primal simplex from
the last basis). Each witness is feasible, so the verdict equals the one on the exact
intervals.

**Cuts**: the reduced costs ``d`` of the single-cell program (``min -x_i`` or ``min x_i``)
give ``alpha = max(0, -d)``, ``beta = max(0, d)`` and the inequality
``sum_j (alpha_j UB_j + beta_j LB_j) y_j >= level`` (Fischetti and Salazar 2000), valid for
every pattern (weak duality) and tight at this one (strong duality: its left side equals the
move). Coefficients are capped at the level (still valid for binary patterns).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from cdinterop.aggregate._highs import (
    INFEASIBLE,
    OPTIMAL,
    UNBOUNDED,
    build_lp,
    columns,
    new_highs,
    solve_twice,
)
from cdinterop.aggregate._relations import LinearRelations

__all__ = [
    "TOLERANCE",
    "Attacker",
    "ProtectionLevels",
    "ProtectionLike",
    "Violation",
    "protection_failures",
    "slack",
]

TOLERANCE = 1e-6
"""Relative slack of every verdict: a level counts as reached when the attacker's bound is
within ``TOLERANCE * max(1, |a|)`` of it (absorbs the solver's 1e-9 noise)."""

EPS = 1e-9
_CERTIFICATES, _FEW, _GAIN = 1, 3, 1.0
"""Certificate programs per direction: at most 4, while at least 3 cells are left and the
last one witnessed at least a fifth of the cells it was given."""


class ProtectionLike(Protocol):
    """The least a protection problem gives (arrays over the cells): what the hypercube
    search reads (`_hypercube.hypercube_pattern`, which also takes ``spl`` and ``ub`` when
    present)."""

    @property
    def values(self) -> np.ndarray:
        """True value of every cell."""

    @property
    def sensitive(self) -> np.ndarray:
        """Cells that need protection."""

    @property
    def upl(self) -> np.ndarray:
        """Upper protection levels (distance above the true value the attacker cannot
        exclude); ≤ 0: no upward requirement."""

    @property
    def lpl(self) -> np.ndarray:
        """Lower protection levels; ≤ 0: no downward requirement."""

    @property
    def lb(self) -> np.ndarray:
        """A-priori lower bounds (1 for a written count, 0 for a magnitude)."""


class ProtectionLevels(ProtectionLike, Protocol):
    """What the attacker needs of a protection problem (`_protection.ProtectionProblem`): the
    sliding levels and the a-priori upper bounds too."""

    @property
    def spl(self) -> np.ndarray:
        """Sliding protection levels."""

    @property
    def ub(self) -> np.ndarray:
        """A-priori upper bounds (may be ``inf``)."""


@dataclass(frozen=True)
class Violation:
    """A sensitive cell whose protection fails in one direction, with its cut."""

    cell: int
    kind: str
    """``upper``, ``lower`` or ``sliding``."""
    level: float
    """The protection level asked."""
    move: float
    """What the attacker leaves: ``max - a``, ``a - min`` or ``max - min``."""
    cells: np.ndarray
    """Cells of the cut ``sum coefs * y[cells] >= level`` (int64; empty without cuts)."""
    coefs: np.ndarray
    """Their coefficients, each at most ``level``."""

    @property
    def deficit(self) -> float:
        """How far the move falls short of the level."""
        return self.level - self.move


def slack(values: np.ndarray) -> np.ndarray:
    """The tolerance of a verdict on cells of these values."""
    out: np.ndarray = TOLERANCE * np.maximum(1.0, np.abs(values))
    return out


def protection_failures(
    problem: ProtectionLevels, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sensitive cells whose upper, lower and sliding protection fails, given the
    attacker's intervals (``lower == upper == value`` for a published cell)."""
    a, tol = problem.values, slack(problem.values)
    s = problem.sensitive
    with np.errstate(invalid="ignore"):
        up = s & (problem.upl > 0) & ~(upper >= a + problem.upl - tol)
        down = s & (problem.lpl > 0) & ~(lower <= a - problem.lpl + tol)
        slide = s & (problem.spl > 0) & ~(upper - lower >= problem.spl - tol)
    return up, down, slide


@dataclass
class _Extreme:
    value: float
    x: np.ndarray | None
    """The optimal point (None when unbounded)."""
    dual: np.ndarray | None
    """The reduced costs of every cell (None when unbounded)."""


class Attacker:
    """The attacker of one problem, kept warm between patterns (module documentation)."""

    def __init__(self, lin: LinearRelations, problem: ProtectionLevels) -> None:
        a = np.asarray(problem.values, dtype=np.float64)
        n = a.size
        if lin.n_rows and lin.n_cells != n:
            raise ValueError(f"relations over {lin.n_cells} cells, values of {n}")
        self.problem, self.n, self.a = problem, n, a
        with np.errstate(invalid="ignore"):
            self.room_up = np.asarray(problem.ub, dtype=np.float64) - a
        self.room_down = a - np.asarray(problem.lb, dtype=np.float64)
        self.tol = slack(a)
        self.upl, self.lpl, self.spl = problem.upl, problem.lpl, problem.spl
        self.need = problem.sensitive & ((self.upl > 0) | (self.lpl > 0) | (self.spl > 0))
        self.cols = columns(lin, n)
        self.m = lin.n_rows
        self.y = np.zeros(n)
        self.lower, self.upper = a.copy(), a.copy()
        zeros = np.zeros(self.m)
        self.model = new_highs()
        self.model.setOptionValue("presolve", "off")
        self.model.setOptionValue("solver", "simplex")
        # between two solves mostly the objective changes: the basis stays primal feasible
        self.model.setOptionValue("simplex_strategy", 4)
        self.model.passModel(build_lp(np.zeros(n), a, a, zeros, zeros, *self.cols))
        self.target = -1
        self.sens = np.nonzero(self.need)[0]
        self.certificates: dict[bool, Any] = {}
        self.solves = 0
        """Linear programs solved so far (the work of the deterministic budgets)."""

    # ------------------------------------------------------------------ pattern

    def set_pattern(self, pattern: np.ndarray) -> None:
        """Attack ``pattern`` from now on (bool, or a fractional ``y`` in [0, 1])."""
        y = np.asarray(pattern, dtype=np.float64)
        lower = self.a - self.room_down * y
        with np.errstate(invalid="ignore"):
            upper = np.where(y > EPS, self.a + self.room_up * y, self.a)
        changed = np.nonzero((lower != self.lower) | (upper != self.upper))[0]
        if changed.size:
            idx = changed.astype(np.int32)
            for h in (self.model, *self.certificates.values()):
                h.changeColsBounds(idx.size, idx, lower[changed], upper[changed])
        self.y, self.lower, self.upper = y, lower, upper

    # ------------------------------------------------------------------ programs

    def _certificate_model(self, up: bool) -> Any:
        h = self.certificates.get(up)
        if h is not None:
            return h
        n, k, m = self.n, self.sens.size, self.m
        start, index, value = self.cols
        # columns: x (n) then t (k); rows: the relations, then sign * x_i - t_i >= sign * a_i
        sign = 1.0 if up else -1.0
        lens = np.diff(start)
        lens[self.sens] += 1
        new_start = np.zeros(n + k + 1, dtype=np.int64)
        np.cumsum(np.concatenate([lens, np.ones(k, dtype=np.int64)]), out=new_start[1:])
        new_index = np.zeros(int(new_start[-1]), dtype=np.int64)
        new_value = np.zeros(int(new_start[-1]))
        owner = np.repeat(np.arange(n), np.diff(start))
        pos = new_start[owner] + (np.arange(owner.size) - start[owner])
        new_index[pos], new_value[pos] = index, value
        extra = new_start[self.sens + 1] - 1
        new_index[extra], new_value[extra] = m + np.arange(k), sign
        new_index[new_start[n:-1]], new_value[new_start[n:-1]] = m + np.arange(k), -1.0
        lp = build_lp(
            np.zeros(n + k),
            np.concatenate([self.lower, np.full(k, -np.inf)]),
            np.concatenate([self.upper, np.zeros(k)]),
            np.concatenate([np.zeros(m), sign * self.a[self.sens]]),
            np.concatenate([np.zeros(m), np.full(k, np.inf)]),
            new_start,
            new_index,
            new_value,
        )
        h = new_highs()
        h.setOptionValue("presolve", "off")
        h.setOptionValue("solver", "simplex")
        h.passModel(lp)
        self.certificates[up] = h
        return h

    def _certificate(self, up: bool, want: np.ndarray, level: np.ndarray) -> np.ndarray | None:
        """A feasible point moving many ``want`` cells by up to ``level`` (over all cells)
        in one direction; None if the solver fails."""
        h = self._certificate_model(up)
        k = self.sens.size
        on = want[self.sens]
        cols = (self.n + np.arange(k)).astype(np.int32)
        h.changeColsCost(k, cols, np.where(on, -1.0, 0.0))
        h.changeColsBounds(k, cols, np.full(k, -np.inf), np.where(on, level[self.sens], 0.0))
        h.run()
        self.solves += 1
        if h.getModelStatus() != OPTIMAL:
            h.clearSolver()
            return None
        x: np.ndarray = np.asarray(h.getSolution().col_value)[: self.n]
        return x

    def extreme(self, cell: int, maximise: bool) -> _Extreme:
        """The largest (or smallest) value of ``cell`` under the pattern, with the point
        and the reduced costs; once more from scratch if the warm solve fails or finds the
        program infeasible (the true values are a feasible point, so only a cold solve
        that agrees makes the input contradictory)."""
        h = self.model
        if self.target >= 0 and self.target != cell:
            h.changeColCost(self.target, 0.0)
        self.target = cell
        h.changeColCost(cell, -1.0 if maximise else 1.0)
        status, runs = solve_twice(h)
        self.solves += runs
        if status == OPTIMAL:
            sol = h.getSolution()
            x = np.asarray(sol.col_value)
            return _Extreme(float(x[cell]), x, np.asarray(sol.col_dual))
        if status in UNBOUNDED:
            return _Extreme(math.inf if maximise else -math.inf, None, None)
        if status == INFEASIBLE:
            raise ValueError(
                "the values contradict the relations or the a-priori bounds: no "
                "assignment of the suppressed cells satisfies them"
            )
        raise RuntimeError(
            f"HiGHS could not solve the attack on cell {cell}: {h.modelStatusToString(status)}"
        )

    def cut(self, dual: np.ndarray) -> np.ndarray:
        """The cut coefficients of one program's reduced costs (every cell, uncapped)."""
        d = np.where(np.abs(dual) < EPS, 0.0, dual)
        with np.errstate(invalid="ignore"):
            up = np.where(d < 0, -d * self.room_up, 0.0)
            down = np.where(d > 0, d * self.room_down, 0.0)
        out: np.ndarray = up + down
        return out

    def determined(self, cells: np.ndarray) -> np.ndarray:
        """The cells of the mask ``cells`` whose value the attacker knows exactly under
        the current pattern (the published ones, and suppressed ones that no feasible
        point moves). Each optimum is a feasible point and usually moves most cells, so
        this needs few programs."""
        out = cells & (self.y <= EPS)
        hi, lo = self.a.copy(), self.a.copy()
        for i in np.nonzero(cells & (self.y > EPS))[0].tolist():
            for maximise in (True, False):
                if hi[i] - lo[i] > self.tol[i]:
                    break
                got = self.extreme(i, maximise)
                if got.x is None:  # unbounded
                    hi[i] = np.inf
                    break
                np.maximum(hi, got.x, out=hi)
                np.minimum(lo, got.x, out=lo)
            out[i] = hi[i] - lo[i] <= self.tol[i]
        return out

    # ------------------------------------------------------------------ verdicts

    def violations(
        self, targets: np.ndarray | None = None, *, cuts: bool = True, first: bool = False
    ) -> list[Violation]:
        """Every failing protection of the sensitive cells (of ``targets`` only, if given)
        under the current pattern, each with its cut (``cuts=False``: without, faster);
        ``first``: stop at the first."""
        need = self.need if targets is None else self.need & targets
        free = self.y > EPS
        out = self._published_violations(need & ~free, first)
        need = need & free
        if (first and out) or not need.any():
            return out
        seen = _Seen(self)
        self._witness(need, seen)
        for i in np.nonzero(need)[0].tolist():
            out.extend(self._cell_violations(i, seen, cuts))
            if first and out:
                return out
        return out

    def _published_violations(self, published: np.ndarray, first: bool) -> list[Violation]:
        """Every level of the published sensitive cells fails: nothing moves them."""
        out: list[Violation] = []
        for i in np.nonzero(published)[0].tolist():
            for kind, lv in (("upper", self.upl), ("lower", self.lpl), ("sliding", self.spl)):
                if lv[i] > 0:
                    out.append(Violation(i, kind, float(lv[i]), 0.0, np.array([i]), lv[i : i + 1]))
            if first:
                break
        return out

    def _witness(self, need: np.ndarray, seen: _Seen) -> None:
        """Widen ``seen`` by certificate programs that move many ``need`` cells at once
        by their level, in each direction, so that few cells need programs of their own."""
        a, tol = self.a, self.tol
        for up, lv in ((True, self.upl), (False, self.lpl)):
            level = np.maximum(lv, self.spl)
            want = need & (level > 0)
            for attempt in range(_CERTIFICATES):
                # the cells not witnessed yet, until few are left or none is gained
                reached = (seen.hi - a) if up else (a - seen.lo)
                left = want & (reached < level - tol)
                if np.count_nonzero(left) < _FEW or (
                    attempt and np.count_nonzero(left) > _GAIN * np.count_nonzero(want)
                ):
                    break
                want = left
                x = self._certificate(up, want, level)
                if x is None:
                    break
                seen.include(x)

    def _cell_violations(self, i: int, seen: _Seen, cuts: bool) -> list[Violation]:
        """The failing levels of sensitive cell ``i``, solving only the programs that the
        points seen so far do not settle."""
        a, tol = self.a, self.tol
        out = []
        for kind, lv, maximise in (("upper", self.upl, True), ("lower", self.lpl, False)):
            reached = seen.hi[i] - a[i] if maximise else a[i] - seen.lo[i]
            if lv[i] <= 0 or reached >= lv[i] - tol[i]:
                continue
            got = seen.extreme(i, maximise)
            move = got.value - a[i] if maximise else a[i] - got.value
            if move < lv[i] - tol[i]:
                coef = self.cut(got.dual) if cuts and got.dual is not None else None
                out.append(_violation(i, kind, float(lv[i]), move, coef))
        if self.spl[i] > 0 and seen.hi[i] - seen.lo[i] < self.spl[i] - tol[i]:
            top, bottom = seen.extreme(i, True), seen.extreme(i, False)
            width = top.value - bottom.value
            if width < self.spl[i] - tol[i]:
                coef = None
                if cuts and top.dual is not None and bottom.dual is not None:
                    coef = self.cut(top.dual) + self.cut(bottom.dual)
                out.append(_violation(i, "sliding", float(self.spl[i]), width, coef))
        return out


class _Seen:
    """The range of every cell over the feasible points seen in one attack (the true
    values first), and the programs solved, each once."""

    def __init__(self, attacker: Attacker) -> None:
        self.attacker = attacker
        self.hi, self.lo = attacker.a.copy(), attacker.a.copy()
        self.solved: dict[tuple[int, bool], _Extreme] = {}

    def include(self, x: np.ndarray) -> None:
        """Widen the ranges to the feasible point ``x``."""
        np.maximum(self.hi, x, out=self.hi)
        np.minimum(self.lo, x, out=self.lo)

    def extreme(self, i: int, maximise: bool) -> _Extreme:
        """`Attacker.extreme`, solved once per cell and direction."""
        key = (i, maximise)
        if key not in self.solved:
            got = self.solved[key] = self.attacker.extreme(i, maximise)
            if got.x is not None:
                self.include(got.x)
        return self.solved[key]


def _violation(
    cell: int, kind: str, level: float, move: float, coef: np.ndarray | None
) -> Violation:
    if coef is None:
        return Violation(cell, kind, level, move, np.zeros(0, dtype=np.int64), np.zeros(0))
    capped = np.minimum(coef, level)
    cells = np.nonzero(capped > EPS)[0]
    return Violation(cell, kind, level, move, cells, capped[cells])
