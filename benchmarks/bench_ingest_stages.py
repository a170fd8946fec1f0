"""Benchmark: where `ingest()` spends its time on the shipped Kobo export scaled to N rows.

The export is the one ``bench_convert.py`` builds (the services survey repeated, each copy
with fresh ``_uuid``s) and the spec mappings/services-survey-kobo.yaml. Each stage is
timed on its own, over batches of ``--batch`` rows as the run cuts them, with the same
functions the run calls: the reader (parse the CSV into batches), the row filters, the
pseudonyms, the geopoints (parse and coarsen), the component rules (value maps, bands,
periods, the expression) and the structure's checks (`check_observations`); then
``ingest()`` itself, end to end, with its rows/s. The stages overlap in a run (the reader
works in a thread), so their sum is not the run's time.

    PYTHONPATH=src python benchmarks/bench_ingest_stages.py [--rows N] [--batch N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
from bench_convert import SPEC, generate  # noqa: E402


def _timed(label: str, times: dict[str, float], work: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    out = work()
    times[label] = times.get(label, 0.0) + time.perf_counter() - start
    return out


def _batches(path: Path, spec: Any, rows: int, times: dict[str, float]) -> Iterator[pa.Table]:
    """The file's records in tables of ``rows`` rows, the reader's time counted."""
    from cdinterop.ingest._sources import SourceOptions, open_submission
    from cdinterop.ingest._sources.base import Layout

    options = SourceOptions(layout=Layout(spec.source.layout))
    with open_submission(path, options) as opened:
        batches = opened.batches()
        group: list[pa.RecordBatch] = []
        while True:
            batch = _timed("reader", times, lambda: next(batches, None))
            if batch is not None:
                group.append(batch)
            if group and (batch is None or sum(b.num_rows for b in group) >= rows):
                yield pa.Table.from_batches(group).combine_chunks()
                group = []
            if batch is None:
                return


def _rules(spec: Any, batch: pa.Table, expressions: dict[str, Any]) -> None:
    from cdinterop.ingest._transforms import Band, to_bands, to_period
    from cdinterop.mapping import UnmappedPolicy, map_values

    for cid, rule in spec.components.items():
        if rule.expression is not None:
            expressions[cid].evaluate(batch)
        elif rule.map is not None:
            map_values(batch.column(rule.source), rule.map, unmapped=UnmappedPolicy.DROP)
        elif rule.bands is not None:
            bands = [Band(code, low, high) for code, (low, high) in rule.bands.items()]
            to_bands(batch.column(rule.source), bands, label=rule.source)
        elif rule.period is not None:
            to_period(batch.column(rule.source), rule.period)


def _stages(path: Path, spec: Any, key: bytes, rows: int) -> dict[str, float]:
    """The time of each stage over the whole file, in batches of ``rows`` rows."""
    from cdinterop.ingest._transforms import (
        coarsen_to_grid,
        compile_expression,
        parse_geopoint,
        pseudonymise,
    )
    from cdinterop.mapping import filter_mask

    times: dict[str, float] = {}
    expressions: dict[str, Any] = {}
    for batch in _batches(path, spec, rows, times):
        expressions = expressions or {
            cid: compile_expression(rule.expression, columns=batch.column_names)
            for cid, rule in spec.components.items()
            if rule.expression is not None
        }
        for row_filter in spec.rows:
            conditions = row_filter.conditions
            keep = _timed("filters", times, lambda: filter_mask(batch, conditions))  # noqa: B023
            batch = _timed("filters", times, lambda: batch.filter(keep))  # noqa: B023
        for name in spec.privacy.pseudonymise:
            _timed("pseudonymise", times, lambda: pseudonymise(batch.column(name), key))  # noqa: B023

        def geopoints(column: str, grid: float) -> None:
            points = parse_geopoint(batch.column(column), reveal=False)  # noqa: B023
            cells = coarsen_to_grid(points.lat, points.lon, grid, labels=False)
            pc.binary_join_element_wise(
                pc.cast(cells.lat, pa.string()), pc.cast(cells.lon, pa.string()), " "
            )

        for column, coarsening in spec.privacy.geopoints.items():
            if coarsening.grid is not None:
                _timed("geopoints", times, lambda: geopoints(column, coarsening.grid))  # noqa: B023
        _timed("rules", times, lambda: _rules(spec, batch, expressions))  # noqa: B023
    return times


def _bulk_hmac() -> bool:
    try:
        from cdinterop.ingest._transforms.hmac_bulk import bulk_hmac_available
    except ImportError:  # a version without it
        return False
    return bulk_hmac_available()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=65_536, help="rows per batch")
    args = parser.parse_args()

    from cdinterop.ingest import ingest
    from cdinterop.ingest._spec import IngestSpec
    from cdinterop.mapping._loading import load_spec
    from cdinterop.model._checks import check_observations

    os.environ.setdefault("CDINTEROP_PSEUDONYM_KEY", "benchmark-key-not-a-secret")
    key = os.environ["CDINTEROP_PSEUDONYM_KEY"].encode()
    spec = load_spec(SPEC, IngestSpec).model_copy(update={"max_rejected": 0.5})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "submissions.csv"
        rows = generate(path, args.rows)
        print(f"export: {rows:,} rows, {path.stat().st_size / 1e6:,.0f} MB")
        print(f"compiled bulk HMAC (polars-hash): {'yes' if _bulk_hmac() else 'no'}")
        times = _stages(path, spec, key, args.batch)
        start = time.perf_counter()
        result = ingest(path, spec)
        total = time.perf_counter() - start
        unit = result.dataset.observations.table
        structure = spec.structure
        start = time.perf_counter()
        for i in range(0, unit.num_rows, args.batch):
            check_observations(unit.slice(i, args.batch), structure)
        times["conform checks"] = time.perf_counter() - start
    for stage, seconds in times.items():
        print(f"  {stage:<15} {seconds:6.2f} s  {rows / seconds:>12,.0f} rows/s")
    print(f"ingest() total   {total:6.2f} s  {rows / total:>12,.0f} rows/s")
    print(f"accepted {result.summary.accepted:,}, rejected {result.summary.rejected:,}")


if __name__ == "__main__":
    main()
