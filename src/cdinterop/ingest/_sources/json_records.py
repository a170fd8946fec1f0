"""JSON submissions: a KoboToolbox API page (``{"count", "next", "results": [...]}``) or a
plain array of objects, streamed with ijson.

The file is parsed twice, both times as a stream of parser events (memory does not grow
with the file): the first pass collects the column names (the union of the flattened
keys, in order of first appearance), the second builds the batches. Records are
flattened by `flatten_record()`. ``_row`` is the 1-based index of the record in the
array.

Problem rows (in `Submission.problems()`, never with their text): an array item that is
not an object, a record with a value longer than the ``field_bytes`` limit, an object
in which a key appears twice with different values (a JSON parser would keep one of
them), and a record two of whose fields flatten to the same column with different
values (``{"a/b": 1, "a": {"b": 2}}``). A file that is not JSON, or not one of the two
shapes, raises [`ReadError`][cdinterop.errors.ReadError]; so do the reader limits
(`cdinterop.limits`): ``bytes`` (the file's size), ``nesting`` (objects and arrays inside
one another, checked while parsing, before anything deeper is built), ``columns`` (the
distinct flattened keys, counted while the first pass runs) and ``rows``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa

from cdinterop._extras import require
from cdinterop.errors import ReadError
from cdinterop.ingest._sources.base import (
    FileDigest,
    Layout,
    SourceOptions,
    Submission,
)
from cdinterop.ingest._sources.kobo import flatten_record
from cdinterop.ingest._sources.rows import ColumnBatch
from cdinterop.limits import current, exceeded

__all__ = ["JsonSubmission"]


def _items_prefix(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf").lstrip()
    if not head:
        raise ReadError(str(path), "the file is empty")
    if head[:1] == b"[":
        return "item"
    if head[:1] == b"{":
        return "results.item"
    raise ReadError(str(path), "not a JSON array or object of submissions")


_BOM = b"\xef\xbb\xbf"
_DIGITS = re.compile(rb"[0-9]+\Z")


class _DigitRuns:
    """A binary file whose ``read()`` refuses a run of more digits than Python converts to
    an integer (``sys.get_int_max_str_digits()``, 4,300): ijson's compiled parser calls
    ``int()`` on every number and crashes on such a run instead of raising. A run inside a
    string is refused too (no survey answer is thousands of digits)."""

    def __init__(self, handle: BinaryIO, source: str) -> None:
        self._handle = handle
        self._source = source
        self._most = sys.get_int_max_str_digits() or 4300
        self._run = 0  # digits at the end of what was read so far
        self._long = re.compile(rb"[0-9]{%d,}" % (self._most + 1))

    def read(self, size: int = -1) -> bytes:
        """Read like the file does, checking the runs of digits on the way."""
        chunk = self._handle.read(size)
        if not chunk:
            return chunk
        lead = len(chunk) - len(chunk.lstrip(b"0123456789"))
        if lead == len(chunk):
            self._run += lead
        else:
            if self._run + lead > self._most or self._long.search(chunk):
                self._refuse()
            tail = _DIGITS.search(chunk)
            self._run = len(tail.group()) if tail else 0
        if self._run > self._most:
            self._refuse()
        return chunk

    def _refuse(self) -> None:
        raise ReadError(
            self._source,
            f"a number (or text) of more than {self._most:,} digits in a row: no answer to a "
            "survey question needs that many, and converting it would take quadratic time",
        )


_CELLS_PER_BATCH = 2_000_000
"""Cells (rows times columns) of one batch while it is built: a wide file gets short
batches, so that a batch's Python lists stay small."""
_OPEN = {"start_map", "start_array"}
_CLOSE = {"end_map", "end_array"}


class _Built:
    """One array item built from parser events, with the keys it repeats."""

    __slots__ = ("conflicts", "value")

    def __init__(self, value: Any, conflicts: list[str]) -> None:
        self.value = value
        self.conflicts = conflicts


