"""Benchmark: rake 1,000,000 unit records to 3 margins (5 x 3 x 5 codes), every library.

The records have three characteristics (county 5 codes, sex 3, age band 5) drawn with
skewed frequencies, so the sample is far from the population; the population margins are
fixed counts that add up to the same total. Each candidate rakes the same records to the
same margins, each in its own child process (same seed, same data), which prints:

- seconds: the raking call alone (data already in the library's own input type);
- peak MiB: the growth of the process's peak resident memory during that call;
- max rel diff: the largest relative difference of its weights from a plain numpy IPF
  (to 1e-12), and max margin error: the largest relative error of the weighted margins.

    PYTHONPATH=src python benchmarks/bench_raking.py [--rows N] [--only LIB]

Libraries not installed are reported as such. ``balance`` needs older numpy and pandas than
cdinterop, so run it from a separate virtual environment with ``--only balance``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

MARGINS: dict[str, dict[str, float]] = {
    "county": {"KE-01": 300_000, "KE-02": 250_000, "KE-03": 200_000, "KE-04": 150_000,
               "KE-05": 100_000},
    "sex": {"F": 505_000, "M": 490_000, "X": 5_000},
    "age": {"Y15T24": 280_000, "Y25T34": 250_000, "Y35T44": 200_000, "Y45T64": 180_000,
            "Y_GE65": 90_000},
}  # fmt: skip
LIBRARIES = ("cdinterop", "svy", "samplics", "weightipy", "ipfn", "balance")


def codes(n: int, seed: int = 11) -> dict[str, np.ndarray]:
    """Integer codes per dimension (index into the margin's codes), skewed."""
    rng = np.random.default_rng(seed)
    out = {}
    for dim, margin in MARGINS.items():
        k = len(margin)
        p = np.geomspace(1.0, 0.15, k)
        out[dim] = rng.choice(k, size=n, p=p / p.sum()).astype(np.int64)
    return out


def numpy_ipf(idx: dict[str, np.ndarray], tol: float = 1e-12) -> np.ndarray:
    """Reference raking: plain numpy IPF on the records."""
    n = len(next(iter(idx.values())))
    w = np.ones(n)
    targets = {d: np.array(list(m.values())) for d, m in MARGINS.items()}
    for _ in range(1000):
        worst = 0.0
        for d, i in idx.items():
            sums = np.bincount(i, weights=w, minlength=len(targets[d]))
            worst = max(worst, float(np.max(np.abs(sums / targets[d] - 1))))
            w *= (targets[d] / sums)[i]
        if worst < tol:
            break
    return w


def labelled(idx: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The codes as string arrays."""
    return {d: np.array(list(MARGINS[d]))[i] for d, i in idx.items()}


def run_cdinterop(idx: dict[str, np.ndarray]) -> Callable[[], np.ndarray]:
    import pyarrow as pa

    from cdinterop.fitness import Benchmark, rake

    table = pa.table({d: pa.array(v) for d, v in labelled(idx).items()})
    bench = Benchmark(margins=MARGINS, source="bench")
    return lambda: rake(table, bench, dimensions=list(MARGINS), tolerance=1e-10).weights


def run_svy(idx: dict[str, np.ndarray]) -> Callable[[], np.ndarray]:
    import polars as pl
    import svy

    frame = pl.DataFrame({**labelled(idx), "w": np.ones(len(idx["sex"]))})
    sample = svy.Sample(frame, svy.Design(wgt="w"))

    def go() -> np.ndarray:
        out = sample.weighting.rake(controls=MARGINS, tol=1e-10, max_iter=1000)
        return out.data["rk_wgt"].to_numpy()

    return go


def run_samplics(idx: dict[str, np.ndarray]) -> Callable[[], np.ndarray]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from samplics import SampleWeight

    lab = labelled(idx)
    w0 = np.ones(len(idx["sex"]))
    return lambda: np.asarray(
        SampleWeight().rake(w0, margins=lab, control=MARGINS, tol=1e-10, max_iter=1000)
    )


def run_weightipy(idx: dict[str, np.ndarray]) -> Callable[[], np.ndarray]:
    import pandas as pd
    import weightipy

    frame = pd.DataFrame(labelled(idx))
    total = sum(MARGINS["sex"].values())
    shares = {d: {c: 100 * v / total for c, v in m.items()} for d, m in MARGINS.items()}
    scheme = weightipy.scheme_from_dict(shares, rim_params={"max_iterations": 1000})

    def go() -> np.ndarray:
        w = weightipy.weight(frame, scheme).to_numpy()
        return w * total / w.sum()

    return go


def run_ipfn(idx: dict[str, np.ndarray]) -> Callable[[], np.ndarray]:
    import pandas as pd
    from ipfn import ipfn

    frame = pd.DataFrame({**labelled(idx), "total": np.ones(len(idx["sex"]))})
    aggregates = [pd.Series(m).rename_axis(d) for d, m in MARGINS.items()]
    dims = [[d] for d in MARGINS]

    def go() -> np.ndarray:
        fit = ipfn.ipfn(frame.copy(), aggregates, dims, weight_col="total",
                        convergence_rate=1e-12, max_iteration=1000)  # fmt: skip
        return fit.iteration()["total"].to_numpy()

    return go


def run_balance(idx: dict[str, np.ndarray]) -> Callable[[], np.ndarray]:
    import itertools

    import pandas as pd
    from balance.weighting_methods.rake import rake

    frame = pd.DataFrame(labelled(idx))
    total = sum(MARGINS["sex"].values())
    cells = list(itertools.product(*[list(m) for m in MARGINS.values()]))
    target = pd.DataFrame(cells, columns=list(MARGINS))
    tw = np.prod(
        [[MARGINS[d][c] / total for d, c in zip(MARGINS, cell, strict=True)] for cell in cells], 1
    )

    def go() -> np.ndarray:
        out = rake(frame, pd.Series(np.ones(len(frame))), target, pd.Series(tw * total),
                   variables=list(MARGINS), transformations=None, max_iteration=1000,
                   convergence_rate=1e-12, rate_tolerance=0)  # fmt: skip
        return out["weight"].to_numpy()

    return go


def child(lib: str, rows: int) -> None:
    """Run one library on the data and print one result line."""
    idx = codes(rows)
    reference = numpy_ipf(idx)
    try:
        prepare: Any = globals()[f"run_{lib}"]
        go = prepare(idx)
    except ImportError as exc:
        print(f"{lib:<10} not installed here ({exc.name})")
        return
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    weights = np.asarray(go(), dtype=float)
    seconds = time.perf_counter() - start
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    diff = float(np.max(np.abs(weights / reference - 1)))
    error = 0.0
    for d, i in idx.items():
        target = np.array(list(MARGINS[d].values()))
        sums = np.bincount(i, weights=weights, minlength=len(target))
        error = max(error, float(np.max(np.abs(sums / target - 1))))
    print(
        f"{lib:<10} {seconds:8.2f} s  peak +{peak:7.0f} MiB  "
        f"max rel diff {diff:.1e}  max margin error {error:.1e}"
    )


def main() -> None:
    """Parse the arguments; run every library in a child process (or one, with --only)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--only", choices=LIBRARIES)
    args = parser.parse_args()
    if args.only:
        child(args.only, args.rows)
        return
    print(f"raking {args.rows:,} records to 3 margins (5 x 3 x 5 codes)")
    for lib in LIBRARIES:
        cmd = [sys.executable, __file__, "--rows", str(args.rows), "--only", lib]
        subprocess.run(cmd, check=False)


if __name__ == "__main__":
    main()
