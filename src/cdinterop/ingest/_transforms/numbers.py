"""Text to numbers, strictly: what a survey cell must look like to count as a number.

Accepted, after surrounding white space is removed: an optional sign, digits with an
optional decimal point (``23``, ``23.0``, ``.5``, ``-4``) and an optional exponent
(``1e3``). Refused as "not a number": words (``twenty``), a decimal comma (``23,5``),
thousands separators, ``nan``, ``inf`` and values too large for a float. Blank cells
are null, not failures.
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

_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def parse_numbers(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Parse trimmed text (nulls for blanks) into float64; also the mask of bad cells."""
    refused = pc.invert(pc.match_substring_regex(values, _NUMBER))
    # Only the well-shaped texts are cast; when all are (the usual case) the column is
    # cast as it is, without first copying it with the others nulled.
    shaped_only = null_where(values, refused) if pc.any(refused).as_py() else values
    numbers = shaped_only.cast(pa.float64())
    bad = pc.fill_null(pc.or_kleene(refused, pc.invert(pc.is_finite(numbers))), False)
    return (null_where(numbers, bad) if pc.any(bad).as_py() else numbers), bad


def to_number(column: ArrayLike) -> Transformed:
    """Parse a text column into float64; cells that are not numbers fail ("not a number")."""
    numbers, bad = parse_numbers(text(column))
    return result(numbers, reason_where(bad, NOT_A_NUMBER))
