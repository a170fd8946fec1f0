"""How far a sample is from the population it speaks for: shares, distances, R-indicator."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from cdinterop.errors import MissingExtraError
from cdinterop.fitness._benchmark import Benchmark
from cdinterop.fitness._cells import FloatArray, base_weights, cell_index, encode
from cdinterop.fitness._raking import RakingError, rake

__all__ = ["GroupShare", "Representativeness", "compare", "propensity_cv", "r_indicator"]

NOT_IN_BENCHMARK = "not in benchmark"


@dataclass(frozen=True)
class GroupShare:
    """One code of a dimension: the sample against the population."""

    code: str | None
    sample: float
    sample_share: float
    population_share: float
    ratio: float | None
    flag: str | None

    def to_dict(self) -> dict[str, Any]:
        """The group as JSON-ready data."""
        return {
            "code": self.code,
            "sample": self.sample,
            "sample_share": self.sample_share,
            "population_share": self.population_share,
            "difference": self.sample_share - self.population_share,
            "ratio": self.ratio,
            "flag": self.flag,
        }


@dataclass(frozen=True)
class Representativeness:
    """The sample against the benchmark, per dimension and jointly
    (from [`compare`][cdinterop.fitness.compare])."""

    benchmark: str
    dimensions: Mapping[str, tuple[GroupShare, ...]]
    total_variation: Mapping[str, float]
    joint: tuple[tuple[str, ...], float] | None = None
    r_indicator: float | None = None
    propensity_cv: float | None = None
    """The coefficient of variation of the response propensities implied by the raking
    weights, ``S(rho) / mean(rho)``: unlike the R-indicator it does not shrink with the
    sampling fraction, so it tells a skewed small sample from a balanced one (0: every
    group responded alike)."""
    notes: tuple[str, ...] = field(default=())

    @property
    def flagged(self) -> list[dict[str, Any]]:
        """Every group with a flag: ``{"dimension", "code", "flag"}``."""
        return [
            {"dimension": dim, "code": g.code, "flag": g.flag}
            for dim, groups in self.dimensions.items()
            for g in groups
            if g.flag is not None
        ]

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON-ready data (the shape the report renders)."""
        return {
            "benchmark": self.benchmark,
            "dimensions": {
                dim: {
                    "groups": [g.to_dict() for g in groups],
                    "total_variation": self.total_variation[dim],
                }
                for dim, groups in self.dimensions.items()
            },
            "joint": None
            if self.joint is None
            else {"dimensions": list(self.joint[0]), "total_variation": self.joint[1]},
            "r_indicator": self.r_indicator,
            "propensity_cv": self.propensity_cv,
            "flagged": self.flagged,
        }


def compare(
    records: pa.Table,
    benchmark: Benchmark,
    *,
    dimensions: Sequence[str],
    weights: str | None = None,
    under: float = 0.5,
    over: float = 2.0,
    raked: FloatArray | None = None,
    propensities: bool = True,
    counts: str | None = None,
) -> Representativeness:
    """Compare the records' distribution over ``dimensions`` with the benchmark's.

    Per dimension, every code gets the sample's count (or sum of ``weights``), its share of
    the sample, the population's share, their difference and ratio, and a flag:
    ``"missing"`` (population above 0, nobody in the sample: an invisible group), ``"under"``
    (ratio below ``under``), ``"over"`` (ratio above ``over``, or people in a group whose
    population is 0) or ``"not in benchmark"`` (a code of the records the benchmark does not
    count; records without a value are the group with code ``None``, flagged the same way).
    The total variation distance is half the sum of the absolute differences of the shares
    (0: same distribution; 1: nothing in common). When the benchmark has the cross-table of
    all ``dimensions`` (two or more), the same distance is given over its cells.

    The R-indicator is computed from raking weights (see
    [`r_indicator`][cdinterop.fitness.r_indicator]); it is ``None`` when the records cannot
    be raked to the benchmark (a missing group, a code it lacks, a missing value). ``raked``
    gives the raking weights when they are at hand (they are not computed again);
    ``propensities=False`` leaves the R-indicator and the propensity CV out (e.g. for the
    weighted sample, whose propensities the weights have already evened out).

    ``counts`` names a column of record counts: each row then stands for that many records
    alike (cells), with the row's weight each (``raked`` too is per record of each row).
    """
    if records.num_rows == 0:
        raise ValueError("there are no records to compare with the benchmark")
    frequencies = base_weights(records, counts)
    w = base_weights(records, weights) * frequencies
    groups: dict[str, tuple[GroupShare, ...]] = {}
    distances: dict[str, float] = {}
    for dim in dimensions:
        if dim not in benchmark.margins:
            raise ValueError(f"the benchmark {benchmark.source} has no margin for {dim}")
        groups[dim], distances[dim] = _dimension(
            records, dim, benchmark.margins[dim], w, (under, over)
        )
    found = (
        _propensities(records, benchmark, dimensions, (weights, counts), raked)
        if propensities
        else (None, None)
    )
    return Representativeness(
        benchmark=benchmark.source,
        dimensions=groups,
        total_variation=distances,
        joint=_joint(records, benchmark, dimensions, w),
        r_indicator=found[0],
        propensity_cv=found[1],
    )


