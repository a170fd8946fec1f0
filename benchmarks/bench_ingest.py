"""Benchmark: ingest a 1,000,000-row KoboToolbox-style CSV with a realistic mapping spec.

The file is the one ``bench_ingest_read.py`` generates (25 columns: Kobo meta columns,
grouped questions, a select_multiple, a geopoint, multi-line comments). The spec keeps
approved submissions, de-duplicates on ``_uuid``, drops the device id, pseudonymises
``_uuid``, coarsens the geopoint to a 0.1° grid, maps the beach type, turns the submission
time into a monthly period and sums two counts with an expression. Prints rows/s for
``ingest()`` (read, filter, privacy, rules, checks, data set) and for writing the outputs,
and the peak memory against the file's size.

    PYTHONPATH=src python benchmarks/bench_ingest.py [--rows N] [--repeat N]
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
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

SPEC = """\
id: bench-beach-kobo
version: "1.0"
source: {layout: kobo-csv}
rows:
  - name: not-approved
    keep: {_validation_status: [approved]}
deduplicate: {name: resubmitted, key: [_uuid]}
privacy:
  drop: [deviceid]
  pseudonymise: [_uuid]
  key: env:BENCH_KEY
  geopoints: {grp_site/location: {grid: 0.1}}
structure:
  id: DSD_BENCH
  agency: BENCH
  name: {en: Beach data cards}
  concepts:
    - {id: RECORD, name: {en: Record}}
    - {id: SITE, name: {en: Site}}
    - {id: BEACH_TYPE, name: {en: Beach type}}
    - {id: CELL, name: {en: Grid cell}}
    - {id: TIME_PERIOD, name: {en: Month}}
    - {id: OBS_VALUE, name: {en: Bottles and bags}}
  codelists:
    - {id: CL_BEACH_TYPE, agency: BENCH, name: {en: Beach types},
       codes: [{id: S, name: {en: Sandy}}, {id: R, name: {en: Rocky}}]}
  dimensions:
    - {id: RECORD}
    - {id: SITE}
    - {id: BEACH_TYPE, codelist: CL_BEACH_TYPE}
  time_dimension: {id: TIME_PERIOD}
  attributes:
    - {id: CELL, attachment: observation}
components:
  RECORD: {from: _uuid}
  SITE: {from: grp_site/site_name}
  BEACH_TYPE: {from: grp_site/beach_type, map: {sandy: S, rocky: R}}
  CELL: {from: grp_site/location}
  TIME_PERIOD: {from: _submission_time, period: M}
  OBS_VALUE: {expression: 'number(col("grp_count/bottles")) + number(col("grp_count/bags"))'}
dataset:
  id: DF_BENCH
  agency: BENCH
  title: {en: Benchmark beach data cards}
"""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="ingest the file this many times")
    args = parser.parse_args()

    from bench_ingest_read import generate

    from cdinterop.ingest._outputs import write_outputs
    from cdinterop.ingest._run import ingest
    from cdinterop.ingest._spec import IngestSpec
    from cdinterop.mapping._loading import loads_spec

    os.environ.setdefault("BENCH_KEY", "benchmark-key-not-a-secret")
    spec = loads_spec(SPEC, IngestSpec)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kobo.csv"
        start = time.perf_counter()
        generate(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        took = time.perf_counter() - start
        print(f"generated {args.rows:,} rows, {size_mb:,.0f} MB in {took:.1f} s")
        before = _peak_mb()
        for _ in range(max(1, args.repeat)):
            start = time.perf_counter()
            result = ingest(path, spec)
            seconds = time.perf_counter() - start
            s = result.summary
            print(
                f"ingest: {s.rows_read:,} rows in {seconds:.2f} s = "
                f"{s.rows_read / seconds:,.0f} rows/s "
                f"(accepted {s.accepted:,}, filtered {s.filtered:,} {s.filtered_by_rule}, "
                f"rejected {s.rejected:,})"
            )
            peak = _peak_mb()
        print(
            f"peak memory {peak:,.0f} MB (before the run {before:,.0f} MB; file {size_mb:,.0f} MB)"
        )
        start = time.perf_counter()
        write_outputs(result, Path(tmp) / "out")
        seconds = time.perf_counter() - start
        outputs = "dataset.json, datapackage/, rejects.csv, summary.json"
        print(f"write outputs ({outputs}): {seconds:.2f} s")


if __name__ == "__main__":
    main()
