"""Readers of SDMX data: SDMX-ML 2.1/3.0 structure-specific, 2.1 generic, SDMX-CSV 1.0/2.0
(SDMX-JSON 1.0/2.0/2.1: `cdinterop.sdmx._data_json_read`, dispatched from here).

Each reader streams the document (lxml ``iterparse`` with safe options, Arrow's CSV reader)
into columns of text, which [`Observations`][cdinterop.model.Observations] then casts and checks
against the structure. The format is recognised from the document itself.

Every SDMX-ML 2.1 data message is read: generic (``GenericData``, ``GenericTimeSeriesData``)
and structure-specific (``StructureSpecificData``, ``StructureSpecificTimeSeriesData``), flat
(``AllDimensions``), time series or cross-sectional (any dimension at the observation), with
or without ``Group`` elements; and SDMX-ML 3.0 structure-specific data, with ``Group`` and
``Atts`` elements. The values of a group (or of 3.0 ``Atts``, attributes with a partial key)
apply to every observation whose key matches the group's dimension values: they are joined
onto the table with Arrow, one join per set of group dimensions.

Each reader also returns the references the message makes to its structure (header, or the
SDMX-CSV structure columns), for [`check_references()`][cdinterop.sdmx._reference] to check.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from lxml import etree

from cdinterop import limits
from cdinterop._safe_xml import (
    check_prolog,
    dtd_error,
    parser_options,
    read_prolog,
    refuse_dtd,
)
from cdinterop._safe_xml import iterparse as safe_iterparse
from cdinterop.errors import Issue, ReadError
from cdinterop.model import AttachmentLevel, DataStructure
from cdinterop.sdmx._reference import StructureReference, parse_short_ref, parse_urn

__all__ = [
    "DataPayload",
    "HeaderStructure",
    "read_payload",
    "read_references",
    "sniff_format",
]

_Source = str | Path | IO[bytes] | bytes
"""A data message: a path, a binary stream or the bytes themselves."""
_CSV_LEAD = {
    "DATAFLOW",
    "STRUCTURE",
    "STRUCTURE_ID",
    "STRUCTURE_NAME",
    "ACTION",
    "SERIES_KEY",
    "OBS_KEY",
}
"""SDMX-CSV columns that are not components."""
_CSV_DATA_ACTIONS = {"I", "A", "R", "Information", "Append", "Replace"}
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_ROW = "__cdinterop_row__"
_REF_KINDS = {
    "Structure": "datastructure",
    "StructureUsage": "dataflow",
    "ProvisionAgrement": "dataprovision",  # sic, SDMX-ML 2.1
    "ProvisionAgreement": "dataprovision",
}


@dataclass(frozen=True)
class HeaderStructure:
    """One ``Structure`` element of an SDMX-ML header."""

    structure_id: str | None
    """The ``structureID`` that data sets refer to."""
    dimension_at_observation: str | None
    """``AllDimensions``, ``TIME_PERIOD`` or another dimension id."""
    namespace: str | None
    """The DSD-specific namespace (structure-specific data)."""
    reference: StructureReference | None
    """The structure (DSD, dataflow, provision agreement) it names."""
    line: int | None = None
    """Line of the element."""


@dataclass
class _KeyGroup:
    """Attribute values with a partial key: a 2.1/3.0 ``Group`` or a 3.0 ``Atts`` element."""

    key: dict[str, str]
    values: dict[str, str]
    where: str


@dataclass
class DataPayload:
    """What a data message holds: the observation table (text), data-set attributes, the
    structure references it makes and the problems found while reading."""

    table: pa.Table
    dataset_attributes: dict[str, str]
    format: str
    references: list[StructureReference] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    headers: list[HeaderStructure] = field(default_factory=list)


def _label(source: _Source) -> str:
    return "<bytes>" if isinstance(source, bytes) else str(getattr(source, "name", source))


def _short_label(source: _Source) -> str:
    label = _label(source)
    return Path(label).name if isinstance(source, str | Path) else label


def sniff_format(source: str | Path | IO[bytes] | bytes) -> str:
    """Recognise the format of a data message (a path, a binary stream or the bytes).

    Returns the name of the reader that reads it, one of ``ml21-ss``, ``ml21-generic``,
    ``ml30-ss``, ``csv10``, ``csv20``, ``json10``, ``json20`` and ``json21`` (SDMX-JSON:
    the version its schema reference or, failing that, its layout shows; see
    `cdinterop.sdmx._data_json_read`). These are not always keys of
    [`FORMATS`][cdinterop.sdmx.FORMATS]: one reader reads every layout of
    structure-specific data, so a time-series message (written as ``ml21-ss-ts`` or
    ``ml30-ss-ts``, or a 2.1 ``StructureSpecificTimeSeriesData``) comes back as ``ml21-ss``
    or ``ml30-ss``, and a 2.1 generic time-series message as ``ml21-generic``. Only the
    start of the document is read; a stream is left where it was.

    Raises [`ReadError`][cdinterop.errors.ReadError] when the content is none of them.
    """
    head = read_prolog(source)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        check_prolog(head, _label(source))
        namespace, name = _root_by_parsing(source)  # refuses a DTD wherever it is
        version = _MESSAGE_VERSIONS.get(namespace)
        if version is None:
            shown = f"namespace {namespace}" if namespace else "no namespace"
            raise ReadError(
                _label(source),
                f"<{name}> is not an SDMX data message: the root element is in {shown}, not "
                "an SDMX-ML 2.1 or 3.0 message namespace (http://www.sdmx.org/resources/sdmxml/schemas/v2_1/"
                "message or .../v3_0/message)",
            )
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
    if text.startswith(b"{"):
        from cdinterop.sdmx._data_json_read import sniff_json

        return sniff_json(head, _label(source))
    first = text.split(b"\n", 1)[0].decode("utf-8", "replace").strip().lstrip('"')
    if first.startswith("DATAFLOW"):
        return "csv10"
    if first.startswith("STRUCTURE"):
        return "csv20"
    raise ReadError(_label(source), "neither SDMX-ML nor SDMX-CSV nor SDMX-JSON (no XML root, "
                    "no DATAFLOW or STRUCTURE column, no JSON object)")  # fmt: skip


_MESSAGE_VERSIONS = {
    f"http://www.sdmx.org/resources/sdmxml/schemas/{v}/message": k
    for v, k in (("v2_1", "21"), ("v3_0", "30"), ("v3_1", "30"))
}
"""SDMX-ML message namespaces: the data messages cdinterop reads have their root in one."""

_ROOT_SEARCH_BYTES = 16 * 1024 * 1024
"""How far `sniff_format()` parses to find the root element after a long prolog."""


def _chunks(source: _Source, size: int = 65_536, *, whole: bool = False) -> Iterable[bytes]:
    """The first `_ROOT_SEARCH_BYTES` of a message (all of it if ``whole``) in chunks (a
    stream is rewound)."""
    most = None if whole else _ROOT_SEARCH_BYTES
    if isinstance(source, bytes):
        return _byte_chunks(source, size, most)
    if isinstance(source, str | Path):
        return _file_chunks(source, size)
    return _stream_chunks(source, size, most)


def _byte_chunks(source: bytes, size: int, most: int | None) -> Iterable[bytes]:
    """Chunks of the first ``most`` bytes (all if ``None``)."""
    for start in range(0, min(len(source), most or len(source)), size):
        yield source[start : start + size]


def _file_chunks(source: str | Path, size: int) -> Iterable[bytes]:
    """Chunks of a whole file (an error opening or reading it is a `ReadError`)."""
    try:
        with Path(source).open("rb") as handle:
            yield from iter(lambda: handle.read(size), b"")
    except OSError as exc:
        raise ReadError(str(source), exc.strerror or str(exc)) from None


def _stream_chunks(source: IO[bytes], size: int, most: int | None) -> Iterable[bytes]:
    """Chunks of the first ``most`` bytes of a stream (all if ``None``), which is then
    rewound to where it was."""
    position = source.tell()
    try:
        read = 0
        while (most is None or read < most) and (chunk := source.read(size)):
            read += len(chunk)
            yield chunk
    finally:
        source.seek(position)


def _root_by_parsing(source: _Source) -> tuple[str, str]:
    """The namespace and local name of the root element, found by lxml with the safe
    options; a DTD before it is refused (wherever it is)."""
    label = _label(source)
    parser = etree.XMLPullParser(events=("start",), **parser_options())
    try:
        for chunk in _chunks(source):
            parser.feed(chunk)
            for _event, element in parser.read_events():
                refuse_dtd(element, label)
                tag = str(element.tag)
                return tag[1:].split("}", 1)[0] if tag.startswith("{") else "", _local(tag)
    except etree.XMLSyntaxError as exc:
        refusal = dtd_error(exc, label)
        if refusal is not None:
            raise refusal from None
        raise ReadError(label, f"malformed XML: {exc}") from None
    raise ReadError(label, "no root element found")


# --------------------------------------------------------------------------- SDMX-ML


class _Rows:
    """Text columns filled row by row, in time linear in the values read: the structure's
    columns get a value (or null) on every row; a column the structure does not have is
    kept sparse (its rows and values) until the table is built, so that checks report it.
    The distinct columns, and the values of one row, are limited by ``columns``."""

    def __init__(self, names: tuple[str, ...], label: str) -> None:
        self.data: dict[str, list[str | None]] = {n: [] for n in names}
        self.extra: dict[str, tuple[list[int], list[str]]] = {}
        self.rows = 0
        self.label = label
        self.limit = limits.current().columns
        self.most_rows = limits.current().rows

    def add(self, values: dict[str, str], line: int | None = None) -> None:
        if self.rows >= self.most_rows:
            limits.exceeded(
                self.label, "rows", self.rows + 1, f"line {line}: observation {self.rows + 1:,}"
            )
        if len(values) > self.limit:
            limits.exceeded(
                self.label,
                "columns",
                len(values),
                f"line {line}: an observation with {len(values):,} values",
            )
        for name, column in self.data.items():
            column.append(values.get(name))
        if len(values) > len(self.data) or any(k not in self.data for k in values):
            for name in values.keys() - self.data.keys():
                found = self.extra.get(name)
                if found is None:
                    found = self.extra[name] = ([], [])
                    columns = len(self.data) + len(self.extra)
                    if columns > self.limit:
                        limits.exceeded(
                            self.label,
                            "columns",
                            columns,
                            f"line {line}: a message with {columns:,} distinct components",
                        )
                found[0].append(self.rows)
                found[1].append(values[name])
        self.rows += 1

    def table(self) -> pa.Table:
        columns = {k: pa.array(v, pa.string()) for k, v in self.data.items()}
        for name, (rows, values) in self.extra.items():
            dense: list[str | None] = [None] * self.rows
            for row, value in zip(rows, values, strict=True):
                dense[row] = value
            columns[name] = pa.array(dense, pa.string())
        return pa.table(columns)


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


_MANY_ATTRIBUTES = 64
"""From this many attributes on, an element's attributes are read by `_many_attributes`
(lxml looks each value up by name, which takes time quadratic in their number)."""


def _plain_attributes(element: Any, label: str) -> dict[str, str]:
    """The attributes of ``element`` without a namespace, refused beyond ``columns``."""
    count = len(element.attrib)
    if count < _MANY_ATTRIBUTES:
        return {k: v for k, v in element.attrib.items() if not k.startswith("{")}
    limits.exceeded(
        label,
        "columns",
        count,
        f"line {element.sourceline}: <{_local(element.tag)}> with {count:,} attributes",
    )
    return {k: v for k, v in _many_attributes(element).items() if not k.startswith("{")}


class _FirstStart:
    """A parser target that keeps the attributes of the first element."""

    def __init__(self) -> None:
        self.attributes: dict[str, str] | None = None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.attributes is None:
            self.attributes = dict(attrib)

    def close(self) -> dict[str, str]:
        return self.attributes or {}


def _many_attributes(element: Any) -> dict[str, str]:
    """All attributes of ``element`` in time linear in their number: the element is
    serialised (libxml2 walks its attributes once) and its start tag parsed again by a
    parser target, which receives them all at once."""
    text = etree.tostring(element, with_tail=False)
    # the text is libxml2's own serialisation of a parsed element, without a DTD: its
    # only references are character references (an "&" is written "&#38;")
    options = parser_options() | {"resolve_entities": True}
    parser = etree.XMLParser(target=_FirstStart(), **options)
    found: dict[str, str] = etree.fromstring(text, parser)
    return found


def _iterparse(source: _Source) -> Any:
    """The parse events of an SDMX-ML message; a DTD anywhere is refused at the first
    event (`cdinterop._safe_xml.iterparse`)."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    return safe_iterparse(stream, _label(source), events=("start", "end"))


