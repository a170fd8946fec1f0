"""What sdmx1 2.28 cannot read of a structure message, taken from the document itself.

[`read_structure()`][cdinterop.sdmx.read_structure] reads structure messages with sdmx1, which
fails on some valid SDMX-ML or reads it wrongly. `close_sdmx1_gaps()` rewrites what sdmx1
cannot parse into what it can (3.0 ``<str:Dataflow/>`` and ``<str:Group>`` attribute
relationships, the text types ``URI`` and ``TimeRange``) and collects, from the parsed
document, the facts sdmx1 loses or misreads, which the converter then restores:

- 3.0 attribute and measure ``usage`` and group relationships;
- ``uri`` of maintainables (lost when a reference to the artefact comes first);
- the document order of codes (sdmx1 moves a parent named before it is defined);
- the annotations of a DSD and its components (sdmx1 hands a DSD's annotations to its
  first component);
- the codelist each component is enumerated by (sdmx1 resolves a reference by id alone,
  so of two codelists with the same id from different agencies it may pick the wrong one).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from cdinterop.model import Annotation, ContentConstraint, Usage, parse_ref
from cdinterop.sdmx._annotations_xml import read_annotations
from cdinterop.sdmx._constraints_xml import SdmxVersion, read_constraints

__all__ = ["Ident", "Sdmx1Gaps", "close_sdmx1_gaps", "dsd_key"]

_SCHEMAS = "http://www.sdmx.org/resources/sdmxml/schemas/v{}/{}"
_STRUCTURE_NS = {v: _SCHEMAS.format(v.replace(".", "_"), "structure") for v in ("2.1", "3.0")}
_SDMX1_UNREADABLE = frozenset({"URI", "TimeRange"})
_COMPONENTS = ("Dimension", "TimeDimension", "Attribute", "PrimaryMeasure", "Measure", "Group")

Ident = tuple[str, str, str]
"""Agency, id and version of a maintainable artefact."""


def dsd_key(agency: str, id_: str, version: str) -> str:
    """``AGENCY:ID(VERSION)``, the key of a DSD's facts."""
    return f"{agency}:{id_}({version})"


@dataclass
class Sdmx1Gaps:
    """Facts of the document that sdmx1 cannot hold, keyed by (DSD URN part, component)."""

    text_types: dict[tuple[str, str], str] = field(default_factory=dict)
    usage: dict[tuple[str, str], Usage] = field(default_factory=dict)
    groups: dict[tuple[str, str], str] = field(default_factory=dict)
    """3.0 ``AttributeRelationship/Group`` (sdmx1 2.28 crashes on it), by attribute."""
    uris: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    """``uri`` of maintainables by (element name, agency, id, version): sdmx1 2.28 drops
    it when a reference to the artefact came first."""
    code_order: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    """Codes of each codelist in document order (sdmx1 2.28 moves a parent that comes
    after its children to where the first child names it)."""
    annotations: dict[tuple[str, str], tuple[Annotation, ...]] = field(default_factory=dict)
    """Annotations of each DSD (component ``""``) and of its components and groups, all of
    them (cdinterop's own included), as in the document."""
    enumerations: dict[tuple[str, str], Ident] = field(default_factory=dict)
    """The codelist of each enumerated component, as the document references it."""
    constraints: tuple[ContentConstraint, ...] = ()
    """The message's content constraints, read by cdinterop (sdmx1 2.28 crashes on a
    release calendar or reference period and keeps one data key set)."""
    from_document: bool = False
    """Whether these facts were taken from a document (else sdmx1's objects are all there is)."""
    roles: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    """The concept roles of each component (``AGENCY:SCHEME(VERSION).ID``); sdmx1 2.28
    keeps one at most."""


