"""Streaming writers of SDMX-ML data messages.

* SDMX-ML 2.1 structure-specific, flat (``dimensionAtObservation="AllDimensions"``) and
  time series (``dimensionAtObservation="TIME_PERIOD"``);
* SDMX-ML 2.1 generic (time series when the structure has a time dimension, else flat);
* SDMX-ML 3.0 structure-specific, flat and time series.

Observations go to disk in record batches; each batch is formatted column by column with
Arrow kernels (see `cdinterop.sdmx._columns`) and written from the resulting buffer.
Data-set-level attributes are written once, on the data set; series-level attributes on
the series (flat layouts repeat them on each observation, as SDMX requires).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import quoteattr

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop._files import binary_output
from cdinterop.errors import WriteError
from cdinterop.model import CitizenDataset, DataStructure
from cdinterop.model._internal import scalar_text
from cdinterop.sdmx._columns import (
    as_text,
    attribute_fragment,
    free_text_ids,
    join,
    write_strings,
    xml_escape,
)
from cdinterop.sdmx._dsd_schema import placement
from cdinterop.sdmx._urns import structure_ref_id, structure_urn, target_namespace

__all__ = ["NS", "write_generic", "write_structure_specific"]

NS = {
    "2.1": {
        "mes": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message",
        "com": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common",
        "ss": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific",
        "gen": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic",
    },
    "3.0": {
        "mes": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message",
        "com": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common",
        "ss": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/data/structurespecific",
    },
}
"""SDMX-ML namespaces per version."""
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
BATCH_ROWS = 65_536


@dataclass(frozen=True)
class _Columns:
    """The structure's components sorted by where their values go in one layout (the
    SDMX-ML rules of `cdinterop.sdmx._dsd_schema.placement`)."""

    dimensions: tuple[str, ...]
    time: str | None
    measures: tuple[str, ...]
    series_attributes: tuple[str, ...]
    observation_attributes: tuple[str, ...]
    dataset_attributes: tuple[str, ...]
    group_attributes: dict[str, tuple[str, ...]]
    """Attributes written on each group's ``Group`` elements (not on series or observations)."""
    free_text: frozenset[str]
    """Components whose values are free text and so need XML escaping."""

    @classmethod
    def of(cls, structure: DataStructure, version: str, dimension_at_observation: str) -> _Columns:
        place = placement(
            structure, version=version, dimension_at_observation=dimension_at_observation
        )
        return cls(
            dimensions=structure.series_key_ids,
            time=structure.time_dimension.id if structure.time_dimension else None,
            measures=tuple(m.id for m in structure.measures),
            series_attributes=place.series,
            observation_attributes=place.observation,
            dataset_attributes=place.dataset,
            group_attributes={g: ids for g, ids in place.groups.items() if ids},
            free_text=free_text_ids(structure),
        )

    @property
    def in_groups(self) -> frozenset[str]:
        """Attributes written only on ``Group`` elements."""
        series_or_obs = {*self.series_attributes, *self.observation_attributes}
        return frozenset(
            a for ids in self.group_attributes.values() for a in ids if a not in series_or_obs
        )


def _group_rows(
    ds: CitizenDataset, cols: _Columns
) -> Iterator[tuple[str, list[tuple[str, str]], list[tuple[str, str]]]]:
    """(group id, key values, attribute values) of each Group element: one per distinct
    combination of the group's dimensions that has a value of a group attribute."""
    table = ds.observations.table
    for group_id, attribute_ids in cols.group_attributes.items():
        dims = list(ds.structure.group(group_id).dimensions)
        distinct = (
            table.select([*dims, *attribute_ids])
            .group_by([*dims, *attribute_ids], use_threads=False)
            .aggregate([])
        )
        merged: dict[tuple[str, ...], dict[str, str]] = {}
        for record in distinct.to_pylist():
            key = tuple(scalar_text(record[d]) for d in dims)
            values = merged.setdefault(key, {})
            for a in attribute_ids:
                if record[a] is not None:
                    values.setdefault(a, scalar_text(record[a]))
        for key, values in merged.items():
            if values:
                yield group_id, list(zip(dims, key, strict=True)), list(values.items())


