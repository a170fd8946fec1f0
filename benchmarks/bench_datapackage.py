"""Benchmark: writing and validating a Data Package, cdinterop against frictionless-py.

    python benchmarks/bench_datapackage.py --rows 1000000

1. writes the same N-row data set as a Data Package with cdinterop (columnar CSV writer)
   and with frictionless (``Resource(data=...).write``), timing each;
2. plants errors in 0.1 % of the rows of cdinterop's package (an unknown code, a value of
   the wrong type, a missing required value, a duplicated primary key), then validates it
   with ``cdinterop.datapackage.check_package`` and ``frictionless.validate`` (without its
   error limit), and compares the errors found by kind;
3. prints rows/s, peak memory (each step in a fresh process) and the ratios.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))


def _dataset(rows: int) -> Any:
    import bench_observations as b

    from cdinterop.model import CitizenDataset, Observations

    return CitizenDataset(
        id="DF_BENCH",
        agency="BENCH",
        title={"en": "Benchmark"},
        licence="CC-BY-4.0",
        structure=b.structure(),
        observations=Observations.from_arrow(b.table(rows)),
    )


def _peak_mb() -> float:
    """Peak resident memory of this process (VmHWM; unlike ru_maxrss it does not inherit
    the parent's peak across fork and exec)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_cdinterop(rows: int, folder: str) -> dict[str, Any]:
    from cdinterop import datapackage

    ds = _dataset(rows)
    start = time.perf_counter()
    datapackage.write(ds, Path(folder))
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def write_frictionless(rows: int, folder: str) -> dict[str, Any]:
    from frictionless import Resource

    ds = _dataset(rows)
    table = ds.observations.table
    data = [table.column_names, *zip(*[c.to_pylist() for c in table.columns], strict=True)]
    start = time.perf_counter()
    Resource(data=data).write(str(Path(folder) / "frictionless.csv"))
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def plant_errors(folder: str, share: float) -> dict[str, int]:
    """Change cells of the observations CSV; return how many of each kind were planted."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    package = Path(folder)
    descriptor = json.loads((package / "datapackage.json").read_text())
    resource_ = next(r for r in descriptor["resources"] if r["name"] == "observations")
    path = package / resource_["path"]
    table = pacsv.read_csv(
        path, convert_options=pacsv.ConvertOptions(column_types={}, strings_can_be_null=True)
    )
    columns = {name: table.column(name).to_pylist() for name in table.column_names}
    n = table.num_rows
    rng = random.Random(7)
    picked = rng.sample(range(1, n), max(4, int(n * share)))
    planted: Counter[str] = Counter()
    for i, row in enumerate(picked):
        kind = i % 4
        if kind == 0:
            columns["SEX"][row] = "X"
            planted["unknown-code"] += 1
        elif kind == 1:
            columns["OBS_VALUE"][row] = "n/a"
            planted["wrong-type"] += 1
        elif kind == 2:
            columns["AGE"][row] = None
            planted["missing-value"] += 1
        else:
            for name in ("REF_AREA", "SEX", "AGE", "DISABILITY_STATUS", "TIME_PERIOD"):
                columns[name][row] = columns[name][row - 1]
            planted["duplicate-key"] += 1
    arrays = {
        k: pa.array([None if v is None else str(v) for v in vs], pa.string())
        for k, vs in columns.items()
    }
    pacsv.write_csv(pa.table(arrays), path)
    resource_.pop("hash", None)
    resource_.pop("bytes", None)
    (package / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    return dict(planted)


def _tiny_package() -> Path:
    """A 100-row package, validated once before timing so that lazy imports and first-call
    set-up are not timed (for both libraries alike)."""
    from cdinterop import datapackage

    folder = Path(tempfile.mkdtemp(prefix="bench-dp-warm-")) / "pkg"
    datapackage.write(_dataset(100), folder)
    return folder


def validate_cdinterop(folder: str) -> dict[str, Any]:
    from cdinterop import datapackage

    datapackage.check_package(_tiny_package())
    start = time.perf_counter()
    issues = datapackage.check_package(Path(folder))
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "errors": dict(Counter(i.code for i in issues)),
    }


def validate_frictionless(folder: str) -> dict[str, Any]:
    import frictionless

    frictionless.validate(str(_tiny_package() / "datapackage.json"))
    start = time.perf_counter()
    report = frictionless.validate(str(Path(folder) / "datapackage.json"), limit_errors=10_000_000)
    seconds = time.perf_counter() - start
    errors = Counter(e[0] for e in report.flatten(["type"]))
    return {"seconds": seconds, "peak_mb": _peak_mb(), "errors": dict(errors)}


def _run(target: Any, *args: Any) -> dict[str, Any]:
    with mp.get_context("spawn").Pool(1) as pool:
        result: dict[str, Any] = pool.apply(target, args)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--error-share", type=float, default=0.001)
    args = parser.parse_args()
    rows = args.rows
    tmp = Path(tempfile.mkdtemp(prefix="bench-dp-"))
    try:
        ours = _run(write_cdinterop, rows, str(tmp / "cdi"))
        (tmp / "fl").mkdir()
        theirs = _run(write_frictionless, rows, str(tmp / "fl"))
        print(
            f"write   cdinterop    {rows:,} rows {ours['seconds']:7.2f} s "
            f"{rows / ours['seconds']:>12,.0f} rows/s  peak {ours['peak_mb']:,.0f} MB"
        )
        print(
            f"write   frictionless {rows:,} rows {theirs['seconds']:7.2f} s "
            f"{rows / theirs['seconds']:>12,.0f} rows/s  peak {theirs['peak_mb']:,.0f} MB"
        )
        print(f"write ratio: {theirs['seconds'] / ours['seconds']:.1f}x")
        planted = plant_errors(str(tmp / "cdi"), args.error_share)
        print(f"planted errors: {planted}")
        ours_v = _run(validate_cdinterop, str(tmp / "cdi"))
        theirs_v = _run(validate_frictionless, str(tmp / "cdi"))
        for name, r in (("cdinterop", ours_v), ("frictionless", theirs_v)):
            print(
                f"validate {name:12} {r['seconds']:7.2f} s {rows / r['seconds']:>12,.0f} "
                f"rows/s  peak {r['peak_mb']:,.0f} MB  errors {r['errors']}"
            )
        print(f"validate ratio: {theirs_v['seconds'] / ours_v['seconds']:.1f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
