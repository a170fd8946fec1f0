import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from cdinterop.errors import InvalidDatasetError
from cdinterop.model import (
    Activity,
    ActivityType,
    Agent,
    AgentKind,
    Attribution,
    Checksum,
    CitizenDataset,
    Consent,
    ConsentBasis,
    ConsentMethod,
    ContactPoint,
    DateRange,
    DimensionScore,
    DisclosureControl,
    DisclosureMethod,
    EngagementLevel,
    EthicsCheck,
    InitiatorType,
    Participation,
    Provenance,
    QualityAssessment,
    QualityDimension,
    QualityVerdict,
    ReferencePeriod,
    Role,
    Source,
    Theme,
    ThemeScheme,
    ValueChainStage,
)

ORG = Agent(id="ORG", kind=AgentKind.ORGANISATION, name="CSO")


def test_dataset_rules(dataset: CitizenDataset) -> None:
    with pytest.raises(InvalidDatasetError, match="publisher: 'NOBODY' is not an agent"):
        dataset.replace(publisher="NOBODY")
    with pytest.raises(InvalidDatasetError, match="issued 2024-05-01 is after modified"):
        dataset.replace(issued=dt.date(2024, 5, 1), modified=dt.date(2024, 1, 1))
    with pytest.raises(InvalidDatasetError, match="not an ISO 3166 or UN M49 area code: 'XX'"):
        dataset.replace(spatial_coverage=("GH", "XX"))
    assert dataset.replace(spatial_coverage=("GH", "GHA", "288", "GH-AA", "002"))
    with pytest.raises(InvalidDatasetError, match="not a data-set-level attribute"):
        dataset.replace(attribute_values={"OBS_STATUS": "A"})
    assert dataset.replace(attribute_values={"NOTE": "collected by volunteers"})
    with pytest.raises(InvalidDatasetError, match="not of type string"):
        dataset.replace(attribute_values={"NOTE": 5})
    with pytest.raises(InvalidDatasetError, match="SPDX"):
        dataset.replace(licence="Creative Commons")


def test_observation_problems_raise_with_all_issues(
    dataset: CitizenDataset, rows: list[dict[str, Any]]
) -> None:
    bad = [{**rows[0], "SEX": "X"}, {**rows[1], "TIME_PERIOD": "2023-13"}]
    with pytest.raises(InvalidDatasetError) as info:
        dataset.replace(observations=bad)
    assert [(i.row, i.component, i.code) for i in info.value.issues] == [
        (0, "SEX", "unknown-code"),
        (1, "TIME_PERIOD", "malformed-period"),
    ]
    assert info.value.counts() == {"unknown-code": 1, "malformed-period": 1}


def test_periods_and_ranges_are_ordered() -> None:
    with pytest.raises(ValidationError, match="start 2024-02-01 is after end 2024-01-01"):
        DateRange(start=dt.date(2024, 2, 1), end=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError, match="start '2024' is after end '2023-Q4'"):
        ReferencePeriod(start="2024", end="2023-Q4")
    with pytest.raises(ValidationError, match="not an SDMX time period"):
        ReferencePeriod(start="last year", end="2024")
    t0 = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    with pytest.raises(ValidationError, match="is after ended_at"):
        Activity(
            id="A",
            type=ActivityType.CLEANING,
            label="x",
            started_at=t0,
            ended_at=t0 - dt.timedelta(hours=1),
        )


@pytest.mark.parametrize(
    ("scheme", "code", "ok"),
    [
        (ThemeScheme.SDG_INDICATOR, "14.1.1b", True),
        (ThemeScheme.SDG_INDICATOR, "16.6.2", True),
        (ThemeScheme.SDG_TARGET, "14.a", True),
        (ThemeScheme.SDG_GOAL, "18", False),
        (ThemeScheme.SDG_INDICATOR, "14.1", False),
        (ThemeScheme.EU_DATA_THEME, "ENVI", True),
        (ThemeScheme.EU_DATA_THEME, "ENV", False),
    ],
)
def test_themes(scheme: ThemeScheme, code: str, ok: bool) -> None:
    if ok:
        assert Theme(scheme=scheme, code=code).code == code
    else:
        with pytest.raises(ValidationError, match="is not a"):
            Theme(scheme=scheme, code=code)


def test_provenance_references_resolve() -> None:
    sw = Agent(id="SW", kind=AgentKind.SOFTWARE, name="cdinterop", version="0.1.0")
    ok = Provenance(
        agents=(ORG, sw),
        attributions=(Attribution(agent="ORG", role=Role.CREATOR),),
        activities=(
            Activity(
                id="A",
                type=ActivityType.CONVERSION,
                label="x",
                agents=("ORG",),
                software="SW",
                used=("S",),
            ),
        ),
        sources=(Source(id="S", title="file.csv"),),
    )
    assert ok.agent("SW").version == "0.1.0"
    with pytest.raises(ValidationError, match=r"attributions\[0\].agent: unknown agent 'X'"):
        Provenance(agents=(ORG,), attributions=(Attribution(agent="X", role=Role.CREATOR),))
    with pytest.raises(ValidationError, match="unknown source 'NOPE'"):
        Provenance(
            activities=(Activity(id="A", type=ActivityType.CLEANING, label="x", used=("NOPE",)),)
        )
    with pytest.raises(ValidationError, match="is not software"):
        Provenance(
            agents=(ORG,),
            activities=(Activity(id="A", type=ActivityType.CLEANING, label="x", software="ORG"),),
        )
    with pytest.raises(ValidationError, match="used twice"):
        Provenance(agents=(ORG, ORG))
    new = ok.with_activity(
        Activity(id="B", type=ActivityType.PUBLICATION, label="published", agents=("NSO",)),
        agents=(Agent(id="NSO", kind=AgentKind.ORGANISATION, name="NSO"),),
    )
    assert [a.id for a in new.activities] == ["A", "B"] and new.agent("NSO").name == "NSO"


