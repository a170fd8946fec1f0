"""JSON Schemas of the models, exported to ``schemas/`` by ``cdinterop schema export``,
together with the ``cdi:`` RDF vocabulary and its SHACL shapes, generated from the
model's enums, as ``cdi-vocabulary.ttl`` and ``cdi-shapes.ttl``.

The committed files are checked for drift by the test suite: change a model, re-run the
export, commit both. From Python::

    from cdinterop.model import CitizenDataset
    from cdinterop.schemas import export_schemas, json_schema
    schema = json_schema(CitizenDataset, "citizen-dataset")  # a dict, JSON Schema 2020-12
    schema["$id"]      # 'https://w3id.org/cdinterop/schemas/citizen-dataset.schema.json'
    paths = export_schemas("out/schemas")  # every *.schema.json and the two Turtle files
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from rdflib import Graph

from cdinterop._files import atomic_write
from cdinterop.aggregate import AggregationSpec
from cdinterop.datapackage._internal import EXTENSION_MODEL
from cdinterop.dcat._internal import shapes_graph, vocabulary_graph
from cdinterop.ingest import IngestSpec
from cdinterop.mapping import ConformanceSpec
from cdinterop.model import CitizenDataset, Codelist, DataStructure

__all__ = ["RDF_SCHEMAS", "SCHEMA_BASE", "SCHEMA_MODELS", "export_schemas", "json_schema"]

SCHEMA_BASE = "https://w3id.org/cdinterop/schemas/"
"""Base IRI of the ``$id`` of every exported schema."""

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "citizen-dataset": CitizenDataset,
    "data-structure": DataStructure,
    "codelist": Codelist,
    "conformance-mapping": ConformanceSpec,
    "ingest-mapping": IngestSpec,
    "aggregation": AggregationSpec,
    "datapackage-extension": EXTENSION_MODEL,
}
"""File stem of each exported schema and the model it describes."""


RDF_SCHEMAS: dict[str, Callable[[], Graph]] = {
    "cdi-vocabulary.ttl": vocabulary_graph,
    "cdi-shapes.ttl": shapes_graph,
}
"""File name of each exported RDF graph (Turtle) and the function that builds it."""


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
    """Write one ``<name>.schema.json`` per model in
    [`SCHEMA_MODELS`][cdinterop.schemas.SCHEMA_MODELS] and the Turtle
    files of [`RDF_SCHEMAS`][cdinterop.schemas.RDF_SCHEMAS]; return their paths."""
    folder = Path(directory)
    written = []
    for name, model in SCHEMA_MODELS.items():
        path = folder / f"{name}.schema.json"
        with atomic_write(path, "w", encoding="utf-8") as handle:
            json.dump(json_schema(model, name), handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        written.append(path)
    for filename, build in RDF_SCHEMAS.items():
        path = folder / filename
        # rdflib's Turtle serialiser sorts subjects, predicates and objects, and the graphs
        # name every shape a node has several of, so that the bytes do not depend on
        # blank-node ids
        turtle = build().serialize(format="turtle", encoding="utf-8")
        with atomic_write(path, "wb") as handle:
            handle.write(turtle)
        written.append(path)
    return written