def _header(
    ds: CitizenDataset,
    version: str,
    ns: dict[str, str],
    structure_xml: str,
) -> str:
    prepared = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    message_id = f"CDI_{uuid.uuid4().hex[:16].upper()}"
    return (
        "<mes:Header>"
        f"<mes:ID>{message_id}</mes:ID><mes:Test>false</mes:Test>"
        f"<mes:Prepared>{prepared}</mes:Prepared>"
        f'<mes:Sender id="{ds.agency.replace(".", "_")}"/>'
        f"{structure_xml}"
        "</mes:Header>\n"
    )


def _structure_element(
    ds: CitizenDataset, version: str, dimension_at_observation: str, *, specific: bool
) -> str:
    s = ds.structure
    ns_attr = f' namespace="{target_namespace(s, dimension_at_observation)}"' if specific else ""
    if version == "2.1":
        ref = (
            f'<com:Structure><Ref agencyID="{s.agency}" id="{s.id}" version="{s.version}" '
            'class="DataStructure" package="datastructure"/></com:Structure>'
        )
    else:
        ref = f"<com:Structure>{structure_urn(s)}</com:Structure>"
    return (
        f'<mes:Structure structureID="{structure_ref_id(s)}"{ns_attr} '
        f'dimensionAtObservation="{dimension_at_observation}">{ref}</mes:Structure>'
    )


