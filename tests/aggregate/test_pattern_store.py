"""Suppression patterns kept in ``$CDINTEROP_PATTERN_CACHE``: written once, read back
instead of searching, equal to a fresh search, and never a reason for a run to fail."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cdinterop.aggregate import (
    PATTERN_CACHE_ENV,
    AggregationSpec,
    _suppression,
    aggregate,
    forget_patterns,
)
from cdinterop.model import CitizenDataset

from .helpers import area_sex_counts, rows

COUNTS = {("A", "F"): 3, ("A", "M"): 12, ("B", "F"): 9, ("B", "M"): 20, ("C", "F"): 14}


def _table() -> tuple[CitizenDataset, AggregationSpec]:
    return area_sex_counts(COUNTS, {"method": "cell_suppression", "threshold": 10})


def _published(units: CitizenDataset, spec: AggregationSpec) -> tuple[list, object]:
    result = aggregate(units, spec)
    return rows(result.dataset), result.dataset.disclosure


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "patterns"
    monkeypatch.setenv(PATTERN_CACHE_ENV, str(folder))
    forget_patterns()
    yield folder
    forget_patterns()


def _no_search(*args: object) -> None:
    raise AssertionError("searched again")


def test_a_pattern_is_written_once_and_read_back_without_searching(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    units, spec = _table()
    fresh = _published(units, spec)
    (kept,) = store.glob("*.json")
    data = json.loads(kept.read_text(encoding="utf-8"))
    assert data["pattern"]["method"] in ("heuristic", "optimal")
    assert len(data["suppressed"]) >= 3  # B/F, A/F and what protects them
    forget_patterns()
    monkeypatch.setattr(_suppression, "_suppress", _no_search)
    assert _published(units, spec) == fresh  # the rows and the whole disclosure record


def test_another_spec_is_another_pattern(store: Path) -> None:
    units, spec = _table()
    _published(units, spec)
    other = spec.model_copy(
        update={"disclosure": spec.disclosure.model_copy(update={"threshold": 13})}
    )
    _published(units, other)
    assert len(list(store.glob("*.json"))) == 2


@pytest.mark.parametrize(
    "damage",
    [
        "",
        "{",
        '{"format": 1, "cells": 2}',
        "[]",
        "SUPPRESSED_OUT_OF_RANGE",
    ],
)
def test_a_damaged_copy_is_ignored_and_searched_again(store: Path, damage: str) -> None:
    units, spec = _table()
    fresh = _published(units, spec)
    (kept,) = store.glob("*.json")
    if damage == "SUPPRESSED_OUT_OF_RANGE":
        data = json.loads(kept.read_text(encoding="utf-8"))
        data["suppressed"].append(10**6)
        damage = json.dumps(data)
    kept.write_text(damage, encoding="utf-8")
    forget_patterns()
    assert _published(units, spec) == fresh
    assert json.loads(kept.read_text(encoding="utf-8"))["cells"] > 2  # written again


def test_a_folder_that_cannot_be_written_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(PATTERN_CACHE_ENV, str(blocker / "patterns"))
    forget_patterns()
    units, spec = _table()
    assert _published(units, spec)[0]
    assert blocker.read_text(encoding="utf-8") == "not a folder"
    forget_patterns()


def test_without_the_variable_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PATTERN_CACHE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    forget_patterns()
    units, spec = _table()
    _published(units, spec)
    forget_patterns()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("tamper", ["secondary cells dropped", "a primary cell dropped", "audit"])
def test_a_copy_that_does_not_hold_is_searched_again(
    store: Path, monkeypatch: pytest.MonkeyPatch, tamper: str
) -> None:
    """The cache is trusted for time, never for protection: a copy changed so that it no
    longer protects (or says another audit) is attacked, refused and searched again."""
    units, spec = _table()
    fresh = _published(units, spec)
    (kept,) = store.glob("*.json")
    data = json.loads(kept.read_text(encoding="utf-8"))
    secondary = set(data["suppressed"]) - set(data["primary"])
    assert secondary
    if tamper == "secondary cells dropped":
        data["suppressed"] = [i for i in data["suppressed"] if i not in secondary]
    elif tamper == "a primary cell dropped":
        cell = data["primary"].pop()
        data["suppressed"].remove(cell)
    else:
        data["audit"]["cells"] += 1
    kept.write_text(json.dumps(data), encoding="utf-8")
    forget_patterns()
    searched: list[int] = []
    search = _suppression._suppress

    def counted(*args: Any) -> Any:
        searched.append(1)
        return search(*args)

    monkeypatch.setattr(_suppression, "_suppress", counted)
    assert _published(units, spec) == fresh
    assert searched == [1]
