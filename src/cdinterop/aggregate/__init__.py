"""Layer 4: unit records to indicator observations, with disclosure control.

:func:`aggregate` runs an :class:`AggregationSpec` (grouping by the target dimensions,
``_T`` totals for every dimension and their combinations, a count, sum, mean, ratio or
proportion measure, optionally weighted, units set) on a unit-record
:class:`~cdinterop.model.CitizenDataset`, then suppresses cells with fewer than k
contributors and, by secondary suppression, every cell that would let one be recovered
from a total (UN Fundamental Principles of Official Statistics, principle 6).

* :mod:`cdinterop.aggregate.spec` — the spec models (the ``aggregation`` section of a
  mapping spec);
* :mod:`cdinterop.aggregate.groupby` — the vectorised Arrow group-by with totals;
* :mod:`cdinterop.aggregate.disclosure` — primary and secondary cell suppression and the
  linear-algebra audit;
* :mod:`cdinterop.aggregate.run` — :func:`aggregate` and its result.

Imports only :mod:`cdinterop.model`, :mod:`cdinterop.mapping` and :mod:`cdinterop.errors`;
never the exchange-format packages.
"""

from cdinterop.aggregate.disclosure import (
    Relations,
    additive_relations,
    derivable_cells,
    primary_suppression,
    protect,
    secondary_suppression,
)
from cdinterop.aggregate.run import AggregationReport, AggregationResult, aggregate, unpivot
from cdinterop.aggregate.spec import (
    AggregateOutput,
    AggregationSpec,
    ConfStatusCodes,
    CountMeasure,
    DimensionRule,
    DisclosureMethodName,
    DisclosureSpec,
    MeanMeasure,
    MeasureSpec,
    ObsStatusCodes,
    ProportionMeasure,
    RatioMeasure,
    SumMeasure,
    Unpivot,
)

__all__ = [
    "AggregateOutput",
    "AggregationReport",
    "AggregationResult",
    "AggregationSpec",
    "ConfStatusCodes",
    "CountMeasure",
    "DimensionRule",
    "DisclosureMethodName",
    "DisclosureSpec",
    "MeanMeasure",
    "MeasureSpec",
    "ObsStatusCodes",
    "ProportionMeasure",
    "RatioMeasure",
    "Relations",
    "SumMeasure",
    "Unpivot",
    "additive_relations",
    "aggregate",
    "derivable_cells",
    "primary_suppression",
    "protect",
    "secondary_suppression",
    "unpivot",
]
