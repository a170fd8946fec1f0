"""Secondary cell suppression with protection levels: the fast heuristic.

It protects every problem of a sequence (`_protection.ProtectionProblem`: one additive
quantity of the table with, for each sensitive cell, the levels the attacker of
`_attacker` must not beat) with one pattern, whose cost is the sum of the first problem's
``weights`` over its secondary cells.

The heuristic (`protect_heuristic`):

1. **repair** (`repair`): attack the pattern; for the failing protections with the largest
   deficits (a tenth of them, at least 10), find the cheapest published cells that let the
   cell move by its level (`_CheapestMove`: a linear program over the whole table whose
   optimum, once those cells are suppressed, is a feasible point of the attacker, so that
   protection then holds for good) and suppress them; attack again (the added cells
   usually protect other cells too) until nothing fails. Adding suppressions never
   narrows an interval, so this ends; a level that even the whole table suppressed cannot
   give is counted and dropped (none after `cap_levels`);
2. **lone cells** (`publish_lone_cells`): a secondary cell that is the only suppressed cell
   of a relation is determined by it, so publishing it changes no interval;
3. **pruning** within the time budget: each secondary cell, most costly first, is
   published on trial and stays published if the attack (of its block only, warm models)
   still finds nothing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from cdinterop.aggregate._attacker import TOLERANCE, Attacker
from cdinterop.aggregate._highs import OPTIMAL, build_lp, new_highs, solver_name
from cdinterop.aggregate._protection import (
    Attack,
    Budget,
    Pattern,
    ProtectionProblem,
    sensitive_cells,
)
from cdinterop.aggregate._relations import LinearRelations, components

__all__ = [
    "OutOfTime",
    "cap_levels",
    "protect_heuristic",
    "publish_determined_cells",
    "publish_lone_cells",
    "repair",
]

_CHUNK, _CHUNK_SHARE = 10, 0.1
"""Failing protections repaired between two attacks: this share of them, at least 10."""

_GROUP, _GROUP_MAX = 4, 64
"""Cells published together on a pruning trial: at first, at most."""

_IPM_CELLS = 1500
"""Tables with more cells choose their cheapest moves by the interior point method."""

_MOVED = 1e-7
"""A cell moves in a program's optimum when its deviation exceeds this."""


def cap_levels(
    lin: LinearRelations, problems: Sequence[ProtectionProblem]
) -> tuple[list[ProtectionProblem], int]:
    """The problems with each level lowered to what suppressing every cell allows
    (rounded down for integer quantities), and how many levels were lowered."""
    out: list[ProtectionProblem] = []
    capped = 0
    for p in problems:
        attacker = Attacker(lin, p)
        attacker.set_pattern(np.ones(p.values.size, dtype=bool))
        levels = {"upper": p.upl.copy(), "lower": p.lpl.copy(), "sliding": p.spl.copy()}
        integral = bool(np.all(p.values == np.round(p.values)))
        for v in attacker.violations(cuts=False):
            most = max(0.0, v.move)
            if integral:
                most = float(math.floor(most + TOLERANCE * max(1.0, most)))
            levels[v.kind][v.cell] = most
            capped += 1
        out.append(replace(p, upl=levels["upper"], lpl=levels["lower"], spl=levels["sliding"]))
    return out, capped


