"""Text to numbers, strictly: what a survey cell must look like to count as a number.

Accepted, after surrounding white space is removed: an optional sign, digits with an
optional decimal point (``23``, ``23.0``, ``.5``, ``-4``) and an optional exponent
(``1e3``). Refused as "not a number": words (``twenty``), a decimal comma (``23,5``),
thousands separators, ``nan``, ``inf``, values too large for a float (``1e400``) and
values too small for one (``1e-400``, which would silently become 0: "too small for a
number"). Blank cells are null, not failures.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.ingest._transforms.result import (
    ArrayLike,
    Transformed,
    null_where,
    reason_where,
    result,
    text,
)

__all__ = ["NOT_A_NUMBER", "to_number"]

NOT_A_NUMBER = "not a number"
"""The reason given for a cell that is not a number."""
TOO_SMALL = "too small for a number: it would become 0 (a float's smallest is about 5e-324)"
"""The reason given for a cell whose non-zero value underflows to 0."""

_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_ZERO = r"^[+-]?[0.]*([eE][+-]?[0-9]+)?$"


def parse_numbers(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Parse trimmed text (nulls for blanks) into float64; also the mask of bad cells."""
    numbers, bad, _small = _parse(values)
    return numbers, bad


def _parse(values: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array | None]:
    """float64 values, the mask of bad cells, and the mask of those that underflow to 0
    (``None`` when none does)."""
    refused = pc.invert(pc.match_substring_regex(values, _NUMBER))
    # Only the well-shaped texts are cast; when all are (the usual case) the column is
    # cast as it is, without first copying it with the others nulled.
    shaped_only = null_where(values, refused) if pc.any(refused).as_py() else values
    numbers = shaped_only.cast(pa.float64())
    bad = pc.fill_null(pc.or_kleene(refused, pc.invert(pc.is_finite(numbers))), False)
    small = _underflow(shaped_only, numbers)
    if small is not None:
        bad = pc.or_(bad, small)
    return (null_where(numbers, bad) if pc.any(bad).as_py() else numbers), bad, small


def _underflow(values: pa.Array, numbers: pa.Array) -> pa.Array | None:
    """True where a number that is not zero in the text became 0 (``1e-400``); ``None``
    when there is none."""
    zero = pc.fill_null(pc.equal(numbers, 0.0), False)
    if not pc.any(zero).as_py():
        return None
    written_zero = pc.fill_null(pc.match_substring_regex(values, _ZERO), True)
    small = pc.and_(zero, pc.invert(written_zero))
    return small if pc.any(small).as_py() else None


def to_number(column: ArrayLike) -> Transformed:
    """Parse a text column into float64; cells that are not numbers fail ("not a number",
    or "too small for a number" for a non-zero value that would become 0)."""
    numbers, bad, small = _parse(text(column))
    reasons = reason_where(bad, NOT_A_NUMBER)
    if small is not None and reasons is not None:
        reasons = pc.if_else(small, pa.scalar(TOO_SMALL), reasons)
    return result(numbers, reasons)
