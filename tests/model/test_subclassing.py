"""Subclasses of the models: kept by ``replace``, ``load`` and the model's JSON, refused by
the exchange formats (which have no place for the fields they add) with a message naming
them, and never dropped without a word."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ConfigDict

import cdinterop
from cdinterop import datapackage, dcat, sdmx
from cdinterop.errors import InvalidDatasetError, WriteError
from cdinterop.model import (
    Activity,
    ActivityType,
    AddedFields,
    Agent,
    Catalog,
    CitizenDataset,
    Provenance,
    added_fields,
    refuse_added_fields,
)

ROOT = Path(__file__).resolve().parents[2]
LITTER = ROOT / "examples" / "marine-litter-ghana" / "dataset.json"


class SurveyDataset(CitizenDataset):
    """A tool's data set: the survey round it comes from."""

    survey_round: int = 1
    """Which round of the survey."""


class OrcidAgent(Agent):
    """An agent with an ORCID iD."""

    orcid: str | None = None


class OrcidProvenance(Provenance):
    """A provenance record whose agents may have an ORCID iD."""

    agents: tuple[OrcidAgent | Agent, ...] = ()  # type: ignore[assignment]


class OrcidDataset(CitizenDataset):
    """A data set whose provenance may hold agents with an ORCID iD."""

    provenance: OrcidProvenance = OrcidProvenance()  # type: ignore[assignment]


class MethodsOnly(CitizenDataset):
    """A subclass that adds behaviour, no field."""

    def shout(self) -> str:
        return self.id.upper()


class LooseDataset(CitizenDataset):
    """A subclass that takes any extra value."""

    model_config = ConfigDict(extra="allow")


@pytest.fixture(scope="module")
def base() -> CitizenDataset:
    return cdinterop.load(LITTER)


@pytest.fixture(scope="module")
def survey(base: CitizenDataset) -> SurveyDataset:
    return SurveyDataset.model_validate({**base.__dict__, "survey_round": 3})


@pytest.fixture(scope="module")
def nested(base: CitizenDataset) -> CitizenDataset:
    """The base class, one of whose agents is an ``OrcidAgent``."""
    first, *rest = base.provenance.agents
    agent = OrcidAgent.model_validate({**first.__dict__, "orcid": "0000-0002-1825-0097"})
    provenance = Provenance.model_validate({**base.provenance.__dict__, "agents": (agent, *rest)})
    return base.replace(provenance=provenance)


# -- replace, with_activity, without_added_fields ----------------------------------------


def test_replace_keeps_the_subclass_and_its_fields(survey: SurveyDataset) -> None:
    copy = survey.replace(version="2.0")
    assert type(copy) is SurveyDataset
    assert (copy.version, copy.survey_round) == ("2.0", 3)
    assert survey.replace(survey_round=4).survey_round == 4


def test_with_activity_keeps_the_subclass(survey: SurveyDataset) -> None:
    activity = Activity(id="REVIEWED", type=ActivityType.VALIDATION, label="reviewed")
    copy = survey.with_activity(activity)
    assert type(copy) is SurveyDataset and copy.survey_round == 3
    assert copy.provenance.activities[-1].id == "REVIEWED"


def test_with_activity_keeps_a_subclassed_provenance(nested: CitizenDataset) -> None:
    orcid = OrcidDataset.model_validate(
        {
            **nested.__dict__,
            "provenance": OrcidProvenance.model_validate(nested.provenance.__dict__),
        }
    )
    activity = Activity(id="REVIEWED", type=ActivityType.VALIDATION, label="reviewed")
    assert type(orcid.with_activity(activity).provenance) is OrcidProvenance


def test_a_catalog_subclass_survives_replace(base: CitizenDataset) -> None:
    class Hub(Catalog):
        region: str = "West Africa"

    hub = Hub(
        id="HUB",
        title={"en": "Hub"},
        description={"en": "Citizen data"},
        publisher=base.provenance.agents[0],
        region="Gulf of Guinea",
    )
    copy = hub.replace(datasets=(base,))
    assert type(copy) is Hub and copy.region == "Gulf of Guinea"
    assert [d.id for d in copy.datasets] == [base.id]


def test_without_added_fields_leaves_them_out_on_purpose(
    base: CitizenDataset, survey: SurveyDataset, nested: CitizenDataset
) -> None:
    for extended in (survey, nested):
        plain = extended.without_added_fields()
        assert type(plain) is CitizenDataset and plain == base
        assert added_fields(plain) == ()
    assert base.without_added_fields() is base


# -- added_fields --------------------------------------------------------------------------


def test_added_fields_finds_each_subclass_where_it_is(
    base: CitizenDataset, survey: SurveyDataset, nested: CitizenDataset
) -> None:
    assert added_fields(base) == ()
    assert added_fields(survey) == (
        AddedFields("(root)", SurveyDataset, CitizenDataset, ("survey_round",)),
    )
    (found,) = added_fields(nested)
    assert (found.location, found.model, found.base, found.fields) == (
        "provenance.agents[0]",
        OrcidAgent,
        Agent,
        ("orcid",),
    )
    assert str(found) == (f"provenance.agents[0]: {__name__}.OrcidAgent adds orcid to Agent")


def test_a_shared_part_is_found_at_each_place_it_is(
    base: CitizenDataset, nested: CitizenDataset
) -> None:
    """The search skips a part it has seen clean (one structure shared by many data sets),
    but a shared part that adds fields is reported at every place it sits."""
    catalog = Catalog(
        id="HUB",
        title={"en": "Hub"},
        description={"en": "Citizen data"},
        publisher=base.provenance.agents[0],
        datasets=tuple(
            ds.replace(id=f"DF_{n}") for n, ds in enumerate((base, nested, base, nested))
        ),
    )
    assert [f.location for f in added_fields(catalog)] == [
        "datasets[1].provenance.agents[0]",
        "datasets[3].provenance.agents[0]",
    ]
    clean = catalog.replace(datasets=(base.replace(id="DF_A"), base.replace(id="DF_B")))
    assert added_fields(clean) == ()


