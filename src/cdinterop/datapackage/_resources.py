"""CSV resources: observations and codelists written with Arrow, tables read back as text.

Writing
    Values are formatted by Arrow compute kernels over whole columns (shortest round-trip
    numbers, ``true``/``false``, ISO 8601 dates, date-times in UTC with ``Z``) and written
    batch by batch by Arrow's CSV writer, UTF-8 without BOM, ``\\n`` line ends. A null is
    an empty field; an empty string (only free text can hold one) is written quoted,
    ``""``. A batch is quoted (RFC 4180) only when some free-text value in it needs it.

Reading
    Arrow's CSV reader parses every column as text (Table Schema typing is the model's
    job: `conform()` casts and checks in bulk). The
    declared ``encoding`` is honoured (UTF-8 with or without BOM by default; any encoding
    Python knows, e.g. ``latin-1`` or ``windows-1252``); a byte sequence that is not valid
    in it is a [`ReadError`][cdinterop.errors.ReadError] naming the line (or the codec's
    complaint, for codecs that fail without a position: ``utf-16`` without a BOM,
    ``punycode``). Missing values follow
    the Table Schema (``missingValues``, per field or per schema, default ``[""]``).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cdinterop.datapackage._storage import BinarySink
from cdinterop.errors import ReadError
from cdinterop.model import (
    AttachmentLevel,
    CitizenDataset,
    Codelist,
    DataStructure,
    text_in,
)
from cdinterop.model._internal import as_text, free_text_ids

__all__ = [
    "BATCH_ROWS",
    "CsvLayout",
    "codelist_columns",
    "codelist_rows",
    "csv_columns",
    "observation_rows",
    "read_csv_text",
    "table_from_inline",
    "value_text",
    "write_codelist",
    "write_observations",
]

BATCH_ROWS = 65_536
"""Rows per batch when writing CSV."""

_NEEDS_QUOTES = r'^$|[,"\r\n]'
_DECODE_BLOCK = 1 << 20


def csv_columns(structure: DataStructure) -> tuple[str, ...]:
    """Columns of ``observations.csv``: key, measures, then every attribute in structure
    order (data-set-level attributes as constant columns)."""
    return (
        structure.key_ids
        + tuple(m.id for m in structure.measures)
        + tuple(a.id for a in structure.attributes)
    )


def value_text(value: str | int | float | bool) -> str:
    """A single value as it appears in the CSV (same formatting as the columns)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text: str = pa.array([value], pa.float64()).cast(pa.string())[0].as_py()
        return text
    return str(value)


def _text_batches(ds: CitizenDataset, batch_rows: int) -> Any:
    """Yield (batch of text columns, whether it needs quoting)."""
    s = ds.structure
    names = csv_columns(s)
    dataset_level = {a.id for a in s.attributes if a.attachment is AttachmentLevel.DATASET}
    free = free_text_ids(s)
    schema = pa.schema([(n, pa.string()) for n in names])
    table = ds.observations.table
    for batch in table.to_batches(max_chunksize=batch_rows):
        n = batch.num_rows
        arrays = []
        for name in names:
            if name in dataset_level:
                value = ds.attribute_values.get(name)
                text = None if value is None else value_text(value)
                arrays.append(pa.array([text] * n, pa.string()))
            else:
                arrays.append(as_text(batch.column(name)))
        out = pa.RecordBatch.from_arrays(arrays, schema=schema)
        special = any(
            pc.any(pc.match_substring_regex(out.column(c), _NEEDS_QUOTES)).as_py()
            for c in names
            if c in free
        )
        yield out, special


def write_observations(
    ds: CitizenDataset, sink: BinarySink, *, batch_rows: int = BATCH_ROWS
) -> None:
    """Write the observation table as CSV (header, then batches of rows)."""
    names = csv_columns(ds.structure)
    sink.write((",".join(names) + "\n").encode())
    plain = pacsv.WriteOptions(include_header=False, quoting_style="none")
    quoted = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    for batch, special in _text_batches(ds, batch_rows):
        pacsv.write_csv(batch, sink, write_options=quoted if special else plain)


