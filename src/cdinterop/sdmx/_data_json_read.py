"""Reader of SDMX-JSON data messages: 1.0 (also in the layout of its drafts, with
``structure`` and ``dataSets`` at the top), 2.0.0 and 2.1.0.

Every layout is read: flat (``AllDimensions``: ``observations`` keyed by the indices of
every observation-level dimension), time series and cross-sections (``series`` keyed by
the series dimensions, each with its ``observations``); dimensions presented at the data
set, series or observation level; several data sets in one message (each read with the
structure it names, in order); attributes at the data set, dimension group, series and
observation levels, given as indices into the component's ``values`` or inline, with the
component's ``default`` where the message gives no value.

Values are read as text, as the other readers give them, for
[`Observations`][cdinterop.model.Observations] to cast and check: numbers in their
shortest form, booleans ``true``/``false``, ``"#N/A"`` (SDMX-JSON's intentionally missing
value) as missing and ``"NaN"`` as the model reads it. Two values that cdinterop's model
has no place for are read as text, and the documentation says so: a localised value
(``{"en": ..., "fr": ...}``) as its text in the message's first content language (else
English, else the first), several values of a multi-valued attribute joined with ``;``
(as SDMX-CSV 2.0 writes them).

The document is read whole (it is one JSON value) under the ``bytes`` limit, its nesting
checked before it is parsed, and every problem is a [`ReadError`][cdinterop.errors.ReadError]
located by JSON path (``data.dataSets[0].observations["0:7"]``) or line: malformed JSON, a
duplicate key, a wrong type, an index out of range. Data sets whose action is ``Delete``
are refused: they delete data and are not observations.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop import limits
from cdinterop.errors import Issue, ReadError
from cdinterop.model import AttachmentLevel, DataStructure
from cdinterop.sdmx._data_read import (
    DataPayload,
    _apply_groups,
    _group_conflicts,
    _KeyGroup,
    _label,
    _short_label,
)
from cdinterop.sdmx._json_scan import Path as JsonPath
from cdinterop.sdmx._json_scan import duplicate_key, head_info, json_kind, json_path
from cdinterop.sdmx._reference import StructureReference, parse_urn

__all__ = ["head_references", "load_message", "read_json", "sniff_json"]

_Source = str | Path | IO[bytes] | bytes
_DATA_ACTIONS = {"Information", "Append", "Replace", "Merge"}
_MISSING = "#N/A"
"""SDMX-JSON's mark of an intentionally missing value other than a number."""
TOO_DEEP = "nested too deeply to read (objects and arrays inside one another)"


# --------------------------------------------------------------------------- recognising


def sniff_json(head: bytes, label: str) -> str:
    """``json10``, ``json20`` or ``json21`` for the start of an SDMX-JSON data message;
    [`ReadError`][cdinterop.errors.ReadError] for other JSON.

    The version comes from the schema the message names (``$schema``, ``meta.schema``),
    else from its layout: ``data.structures`` (2.0; 2.1 names its schema) or
    ``data.structure``, or ``structure`` and ``dataSets`` at the top (1.0)."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    info = head_info(text)
    for schema in info.schemas:
        name = schema.rsplit("/", 1)[-1]
        if name.startswith("sdmx-json-") and not name.startswith("sdmx-json-data"):
            kind = name.removeprefix("sdmx-json-").split("-", 1)[0]
            raise ReadError(
                label,
                f"this is an SDMX-JSON {kind} message (its schema is {schema}), not data: "
                + (
                    "read structures with cdinterop.sdmx.read_structure"
                    if kind == "structure"
                    else "cdinterop reads data messages"
                ),
            )
        if name.startswith("sdmx-json-data"):
            version = _schema_version(schema)
            if version is not None:
                return version
    if "structures" in info.data_keys:
        return "json20"
    if "structure" in info.data_keys or "dataSets" in info.top_keys:
        return "json10"
    if "errors" in info.top_keys and "data" not in info.top_keys:
        return "json20"  # an error message; reading it says what it holds
    raise ReadError(
        label,
        "a JSON document, but not an SDMX-JSON data message: no data.structures (2.0, "
        "2.1), data.structure or dataSets (1.0) and no SDMX-JSON data schema named",
    )


def _schema_version(url: str) -> str | None:
    """The version in an SDMX-JSON schema URL (``.../2.0.0/...``, ``json.sdmx.org/2.1/``)."""
    for part in reversed(url.split("/")[:-1]):
        if part in ("1.0", "1.0.0"):
            return "json10"
        if part in ("2.0", "2.0.0"):
            return "json20"
        if part in ("2.1", "2.1.0"):
            return "json21"
    return None


def head_references(head: bytes, label: str) -> list[StructureReference]:
    """The structures a message's links name (``urn``), in the start of the message."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    found: dict[tuple[str, str, str, str | None], StructureReference] = {}
    for path, urn in head_info(text).urns:
        if path.startswith("meta"):
            continue
        ref = parse_urn(urn, f"{label} {path}")
        if ref is not None:
            found.setdefault((ref.kind, ref.agency, ref.id, ref.version), ref)
    return list(found.values())


