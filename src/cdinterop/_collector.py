"""Bulk work with Python's cyclic garbage collector paused.

Writing a catalogue of thousands of data sets, or reading its millions of triples into a
store, makes millions of short-lived tuples and dicts and no reference cycles: reference
counting frees them all. Each collection the allocations would trigger walks every object
the process holds, so that the work grows with what the process already holds (and, in a
forked worker, touches the parent's pages, which copy-on-write then copies). Measured on
the 10,000-data-set catalogue: writing 16.7 s -> 12.4 s, reading 12.5 s -> 10.3 s.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (restored after, also on error;
    left as it was when it was already off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
