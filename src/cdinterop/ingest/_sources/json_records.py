"""JSON submissions: a KoboToolbox API page (``{"count", "next", "results": [...]}``) or a
plain array of objects, streamed with ijson.

The file is parsed twice, both times as a stream (memory does not grow with the file):
the first pass collects the column names (the union of the flattened keys, in order of
first appearance), the second builds the batches. Records are flattened by
`flatten_record()`. ``_row`` is the 1-based index of
the record in the array. An array item that is not an object, or a record with a value
longer than ``max_field_bytes``, is a problem row; a file that is not JSON, or not one of
the two shapes, raises [`ReadError`][cdinterop.errors.ReadError].
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson
import pyarrow as pa

from cdinterop.errors import ReadError
from cdinterop.ingest._sources.base import (
    FileDigest,
    Layout,
    SourceOptions,
    Submission,
)
from cdinterop.ingest._sources.kobo import flatten_record

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


class JsonSubmission(Submission):
    """A JSON submission file (Kobo API page, or an array of objects)."""

    row_unit = "record"

    def __init__(self, path: Path, options: SourceOptions, *, layout: Layout | None) -> None:
        self._prefix = _items_prefix(path)
        kobo_marker = False
        columns: dict[str, None] = {}
        for record in self._records(path):
            if isinstance(record, dict):
                kobo_marker = kobo_marker or "_uuid" in record
                for key in flatten_record(record, kobo=True):
                    columns.setdefault(key, None)
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

    def _records(self, path: Path) -> Iterator[Any]:
        try:
            with path.open("rb") as handle:
                if handle.read(3) != b"\xef\xbb\xbf":  # a UTF-8 BOM, as CSV files may have
                    handle.seek(0)
                yield from ijson.items(handle, self._prefix)
        except ijson.JSONError as exc:
            raise ReadError(str(path), f"not valid JSON: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise ReadError(str(path), f"not UTF-8 JSON: {exc.reason}") from exc

    def _raw_batches(self) -> Iterator[pa.RecordBatch]:
        names = self._columns
        width = len(names)
        limit = min(self._options.batch_rows, 65_536)
        columns: list[list[str | None]] = [[] for _ in range(width)]
        rows: list[int] = []
        for index, record in enumerate(self._records(self._path), start=1):
            if not isinstance(record, dict):
                self._problem(
                    index,
                    f"record {index}: a {type(record).__name__}, not an object; "
                    "the record is left out",
                    value=str(record)[:200],
                )
                continue
            flat = flatten_record(record, kobo=True)
            for column, name in zip(columns, names, strict=True):
                column.append(flat.get(name))
            rows.append(index)
            if len(rows) >= limit:
                yield self._build(columns, rows)
                columns = [[] for _ in range(width)]
                rows = []
        if rows:
            yield self._build(columns, rows)