def _enumeration(rep: etree._Element) -> Ident | None:
    """The codelist an ``Enumeration`` element references (2.1 ``Ref`` or ``URN``, 3.0
    URN text)."""
    ref = rep.find("Ref")
    if ref is not None:
        return (ref.get("agencyID", ""), ref.get("id", ""), ref.get("version", "1.0"))
    urn = rep.findtext("URN") or rep.text or ""
    parsed = parse_ref(urn.strip().rpartition("=")[2])
    return None if parsed is None else (parsed.agency, parsed.id, parsed.version)


def _concept(node: etree._Element) -> str | None:
    """``AGENCY:SCHEME(VERSION).ID`` of a concept reference (2.1 ``Ref`` or ``URN``, 3.0
    URN text)."""
    ref = node.find("Ref")
    if ref is not None:
        return (
            f"{ref.get('agencyID', '')}:{ref.get('maintainableParentID', '')}"
            f"({ref.get('maintainableParentVersion', '1.0')}).{ref.get('id', '')}"
        )
    urn = (node.findtext("URN") or node.text or "").strip()
    parsed = parse_ref(urn.rpartition("=")[2])
    return None if parsed is None or parsed.item is None else urn.rpartition("=")[2]


def _component_facts(
    comp: etree._Element, name: str, key: str, version: str, gaps: Sdmx1Gaps
) -> None:
    """Note the annotations, concept roles and codelist of one component or group."""
    ns = _STRUCTURE_NS[version]
    gaps.annotations[key, name] = read_annotations(comp, version)
    roles = tuple(
        role for node in comp.iterfind(f"{{{ns}}}ConceptRole") if (role := _concept(node))
    )
    if roles:
        gaps.roles[key, comp.get("id", "")] = roles
    enumeration = comp.find(f"{{{ns}}}LocalRepresentation/{{{ns}}}Enumeration")
    ident = None if enumeration is None else _enumeration(enumeration)
    if ident is not None:
        gaps.enumerations[key, comp.get("id", "")] = ident


def _dsd_facts(dsd: etree._Element, key: str, version: str, gaps: Sdmx1Gaps) -> None:
    """Note the annotations of a DSD and its components, their roles and codelists."""
    ns = _STRUCTURE_NS[version]
    gaps.annotations[key, ""] = read_annotations(dsd, version)
    for local in _COMPONENTS:
        for comp in dsd.iter(f"{{{ns}}}{local}"):
            if comp.getparent() is None or comp.get("id") is None:
                continue
            name = f"group:{comp.get('id')}" if local == "Group" else comp.get("id", "")
            _component_facts(comp, name, key, version, gaps)


def _tag(ns: str, local: str) -> str:
    """The Clark name ``{ns}local``."""
    return f"{{{ns}}}{local}"


def _unreadable_text_types(dsd: etree._Element, key: str, ns: str, gaps: Sdmx1Gaps) -> None:
    """Note the text types of a DSD's components sdmx1 cannot read, and make them
    ``String``."""
    for fmt in dsd.iter(_tag(ns, "TextFormat")):
        text_type = fmt.get("textType")
        if text_type in _SDMX1_UNREADABLE:
            component = fmt.getparent().getparent()  # LocalRepresentation → component
            gaps.text_types[key, component.get("id", "")] = text_type
            fmt.set("textType", "String")


def _group_dimensions(dsd: etree._Element, ns: str) -> dict[str, list[str]]:
    """The dimensions of each group of a 3.0 DSD."""
    return {
        group.get("id", ""): [
            (ref.text or "").strip() for ref in group.iter(_tag(ns, "DimensionReference"))
        ]
        for group in dsd.iter(_tag(ns, "Group"))
    }


