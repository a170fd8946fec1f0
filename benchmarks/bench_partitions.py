"""Benchmark: splitting a large CSV file into record-aligned byte ranges (issue 18).

Writes the Kobo-style CSV of ``bench_ingest_read.py`` (quoted comments, some over two
lines), then times ``split_csv`` (phase 1 scans of every range and phase 2 on the
client) and the reading of the ranges one after the other against reading the whole
file, and checks that both read the same rows.

    PYTHONPATH=src python benchmarks/bench_partitions.py [--rows N] [--target-mb M]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_ingest_read import generate

from cdinterop.ingest._sources import open_submission, split_csv


def _rows(path: Path, part: object = None) -> tuple[int, int]:
    with open_submission(path, part=part) as sub:  # type: ignore[arg-type]
        rows = sum(batch.num_rows for batch in sub.batches())
        return rows, len(sub.problems())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--target-mb", type=float, default=32.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kobo.csv"
        generate(path, args.rows)
        size = path.stat().st_size
        begun = time.perf_counter()
        parts = split_csv(path, target_bytes=int(args.target_mb * 2**20))
        split = time.perf_counter() - begun
        print(f"{size / 1e6:.0f} MB, {args.rows:,} rows: split_csv into {len(parts)} ranges in "
              f"{split:.3f} s ({size / split / 1e6:.0f} MB/s)")  # fmt: skip
        begun = time.perf_counter()
        whole = _rows(path)
        read_whole = time.perf_counter() - begun
        begun = time.perf_counter()
        counts = [_rows(path, part) for part in parts]
        read_parts = time.perf_counter() - begun
        assert (sum(c[0] for c in counts), sum(c[1] for c in counts)) == whole
        print(f"read whole {read_whole:.2f} s; the {len(parts)} ranges one after the other "
              f"{read_parts:.2f} s; per range {read_parts / len(parts):.2f} s "
              f"({size / read_parts / 1e6:.0f} MB/s)")  # fmt: skip


if __name__ == "__main__":
    main()
