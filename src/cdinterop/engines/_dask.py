"""The Dask engine: the ingest run of a conversion over a Dask cluster (``dask.distributed``).

The submission is split into parts (record-aligned byte ranges of large CSV files, the
header carried, or whole files); the workers read and check them in two passes, the client
replays the decisions that compare records across parts in between
(`cdinterop.ingest._internal.parts`), and each worker pre-aggregates its part into a partial
sink (a `CellAccumulator`), merged on the client in part order. Disclosure control and the
writers then run once, on the client, on the merged cells: the outputs are those of the
local engine, file for file, whatever the partitioning.

Without a scheduler address a `LocalCluster` of two worker processes is started for the
run and closed after it. With an address, the workers must see the submission files at the
same paths as the client (a shared file system). Dask is imported here only, when an engine
runs: a missing ``dask`` extra is a [`MissingExtraError`][cdinterop.errors.MissingExtraError].
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from cdinterop._extras import require
from cdinterop.errors import CdinteropError
from cdinterop.ingest import IngestSpec, SourceOptions
from cdinterop.ingest._internal import Streamed, parts, run_limits

__all__ = [
    "DEFAULT_PARTITION_BYTES",
    "LOCAL_WORKERS",
    "SchedulerError",
    "dask_runner",
    "local_cluster",
]

DEFAULT_PARTITION_BYTES = 1 << 26
"""Bytes per partition of a large CSV file (64 MiB) unless the run says otherwise."""
LOCAL_WORKERS = 2
"""Worker processes of the `LocalCluster` started when no scheduler address is given."""
CONNECT_SECONDS = 30
"""How long to wait for the scheduler at a given address."""


class SchedulerError(CdinteropError):
    """The Dask scheduler at the address given cannot be reached."""


@contextlib.contextmanager
def _client(scheduler: str | None) -> Iterator[Any]:
    """A Dask client: of the scheduler at ``scheduler``, or of a local cluster of
    `LOCAL_WORKERS` processes (one thread each) started for the run and closed after it."""
    distributed = require("distributed", extra="dask", purpose="the dask engine")
    if scheduler is not None:
        try:
            client = distributed.Client(scheduler, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        with client:
            yield client
        return
    with local_cluster() as cluster, distributed.Client(cluster) as client:
        yield client


def local_cluster(workers: int = LOCAL_WORKERS) -> Any:
    """A `LocalCluster` of ``workers`` processes, one thread each, listening on 127.0.0.1
    only and without a dashboard (use it as a context manager; its ``scheduler_address``
    is what ``scheduler=`` takes)."""
    distributed = require("distributed", extra="dask", purpose="the dask engine")
    return distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )


def _count(futures: list[Any], what: str, say: Callable[[str], None]) -> None:
    """A progress line as each of ``futures`` is done (an error is raised by the gather
    that follows)."""
    distributed = require("distributed", extra="dask", purpose="the dask engine")
    for done, _future in enumerate(distributed.as_completed(futures), start=1):
        say(f"{what}: {done:,} of {len(futures):,} parts done")


def _gathered(client: Any, futures: list[Any]) -> list[Any]:
    """The results of ``futures``; an error of cdinterop on a worker raised again here."""
    try:
        return list(client.gather(futures))
    except parts.CarriedError as exc:
        raise exc.restored() from None


def dask_runner(
    sink: parts.PartSink,
    *,
    scheduler: str | None = None,
    partition_bytes: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Callable[[list[Path], IngestSpec, SourceOptions, bytes | None], Streamed]:
    """A runner for `ingest_stream` that reads the files on a Dask cluster (see the module
    docs), merging the partial sinks of the parts into ``sink``; ``progress`` gets a line
    as each part of each pass is done."""

    def run(
        files: list[Path], spec: IngestSpec, options: SourceOptions, key: bytes | None
    ) -> Streamed:
        with _client(scheduler) as client:
            say = progress or (lambda _line: None)
            return _run(client, sink, files, spec, options, key, partition_bytes, say)

    return run


def _run(
    client: Any,
    sink: parts.PartSink,
    files: Sequence[Path],
    spec: IngestSpec,
    options: SourceOptions,
    key: bytes | None,
    partition_bytes: int | None,
    say: Callable[[str], None],
) -> Streamed:
    """The two passes of `cdinterop.ingest._internal.parts` on ``client``'s cluster."""
    limits = run_limits(spec)
    key = parts.run_key(spec, key)
    target = partition_bytes or DEFAULT_PARTITION_BYTES
    paths = [str(f) for f in files]
    split = client.map(
        parts.split_parts, paths, range(len(paths)), options=options, target_bytes=target,
        run_limits=limits, pure=False,
    )  # fmt: skip
    every = [p for found in _gathered(client, split) for p in found]
    several = sorted({p.file for p in every if not p.range.is_whole()})
    digests = client.map(parts.file_sha256, [paths[i] for i in several], pure=False)
    facts = client.map(
        parts.part_facts, every, spec=spec, options=options, secret=key, run=limits, pure=False
    )
    _count(facts, "pass 1 of 2 (facts)", say)
    decisions = parts.decide(_gathered(client, facts), [p.file for p in every], spec)
    results = client.map(
        parts.part_result, every, decisions, [sink.fresh() for _ in every], spec=spec,
        options=options, secret=key, run=limits, names=[f.name for f in files], pure=False,
    )  # fmt: skip
    _count(results, "pass 2 of 2 (cells)", say)
    done = _gathered(client, results)
    sha256 = dict(zip(several, _gathered(client, digests), strict=True))
    sink.merge([r.sink for r in done])
    return parts.merged_stream(spec, files, every, done, sha256, max_rows=limits.rows)
