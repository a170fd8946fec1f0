"""Engines that run a conversion somewhere else than in this process.

``convert(..., engine="local")`` (the default) streams the submission here, batch by batch
(`cdinterop.ingest`); ``engine="dask"`` runs the same pipeline on a Dask cluster (the
``dask`` extra) with the same outputs, file for file: see the guide to scale
(docs/scale.md).

* [`local_cluster()`][cdinterop.engines.local_cluster] — a Dask ``LocalCluster`` as the
  engine starts one (worker processes, one thread each, on 127.0.0.1, no dashboard), for a
  script that runs several conversions on one cluster (pass its ``scheduler_address`` as
  ``scheduler=``);
* [`SchedulerError`][cdinterop.engines.SchedulerError] — the scheduler at the address given
  cannot be reached;
* [`DEFAULT_PARTITION_BYTES`][cdinterop.engines.DEFAULT_PARTITION_BYTES] and
  [`LOCAL_WORKERS`][cdinterop.engines.LOCAL_WORKERS] — the defaults of a Dask run.

Importing this package does not import Dask.
"""

from __future__ import annotations

from cdinterop.engines._dask import (
    DEFAULT_PARTITION_BYTES,
    LOCAL_WORKERS,
    SchedulerError,
    local_cluster,
)

__all__ = ["DEFAULT_PARTITION_BYTES", "LOCAL_WORKERS", "SchedulerError", "local_cluster"]
