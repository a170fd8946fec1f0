"""CSV submissions (plain, KoboToolbox, ODK Central) read with pyarrow's streaming reader.

Every column is read as text (``pa.string()``), empty fields are null and nothing else is
(``NA`` stays ``"NA"``). Quoted fields may hold newlines.

**Row numbers.** ``_row`` is the physical (1-based) line on which a record *starts*, the
line an editor shows. pyarrow numbers records, not lines, so the reader adds the newlines
found inside the values of earlier records: line of record *i* = first data line + *i* +
newlines inside the values of records before *i* + extra lines of skipped (problem)
records before it. Newlines are ``\\n`` (a CRLF counts once, a lone CR is not counted). A
batch whose value buffers hold no ``\\n`` at all is numbered without per-value work.

**Problem rows** (not in the batches, in `Submission.problems()`): a record with the
wrong number of fields, a field longer than ``max_field_bytes``, and a last record cut off
inside a quoted field (a truncated file: an unclosed quote runs to the end of the file;
detected for ASCII-compatible encodings). Blank lines, and rows
whose every field is empty, are not records and are skipped without a problem.

**Byte ranges.** ``CsvSubmission(..., part=ByteRange(...))`` (``open_submission(path,
options, part=...)``) reads only the records of a range from `split_csv`: the first
range is the file's head up to its end, a later one its bytes alone, numbered from its
``first_line``; the ranges of a file together give the batches and problems of the whole
file. ``info.sha256`` of a range is the SHA-256 of the range's bytes (``info.size`` is
the file's); the truncation check runs on the last range only. The last good record is
checked for truncation only when it is the last record parsed (no problem record after
it, and not left out itself).

**Unreadable files** raise [`ReadError`][cdinterop.errors.ReadError]: an empty file, a missing,
empty or duplicate header name, bytes that are not UTF-8 when no encoding was declared
(with the byte offset and line, and a hint to declare the encoding in the spec,
``source: {encoding: cp1252}``, or in ``SourceOptions(encoding=...)``), bytes the declared
encoding cannot decode.
"""

from __future__ import annotations

import codecs
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cdinterop.errors import ReadError
from cdinterop.ingest._sources.base import (
    ROW_COLUMN,
    FileDigest,
    Layout,
    SourceOptions,
    Submission,
)
from cdinterop.ingest._sources.detect import CsvHead
from cdinterop.ingest._sources.odk import ODK_FORM_VERSION_COLUMN, ODK_GROUP_SEPARATOR
from cdinterop.ingest._sources.partitions import ByteRange, ascii_compatible, header_end
from cdinterop.limits import exceeded

__all__ = ["CsvSubmission"]

_BLOCK_BYTES = 1 << 20
"""pyarrow block size. pyarrow reads a few dozen blocks ahead of the parser, so the block
size bounds the reader's memory (about 40 MB with 1 MB blocks, 150 MB with 4 MB ones,
measured on a 362 MB export); 1 MB blocks also parsed faster there (0.63 s against 0.83 s
for a million rows). A record longer than a block makes the reader start again from that
record with blocks eight times larger."""
_MAX_BLOCK_BYTES = 1 << 30
_NATIVE = frozenset({"utf-8", "utf8", "utf-8-sig", "utf_8", "utf_8_sig"})


@dataclass(slots=True)
class _Invalid:
    number: int | None
    text: str
    expected: int
    actual: int


def _native(encoding: str) -> bool:
    return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")


class _Restart(Exception):
    """A record straddles more than one block: read again with larger blocks."""


