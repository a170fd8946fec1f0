"""Independent oracles: frictionless.validate, the official v2 JSON Schema profiles (from
dplib-py's package data, through jsonschema) and the exported extension schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import frictionless
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

import cdinterop
from cdinterop import datapackage
from cdinterop.model import CitizenDataset
from cdinterop.testing import citizen_datasets

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
NAMES = ["marine-litter-ghana", "public-services-satisfaction"]
EXTENSION_SCHEMA = ROOT / "schemas" / "datapackage-extension.schema.json"


def _frictionless_errors(folder: Path) -> list[Any]:
    report = frictionless.validate(str(folder / "datapackage.json"))
    return list(report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"]))


def _descriptor(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return data


def _extension_errors(descriptor: dict[str, Any]) -> list[str]:
    schema = json.loads(EXTENSION_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    return [e.message for e in validator.iter_errors(descriptor)]


@pytest.mark.parametrize("name", NAMES)
def test_examples_pass_every_oracle(name: str, tmp_path: Path, assert_v2_valid: Any) -> None:
    ds = cdinterop.load(EXAMPLES / name / "dataset.json")
    folder = datapackage.write(ds, tmp_path / "pkg")
    assert _frictionless_errors(folder) == []
    descriptor = _descriptor(folder)
    assert_v2_valid(descriptor)
    assert _extension_errors(descriptor) == []
    assert datapackage.to_package(ds).validate().valid


def test_typed_dataset_passes_every_oracle(
    typed_dataset: CitizenDataset, tmp_path: Path, assert_v2_valid: Any
) -> None:
    folder = datapackage.write(typed_dataset, tmp_path / "pkg")
    assert _frictionless_errors(folder) == []
    assert_v2_valid(_descriptor(folder))
    assert _extension_errors(_descriptor(folder)) == []
    report = datapackage.to_package(typed_dataset).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(ds=citizen_datasets())
def test_random_packages_pass_every_oracle(
    ds: CitizenDataset, tmp_path_factory: pytest.TempPathFactory, assert_v2_valid: Any
) -> None:
    folder = datapackage.write(ds, tmp_path_factory.mktemp("oracle") / "pkg")
    assert _frictionless_errors(folder) == []
    assert_v2_valid(_descriptor(folder))
    assert _extension_errors(_descriptor(folder)) == []


def test_profiles_are_not_vacuous(v2: Any) -> None:
    """The oracle catches the v2 errors frictionless-py lets through."""
    ds = cdinterop.load(EXAMPLES / NAMES[0] / "dataset.json")
    descriptor = datapackage.to_descriptor(ds)
    broken = copy.deepcopy(descriptor)
    broken["contributors"][0]["roles"] = "creator"
    assert v2(broken, "datapackage.json")
    broken = copy.deepcopy(descriptor)
    broken["resources"][0]["schema"]["fields"][0]["categories"] = "nonsense"
    assert v2(broken["resources"][0]["schema"], "tableschema.json")
    assert v2(broken, "datapackage.json")


def test_frictionless_sees_bad_data(tmp_path: Path) -> None:
    """Sanity of the frictionless oracle: an unknown code and a broken foreign key fail."""
    ds = cdinterop.load(EXAMPLES / NAMES[1] / "dataset.json")
    folder = datapackage.write(ds, tmp_path / "pkg")
    csv = folder / "observations.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",KE,F,", ",KE,X,", 1), "utf-8")
    kinds = {error[3] for error in _frictionless_errors(folder)}
    assert {"constraint-error", "hash-count"} <= kinds


def test_extension_schema_rejects_unknown_properties() -> None:
    ds = cdinterop.load(EXAMPLES / NAMES[0] / "dataset.json")
    descriptor = datapackage.to_descriptor(ds)
    assert _extension_errors(descriptor) == []
    assert _extension_errors({**descriptor, "cdinterop:colour": "red"})
    broken = copy.deepcopy(descriptor)
    broken["cdinterop:metadata"]["frequency"] = "sometimes"
    assert _extension_errors(broken)
    del broken["cdinterop:structure"]
    assert _extension_errors(broken)
    assert _extension_errors({**descriptor, "sources": [{"cdinterop:checksum": "nope"}]})
