"""The parts of an aggregation spec about fitness for use: the official benchmark the
sample is compared with, calibration weights raked to it, and confidence intervals::

    benchmark:
      file: population-margins.csv        # or an SDMX data message; relative to the spec
      dimensions: [REF_AREA, SEX, AGE]    # unit-record columns, coded as the benchmark is
    weighting: {method: raking, trim: 5}  # rake the records to the benchmark's margins
    intervals: {lower: LOWER_BOUND, upper: UPPER_BOUND, level: 0.95, method: wilson}

The benchmark is compared with the sample in every run that names one (shares, total
variation, R-indicator, missing and under-represented groups); ``weighting`` makes every
measure weighted by the raking weights (contributors stay unweighted: disclosure control
counts people, not weights); ``intervals`` gives proportions and means their bounds, from
the effective sample size of each cell (Kish).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from cdinterop.model import Model, NCNameId

__all__ = ["BenchmarkSpec", "IntervalSpec", "WeightingSpec"]


class BenchmarkSpec(Model):
    """Official population figures (a census table) the sample is compared with and, with
    ``weighting``, raked to."""

    file: str = Field(min_length=1)
    """CSV in long form (dimension columns and a count column) or an SDMX data message;
    relative to the spec's folder."""
    dimensions: tuple[NCNameId, ...] = Field(min_length=1)
    """Unit-record columns compared with (and raked to) the benchmark's margins: each is a
    dimension of the benchmark, coded alike (``KE-30``, ``F``, ``Y18T29``)."""
    value: str = "OBS_VALUE"
    """The benchmark's count column (``OBS_VALUE`` in SDMX)."""
    totals: tuple[str, ...] = ("_T",)
    """Codes that mark a margin in the benchmark (``_T``; add the country code when the
    area total is coded so, e.g. ``KE``)."""
    under: float = Field(default=0.5, gt=0, lt=1)
    """A group is under-represented when its sample share is below this fraction of its
    population share."""

    @field_validator("file")
    @classmethod
    def _relative_to_the_spec(cls, value: str, info: ValidationInfo) -> str:
        folder = (info.context or {}).get("spec_folder")
        if folder is not None and not Path(value).is_absolute():
            return str(Path(folder) / value)
        return value


class WeightingSpec(Model):
    """Calibration weights for the unit records."""

    method: Literal["raking"] = "raking"
    """Raking (iterative proportional fitting) to the benchmark's margins."""
    trim: float | None = Field(default=None, gt=1)
    """Cap the weights at this multiple of the mean weight (and rake again), e.g. ``5``."""


class IntervalSpec(Model):
    """Confidence intervals of proportions and means, published in two attributes."""

    lower: NCNameId = "LOWER_BOUND"
    """Observation-level attribute of the lower bound (the SDG DSD's ``LOWER_BOUND``)."""
    upper: NCNameId = "UPPER_BOUND"
    """Observation-level attribute of the upper bound."""
    level: float = Field(default=0.95, gt=0, lt=1)
    """Confidence level."""
    method: Literal["wilson", "korn-graubard"] = "wilson"
    """For proportions: Wilson's score interval or Korn and Graubard's (Clopper-Pearson),
    each with the cell's effective sample size; means use Student's t with it."""