class _CheapestMove:
    """The cheapest published cells whose suppression lets one cell move, for one problem
    and one table: ``min sum w_j (p_j + m_j)`` over the cells still published, subject to
    ``M (p - m) = 0`` on the table's relations, ``0 <= p <= ub - a``, ``0 <= m <= a - lb``
    and the target's ``p`` (or ``m``) fixed to the level (one model, re-solved warm)."""

    def __init__(
        self, lin: LinearRelations, problem: ProtectionProblem, table: np.ndarray, supp: np.ndarray
    ) -> None:
        self.cells = np.nonzero(table)[0]
        n = self.cells.size
        self.local = np.full(table.size, -1, dtype=np.int64)
        self.local[self.cells] = np.arange(n)
        rows = np.unique(lin.row_of_entry[table[lin.index]])
        lens = lin.start[rows + 1] - lin.start[rows]
        ent = np.repeat(lin.start[rows] - np.cumsum(lens) + lens, lens)
        ent += np.arange(int(lens.sum()))
        col = self.local[lin.index[ent]]
        row = np.repeat(np.arange(rows.size), lens)
        # columns p (0..n-1), then m (n..2n-1): the same entries, negated for m
        col2 = np.concatenate([col, col + n])
        row2 = np.concatenate([row, row])
        val2 = np.concatenate([lin.value[ent], -lin.value[ent]])
        order = np.lexsort((row2, col2))
        start = np.zeros(2 * n + 1, dtype=np.int64)
        np.cumsum(np.bincount(col2, minlength=2 * n), out=start[1:])
        a = problem.values[self.cells]
        # a witness whose cells move by more than the largest level is rarely needed;
        # the box keeps the program small and well scaled (a restriction: any optimum is
        # still a feasible point of the attacker)
        most = float(
            max(problem.upl.max(initial=0), problem.lpl.max(initial=0), problem.spl.max(initial=0))
        )
        with np.errstate(invalid="ignore"):
            self.up = np.minimum(problem.ub[self.cells] - a, most)
        self.down = np.minimum(a - problem.lb[self.cells], most)
        weights = np.where(supp[self.cells], 0.0, problem.weights[self.cells])
        self.h = new_highs()
        # each target changes the optimum a lot, so a warm start helps little; measured
        # per program: services (833 cells) simplex with presolve 31 ms, interior point
        # 48 ms; benchmark (2,434 cells) simplex 730 ms, interior point 92 ms
        if n > _IPM_CELLS:
            self.h.setOptionValue("solver", "ipm")
            self.h.setOptionValue("run_crossover", "on")  # a vertex: few cells move
        zeros = np.zeros(rows.size)
        self.h.passModel(
            build_lp(
                np.concatenate([weights, weights]),
                np.zeros(2 * n),
                np.concatenate([self.up, self.down]),
                zeros,
                zeros,
                start,
                row2[order],
                val2[order],
            )
        )

    def suppress(self, cells: np.ndarray) -> None:
        """Cells now suppressed: moving them costs nothing."""
        k = self.local[cells]
        k = k[k >= 0]
        if k.size:
            idx = np.concatenate([k, k + self.cells.size]).astype(np.int32)
            self.h.changeColsCost(idx.size, idx, np.zeros(idx.size))

    def move(self, cell: int, up: bool, level: float) -> np.ndarray | None:
        """The cells that move when ``cell`` moves by ``level`` (None if it cannot)."""
        n = self.cells.size
        k = int(self.local[cell])
        col, other = (k, k + n) if up else (k + n, k)
        self.h.changeColBounds(col, level, level)
        self.h.changeColBounds(other, 0.0, 0.0)
        self.h.run()
        ok = self.h.getModelStatus() == OPTIMAL
        x = np.asarray(self.h.getSolution().col_value) if ok else None
        self.h.changeColBounds(k, 0.0, float(self.up[k]))
        self.h.changeColBounds(k + n, 0.0, float(self.down[k]))
        if x is None:
            self.h.clearSolver()
            return None
        moved: np.ndarray = self.cells[(x[:n] + x[n:]) > _MOVED]
        return moved


class OutOfTime(Exception):
    """A repair passed its deadline."""


def repair(
    lin: LinearRelations,
    problems: Sequence[ProtectionProblem],
    pattern: np.ndarray,
    attack: Attack | None = None,
    budget: Budget | None = None,
) -> tuple[np.ndarray, int, int]:
    """``pattern`` (with the sensitive cells) grown until the attack finds nothing: the
    pattern, the attack rounds and the levels found impossible. Raises `OutOfTime` when
    the ``budget``, if given, is spent."""
    attack = attack or Attack(lin, problems)
    supp = np.asarray(pattern, dtype=bool) | sensitive_cells(problems)
    tables = components(lin, np.ones(supp.size, dtype=bool))
    impossible: set[tuple[int, int, str]] = set()
    models: dict[tuple[int, int], _CheapestMove] = {}
    rounds = 0
    while True:
        rounds += 1
        found = [
            (q, v)
            for q, v in attack.violations(supp, cuts=False)
            if (q, v.cell, v.kind) not in impossible
        ]
        if not found:
            return supp, rounds, len(impossible)
        if budget is not None and budget.spent():
            raise OutOfTime
        chunk = max(_CHUNK, math.ceil(len(found) * _CHUNK_SHARE))
        for q, v in sorted(found, key=lambda qv: -qv[1].deficit)[:chunk]:
            if budget is not None and budget.spent():
                raise OutOfTime
            t = int(tables[v.cell])
            model = models.get((q, t))
            if model is None:
                model = models[(q, t)] = _CheapestMove(lin, problems[q], tables == t, supp)
            moved = model.move(v.cell, v.kind != "lower", v.level)
            attack.other += 1
            if moved is None and v.kind == "sliding":
                moved = model.move(v.cell, False, v.level)
                attack.other += 1
            if moved is None:
                impossible.add((q, v.cell, v.kind))
                continue
            new = moved[~supp[moved]]
            supp[new] = True
            for other in models.values():
                other.suppress(new)


