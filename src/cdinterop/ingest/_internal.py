"""What other packages of cdinterop use from ``cdinterop.ingest`` beyond its public API: the
ingest run as a stream of record batches (``convert`` aggregates them as they come) and its
rejects, kept in bounded memory.

This module is internal: it is not part of the public API and may change in any release.
It is the one place another package of cdinterop imports from this package besides the
façade (``tests/test_layers.py`` checks that).
"""

from __future__ import annotations

from cdinterop.ingest._rejects import Rejects
from cdinterop.ingest._rules import source_options
from cdinterop.ingest._run import StreamedIngest, ingest_stream, too_many_rejected
from cdinterop.ingest._stream import RecordSink

__all__ = [
    "RecordSink",
    "Rejects",
    "StreamedIngest",
    "ingest_stream",
    "source_options",
    "too_many_rejected",
]
