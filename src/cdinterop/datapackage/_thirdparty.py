"""Plain Data Packages (no ``cdinterop:*`` properties): a data set inferred from them.

The structure comes from the observation resource's Table Schema:

- fields of the ``primaryKey`` are dimensions; the first of them that is named like a
  time (``TIME_PERIOD``, ``year``, ``period``, ``date``, ``time``, any case) or typed
  ``date``, ``year`` or ``yearmonth`` is the time dimension (unless it is the only key
  field; a field named ``TIME_PERIOD`` is preferred). Without a primary key, the key is
  every field that is not a number, is coded or is named like a time (``year`` typed
  ``integer``, as ``frictionless describe`` infers it). The time dimension gets the id
  ``TIME_PERIOD`` that SDMX requires (a rename like the ones below; another field
  already called ``TIME_PERIOD`` is renamed ``TIME_PERIOD_2`` ...);
- a ``string`` or ``integer`` field with ``categories`` or ``constraints.enum`` is coded:
  its codelist ``CL_<id>`` has the values as codes and the category labels as names. When
  a value cannot be an SDMX code (a space, an accent ...), the field stays uncoded and the
  enum becomes a ``pattern`` facet instead;
- other ``number``/``integer`` fields are measures (named as the fields are), the rest
  observation-level attributes; ``constraints.required`` makes them mandatory. With a
  primary key but no numeric field, the uncoded non-key fields are the measures;
- types: ``string`` (``uri`` format: URI), ``integer``, ``number`` (decimal),
  ``boolean``, ``date``, ``datetime``; ``year`` is an integer; ``yearmonth``, ``time``,
  ``duration``, ``any``, ``object``, ``array``, ``geopoint`` and ``geojson`` are text.
  ``minLength``, ``maxLength``, ``pattern`` (if RE2 accepts it), ``minimum`` and
  ``maximum`` become facets;
- a field name that is not a valid component id (``^[A-Za-z][A-Za-z0-9_-]*$``) is
  sanitised (accents dropped, other characters ``_``, ``F_`` prefix where it does not
  start with a letter, ``_2`` ... on a clash); the concept keeps the original name.

The package metadata maps back as: ``name`` → id (upper case), ``title``,
``description``, ``keywords`` (in the ``language`` given, English by default),
``version`` (kept exactly as the version of the provenance source standing for the
descriptor; the data set's SDMX version is that text when it is one, such as ``1.0``, the
numeric core of ``v2.1-beta``, else the default ``1.0``: see `version_of()`),
``licenses`` → licence (an SPDX or Open Definition id such as ``ODC-PDDL-1.0``, by name,
by an ``spdx.org`` path or an ``opendatacommons.org`` page; none → ``None``),
``homepage`` → landing page, ``created`` → issued,
``contributors`` → agents and attributions (a contributor with ``givenName``,
``familyName`` or an ``organization`` is a person, acting on behalf of that
organisation; otherwise an organisation; the first ``publisher`` becomes the publisher,
the first ``contact`` with an e-mail or web page the contact point), ``sources`` →
provenance sources.

Every inference is recorded: the data set's provenance ends with a ``conversion``
activity (software ``cdinterop``) that used the descriptor (with its SHA-256 when read
from a file) and whose parameters list each renamed field (``renamed.<id>``), each
dropped pattern, an unrecognised licence and how the version was read (``version``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ValidationError

from cdinterop._version import __version__
from cdinterop.datapackage._descriptor import ROLE_NAMES
from cdinterop.errors import ReadError
from cdinterop.model import (
    Activity,
    ActivityType,
    Agent,
    AgentKind,
    Attribute,
    Attribution,
    Checksum,
    Code,
    Codelist,
    Concept,
    ContactPoint,
    DataStructure,
    Dimension,
    Facets,
    Measure,
    Provenance,
    Role,
    Source,
    TimeDimension,
    Usage,
    ValueType,
)
from cdinterop.model._internal import (
    NCNAME_ID_PATTERN,
    SDMX_ID_PATTERN,
    VERSION_PATTERN,
    check_language_tag,
    check_spdx_licence,
)

__all__ = [
    "DEFAULT_AGENCY",
    "DEFAULT_LANGUAGE",
    "FieldPlan",
    "Inference",
    "component_ids",
    "dataset_id",
    "infer_structure",
    "licence_of",
    "metadata_fields",
    "missing_values",
    "prepare_columns",
    "version_of",
]

DEFAULT_LANGUAGE = "en"
"""Language assumed for the texts of a plain Data Package (it has no language property)."""
DEFAULT_AGENCY = "UNKNOWN"
"""Agency given to data sets and structures read from plain Data Packages."""
SOFTWARE_AGENT = "CDINTEROP"
"""Id of the software agent of the recorded conversion activity."""
CONVERSION_ACTIVITY = "DATAPACKAGE_IMPORT"
"""Id of the recorded conversion activity."""
DESCRIPTOR_SOURCE = "DATAPACKAGE"
"""Id of the provenance source standing for the descriptor read."""

_TYPES = {
    "string": ValueType.STRING,
    "integer": ValueType.INTEGER,
    "number": ValueType.DECIMAL,
    "boolean": ValueType.BOOLEAN,
    "date": ValueType.DATE,
    "datetime": ValueType.DATETIME,
    "year": ValueType.INTEGER,
    "yearmonth": ValueType.STRING,
    "time": ValueType.STRING,
    "duration": ValueType.STRING,
    "any": ValueType.STRING,
    "object": ValueType.STRING,
    "array": ValueType.STRING,
    "geopoint": ValueType.STRING,
    "geojson": ValueType.STRING,
}
_TIME_TYPES = ("date", "year", "yearmonth")
_TIME_NAMES = ("time_period", "year", "period", "date", "time")
_TIME_ID = "TIME_PERIOD"
"""Id of the inferred time dimension (SDMX requires it)."""
_NUMERIC = ("number", "integer")
_SDMX_ID = re.compile(SDMX_ID_PATTERN)
_NCNAME = re.compile(NCNAME_ID_PATTERN)
_REGEX_SPECIAL = re.compile(r"([.^$*+?()\[\]{}|\\])")
_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]


@dataclass
class FieldPlan:
    """How one Table Schema field becomes one component."""

    name: str
    """The field name (the CSV column)."""
    id: str
    """The component id."""
    field: dict[str, Any]
    """The Table Schema field."""
    type: str
    """Its Table Schema type."""


@dataclass
class Inference:
    """A structure inferred from a Table Schema, and what the inference decided."""

    structure: DataStructure
    """The inferred structure."""
    plans: list[FieldPlan]
    """One plan per field, in schema order."""
    notes: dict[str, str] = field(default_factory=dict)
    """Decisions worth recording (renames, dropped patterns)."""


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def component_ids(names: list[str]) -> list[str]:
    """A valid, unique component id for each field name (unchanged where possible)."""
    ids: list[str] = []
    for name in names:
        candidate = name
        if not _NCNAME.match(candidate):
            ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
            candidate = re.sub(r"[^A-Za-z0-9_\-]+", "_", ascii_name).strip("_")
            if not candidate or not candidate[0].isalpha():
                candidate = f"F_{candidate}".rstrip("_")
        base, n = candidate, 1
        while candidate in ids or (candidate != name and candidate in names):
            n += 1
            candidate = f"{base}_{n}"
        ids.append(candidate)
    return ids


def _free_id(base: str, taken: set[str]) -> str:
    """``base``, else ``base_2``, ``base_3`` ... whichever is not taken."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def _time_period_ids(plans: list[FieldPlan], time: FieldPlan) -> None:
    """Give the time dimension the id ``TIME_PERIOD``; another field holding that id moves
    to a free one (``TIME_PERIOD_2`` ...)."""
    if time.id == _TIME_ID:
        return
    clash = next((p for p in plans if p.id == _TIME_ID), None)
    if clash is not None:
        taken = {p.id for p in plans} | {p.name for p in plans}
        clash.id = _free_id(_TIME_ID, taken)
    time.id = _TIME_ID


