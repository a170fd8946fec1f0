"""Streaming writer of SDMX-JSON data messages: 1.0, 2.0.0 and 2.1.0.

The message is flat (``dimensionAtObservation=AllDimensions``): one ``observations``
object whose keys are the indices of each dimension's value (``"0:3:1"``), as the SDMX
REST API returns ``AllDimensions`` data. Its structure part names the dataflow and DSD by
URN (the dataflow first, as the specification asks, when cdinterop defines both; the DSD
alone when another agency maintains it, as SDMX-CSV 2.0 does) and lists the values of every
component, with their names from the codelists:

* a dimension with one value is presented at the data set level, the others at the
  observation level (the specification's recommendation);
* data-set attributes go to the data set (``attributes``: index 0 or ``null``);
* attributes related to part of the key (series attributes when there is a time
  dimension, partial keys, groups) go to ``dimensionGroupAttributes`` in 2.0 and 2.1 (keys
  such as ``"0:1:"``: the group's dimensions given, the others left empty), and to the
  observations in 1.0, which has no such level;
* observation attributes go to the observations, after the measures: coded values as
  indices into the attribute's ``values``, other values inline (2.0, 2.1) or as indices
  too (1.0, which has no inline attribute values).

Values keep their JSON type: numbers and booleans as JSON numbers and booleans, the rest as
strings; a missing value is ``null``, a NaN measure ``"NaN"`` (SDMX-JSON's mark of an
intentionally missing number). Observations are formatted batch by batch with Arrow
kernels, like the SDMX-ML writers, and written straight from Arrow's buffers: only the
key indices of one column per dimension are held besides the data set.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop._files import binary_output
from cdinterop.errors import WriteError
from cdinterop.model import (
    AttachmentLevel,
    Attribute,
    CitizenDataset,
    Code,
    DataStructure,
    Dimension,
    TimeDimension,
    Usage,
    ValueType,
)
from cdinterop.model._internal import as_text, scalar_text
from cdinterop.sdmx._columns import join, write_strings
from cdinterop.sdmx._data_csv import dataflow_ref
from cdinterop.sdmx._data_xml import BATCH_ROWS

__all__ = ["SCHEMA_URLS", "JsonVersion", "json_problem", "write_json"]

JsonVersion = Literal["1.0", "2.0", "2.1"]
SCHEMA_URLS: dict[str, str] = {
    "1.0": "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/data-message/tools/"
    "schemas/1.0/sdmx-json-data-schema.json",
    "2.0": "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/data-message/tools/"
    "schemas/2.0.0/sdmx-json-data-schema.json",
    "2.1": "https://json.sdmx.org/2.1/sdmx-json-data-schema.json",
}
"""The ``$id`` of each version's official data schema, which messages name (2.1 in
``$schema``, 1.0 and 2.0 in ``meta.schema``)."""
_ID_RE2 = r"^[A-Za-z0-9_@$-]+$"
_JSON_SPECIAL = r'["\\\x{00}-\x{1F}]'
_RARE_CONTROL = r"[\x{00}-\x{08}\x{0B}\x{0C}\x{0E}-\x{1F}]"
_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_DATA_TYPES = {
    ValueType.STRING: "String",
    ValueType.INTEGER: "Integer",
    ValueType.DECIMAL: "Double",
    ValueType.BOOLEAN: "Boolean",
    ValueType.DATE: "GregorianDay",
    ValueType.DATETIME: "DateTime",
    ValueType.URI: "URI",
}
_DSD_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure="
_FLOW_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow="


# --------------------------------------------------------------------------- JSON text


def json_strings(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Each text of a string column as a JSON string literal (quotes included); nulls stay
    null. Special characters are escaped with Arrow kernels; the rare other control
    characters (``\\u0001``) by Python's encoder."""
    if not pc.any(pc.match_substring_regex(column, _JSON_SPECIAL)).as_py():
        return join('"', column, '"')
    if pc.any(pc.match_substring_regex(column, _RARE_CONTROL)).as_py():
        texts = column.to_pylist()
        return pa.array(
            [None if t is None else json.dumps(t, ensure_ascii=False) for t in texts],
            pa.string(),
        )
    for old, new in _JSON_ESCAPES:
        column = pc.replace_substring(column, old, new)
    return join('"', column, '"')


