"""HiGHS through highspy: silent instances, the solver's name, linear programs built from
column-wise arrays, and the relation matrix by columns."""

from __future__ import annotations

import functools
from typing import Any

import highspy
import numpy as np

from cdinterop.aggregate._relations import LinearRelations

__all__ = [
    "INFEASIBLE",
    "OPTIMAL",
    "UNBOUNDED",
    "build_lp",
    "columns",
    "new_highs",
    "solve_twice",
    "solver_name",
]

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


def solve_twice(h: Any) -> tuple[Any, int]:
    """Run ``h`` (warm, from its last basis); when that ends in anything but an optimum or
    a proven unbounded ray, once more from scratch, since a warm start can end in a wrong
    "infeasible". The final model status and the number of runs."""
    h.run()
    status = h.getModelStatus()
    if status in (OPTIMAL, UNBOUNDED[0]):
        return status, 1
    h.clearSolver()
    h.run()
    return h.getModelStatus(), 2