def _is_code_value(value: Any) -> bool:
    """Whether a category or enum value can be a code: a string or an integer."""
    return isinstance(value, str | int) and not isinstance(value, bool)


def _category_labels(categories: Any) -> dict[str, str | None]:
    """The values of v2 ``categories`` with their labels (``None`` when unlabelled)."""
    labels: dict[str, str | None] = {}
    if not isinstance(categories, list):
        return labels
    for item in categories:
        if isinstance(item, dict) and "value" in item:
            labels[str(item["value"])] = _text(item.get("label"))
        elif _is_code_value(item):
            labels[str(item)] = None
    return labels


def _codes(field: dict[str, Any]) -> list[tuple[str, str | None]] | None:
    """Values and labels of a coded field, or ``None``."""
    kind = field.get("type", "string")
    if kind not in ("string", "integer"):
        return None
    labels = _category_labels(field.get("categories"))
    constraints = field.get("constraints")
    enum = constraints.get("enum") if isinstance(constraints, dict) else None
    if isinstance(enum, list) and enum:
        values = [str(v) for v in enum if _is_code_value(v)]
        return [(v, labels.get(v)) for v in dict.fromkeys(values)]
    return list(labels.items()) or None


def _value_type(field: dict[str, Any]) -> ValueType:
    kind = field.get("type", "string")
    if kind == "string" and field.get("format") == "uri":
        return ValueType.URI
    return _TYPES[kind]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _string_facets(
    plan: FieldPlan, c: dict[str, Any], extra_pattern: str | None, notes: dict[str, str]
) -> dict[str, Any]:
    """Length and pattern facets of a string field (a pattern RE2 refuses is noted)."""
    values: dict[str, Any] = {}
    for key, name in (("minLength", "min_length"), ("maxLength", "max_length")):
        if isinstance(c.get(key), int) and not isinstance(c.get(key), bool):
            values[name] = c[key]
    pattern = extra_pattern or (c.get("pattern") if isinstance(c.get("pattern"), str) else None)
    if pattern is not None:
        try:
            Facets(pattern=pattern)
            values["pattern"] = pattern
        except ValidationError:
            notes[f"pattern-dropped.{plan.id}"] = pattern
    return values