def _dataset_attribute_text(ds: CitizenDataset, names: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in names:
        value = ds.attribute_values.get(name)
        if value is None:
            continue
        values[name] = scalar_text(value)
    return values


def _ordered_batches(
    ds: CitizenDataset, cols: _Columns, series: bool, batch_rows: int
) -> Iterator[tuple[pa.RecordBatch, pa.Array]]:
    """Yield (batch, is-new-series flags). Series layouts group rows by series key,
    stably, in order of first appearance."""
    table = ds.observations.table
    if not series or not cols.dimensions:
        for batch in table.to_batches(max_chunksize=batch_rows):
            yield batch, pa.nulls(batch.num_rows, pa.bool_())
        return
    texts = [
        table[d] if pa.types.is_string(table[d].type) else pc.cast(table[d], pa.string())
        for d in cols.dimensions
    ]  # a series key is text, whatever the dimensions' value types
    keys = join(*[x for text in texts for x in (pc.fill_null(text, ""), "\x1f")])
    ordinal = pc.index_in(keys, value_set=pc.unique(keys))
    n = len(ordinal)
    grouped = n < 2 or pc.all(pc.greater_equal(ordinal.slice(1), ordinal.slice(0, n - 1))).as_py()
    order = None if grouped else pc.sort_indices(ordinal)  # stable
    ordered = ordinal if order is None else ordinal.take(order)
    flags = pc.not_equal(ordered.slice(1), ordered.slice(0, max(n - 1, 0)))
    is_new = (
        pa.concat_arrays([pa.array([True]), _as_array(flags)]) if n else pa.array([], pa.bool_())
    )
    if order is None:  # already grouped by series, as sorted data sets are: no copy
        start = 0
        for batch in table.to_batches(max_chunksize=batch_rows):
            yield batch, is_new.slice(start, batch.num_rows)
            start += batch.num_rows
        return
    for start in range(0, n, batch_rows):
        taken = table.take(order.slice(start, batch_rows)).combine_chunks().to_batches()
        if taken:
            yield taken[0], is_new.slice(start, batch_rows)


def _check_writable(ds: CitizenDataset, version: str) -> None:
    measures = ds.structure.measures
    if version == "2.1" and (len(measures) != 1 or measures[0].id != "OBS_VALUE"):
        ids = ", ".join(m.id for m in measures)
        raise WriteError(
            f"SDMX-ML 2.1 carries exactly one primary measure, OBS_VALUE; {ds.structure.id} "
            f"has {ids}. Use SDMX-ML 3.0 or SDMX-CSV 2.0."
        )


def write_structure_specific(
    ds: CitizenDataset,
    target: Any,
    *,
    version: str = "2.1",
    dimension_at_observation: str = "AllDimensions",
    batch_rows: int = BATCH_ROWS,
) -> None:
    """Write a structure-specific data message (SDMX-ML 2.1 or 3.0) to a path or stream.

    ``dimension_at_observation`` is ``"AllDimensions"`` (flat) or the time dimension id
    (time series). Paths are written atomically.
    """
    _check_writable(ds, version)
    s = ds.structure
    series = dimension_at_observation != "AllDimensions"
    if series and (s.time_dimension is None or s.time_dimension.id != dimension_at_observation):
        raise WriteError(
            f"dimension at observation {dimension_at_observation!r} must be the time "
            f"dimension of {s.id}; use 'AllDimensions' for the flat layout"
        )
    ns = NS[version]
    cols = _Columns.of(s, version, dimension_at_observation)
    namespace = target_namespace(s, dimension_at_observation)
    with binary_output(target) as handle:
        head = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<mes:StructureSpecificData xmlns:mes="{ns["mes"]}" xmlns:ss="{ns["ss"]}" '
            f'xmlns:com="{ns["com"]}" xmlns:xsi="{_XSI}" xmlns:ns1="{namespace}">\n'
            + _header(
                ds,
                version,
                ns,
                _structure_element(ds, version, dimension_at_observation, specific=True),
            )
        )
        dataset_attrs = "".join(
            f" {k}={quoteattr(v)}"
            for k, v in _dataset_attribute_text(ds, cols.dataset_attributes).items()
        )
        scope = ' ss:dataScope="DataStructure"' if version == "2.1" else ""  # 3.0 has none
        head += (
            f'<mes:DataSet ss:structureRef="{structure_ref_id(s)}" xsi:type="ns1:DataSetType"'
            f"{scope}{dataset_attrs}>\n"
        )
        for group_id, key, values in _group_rows(ds, cols):
            head += (
                f'<Group xsi:type="ns1:{group_id}"'
                + "".join(f" {k}={quoteattr(v)}" for k, v in (*key, *values))
                + "/>\n"
            )
        handle.write(head.encode())
        wrote_rows = False
        if series:
            obs_cols = (cols.time or "", *cols.measures, *cols.observation_attributes)
            series_cols = (*cols.dimensions, *cols.series_attributes)
        else:
            obs_cols = (
                *cols.dimensions,
                *((cols.time,) if cols.time else ()),
                *cols.measures,
                *cols.observation_attributes,
            )
            series_cols = ()

        def fragments(batch: pa.RecordBatch, names: tuple[str, ...]) -> list[Any]:
            return [
                attribute_fragment(c, batch.column(c), escape=c in cols.free_text) for c in names
            ]

        for batch, is_new in _ordered_batches(ds, cols, series, batch_rows):
            obs = join("<Obs", *fragments(batch, obs_cols), "/>\n")
            if series:
                flags = pc.fill_null(is_new, False)
                starts = batch.filter(flags)  # series openers only where a series starts
                opening = join("<Series", *fragments(starts, series_cols), ">\n")
                obs = join(_series_prefix(flags, opening, "</Series>\n", not wrote_rows), obs)
            write_strings(handle, obs)
            wrote_rows = wrote_rows or batch.num_rows > 0
        tail = "</Series>\n" if series and wrote_rows else ""
        handle.write(f"{tail}</mes:DataSet>\n</mes:StructureSpecificData>\n".encode())


def _series_prefix(flags: Any, openings: Any, closing_tag: str, first_in_message: bool) -> pa.Array:
    """Per row: close the previous series and open a new one where a series starts (the
    ``openings`` are given for those rows only); the message's first series closes none."""
    flags = _as_array(flags)
    texts = _as_array(join(closing_tag, openings))
    if first_in_message and len(texts):
        texts = pa.concat_arrays([_as_array(openings).slice(0, 1), texts.slice(1)])
    blank = pa.array([""] * len(flags), pa.string())
    return _as_array(pc.replace_with_mask(blank, flags, texts))