def _joined(texts: pa.Array | pa.ChunkedArray, separator: str = ",") -> str:
    """The texts of a column joined into one string."""
    array = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
    if len(array) == 0:
        return ""
    lists = pa.ListArray.from_arrays(pa.array([0, len(array)], pa.int32()), array)
    text: str = pc.binary_join(lists, separator)[0].as_py()
    return text


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _best(text: dict[str, str] | None, language: str) -> str | None:
    """The text in ``language``, else English, else the first one."""
    if not text:
        return None
    return text.get(language) or text.get("en") or next(iter(text.values()))


# --------------------------------------------------------------------------- the plan


@dataclass
class _Key:
    """A dimension (or the time dimension) and its values in the message."""

    id: str
    position: int
    values: pa.Array
    """Distinct values as text, in order of first appearance."""
    text: pa.ChunkedArray
    """The column as text."""
    codes: dict[str, Code] | None
    name: dict[str, str] | None
    roles: list[str]
    data_type: str | None
    at_observation: bool = True

    def index(self) -> dict[str, int]:
        """Value → index in ``values``."""
        return {v: i for i, v in enumerate(self.values.to_pylist())}


@dataclass
class _Attr:
    """An attribute, where it is presented and how its values are written."""

    attribute: Attribute
    level: str
    """``dataSet``, ``dimensionGroup`` or ``observation``."""
    related: tuple[str, ...]
    values: pa.Array | None
    """Distinct values as text when the message refers to them by index, else ``None``."""
    codes: dict[str, Code] | None
    name: dict[str, str] | None


def _component_name(structure: DataStructure, component: Any) -> dict[str, str] | None:
    try:
        return dict(structure.concept(component.concept_id).name)
    except KeyError:
        return None


def _codes(structure: DataStructure, component_id: str) -> dict[str, Code] | None:
    try:
        codelist = structure.codelist_of(component_id)
    except KeyError:
        return None
    return None if codelist is None else {c.id: c for c in codelist.codes}


def _role_ids(component: Any) -> list[str]:
    """The ids of a component's concept roles (the concept of each role reference)."""
    ids = []
    for role in getattr(component, "roles", ()):
        item = str(role).rsplit(").", 1)[-1].rsplit(":", 1)[-1]
        if re.match(r"^[A-Za-z][A-Za-z0-9_-]*$", item):
            ids.append(item)
    return ids


def _text(table: pa.Table, name: str) -> pa.ChunkedArray:
    column = as_text(table.column(name))
    return column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column])


def _keys(ds: CitizenDataset) -> list[_Key]:
    """The key components: the leading dimensions that have one value at the data set
    level, the others at the observation level (at least one, the last, so that
    observations have keys).

    Only leading ones: the keys of ``dimensionGroupAttributes`` have one position per
    dimension, in key order by the field guide (``keyPosition``), in the order the
    structure lists the dimensions by the specification's ``agri.json`` sample (data set
    level first); with the data-set-level dimensions first in the key, both agree."""
    s = ds.structure
    table = ds.observations.table
    keys: list[_Key] = []
    for position, dim in enumerate(s.dimensions):
        text = _text(table, dim.id)
        data_type = None if dim.codelist else _DATA_TYPES[dim.value_type]
        keys.append(
            _Key(
                dim.id,
                position,
                _unique(text),
                text,
                _codes(s, dim.id),
                _component_name(s, dim),
                _role_ids(dim),
                data_type,
            )
        )
    if s.time_dimension is not None:
        time = s.time_dimension
        text = _text(table, time.id)
        keys.append(
            _Key(
                time.id,
                len(keys),
                _unique(text),
                text,
                None,
                _component_name(s, time),
                ["TIME_PERIOD"],
                time.value_type.value,
            )
        )
    if table.num_rows:
        for key in keys[:-1]:  # the last stays: observations need a key
            if len(key.values) > 1:
                break
            key.at_observation = False
    return keys


