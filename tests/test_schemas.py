"""The committed JSON Schemas match the models, and real JSON validates against them."""

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

import cdinterop
from cdinterop.model import CitizenDataset
from cdinterop.schemas import SCHEMA_MODELS, json_schema
from cdinterop.testing import citizen_datasets

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


@pytest.mark.parametrize("name", sorted(SCHEMA_MODELS))
def test_committed_schema_has_not_drifted(name: str) -> None:
    committed = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(SCHEMA_MODELS[name], name), (
        f"schemas/{name}.schema.json is stale: run `cdinterop schema export schemas`"
    )


def test_every_field_is_documented() -> None:
    schema = json_schema(CitizenDataset, "citizen-dataset")
    undocumented = [
        f"{model}.{field}"
        for model, definition in schema["$defs"].items()
        for field, spec in definition.get("properties", {}).items()
        if not spec.get("description")
    ]
    undocumented += [f for f, spec in schema["properties"].items() if not spec.get("description")]
    assert undocumented == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(citizen_datasets())
def test_saved_json_validates_against_schema(ds: CitizenDataset) -> None:
    schema = json.loads((SCHEMAS / "citizen-dataset.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(
        json.loads(cdinterop.dumps(ds)), schema, cls=jsonschema.Draft202012Validator
    )
