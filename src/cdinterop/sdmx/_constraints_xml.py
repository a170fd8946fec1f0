"""Content constraints in SDMX-ML structure messages: read and written as the model's
[`ContentConstraint`][cdinterop.model.ContentConstraint].

SDMX-ML 2.1 holds them in ``mes:Structures/str:Constraints/str:ContentConstraint`` (``type``
``Allowed`` or ``Actual``), SDMX-ML 3.0 in ``mes:Structures/str:DataConstraints/
str:DataConstraint`` (``role``). In 2.1 the members of a cube region and the values of a data
key are in the common namespace (``com:KeyValue``, ``com:Attribute``, ``com:Value``,
``com:TimeRange``), in 3.0 in the structure namespace (``str:KeyValue``, ``str:Component``).

Not read: metadata key sets and metadata target regions (a ``ReadError``), the attachment
of a constraint to data sets, metadata sets or data sources (a ``ReadError``), 3.0
``validFrom``/``validTo`` of members and values, ``xml:lang`` of values, ``com:Link``.
"""

from __future__ import annotations

from typing import Any, Literal

from lxml import etree  # type: ignore[import-untyped,unused-ignore]
from pydantic import ValidationError

from cdinterop.errors import ReadError, WriteError
from cdinterop.model import (
    Annotation,
    ComponentValues,
    ConstraintPeriod,
    ContentConstraint,
    CubeRegion,
    DataKey,
    DataKeySet,
    ReleaseCalendar,
    TimeRange,
    parse_ref,
)
from cdinterop.model._internal import CONSTRAINABLE_CLASSES, Cascade, constrained_class
from cdinterop.sdmx._annotations_xml import read_annotations, write_annotations

__all__ = ["constraint_urn", "read_constraints", "write_constraints"]

SdmxVersion = Literal["2.1", "3.0"]
_SCHEMAS = "http://www.sdmx.org/resources/sdmxml/schemas/v{}/{}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_URN = "urn:sdmx:org.sdmx.infomodel."
_SOURCE = "SDMX content constraints"
_CONTAINER = {"2.1": "Constraints", "3.0": "DataConstraints"}
_ELEMENT = {"2.1": "ContentConstraint", "3.0": "DataConstraint"}
_ROLE_ATTRIBUTE = {"2.1": "type", "3.0": "role"}
STRUCTURES_ORDER = {
    "2.1": [
        "OrganisationSchemes",
        "Dataflows",
        "Metadataflows",
        "CategorySchemes",
        "Categorisations",
        "Codelists",
        "HierarchicalCodelists",
        "Concepts",
        "MetadataStructures",
        "DataStructures",
        "StructureSets",
        "ReportingTaxonomies",
        "Processes",
        "Constraints",
        "ProvisionAgreements",
        "CustomTypes",
        "VtlMappings",
        "NamePersonalisations",
        "Rulesets",
        "Transformations",
        "UserDefinedOperators",
    ],
    "3.0": [
        "AgencySchemes",
        "Categorisations",
        "CategorySchemeMaps",
        "CategorySchemes",
        "Codelists",
        "ConceptSchemeMaps",
        "ConceptSchemes",
        "CustomTypeSchemes",
        "DataConstraints",
        "DataConsumerSchemes",
        "Dataflows",
        "DataProviderSchemes",
        "DataStructures",
        "GeographicCodelists",
        "GeoGridCodelists",
        "Hierarchies",
        "HierarchyAssociations",
        "MetadataConstraints",
        "Metadataflows",
        "MetadataProviderSchemes",
        "MetadataProvisionAgreements",
        "MetadataStructures",
        "NamePersonalisationSchemes",
        "OrganisationSchemeMaps",
        "OrganisationUnitSchemes",
        "Processes",
        "ProvisionAgreements",
        "ReportingTaxonomies",
        "ReportingTaxonomyMaps",
        "RepresentationMaps",
        "RulesetSchemes",
        "StructureMaps",
        "TransformationSchemes",
        "UserDefinedOperatorSchemes",
        "ValueLists",
        "VtlMappingSchemes",
    ],
}
"""The containers of ``mes:Structures`` in the order the official schemas require."""


