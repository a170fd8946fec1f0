"""Confidence intervals of each cell's proportion or mean, from the cell's sums.

A cell's effective sample size is Kish's, ``n_eff = (sum w)^2 / sum w^2`` over the records
with a value (the plain count when unweighted), so that a weighted estimate gets a wider
interval than a simple random sample of the same size would. Proportions take Wilson's
score interval or Korn and Graubard's (Clopper-Pearson at ``n_eff``); means take Student's
t at ``n_eff`` with the weighted standard deviation. Counts, sums and ratios get no bounds.
The interval functions are `cdinterop.fitness`'s.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.aggregate._fitness_spec import IntervalSpec
from cdinterop.aggregate._groupby import (
    denominator_column,
    numerator_column,
    python_round,
    squared_values_column,
    squares_column,
)
from cdinterop.aggregate._spec import MeanMeasure, MeasureSpec, ProportionMeasure
from cdinterop.fitness import mean_interval, proportion_interval

__all__ = ["cell_bounds"]


def _floats(cells: pa.Table, column: str) -> np.ndarray:
    return np.asarray(pc.cast(cells.column(column), pa.float64()).to_numpy(zero_copy_only=False))


def cell_bounds(
    cells: pa.Table, m: MeasureSpec, indicator: str | None, spec: IntervalSpec
) -> tuple[np.ndarray, np.ndarray] | None:
    """The lower and upper bound of each cell's value (NaN where there is none), on the
    published scale and rounded like the value; ``None`` for a measure without bounds."""
    if not isinstance(m, ProportionMeasure | MeanMeasure):
        return None
    num = _floats(cells, numerator_column(indicator))
    den = _floats(cells, denominator_column(indicator))
    squares = _floats(cells, squares_column(indicator))
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(squares > 0, den * den / squares, np.nan)
        estimate = num / den
    if isinstance(m, ProportionMeasure):
        lower, upper = proportion_interval(estimate, n_eff, level=spec.level, method=spec.method)
        if m.scale == "percent":
            lower, upper = 100.0 * lower, 100.0 * upper
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            second = _floats(cells, squared_values_column(indicator)) / den
        sd = np.sqrt(np.clip(second - estimate * estimate, 0.0, None))
        lower, upper = mean_interval(estimate, sd, n_eff, level=spec.level)
    if m.decimals is not None:
        lower = python_round(lower, m.decimals)
        upper = python_round(upper, m.decimals)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
