"""Benchmark: read a 1,000,000-row Kobo-style CSV (25 columns) with cdinterop.ingest._sources.

Compares open_submission + iterating the batches (all columns as raw text, ``_row`` line
numbers, SHA-256 of the file) with ``pandas.read_csv(dtype=str)`` and Python's
``csv.reader`` on the same file, and prints rows/s, peak RSS and the ratios.

    PYTHONPATH=src python benchmarks/bench_ingest_read.py [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

COLUMNS = [
    "start", "end", "today", "deviceid", "grp_site/site_name", "grp_site/location",
    "grp_site/beach_type", "grp_count/bottles", "grp_count/bags", "grp_count/caps",
    "grp_count/straws", "grp_count/nets", "items", "items/bottle", "items/bag", "items/net",
    "volunteers", "weight_kg", "comments", "__version__", "_id", "_uuid", "_submission_time",
    "_validation_status", "_index",
]  # fmt: skip


def generate(path: Path, rows: int) -> None:
    rng = random.Random(1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(COLUMNS) + "\n")
        for i in range(rows):
            comment = ""
            if i % 3 == 0:
                comment = '"lots of plastic, near the river"'
            if i % 1000 == 0:
                comment = '"two lines\nof comment"'
            row = [
                "2024-03-01T08:00:00.000+03:00", "2024-03-01T09:10:00.000+03:00", "2024-03-01",
                f"collect:abc{i % 1000:05d}", f"Beach {i % 300}",
                f"-1.{i % 9999:04d} 36.{i % 7777:04d} 1600 5", rng.choice(["sandy", "rocky"]),
                str(i % 50), str(i % 20), str(i % 30), str(i % 7), str(i % 3), "bottle bag",
                "1", "1", "0", str(i % 40), f"{i % 97 / 3:.1f}", comment, "vXyZ123abc",
                str(1_000_000 + i), str(uuid.UUID(int=i)), "2024-03-01T06:10:00",
                "Approved" if i % 2 else "", str(i + 1),
            ]  # fmt: skip
            handle.write(",".join(row) + "\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, rows: int, fn: Callable[[], int]) -> float:
    start = time.perf_counter()
    got = fn()
    seconds = time.perf_counter() - start
    assert got == rows, (label, got, rows)
    print(
        f"{label:<28} {seconds:7.3f} s  {rows / seconds / 1e6:6.2f} M rows/s  "
        f"peak RSS {peak_rss_mb():7.0f} MB"
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    rows: int = args.rows

    from cdinterop.ingest._sources import open_submission

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kobo_export.csv"
        generate(path, rows)
        size = path.stat().st_size
        print(f"{rows:,} rows x {len(COLUMNS)} columns, {size / 1e6:.0f} MB")
        with path.open("rb") as handle:  # warm the page cache for every contender
            while handle.read(1 << 22):
                pass

        def cdinterop_read() -> int:
            with open_submission(path) as sub:
                count = sum(batch.num_rows for batch in sub.batches())
                assert sub.info.sha256 and not sub.problems()
            return count

        def csv_reader() -> int:
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                next(reader)
                return sum(1 for _ in reader)

        def pandas_read() -> int:
            import pandas as pd

            return len(pd.read_csv(path, dtype=str, keep_default_na=False))

        cdinterop_read()  # warm-up: imports
        ours = timed("cdinterop open_submission", rows, cdinterop_read)
        theirs = timed("csv.reader", rows, csv_reader)
        print(f"  ratio csv.reader / cdinterop: {theirs / ours:.1f}x")
        pandas = timed("pandas.read_csv(dtype=str)", rows, pandas_read)
        print(f"  ratio pandas / cdinterop:     {pandas / ours:.1f}x")


if __name__ == "__main__":
    main()