def _namespaces(version: str) -> tuple[str, str]:
    if version not in _CONTAINER:
        raise ValueError(f"SDMX-ML version {version!r} is not supported; use 2.1 or 3.0")
    tag = version.replace(".", "_")
    return _SCHEMAS.format(tag, "structure"), _SCHEMAS.format(tag, "common")


def constraint_urn(c: ContentConstraint, version: SdmxVersion = "2.1") -> str:
    """The URN of the constraint: ``...registry.ContentConstraint=AGENCY:ID(VERSION)`` in
    SDMX 2.1, ``...registry.DataConstraint=...`` in SDMX 3.0."""
    return f"{_URN}registry.{_ELEMENT[version]}={c.agency}:{c.id}({c.version})"


def _artefact_urn(cls: str, agency: str, id_: str, version: str, item: str | None) -> str:
    ref = f"{agency}:{id_}({version})" + (f".{item}" if item else "")
    return f"{_URN}{CONSTRAINABLE_CLASSES[cls]}.{cls}={ref}"


# --------------------------------------------------------------------------- reading


class _Reader:
    def __init__(self, version: str) -> None:
        self.version = version
        self.v3 = version == "3.0"
        self.str, self.com = _namespaces(version)
        # members, values and time ranges of regions and keys
        self.member_ns = self.str if self.v3 else self.com

    def s(self, local: str) -> str:
        return f"{{{self.str}}}{local}"

    def c(self, local: str) -> str:
        return f"{{{self.com}}}{local}"

    def m(self, local: str) -> str:
        return f"{{{self.member_ns}}}{local}"

    def texts(self, node: Any, local: str) -> dict[str, str] | None:
        found = {
            str(t.get(_XML_LANG, "en")): t.text or ""
            for t in node.iterfind(self.c(local))
            if (t.text or "").strip()
        }
        return found or None

    def annotations(self, node: Any) -> tuple[Annotation, ...]:
        return read_annotations(node, self.version)

    def attachment(self, node: Any, where: str) -> tuple[str, ...]:
        urns = []
        for ref in node:
            if not isinstance(ref.tag, str):
                continue
            cls = etree.QName(ref).localname
            if cls not in CONSTRAINABLE_CLASSES or etree.QName(ref).namespace != self.str:
                raise ReadError(_SOURCE, f"{where}: an attachment to {cls} is not supported")
            urns.append(self.reference(ref, cls, where))
        return tuple(urns)

    def reference(self, ref: Any, cls: str, where: str) -> str:
        """The URN of a 2.1 ``Ref``/``URN`` or 3.0 URN-text reference."""
        urn: str | None = ref.findtext("URN") if not self.v3 else ref.text
        if urn and urn.strip():
            return urn.strip()
        parts = ref.find("Ref")
        if parts is None:
            raise ReadError(_SOURCE, f"{where}: a {cls} reference has neither Ref nor URN")
        if cls == "DataProvider":
            return _artefact_urn(
                cls,
                parts.get("agencyID", ""),
                parts.get("maintainableParentID", "DATA_PROVIDERS"),
                parts.get("maintainableParentVersion", "1.0"),
                parts.get("id", ""),
            )
        return _artefact_urn(
            cls, parts.get("agencyID", ""), parts.get("id", ""), parts.get("version", "1.0"), None
        )

    def time_range(self, node: Any) -> TimeRange:
        def bound(*names: str) -> tuple[str | None, bool]:
            for name in names:
                found = node.find(self.m(name))
                if found is not None:
                    return (found.text or "").strip(), _bool(found.get("isInclusive"), True)
            return None, True

        start, start_inclusive = bound("StartPeriod", "AfterPeriod")
        end, end_inclusive = bound("EndPeriod", "BeforePeriod")
        return TimeRange(
            start=start, start_inclusive=start_inclusive, end=end, end_inclusive=end_inclusive
        )

    def members(self, node: Any) -> tuple[ComponentValues, ...]:
        found = []
        for member in node:
            if not isinstance(member.tag, str):
                continue
            name = etree.QName(member)
            if name.namespace != self.member_ns or name.localname not in (
                "KeyValue",
                "Attribute",
                "Component",
            ):
                continue
            values = []
            cascade: dict[str, Cascade] = {}
            for value in member.iterfind(self.m("Value")):
                text = value.text or ""
                values.append(text)
                flag = (value.get("cascadeValues") or "false").strip()
                if flag in ("true", "1"):
                    cascade[text] = "true"
                elif flag == "excluderoot":
                    cascade[text] = "excluderoot"
            range_ = member.find(self.m("TimeRange"))
            remove_prefix = member.get("removePrefix")
            found.append(
                ComponentValues(
                    id=member.get("id", ""),
                    key=name.localname == "KeyValue",
                    include=_bool(member.get("include"), True),
                    values=tuple(values),
                    cascade=cascade,
                    time_range=None if range_ is None else self.time_range(range_),
                    remove_prefix=None if remove_prefix is None else _bool(remove_prefix, False),
                )
            )
        return tuple(found)

    def key_set(self, node: Any) -> DataKeySet:
        keys = []
        for key in node.iterfind(self.s("Key")):
            members = self.members(key)
            keys.append(
                DataKey(
                    values=tuple((m.id, m.values[0]) for m in members if m.key),
                    components=tuple(m for m in members if not m.key),
                    annotations=self.annotations(key),
                )
            )
        return DataKeySet(include=_bool(node.get("isIncluded"), True), keys=tuple(keys))

    def constraint(self, node: Any) -> ContentConstraint:
        where = f"{_ELEMENT[self.version]} {node.get('agencyID')}:{node.get('id')}"
        for unsupported in ("MetadataKeySet", "MetadataTargetRegion"):
            if node.find(self.s(unsupported)) is not None:
                raise ReadError(_SOURCE, f"{where}: {unsupported} is not supported")
        attachment = node.find(self.s("ConstraintAttachment"))
        calendar = node.find(self.s("ReleaseCalendar"))
        period = node.find(self.s("ReferencePeriod"))
        role = node.get(_ROLE_ATTRIBUTE[self.version], "Actual")
        if role not in ("Allowed", "Actual"):
            raise ReadError(_SOURCE, f"{where}: unknown role {role!r}")
        return ContentConstraint(
            id=node.get("id", ""),
            agency=node.get("agencyID", ""),
            version=node.get("version", "1.0"),
            name=self.texts(node, "Name") or {},
            description=self.texts(node, "Description"),
            annotations=self.annotations(node),
            role="allowed" if role == "Allowed" else "actual",
            constrains=() if attachment is None else self.attachment(attachment, where),
            key_sets=tuple(self.key_set(k) for k in node.iterfind(self.s("DataKeySet"))),
            cube_regions=tuple(
                CubeRegion(
                    include=_bool(region.get("include"), True),
                    components=self.members(region),
                    annotations=self.annotations(region),
                )
                for region in node.iterfind(self.s("CubeRegion"))
            ),
            release_calendar=None
            if calendar is None
            else ReleaseCalendar(
                periodicity=calendar.findtext(self.s("Periodicity"), ""),
                offset=calendar.findtext(self.s("Offset"), ""),
                tolerance=calendar.findtext(self.s("Tolerance"), ""),
            ),
            reference_period=None
            if period is None
            else ConstraintPeriod(start=period.get("startTime", ""), end=period.get("endTime", "")),
            uri=node.get("uri"),
            final=_bool(node.get("isFinal"), False),
        )


