"""The cell-suppression problem as the searches share it: a **protection problem** per
additive quantity (values, sensitive cells, protection levels, a-priori bounds, costs), the
**pattern** a search returns, the **attack** (one warm `Attacker` per problem) and the
counted work **budget** that makes every search deterministic."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cdinterop.aggregate._attacker import Attacker, Violation
from cdinterop.aggregate._relations import LinearRelations

__all__ = [
    "CLOCK_FACTOR",
    "WORK_PER_SECOND",
    "Attack",
    "Budget",
    "Pattern",
    "ProtectionProblem",
    "cost",
    "sensitive_cells",
]


@dataclass(frozen=True)
class ProtectionProblem:
    """One additive quantity of the table and the protection its sensitive cells need."""

    values: np.ndarray
    """True value of every cell (float64)."""
    sensitive: np.ndarray
    """Cells that need protection (bool)."""
    upl: np.ndarray
    """Upper protection level: the attacker's maximum must reach ``value + upl``."""
    lpl: np.ndarray
    """Lower protection level: the attacker's minimum must reach ``value - lpl``."""
    spl: np.ndarray
    """Sliding protection level: the attacker's interval must be at least this wide."""
    lb: np.ndarray
    """A-priori lower bound of every cell (1 for a count of a written cell)."""
    ub: np.ndarray
    """A-priori upper bound (``inf`` allowed)."""
    weights: np.ndarray
    """Cost of suppressing each cell (1 per cell, or its value)."""


@dataclass(frozen=True)
class Pattern:
    """A suppression pattern and how it was found."""

    suppressed: np.ndarray
    """Suppressed cells, sensitive ones included."""
    method: str
    """``heuristic`` or ``optimal``."""
    status: str
    """``optimal`` (proven, within the solver's gap), ``time_limit`` (the best protected
    pattern found in time) or ``heuristic``."""
    lower_bound: float | None
    """Proven lower bound on the cost of the secondary cells (optimal method)."""
    gap: float | None
    """``(cost - lower_bound) / cost`` over the secondary cells (0 when both are 0)."""
    seconds: float
    """Wall-clock time of the call."""
    solver: str
    """E.g. ``HiGHS 1.16.0 (highspy)``."""
    rounds: int
    """Attack rounds of the repair (heuristic) or master solves (optimal)."""
    capped: int = 0
    """Levels found impossible while solving (0 when the problems come from `cap_levels`)."""
    reproducible: bool = True
    """Whether only the counted work budget stopped the search, so that the same input
    gives the same pattern (false when the wall-clock cap stopped a step)."""


def sensitive_cells(problems: Sequence[ProtectionProblem]) -> np.ndarray:
    """Cells sensitive in any problem."""
    out = np.zeros(problems[0].values.size, dtype=bool)
    for p in problems:
        out |= p.sensitive
    return out


def cost(problems: Sequence[ProtectionProblem], pattern: np.ndarray) -> float:
    """The cost of a pattern's secondary cells."""
    return float(problems[0].weights[pattern & ~sensitive_cells(problems)].sum())


class Attack:
    """The attackers of every problem, kept warm between patterns."""

    def __init__(self, lin: LinearRelations, problems: Sequence[ProtectionProblem]) -> None:
        self.attackers = [Attacker(lin, p) for p in problems]
        self.cells = int(problems[0].values.size)
        self.clock_stopped = False
        """Whether the wall clock, not the counted work, stopped a step (the result may
        then differ from one run to the next)."""
        self.other = 0
        """Work done outside the attackers (cheapest moves, master nodes)."""

    @property
    def work(self) -> int:
        """Programs solved so far (attacks, cheapest moves) and master nodes explored."""
        return self.other + sum(a.solves for a in self.attackers)

    def violations(
        self,
        pattern: np.ndarray,
        targets: np.ndarray | None = None,
        *,
        cuts: bool = True,
        first: bool = False,
    ) -> list[tuple[int, Violation]]:
        """Every failing protection under ``pattern``, with the index of its problem."""
        out: list[tuple[int, Violation]] = []
        for q, attacker in enumerate(self.attackers):
            attacker.set_pattern(pattern)
            out.extend((q, v) for v in attacker.violations(targets, cuts=cuts, first=first))
            if first and out:
                break
        return out


WORK_PER_SECOND = 250_000
"""Work units per second of time limit and per cell of the table. A unit: one linear
program solved (an attack, a cheapest move, a relaxation), one branch-and-bound node or
30 simplex iterations of the master. A program costs about proportionally to the
table's size, hence the division by the cells: measured on this machine's two cores under
load, about 250 programs a second on the services table (833 cells) and 100 on the
benchmark table (2,434 cells). The budget is counted, not timed, so the same input gives
the same pattern on every run and machine."""

CLOCK_FACTOR = 3.0
"""The wall clock stops a search after this many times its time limit, whatever the
budget (a safety cap for slow machines; the result is then not reproducible)."""


class Budget:
    """The work a search may still do: a deterministic count of work units (or only the
    wall clock when ``deterministic`` is false), with a wall-clock cap."""

    def __init__(self, attack: Attack, seconds: float, *, deterministic: bool = True) -> None:
        self.attack = attack
        self.deterministic = deterministic
        self.per_second = WORK_PER_SECOND / max(1000, attack.cells)
        self.limit = attack.work + self.per_second * seconds if deterministic else math.inf
        self.deadline = time.perf_counter() + (CLOCK_FACTOR if deterministic else 1.0) * seconds

    def work_left(self) -> float:
        """Work units left (``inf`` without a count)."""
        return self.limit - self.attack.work

    def seconds_left(self) -> float:
        """Seconds left before the wall-clock cap."""
        return self.deadline - time.perf_counter()

    def spent(self) -> bool:
        """Whether the search must stop."""
        if self.work_left() <= 0:
            return True
        if self.seconds_left() <= 0:
            self.attack.clock_stopped = True
            return True
        return False

    def share(self, fraction: float) -> Budget:
        """A budget of ``fraction`` of the work left (of the seconds left without a count),
        under the same wall-clock cap."""
        part = Budget(self.attack, 0.0, deterministic=self.deterministic)
        part.per_second = self.per_second
        part.limit = self.attack.work + fraction * self.work_left()
        part.deadline = self.deadline
        if not self.deterministic:
            part.deadline = time.perf_counter() + fraction * max(0.0, self.seconds_left())
        return part
