"""Computed quality: the measurements every run makes of the data it produced.

[`measure_unit_records()`][cdinterop.quality.measure_unit_records] measures the unit records of
an ingest run (completeness per component, the shares of rows rejected, filtered and
duplicated, timeliness, code and area coverage per dimension);
[`measure_cells()`][cdinterop.quality.measure_cells] measures the cells of an aggregation
(publication and suppression rates). Each figure is a
[`QualityMeasurement`][cdinterop.model.QualityMeasurement] of a metric of the catalogue
[`QualityMetric`][cdinterop.model.QualityMetric]. The counts come in as plain numbers
([`RowCounts`][cdinterop.quality.RowCounts], [`CellCounts`][cdinterop.quality.CellCounts]), so
that this layer needs neither the ingest nor the aggregation step.
"""

from __future__ import annotations

from cdinterop.quality._cells import CellCounts, measure_cells
from cdinterop.quality._counts import RowCounts, rejected_by_reason
from cdinterop.quality._profile import RecordsProfile
from cdinterop.quality._records import measure_unit_records

__all__ = [
    "CellCounts",
    "RecordsProfile",
    "RowCounts",
    "measure_cells",
    "measure_unit_records",
    "rejected_by_reason",
]
