"""Raking (iterative proportional fitting) of unit records to a benchmark's margins, with svy.

The records are first grouped into cells (one per combination of their codes); raking
multiplies every record of a cell by the same factor, so raking the cells' weight sums
gives the records' weights exactly, and ``svy`` works on at most a few thousand rows
whatever the number of records. Trimming works on the records' own weights (see
[`rake`][cdinterop.fitness.rake]).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from cdinterop._extras import require
from cdinterop.fitness._benchmark import Benchmark
from cdinterop.fitness._cells import Encoded, FloatArray, IntArray, cell_index, encode
from cdinterop.fitness._cells import base_weights as start_weights
from cdinterop.fitness._intervals import design_effect, effective_sample_size

__all__ = ["RakingError", "RakingResult", "rake"]

MAX_TRIM_ROUNDS = 50
"""The most trim-and-rake rounds [`rake`][cdinterop.fitness.rake] runs with ``trim``."""

_TRIM_SLACK = 1e-6
"""A weight counts as over the cap only beyond ``cap * (1 + _TRIM_SLACK)``."""


class RakingError(ValueError):
    """The records cannot be raked to the benchmark (a group without records, a code the
    benchmark lacks, a missing value, margins with different totals)."""


@dataclass(frozen=True)
class RakingResult:
    """Calibration weights from [`rake`][cdinterop.fitness.rake].

    ``weights`` is aligned with the records and adds up to the population total;
    ``iterations`` counts the raking passes (1, plus one per trimming round), ``converged``
    says the weighted margins meet the benchmark within the tolerance (and, with ``trim``,
    that no weight is above the cap), ``trimmed`` how many records were capped at least once.
    """

    weights: FloatArray
    margins: tuple[str, ...]
    iterations: int
    converged: bool
    trim: float | None
    trimmed: int
    library: str
    counts: FloatArray | None = None
    """With ``counts`` (see [`rake`][cdinterop.fitness.rake]): the records each weight
    stands for; the statistics below count every record."""

    @property
    def _frequencies(self) -> FloatArray:
        return np.ones_like(self.weights) if self.counts is None else self.counts

    @property
    def design_effect(self) -> float:
        """Kish's design effect of the weights."""
        if self.counts is None:
            return float(design_effect(self.weights))
        w, c = self.weights, self.counts
        total = float(np.sum(c * w))
        return float(c.sum() * np.sum(c * w * w) / total**2) if total > 0 else math.nan

    @property
    def effective_sample_size(self) -> float:
        """Kish's effective sample size of the weights."""
        if self.counts is None:
            return float(effective_sample_size(self.weights))
        w, c = self.weights, self.counts
        squares = float(np.sum(c * w * w))
        return float(np.sum(c * w)) ** 2 / squares if squares > 0 else math.nan

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (without the weights themselves)."""
        w, c = self.weights, self._frequencies
        w = w[c > 0]
        if self.counts is None:
            mean = float(self.weights.mean()) if self.weights.size else math.nan
        else:
            mean = float(np.sum(c * self.weights) / c.sum()) if c.sum() > 0 else math.nan
        return {
            "method": "raking",
            "library": self.library,
            "margins": list(self.margins),
            "iterations": self.iterations,
            "converged": self.converged,
            "trim": self.trim,
            "trimmed": self.trimmed,
            "design_effect": _number(self.design_effect),
            "effective_sample_size": _number(self.effective_sample_size),
            "weights": {
                "min": _number(float(w.min())) if w.size else None,
                "max": _number(float(w.max())) if w.size else None,
                "mean": _number(mean) if w.size else None,
            },
        }


def _number(value: float) -> float | None:
    return value if math.isfinite(value) else None


def rake(
    records: pa.Table,
    benchmark: Benchmark,
    *,
    dimensions: Sequence[str],
    trim: float | None = None,
    max_iterations: int = 100,
    tolerance: float = 1e-9,
    base_weights: str | None = None,
    counts: str | None = None,
) -> RakingResult:
    """Rake the records to the benchmark's margins of ``dimensions``.

    Starting from the ``base_weights`` column (design weights; 1 for every record when
    ``None``), iterative proportional fitting (``svy``'s raking, at most ``max_iterations``
    sweeps) adjusts the weights until every weighted margin is within ``tolerance``
    (relative) of the benchmark's count; the weights then add up to the population total.

    ``trim`` caps the weights: after raking, every weight above ``trim`` times the mean
    weight is set to that cap and the records are raked again; this repeats until no
    weight is above the cap (within a relative 1e-6) or after ``MAX_TRIM_ROUNDS`` rounds.
    The last step is always a rake, so the margins hold; when the cap cannot be met with
    them, ``converged`` is false and some weights stay above it.

    Raises [`RakingError`][cdinterop.fitness.RakingError] for a group with population
    above 0 and no records (no weight can make it up: collapse it with a neighbour, or
    leave the dimension out), a code of the records that the benchmark does not count,
    a record without a value in a dimension, and margins with different totals; and
    ``ValueError`` for an unknown column or a negative base weight.

    ``counts`` names a column of record counts: each row then stands for that many records
    (cells of records alike in ``dimensions``), every one with the row's weight; the weights
    returned are per record of each row, and trimming and the statistics count records.
    """
    if not dimensions:
        raise ValueError("raking needs at least one dimension")
    if trim is not None and trim <= 1:
        raise ValueError(f"trim is a multiple of the mean weight and must exceed 1, not {trim!r}")
    encoded = [encode(records, d) for d in dimensions]
    targets = [_targets(benchmark, d, e) for d, e in zip(dimensions, encoded, strict=True)]
    _check_totals(dimensions, targets)
    cells, parts = cell_index(encoded)
    svy = require("svy", extra="fitness", purpose="raking (calibration weights)")
    frequencies = None if counts is None else start_weights(records, counts)
    raker = _CellRaker(svy, encoded, parts, cells, targets, tolerance, max_iterations, frequencies)
    weights = raker.rake(start_weights(records, base_weights))
    passes, trimmed = 1, np.zeros(len(weights), dtype=bool)
    if trim is not None:
        for _ in range(MAX_TRIM_ROUNDS):
            cap = trim * raker.mean(weights)
            over = weights > cap * (1 + _TRIM_SLACK)
            if not over.any():
                break
            trimmed |= over
            weights = raker.rake(np.minimum(weights, cap))
            passes += 1
    converged = raker.fits(weights)
    if trim is not None:
        converged = converged and not bool(
            np.any(weights > trim * raker.mean(weights) * (1 + _TRIM_SLACK))
        )
    return RakingResult(
        weights=weights,
        margins=tuple(dimensions),
        iterations=passes,
        converged=converged,
        trim=trim,
        trimmed=int(raker.frequencies[trimmed].sum()),
        library=f"svy {svy.__version__}",
        counts=frequencies,
    )


def _targets(benchmark: Benchmark, dim: str, encoded: Encoded) -> FloatArray:
    """The benchmark's count for each code of the records, checked both ways."""
    if dim not in benchmark.margins:
        raise RakingError(f"the benchmark {benchmark.source} has no margin for {dim}")
    margin = benchmark.margins[dim]
    if encoded.missing:
        raise RakingError(f"{encoded.missing} records have no {dim}: they cannot be raked")
    unknown = [c for c in encoded.codes if c not in margin]
    if unknown:
        raise RakingError(
            f"{dim}={unknown[0]} is in the records but not in the benchmark {benchmark.source}"
            + (f" (and {len(unknown) - 1} more codes)" if len(unknown) > 1 else "")
        )
    present = set(encoded.codes)
    empty = [c for c, count in margin.items() if count > 0 and c not in present]
    if empty:
        raise RakingError(
            f"no record has {dim}={empty[0]} (population {margin[empty[0]]:g}): no weight "
            "can stand for it; collapse it with a neighbouring group or leave out the dimension"
        )
    return np.array([float(margin[c]) for c in encoded.codes])