def _child_reference(
    child: Any, kind: str, where: str, version_21: bool
) -> StructureReference | None:
    """The structure a header ``Structure``'s reference child names: its ``Ref``, else
    its ``URN`` (or, in SDMX-ML 3.0, the URN as text)."""
    ref = next((c for c in child if _local(c.tag) == "Ref"), None)
    if ref is not None and ref.get("id"):
        default = "1.0" if version_21 else None
        return StructureReference(
            kind, ref.get("agencyID", ""), ref.get("id"), ref.get("version", default), where
        )
    urn = next((c.text for c in child if _local(c.tag) == "URN"), None) or child.text or ""
    return parse_urn(urn, where)  # the URN says what it names


def _header_structure(element: Any, label: str, version_21: bool) -> HeaderStructure:
    """Read one header ``Structure`` element (its reference: a ``Ref``, a ``URN`` or, in
    SDMX-ML 3.0, the URN as text)."""
    reference = None
    for child in element:
        kind = _REF_KINDS.get(_local(child.tag))
        if kind is not None:
            where = f"{label}:{child.sourceline}"
            reference = _child_reference(child, kind, where, version_21)
            break
    return HeaderStructure(
        element.get("structureID"),
        element.get("dimensionAtObservation"),
        element.get("namespace"),
        reference,
        element.sourceline,
    )