def _dimension(
    records: pa.Table,
    dim: str,
    margin: Mapping[str, float],
    weights: FloatArray,
    bounds: tuple[float, float],
) -> tuple[tuple[GroupShare, ...], float]:
    encoded = encode(records, dim)
    sums = dict(zip(encoded.codes, encoded.sums(weights).tolist(), strict=True))
    sample: dict[str | None, float] = {code: sums.get(code, 0.0) for code in margin}
    for extra in sorted(set(sums) - set(margin)):
        sample[extra] = sums[extra]
    if encoded.missing:
        sample[None] = float(weights[encoded.index < 0].sum())
    sample_total = math.fsum(sample.values())
    population_total = math.fsum(margin.values())
    groups = []
    for code, count in sample.items():
        population = 0.0 if code is None else margin.get(code, 0.0)
        s_share = count / sample_total if sample_total > 0 else 0.0
        p_share = population / population_total if population_total > 0 else 0.0
        ratio = s_share / p_share if p_share > 0 else None
        in_benchmark = code is not None and code in margin
        flag = _flag(in_benchmark, count, population, ratio, bounds)
        groups.append(GroupShare(code, count, s_share, p_share, ratio, flag))
    distance = 0.5 * math.fsum(abs(g.sample_share - g.population_share) for g in groups)
    return tuple(groups), distance


def _flag(
    in_benchmark: bool,
    count: float,
    population: float,
    ratio: float | None,
    bounds: tuple[float, float],
) -> str | None:
    if not in_benchmark:
        return NOT_IN_BENCHMARK
    if population > 0 and count == 0:
        return "missing"
    if ratio is None:
        return "over" if count > 0 else None
    if ratio < bounds[0]:
        return "under"
    if ratio > bounds[1]:
        return "over"
    return None


def _joint(
    records: pa.Table, benchmark: Benchmark, dimensions: Sequence[str], weights: FloatArray
) -> tuple[tuple[str, ...], float] | None:
    """The total variation distance over the cells of the benchmark's cross-table."""
    joint = benchmark.joint
    if joint is None or len(dimensions) < 2 or not set(dimensions) <= set(joint.column_names):
        return None
    population: dict[tuple[str | None, ...], float] = {}
    columns = [joint.column(d).to_pylist() for d in dimensions]
    for key, count in zip(
        zip(*columns, strict=True), joint.column("count").to_pylist(), strict=True
    ):
        population[key] = population.get(key, 0.0) + float(count)
    encoded = [encode(records, d) for d in dimensions]
    cells, parts = cell_index(encoded)
    sums = np.bincount(cells, weights=weights, minlength=len(parts))
    sample: dict[tuple[str | None, ...], float] = {}
    for row, total in zip(parts, sums.tolist(), strict=True):
        key = tuple(e.codes[j] if j >= 0 else None for e, j in zip(encoded, row, strict=True))
        sample[key] = sample.get(key, 0.0) + total
    s_total, p_total = math.fsum(sample.values()), math.fsum(population.values())
    if s_total <= 0 or p_total <= 0:
        return None
    keys = set(sample) | set(population)
    distance = 0.5 * math.fsum(
        abs(sample.get(k, 0.0) / s_total - population.get(k, 0.0) / p_total) for k in keys
    )
    return tuple(dimensions), distance


