"""References in a spec's structure (issue 16.4): built-in codelists, ISO 3166 areas, the
components and codelists of an SDMX structure file, standard concepts, the structure's
agency for codelists without one, and specs that extend other specs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from cdinterop import codes, sdmx
from cdinterop.aggregate import AggregationSpec
from cdinterop.errors import InvalidDatasetError, ReadError
from cdinterop.ingest import IngestSpec
from cdinterop.mapping import BUILT_IN_CODELISTS, load_spec, loads_spec
from cdinterop.model import CitizenDataset, DataStructure
from cdinterop.schemas import json_schema

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "public-services-satisfaction" / "dataset.json"
SERVICES = ROOT / "mappings" / "services-survey-kobo.yaml"
ZIMBABWE = ROOT.parent / "shared" / "real-world" / "sdmx" / "zimbabwe" / "ZW01_SDG_structure.xml"


def _spec(structure: dict[str, Any], **rules: Any) -> str:
    """An aggregation spec (YAML text) over ``structure`` with a count measure."""
    dimensions = rules.pop("dimensions", None) or {
        d["id"]: {"from": d["id"]} for d in structure.get("dimensions", [])
    }
    document = {"structure": structure, "dimensions": dimensions, "measure": {"type": "count"}}
    return yaml.safe_dump({**document, **rules}, sort_keys=False, allow_unicode=True)


BASE: dict[str, Any] = {"id": "DSD_T", "agency": "KE.SAUTI", "name": {"en": "Test"}}


def _load(structure: dict[str, Any], folder: Path | None = None, **rules: Any) -> DataStructure:
    return loads_spec(_spec(structure, **rules), AggregationSpec, folder=folder).structure


def _problems(text: str, folder: Path | None = None) -> list[str]:
    with pytest.raises(InvalidDatasetError) as info:
        loads_spec(text, AggregationSpec, folder=folder)
    return [f"{i.location}: {i.message}" for i in info.value.issues]


def test_built_in_codelists_whole_and_in_part() -> None:
    structure = _load(
        {
            **BASE,
            "codelists": [
                {"ref": "SDMX:CL_SEX", "codes": ["_T", "F", "M"]},
                "SDMX:CL_OBS_STATUS",
                "SDMX:CL_FREQ(2.1)",
            ],
            "dimensions": [{"id": "SEX", "codelist": "CL_SEX"}],
            "attributes": [{"id": "OBS_STATUS", "codelist": "CL_OBS_STATUS"}],
        },
        dimensions={"SEX": {"from": "SEX", "total": "_T"}},
    )
    sex, status, freq = structure.codelists
    assert sex.ref == "SDMX:CL_SEX(1.0)" and sex.partial
    assert [c.id for c in sex.codes] == ["_T", "F", "M"]  # the order given
    assert sex.get("F") == codes.SEX.get("F")
    assert status == codes.OBS_STATUS  # the whole list, as built in
    assert freq.ref == "SDMX:CL_FREQ(2.1)" and not freq.partial


def test_iso_areas_with_subdivisions_become_the_publishers_list() -> None:
    structure = _load(
        {
            **BASE,
            "codelists": [
                {
                    "ref": "ISO:CL_AREA_ALPHA2",
                    "id": "CL_AREA_KE",
                    "name": {"en": "Kenya and surveyed counties"},
                    "codes": ["KE", "KE-30", "KE-17"],
                }
            ],
            "dimensions": [{"id": "REF_AREA", "codelist": "CL_AREA_KE"}],
        },
        dimensions={"REF_AREA": {"from": "REF_AREA", "total": "KE"}},
    )
    (areas,) = structure.codelists
    assert areas.ref == "KE.SAUTI:CL_AREA_KE(1.0)" and not areas.partial
    assert [(c.id, c.name["en"]) for c in areas.codes] == [
        ("KE", "Kenya"),
        ("KE-30", codes.area_name("KE-30")),
        ("KE-17", codes.area_name("KE-17")),
    ]
    assert areas.name == {"en": "Kenya and surveyed counties"}


def test_codelists_without_agency_are_the_structures() -> None:
    own = {
        "id": "CL_SERVICE",
        "name": {"en": "Services"},
        "codes": [{"id": "H", "name": {"en": "H"}}],
    }
    structure = _load(
        {
            **BASE,
            "codelists": [own],
            "dimensions": [{"id": "SERVICE", "codelist": "CL_SERVICE"}],
            "concepts": [{"id": "SERVICE", "name": {"en": "Service"}}],
        },
        dimensions={"SERVICE": {"from": "SERVICE", "total": "H"}},
    )
    assert structure.codelists[0].ref == "KE.SAUTI:CL_SERVICE(1.0)"
    explicit = DataStructure.model_validate(
        {
            **BASE,
            "codelists": [codes.SEX],
            "dimensions": [{"id": "SEX", "codelist": "CL_SEX"}],
            "concepts": [codes.CROSS_DOMAIN_CONCEPTS[c] for c in ("SEX", "OBS_VALUE")],
        }
    )
    assert explicit.codelists[0].agency == "SDMX"  # said explicitly by the built-in list


def test_standard_concepts_need_no_entry() -> None:
    structure = _load(
        {
            **BASE,
            "codelists": ["SDMX:CL_FREQ", "SDMX:CL_UNIT_MULT"],
            "dimensions": [{"id": "FREQ", "codelist": "CL_FREQ"}],
            "time_dimension": {},
            "attributes": [
                {"id": "UNIT_MULT", "codelist": "CL_UNIT_MULT", "attachment": "dataset"}
            ],
        },
        dimensions={"FREQ": {"value": "A"}, "TIME_PERIOD": {"from": "TIME_PERIOD"}},
    )
    names = {c.id: c.name for c in structure.concepts}
    assert names["TIME_PERIOD"] == {"en": "Time period", "fr": "Période"}
    assert set(names) == {"FREQ", "TIME_PERIOD", "UNIT_MULT", "OBS_VALUE"}


def test_a_concept_that_is_not_standard_is_still_required() -> None:
    problems = _problems(_spec({**BASE, "dimensions": [{"id": "SERVICE"}]}))
    assert any("SERVICE" in p and "concept" in p for p in problems), problems


def test_unknown_built_in_list_is_located_with_the_choices() -> None:
    text = _spec(
        {**BASE, "codelists": ["SDMX:CL_SX"], "dimensions": [{"id": "SEX", "codelist": "CL_SEX"}]}
    )
    (problem, *_) = _problems(text)
    assert problem.startswith("structure.codelists[0].ref: no built-in codelist SDMX:CL_SX")
    assert "did you mean 'SDMX:CL_SEX'?" in problem
    assert all(name in problem for name in BUILT_IN_CODELISTS)
    line = text.splitlines().index("  - SDMX:CL_SX") + 1
    assert f"(line {line}, column 5)" in problem


def test_unknown_code_in_a_subset_is_located() -> None:
    text = _spec(
        {
            **BASE,
            "codelists": [{"ref": "SDMX:CL_SEX", "codes": ["F", "MALE"]}],
            "dimensions": [{"id": "SEX", "codelist": "CL_SEX"}],
        }
    )
    (problem,) = _problems(text)
    assert "structure.codelists[0].codes: not codes of SDMX:CL_SEX(1.0): MALE" in problem
    assert "line " in problem


@pytest.fixture(scope="module")
def dsd_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published example's structure as an SDMX-ML 2.1 structure message."""
    folder = tmp_path_factory.mktemp("dsd")
    dataset = CitizenDataset.model_validate_json(EXAMPLE.read_bytes())
    sdmx.write_structure(dataset, folder / "services-dsd.xml", version="2.1")
    return folder / "services-dsd.xml"