def _check_totals(dimensions: Sequence[str], targets: Sequence[FloatArray]) -> None:
    totals = [math.fsum(t) for t in targets]
    for dim, total in zip(dimensions, totals, strict=True):
        if abs(total - totals[0]) > 1e-6 * max(totals[0], 1.0):
            raise RakingError(
                f"the {dim} margin adds up to {total:g} and the {dimensions[0]} margin to "
                f"{totals[0]:g}: raking needs margins of one population"
            )


@dataclass(frozen=True)
class _CellRaker:
    """Rakes record weights through their cells' sums with svy."""

    svy: Any
    encoded: Sequence[Encoded]
    parts: IntArray
    cells: IntArray
    targets: Sequence[FloatArray]
    tolerance: float
    max_iterations: int
    counts: FloatArray | None = None
    """The records each row stands for (1 each when ``None``)."""

    @property
    def frequencies(self) -> FloatArray:
        """The records each row stands for."""
        return np.ones(len(self.cells)) if self.counts is None else self.counts

    def _totals(self, weights: FloatArray) -> FloatArray:
        """The weights of every record of each row."""
        return weights if self.counts is None else weights * self.counts

    def mean(self, weights: FloatArray) -> float:
        """The mean weight of the records."""
        if self.counts is None:
            return float(weights.mean())
        return float(np.sum(weights * self.counts) / self.counts.sum())

    def rake(self, weights: FloatArray) -> FloatArray:
        """The weights raked once (svy's IPF), record by record through their cells."""
        sums = np.bincount(self.cells, weights=self._totals(weights), minlength=len(self.parts))
        polars = require("polars", extra="fitness", purpose="raking (calibration weights)")
        columns: dict[str, Any] = {
            f"d{i}": [e.codes[j] for j in self.parts[:, i]] for i, e in enumerate(self.encoded)
        }
        frame = polars.DataFrame({**columns, "w": sums})
        controls = {
            f"d{i}": dict(zip(e.codes, t.tolist(), strict=True))
            for i, (e, t) in enumerate(zip(self.encoded, self.targets, strict=True))
        }
        sample = self.svy.Sample(frame, self.svy.Design(wgt="w"))
        raked = sample.weighting.rake(
            controls=controls,
            tol=self.tolerance,
            max_iter=self.max_iterations,
            on_nonconvergence="ignore",
        )
        new = np.asarray(raked.data["rk_wgt"].to_numpy(), dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(sums > 0, new / sums, 0.0)
        result: FloatArray = weights * factor[self.cells]
        return result

    def fits(self, weights: FloatArray) -> bool:
        """Every weighted margin within the tolerance of its target."""
        for e, target in zip(self.encoded, self.targets, strict=True):
            got = e.sums(self._totals(weights))
            if np.any(np.abs(got - target) > self.tolerance * np.maximum(target, 1e-12)):
                return False
        return True
