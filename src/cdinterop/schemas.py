"""JSON Schemas of the models, exported to ``schemas/`` by ``cdinterop schema export``.

The committed files are checked for drift by the test suite: change a model, re-run the
export, commit both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cdinterop.datapackage.extension import EXTENSION_MODEL
from cdinterop.files import atomic_write
from cdinterop.mapping.spec import ConformanceSpec
from cdinterop.model.dataset import CitizenDataset
from cdinterop.model.structure import Codelist, DataStructure

__all__ = ["SCHEMA_BASE", "SCHEMA_MODELS", "export_schemas", "json_schema"]

SCHEMA_BASE = "https://w3id.org/cdinterop/schemas/"
"""Base IRI of the ``$id`` of every exported schema."""

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "citizen-dataset": CitizenDataset,
    "data-structure": DataStructure,
    "codelist": Codelist,
    "conformance-mapping": ConformanceSpec,
    "datapackage-extension": EXTENSION_MODEL,
}
"""File stem of each exported schema and the model it describes."""


def json_schema(model: type[BaseModel], name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``model``, with ``$schema`` and ``$id`` set."""
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}{name}.schema.json",
        "$comment": "Generated from the cdinterop models by `cdinterop schema export`; "
        "do not edit by hand.",
        **schema,
    }


def export_schemas(directory: str | Path) -> list[Path]:
    """Write one ``<name>.schema.json`` per model in :data:`SCHEMA_MODELS`; return paths."""
    folder = Path(directory)
    written = []
    for name, model in SCHEMA_MODELS.items():
        path = folder / f"{name}.schema.json"
        with atomic_write(path, "w", encoding="utf-8") as handle:
            json.dump(json_schema(model, name), handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        written.append(path)
    return written