def publish_lone_cells(
    lin: LinearRelations, sensitive: np.ndarray, pattern: np.ndarray
) -> np.ndarray:
    """``pattern`` without its secondary cells that are alone (the only suppressed cell)
    in some relation, repeatedly: such a cell is determined by that relation, so
    publishing it changes no interval."""
    supp = np.asarray(pattern, dtype=bool).copy()
    row_of = lin.row_of_entry
    while True:
        count = np.bincount(row_of, weights=supp[lin.index], minlength=lin.n_rows)
        lone = supp[lin.index] & (count[row_of] == 1) & ~sensitive[lin.index]
        cells = np.unique(lin.index[lone])
        if cells.size == 0:
            return supp
        supp[cells] = False


def publish_determined_cells(
    problems: Sequence[ProtectionProblem], pattern: np.ndarray, attack: Attack
) -> np.ndarray:
    """``pattern`` without its secondary cells whose value the attacker already knows
    exactly in every problem (lone cells and cells pinned by several relations or by the
    a-priori bounds): publishing them changes no interval."""
    secondary = pattern & ~sensitive_cells(problems)
    known = secondary.copy()
    for attacker in attack.attackers:
        attacker.set_pattern(pattern)
        known &= attacker.determined(known)
    return np.asarray(pattern & ~known, dtype=bool)


def prune(
    lin: LinearRelations,
    problems: Sequence[ProtectionProblem],
    pattern: np.ndarray,
    budget: Budget,
) -> np.ndarray:
    """Secondary cells published on trial, most costly first, while the attack of their
    blocks passes (until the ``budget`` is spent). Cells are tried in
    groups whose size adapts (doubled after a success, halved after a failure); a failing
    group is split in halves, so one cell that must stay costs few extra attacks."""
    attack = budget.attack
    sensitive = sensitive_cells(problems)
    supp = np.asarray(pattern, dtype=bool).copy()
    weights, values = problems[0].weights, problems[0].values
    order = np.lexsort((-values, -weights))
    queue = order[supp[order] & ~sensitive[order]].tolist()
    size, at = _GROUP, 0

    def attempt(group: list[int]) -> bool:
        nonlocal supp
        group = [j for j in group if supp[j]]
        if not group or budget.spent():
            return True
        label = components(lin, supp)
        blocks = np.isin(label, label[group])
        supp[group] = False
        if not any(_lone_sensitive(lin, problems, supp, j) for j in group) and not (
            attack.violations(supp, blocks, cuts=False, first=True)
        ):
            supp = publish_lone_cells(lin, sensitive, supp)
            return True
        supp[group] = True
        if len(group) > 1:
            half = len(group) // 2
            attempt(group[:half])
            attempt(group[half:])
        return False

    while at < len(queue) and not budget.spent():
        group = queue[at : at + size]
        at += size
        size = min(2 * size, _GROUP_MAX) if attempt(group) else max(1, size // 2)
    return supp


def _lone_sensitive(
    lin: LinearRelations, problems: Sequence[ProtectionProblem], supp: np.ndarray, j: int
) -> bool:
    """Whether publishing ``j`` leaves a sensitive cell with a level alone in a relation
    (a quick rejection before any linear program)."""
    for r in lin.row_of_entry[lin.index == j].tolist():
        cells = lin.index[lin.start[r] : lin.start[r + 1]]
        hidden = cells[supp[cells]]
        if hidden.size == 1 and any(
            p.sensitive[hidden[0]] and (p.upl[hidden[0]] > 0 or p.lpl[hidden[0]] > 0)
            for p in problems
        ):
            return True
    return False


def protect_heuristic(
    lin: LinearRelations,
    problems: Sequence[ProtectionProblem],
    start: np.ndarray,
    *,
    time_limit: float = 10.0,
    deterministic: bool = True,
) -> Pattern:
    """A protected pattern grown from ``start`` (any pattern, e.g. the ``simple`` one of
    `_disclosure.protect`, or only the sensitive cells): repaired until the attack finds
    nothing (always to the end), lone secondary cells published, then pruned while the
    budget of ``time_limit`` lasts (`Budget`: counted work, so the pattern is the same on
    every run; ``deterministic=False``: wall-clock seconds)."""
    started = time.perf_counter()
    problems = list(problems)
    attack = Attack(lin, problems)
    budget = Budget(attack, time_limit, deterministic=deterministic)
    supp, rounds, capped = repair(lin, problems, start, attack)
    supp = publish_lone_cells(lin, sensitive_cells(problems), supp)
    supp = prune(lin, problems, supp, budget)
    supp = publish_determined_cells(problems, supp, attack)
    return Pattern(
        supp,
        "heuristic",
        "heuristic",
        None,
        None,
        round(time.perf_counter() - started, 3),
        solver_name(),
        rounds,
        capped,
        not attack.clock_stopped or not deterministic,
    )
