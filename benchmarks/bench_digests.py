"""Benchmark: 64-bit digests and the bounded-memory DigestSet (issue 18).

Digests N distinct 36-character keys (UUID text) with ``digest64``, then inserts them in
batches of 65,536 into a ``DigestSet`` (with row-number payloads, and without), a tenth
of them twice, and prints the time, the bytes the set holds per digest and the peak RSS.

    PYTHONPATH=src python benchmarks/bench_digests.py [--rows N]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time

import numpy as np
import pyarrow as pa

from cdinterop.ingest._digests import DigestSet, digest64

BATCH = 65_536


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--part", choices=["all", "digest", "set"], default="all")
    args = parser.parse_args()
    if args.part == "all":  # each part in a process of its own, for its own peak RSS
        for part in ("digest", "set"):
            command = [sys.executable, __file__, "--rows", str(args.rows), "--part", part]
            subprocess.run(command, check=True)
        return
    if args.part == "digest":
        bench_digest(args.rows)
    else:
        rng = np.random.default_rng(18)
        digests = rng.integers(0, 2**64, size=args.rows, dtype=np.uint64, endpoint=False)
        print(f"random digests generated (peak RSS so far {_rss_mb():.0f} MB)")
        bench_set(digests)


def bench_digest(rows: int) -> None:
    start = time.perf_counter()
    digests = np.empty(rows, dtype=np.uint64)
    digest_seconds = 0.0
    for lo in range(0, rows, 1 << 20):
        count = min(1 << 20, rows - lo)
        numbers = np.arange(lo, lo + count, dtype=np.int64)
        texts = pa.array([f"{n:08x}-0000-4000-8000-{n * 7919:012x}" for n in numbers.tolist()])
        begun = time.perf_counter()
        digests[lo : lo + count] = digest64([texts])
        digest_seconds += time.perf_counter() - begun
    print(f"digest64: {rows:,} keys in {digest_seconds:.2f} s "
          f"({rows / digest_seconds / 1e6:.1f} M keys/s); generating took "
          f"{time.perf_counter() - start - digest_seconds:.1f} s")  # fmt: skip
    print(f"distinct digests: {len(np.unique(digests)):,} (peak RSS {_rss_mb():.0f} MB)")


def bench_set(digests: np.ndarray) -> None:
    rows = len(digests)
    for payload in (False, True):
        seen = DigestSet(payload=payload)
        begun = time.perf_counter()
        kept = 0
        for lo in range(0, rows, BATCH):
            batch = digests[lo : lo + BATCH]
            rows_of = np.arange(lo, lo + len(batch), dtype=np.int64)
            kept += int(seen.first_seen(batch, rows_of if payload else None).sum())
        inserted = time.perf_counter() - begun
        begun = time.perf_counter()
        repeats = 0
        for lo in range(0, rows // 10, BATCH):
            batch = digests[lo : min(lo + BATCH, rows // 10)]
            rows_of = np.arange(lo, lo + len(batch), dtype=np.int64)
            repeats += int((~seen.first_seen(batch, rows_of if payload else None)).sum())
        again = time.perf_counter() - begun
        assert kept == rows and repeats == rows // 10
        print(f"DigestSet(payload={payload}): {rows:,} inserts in batches of {BATCH:,}: "
              f"{inserted:.2f} s ({rows / inserted / 1e6:.1f} M/s); {rows // 10:,} repeats "
              f"{again:.2f} s; {seen.nbytes / rows:.1f} bytes per digest "
              f"({seen.nbytes / 1e6:.0f} MB); peak RSS {_rss_mb():.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
