"""Attribute values on SDMX ``Group`` elements (2.1 generic and structure-specific, 3.0) and
SDMX-ML 3.0 ``Atts`` elements go to every observation whose key matches."""

from __future__ import annotations

import pytest

from cdinterop import sdmx
from cdinterop.errors import InvalidDatasetError
from cdinterop.model import (
    AttachmentLevel,
    Attribute,
    CitizenDataset,
    DataStructure,
    Group,
    Usage,
)
from cdinterop.sdmx._xsd_validation import validate_structure_specific

MES21 = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
MES30 = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message"
GEN = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic"
COM21 = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
URN = "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=TEST:DSD_TEST(1.0)"


@pytest.fixture
def grouped(dataset: CitizenDataset) -> CitizenDataset:
    """The test data set with a group AREA (REF_AREA) carrying a mandatory NOTE_AREA."""
    s = dataset.structure
    structure = DataStructure.model_validate(
        {
            **s.model_dump(),
            "concepts": [*s.model_dump()["concepts"], {"id": "NOTE_AREA", "name": {"en": "n"}}],
            "groups": [Group(id="AREA", dimensions=("REF_AREA",)).model_dump()],
            "attributes": [
                *s.model_dump()["attributes"],
                Attribute(
                    id="NOTE_AREA",
                    attachment=AttachmentLevel.SERIES,
                    usage=Usage.MANDATORY,
                    group="AREA",
                ).model_dump(),
            ],
        }
    )
    rows = [{**r, "NOTE_AREA": "Greater Accra"} for r in dataset.observations.to_records()]
    return dataset.replace(structure=structure, observations=rows)


def _header(version: str = "2.1", level: str = "TIME_PERIOD") -> str:
    mes = MES21 if version == "2.1" else MES30
    ref = (
        '<com:Structure><Ref agencyID="TEST" id="DSD_TEST" version="1.0"/></com:Structure>'
        if version == "2.1"
        else f"<com:Structure>{URN}</com:Structure>"
    )
    com = COM21 if version == "2.1" else COM21.replace("v2_1", "v3_0")
    return (
        f'<mes:Header xmlns:mes="{mes}" xmlns:com="{com}"><mes:ID>T</mes:ID>'
        "<mes:Test>false</mes:Test>"
        f'<mes:Prepared>2024-01-01T00:00:00</mes:Prepared><mes:Sender id="TEST"/>'
        f'<mes:Structure structureID="S" dimensionAtObservation="{level}" '
        f'namespace="{URN}:ObsLevelDim:{level}">{ref}</mes:Structure></mes:Header>'
    )


def _generic(group_type: str = "AREA", key: str = "REF_AREA", extra: str = "") -> bytes:
    series = "".join(
        f'<gen:Series><gen:SeriesKey><gen:Value id="FREQ" value="A"/>'
        f'<gen:Value id="SEX" value="{sex}"/><gen:Value id="REF_AREA" value="GH"/>'
        f'</gen:SeriesKey><gen:Attributes><gen:Value id="UNIT_MEASURE" value="PERSONS"/>'
        f'</gen:Attributes><gen:Obs><gen:ObsDimension value="2023"/>'
        f'<gen:ObsValue value="{value}"/><gen:Attributes><gen:Value id="OBS_STATUS" '
        f'value="A"/></gen:Attributes></gen:Obs></gen:Series>'
        for sex, value in (("F", "10"), ("M", "12.5"), ("_T", "22.5"))
    )
    group = (
        f'<gen:Group type="{group_type}"><gen:GroupKey><gen:Value id="{key}" value="GH"/>'
        f'</gen:GroupKey><gen:Attributes><gen:Value id="NOTE_AREA" value="Greater Accra"/>'
        f"</gen:Attributes></gen:Group>"
    )
    return (
        f'<?xml version="1.0"?>\n<mes:GenericTimeSeriesData xmlns:mes="{MES21}" '
        f'xmlns:gen="{GEN}">\n{_header()}\n<mes:DataSet structureRef="S">\n{group}{extra}\n'
        f"{series}</mes:DataSet></mes:GenericTimeSeriesData>"
    ).encode()