def _unique(text: pa.ChunkedArray) -> pa.Array:
    unique = pc.unique(text)
    return unique.drop_null() if unique.null_count else unique


def _attrs(ds: CitizenDataset, version: JsonVersion) -> list[_Attr]:
    """Where each attribute of the structure is presented and how (see the module)."""
    key_ids = set(ds.structure.key_ids)
    plans: list[_Attr] = []
    for attr in ds.structure.attributes:
        if attr.attachment is AttachmentLevel.DATASET:
            plans.append(_dataset_attr(ds, attr))
            continue
        plan = _part_attr(ds, attr, key_ids, version)
        if plan is not None:
            plans.append(plan)
    return plans


def _dataset_attr(ds: CitizenDataset, attr: Attribute) -> _Attr:
    """A data-set attribute: presented at the data set level, its value (if any) by index."""
    s = ds.structure
    value = ds.attribute_values.get(attr.id)
    values = pa.array([] if value is None else [scalar_text(value)], pa.string())
    return _Attr(attr, "dataSet", (), values, _codes(s, attr.id), _component_name(s, attr))


def _whole_key(attr: Attribute, related: tuple[str, ...], key_ids: set[str]) -> bool:
    """Whether an attribute relates to the whole key: to every dimension, or to the
    observation."""
    return set(related) >= key_ids or (
        attr.attachment is AttachmentLevel.OBSERVATION and attr.dimensions is None
    )


def _part_attr(
    ds: CitizenDataset, attr: Attribute, key_ids: set[str], version: JsonVersion
) -> _Attr | None:
    """An attribute related to the whole key (observation level) or to part of it (dimension
    group level in 2.0 and 2.1, observation level in 1.0); ``None`` for one that 1.0 leaves
    out."""
    s = ds.structure
    related = s.related_dimensions(attr)
    whole_key = _whole_key(attr, related, key_ids)
    level = "observation" if whole_key or version == "1.0" else "dimensionGroup"
    indexed = version == "1.0" or attr.codelist is not None or level != "observation"
    values = _unique(_text(ds.observations.table, attr.id)) if indexed else None
    if version == "1.0" and values is not None and len(values) == 0:
        return None  # no value anywhere: left out (sdmx1 discards such attributes and then
        # misreads the indices of the next ones)
    return _Attr(attr, level, related, values, _codes(s, attr.id), _component_name(s, attr))


# --------------------------------------------------------------------------- structure


