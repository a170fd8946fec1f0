"""Conformance to an external DSD: the examples onto the global SDG DSD (2019 copy).

Oracles independent of our code: the DSD-specific XML schema generated from the SHARED
SDG structure file (with the official XSDs), and sdmx1 and pysdmx reading our messages
with that shared structure file; values are recomputed from the source example by hand.
"""

import importlib
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

import cdinterop
from cdinterop import sdmx
from cdinterop.conformance import (
    ConformanceError,
    ConformanceReport,
    conform,
    conform_with_report,
)
from cdinterop.errors import InvalidDatasetError
from cdinterop.mapping import ConformanceSpec, load_conformance_spec
from cdinterop.model import (
    ActivityType,
    AgentKind,
    AttachmentLevel,
    Attribute,
    CitizenDataset,
    Code,
    Codelist,
    Concept,
    DataStructure,
    Dimension,
    TimeDimension,
    Usage,
)
from cdinterop.sdmx._xsd_validation import validate_structure_specific

ROOT = Path(__file__).resolve().parents[2]
SDG_PATH = ROOT.parent / "shared" / "standards" / "sdmx" / "IAEG-SDGs_SDG_1.0_structure.xml"
EXAMPLES = ROOT / "examples"
SERVICES_MAPPING = ROOT / "mappings" / "services-satisfaction-to-sdg.yaml"
LITTER_MAPPING = ROOT / "mappings" / "marine-litter-to-sdg.yaml"

needs_sdg = pytest.mark.skipif(
    not SDG_PATH.is_file(), reason=f"the SDG DSD copy is not available at {SDG_PATH}"
)


# -- the SDG DSD and the services survey ----------------------------------------------------


@pytest.fixture(scope="module")
def sdg() -> DataStructure:
    if not SDG_PATH.is_file():
        pytest.skip(f"the SDG DSD copy is not available at {SDG_PATH}")
    return sdmx.read_structure(SDG_PATH).structure


@pytest.fixture(scope="module")
def services() -> CitizenDataset:
    return cdinterop.load(EXAMPLES / "public-services-satisfaction" / "dataset.json")


@pytest.fixture(scope="module")
def litter() -> CitizenDataset:
    return cdinterop.load(EXAMPLES / "marine-litter-ghana" / "dataset.json")


@pytest.fixture(scope="module")
def conformed(services: CitizenDataset, sdg: DataStructure) -> Any:
    return conform_with_report(services, SDG_PATH, SERVICES_MAPPING)


