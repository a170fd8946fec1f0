"""Generate the example citizen data sets, deterministically.

    python examples/generate.py            # rewrites examples/*/dataset.json
    python examples/generate.py --check    # exits 1 if the committed files are stale

Two realistic, complete data sets (every part of the model filled in):

* ``marine-litter-ghana``: beach clean-ups run by a community organisation along Ghana's
  coast; plastic items collected per beach, region, item type and year (SDG 14.1.1b).
* ``public-services-satisfaction``: a KoboToolbox survey run by a civil-society
  organisation in Kenya; proportion of people satisfied with their last experience of
  public services by sex, age group, disability status and service (SDG 16.6.2), with
  cells of fewer than 10 respondents suppressed.

The numbers are synthetic, drawn from a seeded random generator; the organisations are
fictional. Source checksums are computed over the synthetic unit records rendered as CSV.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import itertools
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import cdinterop
from cdinterop.codes import (
    CONF_STATUS,
    DISABILITY_STATUS,
    FREQ,
    NATURE,
    OBS_STATUS,
    SEX,
    UNIT_MULT,
    age_codelist,
    area_name,
)
from cdinterop.model import (
    AccessRights,
    Activity,
    ActivityType,
    Agent,
    AgentKind,
    AreaExtent,
    AttachmentLevel,
    Attribute,
    Attribution,
    Availability,
    Checksum,
    CitizenDataset,
    Code,
    Codelist,
    Concept,
    Consent,
    ConsentBasis,
    ConsentMethod,
    ContactPoint,
    DataStructure,
    DateRange,
    Dimension,
    DimensionScore,
    DisclosureControl,
    DisclosureMethod,
    Distribution,
    EngagementLevel,
    EthicsCheck,
    Frequency,
    InitiatorType,
    Measure,
    OrganisationType,
    Participation,
    PermittedUse,
    Population,
    Provenance,
    Quality,
    QualityAssessment,
    QualityDimension,
    QualityMeasurement,
    QualityVerdict,
    ReferencePeriod,
    Role,
    Source,
    Theme,
    ThemeScheme,
    TimeDimension,
    Usage,
    ValueChainStage,
    ValueType,
    Withdrawal,
)

HERE = Path(__file__).resolve().parent
UTC = dt.UTC


def _t(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def _concept(cid: str, en: str, fr: str | None = None, description: str | None = None) -> Concept:
    name = {"en": en} | ({"fr": fr} if fr else {})
    return Concept(id=cid, name=name, description={"en": description} if description else None)


def _codelist(cl_id: str, agency: str, name: str, codes: list[tuple[str, str]]) -> Codelist:
    return Codelist(
        id=cl_id,
        agency=agency,
        name={"en": name},
        codes=[Code(id=c, name={"en": n}) for c, n in codes],
    )


def _sha256(rows: list[dict[str, Any]]) -> tuple[str, int]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode()
    return hashlib.sha256(data).hexdigest(), len(data)


def _software(version: str = cdinterop.__version__) -> Agent:
    return Agent(
        id="CDINTEROP",
        kind=AgentKind.SOFTWARE,
        name="cdinterop",
        version=version.split("+")[0],
        identifier="pypi:cdinterop",
    )


# -- marine litter, Ghana ---------------------------------------------------------------

BEACHES: dict[str, tuple[str, str, int]] = {
    # id: (name, region, surveyed metres per clean-up)
    "LABADI": ("Labadi Beach", "GH-AA", 500),
    "KOKROBITE": ("Kokrobite Beach", "GH-AA", 400),
    "ADA_FOAH": ("Ada Foah Beach", "GH-AA", 300),
    "CAPE_COAST": ("Cape Coast Victoria Park Beach", "GH-CP", 300),
    "ELMINA": ("Elmina Beach", "GH-CP", 250),
    "BUSUA": ("Busua Beach", "GH-WP", 350),
    "AXIM": ("Axim Beach", "GH-WP", 250),
    "KETA": ("Keta Beach", "GH-TV", 400),
}
ITEMS: dict[str, tuple[str, float]] = {
    # id: (name, mean items per 100 m per clean-up)
    "BOTTLE": ("Plastic bottles and caps", 38.0),
    "SACHET": ("Drinking-water sachets", 61.0),
    "BAG": ("Plastic bags", 27.0),
    "WRAPPER": ("Food wrappers and containers", 22.0),
    "FISHING_GEAR": ("Fishing nets, lines and ropes", 9.0),
    "OTHER": ("Other plastic items", 14.0),
}
YEARS = (2021, 2022, 2023, 2024)


def _litter_structure(agency: str) -> DataStructure:
    regions = sorted({r for _, r, _ in BEACHES.values()})
    return DataStructure(
        id="DSD_MARINE_LITTER",
        agency=agency,
        version="1.0",
        name={"en": "Beach litter counts", "fr": "Comptages de déchets sur les plages"},
        description={"en": "Plastic items collected during community beach clean-ups."},
        concepts=[
            _concept("FREQ", "Frequency", "Fréquence"),
            _concept("REF_AREA", "Reference area", "Zone de référence"),
            _concept("BEACH", "Beach", "Plage", "Beach where the clean-up took place."),
            _concept("LITTER_TYPE", "Type of plastic item", "Type de déchet plastique"),
            _concept("TIME_PERIOD", "Time period", "Période"),
            _concept("OBS_VALUE", "Number of plastic items", "Nombre de déchets plastiques"),
            _concept("OBS_STATUS", "Observation status", "Statut de l'observation"),
            _concept("UNIT_MEASURE", "Unit of measure", "Unité de mesure"),
            _concept("UNIT_MULT", "Unit multiplier", "Multiplicateur d'unité"),
            _concept("NATURE", "Nature of data", "Nature des données"),
            _concept("SURVEYED_LENGTH", "Shoreline surveyed (metres, all clean-ups)"),
            _concept("CLEANUPS", "Number of clean-up events"),
            _concept("COMMENT", "Comment", "Commentaire"),
        ],
        codelists=[
            FREQ.subset(["A"]),
            _codelist(
                "CL_AREA_GH",
                agency,
                "Ghana and its coastal regions",
                [("GH", "Ghana")] + [(r, area_name(r)) for r in regions],
            ),
            _codelist(
                "CL_BEACH",
                agency,
                "Beaches monitored",
                [("_T", "All beaches")] + [(b, n) for b, (n, _, _) in BEACHES.items()],
            ),
            _codelist(
                "CL_LITTER_TYPE",
                agency,
                "Plastic item types (data card categories)",
                [("_T", "All plastic items")] + [(i, n) for i, (n, _) in ITEMS.items()],
            ),
            OBS_STATUS.subset(["A", "E", "P"]),
            _codelist("CL_UNIT_MEASURE", agency, "Units of measure", [("NUMBER", "Number")]),
            UNIT_MULT.subset(["0"]),
            NATURE.subset(["C", "E"]),
        ],
        dimensions=[
            Dimension(id="FREQ", codelist="CL_FREQ"),
            Dimension(id="REF_AREA", codelist="CL_AREA_GH"),
            Dimension(id="BEACH", codelist="CL_BEACH"),
            Dimension(id="LITTER_TYPE", codelist="CL_LITTER_TYPE"),
        ],
        time_dimension=TimeDimension(),
        measures=[Measure(id="OBS_VALUE", value_type=ValueType.INTEGER)],
        attributes=[
            Attribute(id="OBS_STATUS", codelist="CL_OBS_STATUS", usage=Usage.MANDATORY),
            Attribute(
                id="UNIT_MEASURE",
                codelist="CL_UNIT_MEASURE",
                attachment=AttachmentLevel.DATASET,
                usage=Usage.MANDATORY,
            ),
            Attribute(id="UNIT_MULT", codelist="CL_UNIT_MULT", attachment=AttachmentLevel.DATASET),
            Attribute(id="NATURE", codelist="CL_NATURE", attachment=AttachmentLevel.SERIES),
            Attribute(id="SURVEYED_LENGTH", value_type=ValueType.INTEGER),
            Attribute(id="CLEANUPS", value_type=ValueType.INTEGER),
            Attribute(id="COMMENT"),
        ],
    )


def _litter_records(rng: random.Random) -> list[dict[str, Any]]:
    """Unit records: one row per beach, clean-up event and item type."""
    records = []
    for year in YEARS:
        for beach, (_, region, metres) in BEACHES.items():
            events = rng.randint(3, 6) + (year - 2021)
            for event in range(events):
                for item, (_, per_100m) in ITEMS.items():
                    mean = per_100m * metres / 100 * (1 + 0.08 * (year - 2021))
                    count = max(0, round(rng.gauss(mean, mean * 0.3)))
                    records.append(
                        {
                            "year": year,
                            "beach": beach,
                            "region": region,
                            "event": event + 1,
                            "item": item,
                            "count": count,
                            "metres": metres,
                        }
                    )
    return records


def _litter_observations(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str, str, int], int] = defaultdict(int)
    metres: dict[tuple[str, str, int], int] = defaultdict(int)
    events: dict[tuple[str, str, int], set[tuple[str, int]]] = defaultdict(set)
    for r in records:
        for area, beach in ((r["region"], r["beach"]), (r["region"], "_T"), ("GH", "_T")):
            for item in (r["item"], "_T"):
                counts[(area, beach, item, r["year"])] += r["count"]
            events[(area, beach, r["year"])].add((r["beach"], r["event"]))
            if r["item"] == "BOTTLE":  # count each event's surveyed length once
                metres[(area, beach, r["year"])] += r["metres"]
    rows = []
    for (area, beach, item, year), value in sorted(counts.items()):
        latest = year == YEARS[-1]
        rows.append(
            {
                "FREQ": "A",
                "REF_AREA": area,
                "BEACH": beach,
                "LITTER_TYPE": item,
                "TIME_PERIOD": str(year),
                "OBS_VALUE": value,
                "OBS_STATUS": "P" if latest else "A",
                "NATURE": "C",
                "SURVEYED_LENGTH": metres[(area, beach, year)],
                "CLEANUPS": len(events[(area, beach, year)]),
                "COMMENT": "Provisional: 2024 data cards still being checked" if latest else None,
            }
        )
    return rows


def _published_files(base_url: str, licence: str) -> tuple[Distribution, ...]:
    """The files the collective publishes on its data page (as ``cdinterop sdmx write`` and
    ``cdinterop datapackage write`` name them)."""
    structure = f"{base_url}/structure-2.1.xml"
    common = {"licence": licence, "availability": Availability.STABLE}
    return (
        Distribution(
            id="SDMX_ML21",
            title={"en": "SDMX-ML 2.1 structure-specific data"},
            description={"en": "The observations as an SDMX-ML 2.1 structure-specific message."},
            access_url=base_url,
            download_url=f"{base_url}/data-ml21-ss.xml",
            format="SDMX",
            media_type="application/xml",
            conforms_to=(structure,),
            **common,
        ),
        Distribution(
            id="SDMX_CSV",
            title={"en": "SDMX-CSV 2.0 data"},
            description={"en": "The observations as SDMX-CSV 2.0, one row per observation."},
            access_url=base_url,
            download_url=f"{base_url}/data-csv20.csv",
            format="CSV",
            media_type="text/csv",
            conforms_to=(structure,),
            **common,
        ),
        Distribution(
            id="DATA_PACKAGE",
            title={"en": "Frictionless Data Package"},
            description={"en": "The observations, codelists and metadata as a Data Package v2."},
            access_url=base_url,
            download_url=f"{base_url}/datapackage.zip",
            format="ZIP",
            media_type="application/zip",
            conforms_to=("https://datapackage.org/standard/data-package/",),
            **common,
        ),
    )


def marine_litter() -> CitizenDataset:
    """The marine-litter example: beach clean-ups on Ghana's coast, SDG 14.1.1b."""
    rng = random.Random(1411)
    agency = "GH.CCLEAN"
    records = _litter_records(rng)
    digest, size = _sha256(records)
    volunteers = [
        Agent(
            id=f"VOL{i:03d}",
            kind=AgentKind.PERSON,
            name=f"volunteer-{i:03d}",
            acted_on_behalf_of="CCLEAN",
        )
        for i in (7, 18, 42)
    ]
    agents = (
        Agent(
            id="CCLEAN",
            kind=AgentKind.ORGANISATION,
            name="Coastal Clean-up Collective Ghana",
            organisation_type=OrganisationType.COMMUNITY_GROUP,
            homepage="https://coastal-cleanup.example.org",
            email="data@coastal-cleanup.example.org",
        ),
        Agent(
            id="GSS",
            kind=AgentKind.ORGANISATION,
            name="National statistical office (example)",
            organisation_type=OrganisationType.NATIONAL_STATISTICAL_OFFICE,
            homepage="https://nso.example.org",
        ),
        Agent(
            id="EPA",
            kind=AgentKind.ORGANISATION,
            name="Environmental protection agency (example)",
            organisation_type=OrganisationType.NATIONAL_AUTHORITY,
        ),
        *volunteers,
        Agent(id="DATACARD", kind=AgentKind.SOFTWARE, name="Beach data card app", version="2.3.1"),
        _software(),
    )
    sources = (
        Source(
            id="DATA_CARDS",
            title="Beach clean-up data cards 2021-2024 (digitised)",
            description="One row per beach, clean-up event and item category.",
            path="data-cards-2021-2024.csv",
            media_type="text/csv",
            size=size,
            checksum=Checksum(value=digest),
            version="datacard-v2",
            created=_t(2025, 1, 20, 9),
        ),
        Source(
            id="PROTOCOL",
            title="Beach litter survey protocol, 100 m transects",
            media_type="application/pdf",
            url="https://coastal-cleanup.example.org/protocol.pdf",
            version="1.1",
        ),
    )
    activities = (
        Activity(
            id="COLLECT",
            type=ActivityType.COLLECTION,
            label="Monthly beach clean-ups with item counts on data cards",
            started_at=_t(2021, 1, 9, 7),
            ended_at=_t(2024, 12, 14, 12),
            agents=("CCLEAN", *[v.id for v in volunteers]),
            used=("PROTOCOL",),
            generated=("DATA_CARDS",),
            software="DATACARD",
            method="Item counts per category along surveyed shoreline",
            rows_out=len(records),
        ),
        Activity(
            id="VALIDATE",
            type=ActivityType.VALIDATION,
            label="Double entry and plausibility checks of data cards",
            started_at=_t(2025, 1, 6, 9),
            ended_at=_t(2025, 1, 17, 17),
            agents=("CCLEAN",),
            used=("DATA_CARDS",),
            rows_in=len(records),
            rows_out=len(records),
        ),
        Activity(
            id="AGGREGATE",
            type=ActivityType.AGGREGATION,
            label="Totals per beach, region and item type per year",
            started_at=_t(2025, 1, 21, 10),
            ended_at=_t(2025, 1, 21, 10, 5),
            agents=("GSS",),
            used=("DATA_CARDS",),
            software="CDINTEROP",
            rows_in=len(records),
            parameters={"totals": "REF_AREA,BEACH,LITTER_TYPE"},
        ),
        Activity(
            id="ASSESS",
            type=ActivityType.QUALITY_ASSESSMENT,
            label="Quality assessment for SDG 14.1.1b reporting",
            started_at=_t(2025, 2, 3, 9),
            ended_at=_t(2025, 2, 14, 16),
            agents=("GSS", "EPA"),
            used=("DATA_CARDS",),
        ),
    )
    observations = _litter_observations(records)
    return CitizenDataset(
        id="DF_MARINE_LITTER_GH",
        agency=agency,
        version="1.0",
        title={
            "en": "Plastic litter on Ghana's beaches, community clean-ups 2021-2024",
            "fr": "Déchets plastiques sur les plages du Ghana, nettoyages citoyens 2021-2024",
        },
        description={
            "en": "Plastic items counted by volunteers during beach clean-ups on eight beaches "
            "in four coastal regions of Ghana, per item category and year; regional and "
            "national totals. Contributes to SDG indicator 14.1.1b (plastic debris density).",
        },
        keywords={
            "en": ("marine litter", "plastic", "beach clean-up", "citizen science", "SDG 14"),
            "fr": ("déchets marins", "plastique"),
        },
        themes=(
            Theme(scheme=ThemeScheme.SDG_GOAL, code="14", label={"en": "Life below water"}),
            Theme(scheme=ThemeScheme.SDG_TARGET, code="14.1"),
            Theme(
                scheme=ThemeScheme.SDG_INDICATOR,
                code="14.1.1b",
                label={"en": "Plastic debris density"},
            ),
            Theme(scheme=ThemeScheme.EU_DATA_THEME, code="ENVI"),
        ),
        languages=("en", "fr"),
        licence="CC-BY-4.0",
        access_rights=AccessRights.PUBLIC,
        publisher="CCLEAN",
        contact_point=ContactPoint(
            name="Coastal Clean-up Collective data desk",
            email="data@coastal-cleanup.example.org",
        ),
        landing_page="https://coastal-cleanup.example.org/data",
        temporal_coverage=DateRange(start=dt.date(2021, 1, 9), end=dt.date(2024, 12, 14)),
        spatial_coverage=("GH", "GH-AA", "GH-CP", "GH-TV", "GH-WP"),
        # approximate extents, rounded to 0.05 degrees
        area_extents={
            "GH": AreaExtent(west=-3.25, south=4.7, east=1.2, north=11.15),
            "GH-AA": AreaExtent(west=-0.5, south=5.45, east=0.7, north=6.1),
            "GH-CP": AreaExtent(west=-2.2, south=5.05, east=-0.35, north=6.4),
            "GH-TV": AreaExtent(west=0.05, south=5.75, east=1.2, north=8.75),
            "GH-WP": AreaExtent(west=-3.25, south=4.7, east=-1.6, north=6.6),
        },
        reference_period=ReferencePeriod(start="2021", end="2024"),
        frequency=Frequency.ANNUAL,
        issued=dt.date(2025, 2, 20),
        modified=dt.date(2025, 3, 1),
        citation="Coastal Clean-up Collective Ghana (2025). Plastic litter on Ghana's beaches, "
        "community clean-ups 2021-2024, version 1.0.",
        distributions=_published_files("https://coastal-cleanup.example.org/data", "CC-BY-4.0"),
        structure=_litter_structure(agency),
        attribute_values={"UNIT_MEASURE": "NUMBER", "UNIT_MULT": "0"},
        observations=observations,
        provenance=Provenance(
            agents=agents,
            attributions=(
                Attribution(agent="CCLEAN", role=Role.CREATOR),
                Attribution(agent="CCLEAN", role=Role.PUBLISHER),
                Attribution(agent="CCLEAN", role=Role.DATA_COLLECTOR),
                Attribution(agent="GSS", role=Role.PROCESSOR),
                Attribution(agent="EPA", role=Role.QUALITY_ASSESSOR),
                *[Attribution(agent=v.id, role=Role.DATA_COLLECTOR) for v in volunteers],
            ),
            activities=activities,
            sources=sources,
            statement={
                "en": "Volunteers counted plastic items along measured shoreline transects "
                "on paper data cards, digitised by the collective and checked by double entry."
            },
        ),
        participation=Participation(
            initiator=InitiatorType.COMMUNITY,
            initiator_agent="CCLEAN",
            engagement_level=EngagementLevel.CITIZEN_LED,
            stages=(
                ValueChainStage.DESIGN,
                ValueChainStage.COLLECTION,
                ValueChainStage.PROCESSING,
                ValueChainStage.DISSEMINATION,
                ValueChainStage.USE,
            ),
            populations=(
                Population(
                    id="COASTAL_COMMUNITIES",
                    name={"en": "Coastal fishing communities"},
                    description={
                        "en": "Communities whose livelihoods depend on beaches and "
                        "near-shore fisheries, not covered by official litter monitoring."
                    },
                ),
            ),
            participants=312,
            description={"en": "The collective designed the data cards with fisherfolk."},
        ),
        consent=Consent(
            obtained=True,
            basis=ConsentBasis.INFORMED_CONSENT,
            method=ConsentMethod.WRITTEN,
            date=dt.date(2021, 1, 9),
            permitted_uses=(
                PermittedUse.STATISTICAL_PRODUCTION,
                PermittedUse.PUBLICATION,
                PermittedUse.SHARING_WITH_NSO,
            ),
            withdrawal=Withdrawal(
                possible=True,
                procedure="Write to the data desk; volunteer names are removed.",
                contact="mailto:data@coastal-cleanup.example.org",
            ),
            notes={"en": "No personal data about third parties is recorded on data cards."},
        ),
        quality=Quality(
            assessment=QualityAssessment(
                framework="UN NQAF",
                dimensions=(
                    DimensionScore(dimension=QualityDimension.RELEVANCE, score=0.9),
                    DimensionScore(
                        dimension=QualityDimension.ACCURACY_AND_RELIABILITY,
                        score=0.75,
                        notes={"en": "Counts depend on volunteer attention; double entry."},
                    ),
                    DimensionScore(
                        dimension=QualityDimension.TIMELINESS_AND_PUNCTUALITY, score=0.8
                    ),
                    DimensionScore(
                        dimension=QualityDimension.COHERENCE_AND_COMPARABILITY,
                        score=0.6,
                        notes={"en": "Item categories map to the national marine litter protocol."},
                    ),
                ),
                ethics_checks=(
                    EthicsCheck(id="DO_NO_HARM", label={"en": "Do no harm"}, passed=True),
                    EthicsCheck(id="PRIVACY", label={"en": "Privacy of volunteers"}, passed=True),
                ),
                assessor="GSS",
                date=dt.date(2025, 2, 14),
                verdict=QualityVerdict.FIT_WITH_CAVEATS,
                summary={"en": "Fit for SDG 14.1.1b reporting; 2024 figures provisional."},
            ),
            measurements=(
                QualityMeasurement(
                    metric="DATA_CARDS_DOUBLE_ENTERED",
                    value=100.0,
                    unit="percent",
                    dimension=QualityDimension.ACCURACY_AND_RELIABILITY,
                    computed_at=_t(2025, 1, 17, 17),
                ),
            ),
        ),
        disclosure=DisclosureControl(
            method=DisclosureMethod.NONE,
            notes={"en": "Counts of litter items carry no personal information."},
        ),
    )


