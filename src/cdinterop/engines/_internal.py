"""What other packages of cdinterop use from ``cdinterop.engines`` beyond its public API:
the runner that `cdinterop.convert` hands to the ingest stream for ``engine="dask"``.

This module is internal: it is not part of the public API and may change in any release.
It is the one place another package of cdinterop imports from this package besides the
façade (``tests/test_layers.py`` checks that).
"""

from __future__ import annotations

from cdinterop.engines._dask import dask_runner

__all__ = ["dask_runner"]
