"""Benchmark: secondary cell suppression with protection levels (issue 21).

Two tables, built by aggregating with cdinterop itself (no disclosure control, to get every
cell and its true contributor count):

* ``services``: the shipped example ``examples/public-services-satisfaction`` with
  ``mappings/services-survey-kobo.yaml`` (833 cells, 318 sensitive at k = 10);
* ``benchmark``: the table of ``bench_aggregate.py`` (1,000,000 unit records, 2,434 cells,
  89 sensitive at k = 5).

For each, with the a-priori bound ``x >= 1`` of every written cell and no upper bound, it
compares today's pattern (`_disclosure.protect`: no lone unknown, rank audit), the
heuristic (`protect_heuristic`, started from today's pattern and from the sensitive cells
alone) and the optimal method (`protect_optimal`, started from the better heuristic
pattern, ``--time-limit`` seconds), for protection levels as shares of k
(``UPL = ceil(share * k)``, ``LPL = min(UPL, x - 1)``) and for the level 1 ("cannot be
pinned or narrowed by one"). Printed per method: secondary cells, their total value
(contributors), the proven lower bound and gap, seconds, and how many sensitive cells the
attacker finds unprotected (today's pattern was not built for interval protection).

    PYTHONPATH=src python benchmarks/bench_protection.py [--tables services benchmark]
        [--levels 0.5 one] [--time-limit 10] [--cost cells|value] [--rows N]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

from cdinterop.aggregate import AggregationSpec, aggregate  # noqa: E402
from cdinterop.aggregate._attack import unprotected  # noqa: E402
from cdinterop.aggregate._csp import (  # noqa: E402
    cap_levels,
    protect_heuristic,
    protect_optimal,
)
from cdinterop.aggregate._disclosure import (  # noqa: E402
    Relations,
    additive_relations,
    primary_suppression,
    protect,
)
from cdinterop.aggregate._protection import Pattern, ProtectionProblem  # noqa: E402
from cdinterop.aggregate._relations import LinearRelations, linear_relations  # noqa: E402
from cdinterop.model import CitizenDataset  # noqa: E402

KEY = b"0123456789abcdef0123456789abcdef"


@dataclass(frozen=True)
class Cells:
    """One table's cells: contributor counts, relations, threshold."""

    name: str
    counts: np.ndarray
    relations: Relations
    k: int


def _cells(name: str, units: CitizenDataset, spec: AggregationSpec) -> Cells:
    """Every cell of ``spec`` over ``units`` with its true contributor count."""
    d = spec.disclosure
    assert d.threshold is not None and spec.contributor_count is not None
    none = d.model_copy(
        update={"method": "none", "threshold": None, "secondary": False, "audit": False}
    )
    table = aggregate(units, spec.model_copy(update={"disclosure": none})).dataset
    cells = table.observations.table
    keys = [k for k in (*spec.dimension_ids, spec.time_id) if k and k in cells.column_names]
    totals = {k: spec.dimensions[k].total for k in spec.total_dimensions}
    counts = np.asarray(cells.column(spec.contributor_count).to_numpy(), dtype=np.int64)
    return Cells(name, counts, additive_relations(cells, keys, totals), d.threshold)


def services() -> Cells:
    from cdinterop.ingest import IngestSpec, ingest
    from cdinterop.mapping import load_spec

    spec = load_spec(ROOT / "mappings" / "services-survey-kobo.yaml", IngestSpec)
    source = ROOT / "examples" / "public-services-satisfaction" / "submissions-kobo.csv"
    assert spec.aggregation is not None
    return _cells("services", ingest(source, spec, key=KEY).dataset, spec.aggregation)


def benchmark(rows: int) -> Cells:
    import bench_aggregate as bench

    return _cells("benchmark", bench.unit_dataset(bench.unit_table(rows)), bench.spec())


def problem(cells: Cells, level: str, cost: str) -> ProtectionProblem:
    """The threshold rule's protection problem at a level (a share of k, or ``one``)."""
    v = cells.counts.astype(np.float64)
    sensitive = primary_suppression(cells.counts, cells.k)
    up = 1.0 if level == "one" else float(math.ceil(float(level) * cells.k))
    lb = np.minimum(v, 1.0)
    return ProtectionProblem(
        values=v,
        sensitive=sensitive,
        upl=np.where(sensitive, up, 0.0),
        lpl=np.where(sensitive, np.minimum(up, v - lb), 0.0),
        spl=np.zeros_like(v),
        lb=lb,
        ub=np.full_like(v, np.inf),
        weights=np.ones_like(v) if cost == "cells" else np.maximum(v, 1.0),
    )


def _row(
    label: str, p: ProtectionProblem, lin: LinearRelations, supp: np.ndarray, extra: str
) -> None:
    secondary = supp & ~p.sensitive
    bad = int(unprotected(lin, p, supp).sum())
    print(
        f"  {label:<34} secondary {int(secondary.sum()):>4}"
        f"  value {p.values[secondary].sum():>9,.0f}  unprotected {bad:>3}  {extra}",
        flush=True,
    )


def _solved(pattern: Pattern) -> str:
    bound = "-" if pattern.lower_bound is None else f"{pattern.lower_bound:,.0f}"
    gap = "-" if pattern.gap is None else f"{100 * pattern.gap:.1f} %"
    again = "" if pattern.reproducible else ", stopped by the clock: not reproducible"
    return (
        f"bound {bound:>6}  gap {gap:>7}  {pattern.seconds:6.2f} s  {pattern.status}"
        f" ({pattern.rounds} rounds{again})"
    )


def run(cells: Cells, levels: list[str], time_limit: float, cost: str) -> None:
    sensitive = primary_suppression(cells.counts, cells.k)
    started = time.perf_counter()
    today, _ = protect(cells.relations, sensitive, cells.counts)
    today_s = time.perf_counter() - started
    lin = linear_relations(cells.relations)
    print(
        f"\n{cells.name}: {cells.counts.size:,} cells, {lin.n_rows:,} relations, "
        f"{int(sensitive.sum())} sensitive (k = {cells.k}), cost = {cost}"
    )
    for level in levels:
        started = time.perf_counter()
        (p,), capped = cap_levels(lin, [problem(cells, level, cost)])
        name = "UPL = LPL = 1" if level == "one" else f"shares {level}/{level}"
        print(
            f" {name} (UPL {int(p.upl.max())}), lb = 1: {capped} levels capped "
            f"({time.perf_counter() - started:.2f} s)"
        )
        _row("today (simple + rank audit)", p, lin, today, f"{today_s:6.2f} s")
        best: Pattern | None = None
        for start_name, start in (("today", today), ("sensitive cells", p.sensitive)):
            h = protect_heuristic(lin, [p], start, time_limit=time_limit)
            _row(f"heuristic from {start_name}", p, lin, h.suppressed, _solved(h))
            if (
                best is None
                or (h.suppressed & ~p.sensitive).sum() < (best.suppressed & ~p.sensitive).sum()
            ):
                best = h
        assert best is not None
        o = protect_optimal(lin, [p], best.suppressed, time_limit)
        _row(f"optimal ({time_limit:g} s)", p, lin, o.suppressed, _solved(o))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", nargs="+", default=["services", "benchmark"])
    ap.add_argument("--levels", nargs="+", default=["0.5", "one"])
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--cost", choices=["cells", "value"], default="cells")
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    for name in args.tables:
        cells = services() if name == "services" else benchmark(args.rows)
        run(cells, args.levels, args.time_limit, args.cost)


if __name__ == "__main__":
    main()
