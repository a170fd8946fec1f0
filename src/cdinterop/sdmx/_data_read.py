"""Readers of SDMX data: SDMX-ML 2.1/3.0 structure-specific, 2.1 generic, SDMX-CSV 1.0/2.0.

Each reader streams the document (lxml ``iterparse`` with safe options, Arrow's CSV reader)
into columns of text, which [`Observations`][cdinterop.model.Observations] then casts and checks
against the structure. The format is recognised from the document itself.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from lxml import etree

from cdinterop._safe_xml import check_prolog, parser_options, read_prolog
from cdinterop.errors import ReadError
from cdinterop.model import AttachmentLevel, DataStructure

__all__ = ["DataPayload", "read_payload", "sniff_format"]

_Source = str | Path | IO[bytes] | bytes
"""A data message: a path, a binary stream or the bytes themselves."""
_CSV_LEAD = {"DATAFLOW", "STRUCTURE", "STRUCTURE_ID", "ACTION"}


@dataclass
class DataPayload:
    """What a data message holds: observation columns (text) and data-set attributes."""

    columns: dict[str, list[str | None]]
    dataset_attributes: dict[str, str]
    format: str


def _label(source: _Source) -> str:
    return "<bytes>" if isinstance(source, bytes) else str(getattr(source, "name", source))


def sniff_format(source: str | Path | IO[bytes] | bytes) -> str:
    """Recognise the format of a data message (a path, a binary stream or the bytes).

    Returns the name of the reader that reads it, one of ``ml21-ss``, ``ml21-generic``,
    ``ml30-ss``, ``csv10`` and ``csv20``. These are not always keys of
    [`FORMATS`][cdinterop.sdmx.FORMATS]: one reader reads both layouts of
    structure-specific data, so a time-series message (written as ``ml21-ss-ts`` or
    ``ml30-ss-ts``) comes back as ``ml21-ss`` or ``ml30-ss``, and a 2.1 generic
    time-series message as ``ml21-generic``. Only the start of the document is read; a
    stream is left where it was.

    Raises [`ReadError`][cdinterop.errors.ReadError] when the content is none of them.
    """
    head = read_prolog(source)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        check_prolog(head, _label(source))
        root = re.search(rb"<([A-Za-z_][\w.-]*:)?(\w+)[\s/>]", re.sub(rb"<[?!][^>]*>", b"", text))
        if root is None:
            raise ReadError(_label(source), "no root element found")
        name = root.group(2).decode()
        version = "30" if b"/v3_0/message" in head or b"/v3_1/message" in head else "21"
        if name in ("StructureSpecificData", "StructureSpecificTimeSeriesData"):
            return f"ml{version}-ss"
        if name in ("GenericData", "GenericTimeSeriesData") and version == "21":
            return "ml21-generic"
        if name == "Structure":
            raise ReadError(
                _label(source),
                "this is a structure message, not data: read it with "
                "cdinterop.sdmx.read_structure, or pass it as structure= with the data",
            )
        raise ReadError(_label(source), f"<{name}> is not an SDMX data message cdinterop reads")
    first = text.split(b"\n", 1)[0].decode("utf-8", "replace").strip().lstrip('"')
    if first.startswith("DATAFLOW"):
        return "csv10"
    if first.startswith("STRUCTURE"):
        return "csv20"
    raise ReadError(_label(source), "neither SDMX-ML nor SDMX-CSV (no XML root, no DATAFLOW "
                    "or STRUCTURE column)")  # fmt: skip


class _Columns:
    """Text columns filled row by row."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.data: dict[str, list[str | None]] = {n: [] for n in names}
        self.rows = 0

    def add(self, values: dict[str, str]) -> None:
        extra = values.keys() - self.data.keys()
        for name in extra:  # not in the structure: kept, so that checks report it
            self.data[name] = [None] * self.rows
        for name, column in self.data.items():
            column.append(values.get(name))
        self.rows += 1


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _plain_attributes(element: Any) -> dict[str, str]:
    return {k: v for k, v in element.attrib.items() if not k.startswith("{")}


def _iterparse(source: _Source) -> Any:
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    return etree.iterparse(stream, events=("start", "end"), **parser_options())