class CsvSubmission(Submission):
    """A CSV submission file (plain, Kobo or ODK layout), or one `ByteRange` of it.

    A range (``part``, from `split_csv`) is read as the file's header followed by the
    range's bytes; ``_row`` and the problem rows give the lines of the file, so the
    ranges of a file together read exactly what the whole file reads. ``info.sha256`` of
    a range is the SHA-256 of the range's bytes only (``info.size`` stays the file's
    size); a whole-file range reads the file as without one."""

    row_unit = "line"

    def __init__(
        self,
        path: Path,
        options: SourceOptions,
        *,
        layout: Layout,
        head: CsvHead,
        part: ByteRange | None = None,
    ) -> None:
        if part is not None and part.is_whole():
            part = None
        self._part = part
        self._skip_rows = options.header_row
        """Rows pyarrow skips before the records: the header and the lines above it, or
        none for a range after the first (its bytes begin with a record)."""
        self._spans: list[tuple[int, int]] = []
        if part is not None:
            data_start = header_end(path, options.header_row - 1 + head.header_lines)
            if part.start <= data_start:  # the first range: the file's head up to its end
                self._spans = [(0, part.end)]
            else:
                self._spans = [(part.start, part.end)]
                self._skip_rows = 0
        span = None if part is None else (part.start, part.end)
        super().__init__(
            path,
            options,
            layout=layout,
            encoding=head.encoding,
            delimiter=head.delimiter,
            columns=head.columns,
            digest=FileDigest(path, span=span),
        )
        columns = len(head.columns)
        exceeded(str(path), "columns", columns, f"a header of {columns:,} columns")
        self._head = head
        self._undecodable = False
        self._check_truncation = ascii_compatible(head.encoding) and (
            part is None or part.end >= path.stat().st_size
        )
        if layout is Layout.ODK_CSV:
            self.group_separator = ODK_GROUP_SEPARATOR
            if ODK_FORM_VERSION_COLUMN in head.columns:
                self.form_version_column = ODK_FORM_VERSION_COLUMN

    # -- pyarrow ----------------------------------------------------------------------

    def _reader(self, block: int, skip_after: int) -> pacsv.CSVStreamingReader:
        head = self._head
        read = pacsv.ReadOptions(
            use_threads=False,
            block_size=block,
            skip_rows=self._skip_rows,
            column_names=list(head.columns),
            skip_rows_after_names=skip_after,
            encoding="utf8" if _native(head.encoding) else head.encoding,
        )
        parse = pacsv.ParseOptions(
            delimiter=head.delimiter,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=self._on_invalid,
        )
        convert = pacsv.ConvertOptions(
            column_types={name: pa.string() for name in head.columns},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        )
        # a buffered file, not a memory map: mapped pages would count as the process's
        # memory (its peak RSS would grow with the file)
        source: Any = pa.OSFile(str(self._path))
        if self._spans:
            source = _RangeStream(self._path, self._spans)
        return pacsv.open_csv(
            source, read_options=read, parse_options=parse, convert_options=convert
        )

    def _on_invalid(self, row: pacsv.InvalidRow) -> str:
        number = row.number if row.number is not None and row.number >= 0 else None
        if number is None or number not in self._seen_invalid:
            if number is not None:
                self._seen_invalid.add(number)
            self._pending.append(
                _Invalid(number, row.text, row.expected_columns, row.actual_columns)
            )
        return "skip"

    # -- reading ----------------------------------------------------------------------

    def _raw_batches(self) -> Iterator[pa.RecordBatch]:
        self._start_reading()
        held: pa.RecordBatch | None = None
        for batch in self._parsed_batches():
            if held is not None and held.num_rows:
                yield held
            held = batch
        yield from self._last_batches(held)

    def _start_reading(self) -> None:
        _catch_undecodable_rows()
        self._undecodable = False
        self._pending: list[_Invalid] = []
        self._seen_invalid: set[int] = set()
        self._next_record = self._skip_rows + 1  # pyarrow's record number of the next record
        self._next_line = self._options.header_row + self._head.header_lines  # its line
        if self._part is not None and not self._skip_rows:  # a range after the first
            self._next_line = self._part.first_line
        self._last_parsed = -1  # the line of the last record the parser split into fields

    def _parsed_batches(self) -> Iterator[pa.RecordBatch]:
        """The numbered batches of the parser, restarted with larger blocks past a record
        longer than a block (a restart goes on after the last record handed over)."""
        block = _BLOCK_BYTES
        while True:
            try:
                reader = self._open(block, self._next_record - self._skip_rows - 1)
                for batch in self._iterate(reader):
                    yield self._number(batch)
                return
            except _Restart:
                if block >= _MAX_BLOCK_BYTES:
                    raise self._read_error(
                        f"a record starting near line {self._next_line} is longer than "
                        f"{_MAX_BLOCK_BYTES:,} bytes"
                    ) from None
                block *= 8
                self._pending = [p for p in self._pending if p.number is None]
                self._seen_invalid = set()

    def _last_batches(self, held: pa.RecordBatch | None) -> Iterator[pa.RecordBatch]:
        """The invalid rows after the last good record reported, then the last batch,
        checked for a truncated last record when it holds the file's (range's) last."""
        last = held is not None and not self._pending and held.num_rows > 0
        if last and held is not None:
            last = held.column(ROW_COLUMN)[-1].as_py() == self._last_parsed
        for n, invalid in enumerate(self._pending, start=1):
            at_end = n == len(self._pending) and self._at_end(invalid)
            self._report_invalid(invalid, self._next_line, at_end=at_end)
            self._next_line += 1 + invalid.text.count("\n")
        self._pending = []
        if held is not None:
            if last:  # a truncated file ends inside its last record, not before others
                held = self._check_truncated(held)
            if held.num_rows:
                yield held

    def _open(self, block: int, skip_after: int) -> pacsv.CSVStreamingReader:
        try:
            return self._reader(block, skip_after)
        except pa.ArrowInvalid as exc:
            raise self._translate(exc) from None
        except UnicodeDecodeError as exc:
            raise self._decode_error(exc) from None

    def _iterate(self, reader: pacsv.CSVStreamingReader) -> Iterator[pa.RecordBatch]:
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as exc:
                raise self._translate(exc) from None
            except UnicodeDecodeError as exc:
                raise self._decode_error(exc) from None
            yield batch

    def _translate(self, exc: Exception) -> Exception:
        message = str(exc)
        if "straddl" in message:
            return _Restart()
        if self._undecodable:  # a row the parser could not hand over: its bytes do not decode
            if _native(self._head.encoding):
                return self._utf8_error()
            return self._read_error(
                f"bytes after line {self._next_line - 1} are not valid {self._head.encoding}; "
                "check the declared encoding (source.encoding in the spec)"
            )
        if "invalid UTF8" in message or "UTF-8" in message:
            return self._utf8_error()
        # pyarrow's message ends with the record's text, which may hold private columns
        shown = re.sub(r"(got \d+)\s*:.*", r"\1", message, flags=re.DOTALL)
        return self._read_error(
            f"the CSV parser failed after line {self._next_line - 1}: {shown[:300]}"
        )

    def _decode_error(self, exc: UnicodeDecodeError) -> ReadError:
        return self._read_error(
            f"the bytes are not valid {self._head.encoding} ({exc.reason}); check the "
            "declared encoding (source.encoding in the spec, SourceOptions.encoding in Python)"
        )

    def _utf8_error(self) -> ReadError:
        offset, line = _first_invalid_utf8(self._path)
        where = f" at byte offset {offset:,} (line {line})" if offset >= 0 else ""
        return self._read_error(
            f"the file is not valid UTF-8{where}; if it was saved in another encoding, "
            "declare it in the spec (source: {encoding: cp1252}, or latin-1, ...) or in "
            "Python (SourceOptions(encoding='cp1252'))"
        )

    # -- row numbers ------------------------------------------------------------------

    def _number(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        n = batch.num_rows
        newlines = _newlines_per_row(batch)
        lines = np.arange(self._next_line, self._next_line + n, dtype=np.int64)
        if newlines is not None:
            lines[1:] += np.cumsum(newlines[:-1])
        inserted = 0
        remaining: list[_Invalid] = []
        for invalid in self._pending:
            if invalid.number is None:
                self._report_invalid(invalid, None)
                continue
            k = invalid.number - self._next_record - inserted
            if 0 <= k < n:
                self._report_invalid(invalid, int(lines[k]))
                lines[k:] += 1 + invalid.text.count("\n")
                inserted += 1
            else:
                remaining.append(invalid)
        self._pending = remaining
        if n:
            self._last_parsed = int(lines[-1])
            last_newlines = 0 if newlines is None else int(newlines[-1])
            self._next_line = int(lines[-1]) + 1 + last_newlines
        self._next_record += n + inserted
        numbered = batch.append_column(
            pa.field(ROW_COLUMN, pa.int64(), nullable=False), pa.array(lines, pa.int64())
        )
        if newlines is not None:
            numbered = self._drop_swallowing(numbered, newlines)
        return _drop_blank(numbered, batch.num_columns)

    def _drop_swallowing(self, batch: pa.RecordBatch, newlines: np.ndarray) -> pa.RecordBatch:
        """Leave out, as problem rows, records whose quoted values hold lines that look like
        records of their own: a stray quote and the next one swallowed the lines between
        them into one value, and the record still has the right number of fields."""
        width = len(self._head.columns)
        delimiter = self._head.delimiter
        bad: list[int] = []
        multiline = np.flatnonzero(newlines)
        taken = batch.select(range(width)).take(pa.array(multiline, pa.int64()))
        cells = [column.to_pylist() for column in taken.columns]  # one call per column
        for j, k in enumerate(multiline.tolist()):
            values = [cells[i][j] or "" for i in range(width)]
            swallowed = _swallowed_lines(delimiter.join(values), delimiter, width)
            if not swallowed:
                continue
            bad.append(k)
            line = int(batch.column(ROW_COLUMN)[k].as_py())
            self._problem(
                line,
                f"line {line}: a quoted field begins on this line and runs over "
                f"{int(newlines[k])} more line(s), {len(swallowed)} of which look like "
                "records of their own, reported on their own lines: a stray quote and a "
                "later one swallowed them (an unbalanced quote); fix the quotes; the row is "
                "left out",
            )
            for offset in swallowed:
                self._problem(
                    line + offset,
                    f"line {line + offset}: swallowed by the unbalanced quote of line {line} "
                    "(this line looks like a record of its own); the row is left out",
                )
        if not bad:
            return batch
        keep = np.ones(batch.num_rows, dtype=bool)
        keep[bad] = False
        return batch.filter(pa.array(keep))

    def _at_end(self, invalid: _Invalid) -> bool:
        """Whether ``invalid`` is the file's last record (its text is the file's tail)."""
        if not self._check_truncation:
            return False
        encoded = invalid.text.encode(self._head.encoding, errors="replace").rstrip(b"\r\n")
        size = self._path.stat().st_size
        with self._path.open("rb") as handle:
            handle.seek(max(0, size - len(encoded) - 2))
            tail = handle.read().rstrip(b"\r\n")
        return tail.endswith(encoded)

    def _report_invalid(self, invalid: _Invalid, line: int | None, *, at_end: bool = False) -> None:
        """Report a record the parser could not split into the header's fields: its line
        and what is wrong, never its text. An unbalanced quote makes one record of many
        lines: the lines it swallowed that look like records are reported too, each at
        its line, so that no row of the export is lost without a trace."""
        where = f"line {line}: " if line is not None else ""
        fields = f"expected {invalid.expected} fields, found {invalid.actual}"
        text = invalid.text
        swallowed = _swallowed_lines(text, self._head.delimiter, invalid.expected)
        unclosed = text.count('"') % 2 == 1
        if swallowed:
            end = "the rest of the file" if at_end and unclosed else "the lines after it"
            message = (
                f"{where}a quoted field begins on this line and is not closed where it "
                f"should be (an unbalanced quote): it swallows {end}, "
                f"{text.count(chr(10))} line(s) holding {len(swallowed)} record(s), reported "
                f"on their own lines ({fields}); fix the quote; the row is left out"
            )
        elif at_end and unclosed:
            message = (
                f"{where}the record is cut off inside a quoted field (an unclosed quote runs "
                f"to the end of the file; {fields}); the file looks truncated; the row is "
                "left out"
            )
        else:
            message = f"{where}{fields}; the row is left out"
        self._problem(line, message)
        for offset in swallowed:
            at = None if line is None else line + offset
            self._problem(
                at,
                f"{'' if at is None else f'line {at}: '}swallowed by the unbalanced quote "
                f"{'' if line is None else f'of line {line} '}(this line looks like a record "
                "of its own); the row is left out",
            )

    def _check_truncated(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        if not self._check_truncation or batch.num_rows == 0:
            return batch
        last = batch.num_rows - 1
        value = batch.column(len(self._head.columns) - 1)[last].as_py() or ""
        # An unclosed quote swallows the rest of the file into the last field: the file
        # then ends with the quote and the value (quotes doubled), which a closed or
        # unquoted last field never does (one ends with '"', the other has no '"' or a
        # delimiter right before it).
        opening = '"' if value else self._head.delimiter + '"'
        raw = opening + value.replace('"', '""')
        encoded = raw.encode(self._head.encoding, errors="replace")
        size = self._path.stat().st_size
        with self._path.open("rb") as handle:
            handle.seek(max(0, size - len(encoded)))
            tail = handle.read()
        if tail != encoded and not (not value and tail.endswith(b'\n"')):
            return batch
        row = int(batch.column(ROW_COLUMN)[last].as_py())
        swallowed = _swallowed_lines(raw, self._head.delimiter, len(self._head.columns))
        if swallowed:
            self._problem(
                row,
                f"line {row}: a quoted field begins on this line and is never closed (an "
                f"unbalanced quote): it swallows the rest of the file, "
                f"{raw.count(chr(10))} line(s) holding {len(swallowed)} record(s), reported on "
                "their own lines; fix the quote; the row is left out",
            )
            for offset in swallowed:
                self._problem(
                    row + offset,
                    f"line {row + offset}: swallowed by the unbalanced quote of line {row} "
                    "(this line looks like a record of its own); the row is left out",
                )
            return batch.slice(0, last)
        self._problem(
            row,
            f"line {row}: the record is cut off inside a quoted field (an unclosed quote "
            "runs to the end of the file); the file looks truncated; the row is left out",
        )
        return batch.slice(0, last)


class _RangeStream:
    """The bytes ``[start, end)`` of each span of a file, one span after the other: what
    pyarrow's reader parses for a `ByteRange`. The file is opened for each read (pyarrow
    reads a block at a time and never closes the stream it was given)."""

    def __init__(self, path: Path, spans: list[tuple[int, int]]) -> None:
        self._path = path
        self._spans = list(spans)
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left for -1); ``b""`` at the end."""
        pieces: list[bytes] = []
        wanted = size if size >= 0 else sum(end - start for start, end in self._spans)
        with self._path.open("rb", buffering=0) as handle:
            while wanted > 0 and self._spans:
                start, end = self._spans[0]
                handle.seek(start)
                piece = handle.read(min(wanted, end - start))
                pieces.append(piece)
                wanted -= len(piece)
                if start + len(piece) >= end or not piece:
                    self._spans.pop(0)
                else:
                    self._spans[0] = (start + len(piece), end)
        return b"".join(pieces)

    def close(self) -> None:
        """Nothing to release (the file is opened per read)."""
        self.closed = True


def _swallowed_lines(text: str, delimiter: str, expected: int) -> list[int]:
    """Offsets (1 = the next line) of the lines inside one record's ``text`` that look like
    records of their own (as many delimiters as a record has, or one fewer): the rows an
    unbalanced quote swallowed. Empty for a record whose quoted values merely hold
    newlines (free text), and for files of one or two columns, where it cannot be told."""
    if "\n" not in text or expected < 3:
        return []
    lines = text.split("\n")[1:]
    return [n for n, line in enumerate(lines, start=1) if line.count(delimiter) >= expected - 1]


def _catch_undecodable_rows() -> None:
    """pyarrow decodes a row it cannot split before calling the reader's handler; when the
    bytes are not UTF-8 that fails inside pyarrow, which prints "Exception ignored ...
    UnicodeDecodeError" and then stops with a parse error. Catch that report (for the
    readers' handlers only; every other one goes to the hook in place before) and let the
    reader name the first undecodable byte instead."""
    previous = sys.unraisablehook
    if getattr(previous, "_cdinterop_csv", False):
        return

    def hook(unraisable: Any) -> None:
        owner = getattr(unraisable.object, "__self__", None)
        if isinstance(owner, CsvSubmission) and isinstance(
            unraisable.exc_value, UnicodeDecodeError
        ):
            owner._undecodable = True
            return
        previous(unraisable)

    hook._cdinterop_csv = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook


def _newlines_per_row(batch: pa.RecordBatch) -> np.ndarray | None:
    """The number of line breaks in each row's values (``None`` when there is none), read
    from the columns' bytes in place: each newline byte is given to the value whose offsets
    hold it."""
    total: np.ndarray | None = None
    n = batch.num_rows
    for column in batch.columns:
        buffers = column.buffers()
        data = buffers[2] if len(buffers) > 2 else None
        if data is None or data.size == 0 or not pa.types.is_string(column.type):
            continue
        at = np.flatnonzero(np.frombuffer(data, np.uint8) == 10)
        if not len(at):
            continue
        offsets = np.frombuffer(buffers[1], np.int32)[column.offset : column.offset + n + 1]
        rows = np.searchsorted(offsets, at, side="right") - 1
        rows = rows[(rows >= 0) & (rows < n)]
        counts = np.bincount(rows, minlength=n).astype(np.int64)
        total = counts if total is None else total + counts
    return total


def _drop_blank(batch: pa.RecordBatch, width: int) -> pa.RecordBatch:
    """Remove rows whose fields are all null: blank lines (and rows of empty fields)."""
    if batch.num_rows == 0 or any(batch.column(i).null_count == 0 for i in range(width)):
        return batch
    blank: pa.Array | None = None
    for i in range(width):
        nulls = pc.is_null(batch.column(i))
        blank = nulls if blank is None else pc.and_(blank, nulls)
    if blank is None or not pc.any(blank).as_py():
        return batch
    return batch.filter(pc.invert(blank))


def _first_invalid_utf8(path: Path) -> tuple[int, int]:
    """Byte offset and 1-based line of the first byte sequence that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    lines = 1
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                data = pending + chunk
                return offset - len(pending) + exc.start, lines + data[: exc.start].count(b"\n")
            lines += chunk.count(b"\n")
            offset += len(chunk)
    return -1, -1