def test_agents_and_checksums(tmp_path: Any) -> None:
    with pytest.raises(ValidationError, match="pseudonymous person must not carry an e-mail"):
        Agent(id="P", kind=AgentKind.PERSON, name="v-1", email="a@b.org")
    assert Agent(id="P", kind=AgentKind.PERSON, name="Ama", pseudonymous=False, email="a@b.org")
    with pytest.raises(ValidationError, match="version applies to software"):
        Agent(id="P", kind=AgentKind.PERSON, name="v-1", version="1")
    with pytest.raises(ValidationError, match="64 lower-case hexadecimal"):
        Checksum(value="ABC")
    path = tmp_path / "f.txt"
    path.write_bytes(b"abc")
    assert Checksum.of_file(path).value.startswith("ba7816bf8f01cfea")


def test_participation_and_consent() -> None:
    p = Participation(
        initiator=InitiatorType.COMMUNITY,
        engagement_level=5,
        stages=(ValueChainStage.DESIGN, ValueChainStage.COLLECTION),
    )
    assert p.engagement_level is EngagementLevel.CITIZEN_LED and p.is_citizen_data
    low = p.model_copy(update={"engagement_level": EngagementLevel.CONSULTATION})
    assert not low.is_citizen_data
    for level in (0, 6):
        with pytest.raises(ValidationError, match="engagement_level"):
            Participation(
                initiator=InitiatorType.COMMUNITY,
                engagement_level=level,
                stages=(ValueChainStage.DESIGN,),
            )
    with pytest.raises(ValidationError, match="each stage may be listed once"):
        Participation(
            initiator=InitiatorType.COMMUNITY,
            engagement_level=4,
            stages=(ValueChainStage.DESIGN, ValueChainStage.DESIGN),
        )
    with pytest.raises(ValidationError, match="not obtained"):
        Consent(obtained=False, basis=ConsentBasis.INFORMED_CONSENT)
    with pytest.raises(ValidationError, match="say how"):
        Consent(obtained=True, basis=ConsentBasis.INFORMED_CONSENT)
    assert Consent(
        obtained=True, basis=ConsentBasis.INFORMED_CONSENT, method=ConsentMethod.ORAL
    ).obtained


def test_quality_and_disclosure() -> None:
    score = DimensionScore(dimension=QualityDimension.RELEVANCE, score=0.8)
    with pytest.raises(ValidationError, match="less than or equal to 1"):
        DimensionScore(dimension=QualityDimension.RELEVANCE, score=1.5)
    with pytest.raises(ValidationError, match="scored once"):
        QualityAssessment(
            dimensions=(score, score),
            assessor="ORG",
            date=dt.date(2024, 1, 1),
            verdict=QualityVerdict.EXPERIMENTAL,
        )
    failed = EthicsCheck(id="DO_NO_HARM", label={"en": "Do no harm"}, passed=False)
    with pytest.raises(ValidationError, match="failed ethics checks"):
        QualityAssessment(
            dimensions=(score,),
            ethics_checks=(failed,),
            assessor="ORG",
            date=dt.date(2024, 1, 1),
            verdict=QualityVerdict.FIT_FOR_OFFICIAL_STATISTICS,
        )
    with pytest.raises(ValidationError, match="needs a threshold"):
        DisclosureControl(method=DisclosureMethod.CELL_SUPPRESSION)
    with pytest.raises(ValidationError, match="secondary_suppression is false"):
        DisclosureControl(
            method=DisclosureMethod.CELL_SUPPRESSION, threshold=5, secondary_cells_suppressed=2
        )


def test_contact_point_needs_a_channel() -> None:
    with pytest.raises(ValidationError, match="email or a url"):
        ContactPoint(name="desk")
    with pytest.raises(ValidationError, match="email"):
        ContactPoint(name="desk", email="not-an-email")


def test_with_activity_appends(dataset: CitizenDataset) -> None:
    later = dataset.with_activity(
        Activity(id="PUB", type=ActivityType.PUBLICATION, label="published", agents=("ORG",))
    )
    assert [a.id for a in later.provenance.activities] == ["PUB"]
    assert later.observations == dataset.observations
    assert [agent.id for agent, _ in later.contributors] == []


def test_dataset_attribute_values_checked_like_columns(dataset: CitizenDataset) -> None:
    from cdinterop.model import AttachmentLevel, Attribute, ValueType

    s = dataset.structure
    s = s.model_copy(
        update={
            "attributes": (
                *s.attributes,
                Attribute(
                    id="RELEASED", value_type=ValueType.DATE, attachment=AttachmentLevel.DATASET
                ),
            ),
            "concepts": (*s.concepts, s.concepts[0].model_copy(update={"id": "RELEASED"})),
        }
    )
    ok = dataset.replace(structure=s, attribute_values={"RELEASED": "2024-02-29"})
    assert ok.attribute_values["RELEASED"] == "2024-02-29"
    with pytest.raises(
        InvalidDatasetError, match=r"attribute_values.RELEASED: .2023-02-29.: not a date"
    ):
        dataset.replace(structure=s, attribute_values={"RELEASED": "2023-02-29"})