def _structure_specific(version: str, groups: str, root: str = "StructureSpecificData") -> bytes:
    mes = MES21 if version == "2.1" else MES30
    ss = f"{mes.removesuffix('/message')}/data/structurespecific"
    scope = ' ss:dataScope="DataStructure"' if version == "2.1" else ""
    series = "".join(
        f'<Series FREQ="A" SEX="{sex}" REF_AREA="GH" UNIT_MEASURE="PERSONS">'
        f'<Obs TIME_PERIOD="2023" OBS_VALUE="{value}" OBS_STATUS="A"/></Series>'
        for sex, value in (("F", "10"), ("M", "12.5"), ("_T", "22.5"))
    )
    return (
        f'<?xml version="1.0"?>\n<mes:{root} xmlns:mes="{mes}" xmlns:ss="{ss}" '
        f'xmlns:xsi="{XSI}" xmlns:ns1="{URN}:ObsLevelDim:TIME_PERIOD">\n{_header(version)}\n'
        f'<mes:DataSet ss:structureRef="S" xsi:type="ns1:DataSetType"{scope}>\n{groups}\n'
        f"{series}</mes:DataSet></mes:{root}>"
    ).encode()


AREA_GROUP = '<Group xsi:type="ns1:AREA" REF_AREA="GH" NOTE_AREA="Greater Accra"/>'


def test_generic_group_values_reach_every_matching_observation(grouped: CitizenDataset) -> None:
    ds = sdmx.read(_generic(), structure=grouped)
    assert ds.observations.table.column("NOTE_AREA").to_pylist() == ["Greater Accra"] * 3
    assert ds == grouped


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_structure_specific_group_values(grouped: CitizenDataset, version: str) -> None:
    ds = sdmx.read(_structure_specific(version, AREA_GROUP), structure=grouped)
    assert ds == grouped


def test_time_series_root_reads_and_validates(grouped: CitizenDataset) -> None:
    data = _structure_specific("2.1", AREA_GROUP, root="StructureSpecificTimeSeriesData")
    assert sdmx.read(data, structure=grouped) == grouped
    assert validate_structure_specific(data, grouped.structure) == []


def test_atts_with_a_partial_key_and_without(grouped: CitizenDataset) -> None:
    s = grouped.structure
    with_note = grouped.replace(attribute_values={"NOTE": "survey"})
    atts = '<Atts REF_AREA="GH" NOTE_AREA="Greater Accra"/><Atts NOTE="survey"/>'
    ds = sdmx.read(_structure_specific("3.0", atts), structure=with_note)
    assert ds == with_note
    assert s.group("AREA").dimensions == ("REF_AREA",)


def test_a_value_on_the_row_is_kept_and_checked(grouped: CitizenDataset) -> None:
    """The row's own value is not overwritten by the group's: the model then sees two
    values in one group."""
    data = _structure_specific("2.1", AREA_GROUP).replace(
        b'SEX="F" REF_AREA="GH"', b'SEX="F" REF_AREA="GH" NOTE_AREA="Accra"'
    )
    with pytest.raises(InvalidDatasetError) as failure:
        sdmx.read(data, structure=grouped)
    (issue,) = failure.value.issues
    assert (issue.code, issue.row, issue.component) == (
        "inconsistent-series-attribute",
        0,
        "NOTE_AREA",
    )


def test_unknown_group_type_is_a_located_error(grouped: CitizenDataset) -> None:
    with pytest.raises(InvalidDatasetError) as failure:
        sdmx.read(_generic(group_type="SIBLING"), structure=grouped)
    issue = next(i for i in failure.value.issues if i.code == "unknown-group")
    assert issue.location == "<bytes>:5"
    assert "'SIBLING'" in issue.message and "TEST:DSD_TEST(1.0)" in issue.message
    assert "AREA" in issue.message
    # the value it would have carried is then missing
    assert "missing-value" in failure.value.counts()


def test_group_key_must_be_the_groups_dimensions(grouped: CitizenDataset) -> None:
    with pytest.raises(InvalidDatasetError) as failure:
        sdmx.read(_generic(key="SEX"), structure=grouped)
    issue = next(i for i in failure.value.issues if i.code == "group-key")
    assert "REF_AREA" in issue.message


def test_conflicting_groups_are_reported(grouped: CitizenDataset) -> None:
    twice = AREA_GROUP + AREA_GROUP.replace("Greater Accra", "Accra")
    with pytest.raises(InvalidDatasetError) as failure:
        sdmx.read(_structure_specific("2.1", twice), structure=grouped)
    (issue,) = [i for i in failure.value.issues if i.code == "group-conflict"]
    assert issue.component == "NOTE_AREA"
    assert "'Greater Accra'" in issue.message and "'Accra'" in issue.message