def test_whole_structure_from_a_file(dsd_file: Path) -> None:
    document = yaml.safe_load(SERVICES.read_text(encoding="utf-8"))["aggregation"]
    document["structure"] = {"file": dsd_file.name}
    del document["intervals"]  # the published example has no bounds
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    structure = loads_spec(text, AggregationSpec, folder=dsd_file.parent).structure
    published = CitizenDataset.model_validate_json(EXAMPLE.read_bytes()).structure
    assert structure.key_ids == published.key_ids
    assert [c.ref for c in structure.codelists] == [c.ref for c in published.codelists]


def test_components_and_codelists_from_a_file(dsd_file: Path) -> None:
    structure = _load(
        {
            **BASE,
            "id": "DSD_OWN",
            "codelists": [{"ref": "CL_SERVICE", "file": dsd_file.name, "codes": ["_T", "HEALTH"]}],
            "dimensions": [
                {"id": "SEX", "file": dsd_file.name},
                {"id": "SERVICE", "codelist": "CL_SERVICE"},
            ],
            "concepts": [{"id": "SERVICE", "name": {"en": "Service"}}],
        },
        folder=dsd_file.parent,
        dimensions={"SEX": {"from": "SEX"}, "SERVICE": {"from": "SERVICE"}},
    )
    assert structure.component("SEX").codelist == "SDMX:CL_SEX(1.0)"  # type: ignore[union-attr]
    assert structure.codelist("CL_SEX").partial and [
        c.id for c in structure.codelist("CL_SEX").codes
    ] == ["F", "M", "_T"]
    service = structure.codelist("CL_SERVICE")
    assert service.ref == "KE.SAUTI:CL_SERVICE(1.0)" and service.partial
    assert structure.concept("SEX").name["fr"] == "Sexe"


