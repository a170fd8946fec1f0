"""Fitness for use: a sample against official population figures, calibration weights and
confidence intervals.

    from cdinterop.fitness import compare, rake, read_benchmark
    census = read_benchmark("population-margins.csv")
    report = compare(records, census, dimensions=["REF_AREA", "SEX", "AGE"])
    raked = rake(records, census, dimensions=["REF_AREA", "SEX", "AGE"], trim=5)

- [`read_benchmark`][cdinterop.fitness.read_benchmark] reads population counts (a long CSV
  or an SDMX data message, with ``_T`` totals as margins) into a
  [`Benchmark`][cdinterop.fitness.Benchmark];
- [`compare`][cdinterop.fitness.compare] says how far the records are from it (shares,
  total variation distance, R-indicator, flagged groups);
- [`rake`][cdinterop.fitness.rake] computes calibration weights to its margins (with
  ``svy``), optionally trimmed, with Kish's design effect;
- [`design_effect`][cdinterop.fitness.design_effect],
  [`effective_sample_size`][cdinterop.fitness.effective_sample_size],
  [`proportion_interval`][cdinterop.fitness.proportion_interval] (Wilson or Korn-Graubard) and
  [`mean_interval`][cdinterop.fitness.mean_interval] work on numpy arrays.

Raking and intervals need the ``fitness`` extra (``svy`` and ``scipy``). Imports only
`cdinterop.errors`, the foundation, and `cdinterop.sdmx` (inside the function that reads an
SDMX benchmark).
"""

from cdinterop.fitness._benchmark import Benchmark, read_benchmark
from cdinterop.fitness._intervals import (
    design_effect,
    effective_sample_size,
    mean_interval,
    proportion_interval,
)
from cdinterop.fitness._raking import MAX_TRIM_ROUNDS, RakingError, RakingResult, rake
from cdinterop.fitness._representativeness import (
    GroupShare,
    Representativeness,
    compare,
    propensity_cv,
    r_indicator,
)

__all__ = [
    "MAX_TRIM_ROUNDS",
    "Benchmark",
    "GroupShare",
    "RakingError",
    "RakingResult",
    "Representativeness",
    "compare",
    "design_effect",
    "effective_sample_size",
    "mean_interval",
    "propensity_cv",
    "proportion_interval",
    "r_indicator",
    "rake",
    "read_benchmark",
]
