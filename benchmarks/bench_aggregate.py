"""Benchmark: aggregate 1,000,000 unit records to 4 dimensions with every total, k=5.

The unit records have four characteristics (region 12 codes, sex 2, age band 6, service
8: 13 x 3 x 7 x 9 = 2,457 cells with totals), a 0/1 answer, a respondent id (each
respondent answers up to 3 services) and a survey weight. Runs :func:`aggregate` with a
weighted proportion, totals on all four dimensions (16 groupings), contributors = unit
records and threshold 5 with secondary suppression and audit; then pandas doing the same
16 group-bys (count and weighted proportion, no suppression), and prints both timings and
the ratio.

    PYTHONPATH=src python benchmarks/bench_aggregate.py [--rows N] [--repeat R]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from cdinterop.aggregate import (  # noqa: E402
    PATTERN_CACHE_ENV,
    AggregationSpec,
    aggregate,
    forget_patterns,
)
from cdinterop.model import (  # noqa: E402
    Attribute,
    CitizenDataset,
    Codelist,
    Concept,
    DataStructure,
    Dimension,
    Measure,
    Observations,
    Usage,
    ValueType,
)

DIMS = {
    "REGION": [f"R{i:02d}" for i in range(12)],
    "SEX": ["F", "M"],
    "AGE": ["Y15T24", "Y25T34", "Y35T44", "Y45T54", "Y55T64", "Y_GE65"],
    "SERVICE": [f"S{i}" for i in range(8)],
}


def unit_table(n: int, seed: int = 7) -> pa.Table:
    """n synthetic unit records with skewed code frequencies (so small cells exist)."""
    rng = np.random.default_rng(seed)
    columns: dict[str, pa.Array] = {}
    for dim, codes in DIMS.items():
        p = np.geomspace(1.0, 0.05, len(codes))
        idx = rng.choice(len(codes), size=n, p=p / p.sum())
        columns[dim.lower()] = pa.DictionaryArray.from_arrays(
            pa.array(idx, pa.int32()), pa.array(codes)
        ).cast(pa.string())
    columns["satisfied"] = pa.array(rng.random(n) < 0.6).cast(pa.int64())
    columns["weight"] = pa.array(rng.uniform(0.5, 2.0, n))
    columns["respondent"] = pa.array((np.arange(n) // 3).astype(str).astype(object), pa.string())
    columns["row"] = pa.array(np.arange(n).astype(str).astype(object), pa.string())
    return pa.table(columns)


def unit_dataset(table: pa.Table) -> CitizenDataset:
    names = [c for c in table.column_names if c != "row"]
    structure = DataStructure(
        id="DSD_UNITS",
        agency="BENCH",
        name={"en": "Unit records"},
        concepts=[Concept(id=c.upper(), name={"en": c}) for c in ["row", *names, "OBS_VALUE"]],
        dimensions=[Dimension(id="row", concept="ROW")],
        attributes=[
            Attribute(
                id=c,
                concept=c.upper(),
                value_type=(
                    ValueType.INTEGER
                    if pa.types.is_integer(table.schema.field(c).type)
                    else ValueType.DECIMAL
                    if pa.types.is_floating(table.schema.field(c).type)
                    else ValueType.STRING
                ),
            )
            for c in names
        ],
        measures=[Measure(id="OBS_VALUE")],
    )
    table = table.append_column("OBS_VALUE", pa.nulls(table.num_rows, pa.float64()))
    return CitizenDataset(
        id="DF_UNITS",
        agency="BENCH",
        title={"en": "Bench unit records"},
        structure=structure,
        observations=Observations.from_arrow(table),
    )


def spec() -> AggregationSpec:
    from cdinterop.codes import CONF_STATUS, OBS_STATUS

    structure = DataStructure(
        id="DSD_BENCH",
        agency="BENCH",
        name={"en": "Bench"},
        concepts=[
            Concept(id=c, name={"en": c})
            for c in [*DIMS, "OBS_VALUE", "OBS_STATUS", "CONF_STATUS", "SAMPLE_SIZE"]
        ],
        codelists=[
            Codelist(
                id=f"CL_{d}",
                agency="BENCH",
                name={"en": d},
                codes=[{"id": c, "name": {"en": c}} for c in ["_T", *codes]],
            )
            for d, codes in DIMS.items()
        ]
        + [OBS_STATUS.subset(["A", "Q", "O"]), CONF_STATUS.subset(["F", "C", "D"])],
        dimensions=[Dimension(id=d, codelist=f"CL_{d}") for d in DIMS],
        measures=[Measure()],
        attributes=[
            Attribute(id="OBS_STATUS", codelist="CL_OBS_STATUS", usage=Usage.MANDATORY),
            Attribute(id="CONF_STATUS", codelist="CL_CONF_STATUS", usage=Usage.MANDATORY),
            Attribute(id="SAMPLE_SIZE", value_type=ValueType.INTEGER),
        ],
    )
    return AggregationSpec.model_validate(
        {
            "structure": structure.model_dump(),
            "dimensions": {d: {"from": d.lower()} for d in DIMS},
            "measure": {
                "type": "proportion",
                "column": "satisfied",
                "values": [1],
                "decimals": 1,
            },
            "weight": "weight",
            "contributor_count": "SAMPLE_SIZE",
            "disclosure": {"method": "cell_suppression", "threshold": 5, "secondary": True},
        }
    )


def with_pandas(table: pa.Table) -> int:
    """The same 16 group-bys with pandas (count and weighted proportion), no suppression."""
    frame = table.select([d.lower() for d in DIMS] + ["satisfied", "weight"]).to_pandas()
    frame["_yes"] = frame["satisfied"] * frame["weight"]
    dims = [d.lower() for d in DIMS]
    cells = 0
    for r in range(len(dims) + 1):
        for subset in itertools.combinations(dims, r):
            rest = [d for d in dims if d not in subset]
            if rest:
                g = frame.groupby(rest, observed=True, sort=False).agg(
                    n=("satisfied", "size"), yes=("_yes", "sum"), w=("weight", "sum")
                )
            else:
                g = frame.agg({"satisfied": "size", "_yes": "sum", "weight": "sum"})
            value = 100 * g["yes"] / g["w"] if rest else 100 * g["_yes"] / g["weight"]
            cells += len(g) if rest else 1
            del value
    return cells


def main() -> int:
    os.environ.pop(PATTERN_CACHE_ENV, None)  # time the search, not a copy kept on disk
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    table = unit_table(args.rows)
    t = time.perf_counter()
    units = unit_dataset(table)
    print(f"unit-record data set built (validated) in {time.perf_counter() - t:.2f} s")
    the_spec = spec()
    timings: dict[str, float] = {}
    for method in ("none", "simple", "heuristic", "optimal"):
        disclosure = (
            {"method": "none"}
            if method == "none"
            else {"method": "cell_suppression", "threshold": 5, "secondary_method": method}
        )
        variant = AggregationSpec.model_validate(
            {**the_spec.model_dump(by_alias=True, exclude_none=True), "disclosure": disclosure}
        )
        best = float("inf")
        result = None
        for _ in range(args.repeat):
            forget_patterns()  # the patterns found are kept in the process: time a fresh search
            t = time.perf_counter()
            result = aggregate(units, variant)
            best = min(best, time.perf_counter() - t)
        assert result is not None
        timings[method] = best
        r, d = result.report, result.dataset.disclosure
        line = (
            f"cdinterop.aggregate, disclosure {method}: {args.rows:,} unit records -> "
            f"{r.cells:,} cells ({r.groupings} groupings), best of {args.repeat}: {best:.3f} s "
            f"= {args.rows / best:,.0f} rows/s"
        )
        if d is not None and d.threshold is not None:
            line += f"; {r.primary_suppressed} primary + {r.secondary_suppressed} secondary"
            if d.mip_gap is not None:
                line += f", {d.solver_status}, lower bound {d.lower_bound}, gap {d.mip_gap:.1%}"
            if d.audit is not None:
                line += f", audit: {d.audit.exact} exact, {d.audit.inside_protection} inside"
        print(line, flush=True)
    pbest = float("inf")
    for _ in range(args.repeat):
        t = time.perf_counter()
        cells = with_pandas(table)
        pbest = min(pbest, time.perf_counter() - t)
    print(f"pandas groupby (same 16 group-bys, no suppression, no validation): {cells:,} cells")
    print(f"  best of {args.repeat}: {pbest:.3f} s = {args.rows / pbest:,.0f} rows/s")
    print(f"ratio pandas / cdinterop without disclosure control: {pbest / timings['none']:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
