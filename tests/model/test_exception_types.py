"""One exception type per way of making a data set, and no model changed once built.

Constructing a model is pydantic's contract: a field or a rule raises pydantic's
``ValidationError``; the observation table, checked last, raises ``InvalidDatasetError``.
cdinterop's own functions (``replace``, ``with_activity``, ``load``, ``loads``) raise
``InvalidDatasetError`` for every problem, with located issues."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import cdinterop
from cdinterop.errors import InvalidDatasetError
from cdinterop.model import (
    Activity,
    ActivityType,
    AreaExtent,
    Catalog,
    CitizenDataset,
    Observations,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "cdinterop"


def _fields(dataset: CitizenDataset, **changes: Any) -> dict[str, Any]:
    return {**dataset.__dict__, **changes}


def test_constructing_raises_pydantics_error_for_fields_and_ours_for_observations(
    dataset: CitizenDataset, rows: list[dict[str, Any]]
) -> None:
    with pytest.raises(ValidationError):
        CitizenDataset(**_fields(dataset, licence="Creative Commons"))
    with pytest.raises(ValidationError):
        CitizenDataset.model_validate(_fields(dataset, licence="Creative Commons"))
    bad_rows = [{**rows[0], "SEX": "X"}]
    with pytest.raises(InvalidDatasetError) as caught:
        CitizenDataset(**_fields(dataset, observations=bad_rows))
    assert [(i.row, i.component, i.code) for i in caught.value.issues] == [
        (0, "SEX", "unknown-code")
    ]
    with pytest.raises(InvalidDatasetError):
        CitizenDataset.model_validate(_fields(dataset, observations=bad_rows))


def test_a_rule_is_reported_before_the_observations_when_both_fail(
    dataset: CitizenDataset, rows: list[dict[str, Any]]
) -> None:
    both = _fields(dataset, publisher="NOBODY", observations=[{**rows[0], "SEX": "X"}])
    with pytest.raises(ValidationError, match="'NOBODY' is not an agent"):
        CitizenDataset.model_validate(both)
    with pytest.raises(InvalidDatasetError) as caught:
        dataset.replace(publisher="NOBODY", observations=[{**rows[0], "SEX": "X"}])
    assert [i.location for i in caught.value.issues] == ["publisher"]


@pytest.mark.parametrize(
    ("changes", "location", "code"),
    [
        ({"licence": "Creative Commons"}, "licence", "rule"),
        ({"version": "01"}, "version", "string-pattern-mismatch"),
        ({"publisher": "NOBODY"}, "publisher", "rule"),
        ({"spatial_coverage": ["GH; title: oops"]}, "spatial_coverage[0]", "rule"),
        ({"colour": "red"}, "colour", "extra-forbidden"),
        ({"observations": [{"SEX": "X"}]}, "observations[0].SEX", None),
    ],
)
def test_replace_raises_invalid_dataset_error_with_located_issues(
    dataset: CitizenDataset, changes: dict[str, Any], location: str, code: str | None
) -> None:
    with pytest.raises(InvalidDatasetError) as caught:
        dataset.replace(**changes)
    locations = [i.location for i in caught.value.issues]
    assert location in locations
    if code is not None:
        assert caught.value.issues[locations.index(location)].code == code
    assert caught.value.context in (f"data set {dataset.id}", f"observations of {dataset.id}")


def test_with_activity_raises_invalid_dataset_error(dataset: CitizenDataset) -> None:
    first = Activity(id="A", type=ActivityType.CLEANING, label="x")
    once = dataset.with_activity(first)
    with pytest.raises(InvalidDatasetError) as caught:
        once.with_activity(first)  # the same id twice
    (issue,) = caught.value.issues
    assert issue.location.startswith("provenance") and "twice" in issue.message
    unknown = Activity(id="B", type=ActivityType.CLEANING, label="x", agents=("NOBODY",))
    with pytest.raises(InvalidDatasetError, match="NOBODY"):
        dataset.with_activity(unknown)


def test_catalog_replace_raises_invalid_dataset_error(dataset: CitizenDataset) -> None:
    catalog = Catalog(
        id="HUB",
        title={"en": "Hub"},
        description={"en": "d"},
        publisher=dataset.provenance.agents[0],
    )
    with pytest.raises(InvalidDatasetError) as caught:
        catalog.replace(datasets=(dataset, dataset))
    assert [(i.location, i.code) for i in caught.value.issues] == [("datasets[1]", "rule")]
    assert caught.value.context == "catalogue HUB"


def test_load_raises_invalid_dataset_error_for_both_kinds(
    dataset: CitizenDataset, rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    text = cdinterop.dumps(dataset)
    for broken in (
        text.replace('"CC-BY-4.0"', '"Creative Commons"'),
        text.replace('"SEX": "F"', '"SEX": "X"'),
    ):
        assert broken != text
        with pytest.raises(InvalidDatasetError):
            cdinterop.loads(broken)
        path = tmp_path / "broken.json"
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(InvalidDatasetError):
            cdinterop.load(path)


def test_the_observations_are_conformed_while_validating(
    dataset: CitizenDataset, rows: list[dict[str, Any]]
) -> None:
    given = Observations.from_records([dict(reversed(row.items())) for row in rows])
    built = dataset.replace(observations=given)
    assert built.observations is not given  # a new table in the structure's order
    assert built.observations.column_names == dataset.observations.column_names
    assert given.column_names == tuple(reversed(rows[0]))  # the input is untouched
    assert built.replace(version="2.0").observations is built.observations  # checked once


def test_the_centroid_of_a_box_is_set_while_validating() -> None:
    extent = AreaExtent(west=170, south=0, east=-170, north=2)
    assert extent.centroid == (180.0, 1.0)
    assert AreaExtent(west=0, south=0, east=2, north=2, centroid=(0.5, 0.5)).centroid == (
        0.5,
        0.5,
    )
    with pytest.raises(ValidationError, match="go together"):
        AreaExtent(west=0, south=0, east=2)


_MUTATION = re.compile(r"__dict__\[[^\]]+\]\s*=|object\.__setattr__\(")


def test_no_model_is_changed_after_it_is_built() -> None:
    """No code writes into a model's ``__dict__`` or around ``frozen`` with
    ``object.__setattr__``: a built model never changes."""
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sorted(SRC.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _MUTATION.search(line)
    ]
    assert found == []
