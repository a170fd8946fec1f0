"""Shared fixtures of the Data Cube tests: the shipped examples and a small data set with
a hierarchical code list and texts that need escaping."""

from __future__ import annotations

from pathlib import Path

import pytest

import cdinterop
from cdinterop.model import (
    Attribute,
    CitizenDataset,
    Code,
    Codelist,
    Concept,
    DataStructure,
    Dimension,
    Measure,
    TimeDimension,
    Usage,
    ValueType,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/dataset.json"))


@pytest.fixture(params=EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def example(request: pytest.FixtureRequest) -> CitizenDataset:
    """Each shipped example data set."""
    return cdinterop.load(request.param)


@pytest.fixture(scope="session")
def marine() -> CitizenDataset:
    """The marine-litter example."""
    return cdinterop.load(ROOT / "examples" / "marine-litter-ghana" / "dataset.json")


def _hierarchy() -> Codelist:
    return Codelist(
        id="CL_AREA",
        agency="TEST",
        name={"en": "Areas", "fr": "Zones"},
        codes=[
            Code(id="GH", name={"en": "Ghana"}),
            Code(id="GH-AA", name={"en": "Greater Accra"}, parent="GH"),
            Code(id="X@1", name={"en": "Odd code"}, parent="GH-AA"),
        ],
    )


@pytest.fixture(scope="session")
def small() -> CitizenDataset:
    """Three observations: a hierarchical code list, a code with ``@``, every value type
    but dates, a missing measure and texts with quotes, backslashes and new lines."""
    components = ["REF_AREA", "SITE", "TIME_PERIOD", "OBS_VALUE", "N", "NOTE", "FLAG"]
    structure = DataStructure(
        id="DSD_SMALL",
        agency="TEST",
        name={"en": "Small"},
        concepts=[Concept(id=c, name={"en": c.title()}) for c in components],
        codelists=[_hierarchy()],
        dimensions=[
            Dimension(id="REF_AREA", codelist="CL_AREA"),
            Dimension(id="SITE", value_type=ValueType.INTEGER),
        ],
        time_dimension=TimeDimension(),
        measures=[Measure(), Measure(id="N", value_type=ValueType.INTEGER, usage=Usage.MANDATORY)],
        attributes=[
            Attribute(id="NOTE"),
            Attribute(id="FLAG", value_type=ValueType.BOOLEAN, attachment="dataset"),
        ],
    )
    rows = [
        {"REF_AREA": "GH", "SITE": 1, "TIME_PERIOD": "2024-Q1", "OBS_VALUE": 1.5, "N": 3},
        {
            "REF_AREA": "GH-AA",
            "SITE": 2,
            "TIME_PERIOD": "2024-W05",
            "OBS_VALUE": None,
            "N": 0,
            "NOTE": 'a "quoted" \\ back\nslash\ttab é',
        },
        {"REF_AREA": "X@1", "SITE": 3, "TIME_PERIOD": "2024", "OBS_VALUE": -1e-7, "N": -5},
    ]
    return CitizenDataset(
        id="DF_SMALL",
        agency="TEST",
        title={"en": "Small cube", "fr": "Petit cube"},
        structure=structure,
        attribute_values={"FLAG": True},
        observations=rows,
    )
