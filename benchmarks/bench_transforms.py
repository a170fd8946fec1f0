"""Benchmark: ingest column transformations on survey-like text columns.

Times, on N rows (default 1,000,000) of raw text: age bands, dates to periods
(Kobo ``_submission_time`` date-times, nearly all distinct), a value map (via
:func:`cdinterop.mapping._values.map_values`), an expression over three columns,
pseudonymisation (100k distinct ids) and geopoint parsing + grid coarsening; prints rows
per second for each.

    python benchmarks/bench_transforms.py --rows 1000000
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

import pyarrow as pa

from cdinterop.ingest._transforms import (
    age_bands,
    coarsen_to_grid,
    compile_expression,
    parse_geopoint,
    pseudonymise,
    to_bands,
    to_period,
)
from cdinterop.mapping._spec import UnmappedPolicy
from cdinterop.mapping._values import map_values


def build(rows: int, seed: int = 1) -> pa.Table:
    rng = random.Random(seed)
    ages = [str(a) for a in range(0, 111)] + [" 23 ", "23.0", "twenty", "230", "-4"]
    sexes = ["female", "male", "other", "prefer_not"]
    ids = [f"0244{rng.randrange(10**6):06d}" for _ in range(100_000)]
    choices = ["water", "water food", "food shelter", "", "shelter water food"]
    return pa.table(
        {
            "age": pa.array(rng.choices(ages, k=rows)),
            "sex": pa.array(rng.choices(sexes, k=rows)),
            "submitted": pa.array(
                [
                    f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
                    f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
                    for _ in range(rows)
                ]
            ),
            "phone": pa.array(rng.choices(ids, k=rows)),
            "geo": pa.array(
                [
                    f"{rng.uniform(4.5, 11):.6f} {rng.uniform(-3.2, 1.2):.6f} "
                    f"{rng.uniform(0, 300):.1f} {rng.uniform(3, 30):.1f}"
                    for _ in range(rows)
                ]
            ),
            "needs": pa.array(rng.choices(choices, k=rows)),
        }
    )


def timed(name: str, rows: int, run: Callable[[], object], repeat: int = 3) -> None:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    print(f"{name:<42} {best * 1000:8.1f} ms  {rows / best / 1e6:7.2f} M rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    t = build(args.rows)
    n = t.num_rows
    bands = age_bands("ten-year")
    key = b"benchmark-key-0123456789abcdef01"
    expression = compile_expression(
        '"Y_LT18" if number(age) < 18 else concat(sex, ":", split_count(needs))',
        columns=t.column_names,
    )
    print(f"{n:,} rows")
    timed("to_bands (age, ten-year SDMX bands)", n, lambda: to_bands(t["age"], bands))
    timed("to_period M (Kobo _submission_time)", n, lambda: to_period(t["submitted"], "M"))
    timed("to_period W (Kobo _submission_time)", n, lambda: to_period(t["submitted"], "W"))
    timed(
        "map_values (sex, mapping.values)",
        n,
        lambda: map_values(
            t["sex"], {"female": "F", "male": "M", "other": "_O"}, unmapped=UnmappedPolicy.DROP
        ),
    )
    timed("expression over 3 columns", n, lambda: expression.evaluate(t))
    timed("pseudonymise (100k distinct)", n, lambda: pseudonymise(t["phone"], key))

    def geo() -> None:
        points = parse_geopoint(t["geo"])
        coarsen_to_grid(points.lat, points.lon, 0.05)

    timed("parse_geopoint + coarsen_to_grid", n, geo)


if __name__ == "__main__":
    main()
