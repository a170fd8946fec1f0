"""Every error cdinterop raises on purpose is a ``CdinteropError``, and pydantic's errors can
be reported as located issues with ``cdinterop.errors.issues_from_pydantic``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError, model_validator

from cdinterop import dcat
from cdinterop.codes import UnknownAreaError, area_name, to_alpha2, to_m49
from cdinterop.errors import (
    CdinteropError,
    InvalidDatasetError,
    Issue,
    Problem,
    ReadError,
    RuleViolations,
    WriteError,
    issues_from_pydantic,
)
from cdinterop.model import CitizenDataset


@pytest.mark.parametrize(
    "lookup, code", [(to_alpha2, "ZZZ"), (to_m49, "XX"), (area_name, -1), (to_alpha2, "")]
)
def test_unknown_area_is_a_cdinterop_error_and_a_key_error(lookup: object, code: object) -> None:
    with pytest.raises(UnknownAreaError) as caught:
        lookup(code)  # type: ignore[operator]
    assert isinstance(caught.value, CdinteropError)
    assert isinstance(caught.value, KeyError)  # kept for code written against a KeyError
    # printed as written, not quoted as a KeyError's key would be
    assert str(caught.value) == caught.value.args[0]
    assert str(caught.value).startswith(f"{code!r} is not ")


def test_unknown_area_is_caught_by_either_base() -> None:
    with pytest.raises(CdinteropError):
        to_alpha2("ZZZ")
    with pytest.raises(KeyError):
        to_alpha2("ZZZ")
    assert issubclass(UnknownAreaError, CdinteropError)
    assert issubclass(UnknownAreaError, KeyError)


def test_the_documented_errors_share_the_root() -> None:
    for error in (InvalidDatasetError, ReadError, WriteError, UnknownAreaError):
        assert issubclass(error, CdinteropError), error


class _Inner(BaseModel):
    name: str
    size: int


class _Outer(BaseModel):
    items: list[_Inner]

    @model_validator(mode="after")
    def _rules(self) -> _Outer:
        problems: list[Problem | str] = [
            Problem(f"items[{i}].size", "must be positive")
            for i, x in enumerate(self.items)
            if x.size <= 0
        ]
        if len(self.items) > 2:
            problems.append("too many items")
        if problems:
            raise RuleViolations(problems)
        return self


def _error(data: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        _Outer.model_validate(data)
    return caught.value


def test_issues_from_pydantic_locates_field_errors() -> None:
    issues = issues_from_pydantic(_error({"items": [{"name": "a", "size": "big"}, {"size": 1}]}))
    assert [(i.location, i.code, i.value) for i in issues] == [
        ("items[0].size", "int-parsing", "big"),
        ("items[1].name", "missing", None),
    ]
    assert all(isinstance(i, Issue) and i.message for i in issues)


def test_issues_from_pydantic_splits_model_rules_and_prefixes() -> None:
    data = {
        "items": [{"name": "a", "size": 0}, {"name": "b", "size": 1}, {"name": "c", "size": -1}]
    }
    issues = issues_from_pydantic(_error(data), prefix="spec")
    assert [(i.location, i.code, i.message) for i in issues] == [
        ("spec.items[0].size", "rule", "must be positive"),
        ("spec.items[2].size", "rule", "must be positive"),
        ("spec", "rule", "too many items"),
    ]


def test_issues_from_pydantic_for_the_model_itself() -> None:
    issues = issues_from_pydantic(_error("not an object"))
    assert [(i.location, i.code, i.value) for i in issues] == [
        ("(root)", "model-type", "not an object")
    ]
    prefixed = issues_from_pydantic(_error("not an object"), prefix="spec")
    assert [i.location for i in prefixed] == ["spec"]
    unprefixed = issues_from_pydantic(_error({"items": [{"name": "a", "size": 0}]}))
    assert [i.location for i in unprefixed] == ["items[0].size"]


def test_issues_from_pydantic_reports_like_cdinterop_does() -> None:
    """The issues it makes fit ``InvalidDatasetError``, as cdinterop's own readers use it."""
    with pytest.raises(ValidationError) as caught:
        CitizenDataset.model_validate({"id": "x"})
    error = InvalidDatasetError(issues_from_pydantic(caught.value), context="x.json")
    assert error.issues and all(isinstance(i, Issue) for i in error.issues)
    assert str(error).startswith("invalid x.json:")


def test_the_model_keeps_its_name_for_issues_from_pydantic() -> None:
    from cdinterop.model import _jsonio

    assert _jsonio.issues_from_pydantic is issues_from_pydantic


def test_errors_imports_neither_the_model_nor_pydantic() -> None:
    """``cdinterop.errors`` is the bottom layer: importing it loads nothing else of
    cdinterop's (the package itself aside) and not pydantic."""
    code = (
        "import sys, importlib.util\n"
        "spec = importlib.util.spec_from_file_location('errors_under_test', sys.argv[1])\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "sys.modules[spec.name] = module\n"
        "spec.loader.exec_module(module)\n"
        "loaded = [m for m in sys.modules if m.startswith(('cdinterop', 'pydantic'))]\n"
        "print(','.join(loaded))\n"
    )
    errors_py = Path(__file__).resolve().parents[1] / "src" / "cdinterop" / "errors.py"
    result = subprocess.run(
        [sys.executable, "-c", code, str(errors_py)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("name", ["dataset.txt", "dataset"])
def test_dcat_write_to_an_unknown_suffix_is_a_write_error(
    dataset: CitizenDataset, tmp_path: Path, name: str
) -> None:
    target = tmp_path / name
    with pytest.raises(WriteError) as caught:
        dcat.write(dataset, target)
    message = str(caught.value)
    assert message.startswith(f"cannot write {target}: cannot tell the RDF format from ")
    assert ".ttl" in message and "format=" in message and "turtle" in message
    assert not isinstance(caught.value, ReadError)
    assert not target.exists()


def test_dcat_write_with_format_ignores_the_suffix(dataset: CitizenDataset, tmp_path: Path) -> None:
    target = dcat.write(dataset, tmp_path / "dataset.txt", format="turtle")
    assert target.read_text(encoding="utf-8").strip()


def test_dcat_read_of_an_unknown_suffix_is_still_a_read_error(tmp_path: Path) -> None:
    source = tmp_path / "dataset.txt"
    source.write_text("anything", encoding="utf-8")
    with pytest.raises(ReadError, match=r"^cannot read .*dataset\.txt: cannot tell the RDF format"):
        dcat.read_graph(source)