def _bool(text: str | None, default: bool) -> bool:
    if text is None:
        return default
    return text.strip() in ("true", "1")


def read_constraints(root: Any, version: SdmxVersion) -> tuple[ContentConstraint, ...]:
    """The content constraints of an SDMX-ML structure message, in document order.

    ``root`` is the parsed message (``mes:Structure``) or its ``mes:Structures``; ``version``
    is ``"2.1"`` (``str:Constraints/str:ContentConstraint``) or ``"3.0"``
    (``str:DataConstraints/str:DataConstraint``). Raises
    [`ReadError`][cdinterop.errors.ReadError] for what the model cannot hold (metadata key
    sets and target regions, attachments to data sets or data sources) and for constraints
    that break the model's rules.
    """
    reader = _Reader(version)
    found = []
    for container in root.iter(reader.s(_CONTAINER[version])):
        for node in container.iterfind(reader.s(_ELEMENT[version])):
            try:
                found.append(reader.constraint(node))
            except ValidationError as exc:
                where = f"{_ELEMENT[version]} {node.get('agencyID')}:{node.get('id')}"
                problems = "; ".join(
                    f"{'.'.join(map(str, e['loc'])) or '(constraint)'}: {e['msg']}"
                    for e in exc.errors()
                )
                raise ReadError(_SOURCE, f"{where}: {problems}") from None
    return tuple(found)