def observation_rows(ds: CitizenDataset) -> list[list[str | None]]:
    """The CSV as inline rows (header first), for resources with ``data``: text as in
    the CSV, a null as JSON ``null``."""
    rows: list[list[str | None]] = [list(csv_columns(ds.structure))]
    for batch, _ in _text_batches(ds, BATCH_ROWS):
        columns = [c.to_pylist() for c in batch.columns]
        rows.extend([list(r) for r in zip(*columns, strict=True)])
    return rows


def codelist_columns(codelist: Codelist) -> list[str]:
    """Columns of a codelist resource: ``code``, ``name`` and ``parent`` if hierarchical."""
    columns = ["code", "name"]
    if any(c.parent is not None for c in codelist.codes):
        columns.append("parent")
    return columns


def codelist_rows(codelist: Codelist, language: str) -> list[list[str]]:
    """Header and one row per code (name in ``language``; parent empty at the top)."""
    columns = codelist_columns(codelist)
    rows = [columns]
    for code in codelist.codes:
        row = [code.id, text_in(code.name, language) or code.id]
        if "parent" in columns:
            row.append(code.parent or "")
        rows.append(row)
    return rows


def write_codelist(codelist: Codelist, language: str, sink: BinarySink) -> None:
    """Write a codelist resource as CSV."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerows(codelist_rows(codelist, language))
    sink.write(text.getvalue().encode("utf-8"))


# -- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvLayout:
    """How a CSV file is laid out (the subset of the Table Dialect cdinterop reads)."""

    delimiter: str = ","
    """Field separator."""
    quote_char: str | None = '"'
    """Quote character; ``None`` when fields are never quoted."""
    double_quote: bool = True
    """Whether a doubled quote inside a quoted field stands for one quote."""
    escape_char: str | None = None
    """Escape character, if any."""
    header: bool = True
    """Whether the first row holds the column names."""
    skip_rows: int = 0
    """Rows to skip before the header."""
    skip_initial_space: bool = False
    """Whether spaces after a delimiter are ignored."""


def _arrow_encoding(encoding: str, label: str, where: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ReadError(label, f"{where}: unknown encoding {encoding!r}") from None
    try:
        "".encode(name).decode(name)  # base64, rot13, zlib...: codecs, not text encodings
    except LookupError:
        raise ReadError(
            label, f"{where}: encoding {encoding!r} is a codec, not a text encoding"
        ) from None
    return "utf8" if name in ("utf-8", "utf-8-sig") else name


def _python_encoding(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return "utf-8-sig" if name == "utf-8" else name


_DECLARE = "declare the file's real encoding in the resource's 'encoding'"


def _decode_problem(opener: Callable[[], IO[bytes]], encoding: str) -> str | None:
    """Find the line of the first byte sequence that ``encoding`` cannot decode, reading
    the file block by block (a huge file is never held whole). A codec that fails
    without saying where (``utf-16`` without a BOM, ``punycode``, ``idna``) is named with
    its complaint."""
    try:
        decoder = codecs.getincrementaldecoder(_python_encoding(encoding))()
    except LookupError:
        return f"unknown encoding {encoding!r}"
    newlines = 0
    with opener() as handle:
        while True:
            block = handle.read(_DECODE_BLOCK)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                data = bytes(exc.object)
                held = len(data) - len(block)  # bytes kept from the block before
                line = newlines + data.count(b"\n", max(held, 0), max(exc.start, held)) + 1
                return (
                    f"line {line}: byte {data[exc.start : exc.start + 1]!r} is not valid "
                    f"{encoding} text ({_DECLARE})"
                )
            except (UnicodeError, ValueError, LookupError) as exc:
                return _undecodable(encoding, exc)
            if not block:
                return None
            newlines += block.count(b"\n")


def _undecodable(encoding: str, exc: BaseException) -> str:
    """The message for a file ``encoding`` cannot decode, when the codec does not say
    which byte is wrong."""
    return f"the file is not valid {encoding} text ({_short(str(exc), 120)}; {_DECLARE})"


def _decode_failure(
    opener: Callable[[], IO[bytes]], encoding: str, exc: BaseException, label: str, where: str
) -> ReadError:
    """The located error for a file that ``encoding`` failed to decode with ``exc``."""
    try:
        problem = _decode_problem(opener, encoding)
    except (UnicodeError, ValueError, LookupError):
        problem = None
    return ReadError(label, f"{where}: {problem or _undecodable(encoding, exc)}")


def _header(
    opener: Callable[[], IO[bytes]], layout: CsvLayout, encoding: str, label: str, where: str
) -> list[str]:
    """Parse the header row with Python's csv module (Arrow then parses the rest)."""
    with (
        opener() as raw,
        io.TextIOWrapper(raw, encoding=_python_encoding(encoding), newline="") as text,
    ):
        try:
            for _ in range(layout.skip_rows):
                text.readline()
            reader = csv.reader(
                text,
                delimiter=layout.delimiter,
                quotechar=layout.quote_char or '"',
                quoting=csv.QUOTE_MINIMAL if layout.quote_char else csv.QUOTE_NONE,
                doublequote=layout.double_quote,
                escapechar=layout.escape_char,
                skipinitialspace=layout.skip_initial_space,
                strict=False,
            )
            row = next(reader, None)
        except (UnicodeError, LookupError) as exc:
            # UnicodeDecodeError, and codecs that fail otherwise (utf-16 without a BOM)
            raise _decode_failure(opener, encoding, exc, label, where) from None
        except csv.Error as exc:
            raise ReadError(label, f"{where}: cannot parse the header row ({exc})") from None
    if not row:
        raise ReadError(label, f"{where}: the CSV file is empty (no header row)")
    return row


