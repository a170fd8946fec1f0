"""Writers of SDMX-ML 2.1 and 3.0 structure messages for a citizen data set.

[`write_structure()`][cdinterop.sdmx.write_structure] writes one complete message: the codelists of
the structure, a concept scheme ``CS_<structure id>``, the data structure definition (DSD) and a
dataflow for the data set that carries, as annotations (`cdinterop.sdmx._annotations`), everything
SDMX structures have no native place for. References are complete (2.1: ``Ref`` with ``agencyID``,
``id``, ``version``, ``class`` and ``package``; 3.0: URNs).

Value types become SDMX text types as follows: string → ``String``, integer → ``Long``
(64-bit, as the Arrow observation table), decimal → ``Double`` (float64, so values round
trip exactly), boolean → ``Boolean``, date → ``GregorianDay``, datetime → ``DateTime``,
uri → ``URI``. Facets become ``minLength``, ``maxLength``, ``pattern``, ``minValue`` and
``maxValue``.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from cdinterop._files import atomic_write
from cdinterop.errors import WriteError
from cdinterop.model import (
    Annotation,
    AttachmentLevel,
    Attribute,
    CitizenDataset,
    Codelist,
    Concept,
    ConceptScheme,
    DataStructure,
    Dimension,
    Facets,
    Group,
    Measure,
    TimeDimension,
    Usage,
    ValueType,
    parse_ref,
)
from cdinterop.sdmx._annotations import encode as encode_annotations
from cdinterop.sdmx._annotations_xml import write_annotations
from cdinterop.sdmx._constraints_xml import SdmxVersion, write_constraints

__all__ = [
    "COMPONENT_ANNOTATION",
    "TEXT_TYPES",
    "VERSIONS",
    "component_notes",
    "structure_message",
    "structure_problem",
    "write_structure",
]

VERSIONS = ("2.1", "3.0")
"""SDMX-ML versions ``write_structure()`` writes."""
TEXT_TYPES: dict[ValueType, str] = {
    ValueType.STRING: "String",
    ValueType.INTEGER: "Long",
    ValueType.DECIMAL: "Double",
    ValueType.BOOLEAN: "Boolean",
    ValueType.DATE: "GregorianDay",
    ValueType.DATETIME: "DateTime",
    ValueType.URI: "URI",
}
"""SDMX ``textType`` of each value type."""
COMPONENT_ANNOTATION = "cdinterop:component"
"""Annotation type on a component for details its SDMX version cannot state natively
(2.1: the usage of the primary measure; both: ``min_length`` 0, which SDMX forbids)."""

_XML_NS = "http://www.w3.org/XML/1998/namespace"
_URN = "urn:sdmx:org.sdmx.infomodel."
_TIME_ID = "TIME_PERIOD"
_NCNAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
_COMPONENT_CLASSES = {
    "str:Dimension": "Dimension",
    "str:TimeDimension": "TimeDimension",
    "str:Attribute": "DataAttribute",
    "str:PrimaryMeasure": "PrimaryMeasure",
    "str:Measure": "Measure",
}
"""SDMX information-model class of each component element (for its URN)."""
_MEASURE_21 = "OBS_VALUE"


class _Writer:
    """Builds one structure message; ``v3`` selects SDMX-ML 3.0 over 2.1."""

    def __init__(self, dataset: CitizenDataset, version: str) -> None:
        self.ds = dataset
        self.st: DataStructure = dataset.structure
        self.v3 = version == "3.0"
        self.version = version
        base = f"http://www.sdmx.org/resources/sdmxml/schemas/v{version.replace('.', '_')}/"
        self.ns = {"mes": base + "message", "str": base + "structure", "com": base + "common"}
        self.scheme_id = f"CS_{self.st.id}"

    # -- elements --------------------------------------------------------------------
    def el(
        self, parent: etree._Element, tag: str, text: str | None = None, **attrib: str
    ) -> etree._Element:
        prefix, name = tag.split(":")
        try:
            node = etree.SubElement(parent, f"{{{self.ns[prefix]}}}{name}", attrib)
            if text is not None:
                node.text = text
        except ValueError:  # lxml: not XML 1.0 characters
            bad = text if text is not None else next(iter(attrib.values()), "")
            raise WriteError(
                f"{_where(parent)} {tag}: {bad[:60]!r} holds characters XML 1.0 cannot carry "
                "(control characters, NUL or lone surrogates); remove them to write SDMX-ML"
            ) from None
        return node

    def texts(self, parent: etree._Element, tag: str, text: dict[str, str] | None) -> None:
        for lang, value in (text or {}).items():
            self.el(parent, tag, value, **{f"{{{_XML_NS}}}lang": lang})

    def annotations(
        self,
        parent: etree._Element,
        pairs: list[tuple[str, str]],
        kept: tuple[Annotation, ...] = (),
    ) -> None:
        """The annotations read with an artefact (``kept``, unchanged) and cdinterop's
        own ``(type, text)`` pairs."""
        ours = tuple(Annotation(type=kind, text={"en": text}) for kind, text in pairs)
        try:
            write_annotations(parent, (*kept, *ours), self.version)
        except ValueError:  # lxml: not XML 1.0 characters
            raise WriteError(
                f"{_where(parent)}: an annotation holds characters XML 1.0 cannot carry "
                "(control characters, NUL or lone surrogates); remove them to write SDMX-ML"
            ) from None

    def maintainable(
        self,
        parent: etree._Element,
        tag: str,
        cls: str,
        ident: tuple[str, str, str],
        name: dict[str, str],
        description: dict[str, str] | None,
        notes: list[tuple[str, str]] | None = None,
        kept: tuple[Annotation, ...] = (),
        final: bool = False,
        partial: bool = False,
        uri: str | None = None,
    ) -> etree._Element:
        agency, id_, version = ident
        attrib = {"isFinal": "true"} if final and not self.v3 else {}
        if partial:
            attrib["isPartial"] = "true"
        if uri is not None:
            attrib["uri"] = uri
        node = self.el(
            parent,
            tag,
            id=id_,
            agencyID=agency,
            version=version,
            urn=self.urn(cls, ident),
            **attrib,
        )
        self.annotations(node, notes or [], kept)
        self.texts(node, "com:Name", name)
        self.texts(node, "com:Description", description)
        return node

    # -- references ------------------------------------------------------------------
    @staticmethod
    def urn(cls: str, ident: tuple[str, str, str], item: str | None = None) -> str:
        agency, id_, version = ident
        return f"{_URN}{cls}={agency}:{id_}({version})" + (f".{item}" if item else "")

    def ref(
        self, parent: etree._Element, cls: str, ident: tuple[str, str, str], item: str | None = None
    ) -> None:
        if self.v3:
            parent.text = self.urn(cls, ident, item)
            return
        package, klass = cls.split(".")
        agency, id_, version = ident
        if item is None:
            attrib = {"id": id_, "agencyID": agency, "version": version}
        else:
            attrib = {
                "id": item,
                "agencyID": agency,
                "maintainableParentID": id_,
                "maintainableParentVersion": version,
            }
        etree.SubElement(parent, "Ref", {**attrib, "class": klass, "package": package})

    def local_ref(self, parent: etree._Element, tag: str, local_id: str) -> None:
        """A reference within the same codelist or DSD: a bare id (3.0) or ``<Ref id>``
        (2.1, whose XSD fixes class and package here; sdmx1 2.28 fails when they are given)."""
        node = self.el(parent, tag, local_id if self.v3 else None)
        if not self.v3:
            etree.SubElement(node, "Ref", id=local_id)

    # -- message ---------------------------------------------------------------------
    def message(self) -> etree._Element:
        root = etree.Element(f"{{{self.ns['mes']}}}Structure", nsmap=self.ns)
        header = self.el(root, "mes:Header")
        self.el(header, "mes:ID", f"{self.ds.id}_STRUCTURE")
        self.el(header, "mes:Test", "false")
        prepared = datetime.now(UTC).replace(microsecond=0).isoformat()
        self.el(header, "mes:Prepared", prepared)
        self.el(header, "mes:Sender", id=self.ds.agency.replace(".", "_"))
        structures = self.el(root, "mes:Structures")
        if not self.v3:
            self.dataflows(structures)
        included = [cl for cl in self.st.codelists if not cl.external]
        if included:
            codelists = self.el(structures, "str:Codelists")
            for codelist in included:
                self.codelist(codelists, codelist)
        self.concepts(structures)
        if self.v3:
            self.dataflows(structures)
        self.dsd(self.el(structures, "str:DataStructures"))
        if self.st.constraints:
            version: SdmxVersion = "3.0" if self.v3 else "2.1"
            write_constraints(structures, self.st.constraints, version, self.ns)
        return root

    def codelist(self, parent: etree._Element, codelist: Codelist) -> None:
        ident = (codelist.agency, codelist.id, codelist.version)
        node = self.item_scheme(parent, "str:Codelist", "codelist.Codelist", codelist)
        for code in codelist.codes:
            urn = self.urn("codelist.Code", ident, code.id)
            item = self.el(node, "str:Code", id=code.id, urn=urn)
            self.annotations(item, [], code.annotations)
            self.texts(item, "com:Name", code.name)
            self.texts(item, "com:Description", code.description)
            if code.parent is not None:
                self.local_ref(item, "str:Parent", code.parent)

    def item_scheme(
        self, parent: etree._Element, tag: str, cls: str, scheme: Codelist | ConceptScheme
    ) -> etree._Element:
        """A codelist or concept scheme element with everything read with it."""
        return self.maintainable(
            parent,
            tag,
            cls,
            (scheme.agency, scheme.id, scheme.version),
            scheme.name,
            scheme.description,
            kept=scheme.annotations,
            final=scheme.final,
            partial=scheme.partial,
            uri=scheme.uri,
        )

    def concepts(self, parent: etree._Element) -> None:
        own = [c for c in self.st.concepts if c.scheme is None]
        schemes = [s for s in self.st.concept_schemes if not s.external]
        if not own and not schemes:
            return
        container = self.el(parent, "str:ConceptSchemes" if self.v3 else "str:Concepts")
        if own:
            scheme = self.maintainable(
                container,
                "str:ConceptScheme",
                "conceptscheme.ConceptScheme",
                self.own_scheme,
                self.st.name,
                None,
            )
            for concept in own:
                self.concept(scheme, concept)
        for read in schemes:
            scheme = self.item_scheme(
                container, "str:ConceptScheme", "conceptscheme.ConceptScheme", read
            )
            for concept in self.st.concepts:
                if concept.scheme == read.ref:
                    self.concept(scheme, concept)

    def concept(self, scheme: etree._Element, concept: Concept) -> None:
        urn = self.urn("conceptscheme.Concept", self.scheme_of(concept), concept.id)
        item = self.el(scheme, "str:Concept", id=concept.id, urn=urn)
        self.annotations(item, [], concept.annotations)
        self.texts(item, "com:Name", concept.name)
        self.texts(item, "com:Description", concept.description)
        if concept.parent is not None:
            self.local_ref(item, "str:Parent", concept.parent)
        if concept.scheme is None:
            self.core_representation(item, concept.id)
        elif concept.codelist is not None:
            rep = self.el(item, "str:CoreRepresentation")
            self.codelist_ref(self.el(rep, "str:Enumeration"), concept.codelist)
        elif concept.text_type is not None:
            rep = self.el(item, "str:CoreRepresentation")
            self.el(rep, "str:TextFormat", textType=concept.text_type)

    @property
    def own_scheme(self) -> tuple[str, str, str]:
        """Identity of the structure's own concept scheme, ``CS_<structure id>``."""
        return (self.st.agency, self.scheme_id, self.st.version)

    def codelist_ref(self, parent: etree._Element, ref: str) -> None:
        codelist = self.st.codelist(ref)
        self.ref(parent, "codelist.Codelist", (codelist.agency, codelist.id, codelist.version))

    def concept_ref(self, parent: etree._Element, ref: str) -> None:
        concept = self.st.concept(ref)
        self.ref(parent, "conceptscheme.Concept", self.scheme_of(concept), concept.id)

    def scheme_of(self, concept: Concept) -> tuple[str, str, str]:
        """Identity of the scheme ``concept`` belongs to (the structure's own by default)."""
        parsed = parse_ref(concept.scheme) if concept.scheme is not None else None
        return self.own_scheme if parsed is None else (parsed.agency, parsed.id, parsed.version)

    def core_representation(self, item: etree._Element, concept_id: str) -> None:
        """The concept's core representation, when the components that use it agree on one.

        Optional in SDMX, but sdmx1 2.28 needs it to read data-set-level attributes."""
        users = [
            c
            for c in self.st.components
            if c.concept_id == concept_id and self.st.concept(c.concept_id).scheme is None
        ]
        if not users:
            return
        first = users[0]
        if isinstance(first, TimeDimension):
            if len(users) == 1:
                rep = self.el(item, "str:CoreRepresentation")
                self.el(rep, "str:TextFormat", textType=first.value_type.value)
            return
        shapes = {(getattr(c, "codelist", None), getattr(c, "value_type", None)) for c in users}
        if len(shapes) != 1 or any(isinstance(c, TimeDimension) for c in users):
            return
        rep = self.el(item, "str:CoreRepresentation")
        if first.codelist is not None:
            self.codelist_ref(self.el(rep, "str:Enumeration"), first.codelist)
        else:
            self.el(rep, "str:TextFormat", textType=TEXT_TYPES[first.value_type])

    def dataflows(self, parent: etree._Element) -> None:
        ds = self.ds
        flow = self.maintainable(
            self.el(parent, "str:Dataflows"),
            "str:Dataflow",
            "datastructure.Dataflow",
            (ds.agency, ds.id, ds.version),
            ds.title,
            ds.description,
            encode_annotations(ds),
        )
        self.ref(self.el(flow, "str:Structure"), "datastructure.DataStructure", self.dsd_ident)

    @property
    def dsd_ident(self) -> tuple[str, str, str]:
        return (self.st.agency, self.st.id, self.st.version)

    # -- data structure --------------------------------------------------------------
    def dsd(self, parent: etree._Element) -> None:
        st = self.st
        node = self.maintainable(
            parent,
            "str:DataStructure",
            "datastructure.DataStructure",
            self.dsd_ident,
            st.name,
            st.description,
            kept=st.annotations,
            final=st.final,
            uri=st.uri,
        )
        components = self.el(node, "str:DataStructureComponents")
        dims = self.descriptor(components, "str:DimensionList", "DimensionDescriptor")
        for position, dim in enumerate(st.dimensions, start=1):
            item = self.component(dims, "str:Dimension", dim, position=str(position))
            self.representation(item, dim)
            self.roles(item, dim)
        if st.time_dimension is not None:
            time = st.time_dimension
            attrib = {} if self.v3 else {"position": str(len(st.dimensions) + 1)}
            item = self.component(dims, "str:TimeDimension", time, **attrib)
            rep = self.el(item, "str:LocalRepresentation")
            self.el(rep, "str:TextFormat", textType=time.value_type.value)
        for group in st.groups:
            self.group(components, group)
        if st.attributes:
            attrs = self.descriptor(components, "str:AttributeList", "AttributeDescriptor")
            for attr in st.attributes:
                self.attribute(attrs, attr)
        measures = self.descriptor(components, "str:MeasureList", "MeasureDescriptor")
        for measure in st.measures:
            tag = "str:Measure" if self.v3 else "str:PrimaryMeasure"
            attrib = {"usage": _usage(measure.usage)} if self.v3 else {}
            item = self.component(measures, tag, measure, **attrib)
            self.representation(item, measure)
            if self.v3:  # a 2.1 primary measure has no concept roles: see component_notes
                self.roles(item, measure)

    def roles(self, node: etree._Element, comp: Dimension | Attribute | Measure) -> None:
        """``ConceptRole`` references, after the representation (SDMX gives the time
        dimension none)."""
        for role in comp.roles:
            parsed = parse_ref(role)
            if parsed is not None and parsed.item is not None:
                scheme = (parsed.agency, parsed.id, parsed.version)
                self.ref(
                    self.el(node, "str:ConceptRole"), "conceptscheme.Concept", scheme, parsed.item
                )

    def descriptor(self, parent: etree._Element, tag: str, id_: str) -> etree._Element:
        """A component list (``DimensionDescriptor``...) with its URN."""
        urn = self.urn(f"datastructure.{id_}", self.dsd_ident, id_)
        return self.el(parent, tag, id=id_, urn=urn)

    def group(self, parent: etree._Element, group: Group) -> None:
        urn = self.urn("datastructure.GroupDimensionDescriptor", self.dsd_ident, group.id)
        node = self.el(parent, "str:Group", id=group.id, urn=urn)
        self.annotations(node, [], group.annotations)
        for dim in group.dimensions:
            self.local_ref(self.el(node, "str:GroupDimension"), "str:DimensionReference", dim)

    def component(
        self,
        parent: etree._Element,
        tag: str,
        comp: Dimension | TimeDimension | Attribute | Measure,
        **attrib: str,
    ) -> etree._Element:
        cls = _COMPONENT_CLASSES[tag] if not (self.v3 and tag == "str:Measure") else "Measure"
        urn = self.urn(f"datastructure.{cls}", self.dsd_ident, comp.id)
        node = self.el(parent, tag, id=comp.id, urn=urn, **attrib)
        text = (
            None
            if isinstance(comp, TimeDimension)
            else component_notes(comp, measure_usage=not self.v3)
        )
        self.annotations(node, [(COMPONENT_ANNOTATION, text)] if text else [], comp.annotations)
        self.concept_ref(self.el(node, "str:ConceptIdentity"), comp.concept_id)
        return node

    def representation(self, node: etree._Element, comp: Dimension | Attribute | Measure) -> None:
        rep = self.el(node, "str:LocalRepresentation")
        if comp.codelist is not None:
            self.codelist_ref(self.el(rep, "str:Enumeration"), comp.codelist)
            if comp.facets is not None:
                self.el(rep, "str:EnumerationFormat", **_facets(comp.id, comp.facets))
            return
        attrib = {"textType": TEXT_TYPES[comp.value_type]}
        if comp.facets is not None:
            attrib.update(_facets(comp.id, comp.facets))
        self.el(rep, "str:TextFormat", **attrib)

    def attribute(self, parent: etree._Element, attr: Attribute) -> None:
        if self.v3:
            usage = {"usage": _usage(attr.usage)}
        else:
            usage = {"assignmentStatus": attr.usage.value.capitalize()}
        node = self.component(parent, "str:Attribute", attr, **usage)
        self.representation(node, attr)
        self.roles(node, attr)
        self.relationship(node, attr)

    def relationship(self, node: etree._Element, attr: Attribute) -> None:
        """SDMX's attribute relationship, as the model states it."""
        rel = self.el(node, "str:AttributeRelationship")
        if attr.attachment is AttachmentLevel.DATASET:
            self.el(rel, "str:Dataflow" if self.v3 else "str:None")
            return
        dims = attr.dimensions
        if dims is None and attr.attachment is AttachmentLevel.SERIES and attr.group is None:
            dims = self.st.series_key_ids
        if dims is not None:
            for dim in dims:
                self.local_ref(rel, "str:Dimension", dim)
            if attr.group is not None and not self.v3:
                self.local_ref(rel, "str:AttachmentGroup", attr.group)
        elif attr.group is not None:
            self.local_ref(rel, "str:Group", attr.group)
        elif self.v3:
            self.el(rel, "str:Observation")
        else:
            self.local_ref(rel, "str:PrimaryMeasure", _MEASURE_21)
        if self.v3 and attr.measures:
            measures = self.el(node, "str:MeasureRelationship")
            for measure in attr.measures:
                self.el(measures, "str:Measure", measure)