# --------------------------------------------------------------------------- writing


class _Writer:
    def __init__(self, version: str, ns: dict[str, str]) -> None:
        self.version = version
        self.v3 = version == "3.0"
        self.ns = ns
        self.member_prefix = "str" if self.v3 else "com"

    def el(self, parent: Any, tag: str, text: str | None = None, **attrib: str) -> Any:
        prefix, name = tag.split(":") if ":" in tag else ("", tag)
        qualified = f"{{{self.ns[prefix]}}}{name}" if prefix else name
        node = etree.SubElement(parent, qualified, attrib)
        if text is not None:
            node.text = text
        return node

    def m(self, local: str) -> str:
        return f"{self.member_prefix}:{local}"

    def texts(self, parent: Any, tag: str, text: dict[str, str] | None) -> None:
        for lang, value in (text or {}).items():
            self.el(parent, tag, value, **{_XML_LANG: lang})

    def annotations(self, parent: Any, notes: tuple[Annotation, ...]) -> None:
        write_annotations(parent, notes, self.version)

    def reference(self, parent: Any, urn: str) -> None:
        cls = constrained_class(urn)
        node = self.el(parent, f"str:{cls}")
        if self.v3:
            node.text = urn
            return
        ref = parse_ref(urn.partition("=")[2])
        if ref is None or (cls == "DataProvider") != (ref.item is not None):
            self.el(node, "URN", urn)
            return
        if ref.item is not None:
            attrib = {
                "agencyID": ref.agency,
                "maintainableParentID": ref.id,
                "maintainableParentVersion": ref.version,
                "id": ref.item,
            }
        else:
            attrib = {"agencyID": ref.agency, "id": ref.id, "version": ref.version}
        self.el(node, "Ref", **attrib)

    def time_range(self, parent: Any, range_: TimeRange) -> None:
        node = self.el(parent, self.m("TimeRange"))
        bounds = []
        if range_.start is not None and range_.end is not None:
            bounds = [
                ("StartPeriod", range_.start, range_.start_inclusive),
                ("EndPeriod", range_.end, range_.end_inclusive),
            ]
        elif range_.start is not None:
            bounds = [("AfterPeriod", range_.start, range_.start_inclusive)]
        elif range_.end is not None:
            bounds = [("BeforePeriod", range_.end, range_.end_inclusive)]
        for tag, period, inclusive in bounds:
            self.el(node, self.m(tag), period, isInclusive=_xml_bool(inclusive))

    def member(self, parent: Any, member: ComponentValues) -> None:
        other = "Component" if self.v3 else "Attribute"
        attrib = {"id": member.id, "include": _xml_bool(member.include)}
        if member.remove_prefix is not None:
            if not self.v3:
                raise WriteError(f"{member.id}: removePrefix cannot be written in SDMX-ML 2.1")
            attrib["removePrefix"] = _xml_bool(member.remove_prefix)
        node = self.el(parent, self.m("KeyValue" if member.key else other), **attrib)
        for value in member.values:
            cascade = member.cascade.get(value)
            if cascade == "excluderoot" and not self.v3:
                raise WriteError(
                    f"{member.id}: cascadeValues='excluderoot' cannot be written in SDMX-ML 2.1"
                )
            self.el(node, self.m("Value"), value, **({"cascadeValues": cascade} if cascade else {}))
        if member.time_range is not None:
            self.time_range(node, member.time_range)

    def key_set(self, parent: Any, key_set: DataKeySet) -> None:
        node = self.el(parent, "str:DataKeySet", isIncluded=_xml_bool(key_set.include))
        for key in key_set.keys:
            if not self.v3 and (key.components or key.annotations):
                raise WriteError(
                    "a data key with components or annotations cannot be written in SDMX-ML 2.1"
                )
            key_node = self.el(node, "str:Key")
            self.annotations(key_node, key.annotations)
            for dim, value in key.values:
                self.el(self.el(key_node, self.m("KeyValue"), id=dim), self.m("Value"), value)
            for member in key.components:
                self.member(key_node, member)

    def region(self, parent: Any, region: CubeRegion) -> None:
        if region.annotations and not self.v3:
            raise WriteError("cube region annotations cannot be written in SDMX-ML 2.1")
        node = self.el(parent, "str:CubeRegion", include=_xml_bool(region.include))
        self.annotations(node, region.annotations)
        for member in region.components:
            self.member(node, member)

    def constraint(self, parent: Any, c: ContentConstraint) -> None:
        attrib = {
            "id": c.id,
            "agencyID": c.agency,
            "version": c.version,
            "urn": constraint_urn(c, "3.0" if self.v3 else "2.1"),
            _ROLE_ATTRIBUTE[self.version]: "Allowed" if c.role == "allowed" else "Actual",
        }
        if c.uri is not None:
            attrib["uri"] = c.uri
        if c.final and not self.v3:
            attrib["isFinal"] = "true"
        node = self.el(parent, f"str:{_ELEMENT[self.version]}", **attrib)
        self.annotations(node, c.annotations)
        self.texts(node, "com:Name", c.name)
        self.texts(node, "com:Description", c.description)
        if c.constrains:
            attachment = self.el(node, "str:ConstraintAttachment")
            for urn in c.constrains:
                self.reference(attachment, urn)
        if self.v3:
            if c.reference_period is not None:
                raise WriteError(f"{c.id}: ReferencePeriod cannot be written in SDMX-ML 3.0")
            if len(c.cube_regions) > 2:
                raise WriteError(f"{c.id}: SDMX-ML 3.0 allows at most two cube regions")
            self.calendar(node, c.release_calendar)
        for key_set in c.key_sets:
            self.key_set(node, key_set)
        for region in c.cube_regions:
            self.region(node, region)
        if not self.v3:
            self.calendar(node, c.release_calendar)
            if c.reference_period is not None:
                self.el(
                    node,
                    "str:ReferencePeriod",
                    startTime=c.reference_period.start,
                    endTime=c.reference_period.end,
                )

    def calendar(self, parent: Any, calendar: ReleaseCalendar | None) -> None:
        if calendar is None:
            return
        node = self.el(parent, "str:ReleaseCalendar")
        self.el(node, "str:Periodicity", calendar.periodicity)
        self.el(node, "str:Offset", calendar.offset)
        self.el(node, "str:Tolerance", calendar.tolerance)