# -- public-services satisfaction, Kenya -------------------------------------------------

COUNTIES = ("KE-30", "KE-17", "KE-28", "KE-43")
SURVEY_AGES = ("Y18T29", "Y30T44", "Y45T64", "Y_GE65")
SERVICES = {
    "HEALTH": "Public health care",
    "EDUCATION": "Public primary and secondary education",
    "GOV_ID": "Government-issued identification",
}
THRESHOLD = 10


def _satisfaction_records(rng: random.Random) -> list[dict[str, Any]]:
    """Unit records: one row per respondent and service used (pseudonymised)."""
    records = []
    weights = {"KE-30": 0.4, "KE-17": 0.25, "KE-28": 0.25, "KE-43": 0.1}
    base = {"HEALTH": 0.55, "EDUCATION": 0.62, "GOV_ID": 0.48}
    for respondent in range(1, 1501):
        county = rng.choices(list(weights), list(weights.values()))[0]
        sex = rng.choice(("F", "M"))
        age = rng.choices(SURVEY_AGES, (0.35, 0.33, 0.24, 0.08))[0]
        disability = "PD" if rng.random() < 0.12 else "NPD"
        for service, p in base.items():
            if rng.random() < 0.75:
                p_adj = p - (0.12 if disability == "PD" else 0) - (0.08 if county == "KE-43" else 0)
                records.append(
                    {
                        "respondent": f"R{respondent:05d}",
                        "county": county,
                        "sex": sex,
                        "age": age,
                        "disability": disability,
                        "service": service,
                        "satisfied": int(rng.random() < p_adj),
                    }
                )
    return records


