"""Model rules report their problems as data (`RuleViolations`), not as one joined string
split back: a value holding ``"; "`` stays whole and is located where it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from cdinterop import load
from cdinterop.errors import InvalidDatasetError, Problem, RuleViolations, issues_from_pydantic
from cdinterop.model import Provenance

ROOT = Path(__file__).resolve().parents[2]


def test_a_value_holding_a_separator_is_located_where_it_is() -> None:
    dataset = load(ROOT / "examples" / "marine-litter-ghana" / "dataset.json")
    with pytest.raises(InvalidDatasetError) as caught:
        dataset.replace(spatial_coverage=["GH; title: oops"])
    (issue,) = caught.value.issues
    assert issue.location == "spatial_coverage[0]"
    assert "'GH; title: oops'" in issue.message


def test_each_problem_of_a_rule_is_one_located_issue() -> None:
    dataset = load(ROOT / "examples" / "marine-litter-ghana" / "dataset.json")
    data = dataset.provenance.model_dump()
    data["attributions"] = [
        {"agent": "NOBODY", "role": "creator"},
        {"agent": "NOONE", "role": "publisher"},
    ]
    with pytest.raises(ValidationError) as caught:
        Provenance.model_validate(data)
    issues = issues_from_pydantic(caught.value, "provenance")
    locations = [i.location for i in issues]
    assert "provenance.attributions[0].agent" in locations
    assert "provenance.attributions[1].agent" in locations
    assert all(i.code == "rule" for i in issues)
    assert [i.message for i in issues if "NOBODY" in i.message] == ["unknown agent 'NOBODY'"]


def test_rule_violations_keep_their_problems_apart() -> None:
    error = RuleViolations([Problem("a", "one; still one"), Problem("b[2]", "two"), "whole"])
    assert error.problems == (
        Problem("a", "one; still one"),
        Problem("b[2]", "two"),
        Problem("", "whole"),
    )
    assert isinstance(error, ValueError)
    assert str(error) == "a: one; still one; b[2]: two; whole"  # for people only


def test_a_message_is_never_parsed_for_a_location() -> None:
    """A plain ValueError whose text looks located stays at the model that raised it, and a
    problem whose text holds ": " keeps it in its message (issue 15: nothing is joined into a
    string and parsed back)."""
    from pydantic import BaseModel, field_validator

    class Note(BaseModel):
        text: str

        @field_validator("text")
        @classmethod
        def _plain(cls, value: str) -> str:
            raise ValueError(f"title: {value}")

    with pytest.raises(ValidationError) as caught:
        Note(text="oops")
    (issue,) = issues_from_pydantic(caught.value)
    assert (issue.location, issue.message) == ("text", "title: oops")

    class Located(BaseModel):
        text: str

        @field_validator("text")
        @classmethod
        def _located(cls, value: str) -> str:
            raise RuleViolations([Problem("", f"title: {value}")])

    with pytest.raises(ValidationError) as caught:
        Located(text="oops")
    (issue,) = issues_from_pydantic(caught.value)
    assert (issue.location, issue.message) == ("text", "title: oops")