def _type_reference(element: Any, label: str) -> StructureReference | None:
    """The structure a structure-specific data set's ``xsi:type`` belongs to: its
    namespace is ``[URN of the DSD or dataflow]:ObsLevelDim:[dimension]``."""
    qname = element.get(_XSI_TYPE)
    if not qname:
        return None
    prefix = qname.split(":", 1)[0] if ":" in qname else None
    namespace = element.nsmap.get(prefix) or ""
    urn = namespace.split(":ObsLevelDim:", 1)[0]
    return parse_urn(urn, f"{label}:{element.sourceline}")


class _XmlReader:
    """State shared by the two SDMX-ML readers."""

    def __init__(self, source: _Source, structure: DataStructure) -> None:
        self.source = source
        self.structure = structure
        self.label = _short_label(source)
        self.rows = _Rows(structure.column_ids, _label(source))
        self.dataset: dict[str, str] = {}
        self.groups: list[_KeyGroup] = []
        self.issues: list[Issue] = []
        self.headers: list[HeaderStructure] = []
        self.type_references: list[StructureReference] = []
        self.version_21 = True

    def header(self, element: Any) -> None:
        self.headers.append(_header_structure(element, self.label, self.version_21))

    def group(self, type_name: str, values: dict[str, str], key: dict[str, str] | None,
              line: int | None) -> None:  # fmt: skip
        """A 2.1/3.0 ``Group``: ``values`` holds every value, or only the attributes when
        ``key`` is given (generic data)."""
        where = f"{self.label}:{line}"
        known = {g.id: g for g in self.structure.groups}
        if type_name not in known:
            self.issues.append(self._unknown_group(type_name, list(known), where))
            return
        dims = known[type_name].dimensions
        if key is None:
            key = {d: values[d] for d in dims if d in values}
            values = {k: v for k, v in values.items() if k not in dims}
        problem = _group_key_problem(dims, key)
        if problem is not None:
            self.issues.append(
                Issue(
                    where,
                    "group-key",
                    f"group {type_name!r} {problem} (its dimensions: {', '.join(dims)}); its "
                    "attribute values are not applied",
                )
            )
            return
        self.groups.append(_KeyGroup(key, values, where))

    def _unknown_group(self, type_name: str, known: list[str], where: str) -> Issue:
        """The issue for a group whose type the structure does not have."""
        groups = ", ".join(known) or "none"
        return Issue(
            where,
            "unknown-group",
            f"group type {type_name!r} is not a group of DSD {self.structure.ref} (its "
            f"groups: {groups}); its attribute values are not applied",
            type_name,
        )

    def atts(self, values: dict[str, str], line: int | None) -> None:
        """A 3.0 ``Atts`` element: the dimension values are the key, the rest attributes."""
        keys = set(self.structure.key_ids)
        key = {k: v for k, v in values.items() if k in keys}
        rest = {k: v for k, v in values.items() if k not in keys}
        self.groups.append(_KeyGroup(key, rest, f"{self.label}:{line}"))

    def payload(self, kind: str) -> DataPayload:
        table = _apply_groups(self.rows.table(), self.groups, self.structure, self.dataset)
        references = [h.reference for h in self.headers if h.reference is not None]
        references += self.type_references
        issues = [*self.issues, *_group_conflicts(self.groups, self.structure)]
        return DataPayload(table, self.dataset, kind, references, issues, self.headers)

    def start(self, name: str, element: Any, depth: list[str]) -> None:
        """Read what an element's start tag holds (``depth``: the names of its ancestors)."""

    def end(self, name: str, parent: str, element: Any) -> None:
        """Read a complete element (``parent``: the name of its parent, or ``""``)."""