def _satisfaction_observations(
    records: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], int]:
    cells: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0])
    for r in records:
        options = [
            (r["county"], "KE"),
            (r["sex"], "_T"),
            (r["age"], "_T"),
            (r["disability"], "_T"),
            (r["service"], "_T"),
        ]
        for key in itertools.product(*options):
            cell = cells[key]
            cell[0] += 1
            cell[1] += r["satisfied"]
    rows, suppressed = [], 0
    for (area, sex, age, dis, service), (n, yes) in sorted(cells.items()):
        small = n < THRESHOLD
        suppressed += small
        rows.append(
            {
                "FREQ": "A",
                "REF_AREA": area,
                "SEX": sex,
                "AGE": age,
                "DISABILITY_STATUS": dis,
                "SERVICE": service,
                "TIME_PERIOD": "2024",
                "OBS_VALUE": None if small else round(100 * yes / n, 1),
                "OBS_STATUS": "Q" if small else "A",
                "CONF_STATUS": "C" if small else "F",
                "SAMPLE_SIZE": None if small else n,
            }
        )
    return rows, suppressed


def _satisfaction_structure(agency: str) -> DataStructure:
    return DataStructure(
        id="DSD_SERVICE_SATISFACTION",
        agency=agency,
        version="1.0",
        name={"en": "Satisfaction with public services"},
        concepts=[
            _concept("FREQ", "Frequency", "Fréquence"),
            _concept("REF_AREA", "Reference area", "Zone de référence"),
            _concept("SEX", "Sex", "Sexe"),
            _concept("AGE", "Age", "Âge"),
            _concept("DISABILITY_STATUS", "Disability status", "Situation de handicap"),
            _concept(
                "SERVICE",
                "Public service",
                "Service public",
                "Service used in the last 12 months (SDG 16.6.2 services).",
            ),
            _concept("TIME_PERIOD", "Time period", "Période"),
            _concept("OBS_VALUE", "Proportion satisfied (%)", "Proportion satisfaite (%)"),
            _concept("OBS_STATUS", "Observation status", "Statut de l'observation"),
            _concept("CONF_STATUS", "Confidentiality status", "Statut de confidentialité"),
            _concept("UNIT_MEASURE", "Unit of measure", "Unité de mesure"),
            _concept("UNIT_MULT", "Unit multiplier", "Multiplicateur d'unité"),
            _concept("NATURE", "Nature of data", "Nature des données"),
            _concept("SAMPLE_SIZE", "Respondents in the cell"),
        ],
        codelists=[
            FREQ.subset(["A"]),
            _codelist(
                "CL_AREA_KE",
                agency,
                "Kenya and surveyed counties",
                [("KE", "Kenya")] + [(c, area_name(c)) for c in COUNTIES],
            ),
            SEX.subset(["F", "M", "_T"]),
            age_codelist(["_T", *SURVEY_AGES], agency=agency),
            DISABILITY_STATUS.subset(["PD", "NPD", "_T"]),
            _codelist(
                "CL_SERVICE", agency, "Public services", [("_T", "All services"), *SERVICES.items()]
            ),
            OBS_STATUS.subset(["A", "Q"]),
            CONF_STATUS.subset(["F", "C"]),
            _codelist("CL_UNIT_MEASURE", agency, "Units of measure", [("PT", "Percent")]),
            UNIT_MULT.subset(["0"]),
            NATURE.subset(["C"]),
        ],
        dimensions=[
            Dimension(id="FREQ", codelist="CL_FREQ"),
            Dimension(id="REF_AREA", codelist="CL_AREA_KE"),
            Dimension(id="SEX", codelist="CL_SEX"),
            Dimension(id="AGE", codelist="CL_AGE"),
            Dimension(id="DISABILITY_STATUS", codelist="CL_DISABILITY_STATUS"),
            Dimension(id="SERVICE", codelist="CL_SERVICE"),
        ],
        time_dimension=TimeDimension(),
        measures=[Measure()],
        attributes=[
            Attribute(id="OBS_STATUS", codelist="CL_OBS_STATUS", usage=Usage.MANDATORY),
            Attribute(id="CONF_STATUS", codelist="CL_CONF_STATUS", usage=Usage.MANDATORY),
            Attribute(
                id="UNIT_MEASURE",
                codelist="CL_UNIT_MEASURE",
                attachment=AttachmentLevel.DATASET,
                usage=Usage.MANDATORY,
            ),
            Attribute(id="UNIT_MULT", codelist="CL_UNIT_MULT", attachment=AttachmentLevel.DATASET),
            Attribute(id="NATURE", codelist="CL_NATURE", attachment=AttachmentLevel.DATASET),
            Attribute(id="SAMPLE_SIZE", value_type=ValueType.INTEGER),
        ],
    )