@dataclass
class _Writer:
    ds: CitizenDataset
    version: JsonVersion
    language: str
    legacy: bool = False
    """1.0 in the layout of its drafts (see `write_json()`)."""

    @property
    def v1(self) -> bool:
        return self.version == "1.0"

    def links(self) -> list[dict[str, str]]:
        """The dataflow (when cdinterop defines the DSD too) and the DSD, by URN."""
        s = self.ds.structure
        links = []
        if s.agency == self.ds.agency:
            links.append({"urn": f"{_FLOW_URN}{dataflow_ref(self.ds)}", "rel": "dataflow"})
        links.append({"urn": f"{_DSD_URN}{s.ref}", "rel": "datastructure"})
        return links

    def named(self, out: dict[str, Any], name: dict[str, str] | None, fallback: str) -> None:
        out["name"] = _best(name, self.language) or fallback
        if name:
            out["names"] = dict(name)

    def value_items(
        self,
        values: pa.Array,
        codes: dict[str, Code] | None,
        data_type: str | None,
        as_id: bool,
        names: bool = True,
    ) -> str:
        """The ``values`` array's items, comma-separated: codes by id and name; other values
        by id (time periods that are ids), by ``value`` (2.0 and 2.1) or by ``name`` (the
        non-coded attribute values of 1.0)."""
        if codes is not None:
            items = []
            for value in values.to_pylist():
                item: dict[str, Any] = {"id": value}
                code = codes.get(value)
                self.named(item, dict(code.name) if code else None, value)
                if not names:
                    item.pop("names", None)
                items.append(_dumps(item))
            return ",".join(items)
        texts = json_strings(values)
        if as_id:
            return _joined(join('{"id":', texts, ',"name":', texts, "}"))
        if self.v1:
            return _joined(join('{"name":', texts, "}"))
        numbers = (
            data_type in ("Integer", "Double", "Boolean")
            and not pc.any(pc.match_substring_regex(values, r"^-?(nan|inf)$")).as_py()
        )
        if self.version == "2.1" and numbers:
            texts = values  # 2.1 types the value; 2.0's schema accepts only strings
            # (its oneOf of integer and number refuses every integer)
        return _joined(join('{"value":', texts, "}"))

    def component(self, base: dict[str, Any], values_text: str | None) -> str:
        text = _dumps(base)
        if values_text is None:
            return text
        return f'{text[:-1]},"values":[{values_text}]}}'

    def dimension(self, key: _Key, empty: bool) -> str | None:
        base: dict[str, Any] = {"id": key.id}
        self.named(base, key.name, key.id)
        base["keyPosition"] = key.position
        if key.roles:
            base["roles"] = key.roles
        if key.data_type is not None and not self.v1:
            base["format"] = {"dataType": key.data_type}
        values, codes = key.values, key.codes
        if empty and codes:  # no observations: list the codes (every version accepts them)
            values = pa.array(list(codes), pa.string())
        if len(values) == 0:
            if self.version == "2.0":
                return None  # 2.0 requires values, at least one: an empty message has none
            return self.component(base, "" if self.v1 else None)
        as_id = self.by_id(key, values)
        return self.component(base, self.value_items(values, codes, key.data_type, as_id))

    def by_id(self, key: _Key, values: pa.Array) -> bool:
        """Whether a dimension's non-coded ``values`` are given by id: 1.0 knows ids only;
        2.0 and 2.1 give them by value, except time periods that are ids (as the
        specification's samples do)."""
        return self.v1 or (
            key.id == self.time_id
            and bool(pc.all(pc.match_substring_regex(values, _ID_RE2)).as_py())
        )

    @property
    def time_id(self) -> str | None:
        time = self.ds.structure.time_dimension
        return time.id if time else None

    def relationship(self, plan: _Attr) -> dict[str, Any]:
        attr = plan.attribute
        if attr.attachment is AttachmentLevel.DATASET:
            return {"none": {}} if self.v1 else {"dataflow": {}}
        if attr.attachment is AttachmentLevel.OBSERVATION and attr.dimensions is None:
            if self.v1:
                return {"primaryMeasure": self.ds.structure.measures[0].id}
            found: dict[str, Any] = {"observation": {}}
        else:
            found = {"dimensions": list(plan.related)}
        if attr.measures and not self.v1:
            found["measures"] = list(attr.measures)
        return found

    def attribute(self, plan: _Attr) -> str:
        attr = plan.attribute
        base: dict[str, Any] = {"id": attr.id}
        self.named(base, plan.name, attr.id)
        roles = _role_ids(attr)
        if roles:
            base["roles"] = roles
        if not self.v1:
            base["isMandatory"] = attr.usage is Usage.MANDATORY
        base["relationship"] = self.relationship(plan)
        data_type = None if attr.codelist else _DATA_TYPES[attr.value_type]
        if data_type is not None and not self.v1:
            base["format"] = {"dataType": data_type}
        if plan.values is None:
            return self.component(base, None)
        if len(plan.values) == 0:
            return self.component(base, "" if self.v1 else None)
        # sdmx1 makes a Code of each attribute value object, which takes no "names"
        names = not self.legacy
        return self.component(
            base, self.value_items(plan.values, plan.codes, data_type, False, names)
        )

    def measure(self, measure: Any) -> str:
        base: dict[str, Any] = {"id": measure.id}
        self.named(base, _component_name(self.ds.structure, measure), measure.id)
        roles = _role_ids(measure)
        if roles:
            base["roles"] = roles
        base["isMandatory"] = measure.usage is Usage.MANDATORY
        if measure.codelist is None:
            base["format"] = {"dataType": _DATA_TYPES[measure.value_type]}
        return _dumps(base)

    def structure(self, keys: list[_Key], attrs: list[_Attr]) -> str:
        """The structure: its names and links, then its components level by level."""
        parts = [_dumps(self.structure_head())[:-1], self.dimensions(keys)]
        if not self.v1:
            measures = _level([self.measure(m) for m in self.ds.structure.measures])
            parts.append(f'"measures":{{"observation":{measures}}}')
        parts.append(self.attributes(attrs))
        return ",".join(parts) + "}"

    def structure_head(self) -> dict[str, Any]:
        """The structure's links, names and descriptions (and data sets, 2.0 and 2.1)."""
        ds = self.ds
        head: dict[str, Any] = {"links": self.links()}
        self.named(head, dict(ds.title), ds.id)
        if ds.description:
            head["description"] = _best(dict(ds.description), self.language)
            head["descriptions"] = dict(ds.description)
        if not self.v1:
            head["dataSets"] = [0]
        return head

    def dimensions(self, keys: list[_Key]) -> str:
        """The ``dimensions`` member: the data set and observation levels."""
        empty = self.ds.observations.table.num_rows == 0
        dims = {
            "dataSet": _level([self.dimension(k, empty) for k in keys if not k.at_observation]),
            "series": "[]",
            "observation": _level([self.dimension(k, empty) for k in keys if k.at_observation]),
        }
        return '"dimensions":{' + ",".join(f'"{k}":{v}' for k, v in dims.items()) + "}"

    def attributes(self, attrs: list[_Attr]) -> str:
        """The ``attributes`` member: every level, dimension groups in 2.0 and 2.1 only."""
        levels = ["dataSet", "series", "observation"]
        if not self.v1:
            levels.insert(1, "dimensionGroup")
        found = {
            name: _level([self.attribute(p) for p in attrs if p.level == name]) for name in levels
        }
        return '"attributes":{' + ",".join(f'"{k}":{v}' for k, v in found.items()) + "}"

    def meta(self, languages: list[str]) -> dict[str, Any]:
        prepared = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        meta: dict[str, Any] = {}
        if self.version != "2.1":
            meta["schema"] = SCHEMA_URLS[self.version]
        meta |= {
            "id": f"CDI_{uuid.uuid4().hex[:16].upper()}",
            "test": False,
            "prepared": prepared.replace("+00:00", "Z"),
        }
        if languages:  # 1.0's and 2.0's schemas want them in lower case (tags ignore case)
            lower = self.version != "2.1"
            found = [t.lower() for t in languages] if lower else languages
            meta["contentLanguages"] = list(dict.fromkeys(found))
        meta["sender"] = {"id": re.sub(r"[^A-Za-z0-9_@$-]", "_", self.ds.agency)}
        return meta