def _group_key_problem(dims: Sequence[str], key: dict[str, str]) -> str | None:
    """What is wrong with a group's key: dimensions it lacks, else ones it should not
    have; ``None`` when it has exactly the group's dimensions."""
    missing = [d for d in dims if d not in key]
    if missing:
        return f"lacks dimension(s) {', '.join(missing)}"
    extra = [d for d in key if d not in dims]
    if extra:
        return f"has dimension(s) {', '.join(extra)} that the group does not have"
    return None


def _walk(source: _Source, reader: _XmlReader) -> None:
    """Stream a message's elements to ``reader``: each start tag, then each complete
    element with the name of its parent."""
    depth: list[str] = []
    for event, element in _iterparse(source):
        name = _local(element.tag)
        if event == "start":
            reader.start(name, element, depth)
            depth.append(name)
            continue
        depth.pop()
        reader.end(name, depth[-1] if depth else "", element)


class _StructureSpecificReader(_XmlReader):
    """Structure-specific data: values are the XML attributes of ``DataSet``, ``Series``,
    ``Obs``, ``Group`` and (3.0) ``Atts``."""

    def __init__(self, source: _Source, structure: DataStructure) -> None:
        super().__init__(source, structure)
        self.series: dict[str, str] = {}

    def values(self, element: Any) -> dict[str, str]:
        """The element's values (its attributes without a namespace)."""
        return _plain_attributes(element, self.rows.label)

    def start(self, name: str, element: Any, depth: list[str]) -> None:
        if not depth:
            self.version_21 = "/v2_1/" in str(element.tag)
        if name == "DataSet":
            self.dataset = self.values(element)
            ref = _type_reference(element, self.label)
            if ref is not None:
                self.type_references.append(ref)
        elif name == "Series":
            self.series = self.values(element)

    def end(self, name: str, parent: str, element: Any) -> None:
        if name == "Obs":
            self.rows.add({**self.series, **self.values(element)}, element.sourceline)
            element.clear()
        elif name == "Series":
            self.series = {}
            element.clear()
        elif name == "Group" and parent == "DataSet":
            type_name = (element.get(_XSI_TYPE) or "").rsplit(":", 1)[-1]
            self.group(type_name, self.values(element), None, element.sourceline)
            element.clear()
        elif name == "Atts" and parent == "DataSet":
            self.atts(self.values(element), element.sourceline)
            element.clear()
        elif name == "Structure" and parent == "Header":
            self.header(element)


