"""Plain Data Packages (no cdinterop properties): structure and metadata inferred."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import frictionless
import pytest

from cdinterop import datapackage
from cdinterop.errors import InvalidDatasetError, ReadError
from cdinterop.model import AgentKind, Role, Usage, ValueType

PLAIN_CSV = (
    "region,year,sex,population (total),rate,note\n"
    'Greater Accra,2020,F,"1,234",12.5,\n'
    'Greater Accra,2020,M,"1,100",11.0,est.\n'
    "Volta,2021,F,800,9.25,\n"
)
PLAIN: dict[str, Any] = {
    "name": "ghana-pop",
    "title": "Population by region",
    "description": "A hand-written package.",
    "version": "v2.1-beta",
    "homepage": "https://club.example.org/pop",
    "created": "2024-05-01T10:00:00Z",
    "keywords": ["population", "ghana"],
    "licenses": [{"name": "odc-by", "path": "https://opendatacommons.org/licenses/by/"}],
    "contributors": [
        {
            "title": "Jane Doe",
            "email": "jane@example.org",
            "roles": ["author", "contact"],
            "organization": "Stats Club",
        },
        {"title": "Stats Club", "role": "publisher", "path": "https://club.example.org"},
    ],
    "sources": [{"title": "Census 2021", "path": "https://census.example.org", "version": "3"}],
    "resources": [
        {
            "name": "pop",
            "path": "data.csv",
            "schema": {
                "fields": [
                    {
                        "name": "region",
                        "type": "string",
                        "constraints": {"enum": ["Greater Accra", "Volta"]},
                    },
                    {"name": "year", "type": "year"},
                    {
                        "name": "sex",
                        "type": "string",
                        "title": "Sex",
                        "categories": [
                            {"value": "F", "label": "Female"},
                            {"value": "M", "label": "Male"},
                        ],
                    },
                    {"name": "population (total)", "type": "integer", "groupChar": ","},
                    {
                        "name": "rate",
                        "type": "number",
                        "description": "Per 1000",
                        "constraints": {"minimum": 0, "required": True},
                    },
                    {"name": "note", "type": "string"},
                ],
                "primaryKey": ["region", "year", "sex"],
            },
        }
    ],
}


def _package(folder: Path, descriptor: dict[str, Any], files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_hand_written_package(tmp_path: Path) -> None:
    folder = _package(tmp_path / "pop", PLAIN, {"data.csv": PLAIN_CSV})
    ds = datapackage.read(folder)
    s = ds.structure
    assert (ds.id, ds.agency, ds.version) == ("GHANA-POP", "UNKNOWN", "2.1")
    assert ds.title == {"en": "Population by region"}
    assert ds.keywords == {"en": ("population", "ghana")}
    assert ds.licence == "ODC-By-1.0"
    assert str(ds.landing_page) == "https://club.example.org/pop"
    assert str(ds.issued) == "2024-05-01"
    # key: region (enum with spaces: uncoded, pattern), year (time), sex (coded)
    assert s.key_ids == ("region", "sex", "TIME_PERIOD")
    assert s.time_dimension is not None and s.time_dimension.id == "TIME_PERIOD"
    region = s.dimensions[0]
    assert region.codelist is None and region.facets is not None
    assert region.facets.pattern == "Greater Accra|Volta"
    sex = s.codelist_of("sex")
    assert sex is not None and [(c.id, c.name["en"]) for c in sex.codes] == [
        ("F", "Female"),
        ("M", "Male"),
    ]
    assert [(m.id, m.value_type, m.usage) for m in s.measures] == [
        ("population_total", ValueType.INTEGER, Usage.CONDITIONAL),
        ("rate", ValueType.DECIMAL, Usage.MANDATORY),
    ]
    assert s.measures[1].facets is not None and s.measures[1].facets.min_value == 0
    assert [a.id for a in s.attributes] == ["note"]
    assert s.concept("population_total").name == {"en": "population (total)"}
    assert s.concept("rate").description == {"en": "Per 1000"}
    rows = ds.observations.to_records()
    assert rows[0]["population_total"] == 1234 and rows[1]["note"] == "est."
    # people: Jane (person, contact) on behalf of Stats Club (publisher, organisation)
    agents = {a.id: a for a in ds.provenance.agents}
    assert agents["C1"].kind is AgentKind.PERSON and agents["C1"].acted_on_behalf_of == "C2"
    assert agents["C2"].kind is AgentKind.ORGANISATION and ds.publisher == "C2"
    assert ds.contact_point is not None and str(ds.contact_point.email) == "jane@example.org"
    roles = {(a.agent, a.role) for a in ds.provenance.attributions}
    assert roles == {("C1", Role.CREATOR), ("C1", Role.POINT_OF_CONTACT), ("C2", Role.PUBLISHER)}
    # the inference is recorded as a conversion activity
    activity = ds.provenance.activities[-1]
    assert activity.parameters["renamed.population_total"] == "population (total)"
    assert activity.rows_in == activity.rows_out == 3
    descriptor_source = ds.provenance.sources[-1]
    assert descriptor_source.checksum is not None and descriptor_source.path == "datapackage.json"
    assert [s.title for s in ds.provenance.sources] == ["Census 2021", descriptor_source.title]
    # written by cdinterop, it comes back identical; the package passes every check
    again = datapackage.read(datapackage.write(ds, tmp_path / "ours"))
    assert again == ds
    assert datapackage.check_package(folder) == []


def test_package_made_by_frictionless(tmp_path: Path) -> None:
    """frictionless describes a CSV (no primary key, ``year`` typed integer)."""
    folder = tmp_path / "described"
    folder.mkdir()
    (folder / "table.csv").write_text(
        "country,indicator,year,value\nGH,litter,2021,10.5\nGH,litter,2022,12\n"
        "KE,litter,2021,7.25\n",
        encoding="utf-8",
    )
    package = frictionless.describe("table.csv", type="package", basepath=str(folder))
    assert isinstance(package, frictionless.Package)
    package.to_json(str(folder / "datapackage.json"))
    ds = datapackage.read(folder)
    s = ds.structure
    assert s.key_ids == ("country", "indicator", "TIME_PERIOD")
    assert s.time_dimension is not None and s.time_dimension.id == "TIME_PERIOD"
    assert [m.id for m in s.measures] == ["value"]
    assert ds.observations.to_records()[1] == {
        "country": "GH",
        "indicator": "litter",
        "TIME_PERIOD": "2022",
        "value": 12.0,
    }
    assert ds.licence is None
    absolute = frictionless.describe(str(folder / "table.csv"), type="package")
    absolute.to_json(str(folder / "datapackage.json"))  # frictionless wrote an absolute path
    with pytest.raises(ReadError, match="is an absolute path"):
        datapackage.read(folder)
    package.to_json(str(folder / "datapackage.json"))
    from_object = datapackage.from_package(frictionless.Package(str(folder / "datapackage.json")))
    assert from_object.structure == s and from_object.observations == ds.observations


def test_resource_described_by_frictionless_with_primary_key(tmp_path: Path) -> None:
    folder = tmp_path / "res"
    folder.mkdir()
    (folder / "data.csv").write_text("id,label,score\n1,a,0.5\n2,b,0.25\n", encoding="utf-8")
    resource = frictionless.Resource.describe("data.csv", basepath=str(folder))
    descriptor = resource.to_descriptor()
    descriptor["schema"]["primaryKey"] = ["id"]
    ds = datapackage.from_descriptor(
        {"name": "scores", "resources": [descriptor]}, basepath=folder, language="fr"
    )
    assert ds.structure.key_ids == ("id",)
    assert [m.id for m in ds.structure.measures] == ["score"]
    assert [(a.id, a.value_type) for a in ds.structure.attributes] == [("label", ValueType.STRING)]
    assert ds.structure.dimensions[0].value_type is ValueType.INTEGER
    assert ds.title == {"fr": "SCORES"}


def test_inline_data_tsv_dialect_and_lexical_rules(tmp_path: Path) -> None:
    inline = {
        "name": "inline",
        "resources": [
            {
                "name": "obs",
                "data": [
                    {"k": "a", "v": 1.5, "ok": "yes"},
                    {"k": "b", "v": None, "ok": "no"},
                ],
                "schema": {
                    "fields": [
                        {"name": "k", "type": "string"},
                        {"name": "v", "type": "number"},
                        {
                            "name": "ok",
                            "type": "boolean",
                            "trueValues": ["yes"],
                            "falseValues": ["no"],
                        },
                    ],
                    "primaryKey": "k",
                },
            }
        ],
    }
    ds = datapackage.from_descriptor(inline)
    assert ds.observations.to_records() == [
        {"k": "a", "v": 1.5, "ok": True},
        {"k": "b", "v": None, "ok": False},
    ]
    tsv = {
        "name": "tsv",
        "resources": [
            {
                "name": "obs",
                "path": "data.tsv",
                "format": "tsv",
                "dialect": {"headerRows": [2]},
                "encoding": "windows-1252",
                "schema": {
                    "fields": [
                        {"name": "when", "type": "date", "format": "%d/%m/%Y"},
                        {"name": "where", "type": "string"},
                        {
                            "name": "amount",
                            "type": "number",
                            "decimalChar": ",",
                            "groupChar": " ",
                            "bareNumber": False,
                        },
                    ],
                    "missingValues": ["-", ""],
                    "primaryKey": ["when", "where"],
                },
            }
        ],
    }
    folder = tmp_path / "tsv"
    folder.mkdir()
    (folder / "datapackage.yaml").write_text(json.dumps(tsv), encoding="utf-8")  # YAML ⊃ JSON
    (folder / "data.tsv").write_bytes(
        "a comment line\nwhen\twhere\tamount\n01/02/2024\tCôte\t1 234,5 €\n"
        "02/02/2024\tLomé\t-\n".encode("windows-1252")
    )
    ds = datapackage.read(folder)
    assert ds.structure.time_dimension is not None
    assert ds.observations.to_records() == [
        {"where": "Côte", "TIME_PERIOD": "2024-02-01", "amount": 1234.5},
        {"where": "Lomé", "TIME_PERIOD": "2024-02-02", "amount": None},
    ]


def test_resource_choice(tmp_path: Path) -> None:
    descriptor = json.loads(json.dumps(PLAIN))
    lookup = {
        "name": "regions",
        "path": "regions.csv",
        "schema": {
            "fields": [{"name": "code", "type": "string"}, {"name": "n", "type": "integer"}]
        },
    }
    descriptor["resources"].insert(0, lookup)
    folder = _package(
        tmp_path / "two", descriptor, {"data.csv": PLAIN_CSV, "regions.csv": "code,n\nX,1\n"}
    )
    # two tables and no choice: refused, naming both with their row counts
    with pytest.raises(ReadError) as info:
        datapackage.read(folder)
    assert "the package has 2 tables, 'regions' (1 row), 'pop' (3 rows)" in info.value.reason
    assert "--resource NAME" in info.value.reason
    assert datapackage.read(folder, resource="regions").structure.key_ids == ("code",)
    assert datapackage.read(folder, resource="pop").structure.key_ids[0] == "region"
    with pytest.raises(ReadError, match="no resource named 'nope'; its tables are 'regions'"):
        datapackage.read(folder, resource="nope")
    # a table named observations is the one (cdinterop's convention)
    descriptor["resources"][1]["name"] = "observations"
    folder = _package(
        tmp_path / "obs", descriptor, {"data.csv": PLAIN_CSV, "regions.csv": "code,n\nX,1\n"}
    )
    assert datapackage.read(folder).structure.key_ids[0] == "region"


def test_options(tmp_path: Path) -> None:
    folder = _package(tmp_path / "pop", PLAIN, {"data.csv": PLAIN_CSV})
    ds = datapackage.read(folder, language="fr", agency="GH.STATS")
    assert ds.title == {"fr": "Population by region"} and ds.agency == "GH.STATS"
    assert ds.structure.agency == "GH.STATS"
    with pytest.raises(ValueError, match="BCP 47"):
        datapackage.read(folder, language="english")
    with pytest.raises(ValueError, match="agency"):
        datapackage.read(folder, agency="no spaces please")


def test_unrepresentable_packages(tmp_path: Path) -> None:
    descriptor = json.loads(json.dumps(PLAIN))
    descriptor["resources"][0]["schema"]["primaryKey"] = ["region", "nope"]
    folder = _package(tmp_path / "a", descriptor, {"data.csv": PLAIN_CSV})
    with pytest.raises(ReadError, match=r"primaryKey: no field named \['nope'\]"):
        datapackage.read(folder)
    descriptor["resources"][0]["schema"] = {
        "fields": [{"name": "x", "type": "string"}],
        "primaryKey": ["x"],
    }
    folder = _package(tmp_path / "b", descriptor, {"data.csv": "x\na\n"})
    with pytest.raises(ReadError, match="cannot infer a measure"):
        datapackage.read(folder)
    descriptor["resources"][0]["path"] = "data.xlsx"
    descriptor["resources"][0]["format"] = "xlsx"
    descriptor["resources"][0]["schema"]["fields"].append({"name": "v", "type": "number"})
    folder = _package(tmp_path / "c", descriptor, {"data.xlsx": "not really"})
    with pytest.raises(ReadError, match="'xlsx' resources are not supported"):
        datapackage.read(folder)


def test_no_primary_key_and_repeated_rows(tmp_path: Path) -> None:
    descriptor = {
        "name": "dups",
        "resources": [
            {
                "name": "t",
                "path": "t.csv",
                "schema": {
                    "fields": [{"name": "k", "type": "string"}, {"name": "v", "type": "number"}]
                },
            }
        ],
    }
    folder = _package(tmp_path / "d", descriptor, {"t.csv": "k,v\na,1\na,2\n"})
    with pytest.raises(InvalidDatasetError) as info:
        datapackage.read(folder)
    assert [(i.location, i.code) for i in info.value.issues] == [
        ("observations[1]", "duplicate-key")
    ]
    assert [(i.location, i.code) for i in datapackage.check_package(folder)] == [
        ("observations[1]", "duplicate-key")
    ]


def test_field_names_are_sanitised_without_clashes(tmp_path: Path) -> None:
    fields = ["a b", "a_b", "2020", "Région", "ok"]
    descriptor = {
        "name": "names",
        "resources": [
            {
                "name": "t",
                "path": "t.csv",
                "schema": {
                    "fields": [{"name": n, "type": "string"} for n in fields[:-1]]
                    + [{"name": "ok", "type": "number"}]
                },
            }
        ],
    }
    folder = _package(tmp_path / "n", descriptor, {"t.csv": "a b,a_b,2020,Région,ok\n1,2,3,4,5\n"})
    ds = datapackage.read(folder)
    assert ds.structure.column_ids == ("a_b_2", "a_b", "F_2020", "Region", "ok")
    params = ds.provenance.activities[-1].parameters
    assert params == {
        "resource": "t",
        "renamed.a_b_2": "a b",
        "renamed.F_2020": "2020",
        "renamed.Region": "Région",
        "version": "none given; the data set has the default version 1.0",
    }
