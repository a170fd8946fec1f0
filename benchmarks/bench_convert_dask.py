"""Benchmark: `cdinterop convert` with the local engine and with the Dask engine.

The data are those of bench_convert.py (the shipped Kobo services export repeated to N rows,
each copy with its own ``_uuid``; its generator is imported). The Dask engine runs on a
LocalCluster of two worker processes (one thread each), started before the clock starts;
the outputs of both runs are compared file for file. Prints both times, the overhead ratio
(dask time / local time), the throughput per worker, and an estimate for a billion rows on
32 workers:

    estimate = rows / (per-worker rows/s x workers x efficiency) + fixed client time

where per-worker rows/s = N / (dask time x 2 workers) is measured here (each record is read
twice, in pass 1 and pass 2), the efficiency is taken as the measured one (no better
scaling is assumed from 2 to 32 workers), and the fixed client time (cluster round trips,
merging, disclosure control, writers) is that of a run on the shipped 1,000-row example.

    PYTHONPATH=src python benchmarks/bench_convert_dask.py [--rows N] [--partition-bytes B]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from bench_convert import SPEC, SUBMISSION, generate  # noqa: E402

WORKERS = 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--partition-bytes", type=int, default=1 << 25)
    args = parser.parse_args()

    from cdinterop.convert import convert
    from cdinterop.engines import local_cluster
    from cdinterop.ingest._spec import IngestSpec
    from cdinterop.mapping._loading import load_spec
    from cdinterop.testing import assert_same_outputs

    os.environ.setdefault("CDINTEROP_PSEUDONYM_KEY", "benchmark-key-not-a-secret")
    spec = load_spec(SPEC, IngestSpec).model_copy(update={"max_rejected": 0.5})
    with (
        tempfile.TemporaryDirectory() as tmp,
        local_cluster(WORKERS) as cluster,
    ):
        address = cluster.scheduler_address
        path = Path(tmp) / "submissions.csv"
        rows = generate(path, args.rows)
        print(f"export: {rows:,} rows, {path.stat().st_size / 1e6:,.0f} MB")

        start = time.perf_counter()
        convert(path, spec, Path(tmp) / "local")
        local = time.perf_counter() - start

        start = time.perf_counter()
        convert(
            path, spec, Path(tmp) / "dask", engine="dask", scheduler=address,
            partition_bytes=args.partition_bytes,
        )  # fmt: skip
        dask = time.perf_counter() - start

        start = time.perf_counter()
        convert(SUBMISSION, spec, Path(tmp) / "small", engine="dask", scheduler=address)
        fixed = time.perf_counter() - start

        assert_same_outputs(Path(tmp) / "local", Path(tmp) / "dask")
        parts = max(1, round(path.stat().st_size / args.partition_bytes))
        per_worker = rows / ((dask - fixed) * WORKERS)
        print(f"local engine        {local:8.2f} s  {rows / local:12,.0f} rows/s")
        print(f"dask engine ({WORKERS} w)  {dask:8.2f} s  {rows / dask:12,.0f} rows/s")
        print(f"overhead ratio      {dask / local:8.2f}  (dask / local)")
        print(f"fixed client time   {fixed:8.2f} s  (1,000-row example on the same cluster)")
        print(f"partitions          {parts:8d}  of about {args.partition_bytes / 1e6:.0f} MB")
        print(f"per worker          {per_worker:12,.0f} rows/s  (both passes)")
        billion, workers = 1_000_000_000, 32
        estimate = billion / (per_worker * workers) + fixed
        print(
            f"estimate 1e9 rows on {workers} workers: {estimate / 60:,.1f} min "
            f"= 1e9 / ({per_worker:,.0f} x {workers}) + {fixed:.1f} s "
            "(client-side decide and merge not scaled; see the docstring)"
        )
        print("outputs: identical to the local engine's (normalised)")


if __name__ == "__main__":
    main()
