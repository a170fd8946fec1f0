"""The common ground of the submission readers: options, file facts, the `Submission`.

A reader turns one submission file into Arrow record batches whose columns are the
file's columns as raw text (``pa.string()``, empty cells null, nothing type-inferred)
plus ``_row``, the number a user finds the record under in the file (a CSV line, an
Excel row, the position in a JSON array). Rows the reader cannot turn into records are
not in the batches; they are [`Issue`][cdinterop.errors.Issue] objects in
`Submission.problems()`, so that ``rows_read == rows in batches + len(problems())``.
"""

from __future__ import annotations

import hashlib
import threading
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.errors import Issue, ReadError
from cdinterop.limits import current, exceeded

__all__ = [
    "ROW_COLUMN",
    "Layout",
    "SourceInfo",
    "SourceOptions",
    "Submission",
]

ROW_COLUMN = "_row"
"""Name of the column that carries each record's row number in the source file."""

_HASH_CHUNK = 1 << 22


class Layout(StrEnum):
    """The export layouts a submission file can have."""

    AUTO = "auto"
    KOBO_CSV = "kobo-csv"
    KOBO_XLSX = "kobo-xlsx"
    KOBO_JSON = "kobo-json"
    ODK_CSV = "odk-csv"
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"

    @property
    def is_kobo(self) -> bool:
        """Whether this is one of the KoboToolbox export layouts."""
        return self in (Layout.KOBO_CSV, Layout.KOBO_XLSX, Layout.KOBO_JSON)

    @property
    def family(self) -> str:
        """The file format behind the layout: ``"csv"``, ``"xlsx"`` or ``"json"``."""
        if self in (Layout.KOBO_CSV, Layout.ODK_CSV, Layout.CSV):
            return "csv"
        if self in (Layout.KOBO_XLSX, Layout.XLSX):
            return "xlsx"
        if self in (Layout.KOBO_JSON, Layout.JSON):
            return "json"
        return "auto"


@dataclass(frozen=True)
class SourceOptions:
    """How to read a submission file; every default suits a KoboToolbox or ODK export."""

    layout: Layout = Layout.AUTO
    """The export layout; ``AUTO`` detects it from the suffix and the header."""
    encoding: str | None = None
    """Text encoding of CSV files; ``None`` detects UTF-8 (with or without BOM) and
    UTF-16 (with BOM, or by its zero bytes)."""
    delimiter: str | None = None
    """CSV field delimiter; ``None`` sniffs one of ``,`` ``;`` tab ``|``."""
    sheet: str | None = None
    """XLSX sheet name; ``None`` reads the first sheet."""
    header_row: int = 1
    """1-based line (CSV) or row (XLSX) of the header; lines above it are skipped."""
    batch_rows: int = 65_536
    """Largest number of rows in one record batch."""
    max_field_bytes: int | None = None
    """A cell longer than this (in UTF-8 bytes) makes its row a problem row; ``None``: the
    reader limit ``field_bytes`` in force (`cdinterop.limits`, 16 MiB by default)."""

    def __post_init__(self) -> None:
        if self.header_row < 1:
            raise ValueError("header_row is 1-based and must be at least 1")
        if self.batch_rows < 1:
            raise ValueError("batch_rows must be at least 1")
        if self.max_field_bytes is not None and self.max_field_bytes < 1:
            raise ValueError("max_field_bytes must be at least 1")
        if self.encoding is not None:
            from cdinterop.ingest._spec import text_encoding

            text_encoding(self.encoding)
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise ValueError("delimiter must be a single character")


@dataclass(frozen=True)
class SourceInfo:
    """Facts about a submission file, known once it is opened (``form_version`` once read)."""

    path: str
    """The file's path, as given."""
    layout: Layout
    """The layout the file is read with (never ``AUTO``)."""
    encoding: str | None
    """The text encoding used (CSV), ``None`` for XLSX and JSON."""
    delimiter: str | None
    """The field delimiter (CSV), ``None`` otherwise."""
    size: int
    """Size of the file in bytes."""
    sha256: str
    """SHA-256 of the file's bytes, hex."""
    columns: tuple[str, ...]
    """Column names as in the file (Kobo group prefixes kept), in file order; the
    batches have these columns and ``_row``."""
    form_version: str | None
    """Kobo ``__version__`` / ODK ``FormVersion`` (most frequent value), ``None`` when
    the file has no such column; filled in after the batches have been read."""
    short_names: dict[str, str] = field(default_factory=dict)
    """Full column name to its last group-path segment, for every column whose last
    segment is unique in the file (``group_x/question`` -> ``question``)."""