def _read_structure_specific(source: _Source, structure: DataStructure) -> DataPayload:
    cols = _Columns(structure.column_ids)
    dataset: dict[str, str] = {}
    series: dict[str, str] = {}
    for event, element in _iterparse(source):
        name = _local(element.tag)
        if event == "start":
            if name == "DataSet":
                dataset = _plain_attributes(element)
            elif name == "Series":
                series = _plain_attributes(element)
            continue
        if name == "Obs":
            cols.add({**series, **_plain_attributes(element)})
            element.clear()
        elif name == "Series":
            series = {}
            element.clear()
    return DataPayload(cols.data, dataset, "structure-specific")


def _values(element: Any) -> dict[str, str]:
    return {
        v.get("id"): v.get("value") for v in element if _local(v.tag) == "Value" and v.get("id")
    }


def _read_generic(source: _Source, structure: DataStructure) -> DataPayload:
    cols = _Columns(structure.column_ids)
    dataset: dict[str, str] = {}
    series: dict[str, str] = {}
    time_id = structure.time_dimension.id if structure.time_dimension else "TIME_PERIOD"
    measure = structure.measures[0].id
    depth_names: list[str] = []
    for event, element in _iterparse(source):
        name = _local(element.tag)
        if event == "start":
            depth_names.append(name)
            continue
        depth_names.pop()
        parent = depth_names[-1] if depth_names else ""
        if name == "Attributes" and parent == "DataSet":
            dataset = _values(element)
        elif name == "Obs":
            row = dict(series)
            for child in element:
                child_name = _local(child.tag)
                if child_name == "ObsDimension":
                    row[child.get("id") or time_id] = child.get("value")
                elif child_name == "ObsValue":
                    row[measure] = child.get("value")
                elif child_name in ("Attributes", "ObsKey"):
                    row.update(_values(child))
            cols.add(row)
            element.clear()
        elif name == "SeriesKey" or (name == "Attributes" and parent == "Series"):
            series.update(_values(element))
        elif name == "Series":
            series = {}
            element.clear()
    return DataPayload(cols.data, dataset, "generic")


def _read_csv(source: _Source, structure: DataStructure) -> DataPayload:
    raw = source if isinstance(source, bytes) else None
    stream: Any = pa.BufferReader(raw) if raw is not None else source
    if isinstance(source, str | Path):
        stream = str(source)
    try:
        table = pacsv.read_csv(
            stream,
            read_options=pacsv.ReadOptions(use_threads=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in _header(source)},
                null_values=[""],  # only an empty field is missing: "NA", "null" are text
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise ReadError(_label(source), f"not readable as CSV: {exc}") from None
    dataset_level = {a.id for a in structure.attributes if a.attachment is AttachmentLevel.DATASET}
    dataset: dict[str, str] = {}
    columns: dict[str, list[str | None]] = {}
    for name in table.column_names:
        if name in _CSV_LEAD:
            continue
        column = table.column(name)
        if name in dataset_level:
            values = pc.unique(column).drop_null().to_pylist()
            if len(values) > 1:
                raise ReadError(_label(source), f"data-set attribute {name} varies between "
                                f"rows: {values[:5]}")  # fmt: skip
            if values:
                dataset[name] = values[0]
            continue
        columns[name] = column.to_pylist()
    return DataPayload(columns, dataset, "csv")


def _header(source: _Source) -> list[str]:
    head = read_prolog(source).lstrip(b"\xef\xbb\xbf")
    line = head.split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")
    return [cell.strip().strip('"') for cell in line.split(",")]


READERS: dict[str, Callable[[_Source, DataStructure], DataPayload]] = {
    "ml21-ss": _read_structure_specific,
    "ml30-ss": _read_structure_specific,
    "ml21-generic": _read_generic,
    "csv10": _read_csv,
    "csv20": _read_csv,
}
"""Reader of each recognised data format."""


def read_payload(source: _Source, structure: DataStructure) -> DataPayload:
    """Read a data message or SDMX-CSV file into text columns, given its structure."""
    kind = sniff_format(source)
    try:
        payload = READERS[kind](source, structure)
    except etree.XMLSyntaxError as exc:
        raise ReadError(_label(source), f"malformed XML: {exc}") from None
    payload.format = kind
    return payload
