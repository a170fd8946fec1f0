"""Synthetic records and benchmarks for the fitness tests, and a plain numpy IPF."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cdinterop.fitness import Benchmark

MARGINS: dict[str, dict[str, float]] = {
    "REF_AREA": {"KE-30": 4000.0, "KE-17": 2500.0, "KE-28": 2000.0, "KE-43": 1500.0},
    "SEX": {"F": 5100.0, "M": 4900.0},
    "AGE": {"Y18T29": 3000.0, "Y30T44": 3500.0, "Y45T64": 2500.0, "Y_GE65": 1000.0},
}


def records(n: int = 2000, seed: int = 3, weights: bool = False) -> pa.Table:
    """n records drawn with skewed frequencies (young Nairobi women over-represented)."""
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {}
    for dim, margin in MARGINS.items():
        codes = list(margin)
        p = np.geomspace(1.0, 0.2, len(codes))
        columns[dim] = np.array(codes)[rng.choice(len(codes), size=n, p=p / p.sum())]
    columns["satisfied"] = rng.random(n) < 0.6
    if weights:
        columns["w"] = rng.uniform(0.5, 3.0, n)
    return pa.table(columns)


def benchmark() -> Benchmark:
    """The margins above, no cross-table."""
    return Benchmark(margins=MARGINS, source="test margins")


def numpy_ipf(
    table: pa.Table,
    margins: dict[str, dict[str, float]],
    base: np.ndarray | None = None,
    sweeps: int = 10_000,
) -> np.ndarray:
    """Independent raking: IPF over the records, margin after margin, until exact."""
    w = np.ones(table.num_rows) if base is None else base.astype(float).copy()
    columns = {d: np.array(table.column(d).to_pylist()) for d in margins}
    for _ in range(sweeps):
        worst = 0.0
        for dim, margin in margins.items():
            for code, target in margin.items():
                mask = columns[dim] == code
                current = w[mask].sum()
                worst = max(worst, abs(current / target - 1))
                w[mask] *= target / current
        if worst < 1e-13:
            break
    return w
