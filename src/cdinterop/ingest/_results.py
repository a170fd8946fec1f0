"""What an ingest run gives: its error, its counts and its result."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pyarrow as pa

from cdinterop.errors import CdinteropError
from cdinterop.model import (
    CitizenDataset,
    QualityMeasurement,
)

__all__ = ["IngestError", "IngestResult", "IngestSummary", "SourceSummary"]


class IngestError(CdinteropError):
    """The spec does not fit the submission (an unknown column), or too many rows were
    rejected (``max_rejected``; then ``result`` holds the run's rejects and summary)."""

    def __init__(self, message: str, result: IngestResult | None = None) -> None:
        super().__init__(message)
        self.result = result


IngestError.__module__ = "cdinterop.ingest"  # tracebacks show the public name


@dataclass(frozen=True)
class SourceSummary:
    """The counts of one submission file of a run over several
    (``rows_read == accepted + filtered + rejected``)."""

    source: str
    """The file's name."""
    layout: str
    """The layout it was read as."""
    sha256: str
    """SHA-256 of the file's bytes."""
    rows_read: int
    """Records in the file."""
    accepted: int
    """Its rows that became unit records."""
    filtered: int
    """Its rows left out by a named rule (row filters, de-duplication)."""
    rejected: int
    """Its rows that could not be read or mapped, or failed the structure's checks."""


@dataclass(frozen=True)
class IngestSummary:
    """The counts of an ingest run; ``rows_read == accepted + filtered + rejected``."""

    source: str
    """The submission file's name."""
    layout: str
    """The layout it was read as."""
    sha256: str
    """SHA-256 of the file's bytes."""
    spec_id: str
    """Id of the mapping spec."""
    spec_version: str
    """Version of the mapping spec."""
    rows_read: int
    """Records in the file (not counting the header)."""
    accepted: int
    """Rows that became unit records."""
    filtered: int
    """Rows left out by a named rule (row filters, de-duplication)."""
    rejected: int
    """Rows that could not be read or mapped, or failed the structure's checks."""
    filtered_by_rule: dict[str, int] = field(default_factory=dict)
    """Filtered rows per rule name."""
    rejected_by_column: dict[str, int] = field(default_factory=dict)
    """Rejected rows per column at fault (a row may count under several columns)."""
    seconds: float = 0.0
    """Wall-clock time of the run."""
    quality: tuple[QualityMeasurement, ...] = ()
    """The quality measurements of the run (`cdinterop.quality`), also in the data set's
    ``quality.measurements``. The JSON form leaves out their ``computed_at`` (the start of
    the run, in the data set), so that two runs on the same file give the same counts."""
    sources: tuple[SourceSummary, ...] = ()
    """Per submission file, its counts, when the run read several (``source`` then names
    them all, ``sha256`` is empty and ``layout`` is that of the first)."""

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data (``summary.json``)."""
        data = {
            "source": self.source,
            "layout": self.layout,
            "sha256": self.sha256,
            "spec": {"id": self.spec_id, "version": self.spec_version},
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "filtered": self.filtered,
            "rejected": self.rejected,
            "filtered_by_rule": dict(self.filtered_by_rule),
            "rejected_by_column": dict(self.rejected_by_column),
            "seconds": round(self.seconds, 3),
        }
        if self.sources:
            data["sources"] = [asdict(s) for s in self.sources]
        if self.quality:
            data["quality"] = [
                m.model_dump(mode="json", exclude_none=True, exclude={"computed_at"})
                for m in self.quality
            ]
        return data


@dataclass(frozen=True)
class IngestResult:
    """What [`ingest()`][cdinterop.ingest.ingest] returns."""

    dataset: CitizenDataset
    """The unit records with the spec's metadata and the extended provenance."""
    rejects: pa.Table
    """One line per rejected (row, column): ``row``, ``column``, ``value``, ``reason``, ``code``."""
    summary: IngestSummary
    """The counts."""