def _level(components: list[str | None]) -> str:
    """The JSON array of the components of one level (those given)."""
    return "[" + ",".join(c for c in components if c is not None) + "]"


def _languages(ds: CitizenDataset) -> list[str]:
    """The languages of the data set's title first (English first of them), then others
    of the structure's names."""
    found: list[str] = []
    s = ds.structure
    names = [ds.title, ds.description or {}, *(c.name for c in s.concepts)]
    names += [code.name for cl in s.codelists for code in cl.codes]
    for text in names:
        for language in sorted(text, key=lambda k: (k != "en", k)):
            if language not in found:
                found.append(language)
    return found


# --------------------------------------------------------------------------- data


def _kind(component: Any) -> str:
    if getattr(component, "codelist", None) is not None:
        return "string"
    value_type = component.value_type
    if value_type in (ValueType.INTEGER, ValueType.DECIMAL):
        return "number"
    return "boolean" if value_type is ValueType.BOOLEAN else "string"


def _json_values(
    column: pa.Array | pa.ChunkedArray, kind: str, name: str, version: JsonVersion
) -> pa.Array | pa.ChunkedArray:
    """A column as JSON values (``null`` for missing)."""
    if kind == "number":
        text = as_text(column)
        if pa.types.is_floating(column.type):
            if pc.any(pc.is_inf(column)).as_py():
                raise WriteError(f"column {name} holds an infinite number, which JSON cannot carry")
            nan = pc.fill_null(pc.is_nan(column), False)
            text = pc.if_else(nan, '"NaN"', text)
        elif not (pa.types.is_integer(column.type) or pa.types.is_decimal(column.type)):
            text = json_strings(text)  # numbers kept as text: JSON strings
    elif kind == "boolean" and version != "1.0" and pa.types.is_boolean(column.type):
        text = as_text(column)
    else:
        text = json_strings(as_text(column))
    return pc.fill_null(text, "null")


