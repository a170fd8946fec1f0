"""Hypothesis strategies that build valid, random citizen data sets.

For property tests here and in tools built on cdinterop (needs ``hypothesis``:
``pip install "cdinterop[testing]"``)::

    from hypothesis import given
    from cdinterop.testing import citizen_datasets

    @given(citizen_datasets())
    def test_round_trip(ds): ...

Every value drawn is valid for the model; text avoids control characters so that every
exchange format can carry it.

Two helpers compare the output folders of two ``convert()`` runs (e.g. the local and the
Dask engine, or two batch sizes) file for file: `normalised_outputs()` and
`assert_same_outputs()`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zipfile
from pathlib import Path
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'cdinterop.testing needs hypothesis: pip install "cdinterop[testing]"'
    ) from exc

from cdinterop.model import (
    AccessRights,
    Activity,
    ActivityType,
    Agent,
    AgentKind,
    Annotation,
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
    ConceptScheme,
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
    Group,
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
    ValueChainStage,
    ValueType,
    Withdrawal,
)

__all__ = [
    "assert_same_outputs",
    "citizen_datasets",
    "data_structures",
    "distributions",
    "identifiers",
    "multilingual_texts",
    "normalised_outputs",
    "provenances",
    "texts",
]

LANGUAGES = ("en", "fr", "es", "pt", "ak", "tw", "ar", "sw")
"""Language tags the strategies draw from (real BCP 47 tags)."""
_UTC = dt.UTC


def texts(max_size: int = 40) -> st.SearchStrategy[str]:
    """Non-blank text without control characters or surrogates."""
    alphabet = st.characters(exclude_categories=("Cs", "Cc", "Co", "Cn"))
    return st.text(alphabet, min_size=1, max_size=max_size).filter(
        lambda s: s.strip() == s and bool(s)
    )


def identifiers(prefix: str = "") -> st.SearchStrategy[str]:
    """SDMX-style identifiers that are also valid component ids (start with a letter)."""
    return st.from_regex(r"[A-Z][A-Z0-9_]{0,9}", fullmatch=True).map(lambda s: prefix + s)


def multilingual_texts() -> st.SearchStrategy[dict[str, str]]:
    """``{language: text}`` dicts with one to three languages."""
    return st.dictionaries(st.sampled_from(LANGUAGES), texts(), min_size=1, max_size=3)


def _datetimes() -> st.SearchStrategy[dt.datetime]:
    return st.datetimes(
        min_value=dt.datetime(2000, 1, 1),
        max_value=dt.datetime(2035, 12, 31),
        timezones=st.just(_UTC),
    ).map(lambda d: d.replace(microsecond=0))


def _dates() -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2035, 12, 31))


@st.composite
def _annotations(draw: st.DrawFn) -> tuple[Annotation, ...]:
    note = st.builds(  # titled: pysdmx 1.21 cannot read an empty <Annotation/>
        Annotation,
        title=texts(12),
        type=st.none() | st.sampled_from(["NOTE", "FULL_NAME", "Indicator"]),
        url=st.none() | st.just("https://example.org/note"),
        text=st.none() | multilingual_texts(),
    )
    return tuple(draw(st.lists(note, max_size=2)))


@st.composite
def _codelist(draw: st.DrawFn, cl_id: str, agency: str = "TEST") -> Codelist:
    ids = draw(
        st.lists(
            st.from_regex(r"[A-Z0-9_]{1,6}", fullmatch=True), min_size=1, max_size=5, unique=True
        )
    )
    codes = [
        Code(id=i, name=draw(multilingual_texts()), annotations=draw(_annotations())) for i in ids
    ]
    if len(codes) > 1 and codes[-1].id[0].isalpha() and draw(st.booleans()):
        # a hierarchy, the parent after its child (SDMX-ML 3.0.0 wants NCName parents)
        codes[0] = codes[0].model_copy(update={"parent": codes[-1].id})
    return Codelist(
        id=cl_id,
        agency=agency,
        name=draw(multilingual_texts()),
        codes=codes,
        annotations=draw(_annotations()),
    )  # not final: SDMX-ML 3.0 has no isFinal, so only 2.1 carries it


_EXTERNAL_SCHEME = ConceptScheme(id="CS_SHARED", agency="OTHER", name={"en": "Shared concepts"})


@st.composite
def data_structures(draw: st.DrawFn) -> DataStructure:
    """Valid structures: 1-3 coded dimensions, optional time dimension, attributes at each
    level (data set, series, a partial key, a group, observation), ``OBS_VALUE`` and
    sometimes a second, integer measure; sometimes a second codelist with a dimension's
    codelist id from another agency, a concept from another agency's scheme with the same
    id as one of the structure's own, and annotations on codes, codelists and the DSD."""
    dim_ids = draw(st.lists(identifiers("D"), min_size=1, max_size=3, unique=True))
    codelists = [draw(_codelist(f"CL_{d}")) for d in dim_ids]
    dims = [Dimension(id=d, codelist=f"CL_{d}") for d in dim_ids]
    time = TimeDimension() if draw(st.booleans()) else None
    status = draw(_codelist("CL_STATUS"))
    attributes = [
        Attribute(id="OBS_STATUS", codelist="CL_STATUS"),
        Attribute(id="COMMENT", attachment=AttachmentLevel.SERIES),
        Attribute(id="SOURCE_NOTE", attachment=AttachmentLevel.DATASET),
    ]
    groups: list[Group] = []
    if len(dims) > 1 and draw(st.booleans()):
        attributes.append(
            Attribute(id="FIRST_NOTE", attachment=AttachmentLevel.SERIES, dimensions=(dim_ids[0],))
        )
        # no annotations on the group: pysdmx 1.21 cannot read an annotated DSD group
        groups.append(Group(id="FIRST", dimensions=(dim_ids[0],)))
        attributes.append(
            Attribute(id="GROUP_NOTE", attachment=AttachmentLevel.SERIES, group="FIRST")
        )
    extra_codelists: list[Codelist] = []
    if draw(st.booleans()):  # the same codelist id, maintained by another agency
        twin = draw(_codelist(f"CL_{dim_ids[0]}", agency="OTHER"))
        extra_codelists.append(twin)
        dims[0] = dims[0].model_copy(update={"codelist": codelists[0].ref})
        attributes.append(Attribute(id="OTHER_CODE", codelist=twin.ref))
    measures = [Measure()]
    if draw(st.booleans()):
        measures.append(Measure(id="N_CONTRIB", value_type=ValueType.INTEGER))
    components = [*dims, *attributes, *measures] + ([time] if time else [])
    concepts = [Concept(id=c.id, name=draw(multilingual_texts())) for c in components]
    schemes: list[ConceptScheme] = []
    if draw(st.booleans()):  # a concept of another agency's scheme, its id also one of ours
        schemes.append(_EXTERNAL_SCHEME)
        shared = Concept(
            id=dims[-1].id,
            name=draw(multilingual_texts()),
            scheme=_EXTERNAL_SCHEME.ref,
            annotations=draw(_annotations()),
        )
        concepts.append(shared)
        dims[-1] = dims[-1].model_copy(update={"concept": shared.ref})
    return DataStructure(
        id=draw(identifiers("DSD_")),
        agency="TEST",
        name=draw(multilingual_texts()),
        concepts=concepts,
        concept_schemes=schemes,
        codelists=[*codelists, status, *extra_codelists],
        dimensions=dims,
        time_dimension=time,
        groups=groups,
        attributes=attributes,
        measures=measures,
        annotations=draw(_annotations()),
    )


