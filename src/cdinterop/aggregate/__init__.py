"""Unit records to indicator observations, with disclosure control.

The package holds the aggregation spec models, [`aggregate()`][cdinterop.aggregate.aggregate]
and [`unpivot()`][cdinterop.aggregate.unpivot]::

    from cdinterop.aggregate import aggregate
    from cdinterop.ingest import IngestSpec, ingest
    from cdinterop.mapping import load_spec
    spec = load_spec("mappings/beach-data-cards.yaml", IngestSpec)
    units = ingest("examples/marine-litter-ghana/data-cards.xlsx", spec).dataset
    result = aggregate(units, spec.aggregation)   # result.dataset, result.report

[`aggregate()`][cdinterop.aggregate.aggregate] runs an
[`AggregationSpec`][cdinterop.aggregate.AggregationSpec] (grouping by the target dimensions, ``_T``
totals for every dimension and their combinations, a count, sum, mean, ratio or proportion measure,
optionally weighted, units set) on a unit-record [`CitizenDataset`][cdinterop.model.CitizenDataset],
then suppresses the sensitive cells (fewer than k contributors; for sums, the dominance rules)
and, by secondary suppression, enough other cells that an attacker who knows every published value
and relation cannot narrow a sensitive cell inside its protection range (UN Fundamental Principles
of Official Statistics, principle 6). [`audit()`][cdinterop.aggregate.audit] reruns that attack on
a published output.

The spec models are the ``aggregation`` section of an ingest mapping spec;
[`unpivot`][cdinterop.aggregate.unpivot] turns wide columns (one per category) into a
code and a value first. Suppression patterns are kept in the process, and in the folder named by
``$CDINTEROP_PATTERN_CACHE`` when it is set, so the same table is not searched twice
([`forget_patterns()`][cdinterop.aggregate.forget_patterns]).

Imports only `cdinterop.model`, `cdinterop.mapping` and `cdinterop.errors`, and the SDMX
structure reader when a spec's structure names an SDMX structure file
([`read_structure_file()`][cdinterop.aggregate.read_structure_file]).
"""

from cdinterop.aggregate._audit import AuditReport, CellInterval, audit, audit_output
from cdinterop.aggregate._partials import CellAccumulator, aggregate, merge_accumulators
from cdinterop.aggregate._pattern_store import PATTERN_CACHE_ENV
from cdinterop.aggregate._run import AggregationReport, AggregationResult, unpivot
from cdinterop.aggregate._spec import (
    AggregateOutput,
    AggregationSpec,
    BenchmarkSpec,
    ConfStatusCodes,
    CountMeasure,
    DimensionRule,
    DisclosureMethodName,
    DisclosureSpec,
    DominanceSpec,
    IndicatorsSpec,
    IntervalSpec,
    MeanMeasure,
    MeasureSpec,
    NKRule,
    ObsStatusCodes,
    PPercentRule,
    ProportionMeasure,
    ProtectionSpec,
    RatioMeasure,
    SecondaryMethod,
    SumMeasure,
    SuppressionCost,
    Unpivot,
    WeightingSpec,
)
from cdinterop.aggregate._structure_files import SpecStructure, read_structure_file
from cdinterop.aggregate._suppression import forget_patterns
from cdinterop.aggregate._weighting import WEIGHT_COLUMN, Calibration

__all__ = [
    "PATTERN_CACHE_ENV",
    "WEIGHT_COLUMN",
    "AggregateOutput",
    "AggregationReport",
    "AggregationResult",
    "AggregationSpec",
    "AuditReport",
    "BenchmarkSpec",
    "Calibration",
    "CellAccumulator",
    "CellInterval",
    "ConfStatusCodes",
    "CountMeasure",
    "DimensionRule",
    "DisclosureMethodName",
    "DisclosureSpec",
    "DominanceSpec",
    "IndicatorsSpec",
    "IntervalSpec",
    "MeanMeasure",
    "MeasureSpec",
    "NKRule",
    "ObsStatusCodes",
    "PPercentRule",
    "ProportionMeasure",
    "ProtectionSpec",
    "RatioMeasure",
    "SecondaryMethod",
    "SpecStructure",
    "SumMeasure",
    "SuppressionCost",
    "Unpivot",
    "WeightingSpec",
    "aggregate",
    "audit",
    "audit_output",
    "forget_patterns",
    "merge_accumulators",
    "read_structure_file",
    "unpivot",
]
