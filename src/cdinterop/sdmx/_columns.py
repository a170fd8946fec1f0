"""Vectorised text formatting of observation columns for the SDMX writers.

Every value is formatted by Arrow compute kernels over whole columns: numbers in their
shortest round-trip form, booleans as ``true``/``false``, dates and date-times in ISO 8601,
text escaped for XML attributes. Writers then join the formatted columns row-wise with
``binary_join_element_wise`` and write the resulting buffer as is, so no Python object is
created per observation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.errors import WriteError
from cdinterop.model._internal import as_text, free_text_ids

__all__ = [
    "as_text",
    "attribute_fragment",
    "free_text_ids",
    "join",
    "write_strings",
    "xml_escape",
]

_XML_SPECIAL = r'[&<>"\t\n\r]'
_XML_FORBIDDEN = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x{FFFE}\x{FFFF}]"
_XML_REPLACEMENTS = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\t", "&#9;"),
    ("\n", "&#10;"),
    ("\r", "&#13;"),
)


def xml_escape(column: pa.ChunkedArray | pa.Array, name: str) -> pa.ChunkedArray | pa.Array:
    """Escape a string column for use in an XML attribute value.

    Raises [`WriteError`][cdinterop.errors.WriteError] for characters XML 1.0 cannot carry.
    """
    if pc.any(pc.match_substring_regex(column, _XML_FORBIDDEN)).as_py():
        raise WriteError(f"column {name} holds control characters that XML 1.0 cannot carry")
    if not pc.any(pc.match_substring_regex(column, _XML_SPECIAL)).as_py():
        return column
    for old, new in _XML_REPLACEMENTS:
        column = pc.replace_substring(column, old, new)
    return column


def attribute_fragment(
    name: str, column: pa.ChunkedArray | pa.Array, *, escape: bool = True
) -> pa.ChunkedArray | pa.Array:
    """``' NAME="value"'`` per row, or ``''`` where the value is null.

    ``escape=False`` skips XML escaping for columns that cannot hold special characters
    (codes, time periods, numbers, dates): their values were checked by the model."""
    text = as_text(column)
    escaped = xml_escape(text, name) if escape else text
    fragment = pc.binary_join_element_wise(f' {name}="', escaped, '"', "")
    return pc.fill_null(fragment, "")


def join(*pieces: Any) -> pa.ChunkedArray | pa.Array:
    """Concatenate string columns and scalars row-wise (no separator)."""
    return pc.binary_join_element_wise(*pieces, "")


def write_strings(handle: IO[bytes], column: pa.ChunkedArray | pa.Array) -> None:
    """Write the concatenation of a non-null string column straight from its buffer."""
    chunks: Iterator[pa.Array] = (
        iter(column.chunks) if isinstance(column, pa.ChunkedArray) else iter([column])
    )
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        if chunk.null_count:
            raise ValueError("cannot write a string column with nulls")
        _, offset_buffer, data = chunk.buffers()
        offsets = pa.Array.from_buffers(
            pa.int32(), len(chunk) + 1, [None, offset_buffer], offset=chunk.offset
        )
        start, end = offsets[0].as_py(), offsets[-1].as_py()
        handle.write(memoryview(data)[start:end])
