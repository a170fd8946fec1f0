"""What other packages of cdinterop use from ``cdinterop.ingest`` beyond its public API: the
ingest run as a stream of record batches (``convert`` aggregates them as they come) and its
rejects, kept in bounded memory; ``parts``, the run over partitions that a distributed
engine (`cdinterop.engines`) schedules.

This module is internal: it is not part of the public API and may change in any release.
It is the one place another package of cdinterop imports from this package besides the
façade (``tests/test_layers.py`` checks that).
"""

from __future__ import annotations

from cdinterop.ingest import _parts as parts
from cdinterop.ingest._rejects import Rejects
from cdinterop.ingest._rules import source_options
from cdinterop.ingest._run import (
    StreamedIngest,
    StreamRunner,
    ingest_stream,
    too_many_message,
    too_many_rejected,
)
from cdinterop.ingest._spill import SpilledRecords
from cdinterop.ingest._stream import RecordSink, Streamed, run_limits

__all__ = [
    "RecordSink",
    "Rejects",
    "SpilledRecords",
    "StreamRunner",
    "Streamed",
    "StreamedIngest",
    "ingest_stream",
    "parts",
    "run_limits",
    "source_options",
    "too_many_message",
    "too_many_rejected",
]