class _Guarded(io.RawIOBase):
    """A file handed to Arrow's CSV reader: an error of the underlying file (a limit, a
    damaged zip member) ends the file for Arrow, and is raised again once Arrow is done
    (an exception raised inside Arrow's reading threads can abort the process)."""

    def __init__(self, handle: IO[bytes]) -> None:
        super().__init__()
        self._handle = handle
        self._error: ReadError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._error is not None:
            return 0
        view = memoryview(buffer).cast("B")
        try:
            data = self._handle.read(len(view))
        except ReadError as exc:
            self._error = exc
            return 0
        view[: len(data)] = data
        return len(data)

    def reraise(self) -> None:
        """Raise the error the underlying file met, if any."""
        if self._error is not None:
            raise self._error


def _csv_header(
    opener: Callable[[], IO[bytes]],
    layout: CsvLayout,
    field_names: Sequence[str],
    encoding: str,
    label: str,
    where: str,
) -> list[str]:
    """The column names: the header row (refused with duplicates), else the fields'."""
    if not layout.header:
        return list(field_names)
    header = _header(opener, layout, encoding, label, where)
    duplicates = sorted({n for n in header if header.count(n) > 1})
    if duplicates:
        raise ReadError(label, f"{where}: duplicate column names {duplicates}")
    return header


def _arrow_options(
    layout: CsvLayout, header: list[str], arrow_encoding: str, quoted_empty_is_text: bool
) -> tuple[pacsv.ReadOptions, pacsv.ParseOptions, pacsv.ConvertOptions]:
    """Arrow's read, parse and convert options: every column text, empty fields null."""
    if layout.header:
        read_options = pacsv.ReadOptions(encoding=arrow_encoding, skip_rows=layout.skip_rows)
    else:
        read_options = pacsv.ReadOptions(
            encoding=arrow_encoding, skip_rows=layout.skip_rows, column_names=header
        )
    parse_options = pacsv.ParseOptions(
        delimiter=layout.delimiter,
        quote_char=layout.quote_char or False,
        double_quote=layout.double_quote,
        escape_char=layout.escape_char or False,
        newlines_in_values=True,
        ignore_empty_lines=True,
    )
    convert_options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in header},
        strings_can_be_null=True,
        quoted_strings_can_be_null=not quoted_empty_is_text,
        null_values=[""],
    )
    return read_options, parse_options, convert_options