def _where(node: etree._Element | None) -> str:
    """The enclosing elements with an id, outermost first, for error messages
    (``Codelist CL_SEX / Code F``)."""
    places = []
    while node is not None:
        if node.get("id") is not None:
            places.append(f"{etree.QName(node).localname} {node.get('id')}")
        node = node.getparent()
    return " / ".join(reversed(places)) or "the structure message"


def component_notes(
    comp: Dimension | Attribute | Measure, *, measure_usage: bool, roles: bool = False
) -> str | None:
    """JSON text of the ``cdinterop:component`` annotation of a component, if it needs one.

    It carries what SDMX cannot state natively: ``min_length`` 0 (SDMX facets are
    positive) and, where ``measure_usage`` is set (SDMX 2.1), a mandatory measure and a
    measure's concept roles (a 2.1 primary measure has none); with ``roles``, every
    component's concept roles (for sdmx1 objects, which hold one at most).
    """
    extra: dict[str, object] = {}
    if measure_usage and isinstance(comp, Measure) and comp.usage is not Usage.CONDITIONAL:
        extra["usage"] = comp.usage.value
    if comp.roles and (roles or (measure_usage and isinstance(comp, Measure))):
        extra["roles"] = list(comp.roles)
    if comp.facets is not None and comp.facets.min_length == 0:
        extra["min_length"] = 0
    return json.dumps(extra, separators=(",", ":")) if extra else None