_PERIODS = ("2020", "2021", "2022-Q1", "2022-03", "2023-W05", "2023-05-17", "2024-S2")
_SIMPLE_FLOATS = st.floats(
    min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False, allow_subnormal=False
)


@st.composite
def _observations(draw: st.DrawFn, structure: DataStructure) -> list[dict[str, Any]]:
    dims = structure.dimensions
    code_lists = [list(structure.codelist(d.codelist).code_ids) for d in dims if d.codelist]
    series_keys = list(itertools.product(*[sorted(c) for c in code_lists]))
    chosen = draw(
        st.lists(st.sampled_from(series_keys), max_size=min(6, len(series_keys)), unique=True)
    )
    periods = (
        draw(st.lists(st.sampled_from(_PERIODS), min_size=1, max_size=3, unique=True))
        if structure.time_dimension
        else [None]
    )
    status_codes = sorted(structure.codelist("CL_STATUS").code_ids)
    measure_ids = [m.id for m in structure.measures]
    attribute_ids = {a.id for a in structure.attributes}
    other_codelist = structure.codelist_of("OTHER_CODE") if "OTHER_CODE" in attribute_ids else None
    other = sorted(other_codelist.code_ids) if other_codelist is not None else []
    by_first: dict[str, tuple[str | None, str | None]] = {}  # partial-key and group values
    rows = []
    for key in chosen:
        comment = draw(st.none() | texts(20))
        if key[0] not in by_first:
            by_first[key[0]] = (draw(st.none() | texts(10)), draw(st.none() | texts(10)))
        for period in periods:
            row: dict[str, Any] = {d.id: k for d, k in zip(dims, key, strict=True)}
            if structure.time_dimension:
                row[structure.time_dimension.id] = period
            row["OBS_VALUE"] = draw(st.none() | _SIMPLE_FLOATS)
            if "N_CONTRIB" in measure_ids:
                row["N_CONTRIB"] = draw(st.none() | st.integers(0, 10**9))
            row["OBS_STATUS"] = draw(st.none() | st.sampled_from(status_codes))
            row["COMMENT"] = comment
            if "FIRST_NOTE" in attribute_ids:
                row["FIRST_NOTE"], row["GROUP_NOTE"] = by_first[key[0]]
            if other:
                row["OTHER_CODE"] = draw(st.none() | st.sampled_from(other))
            rows.append(row)
    return rows


