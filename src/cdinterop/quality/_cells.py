"""Measurements of the cells of an aggregation: publication and suppression rates."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from cdinterop.model import METRICS, QualityMeasurement, QualityMetric

__all__ = ["CellCounts", "measure_cells", "measurement"]


class CellCounts(Protocol):
    """The cell counts of an aggregation (what
    [`AggregationReport`][cdinterop.aggregate.AggregationReport] has)."""

    @property
    def cells(self) -> int:
        """Cells produced, totals included."""

    @property
    def cells_published(self) -> int:
        """Cells with a published value for at least one indicator."""

    @property
    def primary_suppressed(self) -> int:
        """Cells suppressed by the threshold rule."""

    @property
    def secondary_suppressed(self) -> int:
        """Further cells suppressed to protect them."""


def measurement(
    metric: QualityMetric,
    value: float | int,
    at: dt.datetime | None,
    *,
    component: str | None = None,
    qualifier: str | None = None,
) -> QualityMeasurement:
    """A measurement of a catalogue metric, with the metric's unit and dimension."""
    definition = METRICS[metric]
    return QualityMeasurement(
        metric=metric.value,
        value=value,
        unit=definition.unit,
        dimension=definition.dimension,
        computed_at=at,
        component=component,
        qualifier=qualifier,
    )


def measure_cells(
    report: CellCounts, *, computed_at: dt.datetime | None = None
) -> list[QualityMeasurement]:
    """The publication rate and the primary and secondary suppression rates of the cells of
    an aggregation (none when it produced no cell)."""
    if report.cells <= 0:
        return []
    return [
        measurement(
            QualityMetric.CELL_PUBLICATION_RATE, report.cells_published / report.cells, computed_at
        ),
        measurement(
            QualityMetric.PRIMARY_SUPPRESSION_RATE,
            report.primary_suppressed / report.cells,
            computed_at,
        ),
        measurement(
            QualityMetric.SECONDARY_SUPPRESSION_RATE,
            report.secondary_suppressed / report.cells,
            computed_at,
        ),
    ]
