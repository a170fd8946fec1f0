"""Spreadsheet formula injection: files for people are neutralised, data files are not.

A spreadsheet opening a CSV file runs a cell that begins with ``=``, ``+``, ``-`` or ``@``
(and, in some, a tab or a carriage return followed by one) as a formula, e.g.
``=HYPERLINK("http://…","…")`` or ``+cmd|' /C calc'!A0``. Following OWASP's advice (CSV
Injection), files cdinterop writes for people to open in a spreadsheet (``rejects.csv``)
put a single quote ``'`` before every text cell that begins with one of those characters,
so that the spreadsheet shows it as text. One exception: a plain number with a minus sign
(``-3``, ``-0.5``, ``-1e3``; the whole cell matches ``-(digits[.digits]|.digits)[e±digits]``)
is left as it is, since a spreadsheet reads it as that number and nothing else.

Machine formats (SDMX-CSV, the Data Package's CSV, ``dataset.json``) keep every value
exact; [`formula_text()`][cdinterop._formulas.formula_text] finds the text values in them
that begin with a formula character, for ``cdinterop validate`` and ``cdinterop convert``
to warn about (the same rule: ``=``, ``+``, ``@``, tab, CR, and ``-`` unless a number).
Everything is done with Arrow compute functions on whole columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cdinterop.errors import Issue

__all__ = [
    "FORMULA_CHARS",
    "FORMULA_CODE",
    "FormulaText",
    "describe",
    "formula_issues",
    "formula_text",
    "neutralise",
    "write_people_csv",
]

FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a cell as a formula (OWASP)."""
FORMULA_CODE = "formula-text-warning"
"""Issue code of text values that begin with a formula character (a warning)."""

_ALWAYS = r"^[=+@\t\r]"
_NUMBER = r"^-(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _risky(values: pa.Array) -> pa.Array:
    """True where a text value begins with a formula character (``-`` only when the value
    is not a plain number); false for nulls."""
    risky = pc.match_substring_regex(values, _ALWAYS)
    dashed = pc.and_(
        pc.starts_with(values, "-"), pc.invert(pc.match_substring_regex(values, _NUMBER))
    )
    return pc.fill_null(pc.or_(risky, dashed), False)


def _chunk_risky(chunk: pa.Array) -> pa.Array | None:
    """The risky-value mask of one chunk of a text (or dictionary-of-text) column, or
    ``None`` when nothing in it is risky (the common case: one cheap regex pass)."""
    if isinstance(chunk, pa.DictionaryArray):
        mask = _chunk_risky(chunk.dictionary)
        if mask is None:
            return None
        return pc.fill_null(pc.take(mask, chunk.indices), False)
    if not _may_be_risky(chunk):
        return None
    return _risky(chunk)


_FIRST_BYTES = np.frombuffer(b"=+@\t\r-", dtype=np.uint8)


def _may_be_risky(chunk: pa.Array) -> bool:
    """Whether some value of a text chunk may begin with a formula character: its first
    bytes, read from the Arrow buffers (twice as fast as the regex on every value; a null
    slot's bytes may give a false alarm, which `_risky` then clears)."""
    if len(chunk) == 0 or chunk.null_count == len(chunk):
        return False
    _validity, offsets_buffer, data_buffer = chunk.buffers()
    if data_buffer is None or data_buffer.size == 0:
        return False
    wide = pa.types.is_large_string(chunk.type)
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64 if wide else np.int32)
    offsets = offsets[chunk.offset : chunk.offset + len(chunk) + 1]
    starts = offsets[:-1]
    present = np.diff(offsets) > 0
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    first = data[np.minimum(starts[present], data.size - 1)]
    return bool(np.isin(first, _FIRST_BYTES).any())


def _text_columns(table: pa.Table) -> list[str]:
    names = []
    for field in table.schema:
        kind = field.type
        if isinstance(kind, pa.DictionaryType):
            kind = kind.value_type
        if _is_text(kind):
            names.append(field.name)
    return names


def neutralise(table: pa.Table) -> pa.Table:
    """``table`` with a ``'`` put before every text cell that begins with a formula
    character (``-`` only when the cell is not a plain number); other columns unchanged."""
    for name in _text_columns(table):
        index = table.schema.get_field_index(name)
        column = table.column(index)
        chunks = []
        changed = False
        for chunk in column.chunks:
            if isinstance(chunk, pa.DictionaryArray):
                chunk = chunk.cast(chunk.type.value_type)
            mask = _chunk_risky(chunk)
            if mask is not None:
                changed = True
                quoted = pc.binary_join_element_wise(pa.scalar("'", chunk.type), chunk, "")
                chunk = pc.if_else(mask, quoted, chunk)
            chunks.append(chunk)
        if changed:
            kind = chunks[0].type
            field = pa.field(name, kind, table.schema.field(index).nullable)
            table = table.set_column(index, field, pa.chunked_array(chunks, kind))
    return table


def write_people_csv(table: pa.Table, path: str | Path) -> None:
    """Write ``table`` as a CSV file meant to be opened in a spreadsheet (``rejects.csv``),
    its text cells neutralised by [`neutralise()`][cdinterop._formulas.neutralise]."""
    pacsv.write_csv(neutralise(table), Path(path))


@dataclass(frozen=True)
class FormulaText:
    """Text values of one column that begin with a formula character."""

    column: str
    """The column (component id)."""
    count: int
    """How many values."""
    row: int
    """0-based row of the first."""
    value: str
    """The first."""


def formula_text(table: pa.Table) -> list[FormulaText]:
    """The text columns of ``table`` with values that begin with a formula character
    (``=``, ``+``, ``@``, tab, CR, or ``-`` when not a plain number), in column order."""
    found = []
    for name in _text_columns(table):
        count = 0
        first: tuple[int, str] | None = None
        offset = 0
        for chunk in table.column(name).chunks:
            mask = _chunk_risky(chunk)
            if mask is not None:
                n = pc.sum(mask).as_py() or 0
                if n and first is None:
                    at = pc.index(mask, True).as_py()
                    first = (offset + at, str(chunk[at].as_py()))
                count += n
            offset += len(chunk)
        if count and first is not None:
            found.append(FormulaText(name, count, *first))
    return found


def formula_issues(table: pa.Table, where: str = "observations") -> list[Issue]:
    """One warning issue (code [`FORMULA_CODE`][cdinterop._formulas.FORMULA_CODE]) per text
    column of ``table`` with values that begin with a formula character, located at the
    first such value."""
    return [
        Issue(
            f"{where}[{found.row}].{found.column}",
            FORMULA_CODE,
            describe(found),
            found.value,
            row=found.row,
            component=found.column,
        )
        for found in formula_text(table)
    ]


def describe(found: FormulaText) -> str:
    """The warning for one column, in words."""
    values, them = ("value begins", "it") if found.count == 1 else ("values begin", "them")
    return (
        f"{found.count:,} text {values} with =, +, -, @, tab or CR, first at row "
        f"{found.row}: a spreadsheet may run {them} as formulas"
    )