def _read_structure_specific(source: _Source, structure: DataStructure) -> DataPayload:
    reader = _StructureSpecificReader(source, structure)
    _walk(source, reader)
    return reader.payload("structure-specific")


def _values(element: Any) -> dict[str, str]:
    return {
        v.get("id"): v.get("value") for v in element if _local(v.tag) == "Value" and v.get("id")
    }


class _GenericReader(_XmlReader):
    """Generic data: values are ``Value``, ``ObsDimension`` and ``ObsValue`` elements."""

    def __init__(self, source: _Source, structure: DataStructure) -> None:
        super().__init__(source, structure)
        self.series: dict[str, str] = {}
        self.time_id = structure.time_dimension.id if structure.time_dimension else "TIME_PERIOD"
        self.measure = structure.measures[0].id

    def end(self, name: str, parent: str, element: Any) -> None:
        if parent == "DataSet" and name in ("Attributes", "Group"):
            self.dataset_part(name, element)
        elif name == "Structure" and parent == "Header":
            self.header(element)
        else:
            self.series_part(name, parent, element)

    def dataset_part(self, name: str, element: Any) -> None:
        """A data set's ``Attributes`` (its own values) or a ``Group``."""
        if name == "Attributes":
            self.dataset = _values(element)
        else:
            self.generic_group(element)
            element.clear()

    def series_part(self, name: str, parent: str, element: Any) -> None:
        """An ``Obs``, or a series key or attributes, or the end of a series."""
        if name == "Obs":
            self.rows.add(self.observation(element), element.sourceline)
            element.clear()
        elif name == "SeriesKey" or (name == "Attributes" and parent == "Series"):
            self.series.update(_values(element))
        elif name == "Series":
            self.series = {}
            element.clear()

    def observation(self, element: Any) -> dict[str, str]:
        """The values of an ``Obs``, after those of its series."""
        row = dict(self.series)
        for child in element:
            child_name = _local(child.tag)
            if child_name == "ObsDimension":
                row[child.get("id") or _observation_dimension(self, self.time_id)] = child.get(
                    "value"
                )
            elif child_name == "ObsValue":
                row[self.measure] = child.get("value")
            elif child_name in ("Attributes", "ObsKey"):
                row.update(_values(child))
        return row

    def generic_group(self, element: Any) -> None:
        """A generic ``Group``: its ``GroupKey`` and ``Attributes``."""
        key: dict[str, str] = {}
        values: dict[str, str] = {}
        for child in element:
            if _local(child.tag) == "GroupKey":
                key.update(_values(child))
            elif _local(child.tag) == "Attributes":
                values.update(_values(child))
        self.group(element.get("type") or "", values, key, element.sourceline)


def _read_generic(source: _Source, structure: DataStructure) -> DataPayload:
    reader = _GenericReader(source, structure)
    _walk(source, reader)
    return reader.payload("generic")


def _observation_dimension(reader: _XmlReader, time_id: str) -> str:
    """The dimension an ``ObsDimension`` without ``id`` gives (time series: the time)."""
    for header in reader.headers:
        level = header.dimension_at_observation
        if level and level != "AllDimensions":
            return level
    return time_id


# --------------------------------------------------------------------------- groups


def _dataset_level_ids(structure: DataStructure) -> set[str]:
    """Ids of the attributes attached to the whole data set."""
    return {a.id for a in structure.attributes if a.attachment is AttachmentLevel.DATASET}


_GroupValues = dict[tuple[str, ...], dict[tuple[str, ...], dict[str, str]]]
"""Group values by key dimensions, then by the key's values (the first value wins)."""


def _apply_to_all(
    table: pa.Table, values: dict[str, str], dataset_level: set[str], dataset: dict[str, str]
) -> pa.Table:
    """Values of a group without key dimensions: data-set attributes (unless given) and
    the nulls of every row."""
    for name, value in values.items():
        if name in dataset_level:
            dataset.setdefault(name, value)
        else:
            table = _coalesce(table, name, pa.array([value] * table.num_rows, pa.string()))
    return table


