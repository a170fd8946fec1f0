"""The result every column transformation returns, and the Arrow helpers they share.

A transformation never raises for a bad cell: it returns the output column with nulls
where a row failed, a boolean ``failed`` mask and a short reason per failed row, so that
the run loop can move those rows to the rejects file (row number, column, value, reason).

Null (and blank) input cells are *not* failures: they give null output. Whether a target
column may be empty is for the spec and the run loop to decide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.mapping._internal import as_text

__all__ = ["ArrayLike", "Transformed"]

ArrayLike: TypeAlias = "pa.Array | pa.ChunkedArray"
"""A column: an Arrow array or chunked array."""


@dataclass(frozen=True)
class Transformed:
    """The output of a column transformation, with the rows that failed and why."""

    values: pa.ChunkedArray | pa.Array
    """The output column: null where the row failed or the input was empty."""
    failed: pa.Array
    """Boolean mask (no nulls), true where the row failed."""
    reasons: pa.Array | None
    """A short reason per row (null where the row is fine), or ``None`` if no row failed."""

    def __len__(self) -> int:
        return len(self.values)

    @property
    def failures(self) -> int:
        """How many rows failed."""
        return int(pc.sum(self.failed).as_py() or 0)

    @classmethod
    def ok(cls, values: ArrayLike) -> Transformed:
        """A result in which no row failed."""
        return cls(values, pa.repeat(pa.scalar(False), len(values)), None)


# --------------------------------------------------------------------------------------------
# Shared helpers (private to the transforms package)
# --------------------------------------------------------------------------------------------


def array(column: ArrayLike) -> pa.Array:
    """The column as one contiguous array."""
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return column


def text(column: ArrayLike) -> pa.Array:
    """The column as text with surrounding white space removed and blank cells null."""
    trimmed = pc.utf8_trim_whitespace(array(as_text(column)))
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def null_where(values: pa.Array, mask: pa.Array) -> pa.Array:
    """``values`` with nulls where ``mask`` is true."""
    return pc.if_else(mask, pa.scalar(None, values.type), values)


def reason_where(
    mask: pa.Array, reason: str | pa.Array | Callable[[], pa.Array]
) -> pa.Array | None:
    """``reason`` where ``mask`` is true, null elsewhere; ``None`` if the mask is all false.

    ``reason`` may be a function building the reasons, called only if some row needs one.
    """
    if not pc.any(mask).as_py():
        return None
    if callable(reason):
        reason = reason()
    if isinstance(reason, str):
        reason = pa.scalar(reason, pa.string())
    return pc.if_else(mask, reason, pa.scalar(None, pa.string()))


def quoted(values: pa.Array) -> pa.Array:
    """Each text value in single quotes (for reasons such as ``'abc' is not a number``)."""
    return pc.binary_join_element_wise("'", values, "'", "")


def joined(*parts: str | pa.Array) -> pa.Array:
    """Element-wise concatenation of text arrays and constant strings (null if any is)."""
    return pc.binary_join_element_wise(*parts, "")


def first_reason(*reasons: pa.Array | None) -> pa.Array | None:
    """Per row, the first non-null reason (``None`` if no reasons are given)."""
    given = [r for r in reasons if r is not None]
    if not given:
        return None
    return given[0] if len(given) == 1 else pc.coalesce(*given)


def result(values: pa.Array, reasons: pa.Array | None) -> Transformed:
    """A `Transformed` whose failed rows are those with a reason (values nulled)."""
    if reasons is None:
        return Transformed.ok(values)
    failed = pc.is_valid(reasons)
    if not pc.any(failed).as_py():
        return Transformed.ok(values)
    return Transformed(null_where(values, failed), failed, reasons)


SAMPLE_ROWS = 4096
"""How many leading values `mostly_distinct()` looks at."""


def mostly_distinct(values: pa.Array) -> bool:
    """Whether more than half of the first `SAMPLE_ROWS` values are distinct: then
    transforming every value costs less than dictionary-encoding the column first (ids,
    precise positions); otherwise (choices, ages, repeated points) the dictionary wins.
    Decides only the speed of a transformation, never its result."""
    sample = values.slice(0, SAMPLE_ROWS)
    return 2 * len(pc.unique(sample)) > len(sample)


def on_distinct(
    column: pa.Array, transform: Callable[[pa.Array], tuple[pa.Array, pa.Array | None]]
) -> tuple[pa.Array, pa.Array | None]:
    """Apply ``transform`` (values -> (output, reasons)) to the distinct values only.

    Survey columns repeat few values (ages, dates, choices), so transforming the
    dictionary of the column and taking the results back is much cheaper than
    transforming every row, and never slower by more than the hashing.
    """
    encoded = pc.dictionary_encode(column)
    output, reasons = transform(encoded.dictionary)
    indices = encoded.indices
    return (
        pc.take(output, indices),
        None if reasons is None else pc.take(reasons, indices),
    )
