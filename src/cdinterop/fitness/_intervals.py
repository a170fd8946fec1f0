"""Kish's design effect, the effective sample size and confidence intervals, vectorised.

Every function takes numpy arrays (or numbers) and returns arrays of the broadcast shape.
Wilson's interval needs only a normal quantile (the standard library's); the beta and t
quantiles of Korn and Graubard's interval and of means come from ``scipy.stats`` (the
``fitness`` extra).
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from cdinterop._extras import require

__all__ = ["design_effect", "effective_sample_size", "mean_interval", "proportion_interval"]

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

_TINY = 1e-10


def _stats() -> Any:
    return require("scipy.stats", extra="fitness", purpose="computing confidence intervals")


def design_effect(weights: ArrayLike) -> Any:
    """Kish's design effect of unequal weights: ``n * sum(w**2) / sum(w)**2``.

    Along the last axis (a 1-D array gives a number; a 2-D array one per row). 1 for equal
    weights; NaN for no weights or weights that add up to 0.
    """
    w = np.asarray(weights, dtype=np.float64)
    n = w.shape[-1]
    total = w.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, n * np.square(w).sum(axis=-1) / np.square(total), np.nan)[()]


def effective_sample_size(weights: ArrayLike) -> Any:
    """Kish's effective sample size ``sum(w)**2 / sum(w**2)`` (``n / design_effect``),
    along the last axis; NaN when every weight is 0."""
    w = np.asarray(weights, dtype=np.float64)
    squares = np.square(w).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(squares > 0, np.square(w.sum(axis=-1)) / squares, np.nan)[()]


def _alpha(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"the confidence level must be between 0 and 1, not {level!r}")
    return 1.0 - level


def proportion_interval(
    p: ArrayLike,
    n_eff: ArrayLike,
    *,
    level: float = 0.95,
    method: Literal["wilson", "korn-graubard"] = "wilson",
    n: ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper confidence bounds of weighted proportions ``p`` estimated with the
    effective sample sizes ``n_eff``.

    ``"wilson"``: Wilson's score interval with ``n_eff`` in place of n. ``"korn-graubard"``:
    the Clopper-Pearson (exact binomial) interval at ``x = p * n_eff`` successes out of
    ``n_eff`` (Korn & Graubard 1998); with ``n`` (the number of records, which gives
    ``n - 1`` degrees of freedom) the effective sample size is first multiplied by
    ``(z / t_{n-1})**2``, Korn and Graubard's degrees-of-freedom correction, which widens the
    interval for small samples.

    Edge cases: at ``p = 0`` the lower bound is 0 and at ``p = 1`` the upper bound is 1
    (both methods); where ``n_eff < 1`` (including 0 and NaN) there is no interval and
    both bounds are NaN. A ``p`` outside [0, 1] is a ``ValueError``.
    """
    alpha = _alpha(level)
    prop = np.asarray(p, dtype=np.float64)
    size = np.asarray(n_eff, dtype=np.float64)
    if np.any((prop < 0) | (prop > 1)):
        raise ValueError("a proportion must lie between 0 and 1")
    valid = size >= 1
    size = np.where(valid, size, 1.0)
    if method == "wilson":  # a normal quantile: the standard library's, no extra needed
        lower, upper = _wilson(prop, size, NormalDist().inv_cdf(1 - alpha / 2))
    elif method == "korn-graubard":
        stats = _stats()
        if n is not None:
            size = size * _df_factor(stats, np.asarray(n, dtype=np.float64), alpha)
        lower, upper = _clopper_pearson(stats, prop, size, alpha)
    else:
        raise ValueError(f"unknown interval method {method!r}: 'wilson' or 'korn-graubard'")
    lower = np.where(valid, lower, np.nan)
    upper = np.where(valid, upper, np.nan)
    return lower, upper


def _wilson(p: FloatArray, n: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    lower = np.where(p == 0, 0.0, centre - half)
    upper = np.where(p == 1, 1.0, centre + half)
    return lower, upper


def _df_factor(stats: Any, n: FloatArray, alpha: float) -> FloatArray:
    """Korn and Graubard's ``(z / t_{n-1})**2``, at most 1 (1 where n - 1 < 1)."""
    df = np.where(n > 1, n - 1, np.nan)
    ratio = np.square(stats.norm.ppf(1 - alpha / 2) / stats.t.ppf(1 - alpha / 2, df))
    return np.where(np.isfinite(ratio), np.minimum(ratio, 1.0), 1.0)


def _clopper_pearson(
    stats: Any, p: FloatArray, n: FloatArray, alpha: float
) -> tuple[FloatArray, FloatArray]:
    x = p * n
    # Below _TINY successes (or failures) the bound is 0 (or 1) to double precision, and
    # scipy's beta quantile would overflow on such a shape parameter.
    low_edge, high_edge = x < _TINY, n - x < _TINY
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = stats.beta.ppf(alpha / 2, np.where(low_edge, 1.0, x), n - x + 1)
        upper = stats.beta.ppf(1 - alpha / 2, x + 1, np.where(high_edge, 1.0, n - x))
    lower = np.where(low_edge, 0.0, lower)
    upper = np.where(high_edge, 1.0, upper)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def mean_interval(
    mean: ArrayLike, sd: ArrayLike, n_eff: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper confidence bounds of weighted means: ``mean ± t * sd / sqrt(n_eff)``
    with Student's t at ``n_eff - 1`` degrees of freedom (not rounded).

    ``sd`` is the (weighted) standard deviation of the values. Where ``n_eff <= 1`` (no
    degree of freedom left; also NaN) both bounds are NaN; a negative ``sd`` is a
    ``ValueError``.
    """
    alpha = _alpha(level)
    centre = np.asarray(mean, dtype=np.float64)
    spread = np.asarray(sd, dtype=np.float64)
    size = np.asarray(n_eff, dtype=np.float64)
    if np.any(spread < 0):
        raise ValueError("a standard deviation cannot be negative")
    valid = size > 1
    size = np.where(valid, size, 2.0)
    half = _stats().t.ppf(1 - alpha / 2, size - 1) * spread / np.sqrt(size)
    lower = np.where(valid, centre - half, np.nan)
    upper = np.where(valid, centre + half, np.nan)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