def _merge_group(by_dims: _GroupValues, dims: tuple[str, ...], group: _KeyGroup) -> None:
    """Add a group's values to those of its key (a value given before wins)."""
    merged = by_dims.setdefault(dims, {}).setdefault(tuple(group.key[d] for d in dims), {})
    for name, value in group.values.items():
        merged.setdefault(name, value)


def _group_table(
    dims: tuple[str, ...], keys: dict[tuple[str, ...], dict[str, str]], names: list[str]
) -> pa.Table:
    """One row per group key: its dimension values, then the values of ``names``."""
    return pa.table(
        {
            **{d: pa.array([k[i] for k in keys], pa.string()) for i, d in enumerate(dims)},
            **{n: pa.array([v.get(n) for v in keys.values()], pa.string()) for n in names},
        }
    )


def _join_group_values(
    table: pa.Table, dims: tuple[str, ...], keys: dict[tuple[str, ...], dict[str, str]]
) -> pa.Table:
    """Fill the nulls of each row with the values of the key it matches on ``dims`` (one
    left join, back in row order)."""
    names = sorted({n for values in keys.values() for n in values})
    if not names or table.num_rows == 0:
        return table
    right = _group_table(dims, keys, names)
    left = pa.table(
        {
            **{d: _column_or_nulls(table, d) for d in dims},
            _ROW: pa.array(range(table.num_rows), pa.int64()),
        }
    )
    joined = left.join(right, keys=list(dims), join_type="left outer").sort_by(_ROW)
    for name in names:
        table = _coalesce(table, name, joined.column(name))
    return table


def _apply_groups(
    table: pa.Table,
    groups: list[_KeyGroup],
    structure: DataStructure,
    dataset: dict[str, str],
) -> pa.Table:
    """Give each row the values of the groups whose key it matches (a value the row has
    itself wins). One left join per set of key dimensions, in row order."""
    if not groups:
        return table
    dataset_level = _dataset_level_ids(structure)
    order = {k: i for i, k in enumerate(structure.key_ids)}
    by_dims: _GroupValues = {}
    for group in groups:
        dims = tuple(sorted(group.key, key=lambda d: order.get(d, len(order))))
        if dims:
            _merge_group(by_dims, dims, group)
        else:
            table = _apply_to_all(table, group.values, dataset_level, dataset)
    for dims, keys in by_dims.items():
        table = _join_group_values(table, dims, keys)
    return table


def _column_or_nulls(table: pa.Table, name: str) -> Any:
    if name in table.column_names:
        return table.column(name)
    return pa.nulls(table.num_rows, pa.string())


def _coalesce(table: pa.Table, name: str, values: Any) -> pa.Table:
    """Column ``name`` with its nulls filled from ``values`` (added when missing)."""
    if name not in table.column_names:
        return table.append_column(name, values)
    index = table.column_names.index(name)
    return table.set_column(index, name, pc.coalesce(table.column(name), values))


def _group_conflicts(groups: list[_KeyGroup], structure: DataStructure) -> Iterable[Issue]:
    """Groups with the same key that give one attribute different values."""
    seen: dict[tuple[Any, ...], tuple[str, str]] = {}
    for group in groups:
        key = tuple(sorted(group.key.items()))
        for name, value in group.values.items():
            first = seen.setdefault((key, name), (value, group.where))
            if first[0] != value:
                shown = ", ".join(f"{k}={v}" for k, v in key) or "the data set"
                yield Issue(
                    group.where,
                    "group-conflict",
                    f"attribute {name} has the value {first[0]!r} for {shown} at {first[1]} "
                    f"and {value!r} here",
                    value,
                    component=name,
                )


# --------------------------------------------------------------------------- SDMX-CSV


@dataclass(frozen=True)
class _CsvHeader:
    delimiter: str
    names: list[str]
    """Column names as written."""
    ids: list[str]
    """Column ids: names without ``[...]`` suffixes or ``: label``."""


def _first_line(text: str) -> str:
    """The first line of ``text``, whatever its line end (LF, CRLF or CR alone)."""
    return re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]


def _csv_delimiter(first: str) -> str:
    match = re.match(r'^"?(?:DATAFLOW|STRUCTURE)(?:\[[^\]]*\])?"?(.)', first)
    return match.group(1) if match and match.group(1) not in "\"'" else ","


def _header_line(source: _Source) -> str:
    """The header row of an SDMX-CSV file, read up to its line end and refused beyond
    ``columns`` columns (or ``field_bytes`` bytes) while it is read."""
    label = _label(source)
    head = read_prolog(source).lstrip(b"\xef\xbb\xbf")
    delimiter = _csv_delimiter(_first_line(head.decode("utf-8", "replace"))).encode()
    line = bytearray()
    for chunk in _chunks(source, whole=True):
        end = min((i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0), default=-1)
        line += chunk if end < 0 else chunk[:end]
        columns = line.count(delimiter) + 1
        limits.exceeded(label, "columns", columns, f"a header row of at least {columns:,} columns")
        limits.exceeded(label, "field_bytes", len(line), "a header row longer than the limit")
        if end >= 0:
            break
    return bytes(line).removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")


