"""read(write(ds)) == ds through folders and zip archives, and through frictionless objects."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import frictionless
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cdinterop
from cdinterop import datapackage
from cdinterop.model import CitizenDataset
from cdinterop.testing import citizen_datasets

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES = ["marine-litter-ghana", "public-services-satisfaction"]
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("name", NAMES)
def test_examples_round_trip(name: str, tmp_path: Path) -> None:
    ds = cdinterop.load(EXAMPLES / name / "dataset.json")
    folder = datapackage.write(ds, tmp_path / "pkg")
    assert datapackage.read(folder) == ds
    assert datapackage.read(folder / "datapackage.json") == ds
    archive = datapackage.write(ds, tmp_path / "pkg.zip")
    assert datapackage.read(archive) == ds
    with zipfile.ZipFile(archive) as zf:
        assert {"datapackage.json", "observations.csv"} <= set(zf.namelist())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg", "pkg.zip"]  # no temp files


@SETTINGS
@given(ds=citizen_datasets(), archive=st.booleans())
def test_random_round_trip(
    ds: CitizenDataset, archive: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    target = tmp_path_factory.mktemp("rt") / ("pkg.zip" if archive else "pkg")
    assert datapackage.read(datapackage.write(ds, target)) == ds


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(ds=citizen_datasets(complete=True))
def test_complete_round_trip(ds: CitizenDataset, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every optional part filled: participation, consent, quality, disclosure, coverage."""
    folder = tmp_path_factory.mktemp("complete")
    assert datapackage.read(datapackage.write(ds, folder / "pkg")) == ds
    assert datapackage.read(datapackage.write(ds, folder / "pkg.zip")) == ds


def test_typed_round_trip(typed_dataset: CitizenDataset, tmp_path: Path) -> None:
    folder = datapackage.write(typed_dataset, tmp_path / "pkg")
    again = datapackage.read(folder)
    assert again == typed_dataset
    assert again.observations.to_records()[1]["NOTE"] == ""  # empty string, not null
    assert again.observations.to_records()[2]["NOTE"] is None
    assert datapackage.read(datapackage.write(typed_dataset, tmp_path / "pkg.zip")) == again


def test_csv_layout(typed_dataset: CitizenDataset, tmp_path: Path) -> None:
    """Header in structure order; data-set attributes repeated; null empty, "" quoted."""
    folder = datapackage.write(typed_dataset, tmp_path / "pkg")
    lines = (folder / "observations.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",") == [
        *("AREA", "KIND", "TIME_PERIOD", "OBS_VALUE", "COUNT", "CODE_A", "FLAG", "DAY"),
        *("STAMP", "LINK", "NOTE", "LABEL", "UNIT", "MULT", "CHECKED", "SINCE", "RATE_NOTE"),
    ]
    text = (folder / "observations.csv").read_text(encoding="utf-8")
    assert '"comma, ""quote""\nand newline"' in text
    assert ',"",' in text  # the empty NOTE of row 1
    assert '"2024-03-01T10:00:00Z"' in text and '"2024-03-01T21:59:59Z"' in text
    codes = (folder / "codelists" / "cl_area.csv").read_text(encoding="utf-8")
    assert codes.splitlines() == [  # names in the default language, French here
        "code,name,parent",
        'GH,"GH, nommé",',
        'GH-AA,"GH-AA, nommé",GH',
        'GH-CP,"GH-CP, nommé",GH',
    ]


def test_descriptor_native_properties(typed_dataset: CitizenDataset) -> None:
    d = datapackage.to_descriptor(typed_dataset)
    assert d["name"] == "df_typed"
    assert d["title"] == "Données typées"  # the first of the data set's languages
    assert d["licenses"] == [{"name": "CC0-1.0", "path": "https://spdx.org/licenses/CC0-1.0.html"}]
    assert d["contributors"] == [{"title": "Test CSO", "roles": ["publisher"]}]
    names = [r["name"] for r in d["resources"]]
    assert names == [
        "observations",
        "codelist-cl_area",
        "codelist-cl_kind",
        "codelist-cl_kind-2",
        "codelist-cl_unit",
    ]
    fields = {f["name"]: f for f in d["resources"][0]["schema"]["fields"]}
    assert fields["COUNT"]["type"] == "integer"
    assert fields["COUNT"]["constraints"] == {"required": True, "minimum": 1, "maximum": 1000000}
    assert fields["LINK"] == {
        "name": "LINK",
        "title": "LINK",
        "description": "About LINK",
        "type": "string",
        "format": "uri",
    }
    assert fields["UNIT"]["constraints"] == {"required": True, "enum": ["PT"]}
    assert fields["UNIT"]["categories"] == [{"value": "PT", "label": "PT, nommé"}]
    assert fields["MULT"]["constraints"] == {"required": True, "enum": [3]}
    assert fields["CHECKED"]["constraints"] == {"required": True, "enum": [False]}
    assert fields["KIND"]["categories"] == [
        {"value": "A", "label": "A, nommé"},
        {"value": "B", "label": "B, nommé"},
    ]
    assert d["resources"][0]["schema"]["primaryKey"] == ["AREA", "KIND", "TIME_PERIOD"]
    assert {
        "fields": ["CODE_A"],
        "reference": {"resource": "codelist-cl_kind-2", "fields": ["code"]},
    } in d["resources"][0]["schema"]["foreignKeys"]


def test_file_sizes_and_hashes(typed_dataset: CitizenDataset, tmp_path: Path) -> None:
    import hashlib

    folder = datapackage.write(typed_dataset, tmp_path / "pkg")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        data = (folder / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_package_objects(typed_dataset: CitizenDataset, tmp_path: Path) -> None:
    """to_package gives a frictionless.Package (inline data, or files under basepath);
    from_package and from_descriptor read them back."""
    package = datapackage.to_package(typed_dataset)
    assert isinstance(package, frictionless.Package)
    assert datapackage.from_package(package) == typed_dataset
    assert datapackage.from_descriptor(package.to_descriptor()) == typed_dataset
    on_disk = datapackage.to_package(typed_dataset, basepath=tmp_path / "pkg")
    assert on_disk.basepath == str(tmp_path / "pkg")
    assert datapackage.from_package(on_disk) == typed_dataset


def test_from_descriptor_with_basepath(typed_dataset: CitizenDataset, tmp_path: Path) -> None:
    folder = datapackage.write(typed_dataset, tmp_path / "pkg")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert datapackage.from_descriptor(descriptor, basepath=folder) == typed_dataset
    with pytest.raises(cdinterop.ReadError, match="no basepath"):
        datapackage.from_descriptor(descriptor)


def test_frictionless_reads_zip(typed_dataset: CitizenDataset, tmp_path: Path) -> None:
    archive = datapackage.write(typed_dataset, tmp_path / "pkg.zip")
    package = frictionless.Package(str(archive))
    rows = package.get_resource("observations").read_rows()
    assert len(rows) == len(typed_dataset.observations)
    assert datapackage.from_package(package) == typed_dataset


def test_empty_observations_keep_attribute_values(
    typed_dataset: CitizenDataset, tmp_path: Path
) -> None:
    empty = typed_dataset.replace(observations=[])
    assert empty.attribute_values
    assert datapackage.read(datapackage.write(empty, tmp_path / "pkg")) == empty