@st.composite
def provenances(draw: st.DrawFn) -> Provenance:
    """Provenance records whose references all resolve."""
    org = Agent(
        id="ORG",
        kind=AgentKind.ORGANISATION,
        name=draw(texts()),
        organisation_type=draw(st.sampled_from(OrganisationType)),
        homepage=draw(st.none() | st.just("https://example.org/cso")),
        email=draw(st.none() | st.just("data@example.org")),
    )
    person = Agent(id="P1", kind=AgentKind.PERSON, name="volunteer-001", acted_on_behalf_of="ORG")
    software = Agent(
        id="SW",
        kind=AgentKind.SOFTWARE,
        name="cdinterop",
        version=draw(st.sampled_from(["0.1.0", "1.2.3"])),
    )
    digest = draw(st.from_regex(r"[0-9a-f]{64}", fullmatch=True))
    source = Source(
        id="SRC1",
        title=draw(texts()),
        path="submissions.csv",
        media_type="text/csv",
        size=draw(st.integers(0, 10**9)),
        checksum=Checksum(value=digest),
        version=draw(st.none() | st.just("v3")),
        created=draw(st.none() | _datetimes()),
    )
    start = draw(_datetimes())
    activities = [
        Activity(
            id="A1",
            type=ActivityType.COLLECTION,
            label=draw(texts()),
            started_at=start,
            ended_at=start + dt.timedelta(days=draw(st.integers(0, 90))),
            agents=("P1", "ORG"),
            generated=("SRC1",),
        ),
        Activity(
            id="A2",
            type=draw(st.sampled_from(ActivityType)),
            label=draw(texts()),
            agents=("ORG",),
            used=("SRC1",),
            software="SW",
            rows_in=draw(st.none() | st.integers(0, 10**6)),
            rows_out=draw(st.none() | st.integers(0, 10**6)),
            parameters=draw(
                st.dictionaries(identifiers(), st.integers(0, 100) | texts(10), max_size=2)
            ),
        ),
    ]
    roles = draw(st.lists(st.sampled_from(Role), min_size=1, max_size=3, unique=True))
    return Provenance(
        agents=(org, person, software),
        attributions=tuple(Attribution(agent="ORG", role=r) for r in roles),
        activities=tuple(activities),
        sources=(source,),
        statement=draw(st.none() | multilingual_texts()),
    )


@st.composite
def _participation(draw: st.DrawFn) -> Participation:
    return Participation(
        initiator=draw(st.sampled_from(InitiatorType)),
        initiator_agent=draw(st.none() | st.just("ORG")),
        engagement_level=draw(st.sampled_from(EngagementLevel)),
        stages=tuple(
            draw(st.lists(st.sampled_from(ValueChainStage), min_size=1, max_size=6, unique=True))
        ),
        populations=tuple(
            Population(
                id=f"POP{i}",
                name=draw(multilingual_texts()),
                estimated_size=draw(st.none() | st.integers(0, 10**7)),
            )
            for i in range(draw(st.integers(0, 2)))
        ),
        participants=draw(st.none() | st.integers(0, 10**5)),
        description=draw(st.none() | multilingual_texts()),
    )


