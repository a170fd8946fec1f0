"""Streaming writer of SDMX-CSV 1.0 and 2.0.

SDMX-CSV 1.0: ``DATAFLOW`` (``AGENCY:ID(VERSION)``), then one column per dimension, the
time dimension, the measures and every attribute (data-set-level attributes repeated on
each row). A missing decimal observation value is written ``NaN``, as SDMX does.

SDMX-CSV 2.0: ``STRUCTURE``, ``STRUCTURE_ID`` and ``ACTION`` ``I`` (information: the rows
are the whole data set) instead of ``DATAFLOW``; several measures allowed. The structure is
the data set's dataflow when cdinterop defines the DSD too (same agency), and the DSD itself
(``datastructure``) when it belongs to another agency (a DSD conformed to, such as the SDG
DSD): then the registry's own structure file, which has no dataflow of the publisher's,
reads the data. SDMX-CSV 1.0 can only name a dataflow.

Values are formatted by Arrow (shortest round-trip numbers, ISO 8601 dates) and written
batch by batch by Arrow's CSV writer; a batch is quoted (RFC 4180) only when some value in
it needs quotes.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cdinterop._files import binary_output
from cdinterop.errors import WriteError
from cdinterop.model import AttachmentLevel, CitizenDataset
from cdinterop.model._internal import scalar_text
from cdinterop.sdmx._columns import as_text, free_text_ids
from cdinterop.sdmx._data_xml import BATCH_ROWS

__all__ = ["csv_columns", "dataflow_ref", "structure_column", "write_csv"]


def dataflow_ref(ds: CitizenDataset) -> str:
    """``AGENCY:ID(VERSION)`` of the data set's dataflow."""
    return f"{ds.agency}:{ds.id}({ds.version})"


def structure_column(ds: CitizenDataset) -> tuple[str, str]:
    """``(STRUCTURE, STRUCTURE_ID)`` of SDMX-CSV 2.0: the dataflow, or the DSD when another
    agency maintains it."""
    s = ds.structure
    if s.agency != ds.agency:
        return "datastructure", s.ref
    return "dataflow", dataflow_ref(ds)


def csv_columns(ds: CitizenDataset) -> tuple[str, ...]:
    """Component columns in SDMX-CSV order: dimensions, time, measures, attributes."""
    s = ds.structure
    attrs = tuple(a.id for a in s.attributes)
    return s.key_ids + tuple(m.id for m in s.measures) + attrs


def _check_writable(ds: CitizenDataset, version: str) -> None:
    """Refuse what SDMX-CSV ``version`` cannot carry."""
    if version not in ("1.0", "2.0"):
        raise WriteError(f"unknown SDMX-CSV version {version!r} (1.0 or 2.0)")
    s = ds.structure
    if version == "1.0" and (len(s.measures) != 1 or s.measures[0].id != "OBS_VALUE"):
        raise WriteError("SDMX-CSV 1.0 carries one measure, OBS_VALUE; use SDMX-CSV 2.0")
    if len(ds.observations) == 0 and ds.attribute_values:
        raise WriteError(
            "SDMX-CSV carries data-set attributes on observation rows; this data set has "
            "attribute values but no observations"
        )


def _lead(ds: CitizenDataset, version: str) -> dict[str, str]:
    """The leading columns and their constant values: ``DATAFLOW`` (1.0), or
    ``STRUCTURE``, ``STRUCTURE_ID`` and ``ACTION`` (2.0)."""
    if version == "1.0":
        return {"DATAFLOW": dataflow_ref(ds)}
    return dict(zip(("STRUCTURE", "STRUCTURE_ID"), structure_column(ds), strict=True)) | {
        "ACTION": "I"
    }


class _Columns:
    """The text of each column of one batch of rows."""

    def __init__(self, ds: CitizenDataset, lead: dict[str, str]) -> None:
        s = ds.structure
        self.ds = ds
        self.lead = lead
        self.columns = csv_columns(ds)
        self.dataset_level = {a.id for a in s.attributes if a.attachment is AttachmentLevel.DATASET}
        self.measures = {m.id for m in s.measures}
        self.free_text = free_text_ids(s)
        self.names = [*lead, *self.columns]
        self.schema = pa.schema([(n, pa.string()) for n in self.names])

    def column(self, batch: pa.RecordBatch, c: str) -> pa.Array:
        """Column ``c`` as text: a data-set attribute repeated, a missing floating-point
        observation value ``NaN``, else the values formatted."""
        if c in self.dataset_level:
            value = self.ds.attribute_values.get(c)
            text = None if value is None else scalar_text(value)
            return pa.array([text] * batch.num_rows, pa.string())
        if c in self.measures and pa.types.is_floating(batch.column(c).type):
            # SDMX marks a missing (floating-point) observation value NaN
            return pc.fill_null(as_text(batch.column(c)), "NaN")
        return as_text(batch.column(c))

    def batch(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """The rows of ``batch`` as SDMX-CSV text, lead columns first."""
        n = batch.num_rows
        arrays = [pa.array([v] * n, pa.string()) for v in self.lead.values()]
        arrays.extend(self.column(batch, c) for c in self.columns)
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def needs_quotes(self, out: pa.RecordBatch) -> bool:
        """Whether some free-text value of a text batch needs quotes (RFC 4180): only
        free text can hold them (codes, periods and numbers were checked by the model)."""
        texts = [out.column(c) for c in self.columns if c in self.free_text]
        return any(pc.any(pc.match_substring_regex(a, r'^$|[,"\r\n]')).as_py() for a in texts)


def write_csv(
    ds: CitizenDataset, target: Any, *, version: str = "1.0", batch_rows: int = BATCH_ROWS
) -> None:
    """Write the observations as SDMX-CSV ``version`` ``"1.0"`` or ``"2.0"``."""
    _check_writable(ds, version)
    columns = _Columns(ds, _lead(ds, version))
    plain = pacsv.WriteOptions(include_header=False, quoting_style="none")
    quoted = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    with binary_output(target) as handle:
        handle.write((",".join(columns.names) + "\n").encode())
        for batch in ds.observations.table.to_batches(max_chunksize=batch_rows):
            out = columns.batch(batch)
            # quote only batches whose text needs it: Arrow's "needed" style quotes every
            # string, "none" refuses special characters
            options = quoted if columns.needs_quotes(out) else plain
            pacsv.write_csv(out, handle, write_options=options)
