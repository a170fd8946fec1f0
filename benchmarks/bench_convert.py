"""Benchmark: `cdinterop convert` end to end on a 1,000,000-row KoboToolbox export.

The export is the shipped services survey (examples/public-services-satisfaction/
submissions-kobo.csv) repeated until it has N rows, each copy with its own ``_uuid`` so
that de-duplication keeps them; the spec is mappings/services-survey-kobo.yaml (approved
only, pseudonymised ids, GPS coarsened, value maps, age bands, aggregation with totals and
cell suppression). Prints the time of each stage (from the progress lines) and the total.

    PYTHONPATH=src python benchmarks/bench_convert.py [--rows N]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

SUBMISSION = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
SPEC = ROOT / "mappings" / "services-survey-kobo.yaml"


def generate(path: Path, rows: int) -> int:
    """Repeat the example export to ``rows`` data rows, with fresh ``_uuid``s."""
    import csv

    with SUBMISSION.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        records = list(reader)
    uuid = header.index("_uuid")
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        copy = 0
        while written < rows:
            for record in records:
                if written == rows:
                    break
                row = list(record)
                row[uuid] = f"{row[uuid]}-{copy}"
                writer.writerow(row)
                written += 1
            copy += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()

    from cdinterop.convert import convert
    from cdinterop.ingest._spec import IngestSpec
    from cdinterop.mapping._loading import load_spec

    os.environ.setdefault("CDINTEROP_PSEUDONYM_KEY", "benchmark-key-not-a-secret")
    spec = load_spec(SPEC, IngestSpec).model_copy(update={"max_rejected": 0.5})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "submissions.csv"
        rows = generate(path, args.rows)
        print(f"export: {rows:,} rows, {path.stat().st_size / 1e6:,.0f} MB")
        marks: list[tuple[str, float]] = []
        start = time.perf_counter()
        result = convert(
            path,
            spec,
            Path(tmp) / "out",
            progress=lambda line: marks.append((line, time.perf_counter())),
        )
        total = time.perf_counter() - start
        marks = [(line, at) for line, at in marks if " rows read" not in line]  # progress
        ends = [at for _line, at in marks[1:]] + [start + total]
        for (line, at), end in zip(marks, ends, strict=True):
            print(f"  {line:<40} {end - at:7.2f} s")
        ingest = result.summary["ingest"]
        print(
            f"total {total:.2f} s = {rows / total:,.0f} rows/s; accepted {ingest['accepted']:,}, "
            f"filtered {ingest['filtered']:,}, rejected {ingest['rejected']:,}; "
            f"cells {result.summary['aggregate']['cells']:,}"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory {peak:,.0f} MB")


if __name__ == "__main__":
    main()