@st.composite
def _consent(draw: st.DrawFn) -> Consent:
    obtained = draw(st.booleans())
    return Consent(
        obtained=obtained,
        basis=ConsentBasis.INFORMED_CONSENT if obtained else ConsentBasis.PUBLIC_TASK,
        method=draw(st.sampled_from([ConsentMethod.WRITTEN, ConsentMethod.ELECTRONIC]))
        if obtained
        else ConsentMethod.NOT_APPLICABLE,
        date=draw(st.none() | _dates()),
        permitted_uses=tuple(draw(st.lists(st.sampled_from(PermittedUse), unique=True))),
        withdrawal=draw(
            st.none() | st.builds(Withdrawal, possible=st.booleans(), withdrawn=st.integers(0, 50))
        ),
    )


@st.composite
def _quality(draw: st.DrawFn) -> Quality:
    dims = draw(st.lists(st.sampled_from(QualityDimension), min_size=1, max_size=6, unique=True))
    return Quality(
        assessment=QualityAssessment(
            dimensions=tuple(
                DimensionScore(
                    dimension=d,
                    score=draw(st.floats(0, 1)),
                    notes=draw(st.none() | multilingual_texts()),
                )
                for d in dims
            ),
            ethics_checks=(EthicsCheck(id="DO_NO_HARM", label={"en": "Do no harm"}, passed=True),),
            assessor="ORG",
            date=draw(_dates()),
            verdict=draw(st.sampled_from(QualityVerdict)),
        ),
        measurements=tuple(
            QualityMeasurement(
                metric="COMPLETENESS",
                value=draw(st.floats(0, 100)),
                unit="percent",
                dimension=QualityDimension.ACCURACY_AND_RELIABILITY,
            )
            for _ in range(draw(st.integers(0, 1)))
        ),
    )


@st.composite
def _area_extent(draw: st.DrawFn) -> AreaExtent:
    lon = st.floats(-180, 180, allow_nan=False)
    south, north = sorted(
        draw(st.lists(st.floats(-90, 90, allow_nan=False), min_size=2, max_size=2))
    )
    centroid = draw(st.none() | st.tuples(lon, st.floats(-90, 90, allow_nan=False)))
    geometry = draw(
        st.none()
        | st.just("POLYGON((-0.3 5.5,-0.1 5.5,-0.1 5.7,-0.3 5.5))")
        | st.just("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(-0.2 5.6)")
    )
    if geometry is not None and draw(st.booleans()):  # a geometry alone
        return AreaExtent(geometry=geometry)
    return AreaExtent(
        west=draw(lon),
        south=south,
        east=draw(lon),
        north=north,
        centroid=centroid,
        geometry=geometry,
    )


@st.composite
def distributions(draw: st.DrawFn) -> Distribution:
    """Valid random distributions (``dcat:Distribution``)."""
    name = draw(identifiers("D"))
    url = f"https://example.org/files/{name}"
    return Distribution(
        id=name,
        title=draw(st.none() | multilingual_texts()),
        description=draw(st.none() | multilingual_texts()),
        access_url=url,
        download_url=draw(st.none() | st.just(f"{url}.xml")),
        format=draw(st.none() | st.sampled_from(["SDMX", "CSV", "ZIP", "JSON", "RDF_TURTLE"])),
        media_type=draw(
            st.none() | st.sampled_from(["application/xml", "text/csv", "application/zip"])
        ),
        byte_size=draw(st.none() | st.integers(0, 2**40)),
        checksum=draw(
            st.none()
            | st.builds(Checksum, value=st.text("0123456789abcdef", min_size=64, max_size=64))
        ),
        licence=draw(st.none() | st.sampled_from(["CC-BY-4.0", "CC0-1.0"])),
        conforms_to=tuple(draw(st.lists(st.just("https://example.org/dsd"), max_size=1))),
        availability=draw(st.none() | st.sampled_from(Availability)),
    )