# --------------------------------------------------------------------------- parsing


class _DuplicateKeyError(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _DuplicateKeyError
    return found


def _read_bytes(source: _Source, label: str) -> bytes:
    """The whole message, refused beyond the ``bytes`` limit before it is held."""
    most = limits.current().bytes
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | Path):
        limits.check_size(source, label)
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise ReadError(label, exc.strerror or str(exc)) from None
    else:
        position = source.tell()
        data = source.read(most + 1)
        source.seek(position)
    limits.exceeded(label, "bytes", len(data), f"an SDMX-JSON message of {len(data):,}+ bytes")
    return data


def load_message(source: _Source, label: str | None = None) -> Any:
    """Parse an SDMX-JSON message safely: within the ``bytes`` and ``nesting`` limits,
    duplicate keys refused; every problem a located
    [`ReadError`][cdinterop.errors.ReadError]."""
    label = label or _label(source)
    data = _read_bytes(source, label)
    limits.check_json_nesting(data, label)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(label, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKeyError:
        found = duplicate_key(text)
        if found is None:  # pragma: no cover - the parser and the scanner agree
            raise ReadError(label, "an object repeats a key") from None
        key, where, line = found
        raise ReadError(
            label, f"line {line}: {json_path(where)}: the key {key!r} appears twice"
        ) from None
    except json.JSONDecodeError as exc:
        raise ReadError(
            label, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise ReadError(label, TOO_DEEP) from None
    except ValueError as exc:  # an integer longer than Python converts
        raise ReadError(label, f"not readable JSON: {str(exc).split(';')[0]}") from None


# --------------------------------------------------------------------------- the message


@dataclass
class _Component:
    """A dimension, measure or attribute as the message's structure presents it."""

    id: str
    path: JsonPath
    values: list[str | None] | None
    """The texts of its ``values`` (data then hold indices), or ``None`` (inline values)."""
    default: str | None = None
    position: int = 0


@dataclass
class _Structure:
    """One structure of the message: its components by the level they are presented at."""

    path: JsonPath
    dimensions: dict[str, list[_Component]]
    measures: list[_Component]
    attributes: dict[str, list[_Component]]
    references: list[StructureReference] = field(default_factory=list)

    @property
    def by_position(self) -> list[_Component]:
        """Every dimension, in key order (``keyPosition``)."""
        every = [d for level in self.dimensions.values() for d in level]
        return sorted(every, key=lambda d: d.position)


class _Reader:
    """Reads one message into a [`DataPayload`][cdinterop.sdmx._data_read.DataPayload]."""

    def __init__(self, source: _Source, structure: DataStructure) -> None:
        self.source = source
        self.structure = structure
        self.label = _label(source)
        self.short = _short_label(source)
        self.language = "en"
        self.groups: list[_KeyGroup] = []
        self.issues: list[Issue] = []
        self.rows = 0

    def fail(self, path: JsonPath, message: str) -> ReadError:
        return ReadError(self.label, f"{json_path(path)}: {message}")

    # ------------------------------------------------------------------ shapes

    def obj(self, value: Any, path: JsonPath) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected an object, found {json_kind(value)}")
        return value

    def arr(self, value: Any, path: JsonPath) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, f"expected an array, found {json_kind(value)}")
        return value

    def text(self, value: Any, path: JsonPath) -> str | None:
        """An inline value as text (see the module documentation)."""
        if value is None or value == _MISSING:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | str):
            return _number_text(value) if not isinstance(value, str) else value
        if isinstance(value, dict):
            if not value:
                return None
            chosen = value.get(self.language, value.get("en", next(iter(value.values()))))
            if not isinstance(chosen, str):
                raise self.fail(path, f"a localised text holds {json_kind(chosen)}, not a string")
            return chosen
        if isinstance(value, list):
            parts = [self.text(v, (*path, i)) for i, v in enumerate(value)]
            return ";".join(p for p in parts if p is not None) or None
        raise self.fail(path, f"unexpected {json_kind(value)}")  # pragma: no cover

    def value_text(self, item: Any, path: JsonPath) -> str | None:
        """A component value object (``values`` item) as text: its ``id``, ``value``,
        ``values`` or (1.0, non-coded) ``name``."""
        if item is None:
            return None
        item = self.obj(item, path)
        for key in ("id", "value", "values", "name"):
            if key in item:
                return self.text(item[key], (*path, key))
        raise self.fail(path, "a component value without id, value, values or name")

    # ------------------------------------------------------------------ structure

    def component(self, raw: Any, path: JsonPath) -> _Component:
        raw = self.obj(raw, path)
        ident = raw.get("id")
        if not isinstance(ident, str) or not ident:
            raise self.fail((*path, "id"), "a component needs an id (a string)")
        values = None
        if "values" in raw:
            items = self.arr(raw["values"], (*path, "values"))
            values = [self.value_text(v, (*path, "values", i)) for i, v in enumerate(items)]
        default = raw.get("default")
        position = raw.get("keyPosition", 0)
        if not isinstance(position, int) or isinstance(position, bool):
            found = json_kind(position)
            raise self.fail((*path, "keyPosition"), f"expected an integer, found {found}")
        return _Component(
            ident, path, values, None if default is None else self.text(default, path), position
        )

    def levels(self, raw: Any, path: JsonPath, names: Iterable[str]) -> dict[str, list[_Component]]:
        found: dict[str, list[_Component]] = {}
        if raw is None:
            return {name: [] for name in names}
        raw = self.obj(raw, path)
        for name in names:
            items = self.arr(raw.get(name, []), (*path, name))
            found[name] = [self.component(c, (*path, name, i)) for i, c in enumerate(items)]
        return found

    def read_structure(self, raw: Any, path: JsonPath) -> _Structure:
        raw = self.obj(raw, path)
        if "dimensions" not in raw:
            raise self.fail(path, "a structure without dimensions")
        dimensions = self.levels(
            raw["dimensions"], (*path, "dimensions"), ("dataSet", "series", "observation")
        )
        attributes = self.levels(
            raw.get("attributes"),
            (*path, "attributes"),
            ("dataSet", "dimensionGroup", "series", "observation"),
        )
        if "measures" in raw:
            measures = self.levels(raw["measures"], (*path, "measures"), ("observation",))
            measure_list = measures["observation"]
        else:  # 1.0, or 2.x with the one measure OBS_VALUE left out
            own = self.structure.measures
            ident = own[0].id if len(own) == 1 else "OBS_VALUE"
            measure_list = [_Component(ident, path, None)]
        found = _Structure(path, dimensions, measure_list, attributes)
        found.references = self.links(raw.get("links"), (*path, "links"))
        return found

    def links(self, raw: Any, path: JsonPath) -> list[StructureReference]:
        found = []
        for i, link in enumerate(self.arr(raw or [], path)):
            urn = self.obj(link, (*path, i)).get("urn")
            if isinstance(urn, str):
                ref = parse_urn(urn, f"{self.short} {json_path((*path, i))}")
                if ref is not None:
                    found.append(ref)
        return found

    # ------------------------------------------------------------------ data

    def read(self, message: Any) -> DataPayload:
        message = self.obj(message, ())
        structures, datasets, base = self.parts(message)
        meta = message.get("meta", message.get("header"))
        if isinstance(meta, dict) and isinstance(meta.get("contentLanguages"), list):
            first = meta["contentLanguages"][:1]
            self.language = first[0] if first and isinstance(first[0], str) else "en"
        references = [r for s in structures for r in s.references]
        tables = []
        dataset_values: dict[str, str] = {}
        sets = self.arr(datasets, (*base, "dataSets"))
        for i, raw in enumerate(sets):  # a deletion anywhere refuses the whole message
            self.check_action(self.obj(raw, (*base, "dataSets", i)), (*base, "dataSets", i))
        for i, raw in enumerate(sets):
            path = (*base, "dataSets", i)
            structure = self.structure_of(raw, structures, path)
            references += self.links(raw.get("links"), (*path, "links"))
            tables.append(self.dataset(raw, structure, path, dataset_values))
        table = _concat(tables, self.structure.column_ids)
        distinct: dict[tuple[str, str, str, str | None], StructureReference] = {}
        for ref in references:
            distinct.setdefault((ref.kind, ref.agency, ref.id, ref.version), ref)
        references = list(distinct.values())
        issues = [*self.issues, *_group_conflicts(self.groups, self.structure)]
        return DataPayload(table, dataset_values, "sdmx-json", references, issues)

    def parts(self, message: dict[str, Any]) -> tuple[list[_Structure], Any, JsonPath]:
        """The structures and data sets, wherever the version puts them."""
        if "data" not in message and "dataSets" in message:  # 1.0 drafts
            raw = message.get("structure")
            base: JsonPath = ()
            return [self.read_structure(raw, ("structure",))], message["dataSets"], base
        if "data" not in message:
            errors = message.get("errors")
            if isinstance(errors, list) and errors:
                shown = "; ".join(_error_text(e) for e in errors[:5])
                raise ReadError(self.label, f"the message holds errors, not data: {shown}")
            raise self.fail((), "no data: an SDMX-JSON data message has data.dataSets")
        data = self.obj(message["data"], ("data",))
        if "structures" in data:
            items = self.arr(data["structures"], ("data", "structures"))
            structures = [
                self.read_structure(s, ("data", "structures", i)) for i, s in enumerate(items)
            ]
        elif "structure" in data:
            structures = [self.read_structure(data["structure"], ("data", "structure"))]
        else:
            raise self.fail(
                ("data",),
                "no structure: data.structures (2.0, 2.1) or "
                "data.structure (1.0) describes the data sets",
            )
        return structures, data.get("dataSets", []), ("data",)

    def check_action(self, raw: dict[str, Any], path: JsonPath) -> None:
        """Refuse a data set that deletes data, or whose action is unknown."""
        action = raw.get("action")
        if action == "Delete":
            raise self.fail(
                (*path, "action"),
                "Delete: a data set that deletes data holds no observations; cdinterop "
                "reads data sets (actions Information, Append, Replace, Merge)",
            )
        if action is not None and action not in _DATA_ACTIONS:
            raise self.fail((*path, "action"), f"unknown action {action!r}")

    def structure_of(
        self, raw: dict[str, Any], structures: list[_Structure], path: JsonPath
    ) -> _Structure:
        """The structure a data set names (``structure``, the first by default)."""
        index = raw.get("structure", 0)
        if (
            not isinstance(index, int)
            or isinstance(index, bool)
            or not 0 <= index < len(structures)
        ):
            raise self.fail(
                (*path, "structure"),
                f"{index!r} is not the index of one of the {len(structures)} structures",
            )
        return structures[index]

    def dataset(
        self, raw: dict[str, Any], s: _Structure, path: JsonPath, dataset_values: dict[str, str]
    ) -> pa.Table:
        """One data set's observations as text columns, with its attribute values applied."""
        obs = _Observations()
        if "series" in raw:
            series = self.obj(raw["series"], (*path, "series"))
            series_items = list(series.items())
            obs.series_keys = [k for k, _ in series_items]
            for number, (key, value) in enumerate(series_items):
                spath = (*path, "series", key)
                value = self.obj(value, spath)
                inner = self.obj(value.get("observations", {}), (*spath, "observations"))
                obs.add(inner, number)
            series_columns = self.series_columns(series_items, s, (*path, "series"))
        else:
            obs.add(self.obj(raw.get("observations", {}), (*path, "observations")), None)
            series_columns = {}
        self.rows += len(obs.keys)
        limits.exceeded(self.label, "rows", self.rows, f"at least {self.rows:,} observations")
        columns = self.observation_columns(obs, s, path)
        for name, column in series_columns.items():
            columns[name] = column.take(pa.array(obs.series, pa.int64()))
        for dim in s.dimensions["dataSet"]:
            value = self.single(dim)
            columns[dim.id] = pa.array([value] * len(obs.keys), pa.string())
        limits.exceeded(self.label, "columns", len(columns), f"{len(columns):,} components")
        table = pa.table(columns)
        groups = self.group_values(raw, s, path)
        self.groups += groups
        table = _apply_groups(table, groups, self.structure, dataset_values)
        return self.defaults(table, s, dataset_values)

    def single(self, dim: _Component) -> str | None:
        if not dim.values:
            raise self.fail(
                (*dim.path, "values"),
                "a dimension presented at the data set level needs its one value",
            )
        return dim.values[0]

    def observation_columns(
        self, obs: _Observations, s: _Structure, path: JsonPath
    ) -> dict[str, pa.Array]:
        """Observation-level dimensions from the keys; measures and attributes from the
        observation arrays."""
        columns: dict[str, pa.Array] = {}
        dims = s.dimensions["observation"]
        where = obs.locator(path)
        for dim, indices in zip(dims, _key_indices(obs.keys, len(dims), where, self), strict=True):
            columns[dim.id] = self.lookup(dim, indices, where, "key")
        arrays = obs.arrays
        for i, array in enumerate(arrays):
            if type(array) is not list:
                raise self.fail(where(i), f"expected an array, found {json_kind(array)}")
        for position, component in enumerate([*s.measures, *s.attributes["observation"]]):
            items = [a[position] if len(a) > position else None for a in arrays]
            columns[component.id] = self.values_column(component, items, _at(where, position))
        return columns

    def series_columns(
        self, items: list[tuple[str, Any]], s: _Structure, path: JsonPath
    ) -> dict[str, pa.Array]:
        """Series-level dimensions and attributes, one value per series."""
        columns: dict[str, pa.Array] = {}
        dims = s.dimensions["series"]
        keys = [k for k, _ in items]

        def where(i: int) -> JsonPath:
            return (*path, keys[i])

        for dim, indices in zip(dims, _key_indices(keys, len(dims), where, self), strict=True):
            columns[dim.id] = self.lookup(dim, indices, where, "key")
        values = [v.get("attributes", []) for _, v in items]
        for i, array in enumerate(values):
            if type(array) is not list:
                raise self.fail(
                    (*where(i), "attributes"), f"expected an array, found {json_kind(array)}"
                )
        for position, attr in enumerate(s.attributes["series"]):
            column = [a[position] if len(a) > position else None for a in values]
            columns[attr.id] = self.values_column(attr, column, _at(where, "attributes", position))
        return columns

    def lookup(
        self, component: _Component, indices: pa.Array, where: Callable[[int], JsonPath], what: str
    ) -> pa.Array:
        """The texts of ``component``'s values at ``indices`` (checked)."""
        values = component.values or []
        low, high = pc.min(indices).as_py(), pc.max(indices).as_py()
        if low is not None and high is not None and (low < 0 or high >= len(values)):
            outside = pc.or_(pc.less(indices, 0), pc.greater_equal(indices, len(values)))
            row = pc.index(pc.fill_null(outside, False), True).as_py()
            raise self.fail(
                where(row),
                f"{what} index {indices[row].as_py()} of {component.id} is out of range "
                f"({len(values)} value{'s' if len(values) != 1 else ''} in "
                f"{json_path((*component.path, 'values'))})",
            )
        return pa.array(values, pa.string()).take(indices)

    def values_column(
        self, component: _Component, items: list[Any], where: Callable[[int], JsonPath]
    ) -> pa.Array:
        """A measure or attribute column from its items: indices when the component lists
        its values, else the values themselves; the component's default where none."""
        if component.values is None:
            return _text_column(items, where, self)
        indices = _int_column(items)
        if indices is not None:
            return self.lookup(component, indices, where, "value")  # a null index: null
        # value by value: several values (an array of indices), or a wrong item, located
        texts = [self.item_text(component, v, where(i)) for i, v in enumerate(items)]
        return pa.array(texts, pa.string())

    def group_values(self, raw: dict[str, Any], s: _Structure, path: JsonPath) -> list[_KeyGroup]:
        """The data set's own attribute values and its dimension groups', as key groups."""
        groups = []
        attributes = self.arr(raw.get("attributes", []), (*path, "attributes"))
        values = {}
        for position, attr in enumerate(s.attributes["dataSet"]):
            item = attributes[position] if position < len(attributes) else None
            text = self.item_text(attr, item, (*path, "attributes", position))
            if text is not None:
                values[attr.id] = text
        if values:
            groups.append(_KeyGroup({}, values, f"{self.short} {json_path((*path, 'attributes'))}"))
        members = self.obj(
            raw.get("dimensionGroupAttributes", {}), (*path, "dimensionGroupAttributes")
        )
        dims = self.group_key_order(s, members)
        for key, array in members.items():
            mpath = (*path, "dimensionGroupAttributes", key)
            array = self.arr(array, mpath)
            parts = key.split(":")
            if len(parts) != len(dims):
                raise self.fail(
                    mpath,
                    f"the key has {len(parts)} positions; the message has {len(dims)} dimensions",
                )
            group_key = {}
            for dim, part in zip(dims, parts, strict=True):
                if part in ("", "~"):
                    continue
                if not part.isdigit():
                    raise self.fail(mpath, f"{part!r} is not an index (of {dim.id})")
                index = int(part)
                if index >= len(dim.values or []):
                    raise self.fail(mpath, f"index {index} of {dim.id} is out of range")
                group_key[dim.id] = (dim.values or [])[index] or ""
            found = {}
            for position, attr in enumerate(s.attributes["dimensionGroup"]):
                item = array[position] if position < len(array) else None
                text = self.item_text(attr, item, (*mpath, position))
                if text is not None:
                    found[attr.id] = text
            if found:
                groups.append(_KeyGroup(group_key, found, f"{self.short} {json_path(mpath)}"))
        return groups

    def group_key_order(self, s: _Structure, members: dict[str, Any]) -> list[_Component]:
        """The dimensions the positions of ``dimensionGroupAttributes`` keys stand for: in
        key order (``keyPosition``), as the field guide has it, unless an index is out of
        range in that order and not in the order the structure lists the dimensions (data
        set, series, observation level), which the specification's agri.json sample uses."""
        by_position = s.by_position
        listed = [d for level in s.dimensions.values() for d in level]
        if [d.id for d in listed] == [d.id for d in by_position]:
            return by_position

        def fits(dims: list[_Component]) -> bool:
            for key in members:
                parts = key.split(":")
                if len(parts) != len(dims):
                    return False
                for dim, part in zip(dims, parts, strict=True):
                    if part.isdigit() and int(part) >= len(dim.values or []):
                        return False
            return True

        return listed if not fits(by_position) and fits(listed) else by_position

    def item_text(self, component: _Component, item: Any, path: JsonPath) -> str | None:
        """One value: by index into the component's values (several values: an array of
        indices, joined with ``;``), or inline."""
        if component.values is None or item is None:
            return self.text(item, path)
        if isinstance(item, list):
            found = [self.item_text(component, v, (*path, i)) for i, v in enumerate(item)]
            return ";".join(f for f in found if f is not None) or None
        if not isinstance(item, int) or isinstance(item, bool):
            raise self.fail(
                path, f"expected the index of a value of {component.id}, found {json_kind(item)}"
            )
        if not 0 <= item < len(component.values):
            raise self.fail(
                path,
                f"value index {item} of {component.id} is out of range "
                f"({len(component.values)} values)",
            )
        return component.values[item]

    def defaults(self, table: pa.Table, s: _Structure, dataset: dict[str, str]) -> pa.Table:
        """Each attribute's ``default`` where the message gives it no value."""
        dataset_level = {
            a.id for a in self.structure.attributes if a.attachment is AttachmentLevel.DATASET
        }
        for attr in (a for level in s.attributes.values() for a in level):
            if attr.default is None:
                continue
            if attr.id in dataset_level:
                dataset.setdefault(attr.id, attr.default)
            elif attr.id in table.column_names:
                index = table.column_names.index(attr.id)
                filled = pc.fill_null(table.column(attr.id), attr.default)
                table = table.set_column(index, attr.id, filled)
            elif table.num_rows:
                table = table.append_column(
                    attr.id, pa.array([attr.default] * table.num_rows, pa.string())
                )
        return table