KOBO_VERSION_COLUMN = "__version__"
"""The column of a Kobo export (every layout) that holds the form version."""


def check_header(columns: Sequence[str], source: str) -> None:
    """Raise [`ReadError`][cdinterop.errors.ReadError] for empty or repeated column names (every
    layout)."""
    empty = [str(i) for i, name in enumerate(columns, start=1) if not name.strip()]
    if empty:
        raise ReadError(
            source,
            f"the header has empty column names at position(s) {', '.join(empty)}; "
            "every column needs a name",
        )
    counts = Counter(columns)
    duplicates = [f"{name!r} ({n}x)" for name, n in counts.items() if n > 1]
    if duplicates:
        raise ReadError(source, f"the header has duplicate column names: {', '.join(duplicates)}")


def short_names(columns: tuple[str, ...], separator: str) -> dict[str, str]:
    """Map each column to its last ``separator``-path segment where that segment is unique."""
    lasts = [name.rsplit(separator, 1)[-1] for name in columns]
    counts = Counter(lasts)
    return {
        name: last for name, last in zip(columns, lasts, strict=True) if counts[last] == 1 and last
    }


class FileDigest:
    """Size and SHA-256 of a file, computed in a background thread started at once.

    ``hashlib`` releases the GIL on large updates, so the digest runs on another core
    while the reader parses. With ``span=(start, end)`` only those bytes are hashed (a
    partition of a file read by byte ranges).
    """

    def __init__(self, path: Path, *, span: tuple[int, int] | None = None) -> None:
        self._path = path
        self._span = span
        self._sha256 = ""
        self._error: OSError | None = None
        self._thread = threading.Thread(target=self._run, name="cdinterop-sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        digest = hashlib.sha256()
        buffer = bytearray(_HASH_CHUNK)
        view = memoryview(buffer)
        try:
            with self._path.open("rb", buffering=0) as handle:
                left = -1
                if self._span is not None:
                    handle.seek(self._span[0])
                    left = self._span[1] - self._span[0]
                while left and (count := handle.readinto(buffer)):
                    if left > 0:
                        count = min(count, left)
                        left -= count
                    digest.update(view[:count])
        except OSError as exc:  # pragma: no cover - the reader fails on the same file first
            self._error = exc
        self._sha256 = digest.hexdigest()

    def _wait(self) -> None:
        self._thread.join()
        if self._error is not None:  # pragma: no cover
            raise ReadError(str(self._path), f"cannot read the file: {self._error}")

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the file (waits for the digest)."""
        self._wait()
        return self._sha256


def _field_limit_text(options: SourceOptions, limit: int) -> str:
    """How the longest field accepted was set, for messages."""
    if options.max_field_bytes is not None:
        return f"max_field_bytes={limit:,}"
    return (
        f"the limit field_bytes = {limit:,} bytes (raise it with --limit field_bytes=N or "
        "source.limits in the spec)"
    )


def _format_problem_location(unit: str, row: int | None) -> str:
    return f"{unit} {row}" if row is not None else unit


class Submission(ABC):
    """An opened submission file, as [`open_submission()`][cdinterop.ingest.open_submission]
    returns it: read its records with `batches()`, then look at `problems()`.

    What is known once the file is opened: `columns`, `file_columns`, `schema` and
    `path`. `info` adds the layout, encoding, delimiter, size and SHA-256 (it waits for
    the SHA-256, computed in the background), and the form version once `batches()` has
    run to the end. `rows_read` and `problems()` grow while `batches()` runs; after the
    last batch, ``rows_read == rows in the batches + len(problems())``::

        with open_submission("submissions-kobo.csv") as sub:
            rows = sum(batch.num_rows for batch in sub.batches())
            for issue in sub.problems():
                print(issue.location, issue.message)
            assert sub.rows_read == rows + len(sub.problems())

    Use it as a context manager (or call `close()`) so that it is released. `batches()`
    can be called again: every call reads the file from the start and resets `problems()`
    and `rows_read`. Errors that stop the reading raise
    [`ReadError`][cdinterop.errors.ReadError].
    """

    row_unit: str = "row"
    """What ``_row`` counts, used in problem locations: ``line`` (CSV: the physical line
    a record starts on), ``row`` (XLSX: the Excel row) or ``record`` (JSON: the position,
    1-based, in the array of submissions)."""
    group_separator: str = "/"
    """The separator of group paths in column names (``/`` Kobo, ``-`` ODK)."""
    form_version_column: str | None = None
    """The column holding the form version, if the layout has one."""

    def __init__(
        self,
        path: Path,
        options: SourceOptions,
        *,
        layout: Layout,
        encoding: str | None,
        delimiter: str | None,
        columns: tuple[str, ...],
        digest: FileDigest,
    ) -> None:
        self._path = path
        self._options = options
        self._digest = digest
        self._layout = layout
        self._encoding = encoding
        self._delimiter = delimiter
        self._columns = columns
        self._problems: list[Issue] = []
        self._yielded = 0
        self._form_versions: Counter[str] = Counter()
        if layout.is_kobo and KOBO_VERSION_COLUMN in columns:
            self.form_version_column = KOBO_VERSION_COLUMN
        self._normalise_status = layout.is_kobo and "_validation_status" in columns
        out_columns = columns
        if self._normalise_status:
            out_columns = (*columns, "_validation_status_raw")
        self._out_columns = out_columns
        self._schema = pa.schema(
            [pa.field(name, pa.string()) for name in out_columns]
            + [pa.field(ROW_COLUMN, pa.int64(), nullable=False)]
        )
        self._raw_schema = pa.schema(
            [pa.field(name, pa.string()) for name in columns]
            + [pa.field(ROW_COLUMN, pa.int64(), nullable=False)]
        )
        self._info: SourceInfo | None = None
        self._closed = False

    # -- public API -------------------------------------------------------------------

    @property
    def info(self) -> SourceInfo:
        """Facts about the file: a `SourceInfo` with the path, the layout read with (never
        ``auto``), encoding and delimiter (CSV), size, SHA-256 and columns.

        The first access waits for the SHA-256 of the whole file (computed in a background
        thread from the moment the file is opened); use `columns` when only the columns
        are needed. ``form_version`` (Kobo ``__version__``, ODK ``FormVersion``) is
        ``None`` until `batches()` has run to the end; read `info` again after it."""
        if self._info is None:
            self._info = SourceInfo(
                path=str(self._path),
                layout=self._layout,
                encoding=self._encoding,
                delimiter=self._delimiter,
                size=self._path.stat().st_size,
                sha256=self._digest.sha256,
                columns=self._out_columns,
                form_version=None,
                short_names=short_names(self._out_columns, self.group_separator),
            )
        return self._info

    @property
    def path(self) -> str:
        """The file's path, as given (`SourceInfo.path`)."""
        return str(self._path)

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns of the batches without ``_row`` (`SourceInfo.columns`),
        known when the file is opened; unlike `info`, this does not wait for the
        SHA-256 of the file, which is computed in the background while it is read."""
        return self._out_columns

    @property
    def file_columns(self) -> tuple[str, ...]:
        """The column names of the file's header, in file order: `columns` without the
        ones the reader adds (``_validation_status_raw`` of Kobo layouts)."""
        return self._columns

    @property
    def schema(self) -> pa.Schema:
        """The Arrow schema of every batch: the columns as strings, then ``_row`` (int64)."""
        return self._schema

    @property
    def rows_read(self) -> int:
        """Records seen so far by the current `batches()` run: rows in the batches yielded
        plus problem rows (blank lines and empty rows are not records); the number of
        records in the file once `batches()` has run to the end."""
        return self._yielded + len(self._problems)

    def problems(self) -> list[Issue]:
        """The rows that could not be turned into records, in file order; call it after
        `batches()` has run to the end (before, it holds the problems found so far).

        Each is an [`Issue`][cdinterop.errors.Issue] with code ``read``, ``location``
        like ``line 12`` (see `row_unit`), ``row`` the row number (``None`` when unknown),
        a message saying what is wrong (wrong number of fields, a field longer than
        ``max_field_bytes``, a record cut off by a truncated file, an unbalanced quote and
        the lines it swallowed, values beyond the header) and the column at fault as
        ``component`` when there is one. The raw text of the record is never kept: it may
        hold columns a spec drops or pseudonymises (``value`` is ``None``). These rows
        are not in the batches. Returns a new list; an empty one when every record could
        be read."""
        return sorted(self._problems, key=lambda issue: (issue.row is None, issue.row or 0))

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Yield the records as Arrow record batches of at most
        [`SourceOptions.batch_rows`][cdinterop.ingest.SourceOptions] rows, in file order.

        Every batch has `schema`: one string column per column of the file (the raw text,
        empty cells null, nothing type-inferred) and ``_row``, the record's number in the
        file. Rows that cannot be read are left out and listed by `problems()`. Each call
        reads the file again from the start and resets `problems()` and `rows_read`; the
        file is read while the batches are taken, so a
        [`ReadError`][cdinterop.errors.ReadError] (bytes that do not decode, a record
        longer than the parser allows) can be raised during the iteration."""
        self._problems = []
        self._yielded = 0
        self._form_versions = Counter()
        rows = current().rows
        for raw in self._raw_batches():
            batch = self._finish(raw)
            if self.rows_read + batch.num_rows > rows:
                exceeded(
                    str(self._path),
                    "rows",
                    self.rows_read + batch.num_rows,
                    f"more than {rows:,} records",
                )
            size = self._options.batch_rows
            for start in range(0, batch.num_rows, size):
                part = batch.slice(start, size)
                self._yielded += part.num_rows
                yield part
        self._info = replace(self.info, form_version=self._form_version())

    def close(self) -> None:
        """Release the submission; leaving a ``with`` block calls it. The readers open the
        file per `batches()` call and close it when the iteration ends, so this only marks
        the submission closed; calling it twice is harmless."""
        self._closed = True

    def __enter__(self) -> Submission:
        """``with open_submission(path) as sub:`` gives the submission itself."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Call `close()` at the end of the ``with`` block; exceptions propagate."""
        self.close()

    # -- for the readers --------------------------------------------------------------

    @abstractmethod
    def _raw_batches(self) -> Iterator[pa.RecordBatch]:
        """Yield batches with the file's columns (strings) and ``_row``, problem rows
        already removed and reported through `_problem()`."""

    def _build(self, columns: list[list[str | None]], rows: list[int]) -> pa.RecordBatch:
        """A raw batch from Python lists of cell texts and row numbers."""
        arrays = [pa.array(values, pa.string()) for values in columns]
        arrays.append(pa.array(rows, pa.int64()))
        return pa.RecordBatch.from_arrays(arrays, schema=self._raw_schema)

    def _problem(
        self, row: int | None, message: str, value: object = None, *, column: str | None = None
    ) -> None:
        """Record a row that cannot be read: its number, what is wrong and the column at
        fault if one is. ``value`` is ignored: the text of a row that cannot be read is
        never kept, since it may hold columns a spec drops or pseudonymises."""
        del value
        where = _format_problem_location(self.row_unit, row)
        self._problems.append(
            Issue(location=where, code="read", message=message, component=column, row=row)
        )

    def _read_error(self, reason: str) -> ReadError:
        return ReadError(str(self._path), reason)

    # -- common post-processing -------------------------------------------------------

    def _finish(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        batch = self._drop_overlong(batch)
        if self.form_version_column is not None and batch.num_rows:
            counts = pc.value_counts(batch.column(self.form_version_column)).to_pylist()
            for item in counts:
                if item["values"] is not None:
                    self._form_versions[item["values"]] += item["counts"]
        if self._normalise_status:
            from cdinterop.ingest._sources.kobo import normalise_validation_status

            raw = batch.column("_validation_status")
            arrays = [batch.column(name) for name in self._columns]
            arrays[self._columns.index("_validation_status")] = normalise_validation_status(raw)
            arrays.append(raw)
            arrays.append(batch.column(ROW_COLUMN))
            batch = pa.RecordBatch.from_arrays(arrays, schema=self._schema)
        return batch

    @property
    def _field_limit(self) -> int:
        """The longest field accepted, in UTF-8 bytes."""
        given = self._options.max_field_bytes
        return given if given is not None else int(current().field_bytes)

    def _drop_overlong(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        limit = self._field_limit
        bad: pa.Array | None = None
        for name in self._columns:
            column = batch.column(name)
            data = column.buffers()[2] if column.null_count < len(column) else None
            if data is None or data.size <= limit:
                continue
            over = pc.fill_null(pc.greater(pc.binary_length(column), limit), False)
            bad = over if bad is None else pc.or_(bad, over)
        if bad is None or not pc.any(bad).as_py():
            return batch
        rows = batch.column(ROW_COLUMN).filter(bad).to_pylist()
        bad_rows = batch.filter(bad)
        for index, row in enumerate(rows):
            for name in self._columns:
                value = bad_rows.column(name)[index].as_py()
                if value is not None and len(value.encode("utf-8")) > limit:
                    self._problem(
                        row,
                        f"{self.row_unit} {row}: field {name!r} is "
                        f"{len(value.encode('utf-8')):,} bytes long, more than "
                        f"{_field_limit_text(self._options, limit)}; the row is left out",
                        column=name,
                    )
                    break
        return batch.filter(pc.invert(bad))

    def _form_version(self) -> str | None:
        if not self._form_versions:
            return None
        return self._form_versions.most_common(1)[0][0]