@st.composite
def citizen_datasets(draw: st.DrawFn, *, complete: bool = False) -> CitizenDataset:
    """Valid random data sets; ``complete=True`` fills every optional part."""

    def maybe(strategy: st.SearchStrategy[Any]) -> Any:
        return draw(strategy) if complete or draw(st.booleans()) else None

    structure = draw(data_structures())
    start = draw(_dates())
    areas = tuple(
        draw(
            st.lists(
                st.sampled_from(["GH", "GHA", "288", "GH-AA", "KE", "002"]), max_size=3, unique=True
            )
        )
    )
    with_extent = draw(st.lists(st.sampled_from(areas), unique=True)) if areas else []
    return CitizenDataset(
        id=draw(identifiers("DF_")),
        agency="TEST",
        version=draw(st.sampled_from(["1.0", "1.2.0", "2.0"])),
        title=draw(multilingual_texts()),
        description=maybe(multilingual_texts()),
        keywords=draw(
            st.dictionaries(
                st.sampled_from(LANGUAGES), st.lists(texts(15), max_size=3).map(tuple), max_size=2
            )
        ),
        themes=(
            Theme(scheme=ThemeScheme.SDG_INDICATOR, code="14.1.1b"),
            Theme(scheme=ThemeScheme.EU_DATA_THEME, code="ENVI"),
        ),
        languages=tuple(draw(st.lists(st.sampled_from(LANGUAGES), max_size=3, unique=True))),
        licence=draw(st.sampled_from(["CC-BY-4.0", "CC0-1.0", "ODbL-1.0", "CC-BY-SA-4.0"])),
        access_rights=draw(st.sampled_from(AccessRights)),
        publisher="ORG",
        contact_point=maybe(st.just(ContactPoint(name="Data desk", email="data@example.org"))),
        landing_page=maybe(st.just("https://example.org/data")),
        temporal_coverage=maybe(
            st.integers(0, 800).map(
                lambda n: DateRange(start=start, end=start + dt.timedelta(days=n))
            )
        ),
        spatial_coverage=areas,
        # and places without an area code (a polygon only), keyed by a local id
        area_extents={code: draw(_area_extent()) for code in with_extent}
        | {key: draw(_area_extent()) for key in draw(st.lists(st.just("CITY"), max_size=1))},
        reference_period=maybe(st.just(ReferencePeriod(start="2020", end="2024-Q2"))),
        frequency=maybe(st.sampled_from(Frequency)),
        issued=maybe(st.just(start)),
        modified=maybe(st.integers(0, 100).map(lambda n: start + dt.timedelta(days=n))),
        citation=maybe(texts()),
        distributions=tuple(
            {d.id: d for d in draw(st.lists(distributions(), max_size=2))}.values()
        ),
        structure=structure,
        attribute_values=draw(st.dictionaries(st.just("SOURCE_NOTE"), texts(), max_size=1)),
        observations=draw(_observations(structure)),
        provenance=draw(provenances()),
        participation=maybe(_participation()),
        consent=maybe(_consent()),
        quality=maybe(_quality()),
        disclosure=maybe(
            st.builds(
                DisclosureControl,
                method=st.just(DisclosureMethod.CELL_SUPPRESSION),
                threshold=st.integers(1, 20),
                cells_suppressed=st.integers(0, 100),
                secondary_suppression=st.just(True),
                secondary_cells_suppressed=st.integers(0, 100),
            )
        ),
    )


_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?")
_SECONDS = re.compile(r'"seconds": [0-9.e-]+')
_MESSAGE_ID = re.compile(r"CDI_[0-9A-F]{16}")
_SHA256 = re.compile(r"\b[0-9a-f]{64}\b")
_SIZES = re.compile(r'((?:"|\\")(?:bytes|byte_size|size)(?:"|\\"): |byteSize[^0-9]*)\d+')


def _normalised_text(data: bytes, folder: Path) -> str:
    text = data.decode("utf-8").replace(folder.resolve().as_uri(), "<out>")
    text = text.replace(str(folder.resolve()), "<out>")
    text = _TIMESTAMP.sub("<time>", text)
    text = _SECONDS.sub('"seconds": 0', text)
    text = _SHA256.sub("<sha256>", text)
    text = _MESSAGE_ID.sub("<message>", text)
    return _SIZES.sub(r"\1<n>", text)


def normalised_outputs(folder: str | Path) -> dict[str, str]:
    """Every file of a ``convert()`` output folder, by its path in the folder, as text
    without what differs between any two runs: timestamps, durations, SDMX message ids,
    the folder's own path, and the sizes and SHA-256 checksums (of files that hold
    timestamps); a zip file as its members (``name.zip!member``)."""
    folder = Path(folder)
    files: dict[str, str] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for member in sorted(archive.namelist()):
                    files[f"{name}!{member}"] = _normalised_text(archive.read(member), folder)
        else:
            files[name] = _normalised_text(path.read_bytes(), folder)
    return files


def assert_same_outputs(a: str | Path, b: str | Path) -> None:
    """Assert that two ``convert()`` output folders hold the same files with the same
    content, apart from what `normalised_outputs()` takes out (names the first file that
    differs)."""
    left, right = normalised_outputs(a), normalised_outputs(b)
    assert sorted(left) == sorted(right), (sorted(left), sorted(right))
    for name in left:
        assert left[name] == right[name], name