def _usage(usage: Usage) -> str:
    return "mandatory" if usage is Usage.MANDATORY else "optional"


def _decimal(component_id: str, value: float) -> str:
    if not math.isfinite(value):
        raise WriteError(f"{component_id}: facet value {value!r} is not a finite number")
    return format(Decimal(repr(value)), "f")


def _facets(component_id: str, facets: Facets) -> dict[str, str]:
    attrib: dict[str, str] = {}
    if facets.min_length:
        attrib["minLength"] = str(facets.min_length)
    if facets.max_length is not None:
        attrib["maxLength"] = str(facets.max_length)
    if facets.pattern is not None:
        attrib["pattern"] = facets.pattern
    if facets.min_value is not None:
        attrib["minValue"] = _decimal(component_id, facets.min_value)
    if facets.max_value is not None:
        attrib["maxValue"] = _decimal(component_id, facets.max_value)
    return attrib


def structure_problem(structure: DataStructure, version: str) -> str | None:
    """Why ``structure`` cannot be written as a valid SDMX-ML ``version`` message (or an
    SDMX-JSON one: ``json-2.0``, ``json-2.1``), or ``None`` when it can."""
    from cdinterop.sdmx._json_common import JSON_VERSIONS

    if version in JSON_VERSIONS:  # SDMX-JSON 2.x: the SDMX 3.0 information model
        from cdinterop.sdmx._structure_json_write import json_structure_problem

        return json_structure_problem(structure, JSON_VERSIONS[version])
    if version not in VERSIONS:
        return f"SDMX-ML version {version!r} is not supported; use one of {VERSIONS}"
    time = structure.time_dimension
    if time is not None and time.id != _TIME_ID:
        return f"SDMX requires the time dimension to have id {_TIME_ID}, not {time.id!r}"
    if version == "2.1":
        ids = [m.id for m in structure.measures]
        if len(ids) > 1:
            return (
                f"SDMX-ML 2.1 carries a single primary measure, but structure {structure.id} "
                f"has {len(ids)} measures ({', '.join(ids)}); write SDMX-ML 3.0 instead"
            )
        if ids != [_MEASURE_21]:
            return (
                f"SDMX-ML 2.1 requires the primary measure id {_MEASURE_21}, not {ids[0]!r}; "
                "rename the measure or write SDMX-ML 3.0"
            )
        return _constraint_problem(structure, version)
    problem = _constraint_problem(structure, version)
    if problem is not None:
        return problem
    for codelist in structure.codelists:
        parents = sorted({c.parent for c in codelist.codes if c.parent is not None})
        odd = [p for p in parents if not _NCNAME.fullmatch(p)]
        if odd:
            return (
                f"SDMX-ML 3.0.0 types a code's parent as an NCName (SDMX 3.1 corrects this), "
                f"so codelist {codelist.ref} with parent code(s) {', '.join(odd[:3])}"
                f"{' ...' if len(odd) > 3 else ''} cannot be written as valid 3.0: use SDMX-ML 2.1"
            )
    return None


