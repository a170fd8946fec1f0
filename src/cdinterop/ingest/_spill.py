"""Accepted unit records kept on disk instead of in memory while a run streams.

A run that returns or writes its unit records (``ingest``, ``convert`` without an
aggregation) must hold them all at the end. `SpilledRecords` writes each accepted batch
to an Arrow IPC file in a temporary folder as it comes, and at the end maps that file
into memory: the records become a table whose buffers are pages of the file, read by the
kernel when a writer touches them and dropped again under memory pressure (clean,
file-backed pages, not the process's own memory). The file is unlinked as soon as it is
mapped, so nothing is left behind whatever happens next; the mapping keeps the data alive
for as long as the table is referenced.

Below ``memory_rows`` accepted rows nothing is written: the batches stay in memory, as
small runs (tests, the examples) gain nothing from a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc

from cdinterop._files import spilling
from cdinterop.model import DataStructure, Observations
from cdinterop.model._internal import conformed_observations

__all__ = ["MEMORY_ROWS", "SpilledRecords"]

MEMORY_ROWS = 1 << 18
"""Accepted rows kept in memory before the records go to a file (262,144)."""


class SpilledRecords:
    """A record sink (see `cdinterop.ingest._stream.RecordSink`) that keeps the accepted
    batches in memory up to ``memory_rows`` rows (default `MEMORY_ROWS`), then in an Arrow
    IPC file in ``folder`` (default: the system's temporary folder), mapped back into
    memory by `observations`."""

    def __init__(self, *, memory_rows: int | None = None, folder: str | Path | None = None):
        self._memory_rows = MEMORY_ROWS if memory_rows is None else memory_rows
        self._folder = None if folder is None else str(folder)
        self._tables: list[pa.Table] = []
        self._rows = 0
        self._path: str | None = None
        self._writer: ipc.RecordBatchFileWriter | None = None
        self._sink: pa.OSFile | None = None
        self._schema = pa.schema([])

    @property
    def rows(self) -> int:
        """The accepted rows taken so far."""
        return self._rows

    @property
    def spilled(self) -> bool:
        """Whether the records went to a file."""
        return self._path is not None

    def add(self, records: pa.Table) -> None:
        """Take one batch of accepted, checked unit records."""
        if not records.num_rows:  # nothing to keep (its columns may even lack types)
            return
        self._rows += records.num_rows
        if self._writer is None:
            self._tables.append(records)
            if self._rows > self._memory_rows:
                with spilling("the unit records"):
                    self._open(records.schema)
                    for table in self._tables:
                        self._write(table)
                self._tables = []
            return
        with spilling("the unit records"):
            self._write(records)

    def _open(self, schema: pa.Schema) -> None:
        handle, self._path = tempfile.mkstemp(
            prefix="cdinterop-records-", suffix=".arrow", dir=self._folder
        )
        os.close(handle)
        self._sink = pa.OSFile(self._path, "wb")
        self._schema = schema
        self._writer = ipc.new_file(self._sink, schema)

    def _write(self, table: pa.Table) -> None:
        assert self._writer is not None
        self._writer.write_table(table.cast(self._schema))

    def table(self) -> pa.Table:
        """Every record taken, in order (mapped from the file when spilled); the sink is
        closed and its file unlinked."""
        if self._writer is None:
            tables, self._tables = self._tables, []
            return pa.concat_tables(tables) if tables else pa.table({})
        assert self._sink is not None and self._path is not None
        self._writer.close()
        self._sink.close()
        self._writer, self._sink, path, self._path = None, None, self._path, None
        try:
            table = ipc.open_file(pa.memory_map(path, "r")).read_all()
        finally:
            Path(path).unlink()  # the mapping keeps the pages; nothing is left behind
        return table

    def observations(self, structure: DataStructure) -> Observations:
        """The records as observations of ``structure`` (each batch was checked, and the
        checks across batches ran as they came)."""
        table = self.table()
        if table.num_columns == 0:
            empty, _issues = Observations.from_arrow(pa.table({})).conform(structure)
            return empty
        return conformed_observations(table, structure)

    def close(self) -> None:
        """Drop what was taken without reading it (a run that failed)."""
        self._tables = []
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._sink is not None:
            self._sink.close()
            self._sink = None
        if self._path is not None:
            Path(self._path).unlink(missing_ok=True)