def _csv_header(source: _Source) -> _CsvHeader:
    first = _header_line(source)
    if not first.strip():
        raise ReadError(
            _label(source),
            "line 1 is empty: an SDMX-CSV file begins with its header row (remove the "
            "blank lines before it)",
        )
    delimiter = _csv_delimiter(first)
    names = next(csv.reader([first], delimiter=delimiter), [])
    ids = []
    for name in names:
        text = re.sub(r"\[[^\]]*\]", "", name.split(": ", 1)[0]).strip()
        ids.append(text)
    return _CsvHeader(delimiter, names, ids)


def _csv_stream(source: _Source) -> Any:
    """What Arrow's CSV reader reads: a path's text, a buffer over bytes, or the stream."""
    if isinstance(source, str | Path):
        return str(source)
    return pa.BufferReader(source) if isinstance(source, bytes) else source


def _csv_table(source: _Source, header: _CsvHeader) -> pa.Table:
    """The rows after the header, as text columns named ``<position>:<id>`` (header ids
    may repeat), refused beyond the ``rows`` limit while they are read."""
    unique = [f"{i}:{n}" for i, n in enumerate(header.ids)]
    # a block holds whole rows: at least 1 MiB, more for a wide file
    block = max(1 << 20, 4 * sum(len(n) + 1 for n in header.names))
    rows_limit = limits.current().rows
    try:
        reader = pacsv.open_csv(
            _csv_stream(source),
            read_options=pacsv.ReadOptions(
                use_threads=True, column_names=unique, skip_rows=1, block_size=block
            ),
            parse_options=pacsv.ParseOptions(delimiter=header.delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in unique},
                null_values=[""],  # only an empty field is missing: "NA", "null" are text
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        batches = []
        rows = 0
        for batch in reader:
            rows += batch.num_rows
            if rows > rows_limit:
                limits.exceeded(_label(source), "rows", rows, f"at least {rows:,} rows")
            batches.append(batch)
        return pa.Table.from_batches(batches, schema=reader.schema)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ReadError(_label(source), f"not readable as CSV: {exc}") from None


def _refuse_deletions(columns: dict[str, Any], source: _Source) -> None:
    """Refuse rows whose ``ACTION`` is not a data action (I, A, R)."""
    action = columns.get("ACTION")
    if action is None:
        return
    actions = set(pc.unique(action).drop_null().to_pylist()) - _CSV_DATA_ACTIONS
    if actions:
        raise ReadError(
            _label(source),
            f"ACTION {', '.join(sorted(actions))}: rows that delete data are not "
            "observations; cdinterop reads data sets (actions I, A, R)",
        )


def _labelled_ids(structure: DataStructure, header: _CsvHeader) -> set[str]:
    """Columns whose values may read ``A: Value A`` (labels=both): coded components and
    the time, when the header has labels; else none (codes never hold ``": "``)."""
    if not any(": " in name for name in header.names):
        return set()
    return {
        c.id
        for c in structure.components
        if getattr(c, "codelist", None) is not None or c is structure.time_dimension
    }


def _constant_value(column: Any, name: str, source: _Source) -> str | None:
    """The one value of a data-set attribute's column (``None`` when empty); refused
    when it varies between rows."""
    values = pc.unique(column).drop_null().to_pylist()
    if len(values) > 1:
        raise ReadError(_label(source), f"data-set attribute {name} varies between "
                        f"rows: {values[:5]}")  # fmt: skip
    return values[0] if values else None


def _csv_components(
    columns: dict[str, Any], structure: DataStructure, header: _CsvHeader, source: _Source
) -> tuple[dict[str, Any], dict[str, str]]:
    """The observation columns (labels cut off) and the data-set attribute values."""
    dataset_level = _dataset_level_ids(structure)
    components = {c.id for c in structure.components}
    # SDMX-CSV 2.0 allows custom columns (e.g. UPDATED): they are left out when the file
    # has every dimension of the structure, else kept so that the checks show the misfit
    custom = "STRUCTURE" in columns and set(structure.key_ids) <= columns.keys()
    labelled = _labelled_ids(structure, header)
    dataset: dict[str, str] = {}
    kept: dict[str, Any] = {}
    for name, column in columns.items():
        if name in _CSV_LEAD or (custom and name not in components):
            continue
        if name in labelled:
            column = pc.replace_substring_regex(column, r"^([^:\s]+): .*$", r"\1")
        if name not in dataset_level:
            kept[name] = column
            continue
        value = _constant_value(column, name, source)
        if value is not None:
            dataset[name] = value
    return kept, dataset


def _read_csv(source: _Source, structure: DataStructure) -> DataPayload:
    header = _csv_header(source)
    table = _csv_table(source, header)
    columns = dict(zip(header.ids, table.columns, strict=True))
    references = _csv_references(columns, _short_label(source))
    _refuse_deletions(columns, source)
    kept, dataset = _csv_components(columns, structure, header, source)
    return DataPayload(pa.table(kept), dataset, "csv", references)


def _csv_references(columns: dict[str, Any], label: str) -> list[StructureReference]:
    """The distinct structure references of an SDMX-CSV file, located at their first row."""
    if "DATAFLOW" in columns:
        kinds = None
        ids = columns["DATAFLOW"]
    elif "STRUCTURE_ID" in columns:
        kinds = columns.get("STRUCTURE")
        ids = columns["STRUCTURE_ID"]
    else:
        return []
    pairs = pa.table(
        {"kind": kinds if kinds is not None else pa.nulls(len(ids), pa.string()), "id": ids}
    )
    found: list[StructureReference] = []
    distinct = pairs.group_by(["kind", "id"], use_threads=False).aggregate([])
    for row in distinct.to_pylist():
        if row["id"] is None:
            continue
        matches = pc.fill_null(pc.equal(ids, row["id"]), False)
        if kinds is not None:
            same_kind = pc.is_null(kinds) if row["kind"] is None else pc.equal(kinds, row["kind"])
            matches = pc.and_(matches, pc.fill_null(same_kind, False))
        first = pc.index(matches, True).as_py()
        kind = (row["kind"] or "dataflow").strip().lower()
        ref = parse_short_ref(kind, row["id"], f"{label} row {first + 1}")
        if ref is not None:
            found.append(ref)
    return found


# --------------------------------------------------------------------------- dispatch


def _read_json(source: _Source, structure: DataStructure) -> DataPayload:
    from cdinterop.sdmx._data_json_read import read_json

    return read_json(source, structure)


READERS: dict[str, Callable[[_Source, DataStructure], DataPayload]] = {
    "ml21-ss": _read_structure_specific,
    "ml30-ss": _read_structure_specific,
    "ml21-generic": _read_generic,
    "csv10": _read_csv,
    "csv20": _read_csv,
    "json10": _read_json,
    "json20": _read_json,
    "json21": _read_json,
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


def read_references(source: _Source) -> tuple[str, list[StructureReference]]:
    """The format and the structure references of a data message, from its start only (the
    SDMX-ML header, the first SDMX-CSV row, the links of SDMX-JSON structures before its
    data sets); a stream is left where it was."""
    kind = sniff_format(source)
    head = read_prolog(source)
    label = _short_label(source)
    if kind.startswith("csv"):
        return kind, _csv_head_references(head, label)
    if kind.startswith("json"):
        from cdinterop.sdmx._data_json_read import head_references

        return kind, head_references(head, label)
    return kind, _xml_head_references(head, label)


def _xml_head_references(head: bytes, label: str) -> list[StructureReference]:
    """The references of the header ``Structure`` elements and of the first data set's
    ``xsi:type``, in the start of an SDMX-ML message."""
    parser = etree.XMLPullParser(events=("start", "end"), **parser_options())
    depth: list[str] = []
    found: list[StructureReference] = []
    try:
        parser.feed(head)
        for event, element in parser.read_events():
            refuse_dtd(element, label)
            name = _local(element.tag)
            if event == "start":
                if name == "DataSet":
                    ref = _type_reference(element, label)
                    found.extend([ref] if ref is not None else [])
                    break
                depth.append(name)
                continue
            depth.pop()
            if name == "Structure" and depth and depth[-1] == "Header":
                header = _header_structure(element, label, "/v2_1/" in str(element.tag))
                if header.reference is not None:
                    found.append(header.reference)
    except etree.XMLSyntaxError:
        pass  # a truncated start (a header longer than the prolog) or bad XML: reading says
    return found


def _csv_head_references(head: bytes, label: str) -> list[StructureReference]:
    text = head.lstrip(b"\xef\xbb\xbf").decode("utf-8", "replace")
    delimiter = _csv_delimiter(_first_line(text))
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        names = [re.sub(r"\[[^\]]*\]", "", n).strip() for n in next(rows)]
        row = next(rows)
    except (StopIteration, csv.Error):
        return []
    values = dict(zip(names, row, strict=False))
    if "DATAFLOW" in values:
        ref = parse_short_ref("dataflow", values["DATAFLOW"], f"{label} row 1")
    elif "STRUCTURE_ID" in values:
        kind = values.get("STRUCTURE", "dataflow").strip().lower()
        ref = parse_short_ref(kind, values["STRUCTURE_ID"], f"{label} row 1")
    else:
        ref = None
    return [ref] if ref is not None else []
