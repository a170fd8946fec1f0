"""What the measurements of unit records need from them, gathered batch by batch.

A [`RecordsProfile`][cdinterop.quality.RecordsProfile] keeps, for the records it has seen, their
number, the missing values of each column, the distinct values of each coded dimension (at
most the codelist's codes, once the records are checked) and the distinct periods of the time
dimension. It is all that [`measure_unit_records()`][cdinterop.quality.measure_unit_records]
reads, so an ingest run that streams its records measures them without holding them; two
profiles merge exactly (the Dask engine profiles each partition).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.model import DataStructure

__all__ = ["RecordsProfile"]


@dataclass
class RecordsProfile:
    """Counts and distinct values of unit records, added batch by batch (``add``) and
    merged (``merge``); memory is bounded by the codes and periods, not the records."""

    structure: DataStructure
    """The records' structure: which columns are coded dimensions and which is time."""
    rows: int = 0
    """Records seen."""
    nulls: Counter[str] = field(default_factory=Counter)
    """Missing values per column of the structure."""
    values: dict[str, set[str]] = field(default_factory=dict)
    """Distinct values (as text) per coded dimension and of the time dimension."""

    def add(self, table: pa.Table) -> None:
        """Profile one batch of records (columns of the structure)."""
        self.rows += table.num_rows
        for column in self.structure.column_ids:
            if column in table.column_names:
                self.nulls[column] += table.column(column).null_count
        for column in self._distinct_columns():
            if column in table.column_names:
                found = pc.unique(pc.drop_null(pc.cast(table.column(column), pa.string())))
                self.values.setdefault(column, set()).update(found.to_pylist())

    def merge(self, other: RecordsProfile) -> None:
        """Add the records ``other`` has seen (same structure)."""
        self.rows += other.rows
        self.nulls.update(other.nulls)
        for column, values in other.values.items():
            self.values.setdefault(column, set()).update(values)

    def present(self, column: str) -> bool:
        """Whether the records have ``column`` (seen in a batch)."""
        return column in self.nulls or column in self.values

    def distinct(self, column: str) -> set[str]:
        """The distinct values of a coded or time dimension (empty if none seen)."""
        return self.values.get(column, set())

    def _distinct_columns(self) -> list[str]:
        structure = self.structure
        coded = [d.id for d in structure.dimensions if structure.codelist_of(d.id) is not None]
        time = structure.time_dimension
        return coded + ([time.id] if time is not None else [])