def _numeric_facets(c: dict[str, Any]) -> dict[str, Any]:
    """Minimum and maximum facets of a number field."""
    values: dict[str, Any] = {}
    for key, name in (("minimum", "min_value"), ("maximum", "max_value")):
        number = _number(c.get(key))
        if number is not None:
            values[name] = number
    return values


def _facets(plan: FieldPlan, extra_pattern: str | None, notes: dict[str, str]) -> Facets | None:
    """The facets of a field's constraints (``extra_pattern`` stands for its enum)."""
    constraints = plan.field.get("constraints")
    c = constraints if isinstance(constraints, dict) else {}
    values: dict[str, Any] = {}
    if plan.type in ("string",):
        values = _string_facets(plan, c, extra_pattern, notes)
    elif plan.type in _NUMERIC:
        values = _numeric_facets(c)
    if not values:
        return None
    try:
        return Facets(**values)
    except ValidationError:
        return None


def _schema_fields(schema: dict[str, Any], label: str, where: str) -> list[dict[str, Any]]:
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        raise ReadError(label, f"{where}.fields: a Table Schema needs a non-empty list of fields")
    names: list[str] = []
    for i, f in enumerate(fields):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
            raise ReadError(label, f"{where}.fields[{i}]: a field needs a non-empty 'name'")
        kind = f.get("type", "string")
        if kind not in _TYPES:
            raise ReadError(
                label, f"{where}.fields[{i}]: field {f['name']!r} has unknown type {kind!r}"
            )
        if f["name"] in names:
            raise ReadError(label, f"{where}.fields: field name {f['name']!r} appears twice")
        names.append(f["name"])
    return fields


def _primary_key(schema: dict[str, Any], names: list[str], label: str, where: str) -> list[str]:
    key = schema.get("primaryKey")
    if key is None:
        return []
    keys = [key] if isinstance(key, str) else key
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ReadError(label, f"{where}.primaryKey: field name(s) expected, not {key!r}")
    unknown = [k for k in keys if k not in names]
    if unknown:
        raise ReadError(label, f"{where}.primaryKey: no field named {unknown}")
    return list(dict.fromkeys(keys))


@dataclass
class _Coding:
    """Which fields are coded, keyed by field name (unique, unlike ids, which the time
    dimension may still change)."""

    coded: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    """Codes (value, label) of each coded field."""
    patterns: dict[str, str] = field(default_factory=dict)
    """The pattern standing for an enum whose values cannot be SDMX codes."""

    def time_like(self, plan: FieldPlan) -> bool:
        """Whether an uncoded field is named or typed like a time."""
        return plan.name not in self.coded and (
            plan.name.lower() in _TIME_NAMES or plan.type in _TIME_TYPES
        )


@dataclass
class _Roles:
    """The part each field plays in the inferred structure."""

    key: list[FieldPlan]
    """The key fields (dimensions, time included)."""
    time: FieldPlan | None
    """The time dimension, if any."""
    rest: list[FieldPlan]
    """The fields outside the key (attributes and measures)."""
    measures: list[FieldPlan]
    """The measures (a part of ``rest``)."""


def _field_plans(fields: list[dict[str, Any]]) -> list[FieldPlan]:
    """One plan per field, each with a valid, unique component id."""
    names = [f["name"] for f in fields]
    ids = component_ids(names)
    return [
        FieldPlan(name, cid, f, f.get("type", "string"))
        for name, cid, f in zip(names, ids, fields, strict=True)
    ]


def _coding(plans: list[FieldPlan]) -> _Coding:
    """The coded fields, and a pattern for each string enum that cannot be codes."""
    coding = _Coding()
    for plan in plans:
        codes = _codes(plan.field)
        if codes is None:
            continue
        if all(_SDMX_ID.match(v) for v, _ in codes):
            coding.coded[plan.name] = codes
        elif plan.type == "string":
            coding.patterns[plan.name] = "|".join(_REGEX_SPECIAL.sub(r"\\\1", v) for v, _ in codes)
    return coding


def _key(plans: list[FieldPlan], key_names: list[str], coding: _Coding) -> list[FieldPlan]:
    """The primary key's fields, else every field not a number, coded or time-like."""
    if key_names:
        return [p for p in plans if p.name in key_names]
    return [
        p for p in plans if p.type not in _NUMERIC or p.name in coding.coded or coding.time_like(p)
    ]


