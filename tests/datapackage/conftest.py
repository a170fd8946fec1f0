"""Shared helpers of the Data Package tests: the official v2 profiles (from dplib-py's
package data, never through cdinterop) and a data set that uses every value type."""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cdinterop.model import (
    Agent,
    AgentKind,
    AttachmentLevel,
    Attribute,
    CitizenDataset,
    Code,
    Codelist,
    Concept,
    DataStructure,
    Dimension,
    Facets,
    Measure,
    Provenance,
    TimeDimension,
    Usage,
    ValueType,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EXAMPLE_NAMES = ["marine-litter-ghana", "public-services-satisfaction"]
V2 = "https://datapackage.org/profiles/2.0/"


@cache
def profile_folder() -> Path:
    spec = importlib.util.find_spec("dplib")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("dplib-py (the official v2 profiles) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "profiles" / "2.0"


@cache
def profile(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((profile_folder() / name).read_text(encoding="utf-8"))
    return data


def v2_errors(instance: Any, name: str) -> list[str]:
    """Violations of the official v2 profile ``name`` (datapackage.json, ...), no network:
    every ``$ref`` to a profile URL resolves to the local file, anything else fails."""
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    files = ["datapackage.json", "dataresource.json", "tableschema.json", "tabledialect.json"]
    registry = Registry().with_resources(
        (V2 + f, Resource.from_contents(profile(f), DRAFT7)) for f in files
    )
    validator = Draft7Validator(
        profile(name), registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER
    )
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


def _assert_v2_valid(descriptor: dict[str, Any]) -> None:
    """The package, each resource and each Table Schema against their own profile."""
    assert v2_errors(descriptor, "datapackage.json") == []
    for resource in descriptor["resources"]:
        assert v2_errors(resource, "dataresource.json") == [], resource["name"]
        assert v2_errors(resource["schema"], "tableschema.json") == [], resource["name"]
        assert resource["schema"]["$schema"] == V2 + "tableschema.json"
    assert descriptor["$schema"] == V2 + "datapackage.json"


@pytest.fixture
def assert_v2_valid() -> Any:
    """Check a descriptor against the official v2 profiles (package, resources, schemas)."""
    profile_folder()
    return _assert_v2_valid


@pytest.fixture
def v2() -> Any:
    """``v2(instance, "datapackage.json")``: the list of violations of that v2 profile."""
    profile_folder()
    return v2_errors


def _codelist(cl_id: str, *codes: str, parents: dict[str, str] | None = None) -> Codelist:
    parents = parents or {}
    return Codelist(
        id=cl_id,
        agency="TEST",
        name={"en": f"{cl_id} list", "fr": f"liste {cl_id}"},
        codes=[
            Code(id=c, name={"en": f"{c}, named", "fr": f"{c}, nommé"}, parent=parents.get(c))
            for c in codes
        ],
    )


@pytest.fixture
def typed_dataset() -> CitizenDataset:
    """Every value type, facets, a hierarchical codelist, codelist ids differing only in
    case, data-set attributes of several types, and awkward free text."""
    ids = [
        "AREA",
        "KIND",
        "TIME_PERIOD",
        "OBS_VALUE",
        "COUNT",
        "FLAG",
        "DAY",
        "STAMP",
        "LINK",
        "NOTE",
        "RATE_NOTE",
        "UNIT",
        "MULT",
        "CHECKED",
        "SINCE",
        "CODE_A",
        "LABEL",
    ]
    structure = DataStructure(
        id="DSD_TYPED",
        agency="TEST",
        name={"en": "Typed structure"},
        concepts=[
            Concept(id=i, name={"en": i.title(), "fr": i}, description={"en": f"About {i}"})
            for i in ids
        ],
        codelists=[
            _codelist("CL_AREA", "GH", "GH-AA", "GH-CP", parents={"GH-AA": "GH", "GH-CP": "GH"}),
            _codelist("CL_KIND", "A", "B"),
            _codelist("CL_kind", "x", "y"),
            _codelist("CL_UNIT", "PT", "NUMBER"),
        ],
        dimensions=[
            Dimension(id="AREA", codelist="CL_AREA"),
            Dimension(id="KIND", codelist="CL_KIND"),
        ],
        time_dimension=TimeDimension(),
        attributes=[
            Attribute(id="CODE_A", codelist="CL_kind"),
            Attribute(id="FLAG", value_type=ValueType.BOOLEAN),
            Attribute(id="DAY", value_type=ValueType.DATE),
            Attribute(id="STAMP", value_type=ValueType.DATETIME),
            Attribute(id="LINK", value_type=ValueType.URI),
            Attribute(
                id="NOTE",
                facets=Facets(min_length=0, max_length=200),
                attachment=AttachmentLevel.SERIES,
            ),
            Attribute(id="LABEL", facets=Facets(pattern="[A-Z]{2}[0-9]*"), usage=Usage.MANDATORY),
            Attribute(id="UNIT", codelist="CL_UNIT", attachment=AttachmentLevel.DATASET),
            Attribute(id="MULT", value_type=ValueType.DECIMAL, attachment=AttachmentLevel.DATASET),
            Attribute(
                id="CHECKED", value_type=ValueType.BOOLEAN, attachment=AttachmentLevel.DATASET
            ),
            Attribute(id="SINCE", value_type=ValueType.DATE, attachment=AttachmentLevel.DATASET),
            Attribute(
                id="RATE_NOTE", value_type=ValueType.STRING, attachment=AttachmentLevel.DATASET
            ),
        ],
        measures=[
            Measure(facets=Facets(min_value=-1.5, max_value=1e9)),
            Measure(
                id="COUNT",
                value_type=ValueType.INTEGER,
                facets=Facets(min_value=0.5, max_value=1e6),
                usage=Usage.MANDATORY,
            ),
        ],
    )
    base = {"CODE_A": "x", "FLAG": True, "DAY": "2024-02-29", "LINK": "https://example.org/a?b=1,2"}
    rows = [
        {
            **base,
            "AREA": "GH",
            "KIND": "A",
            "TIME_PERIOD": "2023",
            "OBS_VALUE": 0.1,
            "COUNT": 3,
            "STAMP": "2024-03-01T10:00:00Z",
            "NOTE": 'comma, "quote"\nand newline',
            "LABEL": "AB1",
        },
        {
            **base,
            "AREA": "GH-AA",
            "KIND": "B",
            "TIME_PERIOD": "2023-Q1",
            "OBS_VALUE": -1.25e-7,
            "COUNT": 1,
            "STAMP": "2024-03-01T10:00:00.250Z",
            "NOTE": "",
            "LABEL": "CD",
            "FLAG": False,
            "CODE_A": None,
            "DAY": None,
        },
        {
            **base,
            "AREA": "GH-CP",
            "KIND": "A",
            "TIME_PERIOD": "2024-W05",
            "OBS_VALUE": None,
            "COUNT": 999999,
            "STAMP": None,
            "NOTE": None,
            "LABEL": "EF22",
            "LINK": None,
        },
        {
            **base,
            "AREA": "GH-CP",
            "KIND": "B",
            "TIME_PERIOD": "2024-03-05",
            "OBS_VALUE": 1e9,
            "COUNT": 2,
            "STAMP": "2024-03-01T23:59:59+02:00",
            "NOTE": "  spaced  ",
            "LABEL": "GH",
            "FLAG": None,
        },
    ]
    return CitizenDataset(
        id="DF_TYPED",
        agency="TEST",
        title={"fr": "Données typées", "en": "Typed data"},
        languages=("fr", "en"),
        licence="CC0-1.0",
        publisher="ORG",
        structure=structure,
        attribute_values={
            "UNIT": "PT",
            "MULT": 3,
            "CHECKED": False,
            "SINCE": "2020-01-01",
            "RATE_NOTE": "rates, per 1 000",
        },
        observations=rows,
        provenance=Provenance(
            agents=[Agent(id="ORG", kind=AgentKind.ORGANISATION, name="Test CSO")]
        ),
    )
