"""The row counts of an ingest run, as the quality measurements take them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["RowCounts", "rejected_by_reason"]


@dataclass(frozen=True)
class RowCounts:
    """Where the rows of a submission went: read, rejected (by reason), filtered (by rule)
    and duplicated."""

    rows_read: int
    """Records in the file."""
    rejected: int
    """Rows rejected, whatever the reason (each row once)."""
    rejected_by_reason: Mapping[str, int] = field(default_factory=dict)
    """Rows rejected per reason (an issue code; a row may count under several)."""
    filtered_by_rule: Mapping[str, int] = field(default_factory=dict)
    """Rows left out per rule name (row filters and de-duplication)."""
    duplicate_rule: str | None = None
    """Name of the de-duplication rule among ``filtered_by_rule``, if the spec has one."""

    @property
    def duplicates(self) -> int:
        """Rows left out as duplicates."""
        if self.duplicate_rule is None:
            return 0
        return self.filtered_by_rule.get(self.duplicate_rule, 0)


def rejected_by_reason(rejects: pa.Table) -> dict[str, int]:
    """Distinct rejected rows per reason code of a rejects table (columns ``row`` and
    ``code``, as ``rejects.csv``), most frequent first."""
    if rejects.num_rows == 0:
        return {}
    counted = rejects.group_by("code").aggregate([("row", "count_distinct")])
    ordered = counted.sort_by([("row_count_distinct", "descending"), ("code", "ascending")])
    codes = pc.fill_null(ordered.column("code"), "").to_pylist()
    return dict(zip(codes, ordered.column("row_count_distinct").to_pylist(), strict=True))
