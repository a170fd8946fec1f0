"""Table Schema (v2) from a [`DataStructure`][cdinterop.model.DataStructure], and the Table Schema
facts cdinterop reads back.

The observations resource gets one field per CSV column (`csv_columns()`):

- ``type`` from the value type: ``string``, ``integer``, ``number`` (decimal),
  ``boolean``, ``date``, ``datetime``; a URI is a ``string`` with ``format: uri``; coded
  components and the time dimension are strings (SDMX periods such as ``2024-Q1`` or
  ``2024-W05`` are no Table Schema dates, so no pattern or date type is claimed);
- ``title`` and ``description`` from the component's concept (default language);
- coded components: v2 ``categories`` (``{value, label}``) and ``constraints.enum``, plus
  a foreign key to the codelist's own resource (``codelists/<id>.csv``: ``code``,
  ``name``, ``parent`` for hierarchies, with a self-referencing foreign key);
- ``constraints.required`` for dimensions, the time dimension and mandatory attributes and
  measures; facets as ``minLength``, ``maxLength``, ``pattern``, ``minimum``, ``maximum``;
- a data-set-level attribute is a constant column: when it has a value, its field says so
  with ``required: true`` and a one-value ``enum`` (so the value survives a table without
  rows, and Table Schema validators check that every row repeats it).

The schema declares ``missingValues: [""]`` and ``primaryKey`` = the key components.
"""

from __future__ import annotations

import math
import re
from typing import Any

from cdinterop.datapackage._resources import codelist_columns, csv_columns
from cdinterop.model import (
    AttachmentLevel,
    Attribute,
    CitizenDataset,
    Codelist,
    Component,
    DataStructure,
    Dimension,
    Measure,
    TimeDimension,
    Usage,
    ValueType,
    text_in,
)

__all__ = [
    "TABLE_SCHEMA_PROFILE",
    "codelist_resource_names",
    "codelist_schema",
    "observation_schema",
    "slug",
]

TABLE_SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
"""``$schema`` of every Table Schema cdinterop writes."""

_TYPES = {
    ValueType.STRING: "string",
    ValueType.URI: "string",
    ValueType.INTEGER: "integer",
    ValueType.DECIMAL: "number",
    ValueType.BOOLEAN: "boolean",
    ValueType.DATE: "date",
    ValueType.DATETIME: "datetime",
}


def slug(text: str) -> str:
    """Lower-case ``text`` with characters outside ``[a-z0-9._-]`` replaced by ``-``."""
    return re.sub(r"[^a-z0-9._-]", "-", text.lower())


def codelist_resource_names(structure: DataStructure) -> dict[str, str]:
    """Resource name of each codelist used by a column, by its ``AGENCY:ID(VERSION)``:
    ``codelist-<slug of id>`` (codelists referenced but not included have no codes, so no
    resource).

    Names are unique (``-2``, ``-3`` ... after ids that differ only in case, or codelists of
    two agencies with the same id)."""
    used: dict[str, str] = {}
    for cid in csv_columns(structure):
        codelist = structure.codelist_of(cid)
        if codelist is not None and not codelist.external:
            used.setdefault(codelist.ref, codelist.id)
    names: dict[str, str] = {}
    taken: set[str] = {"observations"}
    for ref, codelist_id in used.items():
        base = f"codelist-{slug(codelist_id)}"
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name)
        names[ref] = name
    return names


def _concept_texts(structure: DataStructure, concept_id: str, language: str) -> dict[str, str]:
    try:
        concept = structure.concept(concept_id)
    except KeyError:
        return {}
    texts = {"title": text_in(concept.name, language)}
    description = text_in(concept.description, language)
    if description:
        texts["description"] = description
    return {k: v for k, v in texts.items() if v}


