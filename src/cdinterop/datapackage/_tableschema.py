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


def _facet_constraints(component: Dimension | Attribute | Measure) -> dict[str, Any]:
    f = component.facets
    if f is None:
        return {}
    out: dict[str, Any] = {}
    kind = component.value_type
    if kind in (ValueType.STRING, ValueType.URI):
        if f.min_length is not None:
            out["minLength"] = f.min_length
        if f.max_length is not None:
            out["maxLength"] = f.max_length
        if f.pattern is not None:
            out["pattern"] = f.pattern
    elif kind is ValueType.INTEGER:
        # an integer is >= 0.5 exactly when it is >= 1: integer bounds are equivalent
        if f.min_value is not None:
            out["minimum"] = math.ceil(f.min_value)
        if f.max_value is not None:
            out["maximum"] = math.floor(f.max_value)
    elif kind is ValueType.DECIMAL:
        if f.min_value is not None:
            out["minimum"] = f.min_value
        if f.max_value is not None:
            out["maximum"] = f.max_value
    return out


def _categories(codelist: Codelist, language: str, only: list[str] | None) -> list[Any]:
    return [
        {"value": code.id, "label": text_in(code.name, language) or code.id}
        for code in codelist.codes
        if only is None or code.id in only
    ]


def _field(ds: CitizenDataset, cid: str, language: str) -> dict[str, Any]:
    s = ds.structure
    component = s.component(cid)
    field: dict[str, Any] = {"name": cid}
    field.update(_concept_texts(s, component.concept_id, language))
    constraints: dict[str, Any] = {}
    codelist = s.codelist_of(cid)
    dataset_value: Any = None
    is_dataset_level = (
        isinstance(component, Attribute) and component.attachment is AttachmentLevel.DATASET
    )
    if is_dataset_level and cid in ds.attribute_values:
        dataset_value = ds.attribute_values[cid]
    if isinstance(component, TimeDimension):
        field["type"] = "string"
    elif codelist is not None and codelist.external:
        field["type"] = "string"  # its codes are not known: no categories, no enum
    elif codelist is not None:
        field["type"] = "string"
        only = None if dataset_value is None else [dataset_value]
        field["categories"] = _categories(codelist, language, only)
        constraints["enum"] = [code.id for code in codelist.codes] if only is None else only
    else:
        field["type"] = _TYPES[component.value_type]
        if component.value_type is ValueType.URI:
            field["format"] = "uri"
        constraints.update(_facet_constraints(component))
        if dataset_value is not None:
            constraints["enum"] = [dataset_value]
    required = (
        isinstance(component, Dimension | TimeDimension)
        or (
            isinstance(component, Measure | Attribute)
            and component.usage is Usage.MANDATORY
            and not is_dataset_level
        )
        or dataset_value is not None
    )
    if required:
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
