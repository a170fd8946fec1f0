"""The rejects of an ingest run, gathered batch by batch in bounded memory.

Each batch's reject lines are sorted by (row, column) and kept as one *run*; the runs of
successive batches cover increasing rows, so the whole table is their concatenation, with
the rows the reader could not read (known at the end, anywhere in the file) merged in. Runs
are kept in memory up to `SPILL_BYTES`, then appended to a temporary Arrow IPC file, so a
file with millions of rejected rows does not hold them all. The counts the summary needs
(distinct rejected rows, per column at fault, per reason code) are taken per batch: a source
row belongs to one batch only.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc

from cdinterop._files import spilling

__all__ = ["REJECTS_SCHEMA", "REJECT_COLUMNS", "SPILL_BYTES", "Rejects"]

REJECT_COLUMNS = ("row", "column", "value", "reason", "code")
"""Columns of the rejects table (and of ``rejects.csv``); ``code`` is the reject's kind, an
[`IssueCode`][cdinterop.issue_codes.IssueCode]."""
REJECTS_SCHEMA = pa.schema(
    [(name, pa.int64() if name == "row" else pa.string()) for name in REJECT_COLUMNS]
)
SOURCE_SCHEMA = pa.schema([("source", pa.string()), *REJECTS_SCHEMA])
"""The rejects of a run over several files: each line names its file first."""
SPILL_BYTES = 64 * 2**20
"""Reject runs held in memory before they go to a temporary file."""
_SHOWN_CHARS = 200
"""A value longer than this is shown in the rejects by its start and ``…``."""


def _shortened(values: pa.Array) -> pa.Array:
    """``values`` with every text longer than `_SHOWN_CHARS` cut to its start and ``…``."""
    long = pc.fill_null(pc.greater(pc.utf8_length(values), _SHOWN_CHARS), False)
    if not pc.any(long).as_py():
        return values
    start = pc.utf8_slice_codeunits(values, 0, _SHOWN_CHARS)
    cut = pc.binary_join_element_wise(start, pa.scalar("…"), "")
    return pc.if_else(long, cut, values)


class Rejects:
    """Reject lines of a run, batch by batch: ``add()`` lines of the current batch,
    ``end_batch()`` after each batch, ``end_unread()`` after the lines of the rows the
    reader could not read; then ``tables()`` (sorted) or ``table()``. ``close()`` removes
    the spill file."""

    def __init__(self, spill_bytes: int = SPILL_BYTES, *, with_source: bool = False) -> None:
        self.schema = SOURCE_SCHEMA if with_source else REJECTS_SCHEMA
        """The columns of the lines: `REJECTS_SCHEMA`, with ``source`` first when the run
        reads several files."""
        self.source = ""
        """The name of the file being read (the ``source`` of the lines added)."""
        self._pending: list[pa.Table] = []
        self._runs: list[pa.Table] = []
        self._held = 0
        self._spill_bytes = spill_bytes
        self._spill: Path | None = None
        self._writer: ipc.RecordBatchStreamWriter | None = None
        self._unread: list[tuple[int, pa.Table]] = []
        self._kept_runs = 0
        self.rows = 0
        """Distinct rejected rows so far."""
        self.by_column: Counter[str] = Counter()
        """Rejected rows per column at fault (a row counts once per column)."""
        self.by_code: Counter[str] = Counter()
        """Rejected rows per reason code (a row counts once per code)."""

    @classmethod
    def of_table(cls, table: pa.Table) -> Rejects:
        """The reject lines of ``table`` (sorted by row and column, e.g. an
        [`IngestResult`][cdinterop.ingest.IngestResult]'s ``rejects``) as one run."""
        rejects = cls(with_source="source" in table.column_names)
        if table.num_rows:
            rejects._keep(table)
        return rejects

    # -- adding ------------------------------------------------------------------------
    def add(
        self, rows: pa.Array, column: str, values: pa.Array | None, reasons: pa.Array, *, code: str
    ) -> None:
        """Reject ``rows`` (source rows) under ``column`` with the values shown (``None``:
        not shown) and the reasons."""
        if len(rows) == 0:
            return
        text = values if values is not None else pa.nulls(len(rows), pa.string())
        if not pa.types.is_string(text.type):
            text = pc.cast(text, pa.string())
        columns = [
            rows.cast(pa.int64()),
            pa.repeat(column, len(rows)),
            _shortened(text),
            reasons,
            pa.repeat(pa.scalar(code, pa.string()), len(rows)),
        ]
        if self.schema is SOURCE_SCHEMA:
            columns.insert(0, pa.repeat(pa.scalar(self.source, pa.string()), len(rows)))
        self._pending.append(pa.table(columns, schema=self.schema))

    def end_batch(self) -> None:
        """Close the current batch: count its rows and keep its lines as a sorted run."""
        if not self._pending:
            return
        run = self._counted(self._pending)
        self._pending = []
        self._keep(run)

    def add_run(self, lines: pa.Table) -> None:
        """Add the lines of another run's rows (e.g. a partition's ``table()``, rows that
        follow those added so far in the same file or are of a later file), counted, as one
        sorted run."""
        if lines.num_rows:
            self._keep(self._counted([lines]))

    def end_unread(self) -> None:
        """Close the lines added since the last batch as those of the rows the reader could
        not read (anywhere in the file, disjoint from the batches' rows)."""
        unread = self._counted(self._pending) if self._pending else self.schema.empty_table()
        self._pending = []
        self._unread.append((self._kept_runs, unread))

    def _counted(self, tables: list[pa.Table]) -> pa.Table:
        run = pa.concat_tables(tables).sort_by([("row", "ascending"), ("column", "ascending")])
        rows = run.column("row").to_numpy()
        self.rows += len(np.unique(rows))
        for name, counter in (("column", self.by_column), ("code", self.by_code)):
            pairs = run.select(["row", name]).group_by(name).aggregate([("row", "count_distinct")])
            keys = pc.fill_null(pairs.column(name), "").to_pylist()
            counter.update(
                dict(zip(keys, pairs.column("row_count_distinct").to_pylist(), strict=True))
            )
        return run

    def _keep(self, run: pa.Table) -> None:
        self._kept_runs += 1
        if self._writer is None and self._held + run.nbytes <= self._spill_bytes:
            self._runs.append(run)
            self._held += run.nbytes
            return
        with spilling("the rejects"):
            if self._writer is None:
                descriptor, name = tempfile.mkstemp(prefix="cdinterop-rejects-", suffix=".arrows")
                os.close(descriptor)
                self._spill = Path(name)
                self._writer = ipc.new_stream(str(self._spill), self.schema)
                for kept in self._runs:
                    self._writer.write_table(kept)
                self._runs, self._held = [], 0
            self._writer.write_table(run)

    # -- reading -----------------------------------------------------------------------
    def _batch_runs(self) -> Iterator[pa.Table]:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._spill is not None:
            with ipc.open_stream(pa.OSFile(str(self._spill))) as reader:
                for batch in reader:
                    yield pa.Table.from_batches([batch])
        yield from self._runs

    def tables(self) -> Iterator[pa.Table]:
        """The reject lines sorted by file (in the order read) and (row, column), a run at a
        time."""
        self.end_batch()
        runs = self._batch_runs()
        done = 0
        for upto, unread in [*self._unread, (self._kept_runs, self.schema.empty_table())]:
            segment = (next(runs) for _ in range(upto - done))
            yield from _merged(segment, unread)
            done = upto

    def table(self) -> pa.Table:
        """Every reject line, sorted by (row, column), as one table."""
        parts = list(self.tables())
        return pa.concat_tables(parts) if parts else self.schema.empty_table()

    def write_csv(self, path: Path) -> None:
        """Write the lines as ``rejects.csv``, run by run, each text cell that a spreadsheet
        would run as a formula neutralised (`cdinterop._formulas.neutralise`)."""
        from cdinterop._formulas import neutralise

        with pacsv.CSVWriter(str(path), self.schema) as writer:
            for run in self.tables():
                writer.write_table(neutralise(run))

    def close(self) -> None:
        """Remove the temporary file, if any."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._spill is not None:
            self._spill.unlink(missing_ok=True)
            self._spill = None

    def __del__(self) -> None:
        self.close()


def _merged(runs: Iterator[pa.Table], unread: pa.Table) -> Iterator[pa.Table]:
    """The runs of one file (increasing rows) with the lines of its unread rows merged in,
    sorted by (row, column)."""
    order = [("row", "ascending"), ("column", "ascending")]
    rows = unread.column("row").to_numpy()
    taken = 0
    for run in runs:
        last = int(run.column("row")[-1].as_py())
        upto = int(np.searchsorted(rows, last, side="right"))
        if upto > taken:
            run = pa.concat_tables([unread.slice(taken, upto - taken), run]).sort_by(order)
            taken = upto
        yield run
    if taken < unread.num_rows:
        yield unread.slice(taken)