def _present(pairs: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """The pairs whose value is not ``None``, as a dict."""
    return {key: value for key, value in pairs if value is not None}


def _facet_constraints(component: Dimension | Attribute | Measure) -> dict[str, Any]:
    """The Table Schema constraints standing for a component's facets."""
    f = component.facets
    if f is None:
        return {}
    kind = component.value_type
    if kind in (ValueType.STRING, ValueType.URI):
        return _present(
            (("minLength", f.min_length), ("maxLength", f.max_length), ("pattern", f.pattern))
        )
    if kind is ValueType.INTEGER:
        # an integer is >= 0.5 exactly when it is >= 1: integer bounds are equivalent
        return _present(
            (
                ("minimum", None if f.min_value is None else math.ceil(f.min_value)),
                ("maximum", None if f.max_value is None else math.floor(f.max_value)),
            )
        )
    if kind is ValueType.DECIMAL:
        return _present((("minimum", f.min_value), ("maximum", f.max_value)))
    return {}


def _categories(codelist: Codelist, language: str, only: list[str] | None) -> list[Any]:
    return [
        {"value": code.id, "label": text_in(code.name, language) or code.id}
        for code in codelist.codes
        if only is None or code.id in only
    ]


def _is_dataset_level(component: Component) -> bool:
    """Whether a component is an attribute attached to the whole data set."""
    return isinstance(component, Attribute) and component.attachment is AttachmentLevel.DATASET


def _dataset_value(ds: CitizenDataset, component: Component) -> Any:
    """The value of a data-set-level attribute, else ``None``."""
    if _is_dataset_level(component) and component.id in ds.attribute_values:
        return ds.attribute_values[component.id]
    return None


def _coded_field(
    codelist: Codelist, dataset_value: Any, language: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Type and categories of a coded field, and its ``enum`` (the data-set value only,
    when there is one)."""
    only = None if dataset_value is None else [dataset_value]
    typed = {"type": "string", "categories": _categories(codelist, language, only)}
    return typed, {"enum": [code.id for code in codelist.codes] if only is None else only}


def _uncoded_field(
    component: Dimension | Attribute | Measure, dataset_value: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Type (and URI format) of an uncoded field, and its facets and data-set value as
    constraints."""
    typed: dict[str, Any] = {"type": _TYPES[component.value_type]}
    if component.value_type is ValueType.URI:
        typed["format"] = "uri"
    constraints = _facet_constraints(component)
    if dataset_value is not None:
        constraints["enum"] = [dataset_value]
    return typed, constraints


def _typed_field(
    component: Component, codelist: Codelist | None, dataset_value: Any, language: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The type members of a field and its constraints (``required`` aside)."""
    if isinstance(component, TimeDimension):
        return {"type": "string"}, {}
    if codelist is not None and codelist.external:
        return {"type": "string"}, {}  # its codes are not known: no categories, no enum
    if codelist is not None:
        return _coded_field(codelist, dataset_value, language)
    return _uncoded_field(component, dataset_value)


def _required(component: Component, dataset_value: Any) -> bool:
    """Key components, mandatory attributes and measures not attached to the data set, and
    data-set attributes with a value are required."""
    return (
        isinstance(component, Dimension | TimeDimension)
        or (
            isinstance(component, Measure | Attribute)
            and component.usage is Usage.MANDATORY
            and not _is_dataset_level(component)
        )
        or dataset_value is not None
    )


def _field(ds: CitizenDataset, cid: str, language: str) -> dict[str, Any]:
    s = ds.structure
    component = s.component(cid)
    dataset_value = _dataset_value(ds, component)
    typed, constraints = _typed_field(component, s.codelist_of(cid), dataset_value, language)
    field: dict[str, Any] = {"name": cid}
    field.update(_concept_texts(s, component.concept_id, language))
    field.update(typed)
    if _required(component, dataset_value):
        constraints = {"required": True, **constraints}
    if constraints:
        field["constraints"] = constraints
    return field


def observation_schema(ds: CitizenDataset, language: str) -> dict[str, Any]:
    """The Table Schema of ``observations.csv``."""
    s = ds.structure
    resources = codelist_resource_names(s)
    foreign_keys = []
    for cid in csv_columns(s):
        codelist = s.codelist_of(cid)
        if codelist is not None and codelist.ref in resources:
            foreign_keys.append(
                {
                    "fields": [cid],
                    "reference": {"resource": resources[codelist.ref], "fields": ["code"]},
                }
            )
    schema: dict[str, Any] = {
        "$schema": TABLE_SCHEMA_PROFILE,
        "fields": [_field(ds, cid, language) for cid in csv_columns(s)],
        "missingValues": [""],
        "primaryKey": list(s.key_ids),
    }
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def codelist_schema(codelist: Codelist) -> dict[str, Any]:
    """The Table Schema of a codelist resource."""
    fields: list[dict[str, Any]] = [
        {
            "name": "code",
            "title": "Code",
            "type": "string",
            "constraints": {"required": True, "unique": True},
        },
        {"name": "name", "title": "Name", "type": "string", "constraints": {"required": True}},
    ]
    schema: dict[str, Any] = {
        "$schema": TABLE_SCHEMA_PROFILE,
        "fields": fields,
        "missingValues": [""],
        "primaryKey": ["code"],
    }
    if "parent" in codelist_columns(codelist):
        fields.append({"name": "parent", "title": "Parent code", "type": "string"})
        schema["foreignKeys"] = [{"fields": ["parent"], "reference": {"fields": ["code"]}}]
    return schema
