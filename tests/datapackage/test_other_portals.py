"""Other portals' Data Packages (issue 13, point 6): the observation table of a package with
several tables is chosen by name, never guessed; Open Definition licence ids such as
``ODC-PDDL-1.0`` are recognised; a version is kept as its exact text. Inline fixtures only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import cdinterop
from cdinterop import datapackage
from cdinterop._cli import app
from cdinterop.errors import ReadError
from cdinterop.model._base import check_spdx_licence

runner = CliRunner()

MAIN_CSV = "year,district,requests\n2022,North,5\n2022,South,7\n2023,North,6\n"
SIDE_CSV = "district,population\nNorth,1000\nSouth,2000\n"


def _resource(name: str, path: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "schema": {"fields": [{"name": n, "type": t} for n, t in fields]},
    }


def _package(folder: Path, descriptor: dict[str, Any], files: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def two_tables(tmp_path: Path) -> Path:
    """A portal export: a side table first, the main table second."""
    descriptor = {
        "name": "city-requests",
        "resources": [
            _resource(
                "districts", "districts.csv", [("district", "string"), ("population", "integer")]
            ),
            _resource(
                "requests",
                "requests.csv",
                [("year", "year"), ("district", "string"), ("requests", "integer")],
            ),
        ],
    }
    files = {"districts.csv": SIDE_CSV, "requests.csv": MAIN_CSV}
    return _package(tmp_path / "city", descriptor, files)


# -- 5. which table ----------------------------------------------------------------------


def test_several_tables_and_no_choice_is_refused(two_tables: Path) -> None:
    with pytest.raises(ReadError) as info:
        datapackage.read(two_tables)
    assert (
        "the package has 2 tables, 'districts' (2 rows), 'requests' (3 rows); say which one "
        "holds the observations (resource= in Python, --resource NAME on the command line)"
    ) in info.value.reason
    # check_package reports the same, as an issue
    issues = datapackage.check_package(two_tables)
    assert [i.code for i in issues] == ["read-error"]
    assert "'requests' (3 rows)" in issues[0].message


def test_the_table_is_chosen_by_name(two_tables: Path) -> None:
    ds = datapackage.read(two_tables, resource="requests")
    assert len(ds.observations) == 3 and "requests" in ds.structure.column_ids
    assert ds.provenance.activities[-1].parameters["resource"] == "requests"
    side = datapackage.read(two_tables, resource="districts")
    assert len(side.observations) == 2


def test_a_single_table_needs_no_choice(tmp_path: Path) -> None:
    descriptor = {
        "name": "one",
        "resources": [
            _resource("requests", "r.csv", [("year", "year"), ("requests", "integer")]),
            {"name": "readme", "path": "README.md"},  # not a table
        ],
    }
    folder = _package(tmp_path / "one", descriptor, {"r.csv": "year,requests\n2022,5\n"})
    assert len(datapackage.read(folder).observations) == 1


def test_inline_tables_are_counted_too(tmp_path: Path) -> None:
    fields = [("k", "string"), ("v", "integer")]
    descriptor = {
        "name": "inline",
        "resources": [
            {**_resource("a", "", fields), "data": [["k", "v"], ["x", 1]]},
            {**_resource("b", "", fields), "data": [{"k": "x", "v": 1}, {"k": "y", "v": 2}]},
        ],
    }
    for resource in descriptor["resources"]:
        del resource["path"]
    with pytest.raises(ReadError, match=r"'a' \(1 row\), 'b' \(2 rows\)"):
        datapackage.from_descriptor(descriptor)


def test_the_command_line_asks_for_the_table(two_tables: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds.json"
    result = runner.invoke(app, ["datapackage", "read", str(two_tables), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "'districts' (2 rows), 'requests' (3 rows)" in " ".join(result.output.split())
    assert "Traceback" not in result.output and not out.exists()
    result = runner.invoke(
        app, ["datapackage", "read", str(two_tables), "--resource", "requests", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(cdinterop.load(out).observations) == 3
    result = runner.invoke(
        app, ["datapackage", "read", str(two_tables), "--resource", "nope", "-o", str(out)]
    )
    assert result.exit_code == 2
    assert "no resource named 'nope'" in " ".join(result.output.split())


# -- 6. licences -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "spdx"),
    [
        ("ODC-PDDL-1.0", "PDDL-1.0"),  # Open Definition ids of the Open Data Commons licences
        ("ODC-BY-1.0", "ODC-By-1.0"),
        ("ODC-ODbL-1.0", "ODbL-1.0"),
        ("ODbL-1.0", "ODbL-1.0"),
        ("odc-pddl-1.0", "PDDL-1.0"),
        ("CC-BY-4.0", "CC-BY-4.0"),  # ids both lists share
        ("OGL-UK-3.0", "OGL-UK-3.0"),
        ("GPL-3.0", "GPL-3.0-only"),  # a deprecated SPDX id, by its successor
    ],
)
def test_licence_ids_of_both_lists(given: str, spdx: str) -> None:
    assert check_spdx_licence(given) == spdx


@pytest.mark.parametrize("given", ["ODC-MIT", "ODC-", "other-open", "Talis", "MIT OR GPL-3.0"])
def test_what_is_not_a_licence_id(given: str) -> None:
    with pytest.raises(ValueError):
        check_spdx_licence(given)


@pytest.mark.parametrize(
    ("licence", "spdx"),
    [
        ({"name": "ODC-PDDL-1.0", "path": "http://opendatacommons.org/licenses/pddl/"}, "PDDL-1.0"),
        ({"path": "https://opendatacommons.org/licenses/odbl/1-0/"}, "ODbL-1.0"),
        ({"path": "https://opendatacommons.org/licenses/by/1.0/"}, "ODC-By-1.0"),
        ({"name": "odc-pddl"}, "PDDL-1.0"),
    ],
)
def test_package_licences(tmp_path: Path, licence: dict[str, str], spdx: str) -> None:
    descriptor = {
        "name": "lic",
        "licenses": [licence],
        "resources": [_resource("t", "t.csv", [("year", "year"), ("n", "integer")])],
    }
    folder = _package(tmp_path / "lic", descriptor, {"t.csv": "year,n\n2020,1\n"})
    assert datapackage.read(folder).licence == spdx


# -- 7. versions -------------------------------------------------------------------------


def _versioned(tmp_path: Path, version: Any) -> Any:
    descriptor = {
        "name": "v",
        "version": version,
        "resources": [_resource("t", "t.csv", [("year", "year"), ("n", "integer")])],
    }
    folder = _package(tmp_path / "v", descriptor, {"t.csv": "year,n\n2020,1\n"})
    return datapackage.read(folder)


def test_a_date_version_stays_its_text(tmp_path: Path) -> None:
    ds = _versioned(tmp_path, "2023-03-30")
    assert ds.version == "1.0"  # the SDMX version: 2023-03-30 cannot be one
    assert ds.provenance.sources[-1].version == "2023-03-30"  # the exact text
    assert ds.provenance.activities[-1].parameters["version"] == (
        "'2023-03-30' is not an SDMX version (kept as the descriptor source's version); "
        "the data set has the default version 1.0"
    )
    # the record survives the package's own round trip
    again = datapackage.read(datapackage.write(ds, tmp_path / "again"))
    assert again == ds


@pytest.mark.parametrize(
    ("version", "sdmx"), [("1", "1"), ("1.10", "1.10"), ("2.3.1", "2.3.1"), ("v2.1-beta", "2.1")]
)
def test_sdmx_versions_are_kept_as_given(tmp_path: Path, version: str, sdmx: str) -> None:
    ds = _versioned(tmp_path, version)
    assert ds.version == sdmx and ds.provenance.sources[-1].version == version


def test_yaml_keeps_versions_and_dates_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "yaml"
    folder.mkdir()
    (folder / "datapackage.yaml").write_text(
        "name: y\nversion: 2023-03-30\ncreated: 2024-05-01\n"
        "sources:\n  - title: census\n    version: 1.10\n"
        "resources:\n  - name: t\n    path: t.csv\n    schema:\n      fields:\n"
        "        - {name: year, type: year}\n        - {name: n, type: integer}\n",
        encoding="utf-8",
    )
    (folder / "t.csv").write_text("year,n\n2020,1\n", encoding="utf-8")
    ds = datapackage.read(folder)
    assert ds.provenance.sources[-1].version == "2023-03-30"  # not a date, not 2023.0
    assert ds.provenance.sources[0].version == "1.10"  # not the number 1.1
    assert str(ds.issued) == "2024-05-01"