def test_missing_file_and_component_are_located(dsd_file: Path) -> None:
    gone = _spec({**BASE, "dimensions": [{"id": "SEX", "file": "nowhere.xml"}]})
    (problem,) = _problems(gone, folder=dsd_file.parent)
    assert problem.startswith("structure.dimensions[0].file: no file 'nowhere.xml'")
    wrong = _spec(
        {**BASE, "dimensions": [{"id": "SX", "file": dsd_file.name}]},
        dimensions={"SX": {"from": "SX"}},
    )
    (problem,) = _problems(wrong, folder=dsd_file.parent)
    assert "structure.dimensions[0].id: no component 'SX'" in problem
    assert "did you mean 'SEX'?" in problem and "REF_AREA" in problem


@pytest.mark.skipif(not ZIMBABWE.is_file(), reason="../shared/real-world/sdmx/zimbabwe is absent")
def test_components_of_a_national_sdg_dsd() -> None:
    structure = _load(
        {
            **BASE,
            "dimensions": [
                {"id": "SERIES", "file": str(ZIMBABWE)},
                {"id": "SEX", "file": str(ZIMBABWE)},
            ],
            "time_dimension": {},
        },
        dimensions={
            "SERIES": {"value": "SI_POV_DAY1"},
            "SEX": {"from": "SEX"},
            "TIME_PERIOD": {"from": "TIME_PERIOD"},
        },
    )
    assert structure.codelist_of("SEX").ref == "IAEG-SDGs:CL_SEX(1.1)"  # type: ignore[union-attr]
    assert "SI_POV_DAY1" in structure.codelist_of("SERIES")  # type: ignore[operator]


def test_references_validate_against_the_json_schema(dsd_file: Path) -> None:
    document = yaml.safe_load(
        _spec(
            {
                **BASE,
                "codelists": ["SDMX:CL_FREQ", {"ref": "SDMX:CL_SEX", "codes": ["F"]}],
                "dimensions": [{"id": "SEX", "file": "x.xml"}],
            }
        )
    )
    jsonschema.validate(document, json_schema(AggregationSpec, "aggregation"))
    jsonschema.validate(
        {**document, "structure": {"file": "x.xml"}}, json_schema(AggregationSpec, "aggregation")
    )


def test_a_spec_extends_another(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {SERVICES}\nid: services-child\n", encoding="utf-8")
    spec = load_spec(child, IngestSpec)
    parent = load_spec(SERVICES, IngestSpec)
    assert spec.id == "services-child"
    assert spec.components == parent.components and spec.aggregation == parent.aggregation


def test_a_problem_in_an_extended_section_names_its_file(tmp_path: Path) -> None:
    parent = tmp_path / "parent.yaml"
    parent.write_text(
        SERVICES.read_text(encoding="utf-8").replace("keep: first", "keep: best"), encoding="utf-8"
    )
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\nid: services-child\n", encoding="utf-8")
    with pytest.raises(InvalidDatasetError) as info:
        load_spec(child, IngestSpec)
    (issue,) = info.value.issues
    assert issue.location == "deduplicate.keep" and f"of {parent}" in issue.message


def test_extends_cycle_and_missing_parent(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    with pytest.raises(ReadError, match="extend one another"):
        load_spec(tmp_path / "a.yaml", IngestSpec)
    (tmp_path / "c.yaml").write_text("extends: none.yaml\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"extends none\.yaml"):
        load_spec(tmp_path / "c.yaml", IngestSpec)


def test_extends_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    for target in ("/dev/zero", str(tmp_path)):
        (tmp_path / "d.yaml").write_text(f"extends: {target}\n", encoding="utf-8")
        with pytest.raises(ReadError, match="not a regular file"):
            load_spec(tmp_path / "d.yaml", IngestSpec)