def _time_of(key: list[FieldPlan], coding: _Coding) -> FieldPlan | None:
    """The key field that becomes the time dimension, if any."""
    candidates = [p for p in key if coding.time_like(p)]
    # a field named TIME_PERIOD first, then one typed as a time, then one only named like one
    ranked = sorted(candidates, key=lambda p: (p.id != _TIME_ID, p.type not in _TIME_TYPES))
    time = next(iter(ranked), None)
    if time is not None and len(key) == 1:
        return None  # a structure needs a dimension besides time: keep it a plain one
    return time


def _measures_of(rest: list[FieldPlan], keyed: bool, coding: _Coding) -> list[FieldPlan]:
    """The uncoded numeric fields outside the key; with a primary key and none of them,
    every uncoded field outside the key."""
    measures = [p for p in rest if p.type in _NUMERIC and p.name not in coding.coded]
    if not measures and keyed:
        measures = [p for p in rest if p.name not in coding.coded]
    return measures


def _roles(plans: list[FieldPlan], key_names: list[str], coding: _Coding) -> _Roles:
    """Decide the part each field plays (the time dimension is not renamed yet)."""
    key = _key(plans, key_names, coding)
    key_fields = {p.name for p in key}
    rest = [p for p in plans if p.name not in key_fields]
    return _Roles(
        key=key,
        time=_time_of(key, coding),
        rest=rest,
        measures=_measures_of(rest, bool(key_names), coding),
    )


def _check_roles(roles: _Roles, label: str, where: str) -> None:
    """Refuse a schema without a dimension or without a measure."""
    if not roles.key:
        raise ReadError(
            label,
            f"{where}: cannot infer dimensions: no primaryKey and no field that is not "
            "a number (add a primaryKey to the Table Schema)",
        )
    if not roles.measures:
        raise ReadError(
            label,
            f"{where}: cannot infer a measure: no field outside the primary key can hold the "
            "observed values (a number field, or any uncoded field)",
        )


def _represented(plan: FieldPlan, coding: _Coding, notes: dict[str, str]) -> dict[str, Any]:
    """How a component is represented: its codelist, else its value type and facets."""
    if plan.name in coding.coded:
        return {"codelist": f"CL_{plan.id}"}
    return {
        "value_type": _value_type(plan.field),
        "facets": _facets(plan, coding.patterns.get(plan.name), notes),
    }


def _usage(plan: FieldPlan) -> Usage:
    """Mandatory when the field's constraints say ``required``."""
    constraints = plan.field.get("constraints")
    required = isinstance(constraints, dict) and constraints.get("required") is True
    return Usage.MANDATORY if required else Usage.CONDITIONAL


def _components(roles: _Roles, coding: _Coding, notes: dict[str, str]) -> dict[str, Any]:
    """The dimensions, time dimension, attributes and measures of the structure."""
    measure_ids = {p.id for p in roles.measures}
    return {
        "dimensions": [
            Dimension(id=p.id, **_represented(p, coding, notes))
            for p in roles.key
            if p is not roles.time
        ],
        "time_dimension": None if roles.time is None else TimeDimension(id=roles.time.id),
        "attributes": [
            Attribute(id=p.id, usage=_usage(p), **_represented(p, coding, notes))
            for p in roles.rest
            if p.id not in measure_ids
        ],
        "measures": [
            Measure(id=p.id, usage=_usage(p), **_represented(p, coding, notes))
            for p in roles.measures
        ],
    }


def infer_structure(
    schema: dict[str, Any],
    *,
    structure_id: str,
    agency: str,
    language: str,
    label: str,
    where: str,
) -> Inference:
    """Infer the structure of a plain package's observation table from its Table Schema.

    Raises [`ReadError`][cdinterop.errors.ReadError] when the schema cannot be represented.
    """
    plans = _field_plans(_schema_fields(schema, label, where))
    key_names = _primary_key(schema, [p.name for p in plans], label, where)
    coding = _coding(plans)
    roles = _roles(plans, key_names, coding)
    if roles.time is not None:
        _time_period_ids(plans, roles.time)
    notes = {f"renamed.{p.id}": p.name for p in plans if p.id != p.name}
    _check_roles(roles, label, where)
    try:
        structure = DataStructure(
            id=f"DSD_{structure_id}",
            agency=agency,
            name={language: _text(schema.get("title")) or structure_id},
            concepts=[_concept(p, language) for p in plans],
            codelists=_codelists(plans, coding, agency, language),
            **_components(roles, coding, notes),
        )
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise ReadError(
            label, f"{where}: cannot represent this Table Schema: {first['msg']}"
        ) from None
    return Inference(structure, plans, notes)


