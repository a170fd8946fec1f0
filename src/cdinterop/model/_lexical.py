"""Lexical forms of observation values, shared by every text format (SDMX, CSV).

Whole columns are formatted by Arrow kernels: numbers in their shortest round-trip form,
booleans as ``true``/``false``, dates and date-times in ISO 8601 (UTC date-times end in
``Z``; an all-zero fraction of a second is dropped).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.model._structure import DataStructure, ValueType

__all__ = ["as_text", "free_text_ids", "scalar_text"]


def as_text(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Format a column as strings (nulls stay null)."""
    t = column.type
    if pa.types.is_dictionary(t):
        return as_text(column.cast(t.value_type))
    if pa.types.is_string(t):
        return column
    if pa.types.is_boolean(t):
        return pc.if_else(column, "true", "false")
    if pa.types.is_timestamp(t):
        text = pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
        text = pc.replace_substring_regex(text, r"\.0+$", "")
        return pc.binary_join_element_wise(text, "Z", "") if t.tz else text
    if pa.types.is_date(t):
        return pc.strftime(column, format="%Y-%m-%d")
    return column.cast(pa.string())


def free_text_ids(structure: DataStructure) -> frozenset[str]:
    """Components whose values are free text, the only ones that may need escaping or
    quoting: codes, time periods, numbers and dates are checked by the model."""
    return frozenset(
        c.id
        for c in (*structure.dimensions, *structure.attributes, *structure.measures)
        if c.codelist is None and c.value_type in (ValueType.STRING, ValueType.URI)
    )


def scalar_text(value: str | int | float | bool) -> str:
    """One value in the same lexical form as `as_text()` gives a column of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text: str = pa.array([value]).cast(pa.string())[0].as_py()
        return text
    return str(value)