def _value_elements(
    batch: pa.RecordBatch, names: tuple[str, ...], wrapper: str, free_text: frozenset[str]
) -> pa.Array | pa.ChunkedArray:
    """``<gen:WRAPPER><gen:Value id= value=/>...</gen:WRAPPER>`` or '' when all are null."""
    if not names:
        return pa.array([""] * batch.num_rows, pa.string())
    values = []
    for n in names:
        text = as_text(batch.column(n))
        text = xml_escape(text, n) if n in free_text else text
        values.append(pc.fill_null(join(f'<gen:Value id="{n}" value="', text, '"/>'), ""))
    joined = join(*values)
    wrapped = join(f"<gen:{wrapper}>", joined, f"</gen:{wrapper}>")
    return pc.if_else(pc.equal(joined, ""), "", wrapped)


def write_generic(ds: CitizenDataset, target: Any, *, batch_rows: int = BATCH_ROWS) -> None:
    """Write an SDMX-ML 2.1 generic data message (series by time when possible)."""
    _check_writable(ds, "2.1")
    s = ds.structure
    ns = NS["2.1"]
    series = s.time_dimension is not None and bool(s.series_key_ids)
    dim_at_obs = s.time_dimension.id if series and s.time_dimension else "AllDimensions"
    cols = _Columns.of(s, "2.1", dim_at_obs)
    with binary_output(target) as handle:
        head = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<mes:GenericData xmlns:mes="{ns["mes"]}" xmlns:gen="{ns["gen"]}" '
            f'xmlns:com="{ns["com"]}">\n'
            + _header(ds, "2.1", ns, _structure_element(ds, "2.1", dim_at_obs, specific=False))
            + f'<mes:DataSet structureRef="{structure_ref_id(s)}">\n'
        )
        dataset_values = _dataset_attribute_text(ds, cols.dataset_attributes)
        if dataset_values:
            head += (
                "<gen:Attributes>"
                + "".join(
                    f'<gen:Value id="{k}" value={quoteattr(v)}/>' for k, v in dataset_values.items()
                )
                + "</gen:Attributes>\n"
            )
        for group_id, key, values in _group_rows(ds, cols):
            head += (
                f'<gen:Group type="{group_id}"><gen:GroupKey>'
                + "".join(f'<gen:Value id="{k}" value={quoteattr(v)}/>' for k, v in key)
                + "</gen:GroupKey><gen:Attributes>"
                + "".join(f'<gen:Value id="{k}" value={quoteattr(v)}/>' for k, v in values)
                + "</gen:Attributes></gen:Group>\n"
            )
        handle.write(head.encode())
        measure = cols.measures[0]
        wrote_rows = False
        for batch, is_new in _ordered_batches(ds, cols, series, batch_rows):
            value = pc.fill_null(
                join('<gen:ObsValue value="', as_text(batch.column(measure)), '"/>'), ""
            )
            if series:
                time = join(
                    '<gen:ObsDimension value="',
                    xml_escape(as_text(batch.column(dim_at_obs)), dim_at_obs),
                    '"/>',
                )
                attributes = _value_elements(
                    batch, cols.observation_attributes, "Attributes", cols.free_text
                )
                obs = join("<gen:Obs>", time, value, attributes, "</gen:Obs>\n")
                flags = pc.fill_null(is_new, False)
                starts = batch.filter(flags)
                opening = join(
                    "<gen:Series>",
                    _value_elements(starts, cols.dimensions, "SeriesKey", cols.free_text),
                    _value_elements(starts, cols.series_attributes, "Attributes", cols.free_text),
                    "\n",
                )
                obs = join(_series_prefix(flags, opening, "</gen:Series>\n", not wrote_rows), obs)
            else:
                key_names = (*cols.dimensions, *((cols.time,) if cols.time else ()))
                attributes = (*cols.series_attributes, *cols.observation_attributes)
                obs = join(
                    "<gen:Obs>",
                    _value_elements(batch, key_names, "ObsKey", cols.free_text),
                    value,
                    _value_elements(batch, attributes, "Attributes", cols.free_text),
                    "</gen:Obs>\n",
                )
            write_strings(handle, obs)
            wrote_rows = wrote_rows or batch.num_rows > 0
        tail = "</gen:Series>\n" if series and wrote_rows else ""
        handle.write(f"{tail}</mes:DataSet>\n</mes:GenericData>\n".encode())


def _as_array(column: Any) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
