"""The catalogue of quality metrics a run computes (`QualityMetric`).

Every [`ingest()`][cdinterop.ingest.ingest] and [`convert()`][cdinterop.convert.convert] run
measures the data it produced with these metrics (`cdinterop.quality`); each measurement is a
[`QualityMeasurement`][cdinterop.model.QualityMeasurement] whose ``metric`` is one of the ids
below, with ``component`` naming the component it is about and ``qualifier`` the reason,
rule or level it is about. [`METRICS`][cdinterop.model.METRICS] defines each metric: what it
measures, its unit and the quality dimension (UN NQAF / ESS QAF) it informs. In DCAT each
metric is a ``dqv:Metric`` of the ``cdi:`` vocabulary.
"""

from __future__ import annotations

from enum import StrEnum

from cdinterop.model._base import Model
from cdinterop.model._quality import QualityDimension

__all__ = ["METRICS", "MetricDefinition", "QualityMetric"]


class QualityMetric(StrEnum):
    """Ids of the quality metrics cdinterop computes (definitions in
    [`METRICS`][cdinterop.model.METRICS])."""

    COMPLETENESS = "COMPLETENESS"
    REJECTED_ROW_SHARE = "REJECTED_ROW_SHARE"
    DUPLICATE_SHARE = "DUPLICATE_SHARE"
    FILTERED_ROW_SHARE = "FILTERED_ROW_SHARE"
    TIMELINESS_DAYS = "TIMELINESS_DAYS"
    CODE_COVERAGE = "CODE_COVERAGE"
    AREA_COVERAGE = "AREA_COVERAGE"
    CELL_PUBLICATION_RATE = "CELL_PUBLICATION_RATE"
    PRIMARY_SUPPRESSION_RATE = "PRIMARY_SUPPRESSION_RATE"
    SECONDARY_SUPPRESSION_RATE = "SECONDARY_SUPPRESSION_RATE"


class MetricDefinition(Model):
    """What a metric of the catalogue measures."""

    definition: str
    """What the value is, and what ``component`` and ``qualifier`` say when present."""
    unit: str
    """Unit of the values: ``ratio`` (a share from 0 to 1) or ``days``."""
    dimension: QualityDimension
    """The quality dimension the metric informs."""


_ACCURACY = QualityDimension.ACCURACY_AND_RELIABILITY
_ACCESS = QualityDimension.ACCESSIBILITY_AND_CLARITY

METRICS: dict[QualityMetric, MetricDefinition] = {
    QualityMetric.COMPLETENESS: MetricDefinition(
        definition="Share of the unit records with a value (not missing) for the component "
        "named; without a component, the share of all the unit records' cells with a value.",
        unit="ratio",
        dimension=_ACCURACY,
    ),
    QualityMetric.REJECTED_ROW_SHARE: MetricDefinition(
        definition="Share of the rows read that were rejected (could not be read or mapped, "
        "or failed the structure's checks); with a qualifier, the share rejected for that "
        "reason (an issue code; a row rejected for several reasons counts under each).",
        unit="ratio",
        dimension=_ACCURACY,
    ),
    QualityMetric.DUPLICATE_SHARE: MetricDefinition(
        definition="Share of the rows read left out as duplicates of an earlier submission "
        "by the de-duplication key (the qualifier names the rule).",
        unit="ratio",
        dimension=_ACCURACY,
    ),
    QualityMetric.FILTERED_ROW_SHARE: MetricDefinition(
        definition="Share of the rows read left out by a named rule (row filters and "
        "de-duplication); with a qualifier, the share left out by that rule.",
        unit="ratio",
        dimension=QualityDimension.RELEVANCE,
    ),
    QualityMetric.TIMELINESS_DAYS: MetricDefinition(
        definition="Days from the end of collection to the run: the later of the end of the "
        "temporal coverage (qualifier temporal_coverage) and the end of the latest period of "
        "the unit records (qualifier last_period).",
        unit="days",
        dimension=QualityDimension.TIMELINESS_AND_PUNCTUALITY,
    ),
    QualityMetric.CODE_COVERAGE: MetricDefinition(
        definition="Share of the codes of the component's codelist that occur in the unit "
        "records (per coded dimension).",
        unit="ratio",
        dimension=QualityDimension.RELEVANCE,
    ),
    QualityMetric.AREA_COVERAGE: MetricDefinition(
        definition="Share of the areas of the dimension's codelist that occur in the unit "
        "records, counting the areas of the levels the records use (the qualifier names them: "
        "alpha2, alpha3, m49, subdivision), so that a national code does not count as missing "
        "from county records.",
        unit="ratio",
        dimension=QualityDimension.RELEVANCE,
    ),
    QualityMetric.CELL_PUBLICATION_RATE: MetricDefinition(
        definition="Share of the aggregated cells (totals included) with a published value "
        "for at least one indicator.",
        unit="ratio",
        dimension=_ACCESS,
    ),
    QualityMetric.PRIMARY_SUPPRESSION_RATE: MetricDefinition(
        definition="Share of the aggregated cells suppressed because they had fewer "
        "contributors than the threshold (primary suppression).",
        unit="ratio",
        dimension=_ACCESS,
    ),
    QualityMetric.SECONDARY_SUPPRESSION_RATE: MetricDefinition(
        definition="Share of the aggregated cells suppressed to protect primary-suppressed "
        "cells from recovery by subtraction (secondary suppression).",
        unit="ratio",
        dimension=_ACCESS,
    ),
}
"""The definition, unit and quality dimension of every metric of the catalogue."""