def _rewrite_attribute(
    attr: etree._Element,
    key: str,
    ns: str,
    group_dims: dict[str, list[str]],
    gaps: Sdmx1Gaps,
) -> None:
    """Give a 3.0 attribute the 2.1 ``assignmentStatus`` sdmx1 reads, drop its
    ``Dataflow`` relationship and turn a ``Group`` one into the group's dimensions (the
    group noted)."""
    usage = attr.get("usage", "optional")
    attr.set("assignmentStatus", "Mandatory" if usage == "mandatory" else "Conditional")
    relationship_path = _tag(ns, "AttributeRelationship")
    for flow in attr.findall(f"{relationship_path}/{_tag(ns, 'Dataflow')}"):
        flow.getparent().remove(flow)
    for group in attr.findall(f"{relationship_path}/{_tag(ns, 'Group')}"):
        group_id = (group.text or "").strip()
        gaps.groups[key, attr.get("id", "")] = group_id
        relationship = group.getparent()
        relationship.remove(group)
        for dim in group_dims.get(group_id, []):
            etree.SubElement(relationship, _tag(ns, "Dimension")).text = dim


def _measure_usage(dsd: etree._Element, key: str, ns: str, gaps: Sdmx1Gaps) -> None:
    """Note the usage of each measure of a 3.0 DSD."""
    for measure in dsd.findall(f".//{_tag(ns, 'MeasureList')}/{_tag(ns, 'Measure')}"):
        usage = Usage.MANDATORY if measure.get("usage") == "mandatory" else Usage.CONDITIONAL
        gaps.usage[key, measure.get("id", "")] = usage


def _rewrite_30_dsd(dsd: etree._Element, key: str, ns: str, gaps: Sdmx1Gaps) -> None:
    """Rewrite the attribute relationships of a 3.0 DSD and note its usages."""
    group_dims = _group_dimensions(dsd, ns)
    for attr in dsd.iter(_tag(ns, "Attribute")):
        _rewrite_attribute(attr, key, ns, group_dims, gaps)
    _measure_usage(dsd, key, ns, gaps)


def _maintainable_facts(root: etree._Element, ns: str, gaps: Sdmx1Gaps) -> None:
    """Note the ``uri`` of codelists, concept schemes and DSDs, and the document order of
    each codelist's codes."""
    for node in root.iter(
        _tag(ns, "Codelist"), _tag(ns, "ConceptScheme"), _tag(ns, "DataStructure")
    ):
        if node.get("uri"):
            ident = (node.get("agencyID", ""), node.get("id", ""), node.get("version", "1.0"))
            gaps.uris[(etree.QName(node).localname, *ident)] = node.get("uri", "")
    for codelist in root.iter(_tag(ns, "Codelist")):
        ident = (
            codelist.get("agencyID", ""),
            codelist.get("id", ""),
            codelist.get("version", "1.0"),
        )
        gaps.code_order[ident] = [
            code.get("id", "") for code in codelist.iterfind(_tag(ns, "Code"))
        ]


def close_sdmx1_gaps(root: etree._Element, version: str) -> Sdmx1Gaps:
    """Rewrite what sdmx1 cannot read into what it can; return the facts to restore."""
    ns = _STRUCTURE_NS[version]
    sdmx_version: SdmxVersion = "3.0" if version == "3.0" else "2.1"
    gaps = Sdmx1Gaps(from_document=True, constraints=read_constraints(root, sdmx_version))
    for container in list(root.iter(_tag(ns, "Constraints"), _tag(ns, "DataConstraints"))):
        container.getparent().remove(container)  # read above; sdmx1 need not see them
    for dsd in root.iter(_tag(ns, "DataStructure")):
        key = dsd_key(dsd.get("agencyID", ""), dsd.get("id", ""), dsd.get("version", "1.0"))
        _dsd_facts(dsd, key, version, gaps)
        _unreadable_text_types(dsd, key, ns, gaps)
        if version == "3.0":
            _rewrite_30_dsd(dsd, key, ns, gaps)
    _maintainable_facts(root, ns, gaps)
    for fmt in root.iter(_tag(ns, "TextFormat"), _tag(ns, "EnumerationFormat")):
        if fmt.get("textType") in _SDMX1_UNREADABLE:
            fmt.set("textType", "String")  # outside DSDs (e.g. concept core representations)
    return gaps
