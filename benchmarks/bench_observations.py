"""Benchmark: bulk validation of observation tables against a structure.

Builds a realistic SDG-style table (REF_AREA x SEX x AGE x DISABILITY x TIME_PERIOD, a
measure, an observation attribute and a series attribute) with N rows, then times
``Observations.conform`` (cast + every check) and reports rows per second. A second run
plants errors in 1 % of rows to show the cost of reporting them.

For comparison in the same run, ``frictionless.validate`` checks the same rows written as
CSV against an equivalent Table Schema (enum constraints, primary key), on a sample,
because it is roughly two orders of magnitude slower.

    python benchmarks/bench_observations.py --rows 1000000
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from cdinterop.model import (
    AttachmentLevel,
    Attribute,
    Code,
    Codelist,
    Concept,
    DataStructure,
    Dimension,
    Observations,
    TimeDimension,
)

AREAS = [
    f"GH-{c}"
    for c in (
        "AA",
        "AF",
        "AH",
        "BA",
        "BE",
        "BO",
        "CP",
        "EP",
        "NE",
        "NP",
        "OT",
        "SV",
        "TV",
        "UE",
        "UW",
        "WN",
    )
]
SEXES = ["F", "M", "_T"]
AGES = ["Y15T24", "Y25T34", "Y35T44", "Y45T54", "Y55T64", "Y_GE65", "_T"]
DISABILITY = ["PD", "PWD", "_T"]
STATUS = ["A", "E", "P"]


def _cl(cl_id: str, codes: list[str]) -> Codelist:
    return Codelist(id=cl_id, name={"en": cl_id}, codes=[Code(id=c, name={"en": c}) for c in codes])


def structure() -> DataStructure:
    ids = [
        "REF_AREA",
        "SEX",
        "AGE",
        "DISABILITY_STATUS",
        "TIME_PERIOD",
        "OBS_VALUE",
        "OBS_STATUS",
        "UNIT_MEASURE",
    ]
    return DataStructure(
        id="DSD_BENCH",
        agency="BENCH",
        name={"en": "Benchmark"},
        concepts=[Concept(id=i, name={"en": i}) for i in ids],
        codelists=[
            _cl("CL_AREA", AREAS),
            _cl("CL_SEX", SEXES),
            _cl("CL_AGE", AGES),
            _cl("CL_DIS", DISABILITY),
            _cl("CL_STATUS", STATUS),
        ],
        dimensions=[
            Dimension(id="REF_AREA", codelist="CL_AREA"),
            Dimension(id="SEX", codelist="CL_SEX"),
            Dimension(id="AGE", codelist="CL_AGE"),
            Dimension(id="DISABILITY_STATUS", codelist="CL_DIS"),
        ],
        time_dimension=TimeDimension(),
        attributes=[
            Attribute(id="OBS_STATUS", codelist="CL_STATUS"),
            Attribute(id="UNIT_MEASURE", attachment=AttachmentLevel.SERIES),
        ],
    )


def table(rows: int, error_share: float = 0.0) -> pa.Table:
    keys = list(itertools.product(AREAS, SEXES, AGES, DISABILITY))
    periods_needed = -(-rows // len(keys))
    periods = [f"{1900 + y // 12}-{y % 12 + 1:02d}" for y in range(periods_needed)]
    area, sex, age, dis, period = [], [], [], [], []
    for p in periods:
        for k in keys:
            area.append(k[0])
            sex.append(k[1])
            age.append(k[2])
            dis.append(k[3])
            period.append(p)
    n = rows
    import random

    rng = random.Random(42)
    values = [rng.random() * 100 for _ in range(n)]
    status = [STATUS[i % 3] for i in range(n)]
    t = pa.table(
        {
            "REF_AREA": area[:n],
            "SEX": sex[:n],
            "AGE": age[:n],
            "DISABILITY_STATUS": dis[:n],
            "TIME_PERIOD": period[:n],
            "OBS_VALUE": values,
            "OBS_STATUS": status,
            "UNIT_MEASURE": ["PT"] * n,
        }
    )
    if error_share:
        bad = set(rng.sample(range(n), int(n * error_share)))
        sexes = t.column("SEX").to_pylist()
        for i in bad:
            sexes[i] = "X"
        t = t.set_column(1, "SEX", pa.array(sexes))
    return t


def time_conform(data: pa.Table, s: DataStructure) -> tuple[float, int]:
    start = time.perf_counter()
    _, issues = Observations.from_arrow(data).conform(s)
    return time.perf_counter() - start, len(issues)


def time_frictionless(data: pa.Table, sample: int) -> float | None:
    try:
        from frictionless import Resource, Schema, fields
    except ImportError:
        return None
    sub = data.slice(0, sample)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "obs.csv"
        pacsv.write_csv(sub, path)
        schema = Schema(
            fields=[
                fields.StringField(name="REF_AREA", constraints={"enum": AREAS}),
                fields.StringField(name="SEX", constraints={"enum": SEXES}),
                fields.StringField(name="AGE", constraints={"enum": AGES}),
                fields.StringField(name="DISABILITY_STATUS", constraints={"enum": DISABILITY}),
                fields.StringField(name="TIME_PERIOD"),
                fields.NumberField(name="OBS_VALUE"),
                fields.StringField(name="OBS_STATUS", constraints={"enum": STATUS}),
                fields.StringField(name="UNIT_MEASURE"),
            ],
            primary_key=["REF_AREA", "SEX", "AGE", "DISABILITY_STATUS", "TIME_PERIOD"],
        )
        resource = Resource(path=path.name, basepath=tmp, schema=schema)
        start = time.perf_counter()
        report = resource.validate()
        elapsed = time.perf_counter() - start
        assert report.valid, report.flatten(["type", "note"])[:3]
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--frictionless-sample", type=int, default=50_000)
    args = parser.parse_args()
    s = structure()
    clean = table(args.rows)
    seconds, n_issues = time_conform(clean, s)
    assert n_issues == 0
    rate = args.rows / seconds
    print(f"cdinterop conform, {args.rows:,} valid rows: {seconds:.2f} s ({rate:,.0f} rows/s)")
    dirty = table(args.rows, error_share=0.01)
    seconds_dirty, n_bad = time_conform(dirty, s)
    print(f"cdinterop conform, 1% bad rows: {seconds_dirty:.2f} s, {n_bad:,} issues reported")
    fl = time_frictionless(clean, args.frictionless_sample)
    if fl is not None:
        fl_rate = args.frictionless_sample / fl
        print(
            f"frictionless validate, {args.frictionless_sample:,} rows: {fl:.2f} s "
            f"({fl_rate:,.0f} rows/s)"
        )
        print(f"ratio cdinterop / frictionless (rows/s): {rate / fl_rate:,.0f}x")


if __name__ == "__main__":
    main()