def test_added_fields_of_a_subclass_without_fields_and_of_extra_values(
    base: CitizenDataset,
) -> None:
    assert added_fields(MethodsOnly.model_validate(base.__dict__)) == ()
    loose = LooseDataset.model_validate({**base.__dict__, "note": "x", "batch": 2})
    assert [f.fields for f in added_fields(loose)] == [("note", "batch")]
    assert loose.replace(version="2.0").note == "x"  # type: ignore[attr-defined]


# -- the model's JSON carries them ---------------------------------------------------------


def test_save_and_load_a_subclass(survey: SurveyDataset, tmp_path: Path) -> None:
    path = cdinterop.save(survey, tmp_path / "survey.json")
    back = cdinterop.load(path, cls=SurveyDataset)
    assert type(back) is SurveyDataset and back == survey and back.survey_round == 3
    assert cdinterop.loads(cdinterop.dumps(survey), cls=SurveyDataset) == survey
    with pytest.raises(InvalidDatasetError) as caught:
        cdinterop.load(path)  # the base class has no such field: refused, located
    assert [(i.location, i.code, i.value) for i in caught.value.issues] == [
        ("survey_round", "extra-forbidden", 3)
    ]


def test_load_takes_only_a_data_set_class(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="subclass of it"):
        cdinterop.load(LITTER, cls=Agent)  # type: ignore[type-var]


def test_the_json_keeps_the_fields_of_subclassed_parts(
    nested: CitizenDataset, tmp_path: Path
) -> None:
    text = cdinterop.dumps(nested)
    assert '"orcid": "0000-0002-1825-0097"' in text
    back = cdinterop.loads(text, cls=OrcidDataset)
    agent = back.provenance.agents[0]
    assert isinstance(agent, OrcidAgent) and agent.orcid == "0000-0002-1825-0097"
    with pytest.raises(InvalidDatasetError) as caught:
        cdinterop.loads(text)  # a class that declares no such part refuses it, located
    assert [i.location for i in caught.value.issues] == ["provenance.agents[0].orcid"]
    path = cdinterop.save(nested, tmp_path / "nested.json")
    assert path.read_text(encoding="utf-8") == text + "\n"


def test_the_json_of_the_base_class_is_unchanged(base: CitizenDataset) -> None:
    assert cdinterop.dumps(base) == base.model_dump_json(indent=2)


def test_a_large_table_streams_the_same_with_subclassed_parts(
    nested: CitizenDataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cdinterop.model import _jsonio

    monkeypatch.setattr(_jsonio, "_STREAM_ROWS", 2)
    path = cdinterop.save(nested, tmp_path / "streamed.json")
    assert path.read_text(encoding="utf-8") == cdinterop.dumps(nested) + "\n"


# -- the exchange formats refuse them ------------------------------------------------------

WRITERS = {
    "sdmx.write_all": lambda ds, out: sdmx.write_all(ds, out / "sdmx"),
    "sdmx.write": lambda ds, out: sdmx.write(ds, out / "data.xml", format="ml21-ss"),
    "sdmx.write_structure": lambda ds, out: sdmx.write_structure(ds, out / "structure.xml"),
    "sdmx.to_structure": lambda ds, out: sdmx.to_structure(ds),
    "datapackage.write": lambda ds, out: datapackage.write(ds, out / "package.zip"),
    "datapackage.to_package": lambda ds, out: datapackage.to_package(ds),
}


@pytest.mark.parametrize("writer", WRITERS)
def test_each_format_refuses_added_fields_and_writes_nothing(
    writer: str, survey: SurveyDataset, nested: CitizenDataset, tmp_path: Path
) -> None:
    write = WRITERS[writer]
    with pytest.raises(WriteError) as caught:
        write(survey, tmp_path)
    message = str(caught.value)
    assert f"{__name__}.SurveyDataset adds survey_round to CitizenDataset" in message
    assert "cdinterop.save" in message and "without_added_fields()" in message
    with pytest.raises(WriteError, match=r"provenance\.agents\[0\]: .*OrcidAgent adds orcid"):
        write(nested, tmp_path)
    assert list(tmp_path.iterdir()) == []
    write(survey.without_added_fields(), tmp_path)  # left out on purpose: written


@pytest.mark.parametrize("writer", ["dcat.write", "dcat.to_graph"])
def test_dcat_refuses_added_fields(writer: str, survey: SurveyDataset, tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="SurveyDataset adds survey_round"):
        if writer == "dcat.write":
            dcat.write(survey, tmp_path / "dataset.ttl")
        else:
            dcat.to_graph(survey)
    assert list(tmp_path.iterdir()) == []


def test_a_subclass_without_fields_is_written(base: CitizenDataset, tmp_path: Path) -> None:
    plain = MethodsOnly.model_validate(base.__dict__)
    assert plain.shout() == base.id.upper()
    path = datapackage.write(plain, tmp_path / "package.zip")
    assert datapackage.read(path) == base


def test_refuse_added_fields_names_the_writer(survey: SurveyDataset) -> None:
    with pytest.raises(WriteError, match=r"^My format has no place for the fields"):
        refuse_added_fields(survey, "My format")
    refuse_added_fields(survey.without_added_fields(), "My format")  # nothing to refuse