def _indices(column: pa.Array | pa.ChunkedArray, values: pa.Array) -> pa.Array | pa.ChunkedArray:
    found = pc.index_in(as_text(column), value_set=values)
    return pc.fill_null(found.cast(pa.string()), "null")


def _rows(
    w: _Writer, keys: list[_Key], attrs: list[_Attr], batch_rows: int
) -> Iterator[pa.Array | pa.ChunkedArray]:
    """The observations, one JSON member per row (``"0:1":[...]``), batch by batch."""
    table = w.ds.observations.table
    at_obs = [k for k in keys if k.at_observation]
    index = {k.id: pc.index_in(k.text, value_set=k.values) for k in at_obs}
    obs_attrs = [p for p in attrs if p.level == "observation"]
    start = 0
    for batch in table.to_batches(max_chunksize=batch_rows):
        n = batch.num_rows
        if n == 0:
            continue
        parts = _key_parts([index[k.id].slice(start, n) for k in at_obs])
        items = _observation_values(w, batch, obs_attrs)
        values = pc.binary_join_element_wise(*items, ",") if items else ""
        yield join('"', *parts, '":[', values, "]")
        start += n


def _key_parts(indices: list[pa.Array | pa.ChunkedArray]) -> list[Any]:
    """The parts of the observations' keys (``0:1``): each dimension's value indices,
    ``:`` between them."""
    parts: list[Any] = []
    for i, found in enumerate(indices):
        if i:
            parts.append(":")
        parts.append(found.cast(pa.string()))
    return parts


def _observation_values(
    w: _Writer, batch: pa.RecordBatch, obs_attrs: list[_Attr]
) -> list[pa.Array | pa.ChunkedArray]:
    """The items of the observations' value arrays: the measures, then the observation
    attributes (by index when they have ``values``, else inline)."""
    items: list[pa.Array | pa.ChunkedArray] = []
    for measure in w.ds.structure.measures:
        kind = _kind(measure)
        if w.v1 and kind == "boolean":
            kind = "string"  # 1.0 observation values are numbers or strings
        items.append(_json_values(batch.column(measure.id), kind, measure.id, w.version))
    for plan in obs_attrs:
        column = batch.column(plan.attribute.id)
        if plan.values is not None:
            items.append(_indices(column, plan.values))
        else:
            items.append(_json_values(column, _kind(plan.attribute), plan.attribute.id, w.version))
    return items


_GroupEntries = dict[str, list[int | None]]
"""``dimensionGroupAttributes`` being built: key (``"0:1:"``) → the value index of each
dimension-group attribute (``None`` where it has none)."""


def _group_entries(w: _Writer, keys: list[_Key], attrs: list[_Attr]) -> str:
    """``dimensionGroupAttributes``: one member per combination of the dimensions an
    attribute relates to, its value array holding every dimension-group attribute (by
    index), trailing ``null``s left out."""
    groups = [p for p in attrs if p.level == "dimensionGroup"]
    if not groups:
        return ""
    by_dims = _groups_by_dimensions(keys, groups)
    indexes = {k.id: k.index() for k in keys if any(k.id in d for d in by_dims)}
    entries: _GroupEntries = {}
    for dims, members in by_dims.items():
        _add_group_values(entries, w.ds.observations.table, keys, indexes, groups, dims, members)
    return _group_members(entries)


def _groups_by_dimensions(
    keys: list[_Key], groups: list[_Attr]
) -> dict[tuple[str, ...], list[int]]:
    """The positions in ``groups`` of the attributes related to each set of dimensions
    (in key order, unknown ones last), in order of first appearance."""
    order = {k.id: i for i, k in enumerate(keys)}
    by_dims: dict[tuple[str, ...], list[int]] = {}
    for i, plan in enumerate(groups):
        dims = tuple(sorted(set(plan.related), key=lambda d: order.get(d, len(order))))
        by_dims.setdefault(dims, []).append(i)
    return by_dims


