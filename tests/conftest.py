"""Shared fixtures: small valid structures and data sets built by hand."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
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
    Provenance,
    TimeDimension,
    Usage,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PATTERN_CACHE_ENV = "CDINTEROP_PATTERN_CACHE"
_PATTERNS = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """One folder of suppression patterns for the whole run, shared by the xdist workers
    (they inherit the environment): a table that many tests convert is searched once. A
    new folder for each run, so that a change to the search is always exercised."""
    if not hasattr(config, "workerinput"):
        folder = tempfile.mkdtemp(prefix="cdinterop-test-patterns-")
        os.environ[PATTERN_CACHE_ENV] = folder
        config.stash[_PATTERNS] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the run's folder of suppression patterns."""
    folder = config.stash.get(_PATTERNS, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _codelist(cl_id: str, *codes: str) -> Codelist:
    return Codelist(
        id=cl_id,
        agency="TEST",
        name={"en": cl_id},
        codes=[Code(id=c, name={"en": c}) for c in codes],
    )


@pytest.fixture
def structure() -> DataStructure:
    """SEX x REF_AREA x TIME_PERIOD, OBS_VALUE, observation/series/data set attributes."""
    ids = [
        "SEX",
        "REF_AREA",
        "TIME_PERIOD",
        "OBS_VALUE",
        "OBS_STATUS",
        "UNIT_MEASURE",
        "FREQ",
        "NOTE",
    ]
    return DataStructure(
        id="DSD_TEST",
        agency="TEST",
        name={"en": "Test structure"},
        concepts=[Concept(id=i, name={"en": i.title()}) for i in ids],
        codelists=[
            _codelist("CL_SEX", "F", "M", "_T"),
            _codelist("CL_AREA", "GH", "KE"),
            _codelist("CL_OBS_STATUS", "A", "E", "O"),
            _codelist("CL_FREQ", "A", "Q", "M"),
        ],
        dimensions=[
            Dimension(id="FREQ", codelist="CL_FREQ"),
            Dimension(id="SEX", codelist="CL_SEX"),
            Dimension(id="REF_AREA", codelist="CL_AREA"),
        ],
        time_dimension=TimeDimension(),
        attributes=[
            Attribute(id="OBS_STATUS", codelist="CL_OBS_STATUS"),
            Attribute(id="UNIT_MEASURE", attachment=AttachmentLevel.SERIES, usage=Usage.MANDATORY),
            Attribute(id="NOTE", attachment=AttachmentLevel.DATASET),
        ],
    )


@pytest.fixture
def rows() -> list[dict[str, Any]]:
    """Three valid observations for :func:`structure`."""
    base = {"FREQ": "A", "REF_AREA": "GH", "UNIT_MEASURE": "PERSONS", "OBS_STATUS": "A"}
    return [
        {**base, "SEX": "F", "TIME_PERIOD": "2023", "OBS_VALUE": 10.0},
        {**base, "SEX": "M", "TIME_PERIOD": "2023", "OBS_VALUE": 12.5},
        {**base, "SEX": "_T", "TIME_PERIOD": "2023", "OBS_VALUE": 22.5},
    ]


@pytest.fixture
def dataset(structure: DataStructure, rows: list[dict[str, Any]]) -> CitizenDataset:
    """A small valid data set."""
    return CitizenDataset(
        id="DF_TEST",
        agency="TEST",
        title={"en": "Test data set"},
        licence="CC-BY-4.0",
        publisher="ORG",
        structure=structure,
        observations=rows,
        provenance=Provenance(
            agents=[Agent(id="ORG", kind=AgentKind.ORGANISATION, name="Test CSO")]
        ),
    )


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Make every connection attempt fail, and record it."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts
