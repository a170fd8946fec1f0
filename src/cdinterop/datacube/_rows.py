"""The observations as N-Triples text, built column by column with Arrow kernels.

Each record batch becomes one Arrow string per observation holding all its triples
(``rdf:type``, ``qb:dataSet`` and one per component value), joined element-wise from the
subject, the property and the value's term: no Python object per triple. The batch's
strings are contiguous in one Arrow buffer, which is written as it is.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.datacube._iris import CubeIris
from cdinterop.datacube._plan import MISSING_MEASURE, ComponentPlan
from cdinterop.datacube._terms import escape_column
from cdinterop.datacube._vocab import QB, RDF, XSD

__all__ = ["observation_chunks"]

_STRING = pa.large_string()


def _join(*parts: str | pa.Array, null_handling: str = "emit_null") -> pa.Array:
    """``binary_join_element_wise`` of columns and constant texts, with no separator."""
    args = [pa.scalar(p, _STRING) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*args, pa.scalar("", _STRING), null_handling=null_handling)


def _lexical(column: pa.Array) -> pa.Array:
    """The lexical forms of a column's values (XSD spellings)."""
    kind = column.type
    if pa.types.is_floating(kind):
        text = column.cast(_STRING)
        for arrow, xsd in (("-inf", "-INF"), ("inf", "INF"), ("nan", "NaN")):
            text = pc.if_else(pc.equal(text, arrow), xsd, text)
        return text
    if pa.types.is_timestamp(kind):
        if kind.tz is not None:
            column = column.cast(pa.timestamp(kind.unit, tz="UTC"))
            return pc.strftime(column, format="%Y-%m-%dT%H:%M:%SZ").cast(_STRING)
        return pc.strftime(column, format="%Y-%m-%dT%H:%M:%S").cast(_STRING)
    return column.cast(_STRING)


def _encoded_codes(column: pa.Array) -> pa.Array:
    """Codes as IRI path segments: ``@`` and ``$`` (the SDMX id characters an IRI path
    segment may not hold as they are) percent-encoded, as `segment()` does."""
    text = column.cast(_STRING)
    for raw, encoded in (("%", "%25"), ("@", "%40"), ("$", "%24")):
        text = pc.replace_substring(text, raw, encoded)
    return text


def object_terms(component: ComponentPlan, column: pa.Array) -> pa.Array:
    """The N-Triples object term of each value of a column (null where it has none)."""
    if component.code_prefix is not None:  # few distinct codes: each term is made once
        codes = pc.dictionary_encode(column.cast(_STRING))
        dictionary = _join("<" + component.code_prefix, _encoded_codes(codes.dictionary), ">")
        terms = dictionary.take(codes.indices)
    elif component.datatype == XSD + "string":
        terms = _join('"', escape_column(column.cast(_STRING)), '"')
    else:
        suffix = f'"^^<{component.datatype}>'
        terms = _join('"', _lexical(column), suffix)
    if component.conditional_measure:
        terms = pc.fill_null(terms, pa.scalar(MISSING_MEASURE, _STRING))
    return terms


def _buffer(strings: pa.Array) -> memoryview:
    """The bytes of a string array's values, end to end (no copy)."""
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int64)
    data = strings.buffers()[2]
    if data is None:
        return memoryview(b"")
    start, end = offsets[strings.offset], offsets[strings.offset + len(strings)]
    return memoryview(data)[int(start) : int(end)]


def _batch_text(
    batch: pa.RecordBatch, first_row: int, iris: CubeIris, components: list[ComponentPlan]
) -> memoryview:
    rows = pa.array(np.arange(first_row, first_row + batch.num_rows, dtype=np.int64))
    subject = _join("<" + iris.observation_prefix, rows.cast(_STRING), ">")
    head = f" <{RDF}type> <{QB}Observation> .\n"
    parts = [
        _join(subject, head),
        _join(subject, f" <{QB}dataSet> <{iris.dataset}> .\n"),
    ]
    for component in components:
        index = batch.schema.get_field_index(component.id)
        if component.dataset_level or index < 0:
            continue
        terms = object_terms(component, batch.column(index))
        parts.append(_join(subject, f" <{component.property}> ", terms, " .\n"))
    joined = _join(*parts, null_handling="skip")
    return _buffer(joined)


def observation_chunks(
    table: pa.Table, iris: CubeIris, components: list[ComponentPlan], batch_rows: int
) -> Iterator[memoryview]:
    """The N-Triples text of the observations, one chunk per batch of ``batch_rows``."""
    first = 0
    for batch in table.to_batches(max_chunksize=batch_rows):
        if batch.num_rows:
            yield _batch_text(batch, first, iris, components)
        first += batch.num_rows
