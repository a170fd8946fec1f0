"""Any frame Arrow can read, as one ``pyarrow.Table`` with plain column types."""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from cdinterop.frames._errors import FrameError

_PANDAS_INDEX = re.compile(r"^__index_level_[0-9]+__$")
"""Columns ``pa.table()`` adds for a pandas index that is not a plain range."""


def to_table(frame: Any) -> pa.Table:
    """The frame as an Arrow table: a pyarrow ``Table`` or ``RecordBatch`` as it is, anything
    else through ``pa.table()`` (pandas DataFrames, and every object with the Arrow PyCapsule
    stream interface ``__arrow_c_stream__``: polars, DuckDB, a ``RecordBatchReader`` ...).

    The pandas index columns and the schema metadata are dropped, dictionary columns decoded
    and large or view strings cast to plain strings."""
    if isinstance(frame, pa.RecordBatch):
        table = pa.Table.from_batches([frame])
    elif isinstance(frame, pa.Table):
        table = frame
    else:
        try:
            table = pa.table(frame)
        except (TypeError, ValueError, pa.ArrowException) as exc:
            raise FrameError(
                f"cannot read a {type(frame).__name__} as a table: give a pyarrow Table or "
                "RecordBatch, a pandas or polars DataFrame, or any object with the Arrow "
                f"PyCapsule stream interface (__arrow_c_stream__) ({exc})"
            ) from None
    names = [n for n in table.column_names if not _PANDAS_INDEX.match(n)]
    table = table.select(names).replace_schema_metadata(None)
    for i, field in enumerate(table.schema):
        plain = _plain_type(field.type)
        if plain != field.type:
            table = table.set_column(i, field.name, _cast(table.column(i), plain))
    return table


def _cast(column: pa.ChunkedArray, plain: pa.DataType) -> pa.ChunkedArray:
    """``column`` cast to ``plain``; a dictionary's values are cast first (Arrow cannot
    decode a dictionary of view strings)."""
    if pa.types.is_dictionary(column.type):
        chunks = [
            pa.DictionaryArray.from_arrays(c.indices, c.dictionary.cast(plain)).cast(plain)
            for c in column.chunks
        ]
        return pa.chunked_array(chunks, type=plain)
    return column.cast(plain)


def _plain_type(kind: pa.DataType) -> pa.DataType:
    if pa.types.is_dictionary(kind):
        return _plain_type(kind.value_type)
    if pa.types.is_large_string(kind) or kind == pa.string_view():
        return pa.string()
    return kind
