"""The benchmark step of an aggregation: compare the unit records with official population
figures and, with ``weighting``, rake them to the figures' margins before they are summed.

The weights enter the aggregation as its ``weight`` column (``_WEIGHT``): every measure is
weighted, while the contributors that disclosure control counts stay unweighted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from cdinterop.aggregate._spec import AggregationSpec
from cdinterop.fitness import compare, rake, read_benchmark

__all__ = ["WEIGHT_COLUMN", "Calibration", "calibrate"]

WEIGHT_COLUMN = "_WEIGHT"
"""The column of raking weights added to the unit records."""


@dataclass(frozen=True)
class Calibration:
    """What the benchmark step found and did, as JSON-ready dicts for ``summary.json``."""

    representativeness: dict[str, Any] | None = None
    """The sample against the benchmark (shares, total variation, R-indicator, flags)."""
    weighting: dict[str, Any] | None = None
    """The raking run (library, iterations, trimming, design effect, weights)."""


def calibrate(
    records: pa.Table, spec: AggregationSpec
) -> tuple[pa.Table, AggregationSpec, Calibration]:
    """The records (with the raking weights when the spec asks for them), the spec that
    sums them (its ``weight`` set to the weights) and what was found; unchanged without a
    benchmark."""
    if spec.benchmark is None:
        return records, spec, Calibration()
    b = spec.benchmark
    dims = list(b.dimensions)
    benchmark = read_benchmark(b.file, dimensions=dims, value=b.value, totals=b.totals)
    if spec.weighting is None:
        found = compare(records, benchmark, dimensions=dims, under=b.under)
        representativeness = {**found.to_dict(), "benchmark": Path(b.file).name}
        return records, spec, Calibration(representativeness, None)
    raked = rake(records, benchmark, dimensions=dims, trim=spec.weighting.trim)
    # the sample as it came (propensities from the weights just computed unless trimming
    # changed them), then weighted
    untrimmed = raked.weights if raked.trimmed == 0 else None
    found = compare(records, benchmark, dimensions=dims, under=b.under, raked=untrimmed)
    records = records.append_column(WEIGHT_COLUMN, pa.array(raked.weights, pa.float64()))
    weighted = compare(
        records,
        benchmark,
        dimensions=dims,
        weights=WEIGHT_COLUMN,
        under=b.under,
        propensities=False,
    )
    representativeness = {
        **found.to_dict(),
        "benchmark": Path(b.file).name,
        "weighted": {**weighted.to_dict(), "benchmark": Path(b.file).name},
    }
    spec = spec.model_copy(update={"weight": WEIGHT_COLUMN})
    weighting = raked.to_dict()
    return records, spec, Calibration(representativeness, weighting)