def _concept(plan: FieldPlan, language: str) -> Concept:
    title = _text(plan.field.get("title")) or plan.name
    description = _text(plan.field.get("description"))
    return Concept(
        id=plan.id,
        name={language: title},
        description=None if description is None else {language: description},
    )


def _codelists(
    plans: list[FieldPlan], coding: _Coding, agency: str, language: str
) -> list[Codelist]:
    """One codelist per coded field, in schema order."""
    return [
        _codelist(p, coding.coded[p.name], agency, language)
        for p in plans
        if p.name in coding.coded
    ]


def _codelist(
    plan: FieldPlan, codes: list[tuple[str, str | None]], agency: str, language: str
) -> Codelist:
    return Codelist(
        id=f"CL_{plan.id}",
        agency=agency,
        name={language: _text(plan.field.get("title")) or plan.name},
        codes=[Code(id=value, name={language: label or value}) for value, label in codes],
    )


def _missing_values(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("value"), str):
            out.append(item["value"])
    return out


def missing_values(schema: dict[str, Any], field: dict[str, Any]) -> list[str]:
    """The missing values of a field: its own, else the schema's, else ``[""]``."""
    own = _missing_values(field.get("missingValues"))
    if own is not None:
        return own
    shared = _missing_values(schema.get("missingValues"))
    return [""] if shared is None else shared


def _strings(value: Any, default: list[str]) -> list[str]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return default


def _prepare_boolean(f: dict[str, Any], column: pa.ChunkedArray) -> pa.ChunkedArray:
    """The field's true and false values as ``true`` and ``false``."""
    trues = _strings(f.get("trueValues"), _TRUE)
    falses = _strings(f.get("falseValues"), _FALSE)
    is_true = pc.is_in(column, value_set=pa.array(trues, pa.string()))
    is_false = pc.is_in(column, value_set=pa.array(falses, pa.string()))
    return pc.if_else(is_true, "true", pc.if_else(is_false, "false", column))