def _xml_bool(flag: bool) -> str:
    return "true" if flag else "false"


def _container(structures: Any, version: str, ns: dict[str, str]) -> Any:
    """The constraints container of ``structures``, created in schema order if absent."""
    order = STRUCTURES_ORDER[version]
    name = _CONTAINER[version]
    existing = structures.find(f"{{{ns['str']}}}{name}")
    if existing is not None:
        return existing
    container = etree.Element(f"{{{ns['str']}}}{name}")
    later = set(order[order.index(name) + 1 :])
    for child in structures:
        if isinstance(child.tag, str) and etree.QName(child).localname in later:
            child.addprevious(container)
            return container
    structures.append(container)
    return container


def write_constraints(
    structures: Any,
    constraints: tuple[ContentConstraint, ...] | list[ContentConstraint],
    version: SdmxVersion,
    ns: dict[str, str],
) -> None:
    """Write ``constraints`` into ``structures`` (a ``mes:Structures`` element).

    The container (2.1 ``str:Constraints``, 3.0 ``str:DataConstraints``) is created at its
    place in the schema's order of containers, or reused if present; ``ns`` maps ``"str"``
    and ``"com"`` to the namespaces of ``version``. Nothing is written when there are no
    constraints. Raises [`WriteError`][cdinterop.errors.WriteError] for what ``version``
    cannot express (3.0: a reference period, more than two cube regions; 2.1:
    ``excluderoot`` cascades, ``removePrefix``, annotations of regions and keys,
    components of data keys).
    """
    if not constraints:
        return
    expected = _namespaces(version)
    if (ns.get("str"), ns.get("com")) != expected:
        raise ValueError(f"ns must map 'str' and 'com' to the SDMX-ML {version} namespaces")
    writer = _Writer(version, ns)
    container = _container(structures, version, ns)
    for c in constraints:
        writer.constraint(container, c)