class JsonSubmission(Submission):
    """A JSON submission file (Kobo API page, or an array of objects)."""

    row_unit = "record"

    def __init__(self, path: Path, options: SourceOptions, *, layout: Layout | None) -> None:
        self._prefix = _items_prefix(path)
        kobo_marker = False
        columns: dict[str, None] = {}
        limit = current().columns
        for built in self._records(path):
            record = built.value
            if isinstance(record, dict):
                kobo_marker = kobo_marker or "_uuid" in record
                for key in flatten_record(record, kobo=True):
                    columns.setdefault(key, None)
                if len(columns) > limit:
                    exceeded(
                        str(path),
                        "columns",
                        len(columns),
                        f"records with more than {limit:,} distinct keys once flattened",
                    )
        if layout is None:
            kobo = self._prefix == "results.item" or kobo_marker
            layout = Layout.KOBO_JSON if kobo else Layout.JSON
        super().__init__(
            path,
            options,
            layout=layout,
            encoding=None,
            delimiter=None,
            columns=tuple(columns),
            digest=FileDigest(path),
        )

    def _records(self, path: Path) -> Iterator[_Built]:
        """The items of the submissions array, built from the parser's events."""
        source = str(path)
        ijson = require("ijson", extra="json-stream", purpose="reading JSON submissions")
        try:
            with path.open("rb") as handle:
                if handle.read(3) != _BOM:  # a UTF-8 BOM, as CSV files may have
                    handle.seek(0)
                events = iter(ijson.basic_parse(_DigitRuns(handle, source), use_float=False))
                yield from _items(events, self._prefix == "item", source)
                for _event in events:  # what follows the submissions: a second document
                    pass  # is "trailing garbage" to the parser, not silently ignored
        except ijson.JSONError as exc:
            raise ReadError(source, f"not valid JSON: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise ReadError(source, f"not UTF-8 JSON: {exc.reason}") from exc

    def _raw_batches(self) -> Iterator[pa.RecordBatch]:
        names = self._columns
        width = len(names)
        limit = max(1, min(self._options.batch_rows, 65_536, _CELLS_PER_BATCH // max(width, 1)))
        batch = ColumnBatch(width, limit)
        for index, built in enumerate(self._records(self._path), start=1):
            flat = self._flattened(index, built)
            if flat is not None and batch.add(index, [flat.get(name) for name in names]):
                yield self._build(*batch.take())
        if batch:
            yield self._build(*batch.take())

    def _flattened(self, index: int, built: _Built) -> dict[str, str | None] | None:
        """Record ``index`` flattened to columns; ``None``, with the problem reported, for
        an item that is not an object, an object that repeats a key with another value, or
        a record two of whose fields flatten to one column with different values."""
        record = built.value
        if not isinstance(record, dict):
            kind = (
                "an array"
                if isinstance(record, list)
                else "a string"
                if isinstance(record, str)
                else "a scalar"
            )
            self._problem(index, f"record {index}: {kind}, not an object; the record is left out")
            return None
        if built.conflicts:
            self._problem(
                index,
                f"record {index}: the key(s) {_listed(built.conflicts)} appear twice in "
                "one object with different values (a JSON reader keeps only one of "
                "them); the record is left out",
            )
            return None
        collisions: list[str] = []
        flat = flatten_record(record, kobo=True, collisions=collisions)
        if collisions:
            self._problem(
                index,
                f"record {index}: two fields flatten to the column(s) "
                f"{_listed(collisions)} with different values (e.g. "
                '{"a/b": 1, "a": {"b": 2}}); the record is left out',
                column=collisions[0],
            )
            return None
        return flat


def _listed(names: list[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:5])
    return shown + (", ..." if len(names) > 5 else "")


def _items(events: Iterator[tuple[str, Any]], array: bool, source: str) -> Iterator[_Built]:
    """The items of the top-level array (``array``) or of the top-level object's
    ``results`` array, each built with `_build()`; other members of the object are
    skipped (their nesting checked all the same)."""
    limit = current().nesting
    event, _value = next(events, ("", None))
    if array:
        if event != "start_array":
            return
        yield from _array_items(events, 1, limit, source)
        return
    if event != "start_map":
        return
    for event, value in events:
        if event == "end_map":
            return
        if event != "map_key":
            continue
        first, first_value = next(events)
        if value == "results" and first == "start_array":
            yield from _array_items(events, 2, limit, source)
        else:
            _build(first, first_value, events, 1, limit, source)


def _array_items(
    events: Iterator[tuple[str, Any]], depth: int, limit: int, source: str
) -> Iterator[_Built]:
    if depth > limit:
        _too_deep(source, depth, limit)
    for event, value in events:
        if event == "end_array":
            return
        conflicts: list[str] = []
        built = _build(event, value, events, depth, limit, source, conflicts)
        yield _Built(built, conflicts)


def _too_deep(source: str, depth: int, limit: int) -> None:
    exceeded(source, "nesting", depth, f"objects and arrays nested {depth:,} levels deep")


def _build(
    event: str,
    value: Any,
    events: Iterator[tuple[str, Any]],
    depth: int,
    limit: int,
    source: str,
    conflicts: list[str] | None = None,
) -> Any:
    """The value whose first event is ``(event, value)``, inside ``depth`` containers;
    deeper than the ``nesting`` limit raises before anything deeper is built. The keys an
    object repeats with a different value go into ``conflicts``."""
    if event not in _OPEN:
        return value
    root: dict[str, Any] | list[Any] = {} if event == "start_map" else []
    stack: list[dict[str, Any] | list[Any]] = [root]
    keys: list[str] = [""]
    repeated: list[tuple[dict[str, Any], str, Any]] = []
    if depth + 1 > limit:
        _too_deep(source, depth + 1, limit)
    for event, value in events:
        if event == "map_key":
            keys[-1] = value
        elif event in _CLOSE:
            stack.pop()
            keys.pop()
            if not stack:
                break
        else:
            item = _item(event, value, depth + len(stack) + 1, limit, source)
            _put(stack[-1], keys[-1], item, repeated)
            if event in _OPEN:
                stack.append(item)
                keys.append("")
    if conflicts is not None:
        conflicts.extend(_changed(repeated))
    return root


def _changed(repeated: list[tuple[dict[str, Any], str, Any]]) -> list[str]:
    """The keys an object repeated whose final value differs from the earlier one."""
    return [key for owner, key, old in repeated if owner[key] != old]


def _item(event: str, value: Any, depth: int, limit: int, source: str) -> Any:
    """The value of a scalar event, or the new empty container an opening event starts
    (at ``depth``, checked against the ``nesting`` limit before it is built)."""
    if event not in _OPEN:
        return value
    if depth > limit:
        _too_deep(source, depth, limit)
    return {} if event == "start_map" else []


def _put(
    top: dict[str, Any] | list[Any],
    key: str,
    item: Any,
    repeated: list[tuple[dict[str, Any], str, Any]],
) -> None:
    """Put ``item`` in its container: under ``key`` in an object (noting in ``repeated``
    a key the object already has, with its earlier value), at the end of an array."""
    if isinstance(top, dict):
        if key in top:
            repeated.append((top, key, top[key]))
        top[key] = item
    else:
        top.append(item)