def _constraint_problem(structure: DataStructure, version: str) -> str | None:
    """Why the structure's content constraints cannot be written in ``version``, if so."""
    if not structure.constraints:
        return None
    sdmx_version: SdmxVersion = "3.0" if version == "3.0" else "2.1"
    base = f"http://www.sdmx.org/resources/sdmxml/schemas/v{version.replace('.', '_')}/"
    ns = {"mes": base + "message", "str": base + "structure", "com": base + "common"}
    scratch = etree.Element(f"{{{ns['mes']}}}Structures")
    try:
        write_constraints(scratch, structure.constraints, sdmx_version, ns)
    except WriteError as exc:
        return f"SDMX-ML {version} cannot state a content constraint: {exc}"
    return None


def _check(structure: DataStructure, version: str) -> None:
    problem = structure_problem(structure, version)
    if problem is not None:
        raise WriteError(problem)


def structure_message(dataset: CitizenDataset, *, version: str = "2.1") -> bytes:
    """Return the structure message of ``dataset`` as UTF-8 SDMX-ML bytes."""
    _check(dataset.structure, version)
    root = _Writer(dataset, version).message()
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def write_structure(
    dataset: CitizenDataset, target: str | Path | IO[bytes], *, version: str = "2.1"
) -> None:
    """Write the SDMX-ML ``version`` ("2.1" or "3.0") structure message of ``dataset``.

    ``target`` is a path (written atomically) or a binary stream. Raises
    [`WriteError`][cdinterop.errors.WriteError] when the structure cannot be expressed in that
    version (e.g. several measures in 2.1); nothing is written then.
    """
    data = structure_message(dataset, version=version)
    if isinstance(target, str | Path):
        with atomic_write(target, "wb") as handle:
            handle.write(data)
    else:
        target.write(data)
