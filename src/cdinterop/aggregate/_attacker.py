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

import functools
import math
from dataclasses import dataclass
from typing import Any, Protocol

import highspy
import numpy as np

from cdinterop.aggregate._relations import LinearRelations

__all__ = [
    "TOLERANCE",
    "Attacker",
    "ProtectionLevels",
    "Violation",
    "build_lp",
    "new_highs",
    "protection_failures",
    "slack",
    "solver_name",
]

TOLERANCE = 1e-6
"""Relative slack of every verdict: a level counts as reached when the attacker's bound is
within ``TOLERANCE * max(1, |a|)`` of it (absorbs the solver's 1e-9 noise)."""

EPS = 1e-9
_CERTIFICATES, _FEW, _GAIN = 1, 3, 1.0
"""Certificate programs per direction: at most 4, while at least 3 cells are left and the
last one witnessed at least a fifth of the cells it was given."""
OPTIMAL = highspy.HighsModelStatus.kOptimal
UNBOUNDED = (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible)
INFEASIBLE = highspy.HighsModelStatus.kInfeasible


class _QuietHighs(highspy.Highs):
    """A HiGHS instance that never writes to the console (not even the banner that the
    default constructor prints while enabling callbacks)."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    def enableCallbacks(self) -> None:
        self.setOptionValue("output_flag", False)
        super().enableCallbacks()  # type: ignore[no-untyped-call]


def new_highs() -> Any:
    """A silent HiGHS instance (``output_flag`` off before anything can log)."""
    h = _QuietHighs()
    h.setOptionValue("output_flag", False)
    return h


@functools.cache
def solver_name() -> str:
    """The solver and its interface, e.g. ``HiGHS 1.16.0 (highspy)``."""
    return f"HiGHS {new_highs().version()} (highspy)"


def build_lp(
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    start: np.ndarray,
    index: np.ndarray,
    value: np.ndarray,
) -> Any:
    """A HiGHS LP: columns with costs and bounds, rows with bounds, the matrix by columns
    (``start``, ``index``, ``value``)."""
    lp = highspy.HighsLp()
    lp.num_col_ = cost.size
    lp.num_row_ = row_lower.size
    lp.col_cost_ = cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start.astype(np.int32)
    lp.a_matrix_.index_ = index.astype(np.int32)
    lp.a_matrix_.value_ = value.astype(np.float64)
    lp.a_matrix_.num_col_ = cost.size
    lp.a_matrix_.num_row_ = row_lower.size
    return lp


def columns(lin: LinearRelations, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The relation matrix by columns: (start, row index, value) over ``n`` cells."""
    order = np.lexsort((lin.row_of_entry, lin.index))
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(lin.index, minlength=n), out=start[1:])
    return start, lin.row_of_entry[order], lin.value[order]


class ProtectionLevels(Protocol):
    """What the attacker needs of a protection problem (`_csp.ProtectionProblem`)."""

    @property
    def values(self) -> np.ndarray:
        """True value of every cell."""

    @property
    def sensitive(self) -> np.ndarray:
        """Cells that need protection."""

    @property
    def upl(self) -> np.ndarray:
        """Upper protection levels."""

    @property
    def lpl(self) -> np.ndarray:
        """Lower protection levels."""

    @property
    def spl(self) -> np.ndarray:
        """Sliding protection levels."""

    @property
    def lb(self) -> np.ndarray:
        """A-priori lower bounds."""

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
        and the reduced costs; once more from scratch if the warm solve fails."""
        h = self.model
        if self.target >= 0 and self.target != cell:
            h.changeColCost(self.target, 0.0)
        self.target = cell
        h.changeColCost(cell, -1.0 if maximise else 1.0)
        for attempt in range(2):
            h.run()
            self.solves += 1
            status = h.getModelStatus()
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
            if attempt == 0:
                h.clearSolver()
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
        out: list[Violation] = []
        free = self.y > EPS
        for i in np.nonzero(need & ~free)[0].tolist():  # published: nothing moves
            for kind, lv in (("upper", self.upl), ("lower", self.lpl), ("sliding", self.spl)):
                if lv[i] > 0:
                    out.append(Violation(i, kind, float(lv[i]), 0.0, np.array([i]), lv[i : i + 1]))
            if first:
                return out
        need = need & free
        if not need.any():
            return out
        a, tol = self.a, self.tol
        hi, lo = a.copy(), a.copy()  # the true values are a feasible point
        for up, lv in ((True, self.upl), (False, self.lpl)):
            level = np.maximum(lv, self.spl)
            want = need & (level > 0)
            for _ in range(_CERTIFICATES):
                # the cells not witnessed yet, until few are left or none is gained
                reached = (hi - a) if up else (a - lo)
                left = want & (reached < level - tol)
                if np.count_nonzero(left) < _FEW or (
                    _ and np.count_nonzero(left) > _GAIN * np.count_nonzero(want)
                ):
                    break
                want = left
                x = self._certificate(up, want, level)
                if x is None:
                    break
                np.maximum(hi, x, out=hi)
                np.minimum(lo, x, out=lo)
        solved: dict[tuple[int, bool], _Extreme] = {}

        def extreme(i: int, maximise: bool) -> _Extreme:
            key = (i, maximise)
            if key not in solved:
                got = solved[key] = self.extreme(i, maximise)
                if got.x is not None:
                    np.maximum(hi, got.x, out=hi)
                    np.minimum(lo, got.x, out=lo)
            return solved[key]

        for i in np.nonzero(need)[0].tolist():
            for kind, lv, maximise in (("upper", self.upl, True), ("lower", self.lpl, False)):
                if lv[i] <= 0 or (hi[i] - a[i] if maximise else a[i] - lo[i]) >= lv[i] - tol[i]:
                    continue
                got = extreme(i, maximise)
                move = got.value - a[i] if maximise else a[i] - got.value
                if move < lv[i] - tol[i]:
                    coef = self.cut(got.dual) if cuts and got.dual is not None else None
                    out.append(_violation(i, kind, float(lv[i]), move, coef))
            if self.spl[i] > 0 and hi[i] - lo[i] < self.spl[i] - tol[i]:
                top, bottom = extreme(i, True), extreme(i, False)
                width = top.value - bottom.value
                if width < self.spl[i] - tol[i]:
                    coef = None
                    if cuts and top.dual is not None and bottom.dual is not None:
                        coef = self.cut(top.dual) + self.cut(bottom.dual)
                    out.append(_violation(i, "sliding", float(self.spl[i]), width, coef))
            if first and out:
                return out
        return out


def _violation(
    cell: int, kind: str, level: float, move: float, coef: np.ndarray | None
) -> Violation:
    if coef is None:
        return Violation(cell, kind, level, move, np.zeros(0, dtype=np.int64), np.zeros(0))
    capped = np.minimum(coef, level)
    cells = np.nonzero(capped > EPS)[0]
    return Violation(cell, kind, level, move, cells, capped[cells])