def _prepare_number(f: dict[str, Any], kind: str, column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Numbers without group characters, with a ``.`` decimal point and, where
    ``bareNumber`` is false, without leading and trailing text."""
    group = f.get("groupChar")
    if isinstance(group, str) and group:
        column = pc.replace_substring(column, group, "")
    decimal = f.get("decimalChar")
    if kind == "number" and isinstance(decimal, str) and decimal not in ("", "."):
        column = pc.replace_substring(column, decimal, ".")
    if f.get("bareNumber") is False:
        column = pc.replace_substring_regex(column, r"^[^0-9+\-.]+|[^0-9.]+$", "")
    return column


def _prepare_date(kind: str, fmt: str, column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Dates and date-times in the field's ``format`` as ISO 8601 (a value that does not
    fit the format stays as it is)."""
    parsed = pc.strptime(column, format=fmt, unit="s", error_is_null=True)
    out = "%Y-%m-%d" if kind == "date" else "%Y-%m-%dT%H:%M:%S"
    return pc.if_else(pc.is_valid(parsed), pc.strftime(parsed, format=out), column)


def _prepare(plan: FieldPlan, column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column in the lexical forms the model reads (Table Schema rules applied)."""
    f = plan.field
    kind = plan.type
    if kind == "boolean":
        return _prepare_boolean(f, column)
    if kind in _NUMERIC:
        return _prepare_number(f, kind, column)
    fmt = f.get("format")
    if kind in ("date", "datetime") and isinstance(fmt, str) and fmt not in ("default", "any"):
        return _prepare_date(kind, fmt, column)
    return column


def _without_missing(column: pa.ChunkedArray, values: list[str]) -> pa.ChunkedArray:
    """A column with its missing values null (an empty field is text when ``""`` is
    not one of them)."""
    if "" not in values:
        column = pc.fill_null(column, "")
    others = [v for v in values if v != ""]
    if others:
        hit = pc.is_in(column, value_set=pa.array(others, pa.string()))
        column = pc.if_else(hit, pa.scalar(None, pa.string()), column)
    return column


def prepare_columns(
    table: pa.Table, inference: Inference, schema: dict[str, Any]
) -> tuple[pa.Table, list[str], list[str]]:
    """Apply missing values and Table Schema lexical rules; rename columns to component
    ids. Returns the table and the missing and unknown column names."""
    present = set(table.column_names)
    missing = [p.name for p in inference.plans if p.name not in present]
    known = {p.name for p in inference.plans}
    unknown = [n for n in table.column_names if n not in known]
    columns: dict[str, pa.ChunkedArray] = {
        plan.id: _prepare(
            plan, _without_missing(table.column(plan.name), missing_values(schema, plan.field))
        )
        for plan in inference.plans
        if plan.name in present
    }
    return pa.table(columns) if columns else pa.table({}), missing, unknown


# -- package metadata ------------------------------------------------------------------


def dataset_id(descriptor: dict[str, Any], resource: dict[str, Any]) -> str:
    """Data-set id from the package (else resource) name: upper case, SDMX characters."""
    name = _text(descriptor.get("name")) or _text(resource.get("name")) or "DATAPACKAGE"
    text = re.sub(r"[^A-Za-z0-9_@$\-]+", "_", name.upper()).strip("_")
    return text or "DATAPACKAGE"


_SEMVER_CORE = re.compile(
    r"^[vV]?((0|[1-9]\d*)(\.(0|[1-9]\d*)){0,2})([-.][A-Za-z][0-9A-Za-z.\-]*)?(\+[0-9A-Za-z.\-]+)?$"
)
"""A version whose numeric core can be the SDMX version: ``v1.2``, ``2.1-beta``,
``1.0.0+build.5`` (a suffix after ``-`` starts with a letter, so that a date such as
``2023-03-30`` is never cut to ``2023``)."""


def version_of(value: Any) -> tuple[str | None, str | None, str]:
    """How the descriptor's ``version`` is read: ``(SDMX version or None, its exact text or
    None, a note for the conversion record)``.

    The text is kept exactly (it becomes the version of the provenance source standing
    for the descriptor). The data set's version is the text itself when it is an SDMX
    version (``1``, ``1.0``, ``2.3.1``), the numeric core of a version with a prefix or a
    suffix (``v2.1-beta`` → ``2.1``), and otherwise (a date, a name) the model's default
    ``1.0``; each case but the first is noted.
    """
    if value is None:
        return None, None, "none given; the data set has the default version 1.0"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None, None, f"{value!r} is not text; the data set has the default version 1.0"
    text = value if isinstance(value, str) else str(value)
    if re.match(VERSION_PATTERN, text):
        note = "" if isinstance(value, str) else f"the number {text} read as the text {text!r}"
        return text, text, note
    match = _SEMVER_CORE.match(text.strip())
    if match is not None:
        return match.group(1), text, f"{text!r} read as {match.group(1)!r}"
    return (
        None,
        text,
        f"{text!r} is not an SDMX version (kept as the descriptor source's version); "
        "the data set has the default version 1.0",
    )


_OPEN_DEFINITION = {
    "odc-pddl": "PDDL-1.0",
    "odc-by": "ODC-By-1.0",
    "odc-odbl": "ODbL-1.0",
    "cc-zero": "CC0-1.0",
}
"""The Open Definition ids without a version (CKAN's) of licences that have only one."""
_SPDX_PAGE = re.compile(r"^https?://spdx\.org/licenses/([A-Za-z0-9.+\-]+?)(\.html|\.json)?$")
_ODC_PAGE = re.compile(
    r"^https?://(www\.)?opendatacommons\.org/licenses/(pddl|odbl|by)(/(\d+\.\d+))?(/.*)?$"
)
"""An Open Data Commons licence page (``https://opendatacommons.org/licenses/pddl/``)."""
_ODC_SPDX = {"pddl": "PDDL", "odbl": "ODbL", "by": "ODC-By"}


def _licence_candidates(first: dict[str, Any]) -> list[str]:
    """The SPDX ids a licence entry may stand for: by name (Open Definition ids mapped),
    by an ``spdx.org`` path, by an ``opendatacommons.org`` page."""
    candidates = []
    name = first.get("name")
    if isinstance(name, str):
        candidates.append(_OPEN_DEFINITION.get(name.lower(), name))
    path = first.get("path")
    if isinstance(path, str) and (match := _SPDX_PAGE.match(path)):
        candidates.append(match[1])
    if isinstance(path, str) and (match := _ODC_PAGE.match(path)):
        # every Open Data Commons licence has one version so far: 1.0
        candidates.append(f"{_ODC_SPDX[match[2]]}-{match[4] or '1.0'}")
    return candidates


def licence_of(licenses: Any) -> tuple[str | None, str | None]:
    """(SPDX id, unrecognised text) of the first licence of ``licenses``."""
    if not isinstance(licenses, list) or not licenses or not isinstance(licenses[0], dict):
        return None, None
    first = licenses[0]
    for candidate in _licence_candidates(first):
        try:
            return check_spdx_licence(candidate), None
        except ValueError:
            continue
    name, path = first.get("name"), first.get("path")
    shown = name if isinstance(name, str) else path if isinstance(path, str) else None
    return None, shown


_ROLES = {name.lower(): role for role, name in ROLE_NAMES.items()} | {
    "author": Role.CREATOR,
    "maintainer": Role.DATA_MANAGER,
    "wrangler": Role.DATA_CURATOR,
    "contactperson": Role.POINT_OF_CONTACT,
    "pointofcontact": Role.POINT_OF_CONTACT,
    "hostinginstitution": Role.DISTRIBUTOR,
    "owner": Role.RIGHTS_HOLDER,
}


def _role(text: Any) -> Role:
    key = re.sub(r"[\s_\-]", "", text).lower() if isinstance(text, str) else ""
    return _ROLES.get(key, Role.CONTRIBUTOR)


def _url(value: Any) -> str | None:
    return value if isinstance(value, str) and re.match(r"^https?://\S+$", value) else None


def _email(value: Any) -> str | None:
    if isinstance(value, str) and re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
        return value
    return None


def _agent(**values: Any) -> Agent:
    """An agent; an e-mail or web page the model rejects is left out, not fatal."""
    try:
        return Agent.model_validate(values)
    except ValidationError:
        return Agent.model_validate({**values, "email": None, "homepage": None})


@dataclass
class _People:
    agents: list[Agent] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    publisher: str | None = None
    contact: ContactPoint | None = None


def _is_person(c: dict[str, Any]) -> bool:
    """A contributor with a given or family name or an organisation is a person."""
    return any(_text(c.get(k)) for k in ("givenName", "familyName", "organization"))


def _contributor_name(c: dict[str, Any]) -> str | None:
    """The title, else the full name, else the e-mail of a contributor."""
    given, family = _text(c.get("givenName")), _text(c.get("familyName"))
    full = " ".join(p for p in (given, family) if p)
    return _text(c.get("title")) or full or _text(c.get("email"))


def _contributor_roles(c: dict[str, Any]) -> list[Role]:
    """The distinct roles of a contributor (v2 ``roles``, v1 ``role``), else contributor."""
    raw_roles = c.get("roles")
    if raw_roles is None and c.get("role") is not None:  # v1: one role
        raw_roles = [c.get("role")]
    roles = [_role(r) for r in raw_roles] if isinstance(raw_roles, list) else []
    return list(dict.fromkeys(roles or [Role.CONTRIBUTOR]))


def _organisation_ids(entries: list[dict[str, Any]]) -> dict[str | None, str]:
    """Agent ids of the organisation contributors, by title (persons' ``organization``
    reuses the contributor of that title)."""
    return {
        _text(c.get("title")): f"C{i}"
        for i, c in enumerate(entries, start=1)
        if not _is_person(c) and _text(c.get("title"))
    }


def _on_behalf_of(
    c: dict[str, Any], organisations: dict[str | None, str], people: _People
) -> str | None:
    """The agent id of a contributor's organisation; a new one becomes an agent."""
    organisation = _text(c.get("organization"))
    if organisation is None:
        return None
    behalf = organisations.get(organisation)
    if behalf is None:
        behalf = f"ORG{len(organisations) + 1}"
        organisations[organisation] = behalf
        people.agents.append(
            Agent(
                id=behalf,
                kind=AgentKind.ORGANISATION,
                name=organisation,
                pseudonymous=False,
            )
        )
    return behalf


def _contact_of(c: dict[str, Any], name: str) -> ContactPoint | None:
    """A contact point for a contributor with an e-mail or web page, else ``None``."""
    if not (_email(c.get("email")) or _url(c.get("path"))):
        return None
    try:
        return ContactPoint(name=name, email=_email(c.get("email")), url=_url(c.get("path")))
    except ValidationError:
        return None


def _add_contributor(
    people: _People, organisations: dict[str | None, str], agent_id: str, c: dict[str, Any]
) -> None:
    """Record one contributor: its agent, attributions, and publisher or contact role."""
    name = _contributor_name(c)
    if name is None:
        return
    roles = _contributor_roles(c)
    behalf = _on_behalf_of(c, organisations, people)
    people.agents.append(
        _agent(
            id=agent_id,
            kind=AgentKind.PERSON if _is_person(c) else AgentKind.ORGANISATION,
            name=name,
            pseudonymous=False,
            homepage=_url(c.get("path")),
            email=_email(c.get("email")),
            acted_on_behalf_of=behalf,
        )
    )
    people.attributions.extend(Attribution(agent=agent_id, role=r) for r in roles)
    if Role.PUBLISHER in roles and people.publisher is None:
        people.publisher = agent_id
    if Role.POINT_OF_CONTACT in roles and people.contact is None:
        people.contact = _contact_of(c, name)


def _contributors(value: Any) -> _People:
    """Agents, attributions, publisher and contact point of the ``contributors``."""
    people = _People()
    if not isinstance(value, list):
        return people
    entries = [c for c in value if isinstance(c, dict)]
    organisations = _organisation_ids(entries)
    for i, c in enumerate(entries, start=1):
        _add_contributor(people, organisations, f"C{i}", c)
    return people


def _sources(value: Any) -> list[Source]:
    sources: list[Source] = []
    if not isinstance(value, list):
        return sources
    for i, s in enumerate(value, start=1):
        if not isinstance(s, dict):
            continue
        path = _text(s.get("path"))
        title = _text(s.get("title")) or path
        if title is None:
            continue
        checksum = None
        raw = s.get("cdinterop:checksum")
        if isinstance(raw, str) and ":" in raw:
            algorithm, digest = raw.split(":", 1)
            try:
                checksum = Checksum.model_validate(
                    {"algorithm": algorithm.lower(), "value": digest.lower()}
                )
            except ValidationError:
                checksum = None
        url = _url(path)
        sources.append(
            Source(
                id=f"S{i}",
                title=title,
                path=None if url else path,
                url=url,
                version=_text(s.get("version")),
                checksum=checksum,
            )
        )
    return sources


def _issued(value: Any) -> date | None:
    if isinstance(value, str) and (match := re.match(r"^(\d{4}-\d{2}-\d{2})", value)):
        try:
            return date.fromisoformat(match[1])
        except ValueError:
            return None
    return None


def _keywords(value: Any) -> tuple[str, ...]:
    """The distinct non-empty keywords of a ``keywords`` list."""
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(k.strip() for k in value if isinstance(k, str) and k.strip()))


def _descriptor_source(
    descriptor: dict[str, Any],
    title: str,
    descriptor_bytes: bytes | None,
    descriptor_name: str | None,
    version_text: str | None,
) -> Source:
    """The provenance source standing for the descriptor read (with its SHA-256)."""
    checksum = None
    if descriptor_bytes is not None:
        checksum = Checksum(value=hashlib.sha256(descriptor_bytes).hexdigest())
    return Source(
        id=DESCRIPTOR_SOURCE,
        title=f"Data Package descriptor of {_text(descriptor.get('name')) or title}",
        path=descriptor_name,
        media_type="application/json",
        size=None if descriptor_bytes is None else len(descriptor_bytes),
        checksum=checksum,
        version=version_text,
    )


def _software_agent() -> Agent:
    """The software agent of the recorded conversion: this version of cdinterop."""
    return Agent(
        id=SOFTWARE_AGENT,
        kind=AgentKind.SOFTWARE,
        name="cdinterop",
        version=__version__,
        pseudonymous=False,
    )


def _conversion_activity(parameters: dict[str, str | int | float | bool], rows: int) -> Activity:
    """The recorded conversion activity that used the descriptor."""
    return Activity(
        id=CONVERSION_ACTIVITY,
        type=ActivityType.CONVERSION,
        label="Read from a Frictionless Data Package (structure inferred from its Table Schema)",
        agents=(SOFTWARE_AGENT,),
        used=(DESCRIPTOR_SOURCE,),
        software=SOFTWARE_AGENT,
        method="cdinterop.datapackage third-party inference",
        rows_in=rows,
        rows_out=rows,
        parameters=parameters,
    )


def _conversion_parameters(
    resource: dict[str, Any],
    inference: Inference,
    unrecognised_licence: str | None,
    version_note: str,
) -> dict[str, str | int | float | bool]:
    """The parameters of the conversion activity: resource, inference notes, an
    unrecognised licence and how the version was read."""
    parameters: dict[str, str | int | float | bool] = {
        "resource": str(resource.get("name", "")),
        **inference.notes,
    }
    if unrecognised_licence is not None:
        parameters["licence-unrecognised"] = unrecognised_licence
    if version_note:
        parameters["version"] = version_note
    return parameters


def metadata_fields(
    descriptor: dict[str, Any],
    resource: dict[str, Any],
    *,
    dataset: str,
    agency: str,
    language: str,
    inference: Inference,
    descriptor_bytes: bytes | None,
    descriptor_name: str | None,
    rows: int,
) -> dict[str, Any]:
    """The data-set fields (all but structure and observations) of a plain package."""
    check_language_tag(language)
    title = _text(descriptor.get("title")) or _text(resource.get("title")) or dataset
    description = _text(descriptor.get("description")) or _text(resource.get("description"))
    keywords = _keywords(descriptor.get("keywords"))
    licence, unrecognised = licence_of(descriptor.get("licenses") or resource.get("licenses"))
    people = _contributors(descriptor.get("contributors"))
    sources = _sources(descriptor.get("sources"))
    version, version_text, version_note = version_of(descriptor.get("version"))
    parameters = _conversion_parameters(resource, inference, unrecognised, version_note)
    sources.append(
        _descriptor_source(descriptor, title, descriptor_bytes, descriptor_name, version_text)
    )
    fields: dict[str, Any] = {
        "id": dataset,
        "agency": agency,
        "title": {language: title},
        "description": None if description is None else {language: description},
        "keywords": {language: keywords} if keywords else {},
        "licence": licence,
        "landing_page": _url(descriptor.get("homepage")),
        "issued": _issued(descriptor.get("created")),
        "publisher": people.publisher,
        "contact_point": people.contact,
        "provenance": Provenance(
            agents=(*people.agents, _software_agent()),
            attributions=tuple(people.attributions),
            activities=(_conversion_activity(parameters, rows),),
            sources=tuple(sources),
        ),
    }
    if version is not None:
        fields["version"] = version
    return fields
