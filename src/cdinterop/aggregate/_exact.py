"""Exact sums of float64 values that merge in any order: integer parts per binary exponent.

Every finite float64 is ``m * 2**(e - 53)`` with ``m`` an integer of at most 53 bits and
``e`` the exponent of ``numpy.frexp``. ``m`` is split into ``hi = m >> 26`` (27 bits, signed)
and ``lo = m & (2**26 - 1)`` (26 bits), and the halves are summed as int64 per exponent: no
rounding, and no overflow before 2**36 values share a cell and an exponent. Sums of halves
add up in any order and any grouping (partials of batches, of Dask workers, roll-ups to
totals) to the same integers; only [`exact_float`][cdinterop.aggregate._exact.exact_float]
turns them into a float64, correctly rounded (Python's integer arithmetic), once per cell.

The cost: one row per (cell, exponent) instead of one float per cell (a few dozen exponents
in practice), the ``frexp`` split per value, and a Python loop over those rows at the end.

NaN and infinities are kept as counts under reserved exponents, so a cell's sum is NaN when a
value is NaN (or both infinities occur) and an infinity when one does, as float addition says.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

__all__ = [
    "HALF",
    "INF_EXPONENT",
    "NAN_EXPONENT",
    "NEG_INF_EXPONENT",
    "exact_float",
    "exact_parts",
    "split",
]

HALF = 26
"""Bits of the low half of a mantissa."""
_LOW = (1 << HALF) - 1
NAN_EXPONENT = 5000
"""Reserved exponent: ``hi`` counts NaN values."""
INF_EXPONENT = 5001
"""Reserved exponent: ``hi`` counts +inf values."""
NEG_INF_EXPONENT = 5002
"""Reserved exponent: ``hi`` counts -inf values."""
_MANTISSA = 53


def split(
    values: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each value as ``(exponent, hi, lo)`` with ``value == (hi * 2**26 + lo) * 2**(exponent
    - 53)`` exactly (NaN and infinities: a reserved exponent, ``hi`` 1, ``lo`` 0)."""
    finite = np.isfinite(values)
    every = bool(finite.all())
    mantissa, exponent = np.frexp(values if every else np.where(finite, values, 0.0))
    m = (mantissa * float(1 << _MANTISSA)).astype(np.int64)
    hi, lo = m >> HALF, m & _LOW
    if not every:
        hi = np.where(finite, hi, 1)
        lo = np.where(finite, lo, 0)
        special = np.where(
            np.isnan(values), NAN_EXPONENT, np.where(values > 0, INF_EXPONENT, NEG_INF_EXPONENT)
        )
        exponent = np.where(finite, exponent, special)
    return exponent.astype(np.int32), hi.astype(np.int64), lo.astype(np.int64)


def exact_float(exponents: Iterable[int], his: Iterable[int], los: Iterable[int]) -> float:
    """The correctly rounded float64 of the exact sum of ``(exponent, hi, lo)`` rows (as
    [`split`][cdinterop.aggregate._exact.split] makes them, summed per exponent)."""
    terms: list[tuple[int, int]] = []
    specials = {NAN_EXPONENT: 0, INF_EXPONENT: 0, NEG_INF_EXPONENT: 0}
    for e, h, lo in zip(exponents, his, los, strict=True):
        if e in specials:
            specials[e] += h
        else:
            terms.append((e, (h << HALF) + lo))
    if specials[NAN_EXPONENT] or (specials[INF_EXPONENT] and specials[NEG_INF_EXPONENT]):
        return float("nan")
    if specials[INF_EXPONENT] or specials[NEG_INF_EXPONENT]:
        return float("inf") if specials[INF_EXPONENT] else float("-inf")
    if not terms:
        return 0.0
    base = min(e for e, _ in terms)
    total = sum(m << (e - base) for e, m in terms)
    return _rounded(total, base - _MANTISSA)


def _rounded(total: int, scale: int) -> float:
    """``total * 2**scale`` correctly rounded to float64 (infinite beyond its range)."""
    if total == 0:
        return 0.0
    try:
        return float(total << scale) if scale >= 0 else total / (1 << -scale)
    except OverflowError:
        return float("inf") if total > 0 else float("-inf")


def exact_parts(value: int, scale: int) -> list[tuple[int, int, int]]:
    """``value * 2**scale`` (any integer) as ``(exponent, hi, lo)`` rows of at most 52 bits
    each (one zero row for 0), so that exact products (e.g. a sum times a raking weight)
    sum exactly too."""
    sign = -1 if value < 0 else 1
    rest = abs(value)
    rows = []
    shift = 0
    while rest:
        chunk = sign * (rest & ((1 << 52) - 1))
        if chunk:
            rows.append((scale + shift + _MANTISSA, chunk >> HALF, chunk & _LOW))
        rest >>= 52
        shift += 52
    return rows or [(0, 0, 0)]