def _arrow_failure(
    opener: Callable[[], IO[bytes]], encoding: str, message: str, label: str, where: str
) -> ReadError:
    """The located error for a file Arrow could not read: undecodable, empty or broken."""
    if "UTF8" in message or "decode" in message:
        try:
            problem = _decode_problem(opener, encoding)
        except (UnicodeError, ValueError, LookupError) as error:
            problem = _undecodable(encoding, error)
        if problem is not None:
            return ReadError(label, f"{where}: {problem}")
    if "Empty CSV file" in message:
        return ReadError(label, f"{where}: the CSV file is empty (no header row)")
    return ReadError(label, f"{where}: not a readable CSV file ({_short(message)})")


def read_csv_text(
    opener: Callable[[], IO[bytes]],
    *,
    field_names: Sequence[str],
    layout: CsvLayout,
    encoding: str,
    quoted_empty_is_text: bool,
    label: str,
    where: str,
) -> tuple[list[str], pa.Table]:
    """Read a CSV file into an Arrow table of text columns; return (header, table).

    An unquoted empty field is null. A quoted empty field ``""`` is an empty string when
    ``quoted_empty_is_text`` (cdinterop's own packages) and null otherwise (the Table
    Schema rule: missing values are compared after unquoting).
    """
    arrow_encoding = _arrow_encoding(encoding, label, where)
    header = _csv_header(opener, layout, field_names, encoding, label, where)
    read_options, parse_options, convert_options = _arrow_options(
        layout, header, arrow_encoding, quoted_empty_is_text
    )
    try:
        with opener() as handle:
            guarded = _Guarded(handle)
            try:
                table = pacsv.read_csv(
                    guarded,
                    read_options=read_options,
                    parse_options=parse_options,
                    convert_options=convert_options,
                )
            finally:
                guarded.reraise()
    except (UnicodeError, LookupError) as exc:  # raised by the Python codec Arrow calls
        raise _decode_failure(opener, encoding, exc, label, where) from None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise _arrow_failure(opener, encoding, str(exc), label, where) from None
    if layout.skip_initial_space:
        table = pa.table({n: pc.utf8_ltrim(table.column(n), " ") for n in table.column_names})
    return header, table


def _short(text: str, limit: int = 300) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _inline_text(value: Any, row: int, label: str, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    raise ReadError(label, f"{where}.data[{row}]: nested value {value!r:.60} in a table row")


def _object_rows(data: list[dict[Any, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Header (every key, in order of first appearance) and rows of inline objects."""
    seen: dict[str, None] = {}
    for r in data:
        seen.update(dict.fromkeys(str(k) for k in r))
    header = list(seen)
    return header, [[r.get(k) for k in header] for r in data]


def _array_rows(data: list[list[Any]], label: str, where: str) -> tuple[list[str], list[list[Any]]]:
    """Header (the first array, refused with duplicates) and rows of inline arrays."""
    header = [str(h) for h in data[0]]
    duplicates = sorted({n for n in header if header.count(n) > 1})
    if duplicates:
        raise ReadError(label, f"{where}.data: duplicate column names {duplicates}")
    return header, data[1:]


def _inline_table(header: list[str], rows: list[list[Any]], label: str, where: str) -> pa.Table:
    """Text columns from inline rows, each as long as the header."""
    columns: dict[str, list[str | None]] = {n: [] for n in header}
    for i, r in enumerate(rows):
        if len(r) != len(header):
            raise ReadError(
                label, f"{where}.data[{i + 1}]: {len(r)} values for {len(header)} columns"
            )
        for name, value in zip(header, r, strict=True):
            columns[name].append(_inline_text(value, i, label, where))
    return pa.table({n: pa.array(v, pa.string()) for n, v in columns.items()})


def table_from_inline(
    data: Any, field_names: Sequence[str], label: str, where: str
) -> tuple[list[str], pa.Table]:
    """Text columns from inline ``data``: arrays (first one the header) or objects."""
    if not isinstance(data, list):
        raise ReadError(label, f"{where}.data: inline data must be an array of rows")
    if not data:
        return list(field_names), pa.table({n: pa.array([], pa.string()) for n in field_names})
    if all(isinstance(r, dict) for r in data):
        header, rows = _object_rows(data)
    elif all(isinstance(r, list) for r in data):
        header, rows = _array_rows(data, label, where)
    else:
        raise ReadError(label, f"{where}.data: rows must all be arrays or all be objects")
    return header, _inline_table(header, rows, label, where)
