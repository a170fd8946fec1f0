"""Numbers to bands: ages in years to SDMX age codes, or any whole-number banding.

Band semantics
    A `Band` covers the whole numbers from ``min`` to ``max``, **both inclusive**,
    like the SDMX age codes (``Y15T24`` is 15 to 24 years); ``None`` leaves a side open.
    Values are floored to whole numbers before they are banded, i.e. they count
    *completed* units: an age of ``24.9`` is 24 years, so ``Y15T24``. Bounds must
    therefore be whole numbers. Bands must not overlap and, unless ``allow_gaps``, the
    next band must start right after the previous one (``max + 1``).

Failures
    ``not a number`` for text that is not a number, and ``<label> <value> is outside every
    band`` for a number no band covers (e.g. ``age 230 is outside every band``).

`age_bands()` builds bands from SDMX age codes (using
[`cdinterop.codes.parse_age_code()`][cdinterop.codes.parse_age_code]), or from a named preset.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.codes import age_band, parse_age_code
from cdinterop.ingest._transforms.numbers import NOT_A_NUMBER, parse_numbers
from cdinterop.ingest._transforms.result import (
    ArrayLike,
    Transformed,
    first_reason,
    joined,
    on_distinct,
    reason_where,
    result,
    text,
)

__all__ = ["AGE_PRESETS", "Band", "age_bands", "check_bands", "to_bands"]


@dataclass(frozen=True, slots=True)
class Band:
    """A band of whole numbers from ``min`` to ``max`` (both inclusive; ``None`` = open)."""

    code: str
    """The code given to the values in the band, e.g. ``Y15T24``."""
    min: float | None
    """Lowest value in the band (inclusive), or ``None`` for no lower bound."""
    max: float | None
    """Highest value in the band (inclusive), or ``None`` for no upper bound."""

    def __post_init__(self) -> None:
        for side in ("min", "max"):
            bound = getattr(self, side)
            if bound is None:
                continue
            if isinstance(bound, bool) or not isinstance(bound, int | float):
                raise ValueError(f"band {self.code!r}: {side} must be a number, not {bound!r}")
            if not math.isfinite(bound) or bound != math.floor(bound):
                raise ValueError(
                    f"band {self.code!r}: {side} {bound!r} is not a whole number "
                    "(bands hold whole numbers; values are floored before banding)"
                )
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"band {self.code!r}: max {self.max:g} is below min {self.min:g}")

    def __str__(self) -> str:
        low = "…" if self.min is None else f"{self.min:g}"
        high = "…" if self.max is None else f"{self.max:g}"
        return f"{self.code} ({low} to {high})"


def check_bands(bands: Iterable[Band], *, allow_gaps: bool = False) -> tuple[Band, ...]:
    """The bands sorted by ``min``; ``ValueError`` if they overlap, have gaps or repeat a code.

    Only one band may be open below (it comes first) and one open above (it comes last).
    """
    ordered = sorted(bands, key=lambda b: -math.inf if b.min is None else b.min)
    if not ordered:
        raise ValueError("no bands given")
    codes = [band.code for band in ordered]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise ValueError(f"band codes used twice: {', '.join(repeated)}")
    for previous, band in itertools.pairwise(ordered):
        _check_neighbours(previous, band, allow_gaps=allow_gaps)
    return tuple(ordered)


def _check_neighbours(previous: Band, band: Band, *, allow_gaps: bool) -> None:
    """``ValueError`` if ``band`` overlaps the band before it or, unless gaps are allowed,
    leaves values between them in no band."""
    if previous.max is None or band.min is None:
        raise ValueError(f"bands {previous} and {band} overlap")
    if band.min <= previous.max:
        raise ValueError(f"bands {previous} and {band} overlap")
    if band.min > previous.max + 1 and not allow_gaps:
        raise ValueError(
            f"gap between bands {previous} and {band}: values "
            f"{previous.max + 1:g} to {band.min - 1:g} are in no band"
        )


def _band_index(numbers: pa.Array, bands: Sequence[Band]) -> pa.Array:
    """Per value, the index of the band covering it (null if none); bands sorted by min."""
    floored = pc.floor(numbers)
    index: pa.Array = pa.repeat(pa.scalar(-1, pa.int32()), len(numbers))
    for band in bands:
        if band.min is None:
            above = pa.repeat(pa.scalar(1, pa.int32()), len(numbers))
        else:
            above = pc.greater_equal(floored, band.min).cast(pa.int32())
        index = pc.add(index, above)
    maxima = pa.array([math.inf if b.max is None else b.max for b in bands], pa.float64())
    inside = pc.and_(
        pc.greater_equal(index, 0),
        pc.less_equal(floored, pc.take(maxima, pc.max_element_wise(index, 0))),
    )
    return pc.if_else(pc.fill_null(inside, False), index, pa.scalar(None, pa.int32()))


def to_bands(
    column: ArrayLike,
    bands: Sequence[Band],
    *,
    label: str = "value",
    allow_gaps: bool = False,
) -> Transformed:
    """Band a text (or numeric) column: each number gets the code of the band covering it.

    ``label`` names the values in reasons (``age 230 is outside every band``). The bands
    are checked with `check_bands()` first. Work is done on distinct values only.
    """
    ordered = check_bands(bands, allow_gaps=allow_gaps)
    codes = pa.array([band.code for band in ordered], pa.string())

    def band(values: pa.Array) -> tuple[pa.Array, pa.Array | None]:
        numbers, bad = parse_numbers(values)
        index = _band_index(numbers, ordered)
        outside = pc.and_(pc.is_valid(numbers), pc.is_null(index))
        reasons = first_reason(
            reason_where(bad, NOT_A_NUMBER),
            reason_where(outside, lambda: joined(f"{label} ", values, " is outside every band")),
        )
        return pc.take(codes, index), reasons

    values, reasons = on_distinct(text(column), band)
    return result(values, reasons)


AGE_PRESETS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "five-year": (*(age_band(a, a + 4) for a in range(0, 85, 5)), "Y_GE85"),
        "ten-year": ("Y_LT15", *(age_band(a, a + 9) for a in range(15, 85, 10)), "Y_GE85"),
        "labour-force": ("Y15T24", "Y25T54", "Y55T64", "Y_GE65"),
        "broad": ("Y_LT15", "Y15T64", "Y_GE65"),
        "youth": ("Y_LT15", "Y15T24", "Y_GE25"),
        "adults": ("Y_LT18", "Y_GE18"),
    }
)
"""Named sets of SDMX age codes for `age_bands()`: ``five-year`` (``Y0T4`` …
``Y80T84``, ``Y_GE85``), ``ten-year`` (``Y_LT15``, ``Y15T24`` … ``Y75T84``, ``Y_GE85``),
``labour-force`` (``Y15T24``, ``Y25T54``, ``Y55T64``, ``Y_GE65``), ``broad``
(``Y_LT15``, ``Y15T64``, ``Y_GE65``), ``youth`` and ``adults``."""


def age_bands(preset: str | Iterable[str], *, max_age: int = 120) -> tuple[Band, ...]:
    """Bands for SDMX age codes: a preset name from `AGE_PRESETS`, or the codes.

    Codes follow [`parse_age_code()`][cdinterop.codes.parse_age_code] (``Y15T24``,
    ``Y_GE65``, ``Y_LT15``, ``Y5``). Ages are never negative, so ``Y_LT15`` is 0 to 14;
    and no one is older than ``max_age``, so ``Y_GE65`` is 65 to ``max_age`` (a reported
    age of 230 is outside every band). ``_T``, ``_U`` and ``_Z`` are not bands:
    ``ValueError``. The bands are checked with `check_bands()` (gaps allowed, as in
    ``labour-force``, which starts at 15).
    """
    if isinstance(preset, str):
        if preset not in AGE_PRESETS:
            raise ValueError(
                f"unknown age band preset {preset!r} (presets: {', '.join(AGE_PRESETS)}; "
                "or give a list of SDMX age codes)"
            )
        codes: Iterable[str] = AGE_PRESETS[preset]
    else:
        codes = preset
    bands = []
    for code in codes:
        if code == "_T":
            raise ValueError("'_T' (all ages) is a total, not an age band")
        lower, upper = parse_age_code(code)
        if (lower or 0) > max_age:
            raise ValueError(f"age band {code!r} starts above max_age {max_age}")
        bands.append(Band(code, 0 if lower is None else lower, max_age if upper is None else upper))
    return check_bands(bands, allow_gaps=True)
