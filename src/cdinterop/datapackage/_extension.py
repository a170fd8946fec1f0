"""The ``cdinterop:*`` custom properties: what the Data Package spec has no place for.

A ``datapackage.json`` written by cdinterop carries, beside its native properties:

==============================  ===========================================================
property                        content
==============================  ===========================================================
``cdinterop:format-version``    ``"1"``, the layout of these properties
``cdinterop:metadata``          data-set fields without a lossless native place: id,
                                agency, title and description in every language, keywords
                                per language, themes, languages, access rights, publisher,
                                contact point, temporal and spatial coverage, reference
                                period, frequency, issued, modified, citation
``cdinterop:structure``         the ``DataStructure`` (DSD identity,
                                roles, attachment levels, concepts, multilingual codelists)
``cdinterop:provenance``        ``Provenance`` (omitted when empty)
``cdinterop:participation``     ``Participation`` (omitted if None)
``cdinterop:consent``           ``Consent`` (omitted if None)
``cdinterop:quality``           ``Quality`` (omitted if None)
``cdinterop:disclosure``        ``DisclosureControl`` (omitted if None)
==============================  ===========================================================

and each entry of ``sources`` a ``cdinterop:checksum`` (``sha256:<hex>``). The JSON
Schema of these properties is `EXTENSION_MODEL`'s, exported as
``schemas/datapackage-extension.schema.json``: it validates a whole ``datapackage.json``
(native properties are let through, unknown ``cdinterop:*`` properties are not).
Values are the model's own JSON form, with defaults left out.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from cdinterop.model import (
    CitizenDataset,
    Consent,
    DataStructure,
    DisclosureControl,
    Model,
    Participation,
    Provenance,
    Quality,
)

__all__ = [
    "CHECKSUM_KEY",
    "EXTENSION_KEYS",
    "EXTENSION_MODEL",
    "FORMAT_VERSION",
    "FORMAT_VERSION_KEY",
    "METADATA_FIELDS",
    "METADATA_KEY",
    "METADATA_MODEL",
    "NATIVE_FIELDS",
    "PARTS",
    "PREFIX",
    "STRUCTURE_KEY",
    "encode",
    "unknown_keys",
]

PREFIX = "cdinterop:"
"""Prefix of every custom property cdinterop writes."""
FORMAT_VERSION = "1"
"""Version of the layout of the ``cdinterop:*`` properties."""
FORMAT_VERSION_KEY = f"{PREFIX}format-version"
METADATA_KEY = f"{PREFIX}metadata"
STRUCTURE_KEY = f"{PREFIX}structure"
CHECKSUM_KEY = f"{PREFIX}checksum"
"""Checksum (``<algorithm>:<hex>``) of an entry of ``sources``."""

PARTS: dict[str, type[BaseModel]] = {
    "provenance": Provenance,
    "participation": Participation,
    "consent": Consent,
    "quality": Quality,
    "disclosure": DisclosureControl,
}
"""Parts of the data set carried whole, each in ``cdinterop:<part>``."""
NATIVE_FIELDS = ("version", "licence", "landing_page")
"""Data-set fields carried only by native properties (``version``, ``licenses``,
``homepage``), losslessly."""
_TABLE_FIELDS = ("structure", "observations", "attribute_values")
METADATA_FIELDS = tuple(
    name
    for name in CitizenDataset.model_fields
    if name not in NATIVE_FIELDS + _TABLE_FIELDS and name not in PARTS
)
"""Data-set fields carried by ``cdinterop:metadata``."""

METADATA_MODEL: type[BaseModel] = create_model(
    "DatasetMetadata",
    __base__=Model,
    __doc__="Data-set fields that have no lossless native place in a Data Package.",
    **{  # type: ignore[call-overload]
        name: (CitizenDataset.model_fields[name].annotation, CitizenDataset.model_fields[name])
        for name in METADATA_FIELDS
    },
)
"""Model of ``cdinterop:metadata`` (the ``CitizenDataset`` fields
listed in `METADATA_FIELDS`, same types and documentation)."""

EXTENSION_KEYS = (
    FORMAT_VERSION_KEY,
    METADATA_KEY,
    STRUCTURE_KEY,
    *(f"{PREFIX}{part}" for part in PARTS),
)
"""Every package-level ``cdinterop:*`` property, in the order written."""


def _schema_extra(schema: dict[str, Any]) -> None:
    schema["propertyNames"] = {
        "anyOf": [{"not": {"pattern": f"^{PREFIX}"}}, {"enum": list(EXTENSION_KEYS)}],
        "description": "Native Data Package properties pass; of the cdinterop:* properties, "
        "only those defined here.",
    }
    schema["properties"]["sources"] = {
        "type": "array",
        "description": "Native sources; cdinterop adds the checksum of each source file.",
        "items": {
            "type": "object",
            "properties": {
                CHECKSUM_KEY: {
                    "type": "string",
                    "pattern": "^(sha256|sha512|sha1|md5):[0-9a-f]+$",
                    "description": "Checksum of the source file, <algorithm>:<hex digest>.",
                }
            },
        },
    }


class _ExtensionBase(Model):
    """Let native Data Package properties through; describe only ``cdinterop:*``."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_schema_extra)


def _part(name: str, model: type[BaseModel]) -> Any:
    return (
        model | None,
        Field(
            default=None,
            alias=f"{PREFIX}{name}",
            description=f"The data set's {name} ({model.__name__}); omitted when it has none.",
        ),
    )


_EXTENSION_FIELDS: dict[str, Any] = {
    "format_version": (
        Literal["1"],
        Field(alias=FORMAT_VERSION_KEY, description="Layout version of these properties."),
    ),
    "metadata": (
        METADATA_MODEL,
        Field(alias=METADATA_KEY, description="Data-set fields with no lossless native place."),
    ),
    "structure": (
        DataStructure,
        Field(
            alias=STRUCTURE_KEY,
            description="The data structure (the Table Schema of the observations is "
            "generated from it).",
        ),
    ),
    **{name: _part(name, model) for name, model in PARTS.items()},
}
EXTENSION_MODEL: type[BaseModel] = create_model(
    "DataPackageExtension",
    __base__=_ExtensionBase,
    __doc__=(
        "The cdinterop:* properties of a datapackage.json written by cdinterop: the parts "
        "of a citizen data set that the Data Package (v2) specification has no place for."
    ),
    **_EXTENSION_FIELDS,
)
"""Model (and JSON Schema) of the package-level ``cdinterop:*`` properties."""


def encode(dataset: CitizenDataset) -> dict[str, Any]:
    """The ``cdinterop:*`` properties of ``dataset``'s descriptor."""
    props: dict[str, Any] = {
        FORMAT_VERSION_KEY: FORMAT_VERSION,
        METADATA_KEY: dataset.model_dump(
            mode="json", include=set(METADATA_FIELDS), exclude_defaults=True
        ),
        STRUCTURE_KEY: dataset.structure.model_dump(mode="json", exclude_defaults=True),
    }
    for name in PARTS:
        part = getattr(dataset, name)
        if part is None or (name == "provenance" and part == Provenance()):
            continue
        props[f"{PREFIX}{name}"] = part.model_dump(mode="json", exclude_defaults=True)
    return props


def unknown_keys(descriptor: dict[str, Any]) -> list[str]:
    """Package-level ``cdinterop:*`` properties this version does not know."""
    return [k for k in descriptor if k.startswith(PREFIX) and k not in EXTENSION_KEYS]