@dataclass
class _Observations:
    """The observations of a data set, flattened: their keys, arrays and series."""

    keys: list[str] = field(default_factory=list)
    arrays: list[Any] = field(default_factory=list)
    series: list[int] = field(default_factory=list)
    series_keys: list[str] = field(default_factory=list)

    def add(self, observations: dict[str, Any], series: int | None) -> None:
        self.keys += observations.keys()
        self.arrays += observations.values()
        if series is not None:
            self.series += [series] * len(observations)

    def locator(self, path: JsonPath) -> Callable[[int], JsonPath]:
        """The JSON path of observation ``i``."""

        def where(i: int) -> JsonPath:
            if not self.series:
                return (*path, "observations", self.keys[i])
            return (*path, "series", self.series_keys[self.series[i]], "observations", self.keys[i])

        return where


def _at(where: Callable[[int], JsonPath], *steps: str | int) -> Callable[[int], JsonPath]:
    """``where`` with ``steps`` added: the path of an item inside each located value."""

    def located(i: int) -> JsonPath:
        return (*where(i), *steps)

    return located


def _number_text(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    text: str = pa.array([value], pa.float64()).cast(pa.string())[0].as_py()
    return text


def _error_text(error: Any) -> str:
    if not isinstance(error, dict):
        return str(error)
    parts = [str(error.get(k)) for k in ("code", "title", "detail") if error.get(k) is not None]
    return " ".join(parts) or json.dumps(error)[:200]


def _key_indices(
    keys: list[str], count: int, where: Callable[[int], JsonPath], reader: _Reader
) -> list[pa.Array]:
    """The indices of each of ``count`` dimensions in keys such as ``"0:3:1"``."""
    if count == 0:
        for i, key in enumerate(keys):
            if key not in ("", "0"):
                raise reader.fail(where(i), "a key, but no dimension is presented at this level")
        return []
    array = pa.array(keys, pa.string())
    parts = pc.split_pattern(array, ":")
    lengths = pc.list_value_length(parts)
    wrong = pc.not_equal(lengths, count)
    if len(keys) and pc.any(wrong).as_py():
        row = pc.index(wrong, True).as_py()
        raise reader.fail(
            where(row),
            f"the key has {lengths[row].as_py()} indices; {count} dimensions "
            "are presented at this level",
        )
    flat = pc.list_flatten(parts)
    digits = pc.match_substring_regex(flat, r"^[0-9]{1,9}$")
    if len(flat) and not pc.all(digits).as_py():
        row = pc.index(digits, False).as_py() // count
        raise reader.fail(where(row), "a key is indices separated by ':'")
    numbers = flat.cast(pa.int64())
    return [numbers.take(pa.array(range(i, len(flat), count), pa.int64())) for i in range(count)]


def _int_column(items: list[Any]) -> pa.Array | None:
    """Value indices (``null`` allowed) as an int64 column; ``None`` when the items are not
    all indices or nulls."""
    try:
        array = pa.array(items)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return None
    if pa.types.is_integer(array.type) or pa.types.is_null(array.type):
        return array.cast(pa.int64())
    return None


def _text_column(items: list[Any], where: Callable[[int], JsonPath], reader: _Reader) -> pa.Array:
    """Inline values as text: a fast path for columns of one JSON type, else value by value."""
    try:
        array = pa.array(items)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        array = None
    if array is not None:
        t = array.type
        if pa.types.is_null(t):
            return pa.nulls(len(items), pa.string())
        if pa.types.is_string(t):
            return pc.if_else(pc.equal(array, _MISSING), pa.scalar(None, pa.string()), array)
        if pa.types.is_boolean(t):
            return pc.if_else(array, "true", "false")
        if pa.types.is_integer(t) or pa.types.is_floating(t):
            return array.cast(pa.string())
    return pa.array([reader.text(v, where(i)) for i, v in enumerate(items)], pa.string())


def _concat(tables: list[pa.Table], column_ids: tuple[str, ...]) -> pa.Table:
    """The data sets' tables one after the other, every structure column present."""
    tables = [t for t in tables if t.num_columns]
    if not tables:
        return pa.table({c: pa.array([], pa.string()) for c in column_ids})
    table = pa.concat_tables(tables, promote_options="default") if len(tables) > 1 else tables[0]
    for name in column_ids:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows, pa.string()))
    return table


def read_json(source: _Source, structure: DataStructure) -> DataPayload:
    """Read an SDMX-JSON data message into text columns, given its structure."""
    reader = _Reader(source, structure)
    message = load_message(source, reader.label)
    return reader.read(message)