def _add_group_values(
    entries: _GroupEntries,
    table: pa.Table,
    keys: list[_Key],
    indexes: dict[str, dict[str, int]],
    groups: list[_Attr],
    dims: tuple[str, ...],
    members: list[int],
) -> None:
    """Add to ``entries`` the values of the attributes ``members`` (positions in
    ``groups``) related to the dimensions ``dims``: one entry per distinct combination of
    their values in ``table``, the first value found of each attribute kept."""
    names = [groups[i].attribute.id for i in members]
    text = pa.table({n: _text(table, n) for n in dict.fromkeys([*dims, *names])})
    distinct = text.group_by(list(text.column_names), use_threads=False).aggregate([])
    value_index = {i: _value_index(groups[i]) for i in members}
    for record in distinct.to_pylist():
        positions = [str(indexes[k.id][record[k.id]]) if k.id in dims else "" for k in keys]
        entry = entries.setdefault(":".join(positions), [None] * len(groups))
        for i in members:
            value = record[groups[i].attribute.id]
            if value is not None and entry[i] is None:
                entry[i] = value_index[i][value]


def _value_index(plan: _Attr) -> dict[str, int]:
    """Value → index in the attribute's ``values``."""
    return {v: i for i, v in enumerate(plan.values.to_pylist())}  # type: ignore[union-attr]


def _group_members(entries: _GroupEntries) -> str:
    """The members of ``dimensionGroupAttributes``, comma-separated, trailing ``null``s
    left out of each value array and entries with no value left out."""
    members_text = []
    for key, entry in entries.items():
        while entry and entry[-1] is None:
            entry.pop()
        if entry:
            members_text.append(f"{_dumps(key)}:{_dumps(entry)}")
    return ",".join(members_text)


def json_problem(ds: CitizenDataset, version: str) -> str | None:
    """Why SDMX-JSON ``version`` cannot carry ``ds``, or ``None`` when it can.

    SDMX-JSON 1.0 refers to every dimension value by an id (letters, digits and
    ``_@$-``), and carries one measure, ``OBS_VALUE``; 2.0 and 2.1 carry any data set."""
    if version not in ("1.0", "2.0", "2.1"):
        return f"unknown SDMX-JSON version {version!r} (1.0, 2.0 or 2.1)"
    if version != "1.0":
        return None
    return _measure_problem(ds.structure) or _key_id_problem(ds)


def _measure_problem(s: DataStructure) -> str | None:
    """Why SDMX-JSON 1.0 cannot carry the measures of ``s`` (it carries ``OBS_VALUE``
    only), or ``None``."""
    if len(s.measures) != 1 or s.measures[0].id != "OBS_VALUE":
        ids = ", ".join(m.id for m in s.measures) or "none"
        return (
            f"SDMX-JSON 1.0 carries one measure, OBS_VALUE (SDMX 2.1's primary measure); "
            f"{s.id} has {ids}: use SDMX-JSON 2.0"
        )
    return None


def _key_id_problem(ds: CitizenDataset) -> str | None:
    """Why SDMX-JSON 1.0 cannot name the values of a non-coded dimension of ``ds`` (a
    value that is no id), or ``None``."""
    s = ds.structure
    table = ds.observations.table
    keys: list[Dimension | TimeDimension] = [*s.dimensions]
    keys += [s.time_dimension] if s.time_dimension else []
    for dim in keys:
        if getattr(dim, "codelist", None) is not None or table.num_rows == 0:
            continue
        values = _unique(_text(table, dim.id))
        bad = pc.invert(pc.match_substring_regex(values, _ID_RE2))
        if pc.any(bad).as_py():
            example = values.filter(bad)[0].as_py()
            return (
                f"SDMX-JSON 1.0 names dimension values by id (letters, digits, _ @ $ -); "
                f"{dim.id} has {example!r}: use SDMX-JSON 2.0"
            )
    return None