@pytest.fixture(scope="module")
def written(conformed: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sdg")
    sdmx.write_all(conformed.dataset, folder)
    return folder


@needs_sdg
def test_services_conform_with_zero_problems(conformed: Any, sdg: DataStructure) -> None:
    ds = conformed.dataset
    assert ds.structure == sdg
    assert ds.observations.check(sdg) == []  # the model's own check, against a fresh read
    assert len(ds.observations) == 36
    assert set(ds.observations.column_names) == set(sdg.column_ids)


@needs_sdg
@pytest.mark.parametrize("fmt", ["ml21-ss", "ml21-ss-ts", "ml30-ss", "ml30-ss-ts"])
def test_structure_specific_messages_validate_against_the_sdg_schema(
    written: Path, sdg: DataStructure, fmt: str
) -> None:
    info = sdmx.FORMATS[fmt]
    path = written / f"data-{fmt}{info.extension}"
    assert validate_structure_specific(path, sdg, version=info.sdmx_version) == []


def _normal(record: dict[str, Any]) -> tuple[Any, ...]:
    value = record["OBS_VALUE"]
    return (record["SEX"], record["AGE"], record["DISABILITY_STATUS"], float(value))


@needs_sdg
@pytest.mark.parametrize("fmt", ["ml21-ss", "ml21-ss-ts"])
def test_pysdmx_reads_with_the_shared_sdg_structure(
    conformed: Any, written: Path, fmt: str
) -> None:
    pysdmx_io = pytest.importorskip("pysdmx.io")
    datasets = pysdmx_io.get_datasets(written / f"data-{fmt}.xml", SDG_PATH)
    assert len(datasets) == 1
    schema = datasets[0].structure  # built by pysdmx from the shared SDG structure file
    assert (schema.agency, schema.id, schema.version) == ("IAEG-SDGs", "SDG", "1.0")
    frame = datasets[0].data
    assert len(frame) == len(conformed.dataset.observations)
    got = sorted(_normal(r) for r in frame.to_dict("records"))
    expected = sorted(_normal(r) for r in conformed.dataset.observations.to_records())
    assert got == expected
    assert set(frame["SERIES"]) == {"SP_PSR_SATIS"} and set(frame["REF_AREA"]) == {"404"}


@needs_sdg
@pytest.mark.parametrize("fmt", ["ml21-ss", "ml21-ss-ts"])
def test_sdmx1_reads_with_the_shared_sdg_structure(conformed: Any, written: Path, fmt: str) -> None:
    sdmx1 = pytest.importorskip("sdmx")
    importlib.import_module("sdmx.reader.xml.v30")  # before any data read (sdmx1 2.28 quirk)
    logging.getLogger("sdmx").setLevel(logging.ERROR)
    structure = sdmx1.read_sdmx(SDG_PATH).structure["SDG"]
    message = sdmx1.read_sdmx(written / f"data-{fmt}.xml", structure=structure)
    observations = [obs for data_set in message.data for obs in data_set.obs]
    assert len(observations) == len(conformed.dataset.observations)
    got = sorted(
        (
            obs.key.values["SEX"].value,
            obs.key.values["AGE"].value,
            obs.key.values["DISABILITY_STATUS"].value,
            float(obs.value),
        )
        for obs in observations
    )
    expected = sorted(_normal(r) for r in conformed.dataset.observations.to_records())
    assert got == expected


# The cells recomputed by hand from the source example: national rows, all services.
DISABILITY = {"PD": "PD", "NPD": "PWD", "_T": "_T"}


@needs_sdg
def test_values_recomputed_from_the_source(services: CitizenDataset, conformed: Any) -> None:
    source = {
        (r["SEX"], r["AGE"], DISABILITY[r["DISABILITY_STATUS"]]): r
        for r in services.observations.to_records()
        if r["REF_AREA"] == "KE" and r["SERVICE"] == "_T" and r["AGE"] != "Y30T44"
    }
    out = {
        (r["SEX"], r["AGE"], r["DISABILITY_STATUS"]): r
        for r in conformed.dataset.observations.to_records()
    }
    assert out.keys() == source.keys()
    for key, row in out.items():
        assert row["OBS_VALUE"] == source[key]["OBS_VALUE"], key
        assert row["OBS_STATUS"] == source[key]["OBS_STATUS"], key
        assert row["REF_AREA"] == "404" and row["SERIES"] == "SP_PSR_SATIS"
        assert (row["UNIT_MEASURE"], row["UNIT_MULT"], row["NATURE"]) == ("PT", "0", "C")
        assert row["REPORTING_TYPE"] == "N" and row["URBANISATION"] == "_T"
        assert "citizen data" in row["SOURCE_DETAIL"].lower()
    # a few cells spelled out
    assert out[("F", "Y18T29", "PWD")]["OBS_VALUE"] == source[("F", "Y18T29", "PWD")]["OBS_VALUE"]
    assert out[("_T", "_T", "_T")]["OBS_VALUE"] == 52.5


@needs_sdg
def test_report_counts_add_up(services: CitizenDataset, conformed: Any) -> None:
    report: ConformanceReport = conformed.report
    rows = services.observations.to_records()
    other_services = sum(r["SERVICE"] != "_T" for r in rows)
    counties = [r for r in rows if r["SERVICE"] == "_T" and r["REF_AREA"] != "KE"]
    band = [
        r for r in rows if r["SERVICE"] == "_T" and r["REF_AREA"] == "KE" and r["AGE"] == "Y30T44"
    ]
    assert report.ok and report.issues == ()
    assert report.rows_in == len(rows) == 883
    assert report.rows_out == 36
    assert report.rows_in == report.rows_out + report.rows_dropped
    by_reason = {(d.reason, d.where, d.value): d.rows for d in report.dropped}
    assert by_reason[("row-filter", "all-services", None)] == other_services
    county_counts = {v: n for (reason, where, v), n in by_reason.items() if where == "REF_AREA"}
    assert sum(county_counts.values()) == len(counties)
    assert set(county_counts) == {"KE-17", "KE-28", "KE-30", "KE-43"}
    assert by_reason[("unmapped-value", "AGE", "Y30T44")] == len(band)
    assert report.not_carried == ("SERVICE", "CONF_STATUS", "SAMPLE_SIZE")
    summary = report.summary()
    assert "rows in: 883, rows out: 36, rows dropped: 847" in summary
    assert "value 'Y30T44' has no entry in AGE's map" in summary
    assert report.to_dict()["rows_dropped"] == 847


@needs_sdg
def test_metadata_and_provenance(services: CitizenDataset, conformed: Any) -> None:
    ds = conformed.dataset
    assert (ds.agency, ds.id, ds.version) == ("KE.SAUTI", "DF_SDG_SP_PSR_SATIS_KE", "1.0")
    for name in ("title", "description", "themes", "licence", "publisher", "participation",
                 "consent", "quality", "disclosure", "spatial_coverage", "citation"):  # fmt: skip
        assert getattr(ds, name) == getattr(services, name), name
    assert ds.attribute_values == {}  # the SDG DSD has no data-set-level attributes
    before = services.provenance
    after = ds.provenance
    assert after.activities[:-1] == before.activities
    activity = after.activities[-1]
    assert activity.type is ActivityType.CONVERSION
    assert activity.rows_in == 883 and activity.rows_out == 36
    assert activity.parameters["mapping"] == "services-satisfaction-to-sdg"
    assert activity.parameters["mapping_version"] == "1.0"
    assert activity.parameters["target_structure"] == "IAEG-SDGs:SDG(1.0)"
    assert activity.parameters["rows_dropped"] == 847
    assert activity.parameters["dropped.unmapped.AGE.Y30T44"] == 9
    assert activity.started_at is not None and activity.ended_at is not None
    software = after.agent(activity.software or "")
    assert software.kind is AgentKind.SOFTWARE and software.id == "CDINTEROP"
    used = {s.id: s for s in after.sources if s.id in activity.used}
    assert {s.path for s in used.values()} == {SERVICES_MAPPING.name, SDG_PATH.name}
    assert all(s.checksum is not None for s in used.values())
    again = cdinterop.loads(cdinterop.dumps(ds))  # the conformed data set is a valid model
    assert again == ds


@needs_sdg
def test_target_and_mapping_given_as_objects(services: CitizenDataset, sdg: DataStructure) -> None:
    spec = load_conformance_spec(SERVICES_MAPPING)
    base = sdmx.read_structure(SDG_PATH)
    from_dataset = conform(services, base, spec)
    from_structure = conform(services, sdg, spec)
    assert from_dataset.observations == from_structure.observations
    assert len(from_dataset.observations) == 36
    # without files, the mapping and the DSD are still named as sources, without checksums
    activity = from_structure.provenance.activities[-1]
    used = [s for s in from_structure.provenance.sources if s.id in activity.used]
    assert len(used) == 2 and all(s.checksum is None for s in used)


# -- marine litter: 14.1.1b is not in the 2019 codelists -----------------------------------


@needs_sdg
def test_marine_litter_fails_naming_the_code_and_the_codelist(litter: CitizenDataset) -> None:
    with pytest.raises(ConformanceError) as info:
        conform(litter, SDG_PATH, LITTER_MAPPING)
    error = info.value
    assert isinstance(error, InvalidDatasetError)
    assert [(i.location, i.code, i.value) for i in error.issues] == [
        ("mapping.components.SERIES", "unknown-code", "EN_MAR_BEALITSQ")
    ]
    message = error.issues[0].message
    assert "'EN_MAR_BEALITSQ' is not a code of CL_SERIES" in message
    assert "IAEG-SDGs:CL_SERIES(1.0)" in message
    assert "EN_MAR_BEALITSQ" in str(error) and "CL_SERIES" in str(error)
    report = error.report
    assert not report.ok and report.rows_in == 364
    assert report.rows_in == report.rows_out + report.rows_dropped
    assert "not conformed, 1 problem" in report.summary()


def _with_series(sdg: DataStructure, code: str, name: str) -> DataStructure:
    codelists = []
    for codelist in sdg.codelists:
        if codelist.id == "CL_SERIES":
            data = codelist.model_dump()
            data["codes"] = [*data["codes"], {"id": code, "name": {"en": name}}]
            codelist = Codelist.model_validate(data)
        codelists.append(codelist)
    return DataStructure.model_validate({**sdg.model_dump(), "codelists": codelists})


@needs_sdg
def test_marine_litter_succeeds_where_the_series_exists(
    litter: CitizenDataset, sdg: DataStructure, tmp_path: Path
) -> None:
    newer = _with_series(sdg, "EN_MAR_BEALITSQ", "Beach litter per square kilometer (Number)")
    result = conform_with_report(litter, newer, LITTER_MAPPING)
    ds = result.dataset
    assert ds.issues() == []
    national = {
        r["TIME_PERIOD"]: r
        for r in litter.observations.to_records()
        if r["REF_AREA"] == "GH" and r["BEACH"] == "_T" and r["LITTER_TYPE"] == "_T"
    }
    out = {r["TIME_PERIOD"]: r for r in ds.observations.to_records()}
    assert out.keys() == national.keys() == {"2021", "2022", "2023", "2024"}
    for period, row in out.items():
        assert row["OBS_VALUE"] == national[period]["OBS_VALUE"]
        assert row["OBS_STATUS"] == national[period]["OBS_STATUS"]
        assert row["COMMENT_OBS"] == national[period]["COMMENT"]
        assert (row["SERIES"], row["REF_AREA"], row["UNIT_MEASURE"]) == (
            "EN_MAR_BEALITSQ",
            "288",
            "NUMBER",
        )
    assert result.report.rows_in == 364 and result.report.rows_out == 4
    sdmx.write(ds, tmp_path / "data.xml", format="ml21-ss")
    assert validate_structure_specific(tmp_path / "data.xml", newer) == []


# -- problems reported all at once, on a small hand-made target ----------------------------


def _codelist(cl_id: str, *codes: str) -> Codelist:
    return Codelist(
        id=cl_id,
        agency="TEST",
        name={"en": cl_id},
        codes=[Code(id=c, name={"en": c}) for c in codes],
    )


@pytest.fixture
def target() -> DataStructure:
    ids = ["FREQ", "SEX", "REF_AREA", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "UNIT", "NOTE",
           "SOURCE_ORG"]  # fmt: skip
    return DataStructure(
        id="DSD_TARGET",
        agency="TARGET",
        version="2.0",
        name={"en": "Target"},
        concepts=[Concept(id=i, name={"en": i}) for i in ids],
        codelists=[
            _codelist("CL_FREQ", "A"),
            _codelist("CL_SEX2", "F", "M", "_T"),
            _codelist("CL_M49", "288", "404"),
            _codelist("CL_STATUS", "A", "E"),
        ],
        dimensions=[
            Dimension(id="FREQ", codelist="CL_FREQ"),
            Dimension(id="SEX", codelist="CL_SEX2"),
            Dimension(id="REF_AREA", codelist="CL_M49"),
        ],
        time_dimension=TimeDimension(),
        attributes=[
            Attribute(id="OBS_STATUS", codelist="CL_STATUS", usage=Usage.MANDATORY),
            Attribute(id="UNIT", attachment=AttachmentLevel.SERIES, usage=Usage.MANDATORY),
            Attribute(id="NOTE", attachment=AttachmentLevel.DATASET),
            Attribute(id="SOURCE_ORG", attachment=AttachmentLevel.DATASET, usage=Usage.MANDATORY),
        ],
    )


def _spec(components: dict[str, Any], **fields: Any) -> ConformanceSpec:
    return ConformanceSpec.model_validate({"id": "test-map", "components": components, **fields})


GOOD = {
    "FREQ": {"from": "FREQ"},
    "SEX": {"from": "SEX"},
    "REF_AREA": {"from": "REF_AREA", "map": {"GH": "288", "KE": "404"}},
    "TIME_PERIOD": {"from": "TIME_PERIOD"},
    "OBS_VALUE": {"from": "OBS_VALUE"},
    "OBS_STATUS": {"from": "OBS_STATUS"},
    "UNIT": {"from": "UNIT_MEASURE"},
    "NOTE": {"value": "conformed in a test"},
    "SOURCE_ORG": {"value": "Test CSO"},
}


def test_small_conformance(dataset: CitizenDataset, target: DataStructure) -> None:
    result = conform_with_report(dataset, target, _spec(GOOD, output={"agency": "NSO"}))
    ds = result.dataset
    assert ds.agency == "NSO" and ds.id == dataset.id
    assert ds.attribute_values == {"NOTE": "conformed in a test", "SOURCE_ORG": "Test CSO"}
    rows = ds.observations.to_records()
    assert [r["REF_AREA"] for r in rows] == ["288"] * 3
    assert [r["UNIT"] for r in rows] == ["PERSONS"] * 3
    # the source had no cdinterop agent: it is added, with this version
    agent = ds.provenance.agent("CDINTEROP")
    assert agent.kind is AgentKind.SOFTWARE and agent.version == cdinterop.__version__
    assert result.report.rows_out == 3


def test_every_problem_reported_at_once(dataset: CitizenDataset, target: DataStructure) -> None:
    components = {k: v for k, v in GOOD.items() if k not in ("FREQ", "SOURCE_ORG")}
    components |= {
        "COLOUR": {"value": "red"},  # not a component of the target
        "SEX": {"value": "X"},  # not a code of CL_SEX2
        "REF_AREA": {"from": "REF_AREA", "map": {"KE": "404", "NG": "566"}},  # GH unmapped
        "OBS_STATUS": {"from": "STATUS"},  # no such source column
        "NOTE": {"value": "x", "description": "fine"},
    }
    spec = _spec(components, structure={"agency": "IAEG-SDGs", "id": "SDG"})
    with pytest.raises(ConformanceError) as info:
        conform(dataset, target, spec)
    found = sorted((i.location, i.code) for i in info.value.issues)
    assert found == [
        ("mapping.components", "unmapped-dimension"),  # SEX: no rule carries it, 3 values
        ("mapping.components.COLOUR", "unknown-component"),
        ("mapping.components.FREQ", "missing-component"),
        ("mapping.components.OBS_STATUS.from", "unknown-column"),
        ("mapping.components.REF_AREA", "unmapped-value"),
        ("mapping.components.REF_AREA.map.NG", "unknown-code"),
        ("mapping.components.SEX", "unknown-code"),
        ("mapping.components.SOURCE_ORG", "missing-component"),
        ("mapping.structure", "structure-mismatch"),
    ]
    messages = {i.location: i.message for i in info.value.issues}
    assert "'X' is not a code of CL_SEX2" in messages["mapping.components.SEX"]
    assert (
        "written for IAEG-SDGs:SDG(*), not for TARGET:DSD_TARGET(2.0)"
        in messages["mapping.structure"]
    )
    assert "source value 'GH' of REF_AREA (3 rows)" in messages["mapping.components.REF_AREA"]
    assert "source dimension SEX" in messages["mapping.components"]


def test_values_passed_unchanged_are_checked_too(
    dataset: CitizenDataset, target: DataStructure
) -> None:
    spec = _spec(
        GOOD
        | {
            "REF_AREA": {"from": "REF_AREA", "map": {"KE": "404"}, "unmapped": "keep"},
            "NOTE": {"from": "OBS_STATUS"},  # one value (A) in the data: fine
        }
    )
    with pytest.raises(ConformanceError) as info:
        conform(dataset, target, spec)
    (issue,) = info.value.issues
    assert (issue.location, issue.code, issue.value) == (
        "mapping.components.REF_AREA",
        "unknown-code",
        "GH",
    )
    assert "'GH' is not a code of CL_M49" in issue.message
    assert "it comes unchanged from source REF_AREA (3 rows)" in issue.message


def test_data_set_attribute_from_a_varying_column(
    dataset: CitizenDataset, target: DataStructure
) -> None:
    spec = _spec(GOOD | {"NOTE": {"from": "SEX"}, "SEX": {"from": "SEX"}})
    with pytest.raises(ConformanceError) as info:
        conform(dataset, target, spec)
    assert [(i.location, i.code) for i in info.value.issues] == [
        ("mapping.components.NOTE", "not-single-valued")
    ]
    single = conform(dataset, target, _spec(GOOD | {"NOTE": {"from": "FREQ"}}))
    assert single.attribute_values["NOTE"] == "A"


def test_model_problems_name_the_source_row(
    dataset: CitizenDataset, target: DataStructure, tmp_path: Path
) -> None:
    collapse = {"from": "SEX", "map": {"F": "_T", "M": "_T", "_T": "_T"}}
    path = tmp_path / "collapse.yaml"
    path.write_text(yaml.safe_dump({"id": "collapse", "components": GOOD | {"SEX": collapse}}))
    with pytest.raises(ConformanceError) as info:
        conform(dataset, target, str(path))
    issues = info.value.issues
    assert {i.code for i in issues} == {"duplicate-key"}
    assert [i.row for i in issues] == [1, 2]
    assert "(source row 1)" in issues[0].message
    assert info.value.report.mapping == "collapse 1.0"


def test_unknown_code_suggests_close_codes(litter: CitizenDataset, sdg: DataStructure) -> None:
    spec = load_conformance_spec(LITTER_MAPPING)
    components = dict(spec.components)
    components["SERIES"] = components["SERIES"].model_copy(update={"value": "SP_PSR_SATIZ"})
    typo = spec.model_copy(update={"components": components})
    with pytest.raises(ConformanceError) as info:
        conform(litter, sdg, typo)
    assert "close codes: SP_PSR_SATIS" in info.value.issues[0].message


def test_conformance_is_a_layer_above_the_formats() -> None:
    """Conformance lives in its own package; the SDMX package only reads and writes (and
    needs no lazy import to avoid a cycle any more)."""
    from cdinterop import conformance, sdmx

    assert conformance.conform.__module__ == "cdinterop.conformance._conform"
    assert not hasattr(sdmx, "conform") and not hasattr(sdmx, "ConformanceError")
    assert "__getattr__" not in vars(sdmx)
