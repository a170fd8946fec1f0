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

Beside each data set, the raw submissions its unit records come from, for
``cdinterop ingest`` with the specs in ``mappings/``:

* ``public-services-satisfaction/submissions-kobo.csv``: a KoboToolbox CSV export, one
  submission per respondent and service used (the first 440 respondents of the example);
* ``marine-litter-ghana/data-cards.xlsx``: the digitised beach data cards, one row per
  clean-up event;

each with the mess of real files (spellings, codes and labels, text dates, empty boxes)
and with planted problem rows listed in ``planted-problems.json`` with the rule that
filters them or the column they are rejected at. ``--check`` compares the CSV and JSON
files by bytes and the workbook by cell content.
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
        pseudonymous=False,
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
            pseudonymous=False,
            name="Coastal Clean-up Collective Ghana",
            organisation_type=OrganisationType.COMMUNITY_GROUP,
            homepage="https://coastal-cleanup.example.org",
            email="data@coastal-cleanup.example.org",
        ),
        Agent(
            id="GSS",
            kind=AgentKind.ORGANISATION,
            pseudonymous=False,
            name="National statistical office (example)",
            organisation_type=OrganisationType.NATIONAL_STATISTICAL_OFFICE,
            homepage="https://nso.example.org",
        ),
        Agent(
            id="EPA",
            kind=AgentKind.ORGANISATION,
            pseudonymous=False,
            name="Environmental protection agency (example)",
            organisation_type=OrganisationType.NATIONAL_AUTHORITY,
        ),
        *volunteers,
        Agent(
            id="DATACARD",
            kind=AgentKind.SOFTWARE,
            pseudonymous=False,
            name="Beach data card app",
            version="2.3.1",
        ),
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
            CONF_STATUS.subset(["F", "C", "D"]),
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
            pseudonymous=False,
            name="Sauti ya Wananchi Data Collective (example)",
            organisation_type=OrganisationType.CIVIL_SOCIETY_ORGANISATION,
            homepage="https://sauti-data.example.org",
            email="info@sauti-data.example.org",
        ),
        Agent(
            id="KNBS",
            kind=AgentKind.ORGANISATION,
            pseudonymous=False,
            name="National statistical office (example)",
            organisation_type=OrganisationType.NATIONAL_STATISTICAL_OFFICE,
        ),
        Agent(
            id="DPO",
            kind=AgentKind.ORGANISATION,
            pseudonymous=False,
            name="Organisation of persons with disabilities (example)",
            organisation_type=OrganisationType.NON_PROFIT,
        ),
        *enumerators,
        Agent(
            id="KOBO",
            kind=AgentKind.SOFTWARE,
            pseudonymous=False,
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


# -- raw submissions behind the examples (for `cdinterop ingest`) -------------------------
#
# The two examples above are aggregates of simulated unit records. The functions below
# write those same unit records (same seeds) as the raw files a data engineer receives --
# a KoboToolbox CSV export and a workbook of digitised beach data cards -- with the mess
# real files have, plus planted problem rows whose expected fate (filtered by a named rule
# or rejected at a column) is listed in a manifest, planted-problems.json, beside each file.

SUBMISSION_RESPONDENTS = 440
"""The export holds the records of the first 440 simulated respondents (~1,000 rows), a
sample of the 1,500 behind the published figures, to keep the repository small."""
KOBO_FORM_VERSIONS = ("vB8nC2kLw5Hq9xTz3mPd7r", "vQ3xF9mYk4Lp8RzT2wHn5c")
"""Kobo ``__version__`` ids: the first form version, then the 2024-05-02 one."""
ENUMERATORS = {
    # county: Kobo usernames of the enumerators working there (raw, never published)
    "KE-30": ("wanjiku_kamau", "brian_otieno"),
    "KE-17": ("akinyi_odhiambo",),
    "KE-28": ("amina_hassan", "juma_mwinyi"),
    "KE-43": ("ekai_lokwang",),
}
COUNTY_SPELLINGS = {
    # county: how its answer appears (the form's choice is the national county code)
    "KE-30": ("047", "047", "047", "Nairobi", "Nairobi City", "nairobi"),
    "KE-17": ("042", "042", "042", "Kisumu", "kisumu"),
    "KE-28": ("001", "001", "001", "Mombasa", "MOMBASA"),
    "KE-43": ("023", "023", "Turkana"),
}
COUNTY_CENTRES = {
    "KE-30": (-1.2864, 36.8172),
    "KE-17": (-0.0917, 34.7680),
    "KE-28": (-4.0435, 39.6682),
    "KE-43": (3.1166, 35.5973),
}
SEX_SPELLINGS = {
    # mostly the form's XML values; "1"/"2" from the first form version, the rest typed
    # in by hand when submissions were corrected
    "F": ("female",) * 12 + ("Female", "F", "woman", "2"),
    "M": ("male",) * 12 + ("Male", "M", "man", "1"),
}
SERVICE_CHOICES = {"HEALTH": "health", "EDUCATION": "education", "GOV_ID": "id_card"}
AGE_RANGES = {"Y18T29": (18, 29), "Y30T44": (30, 44), "Y45T64": (45, 64), "Y_GE65": (65, 88)}
ISSUES = ("long_wait", "bribe_requested", "staff_rude", "too_far", "documents_missing")
KOBO_HEADER = (
    "start",
    "end",
    "today",
    "deviceid",
    "respondent/consent",
    "respondent/gender",
    "respondent/age",
    "respondent/disability",
    "location/county",
    "location/gps",
    "location/_gps_latitude",
    "location/_gps_longitude",
    "location/_gps_altitude",
    "location/_gps_precision",
    "services/service_used",
    "services/satisfaction",
    "services/issues",
    *(f"services/issues/{issue}" for issue in ISSUES),
    "services/comment",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
)
COMMENTS = (
    "The nurse was kind but we waited all morning.",
    "Asked to come back next week; no reason given.",
    "Quick service; the new queue system helps.",
    "Had to pay for the form; they said it was free.\nNo receipt was given.",
    "Office closed at lunch time, reopened at 3pm.",
)


def _uuid(rng: random.Random) -> str:
    import uuid

    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _survey_record_times(count: int, rng: random.Random) -> list[dt.datetime]:
    """Interview start times (local, UTC+3) of ``count`` interviews, in order, spread over
    the fieldwork days 2024-06-03 to 2024-08-30, 08:00 to 17:00."""
    first, last = dt.date(2024, 6, 3), dt.date(2024, 8, 30)
    days = (last - first).days + 1
    moments = sorted(rng.randrange(days * 9 * 60) for _ in range(count))
    return [
        dt.datetime.combine(first + dt.timedelta(days=m // 540), dt.time(8))
        + dt.timedelta(minutes=m % 540, seconds=rng.randrange(60))
        for m in moments
    ]


def _kobo_row(
    record: dict[str, Any], start: dt.datetime, rng: random.Random, number: int
) -> dict[str, str]:
    """One Kobo export row (all text, "" for blank) for a unit record."""
    county = record["county"]
    tz = dt.timezone(dt.timedelta(hours=3))
    end = start + dt.timedelta(minutes=rng.randint(7, 25), seconds=rng.randrange(60))
    synced = end + dt.timedelta(minutes=rng.randint(2, 600))  # phones sync when online
    low, high = AGE_RANGES[record["age"]]
    satisfied = record["satisfied"]
    level = rng.choice(("very_satisfied", "satisfied", "satisfied"))
    if not satisfied:
        level = rng.choice(("dissatisfied", "dissatisfied", "very_dissatisfied"))
    if rng.random() < 0.04:  # answers exported as labels from an old form version
        level = level.replace("_", " ").capitalize()
    issues = (
        [] if satisfied and rng.random() < 0.7 else sorted(rng.sample(ISSUES, rng.randint(1, 2)))
    )
    gps = lat = lon = alt = precision = ""
    if rng.random() < 0.93:  # the rest: no GPS fix indoors (the question is optional)
        centre_lat, centre_lon = COUNTY_CENTRES[county]
        lat = f"{centre_lat + rng.uniform(-0.06, 0.06):.6f}"
        lon = f"{centre_lon + rng.uniform(-0.06, 0.06):.6f}"
        alt = f"{rng.uniform(0, 1800):.1f}"
        precision = f"{rng.uniform(3, 25):.1f}"
        gps = f"{lat} {lon} {alt} {precision}"
    service = SERVICE_CHOICES[record["service"]]
    if service == "id_card" and start.date() < dt.date(2024, 6, 15):
        service = "national_id"  # the choice's name before the form was revised
    version = KOBO_FORM_VERSIONS[0 if start.date() < dt.date(2024, 6, 15) else 1]
    return {
        "start": start.replace(tzinfo=tz).isoformat(timespec="milliseconds"),
        "end": end.replace(tzinfo=tz).isoformat(timespec="milliseconds"),
        "today": start.date().isoformat(),
        "deviceid": f"collect:{rng.getrandbits(64):016X}",
        "respondent/consent": "yes",
        "respondent/gender": rng.choice(SEX_SPELLINGS[record["sex"]]),
        "respondent/age": str(rng.randint(low, high)),
        "respondent/disability": rng.choice(
            ("yes", "yes", "yes", "Yes") if record["disability"] == "PD" else ("no",) * 9 + ("No",)
        ),
        "location/county": rng.choice(COUNTY_SPELLINGS[county]),
        "location/gps": gps,
        "location/_gps_latitude": lat,
        "location/_gps_longitude": lon,
        "location/_gps_altitude": alt,
        "location/_gps_precision": precision,
        "services/service_used": service,
        "services/satisfaction": level,
        "services/issues": " ".join(issues),
        **{f"services/issues/{i}": ("1" if i in issues else "0") if issues else "" for i in ISSUES},
        "services/comment": rng.choice(COMMENTS) if rng.random() < 0.05 else "",
        "_id": str(318_204_000 + number),
        "_uuid": _uuid(rng),
        "_submission_time": (synced - dt.timedelta(hours=3)).isoformat(timespec="seconds"),
        "_validation_status": "Approved",
        "_notes": "",
        "_status": "submitted_via_web",
        "_submitted_by": rng.choice(ENUMERATORS[county]),
        "__version__": version,
        "_tags": "",
        "_index": "",
    }


def _survey_planted(
    valid: list[dict[str, str]], rng: random.Random
) -> list[tuple[int, dict[str, str], dict[str, Any]]]:
    """Problem rows: (index of the valid row they follow, the row, the expected outcome)."""

    def fresh(i: int, **changes: str) -> dict[str, str]:
        row = dict(valid[i])
        row["_uuid"] = _uuid(rng)
        row["_id"] = str(318_209_000 + len(planted))
        row.update(changes)
        return row

    def rejected(problem: str, *columns: str) -> dict[str, Any]:
        return {"problem": problem, "outcome": "rejected", "columns": list(columns)}

    def filtered(problem: str, rule: str) -> dict[str, Any]:
        return {"problem": problem, "outcome": "filtered", "rule": rule}

    planted: list[tuple[int, dict[str, str], dict[str, Any]]] = []
    n = len(valid)
    spots = sorted(rng.sample(range(20, n - 5), 14))
    for k, i in enumerate(spots):
        if k == 0:
            row = fresh(i, **{"respondent/age": "230"})
            case = rejected("impossible age 230", "respondent/age")
        elif k == 1:
            row = fresh(i, **{"respondent/age": "-3"})
            case = rejected("negative age", "respondent/age")
        elif k == 2:
            row = fresh(i, **{"respondent/age": "twenty"})
            case = rejected("age written in words", "respondent/age")
        elif k == 3:
            row = fresh(i, **{"respondent/age": "15"})
            case = rejected("respondent under 18, outside the survey population", "respondent/age")
        elif k == 4:
            row = fresh(i, **{"respondent/gender": "x"})
            case = rejected("gender no map knows", "respondent/gender")
        elif k == 5:
            row = dict(valid[i])  # the same submission synced twice
            row["_id"] = str(318_209_000 + len(planted))
            case = filtered("duplicate _uuid (re-submission)", "duplicate-submission")
        elif k == 6:
            row = dict(valid[i])
            row["_id"] = str(318_209_000 + len(planted))
            moved = dt.datetime.fromisoformat(valid[i]["_submission_time"]) + dt.timedelta(days=2)
            row["_submission_time"] = moved.isoformat(timespec="seconds")
            case = filtered("duplicate _uuid (re-submitted two days later)", "duplicate-submission")
        elif k == 7:
            row = fresh(i, _validation_status="Not Approved")
            case = filtered("submission not approved by the supervisor", "not-approved")
        elif k == 8:
            row = fresh(i, _validation_status="On Hold")
            case = filtered("submission on hold", "not-approved")
        elif k == 9:
            row = fresh(i, _validation_status="")
            case = filtered("submission not yet validated", "not-approved")
        elif k == 10:
            row = fresh(i, **{"location/gps": "-1.28 GPS_TIMEOUT"})
            case = rejected("unreadable geopoint", "location/gps")
        elif k == 11:
            row = fresh(i, **{"services/satisfaction": ""})
            case = rejected("mandatory satisfaction answer missing", "services/satisfaction")
        elif k == 12:
            row = fresh(i, **{"services/service_used": ""})
            case = rejected("mandatory service answer missing", "services/service_used")
        else:
            row = fresh(i, **{"location/county": "Nakuru"})
            case = rejected("county outside the survey", "location/county")
        planted.append((i, row, case))
    return planted


def satisfaction_submissions() -> tuple[list[dict[str, str]], list[dict[str, Any]], dict[str, Any]]:
    """The KoboToolbox export behind the satisfaction example: (rows, the unit records
    they must ingest to, the manifest of planted problems).

    The rows are the first ``SUBMISSION_RESPONDENTS`` respondents' records of
    ``_satisfaction_records`` (seed 1662, as the example), one submission per respondent
    and service, in submission order, with planted problem rows in between.
    """
    records = [
        r
        for r in _satisfaction_records(random.Random(1662))
        if int(r["respondent"][1:]) <= SUBMISSION_RESPONDENTS
    ]
    rng = random.Random(16620)
    starts = _survey_record_times(len(records), rng)
    order = list(range(len(records)))
    rng.shuffle(order)  # interviews happen in no particular order of respondent ids
    valid = [_kobo_row(records[j], starts[k], rng, k) for k, j in enumerate(order)]
    expected = []
    for k, j in enumerate(order):
        period = valid[k]["_submission_time"][:7]
        expected.append({**records[j], "period": period})
    planted = _survey_planted(valid, rng)
    after: dict[int, list[tuple[dict[str, str], dict[str, Any]]]] = defaultdict(list)
    for i, row, case in planted:
        after[i].append((row, case))
    rows: list[dict[str, str]] = []
    cases = []
    line = 2  # the header is line 1
    for i, row in enumerate(valid):
        items: list[tuple[dict[str, str], dict[str, Any] | None]] = [(row, None), *after[i]]
        for item, outcome in items:
            item["_index"] = str(len(rows) + 1)
            rows.append(item)
            if outcome is not None:
                cases.append({"row": line, **outcome})
            line += 1 + sum(value.count("\n") for value in item.values())
    manifest = _manifest(
        "submissions-kobo.csv", "mappings/services-survey-kobo.yaml", len(rows), len(records), cases
    )
    return rows, expected, manifest


def _manifest(
    name: str, spec: str, rows: int, accepted: int, cases: list[dict[str, Any]]
) -> dict[str, Any]:
    filtered: dict[str, int] = defaultdict(int)
    for case in cases:
        if case["outcome"] == "filtered":
            filtered[case["rule"]] += 1
    rejected = sum(case["outcome"] == "rejected" for case in cases)
    return {
        "file": name,
        "spec": spec,
        "description": "Rows planted in the submission file, each with one problem, and "
        "what `cdinterop ingest` with the spec must do with it. Every other row is a "
        "simulated unit record of the example and must be accepted. `row` is the line "
        "(CSV) or the Excel row of the planted record.",
        "rows_read": rows,
        "accepted": accepted,
        "filtered": dict(sorted(filtered.items())),
        "rejected": rejected,
        "planted": cases,
    }


def _kobo_csv(rows: list[dict[str, str]]) -> bytes:
    """The rows as KoboToolbox writes a CSV export: ``;``-separated, UTF-8, every field
    quoted, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(KOBO_HEADER), delimiter=";", quoting=csv.QUOTE_ALL
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


# -- beach data cards, Ghana --------------------------------------------------------------

BEACH_SPELLINGS = {
    "LABADI": ("Labadi Beach", "Labadi Beach", "Labadi", "LABADI BEACH", "La Pleasure Beach"),
    "KOKROBITE": ("Kokrobite Beach", "Kokrobite Beach", "Kokrobite", "Kokrobi"),
    "ADA_FOAH": ("Ada Foah Beach", "Ada Foah", "Ada Foah Beach", "Ada"),
    "CAPE_COAST": ("Cape Coast Victoria Park Beach", "Victoria Park", "Cape Coast"),
    "ELMINA": ("Elmina Beach", "Elmina Beach", "Elmina"),
    "BUSUA": ("Busua Beach", "Busua Beach", "Busua", "busua beach"),
    "AXIM": ("Axim Beach", "Axim Beach", "Axim"),
    "KETA": ("Keta Beach", "Keta Beach", "Keta", "KETA"),
}
BEACH_TEAMS = {
    "LABADI": "La Youth Beach Wardens",
    "KOKROBITE": "Kokrobite Fisherfolk Association",
    "ADA_FOAH": "Ada Green Volunteers",
    "CAPE_COAST": "UCC Environmental Club",
    "ELMINA": "Elmina Fish Traders Group",
    "BUSUA": "Busua Surf Club",
    "AXIM": "Axim Coastal Watch",
    "KETA": "Keta Lagoon Keepers",
}
CARD_ITEMS = {
    # data card column: item id of the example
    "Plastic bottles & caps": "BOTTLE",
    "Water sachets": "SACHET",
    "Plastic bags": "BAG",
    "Food wrappers & containers": "WRAPPER",
    "Fishing nets, lines & ropes": "FISHING_GEAR",
    "Other plastic": "OTHER",
}
CARD_HEADER = (
    "Card No.",
    "Beach",
    "Date",
    "Team / organisation",
    "Team leader",
    "Leader phone",
    "Volunteers",
    "Length cleaned (m)",
    *CARD_ITEMS,
    "Total plastic items",
    "Bags filled",
    "Weight (kg)",
    "Notes",
)
LEADERS = (
    "Kwame Mensah",
    "Ama Owusu",
    "Kofi Boateng",
    "Efua Asante",
    "Yaw Darko",
    "Abena Ofori",
    "Kojo Appiah",
    "Akosua Nyarko",
)


def _cleanup_dates(year: int, events: int, rng: random.Random) -> list[dt.date]:
    """Saturdays of ``events`` clean-ups in ``year``, in different months."""
    months = sorted(rng.sample(range(1, 13), events))
    dates = []
    for month in months:
        first = dt.date(year, month, 1)
        saturday = first + dt.timedelta(days=(5 - first.weekday()) % 7)
        dates.append(saturday + dt.timedelta(weeks=rng.randrange(4)))
    return dates


def litter_cards() -> tuple[list[list[Any]], list[dict[str, Any]], dict[str, Any]]:
    """The digitised data cards behind the marine-litter example: (rows of the sheet
    without the header, the unit records they must ingest to, the manifest).

    One card per beach and clean-up event of ``_litter_records`` (seed 1411, as the
    example), with the item counts of that event; planted problem cards in between.
    """
    records = _litter_records(random.Random(1411))
    cards: dict[tuple[int, str, int], dict[str, Any]] = {}
    for r in records:
        card = cards.setdefault(
            (r["year"], r["beach"], r["event"]),
            {"year": r["year"], "beach": r["beach"], "region": r["region"], "metres": r["metres"]},
        )
        card[r["item"]] = r["count"]
    rng = random.Random(14110)
    events: dict[tuple[int, str], int] = defaultdict(int)
    for year, beach, _ in cards:
        events[(year, beach)] += 1
    dates = {key: _cleanup_dates(key[0], n, rng) for key, n in sorted(events.items())}
    for (year, beach, event), card in cards.items():
        card["date"] = dates[(year, beach)][event - 1]
    ordered = sorted(cards.values(), key=lambda c: (c["date"], c["beach"]))
    rows: list[list[Any]] = []
    expected = []
    for number, card in enumerate(ordered, start=1):
        expected.append({k: v for k, v in card.items() if k != "region"})
        rows.append(_card_row(card, f"CC-{card['date'].year}-{number:04d}", rng))
    return _plant_cards(rows, expected, rng)


def _card_row(card: dict[str, Any], card_no: str, rng: random.Random) -> list[Any]:
    date: dt.date = card["date"]
    style = rng.random()
    when: Any = date  # an Excel date
    if style < 0.15:
        when = date.strftime("%d/%m/%Y")  # typed as text, day first
    elif style < 0.22:
        when = date.isoformat()  # pasted from the app export, as text
    counts: list[Any] = []
    for item in CARD_ITEMS.values():
        value: Any = card[item]
        if value == 0 and rng.random() < 0.6:
            value = None  # volunteers leave the box empty for none
        elif rng.random() < 0.03:
            value = str(value)  # a number stored as text
        counts.append(value)
    total = sum(card[item] for item in CARD_ITEMS.values())
    return [
        card_no,
        rng.choice(BEACH_SPELLINGS[card["beach"]]),
        when,
        BEACH_TEAMS[card["beach"]],
        rng.choice(LEADERS),
        f"+233 {rng.choice((20, 24, 27, 54, 55))} {rng.randrange(1000000, 9999999)}",
        rng.randint(8, 45),
        card["metres"],
        *counts,
        total,
        rng.randint(3, 30),
        round(total * rng.uniform(0.015, 0.03), 1),
        rng.choice(("", "", "", "Rain in the afternoon", "High tide, upper strand only")) or None,
    ]


def _plant_cards(
    rows: list[list[Any]], expected: list[dict[str, Any]], rng: random.Random
) -> tuple[list[list[Any]], list[dict[str, Any]], dict[str, Any]]:
    count_at = {item: CARD_HEADER.index(column) for column, item in CARD_ITEMS.items()}
    spots = sorted(rng.sample(range(10, len(rows) - 2), 6))
    after: dict[int, tuple[list[Any], dict[str, Any]]] = {}
    for k, i in enumerate(spots):
        row = list(rows[i])
        row[0] = f"CC-{rng.randint(2021, 2024)}-{9001 + k}"  # a number of its own
        # and the Sunday after the copied card's Saturday, so that it has one problem only
        row[2] = expected[i]["date"] + dt.timedelta(days=1)
        if k == 0:
            row[count_at["BAG"]] = -4
            case = {"problem": "negative count", "outcome": "rejected", "columns": ["Plastic bags"]}
        elif k == 1:
            row[1] = "Sakumono Beach"
            case = {
                "problem": "beach not monitored by the collective",
                "outcome": "rejected",
                "columns": ["Beach"],
            }
        elif k == 2:
            row = list(rows[i])  # the same card entered twice (double entry)
            case = {
                "problem": "card entered twice",
                "outcome": "filtered",
                "rule": "duplicate-card",
            }
        elif k == 3:
            row[count_at["SACHET"]] = "about 200"
            case = {
                "problem": "count in words",
                "outcome": "rejected",
                "columns": ["Water sachets"],
            }
        elif k == 4:
            row[2] = "31/02/2023"
            case = {"problem": "impossible date", "outcome": "rejected", "columns": ["Date"]}
        else:
            row[2] = None
            case = {
                "problem": "clean-up date missing",
                "outcome": "rejected",
                "columns": ["Date"],
            }
        after[i] = (row, case)
    out: list[list[Any]] = []
    cases = []
    for i, row in enumerate(rows):
        out.append(row)
        if i in after:
            planted, case = after[i]
            out.append(planted)
            cases.append({"row": len(out) + 1, **case})  # Excel row; the header is row 1
    manifest = _manifest(
        "data-cards.xlsx", "mappings/beach-data-cards.yaml", len(out), len(expected), cases
    )
    return out, expected, manifest


def _cards_xlsx(rows: list[list[Any]], path: Path) -> None:
    """Write the data cards as an XLSX workbook with fixed document times."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Data cards"
    sheet.append(list(CARD_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        cell = sheet.cell(row=sheet.max_row, column=CARD_HEADER.index("Date") + 1)
        if isinstance(cell.value, dt.date):
            cell.number_format = "DD/MM/YYYY"
    fixed = dt.datetime(2025, 1, 20, 9, 0, 0)
    workbook.properties.creator = "Coastal Clean-up Collective Ghana"
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    workbook.properties.lastModifiedBy = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    _fixed_zip_times(buffer.getvalue(), path)


def _fixed_zip_times(data: bytes, path: Path) -> None:
    """Write the XLSX (a zip) with every member and the "modified" property dated
    2025-01-20, so that regenerating an unchanged workbook gives the same bytes with the
    same openpyxl version (openpyxl stamps both with the current time)."""
    import re
    import zipfile

    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 20, 9, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl sets "modified" on save
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2025-01-20T09:00:00Z\g<2>",
                    content,
                )
            target.writestr(member, content)


def _xlsx_content(path: Path) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    rows: list[list[Any]] = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return rows


def _json_bytes(data: Any) -> bytes:
    import json

    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------------
# Population margins for the services survey (representativeness and raking)
# --------------------------------------------------------------------------------------------

ADULTS_BY_COUNTY = {"KE-30": 2_861_000, "KE-17": 642_000, "KE-28": 771_000, "KE-43": 447_000}
"""Adults (18 or over) per surveyed county. INVENTED FOR THE EXAMPLE: figures of the order
of the counties' adult populations, not official statistics."""
MALE_SHARE = {"KE-30": 0.503, "KE-17": 0.486, "KE-28": 0.507, "KE-43": 0.516}
"""Share of men among the adults of each county (invented for the example)."""
AGE_SHARES = {
    "KE-30": (0.41, 0.34, 0.20, 0.05),
    "KE-17": (0.37, 0.30, 0.24, 0.09),
    "KE-28": (0.39, 0.33, 0.22, 0.06),
    "KE-43": (0.44, 0.30, 0.19, 0.07),
}
"""Shares of the age groups Y18T29, Y30T44, Y45T64 and Y_GE65 (invented for the example)."""


def population_margins_csv() -> bytes:
    """An official-style census table of the adults of the surveyed counties by sex and
    age group, in long form (REF_AREA, SEX, AGE, OBS_VALUE), for ``benchmark:`` in a spec.
    The figures are invented for the example (see ADULTS_BY_COUNTY)."""
    lines = ["REF_AREA,SEX,AGE,OBS_VALUE"]
    for county, adults in ADULTS_BY_COUNTY.items():
        for sex, sex_share in (("F", 1 - MALE_SHARE[county]), ("M", MALE_SHARE[county])):
            for age, age_share in zip(SURVEY_AGES, AGE_SHARES[county], strict=True):
                lines.append(f"{county},{sex},{age},{round(adults * sex_share * age_share)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_submissions(check: bool) -> list[Path]:
    """Write (or with ``check`` compare) the raw submission files and their manifests;
    return the stale paths. CSV and JSON compare by bytes, XLSX by cell content."""
    import tempfile

    stale: list[Path] = []
    rows, _, manifest = satisfaction_submissions()
    folder = HERE / "public-services-satisfaction"
    files = {
        folder / "submissions-kobo.csv": _kobo_csv(rows),
        folder / "planted-problems.json": _json_bytes(manifest),
        folder / "population-margins.csv": population_margins_csv(),
    }
    cards, _, card_manifest = litter_cards()
    folder = HERE / "marine-litter-ghana"
    files[folder / "planted-problems.json"] = _json_bytes(card_manifest)
    for path, data in files.items():
        if check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(path)
            continue
        path.write_bytes(data)
        print(f"wrote {path.relative_to(HERE.parent)}")
    xlsx = folder / "data-cards.xlsx"
    if check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / xlsx.name
            _cards_xlsx(cards, fresh)
            if not xlsx.exists() or _xlsx_content(xlsx) != _xlsx_content(fresh):
                stale.append(xlsx)
    else:
        _cards_xlsx(cards, xlsx)
        print(f"wrote {xlsx.relative_to(HERE.parent)}")
    return stale


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
    stale.extend(write_submissions(args.check))
    for path in stale:
        print(f"stale: {path} (run python examples/generate.py)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