def _propensities(
    records: pa.Table,
    benchmark: Benchmark,
    dimensions: Sequence[str],
    columns: tuple[str | None, str | None],
    raked: FloatArray | None,
) -> tuple[float | None, float | None]:
    """The R-indicator and the propensities' coefficient of variation, from raking weights
    (``raked``, or raked here); ``None`` when the records cannot be raked (or the
    ``fitness`` extra is missing)."""
    weights, counts = columns
    if raked is None:
        try:
            raked = rake(
                records, benchmark, dimensions=dimensions, base_weights=weights, counts=counts
            ).weights
        except (RakingError, MissingExtraError):
            return None, None
    base = base_weights(records, weights)
    frequencies = None if counts is None else base_weights(records, counts)
    return r_indicator(raked, base, frequencies), propensity_cv(raked, base, frequencies)


def propensity_cv(
    weights: FloatArray, base: FloatArray | None = None, counts: FloatArray | None = None
) -> float:
    """The coefficient of variation ``S(rho) / mean(rho)`` of the response propensities
    ``rho_i`` proportional to ``d_i / w_i`` (as in [`r_indicator`][cdinterop.fitness.r_indicator]),
    weighted by the raking weights: scale-free, 0 when every group responded alike.
    ``counts``: the records each weight stands for (1 each when ``None``)."""
    w = np.asarray(weights, dtype=np.float64)
    d = np.ones_like(w) if base is None else np.asarray(base, dtype=np.float64)
    c = np.ones_like(w) if counts is None else np.asarray(counts, dtype=np.float64)
    keep = (w > 0) & (c > 0)
    w, d, c = w[keep], d[keep], c[keep]
    cw = w if counts is None else c * w
    if w.size == 0 or cw.sum() <= 0:
        return float("nan")
    rho = d / w
    mean = float(np.sum(cw * rho) / cw.sum())
    variance = float(np.sum(cw * np.square(rho - mean)) / cw.sum())
    return math.sqrt(variance) / mean if mean > 0 else float("nan")


def r_indicator(
    weights: FloatArray, base: FloatArray | None = None, counts: FloatArray | None = None
) -> float:
    """The R-indicator ``R = 1 - 2 S(rho)`` (Schouten, Cobben and Bethlehem 2009) of the
    response propensities implied by calibration weights.

    With only population margins there is no record of the non-respondents, so the
    propensities are estimated from the weights: ``rho_i = c * d_i / w_i`` (``d`` the base
    weights, 1 without a design, ``w`` the raking weights), with ``c`` such that their
    population mean ``sum(w * rho) / N`` is ``n / N``; ``S`` is their population standard
    deviation ``sqrt(sum(w * (rho - n/N)**2) / (N - 1))``, with ``N = sum(w)``.

    Its limits: it sees only the propensity model raking fits (main effects of the
    benchmark's dimensions, nothing they do not capture); like every R-indicator estimate it
    is biased upwards in small samples (no correction applied); and records with weight 0
    are left out. 1 means the sample looks like the population on those dimensions; but
    ``S`` scales with the response rate ``n / N``, so a small sample of a large population
    has R close to 1 however skewed it is.

    ``counts``: the records each weight stands for (1 each when ``None``).
    """
    w = np.asarray(weights, dtype=np.float64)
    d = np.ones_like(w) if base is None else np.asarray(base, dtype=np.float64)
    c = np.ones_like(w) if counts is None else np.asarray(counts, dtype=np.float64)
    keep = (w > 0) & (c > 0)
    w, d, c = w[keep], d[keep], c[keep]
    cw, cd = (w, d) if counts is None else (c * w, c * d)
    n = float(c.sum())
    population = float(cw.sum())
    if w.size == 0 or population <= 1 or cd.sum() <= 0:
        return float("nan")
    rho = (n / cd.sum()) * d / w
    mean = n / population
    variance = float(np.sum(cw * np.square(rho - mean))) / (population - 1)
    return 1.0 - 2.0 * math.sqrt(variance)