def write_json(
    ds: CitizenDataset,
    target: str | Any | IO[bytes],
    *,
    version: JsonVersion = "2.0",
    legacy_layout: bool = False,
    batch_rows: int = BATCH_ROWS,
) -> None:
    """Write an SDMX-JSON data message (``version`` ``1.0``, ``2.0`` or ``2.1``) to a path
    (atomically) or a binary stream.

    ``legacy_layout`` (1.0 only) puts ``structure`` and ``dataSets`` at the top of the
    message, as the 1.0 drafts and the older ECB and OECD services did (and as sdmx1 and
    pandas-datareader read them), instead of in ``data`` as the 1.0 specification and its
    schema have them. Raises [`WriteError`][cdinterop.errors.WriteError] when the version
    cannot carry the data set (see `json_problem()`)."""
    problem = json_problem(ds, version)
    if problem is not None:
        raise WriteError(problem)
    if legacy_layout and version != "1.0":
        raise WriteError("the legacy layout is SDMX-JSON 1.0's only")
    languages = _languages(ds)
    w = _Writer(ds, version, languages[0] if languages else "en", legacy_layout)
    keys = _keys(ds)
    attrs = _attrs(ds, version)
    with binary_output(target) as handle:
        _write(handle, w, keys, attrs, languages, legacy_layout, batch_rows)


def _write(
    handle: IO[bytes],
    w: _Writer,
    keys: list[_Key],
    attrs: list[_Attr],
    languages: list[str],
    legacy: bool,
    batch_rows: int,
) -> None:
    """Write the message: its head, the observations batch by batch, then its tail."""
    handle.write(_message_head(w, keys, attrs, languages, legacy).encode())
    written = _write_observations(handle, w, keys, attrs, batch_rows)
    tail = "}}]" + ("}" if not (w.v1 and legacy) else "") + "}\n"
    handle.write(("\n" + tail if written else tail).encode())


def _message_head(
    w: _Writer, keys: list[_Key], attrs: list[_Attr], languages: list[str], legacy: bool
) -> str:
    """The message up to the members of ``observations``: ``meta``, the structure and the
    data set's other members."""
    head = "{"
    if w.version == "2.1":
        head += f'"$schema":{_dumps(SCHEMA_URLS["2.1"])},'
    head += f'"meta":{_dumps(w.meta(languages))},'
    structure = w.structure(keys, attrs)
    if w.v1:
        head += f'"structure":{structure},' if legacy else f'"data":{{"structure":{structure},'
    else:
        head += f'"data":{{"structures":[{structure}],'
    return head + _dataset_head(w, keys, attrs)


def _dataset_head(w: _Writer, keys: list[_Key], attrs: list[_Attr]) -> str:
    """``dataSets`` up to the members of ``observations``: the data set's structure,
    action, links, data-set attributes and ``dimensionGroupAttributes``."""
    dataset: dict[str, Any] = {} if w.v1 else {"structure": 0}
    dataset["action"] = "Information" if w.v1 else "Replace"
    dataset["links"] = w.links()  # required by 1.0 and 2.0
    dataset_attrs = [p for p in attrs if p.level == "dataSet"]
    if dataset_attrs:
        dataset["attributes"] = [0 if len(p.values or ()) else None for p in dataset_attrs]
    head = '"dataSets":[' + _dumps(dataset)[:-1]
    groups = _group_entries(w, keys, attrs)
    if groups:
        head += f',"dimensionGroupAttributes":{{{groups}}}'
    return head + ',"observations":{'


def _write_observations(
    handle: IO[bytes], w: _Writer, keys: list[_Key], attrs: list[_Attr], batch_rows: int
) -> bool:
    """Write the members of ``observations``, one a line; whether there were any."""
    first = True
    for rows in _rows(w, keys, attrs, batch_rows):
        if first:
            n = len(rows)
            separators = pa.array(["\n"] + [",\n"] * (n - 1), pa.string())
            write_strings(handle, join(separators, rows))
            first = False
        else:
            write_strings(handle, join(",\n", rows))
    return not first