def public_services() -> CitizenDataset:
    """The satisfaction example: a CSO's KoboToolbox survey in Kenya, SDG 16.6.2."""
    rng = random.Random(1662)
    agency = "KE.SAUTI"
    records = _satisfaction_records(rng)
    digest, size = _sha256(records)
    observations, suppressed = _satisfaction_observations(records)
    enumerators = [
        Agent(
            id=f"ENUM{i:02d}",
            kind=AgentKind.PERSON,
            name=f"enumerator-{i:02d}",
            acted_on_behalf_of="SAUTI",
        )
        for i in (3, 11)
    ]
    agents = (
        Agent(
            id="SAUTI",
            kind=AgentKind.ORGANISATION,
            name="Sauti ya Wananchi Data Collective (example)",
            organisation_type=OrganisationType.CIVIL_SOCIETY_ORGANISATION,
            homepage="https://sauti-data.example.org",
            email="info@sauti-data.example.org",
        ),
        Agent(
            id="KNBS",
            kind=AgentKind.ORGANISATION,
            name="National statistical office (example)",
            organisation_type=OrganisationType.NATIONAL_STATISTICAL_OFFICE,
        ),
        Agent(
            id="DPO",
            kind=AgentKind.ORGANISATION,
            name="Organisation of persons with disabilities (example)",
            organisation_type=OrganisationType.NON_PROFIT,
        ),
        *enumerators,
        Agent(
            id="KOBO",
            kind=AgentKind.SOFTWARE,
            name="KoboToolbox",
            version="2.024.12",
            homepage="https://www.kobotoolbox.org",
        ),
        _software(),
    )
    sources = (
        Source(
            id="KOBO_EXPORT",
            title="KoboToolbox export, public services survey 2024",
            description="One row per respondent and service used; respondent ids pseudonymised.",
            path="sauti-services-2024.csv",
            media_type="text/csv",
            size=size,
            checksum=Checksum(value=digest),
            version="vQ3xF9 (form version 2024-05-02)",
            created=_t(2024, 9, 2, 8, 15),
        ),
        Source(
            id="XLSFORM",
            title="XLSForm questionnaire, SDG 16.6.2 module",
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            path="services-survey.xlsx",
            url="https://sauti-data.example.org/forms/services-survey.xlsx",
            version="2024-05-02",
        ),
    )
    respondents = len({r["respondent"] for r in records})
    activities = (
        Activity(
            id="COLLECT",
            type=ActivityType.COLLECTION,
            label="Face-to-face interviews with KoboCollect",
            started_at=_t(2024, 6, 3, 8),
            ended_at=_t(2024, 8, 30, 18),
            agents=("SAUTI", *[e.id for e in enumerators]),
            used=("XLSFORM",),
            generated=("KOBO_EXPORT",),
            software="KOBO",
            rows_out=len(records),
            method="SDG 16.6.2 survey module, quota sample by county",
        ),
        Activity(
            id="PSEUDONYMISE",
            type=ActivityType.PSEUDONYMISATION,
            label="Names and phone numbers dropped; respondent ids replaced by keyed hashes",
            started_at=_t(2024, 9, 2, 8),
            ended_at=_t(2024, 9, 2, 8, 10),
            agents=("SAUTI",),
            used=("KOBO_EXPORT",),
            rows_in=len(records),
            rows_out=len(records),
        ),
        Activity(
            id="AGGREGATE",
            type=ActivityType.AGGREGATION,
            label="Proportion satisfied per cell, with totals",
            started_at=_t(2024, 9, 10, 10),
            ended_at=_t(2024, 9, 10, 10, 2),
            agents=("KNBS",),
            used=("KOBO_EXPORT",),
            software="CDINTEROP",
            rows_in=len(records),
            rows_out=len(observations),
            parameters={"measure": "proportion", "numerator": "satisfied == 1"},
        ),
        Activity(
            id="SDC",
            type=ActivityType.DISCLOSURE_CONTROL,
            label=f"Cells with fewer than {THRESHOLD} respondents suppressed",
            started_at=_t(2024, 9, 10, 10, 2),
            ended_at=_t(2024, 9, 10, 10, 3),
            agents=("KNBS",),
            software="CDINTEROP",
            rows_in=len(observations),
            rows_out=len(observations),
            parameters={"threshold": THRESHOLD, "cells_suppressed": suppressed},
        ),
        Activity(
            id="ASSESS",
            type=ActivityType.QUALITY_ASSESSMENT,
            label="Joint quality review by the NSO and the CSO",
            started_at=_t(2024, 9, 16, 9),
            ended_at=_t(2024, 9, 27, 16),
            agents=("KNBS", "SAUTI", "DPO"),
            used=("KOBO_EXPORT",),
        ),
    )
    return CitizenDataset(
        id="DF_SERVICE_SATISFACTION_KE",
        agency=agency,
        version="1.0",
        title={
            "en": "Satisfaction with public services, community survey, Kenya 2024",
            "sw": "Kuridhika na huduma za umma, utafiti wa jamii, Kenya 2024",
        },
        description={
            "en": "Proportion of people satisfied with their last experience of public health "
            "care, education and identification services, by county, sex, age group and "
            "disability status, from a survey run by a civil-society organisation on "
            "KoboToolbox. Cells with fewer than 10 respondents are suppressed.",
        },
        keywords={
            "en": ("public services", "satisfaction", "disability", "SDG 16"),
            "sw": ("huduma za umma",),
        },
        themes=(
            Theme(scheme=ThemeScheme.SDG_GOAL, code="16"),
            Theme(scheme=ThemeScheme.SDG_TARGET, code="16.6"),
            Theme(
                scheme=ThemeScheme.SDG_INDICATOR,
                code="16.6.2",
                label={
                    "en": "Proportion of population satisfied with their last "
                    "experience of public services"
                },
            ),
            Theme(scheme=ThemeScheme.EU_DATA_THEME, code="GOVE"),
            Theme(scheme=ThemeScheme.EU_DATA_THEME, code="SOCI"),
        ),
        languages=("en", "sw"),
        licence="CC-BY-SA-4.0",
        access_rights=AccessRights.PUBLIC,
        publisher="SAUTI",
        contact_point=ContactPoint(
            name="Sauti data team",
            email="info@sauti-data.example.org",
            url="https://sauti-data.example.org/contact",
        ),
        landing_page="https://sauti-data.example.org/services-2024",
        temporal_coverage=DateRange(start=dt.date(2024, 6, 3), end=dt.date(2024, 8, 30)),
        spatial_coverage=("KE", *COUNTIES),
        # approximate extents, rounded to 0.05 degrees
        area_extents={
            "KE": AreaExtent(west=33.9, south=-4.7, east=41.9, north=5.05),
            "KE-30": AreaExtent(west=36.65, south=-1.45, east=37.1, north=-1.15),
            "KE-17": AreaExtent(west=34.4, south=-0.55, east=35.4, north=0.05),
            "KE-28": AreaExtent(west=39.55, south=-4.15, east=39.75, north=-3.9),
            "KE-43": AreaExtent(west=34.0, south=1.7, east=36.3, north=5.05),
        },
        reference_period=ReferencePeriod(start="2024", end="2024"),
        frequency=Frequency.ANNUAL,
        issued=dt.date(2024, 10, 1),
        modified=dt.date(2024, 10, 1),
        citation="Sauti ya Wananchi Data Collective (2024). Satisfaction with public services, "
        "community survey, Kenya 2024.",
        distributions=_published_files(
            "https://sauti-data.example.org/services-2024", "CC-BY-SA-4.0"
        ),
        structure=_satisfaction_structure(agency),
        attribute_values={"UNIT_MEASURE": "PT", "UNIT_MULT": "0", "NATURE": "C"},
        observations=observations,
        provenance=Provenance(
            agents=agents,
            attributions=(
                Attribution(agent="SAUTI", role=Role.CREATOR),
                Attribution(agent="SAUTI", role=Role.PUBLISHER),
                Attribution(agent="SAUTI", role=Role.PRINCIPAL_INVESTIGATOR),
                Attribution(agent="KNBS", role=Role.PROCESSOR),
                Attribution(agent="KNBS", role=Role.QUALITY_ASSESSOR),
                Attribution(agent="DPO", role=Role.CONTRIBUTOR),
                *[Attribution(agent=e.id, role=Role.DATA_COLLECTOR) for e in enumerators],
            ),
            activities=activities,
            sources=sources,
            statement={
                "en": "Collected by trained community enumerators; aggregated and "
                "disclosure-controlled by the NSO with cdinterop."
            },
        ),
        participation=Participation(
            initiator=InitiatorType.CIVIL_SOCIETY_ORGANISATION,
            initiator_agent="SAUTI",
            engagement_level=EngagementLevel.COLLABORATION,
            stages=(
                ValueChainStage.DESIGN,
                ValueChainStage.COLLECTION,
                ValueChainStage.ANALYSIS,
                ValueChainStage.USE,
            ),
            populations=(
                Population(
                    id="PWD",
                    name={"en": "Persons with disabilities"},
                    description={
                        "en": "Under-represented in household surveys; the "
                        "questionnaire was co-designed with a DPO."
                    },
                ),
                Population(
                    id="ARID_COUNTIES",
                    name={"en": "Residents of arid counties"},
                    estimated_size=926976,
                ),
            ),
            participants=respondents,
            description={
                "en": "Questions co-designed with an organisation of persons with "
                "disabilities; results discussed in county forums."
            },
        ),
        consent=Consent(
            obtained=True,
            basis=ConsentBasis.INFORMED_CONSENT,
            method=ConsentMethod.ELECTRONIC,
            date=dt.date(2024, 8, 30),
            permitted_uses=(
                PermittedUse.STATISTICAL_PRODUCTION,
                PermittedUse.PUBLICATION,
                PermittedUse.SHARING_WITH_NSO,
                PermittedUse.ADVOCACY,
            ),
            withdrawal=Withdrawal(
                possible=True,
                withdrawn=4,
                procedure="Call or text the number on the consent card.",
                contact="https://sauti-data.example.org/withdraw",
            ),
        ),
        quality=Quality(
            assessment=QualityAssessment(
                dimensions=tuple(
                    DimensionScore(dimension=d, score=s)
                    for d, s in zip(
                        QualityDimension, (0.95, 0.7, 0.9, 0.8, 0.85, 0.65), strict=True
                    )
                ),
                ethics_checks=(
                    EthicsCheck(
                        id="INFORMED_CONSENT", label={"en": "Informed consent"}, passed=True
                    ),
                    EthicsCheck(id="DO_NO_HARM", label={"en": "Do no harm"}, passed=True),
                    EthicsCheck(
                        id="SMALL_CELLS", label={"en": "No small cells published"}, passed=True
                    ),
                ),
                assessor="KNBS",
                date=dt.date(2024, 9, 27),
                verdict=QualityVerdict.FIT_WITH_CAVEATS,
                summary={
                    "en": "Quota sample: use for disaggregation by disability, not "
                    "for national levels without weighting."
                },
            ),
            measurements=(
                QualityMeasurement(
                    metric="ITEM_RESPONSE_RATE",
                    value=97.4,
                    unit="percent",
                    dimension=QualityDimension.ACCURACY_AND_RELIABILITY,
                ),
                QualityMeasurement(
                    metric="CELLS_SUPPRESSED",
                    value=suppressed,
                    dimension=QualityDimension.ACCESSIBILITY_AND_CLARITY,
                ),
            ),
        ),
        disclosure=DisclosureControl(
            method=DisclosureMethod.CELL_SUPPRESSION,
            threshold=THRESHOLD,
            cells_suppressed=suppressed,
            notes={
                "en": "Primary suppression only; totals are published from unrounded "
                "counts. Secondary suppression follows with cdinterop.aggregate."
            },
        ),
    )


EXAMPLES = {
    "marine-litter-ghana": marine_litter,
    "public-services-satisfaction": public_services,
}
"""Folder name of each example and the function that builds it."""


def main() -> int:
    """Write (or with ``--check`` compare) every example's ``dataset.json``."""
    parser = argparse.ArgumentParser(description="Generate the example data sets.")
    parser.add_argument("--check", action="store_true", help="fail if files are stale")
    args = parser.parse_args()
    stale = []
    for folder, build in EXAMPLES.items():
        path = HERE / folder / "dataset.json"
        text = cdinterop.dumps(build()) + "\n"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(HERE.parent)}")
    for path in stale:
        print(f"stale: {path} (run python examples/generate.py)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
