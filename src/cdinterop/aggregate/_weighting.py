"""The benchmark step of an aggregation: compare the unit records with official population
figures and, with ``weighting``, rake them to the figures' margins before they are summed.

It works from cells, not records: the records counted per combination of the benchmark's
dimensions (what a [`CellAccumulator`][cdinterop.aggregate.CellAccumulator] keeps). Raking
gives every record of such a cell the same weight, and the shares, distances, R-indicator and
propensity CV are sums over records, so the cells' counts are all they need.

The weights enter the aggregation as its ``weight`` column (``_WEIGHT``): every measure is
weighted, while the contributors that disclosure control counts stay unweighted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cdinterop.aggregate._spec import AggregationSpec
from cdinterop.fitness import compare, rake, read_benchmark

__all__ = ["COUNT_COLUMN", "WEIGHT_COLUMN", "Calibration", "calibrate_cells"]

WEIGHT_COLUMN = "_WEIGHT"
"""The column of raking weights added to the unit records."""
COUNT_COLUMN = "_count"
"""The column of record counts of the cells given to
[`calibrate_cells`][cdinterop.aggregate._weighting.calibrate_cells]."""


@dataclass(frozen=True)
class Calibration:
    """What the benchmark step found and did, as JSON-ready dicts for ``summary.json``."""

    representativeness: dict[str, Any] | None = None
    """The sample against the benchmark (shares, total variation, R-indicator, flags)."""
    weighting: dict[str, Any] | None = None
    """The raking run (library, iterations, trimming, design effect, weights)."""


def calibrate_cells(
    cells: pa.Table, spec: AggregationSpec
) -> tuple[npt.NDArray[np.float64] | None, AggregationSpec, Calibration]:
    """The raking weight of each cell's records (``None`` without ``weighting``), the spec
    that sums them (its ``weight`` set to the weights) and what was found.

    ``cells``: one row per combination of the benchmark's dimensions (columns named as
    them, codes as text, null for no value) with its record count in ``_count``.
    """
    assert spec.benchmark is not None
    b = spec.benchmark
    dims = list(b.dimensions)
    benchmark = read_benchmark(b.file, dimensions=dims, value=b.value, totals=b.totals)
    name = Path(b.file).name
    if spec.weighting is None:
        found = compare(cells, benchmark, dimensions=dims, under=b.under, counts=COUNT_COLUMN)
        return None, spec, Calibration({**found.to_dict(), "benchmark": name}, None)
    raked = rake(cells, benchmark, dimensions=dims, trim=spec.weighting.trim, counts=COUNT_COLUMN)
    # the sample as it came (propensities from the weights just computed unless trimming
    # changed them), then weighted
    untrimmed = raked.weights if raked.trimmed == 0 else None
    found = compare(
        cells, benchmark, dimensions=dims, under=b.under, raked=untrimmed, counts=COUNT_COLUMN
    )
    weighted = compare(
        cells.append_column(WEIGHT_COLUMN, pa.array(raked.weights, pa.float64())),
        benchmark,
        dimensions=dims,
        weights=WEIGHT_COLUMN,
        under=b.under,
        propensities=False,
        counts=COUNT_COLUMN,
    )
    representativeness = {
        **found.to_dict(),
        "benchmark": name,
        "weighted": {**weighted.to_dict(), "benchmark": name},
    }
    spec = spec.model_copy(update={"weight": WEIGHT_COLUMN})
    return raked.weights, spec, Calibration(representativeness, raked.to_dict())
