"""The time dimension of a plain Data Package is read as ``TIME_PERIOD`` (the id SDMX
requires), so a hand-written package can be published as SDMX as it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cdinterop import datapackage, sdmx
from cdinterop.model import CitizenDataset


def _package(folder: Path, fields: list[dict[str, Any]], csv: str, **schema: Any) -> Path:
    folder.mkdir(parents=True)
    descriptor = {
        "name": "hand-written",
        "version": "1.0",  # an SDMX version: nothing to note about it
        "resources": [{"name": "obs", "path": "data.csv", "schema": {"fields": fields, **schema}}],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (folder / "data.csv").write_text(csv, encoding="utf-8")
    return folder


def _sdmx_round_trip(ds: CitizenDataset, folder: Path) -> CitizenDataset:
    written = sdmx.write_all(ds, folder)
    assert folder / "data-csv20.csv" in written
    structure = folder / "structure-3.0.xml"
    assert structure in written
    return sdmx.read(folder / "data-csv20.csv", structure=structure)


YEARS = "year,country,value\n2021,GH,1.5\n2022,GH,2\n2021,KE,3.25\n"
DATES = "date,country,value\n2021-03-04,GH,1.5\n2021-03-05,GH,2\n2021-03-04,KE,3.25\n"
MONTHS = "month,country,value\n2021-03,GH,1.5\n2021-04,GH,2\n2021-03,KE,3.25\n"


@pytest.mark.parametrize(
    ("name", "kind", "csv", "periods", "primary_key"),
    [
        ("year", "year", YEARS, ["2021", "2022", "2021"], True),
        ("year", "integer", YEARS, ["2021", "2022", "2021"], True),
        ("year", "integer", YEARS, ["2021", "2022", "2021"], False),  # frictionless describe
        ("date", "date", DATES, ["2021-03-04", "2021-03-05", "2021-03-04"], True),
        ("date", "date", DATES, ["2021-03-04", "2021-03-05", "2021-03-04"], False),
        ("month", "yearmonth", MONTHS, ["2021-03", "2021-04", "2021-03"], True),
    ],
)
def test_time_field_becomes_time_period(
    tmp_path: Path, name: str, kind: str, csv: str, periods: list[str], primary_key: bool
) -> None:
    fields = [
        {"name": name, "type": kind},
        {"name": "country", "type": "string"},
        {"name": "value", "type": "number"},
    ]
    key = {"primaryKey": [name, "country"]} if primary_key else {}
    folder = _package(tmp_path / "pkg", fields, csv, **key)
    ds = datapackage.read(folder)
    s = ds.structure
    assert s.time_dimension is not None and s.time_dimension.id == "TIME_PERIOD"
    assert s.key_ids == ("country", "TIME_PERIOD")
    assert [m.id for m in s.measures] == ["value"]
    # the original field name stays as the concept's name
    assert s.concept("TIME_PERIOD").name == {"en": name}
    assert name not in s.column_ids
    records = ds.observations.to_records()
    assert [r["TIME_PERIOD"] for r in records] == periods
    assert [r["country"] for r in records] == ["GH", "GH", "KE"]
    assert [r["value"] for r in records] == [1.5, 2.0, 3.25]
    assert all(name not in r for r in records)
    # the rename is recorded like the other renames
    activity = ds.provenance.activities[-1]
    assert activity.parameters == {"resource": "obs", "renamed.TIME_PERIOD": name}
    assert datapackage.check_package(folder) == []
    # published as SDMX, then read back: the same observations
    again = _sdmx_round_trip(ds, tmp_path / "sdmx")
    assert again.structure.time_dimension == s.time_dimension
    assert again.observations == ds.observations
    assert again.observations.to_records() == records


def test_time_field_with_title_and_other_renames(tmp_path: Path) -> None:
    fields = [
        {"name": "Year", "type": "year", "title": "Reference year"},
        {"name": "country name", "type": "string"},
        {"name": "value (t)", "type": "number"},
    ]
    csv = "Year,country name,value (t)\n2020,Ghana,1\n2021,Ghana,2\n"
    ds = datapackage.read(_package(tmp_path / "pkg", fields, csv))
    assert ds.structure.column_ids == ("country_name", "TIME_PERIOD", "value_t")
    assert ds.structure.concept("TIME_PERIOD").name == {"en": "Reference year"}
    assert ds.provenance.activities[-1].parameters == {
        "resource": "obs",
        "renamed.TIME_PERIOD": "Year",
        "renamed.country_name": "country name",
        "renamed.value_t": "value (t)",
    }
    again = _sdmx_round_trip(ds, tmp_path / "sdmx")
    assert again.observations == ds.observations


def test_field_named_time_period_is_the_time_dimension(tmp_path: Path) -> None:
    """Already SDMX-named: chosen over another time-like field, nothing renamed."""
    fields = [
        {"name": "year", "type": "string"},
        {"name": "TIME_PERIOD", "type": "string"},
        {"name": "country", "type": "string"},
        {"name": "value", "type": "number"},
    ]
    csv = "year,TIME_PERIOD,country,value\n2021,2021-Q1,GH,1\n2021,2021-Q2,GH,2\n"
    folder = _package(tmp_path / "pkg", fields, csv, primaryKey=["year", "TIME_PERIOD", "country"])
    ds = datapackage.read(folder)
    assert ds.structure.time_dimension is not None
    assert ds.structure.time_dimension.id == "TIME_PERIOD"
    assert ds.structure.key_ids == ("year", "country", "TIME_PERIOD")
    assert ds.provenance.activities[-1].parameters == {"resource": "obs"}
    assert [r["TIME_PERIOD"] for r in ds.observations.to_records()] == ["2021-Q1", "2021-Q2"]
    again = _sdmx_round_trip(ds, tmp_path / "sdmx")
    assert again.observations == ds.observations


def test_other_field_named_time_period_makes_way(tmp_path: Path) -> None:
    """A non-time field called TIME_PERIOD (or sanitised to it) moves to TIME_PERIOD_2 ..."""
    fields = [
        {"name": "year", "type": "year"},
        {"name": "country", "type": "string"},
        {"name": "value", "type": "number"},
        {"name": "TIME_PERIOD", "type": "string", "title": "Period as published"},
        {"name": "TIME_PERIOD_2", "type": "string"},
    ]
    csv = "year,country,value,TIME_PERIOD,TIME_PERIOD_2\n2021,GH,1,FY 2021,a\n2022,GH,2,FY 2022,b\n"
    folder = _package(tmp_path / "pkg", fields, csv, primaryKey=["year", "country"])
    ds = datapackage.read(folder)
    s = ds.structure
    assert s.time_dimension is not None and s.time_dimension.id == "TIME_PERIOD"
    assert s.column_ids == ("country", "TIME_PERIOD", "value", "TIME_PERIOD_3", "TIME_PERIOD_2")
    assert [a.id for a in s.attributes] == ["TIME_PERIOD_3", "TIME_PERIOD_2"]
    assert s.concept("TIME_PERIOD").name == {"en": "year"}
    assert s.concept("TIME_PERIOD_3").name == {"en": "Period as published"}
    assert ds.provenance.activities[-1].parameters == {
        "resource": "obs",
        "renamed.TIME_PERIOD": "year",
        "renamed.TIME_PERIOD_3": "TIME_PERIOD",
    }
    assert ds.observations.to_records()[1] == {
        "country": "GH",
        "TIME_PERIOD": "2022",
        "value": 2.0,
        "TIME_PERIOD_3": "FY 2022",
        "TIME_PERIOD_2": "b",
    }
    assert datapackage.check_package(folder) == []
    again = _sdmx_round_trip(ds, tmp_path / "sdmx")
    assert again.observations == ds.observations


def test_coded_field_named_time_period_keeps_its_codelist(tmp_path: Path) -> None:
    fields = [
        {"name": "date", "type": "date"},
        {"name": "TIME_PERIOD", "type": "string", "constraints": {"enum": ["AM", "PM"]}},
        {"name": "value", "type": "number"},
    ]
    csv = "date,TIME_PERIOD,value\n2024-01-02,AM,1\n2024-01-02,PM,2\n"
    ds = datapackage.read(_package(tmp_path / "pkg", fields, csv))
    s = ds.structure
    assert s.key_ids == ("TIME_PERIOD_2", "TIME_PERIOD")
    codelist = s.codelist_of("TIME_PERIOD_2")
    assert codelist is not None and codelist.id == "CL_TIME_PERIOD_2"
    assert [c.id for c in codelist.codes] == ["AM", "PM"]
    again = _sdmx_round_trip(ds, tmp_path / "sdmx")
    assert again.observations == ds.observations


def test_only_key_field_stays_a_plain_dimension(tmp_path: Path) -> None:
    """No time dimension inferred (it would be the only dimension): no rename."""
    fields = [{"name": "year", "type": "year"}, {"name": "value", "type": "number"}]
    ds = datapackage.read(_package(tmp_path / "pkg", fields, "year,value\n2021,1\n"))
    assert ds.structure.time_dimension is None
    assert ds.structure.key_ids == ("year",)
    assert ds.provenance.activities[-1].parameters == {"resource": "obs"}


def test_packages_written_by_cdinterop_read_unchanged(tmp_path: Path) -> None:
    fields = [
        {"name": "year", "type": "year"},
        {"name": "country", "type": "string"},
        {"name": "value", "type": "number"},
    ]
    ds = datapackage.read(_package(tmp_path / "pkg", fields, YEARS))
    ours = datapackage.write(ds, tmp_path / "ours")
    again = datapackage.read(ours)
    assert again == ds
    assert again.provenance.activities == ds.provenance.activities  # no second conversion
    assert again.structure.time_dimension is not None
    assert again.structure.time_dimension.id == "TIME_PERIOD"


def test_a_typed_time_field_wins_over_one_only_named_like_a_time(tmp_path: Path) -> None:
    """``date`` typed string (free text) and ``when`` typed date: ``when`` is the time."""
    (tmp_path / "obs.csv").write_text(
        "date,when,site,value\nmonday,2021-03-04,A,1\ntuesday,2021-03-05,A,2\n", encoding="utf-8"
    )
    fields = [
        {"name": "date", "type": "string"},
        {"name": "when", "type": "date"},
        {"name": "site", "type": "string"},
        {"name": "value", "type": "number"},
    ]
    schema = {"fields": fields, "primaryKey": ["date", "when", "site"]}
    resource = {"name": "obs", "path": "obs.csv", "schema": schema}
    (tmp_path / "datapackage.json").write_text(
        json.dumps({"name": "p", "resources": [resource]}), encoding="utf-8"
    )
    ds = datapackage.read(tmp_path)
    assert ds.structure.time_dimension is not None
    assert ds.structure.concept(ds.structure.time_dimension.concept_id).name == {"en": "when"}
    assert "date" in ds.structure.key_ids
