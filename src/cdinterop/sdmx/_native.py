"""sdmx1 interop: structure messages to and from a
[`CitizenDataset`][cdinterop.model.CitizenDataset].

- [`read_structure()`][cdinterop.sdmx.read_structure] reads an SDMX-ML 2.1 or 3.0 structure message
  safely (untrusted XML: no DTD, no entities, no network) with sdmx1 and converts it;
- [`from_structure()`][cdinterop.sdmx.from_structure] converts an sdmx1 ``StructureMessage`` (a
  dataflow and its DSD, or a DSD alone) into a data set without observations, restoring the
  ``cdinterop:*`` annotations written by `cdinterop.sdmx._structure_xml`;
- [`to_structure()`][cdinterop.sdmx.to_structure] builds the same content as sdmx1 (SDMX 2.1
  information model) objects, for pipelines that work in sdmx1.

sdmx1 2.28 cannot read some valid SDMX-ML: the 3.0 ``<str:Dataflow/>`` attribute relationship (it
crashes), the 3.0 ``usage`` of attributes and measures (ignored), and the text types ``URI`` and
``TimeRange`` (it crashes). [`read_structure()`][cdinterop.sdmx.read_structure] works around these
on the checked document before sdmx1 sees it and restores the facts afterwards.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree  # type: ignore[import-untyped,unused-ignore]
from pydantic import ValidationError

from cdinterop._safe_xml import parse_bytes
from cdinterop.errors import InvalidDatasetError, ReadError, issues_from_pydantic
from cdinterop.model import (
    Annotation,
    AttachmentLevel,
    Attribute,
    CitizenDataset,
    Code,
    Codelist,
    Concept,
    ConceptScheme,
    ContentConstraint,
    DataStructure,
    Dimension,
    Facets,
    Group,
    Measure,
    TimeDimension,
    TimeValueType,
    Usage,
    ValueType,
)
from cdinterop.sdmx._annotations import decode as decode_annotations
from cdinterop.sdmx._annotations import encode as encode_annotations
from cdinterop.sdmx._annotations import is_ours
from cdinterop.sdmx._sdmx1_gaps import Sdmx1Gaps as _Sdmx1Gaps
from cdinterop.sdmx._sdmx1_gaps import close_sdmx1_gaps as _close_sdmx1_gaps
from cdinterop.sdmx._sdmx1_gaps import dsd_key as _dsd_key
from cdinterop.sdmx._structure_xml import COMPONENT_ANNOTATION, TEXT_TYPES, component_notes

if TYPE_CHECKING:
    from sdmx.message import StructureMessage

__all__ = ["from_structure", "read_structure", "to_structure"]

_SCHEMAS = "http://www.sdmx.org/resources/sdmxml/schemas/v{}/{}"
_MESSAGE_NS = {_SCHEMAS.format(v.replace(".", "_"), "message"): v for v in ("2.1", "3.0")}
_STRUCTURE_NS = {v: _SCHEMAS.format(v.replace(".", "_"), "structure") for v in ("2.1", "3.0")}
_SDMX1_UNREADABLE = frozenset({"URI", "TimeRange"})
_SOURCE = "SDMX structure message"
_DSD_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure="
_FLOW_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow="

_VALUE_TYPES: dict[str, ValueType] = {
    **{name: ValueType.STRING for name in ("string", "alpha", "alphaNumeric", "numeric")},
    **{name: ValueType.INTEGER for name in ("bigInteger", "integer", "long", "short", "count")},
    **{name: ValueType.DECIMAL for name in ("decimal", "float", "double")},
    "boolean": ValueType.BOOLEAN,
    "gregorianDay": ValueType.DATE,
    "dateTime": ValueType.DATETIME,
    "uri": ValueType.URI,
}
"""sdmx1 ``FacetValueType`` names → value types (anything else reads as a string)."""


def _fvt_name(text_type: str) -> str:
    """sdmx1 ``FacetValueType`` member name of an SDMX-ML ``textType``."""
    return {"URI": "uri", "TimeRange": "timesRange"}.get(
        text_type, text_type[:1].lower() + text_type[1:]
    )


def _text_type(fvt_name: str) -> str:
    return {"uri": "URI", "timesRange": "TimeRange"}.get(
        fvt_name, fvt_name[:1].upper() + fvt_name[1:]
    )


# -- safe reading --------------------------------------------------------------------


def _load(source: str | Path | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, "<bytes>"
    try:
        return Path(source).read_bytes(), str(source)
    except OSError as exc:
        raise ReadError(str(source), exc.strerror or str(exc)) from None


def _parse(data: bytes, name: str) -> etree._Element:
    """Parse untrusted XML: no DTD, no entity expansion, no network, no huge trees."""
    root: etree._Element = parse_bytes(data, name)  # refuses a DTD wherever it is
    return root


_SDMX1_IMPORT_ORDER = """sdmx1 2.28 builds its SDMX-ML 3.0 reader from the 2.1 reader's
parser table when first imported; reading a structure-specific data message with the 2.1
reader first adds the DSD's namespace to that table, and the later 3.0 import then fails
(ValueError on the namespace URN). Importing the 3.0 reader before any read avoids it."""


SDMX1_TESTED_BELOW = (2, 29)
"""The sdmx1 releases the import-order workaround is tested with end below this one (the pin
``sdmx1>=2.20,<2.29`` in pyproject.toml)."""


def _sdmx1_mixes_reader_tables() -> bool:
    """Whether the installed sdmx1 is one of the releases known to mix its readers' parser
    tables (below ``SDMX1_TESTED_BELOW``): only those get the workaround."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = tuple(int(part) for part in version("sdmx1").split(".")[:2])
    except (PackageNotFoundError, ValueError):  # a source checkout: assume the known behaviour
        return True
    return release < SDMX1_TESTED_BELOW


def _import_sdmx1_v30_reader() -> None:
    """Import sdmx1's SDMX-ML 3.0 reader, even after sdmx1 has read structure-specific data.

    sdmx1 2.28 registers the namespace of every structure-specific data message it reads in
    the SDMX-ML 2.1 reader's class-level parser table; importing its 3.0 reader later copies
    that table and fails on those namespaces (``ValueError: urn:…ObsLevelDim:…``). The
    extra entries are set aside while the 3.0 reader is imported, then put back. The
    behaviour is reproduced in ``tests/sdmx/test_sdmx1_import_order.py``; the pin
    ``sdmx1<2.29`` is its tested upper bound (raise it once that test shows a fix).
    """
    import sys

    if "sdmx.reader.xml.v30" in sys.modules or not _sdmx1_mixes_reader_tables():
        return
    from sdmx.reader.xml import v21

    known = set(v21.Reader.format.NS.values())
    extra = {
        key: parser
        for key, parser in v21.Reader.parser.items()
        if etree.QName(key[0]).namespace not in known
    }
    for key in extra:
        del v21.Reader.parser[key]
    try:
        import sdmx.reader.xml.v30  # noqa: F401
    finally:
        v21.Reader.parser.update(extra)


def read_structure(source: str | Path | bytes, *, dataflow: str | None = None) -> CitizenDataset:
    """Read an SDMX-ML 2.1 or 3.0, or an SDMX-JSON 2.0 or 2.1, structure message (told
    apart by the content) into a data set without observations.

    ``source`` is a path or the document's bytes. ``dataflow`` picks a dataflow by id when the
    message has several. Raises [`ReadError`][cdinterop.errors.ReadError] when the input is not XML,
    declares a DOCTYPE or entities, is not a structure message, or has no data structure definition;
    [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError] when its content breaks the
    model's rules.
    """
    data, name = _load(source)
    from cdinterop.sdmx._structure_json import is_json, read_structure_json

    if is_json(data):  # an SDMX-JSON structure message
        return read_structure_json(data, name, dataflow=dataflow)
    _import_sdmx1_v30_reader()

    import sdmx

    root = _parse(data, name)
    qname = etree.QName(root)
    version = _MESSAGE_NS.get(qname.namespace or "")
    if version is None or qname.localname != "Structure":
        raise ReadError(
            name, f"not an SDMX-ML 2.1 or 3.0 structure message (root element {qname.text})"
        )
    gaps = _close_sdmx1_gaps(root, version)
    checked = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    try:
        message = sdmx.read_sdmx(io.BytesIO(checked), format="XML")
    except Exception as exc:  # sdmx1 raises XMLParseError and assorted others
        raise ReadError(name, f"sdmx1 cannot read the structure message: {exc}") from None
    return _convert(message, dataflow, gaps, name)


# -- sdmx1 → model -------------------------------------------------------------------


def from_structure(message: StructureMessage, *, dataflow: str | None = None) -> CitizenDataset:
    """Convert an sdmx1 ``StructureMessage`` into a data set without observations.

    The dataflow is the one with id ``dataflow``, or the only one in the message; with
    none, the DSD alone gives the data set's id, agency, version and title. Restores every
    metadata field from the dataflow's ``cdinterop:*`` annotations when present.
    """
    return _convert(message, dataflow, _Sdmx1Gaps(), _SOURCE)


def _text(value: Any) -> dict[str, str]:
    locs = getattr(value, "localizations", None) or {}
    return {str(lang): str(text) for lang, text in locs.items() if text and str(text).strip()}


def _ident(obj: Any) -> tuple[str, str, str]:
    maintainer = getattr(obj, "maintainer", None)
    return (str(getattr(maintainer, "id", "")), str(obj.id), str(obj.version or "1.0"))


def _annotation_pairs(obj: Any) -> list[tuple[str, str]]:
    pairs = []
    for note in getattr(obj, "annotations", []):
        if is_ours(note.type) or note.type == COMPONENT_ANNOTATION:
            locs = _text(note.text)
            text = locs.get("en") or next(iter(locs.values()), None) or note.value or ""
            pairs.append((str(note.type), text))
    return pairs


def _pick(message: Any, dataflow: str | None, name: str) -> tuple[Any, Any]:
    """Return (dataflow or None, DSD) from the message."""
    flows = list(message.dataflow.values())
    if dataflow is not None:
        found = [f for f in flows if f.id == dataflow]
        if not found:
            ids = ", ".join(f.id for f in flows) or "none"
            raise ReadError(name, f"no dataflow {dataflow!r} (dataflows: {ids})")
        flow = found[0]
    elif len(flows) > 1:
        ids = ", ".join(f.id for f in flows)
        raise ReadError(name, f"several dataflows ({ids}); choose one with dataflow=")
    else:
        flow = flows[0] if flows else None
    dsds = list(message.structure.values())
    if flow is not None:
        target = flow.structure
        dsd = next((d for d in dsds if target is not None and _ident(d) == _ident(target)), None)
        if dsd is None:
            raise ReadError(
                name,
                f"dataflow {_dsd_key(*_ident(flow))} refers to DSD "
                f"{_dsd_key(*_ident(target)) if target is not None else '(none)'}, "
                "which the message lacks",
            )
        return flow, dsd
    if len(dsds) != 1:
        problem = "no data structure definition" if not dsds else "several DSDs and no dataflow"
        raise ReadError(name, problem)
    return None, dsds[0]


class _Converter:
    """Turns one sdmx1 DSD (and its dataflow) into model objects, keeping the identity
    (agency, id, version) and annotations of every artefact as read."""

    def __init__(self, message: Any, dsd: Any, gaps: _Sdmx1Gaps, ours: bool, name: str) -> None:
        self.name = name
        self.message = message
        self.dsd = dsd
        self.key = _dsd_key(*_ident(dsd))
        self.gaps = gaps
        self.ours = ours
        self.codelists: dict[tuple[str, str, str], Any] = {}
        self.schemes: dict[tuple[str, str, str], Any] = {}
        self.loose_concepts: dict[str, Concept] = {}
        self.scheme_of = {
            id(concept): scheme for scheme in message.concept_scheme.values() for concept in scheme
        }

    def structure(self) -> DataStructure:
        agency, id_, version = _ident(self.dsd)
        dims: list[Dimension] = []
        time: TimeDimension | None = None
        for comp in self.dsd.dimensions.components:
            kind = type(comp).__name__
            if kind == "TimeDimension":
                time = self.time_dimension(comp)
            elif kind == "MeasureDimension":
                raise ReadError(self.name, f"measure dimension {comp.id} is not supported")
            else:
                dims.append(Dimension(**self.represented(comp)))
        dim_ids = tuple(d.id for d in dims)
        groups = [
            Group(
                id=str(group_id),
                dimensions=tuple(d.id for d in group.components),
                annotations=self.notes_of(f"group:{group_id}", group),
            )
            for group_id, group in self.dsd.group_dimensions.items()
        ]
        attrs = [self.attribute(a, dim_ids, time) for a in self.dsd.attributes.components]
        measures = [self.measure(m) for m in self.dsd.measures.components]
        listed = self.concept_list()  # first: core representations may name more codelists
        codelists = self.codelist_list()
        refs = _codelist_refs(codelists)
        concepts = [_with_codelist_ref(c, refs) for c in listed]
        concept_refs = _concept_refs(concepts)

        def fix(component: Any) -> Any:
            update: dict[str, Any] = {}
            codelist = getattr(component, "codelist", None)
            if codelist is not None:
                update["codelist"] = refs[codelist]
            if component.concept is not None:
                ref = concept_refs.get(component.concept, component.concept)
                update["concept"] = None if ref == component.id else ref
            return component.model_copy(update=update) if update else component

        return DataStructure(
            id=id_,
            agency=agency,
            version=version,
            name=_text(self.dsd.name) or {"en": id_},
            description=_text(self.dsd.description) or None,
            concepts=concepts,
            concept_schemes=self.scheme_list(),
            codelists=codelists,
            dimensions=[fix(d) for d in dims],
            time_dimension=fix(time) if time is not None else None,
            groups=groups,
            attributes=[fix(a) for a in attrs],
            measures=[fix(m) for m in measures],
            annotations=self.notes_of("", self.dsd),
            constraints=self.constraints(),
            final=bool(getattr(self.dsd, "is_final", False)),
            uri=self.uri("DataStructure", self.dsd),
        )

    # -- components ------------------------------------------------------------------
    def concept_of(self, comp: Any) -> str | None:
        """The concept's provisional reference (``AGENCY:SCHEME(VERSION).ID``, or a bare
        id for the structure's own scheme or a concept without a scheme), or ``None``
        when it is the component's id in the structure's own scheme."""
        concept = comp.concept_identity
        concept_id = str(getattr(concept, "id", None) or comp.id)
        scheme = self.scheme_of.get(id(concept))
        if scheme is None and type(getattr(concept, "parent", None)).__name__ == "ConceptScheme":
            scheme = concept.parent  # a stub of a scheme the message does not include
        if scheme is not None and not self.own_scheme(scheme):
            ident = _ident(scheme)
            self.schemes.setdefault(ident, scheme)
            return f"{_dsd_key(*ident)}.{concept_id}"
        if concept_id not in self.loose_concepts:
            self.loose_concepts[concept_id] = self.concept(concept, concept_id, None)
        return None if concept_id == comp.id else concept_id

    def own_scheme(self, scheme: Any) -> bool:
        """Whether ``scheme`` is the ``CS_<DSD id>`` scheme cdinterop writes for the DSD."""
        agency, id_, version = _ident(self.dsd)
        return self.ours and _ident(scheme) == (agency, f"CS_{id_}", version)

    def concept(self, concept: Any, concept_id: str, scheme: str | None) -> Concept:
        # cdinterop writes core representations in its own scheme only for sdmx1's sake
        own = scheme is None and self.ours
        codelist, text_type = (None, None) if own else self.core_representation(concept)
        return Concept(
            id=concept_id,
            name=_text(getattr(concept, "name", None)) or {"en": concept_id},
            description=_text(getattr(concept, "description", None)) or None,
            scheme=scheme,
            parent=_parent_id(concept, "Concept"),
            codelist=codelist,
            text_type=text_type,
            annotations=_annotations(concept),
        )

    def core_representation(self, concept: Any) -> tuple[str | None, str | None]:
        rep = getattr(concept, "core_representation", None)
        if rep is None:
            return None, None
        enumerated = getattr(rep, "enumerated", None)
        if enumerated is not None:
            ident = _ident(enumerated)
            self.codelists.setdefault(ident, enumerated)
            return _dsd_key(*ident), None
        facets = list(getattr(rep, "non_enumerated", None) or [])
        if facets and facets[0].value_type is not None:
            return None, _text_type(_name(facets[0].value_type))
        return None, None

    def represented(self, comp: Any, *, default: ValueType | None = None) -> dict[str, Any]:
        """Id, concept, representation and annotations. A component without any
        representation gets ``default`` (a measure: string, as SDMX's own tools read an
        untyped measure), else the model's default."""
        fields: dict[str, Any] = {
            "id": comp.id,
            "concept": self.concept_of(comp),
            "annotations": self.notes_of(comp.id, comp),
            "roles": self.roles_of(comp),
        }
        rep = comp.local_representation
        if rep is None or (rep.enumerated is None and not rep.non_enumerated):
            rep = getattr(comp.concept_identity, "core_representation", None)
        enumerated = getattr(rep, "enumerated", None)
        facets = list(getattr(rep, "non_enumerated", None) or [])
        if enumerated is not None:
            enumerated = self.enumeration(comp.id, enumerated)
            ident = _ident(enumerated)
            self.codelists.setdefault(ident, enumerated)
            fields.update(codelist=_dsd_key(*ident), value_type=ValueType.STRING)
            if facets:  # an EnumerationFormat
                fields["facets"] = _facets(facets[0].type, None) or Facets()
            return fields
        text_type = self.gaps.text_types.get((self.key, comp.id))
        if text_type is None and facets and facets[0].value_type is not None:
            text_type = _text_type(_name(facets[0].value_type))
        if text_type is not None:
            fields["value_type"] = _VALUE_TYPES.get(_fvt_name(text_type), ValueType.STRING)
        elif default is not None:
            fields["value_type"] = default
        min_length = self.component_notes(comp).get("min_length")
        fields["facets"] = _facets(facets[0].type if facets else None, min_length)
        return fields

    def notes_of(self, component: str, obj: Any) -> tuple[Annotation, ...]:
        """The annotations of the DSD (``component`` ``""``), a component or a group, less
        cdinterop's own: from the document when read from one, else from sdmx1."""
        kept = self.gaps.annotations.get((self.key, component))
        if kept is None:
            return _annotations(obj)
        return tuple(note for note in kept if not _is_ours(note.type))

    def roles_of(self, comp: Any) -> tuple[str, ...]:
        """Concept roles of a component: from the document (sdmx1 keeps one at most),
        else sdmx1's, else the 2.1 ``cdinterop:component`` note of a measure."""
        roles = self.gaps.roles.get((self.key, comp.id))
        if roles is not None:
            return roles
        noted = self.component_notes(comp).get("roles")
        if isinstance(noted, list):
            return tuple(str(r) for r in noted)
        if self.gaps.from_document:
            return ()  # sdmx1 2.28 hands a component's role to the next one
        role = getattr(comp, "concept_role", None)
        scheme = getattr(role, "parent", None)
        if role is None or scheme is None or isinstance(scheme, str):
            return ()
        return (f"{_dsd_key(*_ident(scheme))}.{role.id}",)

    def component_notes(self, comp: Any) -> dict[str, Any]:
        kept = self.gaps.annotations.get((self.key, comp.id))
        pairs = (
            _annotation_pairs(comp)
            if kept is None
            else [(n.type, _first_text(n)) for n in kept if n.type == COMPONENT_ANNOTATION]
        )
        for kind, text in pairs:
            if kind == COMPONENT_ANNOTATION:
                try:
                    notes = json.loads(text)
                except (ValueError, RecursionError):  # not JSON, or numbers too long
                    raise ReadError(self.name, f"{comp.id}: {kind} is not JSON") from None
                return notes if isinstance(notes, dict) else {}
        return {}

    def time_dimension(self, comp: Any) -> TimeDimension:
        facets = list(getattr(comp.local_representation, "non_enumerated", None) or [])
        text_type = self.gaps.text_types.get((self.key, comp.id))
        if text_type is None and facets and facets[0].value_type is not None:
            text_type = _text_type(_name(facets[0].value_type))
        try:
            value_type = TimeValueType(text_type or TimeValueType.OBSERVATIONAL_TIME_PERIOD)
        except ValueError:
            raise ReadError(
                self.name, f"time dimension {comp.id}: {text_type!r} is not an SDMX time type"
            ) from None
        return TimeDimension(
            id=comp.id,
            concept=self.concept_of(comp),
            value_type=value_type,
            annotations=self.notes_of(comp.id, comp),
        )

    def attribute(
        self, comp: Any, dim_ids: tuple[str, ...], time: TimeDimension | None
    ) -> Attribute:
        usage = Usage.MANDATORY if _name(comp.usage_status) == "mandatory" else Usage.CONDITIONAL
        relationship = _relationship(comp.related_to, dim_ids, time)
        group = self.gaps.groups.get((self.key, comp.id))
        if group is not None:
            relationship = {"attachment": AttachmentLevel.SERIES, "group": group}
        return Attribute(**self.represented(comp), **relationship, usage=usage)

    def measure(self, comp: Any) -> Measure:
        usage = self.gaps.usage.get((self.key, comp.id))
        if usage is None:
            noted = self.component_notes(comp).get("usage", Usage.CONDITIONAL)
            if noted not in set(Usage):
                raise ReadError(self.name, f"measure {comp.id}: unknown usage {noted!r}")
            usage = Usage(noted)
        default = None if self.ours else ValueType.STRING
        return Measure(**self.represented(comp, default=default), usage=usage)

    # -- schemes ---------------------------------------------------------------------
    def concept_list(self) -> list[Concept]:
        agency, id_, version = _ident(self.dsd)
        own = self.message.concept_scheme.get(f"CS_{id_}") if self.ours else None
        listed: list[Concept] = []
        if own is not None and _ident(own) == (agency, f"CS_{id_}", version):
            listed = [self.concept(c, c.id, None) for c in own]
        ids = {c.id for c in listed}
        listed += [c for c in self.loose_concepts.values() if c.id not in ids]
        for ident, scheme in self.schemes.items():
            ref = _dsd_key(*ident)
            listed += [self.concept(c, c.id, ref) for c in scheme]
        return listed

    def scheme_list(self) -> list[ConceptScheme]:
        return [
            ConceptScheme(
                id=ident[1],
                agency=ident[0],
                version=ident[2],
                name=_text(scheme.name) or {"en": ident[1]},
                description=_text(scheme.description) or None,
                annotations=_annotations(scheme),
                external=bool(getattr(scheme, "is_external_reference", False)),
                final=bool(getattr(scheme, "is_final", False)),
                partial=_true(getattr(scheme, "is_partial", None)),
                uri=self.uri("ConceptScheme", scheme),
            )
            for ident, scheme in self.schemes.items()
        ]

    def enumeration(self, component: str, enumerated: Any) -> Any:
        """The codelist a component is enumerated by, as the document references it (sdmx1
        resolves references by id alone)."""
        ident = self.gaps.enumerations.get((self.key, component))
        if ident is None or _ident(enumerated) == ident:
            return enumerated
        for codelist in self.message.codelist.values():
            if _ident(codelist) == ident:
                return codelist
        from sdmx.model import common

        agency, id_, version = ident
        return common.Codelist(
            id=id_,
            maintainer=common.Agency(id=agency),
            version=version,
            is_external_reference=True,
        )

    def constraints(self) -> tuple[ContentConstraint, ...]:
        """The message's constraints on this DSD or on a dataflow of it."""
        urns = {_DSD_URN + _dsd_key(*_ident(self.dsd))}
        urns |= {
            _FLOW_URN + _dsd_key(*_ident(flow))
            for flow in self.message.dataflow.values()
            if flow.structure is not None and _ident(flow.structure) == _ident(self.dsd)
        }
        return tuple(c for c in self.gaps.constraints if urns & set(c.constrains))

    def uri(self, kind: str, artefact: Any) -> str | None:
        """The artefact's ``uri``, from the document when sdmx1 lost it."""
        return _opt(getattr(artefact, "uri", None)) or self.gaps.uris.get((kind, *_ident(artefact)))

    def codelist_list(self) -> list[Codelist]:
        if self.ours:
            for cl in self.message.codelist.values():
                if not _sdmx1_stub(cl):
                    self.codelists.setdefault(_ident(cl), cl)
        return [
            _codelist(cl, self.gaps.code_order.get(ident), self.uri("Codelist", cl))
            for ident, cl in self.codelists.items()
        ]


def _sdmx1_stub(codelist: Any) -> bool:
    """Whether sdmx1 made up ``codelist``: reading a code whose ``<Parent>`` comes later
    in the document, sdmx1 2.28 adds a one-code codelist named after the parent code, with
    no maintainer."""
    maintainer = getattr(codelist, "maintainer", None)
    return maintainer is None or str(getattr(maintainer, "id", "")) in ("", "(missing id)")


def _codelist_refs(codelists: list[Codelist]) -> dict[str, str]:
    """Provisional ``AGENCY:ID(VERSION)`` → how components refer to the codelist."""
    counts: dict[str, int] = {}
    for cl in codelists:
        counts[cl.id] = counts.get(cl.id, 0) + 1
    return {cl.ref: cl.id if counts[cl.id] == 1 else cl.ref for cl in codelists}


def _with_codelist_ref(concept: Concept, refs: dict[str, str]) -> Concept:
    if concept.codelist is None:
        return concept
    return concept.model_copy(update={"codelist": refs[concept.codelist]})


def _concept_refs(concepts: list[Concept]) -> dict[str, str]:
    """Provisional concept references → the shortest that resolves to the same concept."""
    by_id: dict[str, list[Concept]] = {}
    for c in concepts:
        by_id.setdefault(c.id, []).append(c)
    refs: dict[str, str] = {}
    for c in concepts:
        same = by_id[c.id]
        unique = len(same) == 1 or (c.scheme is None)
        refs[c.ref] = c.id if unique else c.ref
    return refs


def _annotations(obj: Any) -> tuple[Annotation, ...]:
    """The annotations of an sdmx1 object, less cdinterop's own."""
    notes = []
    for note in getattr(obj, "annotations", None) or []:
        kind = str(note.type) if note.type is not None else None
        if kind is not None and (is_ours(kind) or kind == COMPONENT_ANNOTATION):
            continue
        notes.append(
            Annotation(
                id=_opt(note.id),
                title=_opt(note.title),
                type=kind,
                url=_opt(note.url),
                text=_text(note.text) or None,
                value=_opt(getattr(note, "value", None)),
            )
        )
    return tuple(notes)


def _true(value: Any) -> bool:
    """An XML boolean as sdmx1 keeps it (``True`` or the text ``"true"``)."""
    return value is True or str(value).lower() in ("true", "1")


def _is_ours(kind: str | None) -> bool:
    return kind is not None and (is_ours(kind) or kind == COMPONENT_ANNOTATION)


def _first_text(note: Annotation) -> str:
    texts = note.text or {}
    return texts.get("en") or next(iter(texts.values()), None) or note.value or ""


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _relationship(
    related_to: Any, dim_ids: tuple[str, ...], time: TimeDimension | None
) -> dict[str, Any]:
    """Attachment level and the SDMX relationship of an attribute, as the model holds it."""
    kind = type(related_to).__name__
    if kind in ("PrimaryMeasureRelationship", "ObservationRelationship"):
        return {"attachment": AttachmentLevel.OBSERVATION}
    if kind == "MeasureRelationship":
        measures = tuple(m.id for m in getattr(related_to, "measures", None) or [])
        return {"attachment": AttachmentLevel.OBSERVATION, "measures": measures or None}
    if kind == "GroupRelationship":
        group = getattr(related_to, "group_key", None)
        return {"attachment": AttachmentLevel.SERIES, "group": _group_id(group)}
    if kind == "DimensionRelationship":
        ids = tuple(d.id for d in related_to.dimensions)
        group = _group_id(getattr(related_to, "group_key", None))
        if time is not None and time.id in ids:
            return {"attachment": AttachmentLevel.OBSERVATION, "dimensions": ids, "group": group}
        if ids == dim_ids:
            return {"attachment": AttachmentLevel.SERIES, "group": group}
        return {"attachment": AttachmentLevel.SERIES, "dimensions": ids, "group": group}
    return {"attachment": AttachmentLevel.DATASET}


def _group_id(group: Any) -> str | None:
    if group is None:
        return None
    return str(getattr(group, "id", group))


def _parent_id(item: Any, kind: str) -> str | None:
    parent: Any = getattr(item, "parent", None)
    return str(parent.id) if parent is not None and type(parent).__name__ == kind else None


def _name(enum_member: Any) -> str:
    return str(getattr(enum_member, "name", "") or "")


def _facets(ftype: Any, min_length: int | None) -> Facets | None:
    values: dict[str, Any] = {}
    if min_length is not None:
        values["min_length"] = min_length
    for name in ("min_length", "max_length"):
        value = getattr(ftype, name, None)
        if value is not None:
            values[name] = int(value)
    for name in ("min_value", "max_value"):
        value = getattr(ftype, name, None)
        if value is not None:
            values[name] = float(value)
    pattern = getattr(ftype, "pattern", None)
    if pattern is not None:
        values["pattern"] = str(pattern)
    return Facets(**values) if values else None


def _codelist(cl: Any, order: list[str] | None = None, uri: str | None = None) -> Codelist:
    agency, id_, version = _ident(cl)
    common = {
        "id": id_,
        "agency": agency,
        "version": version,
        "name": _text(cl.name) or {"en": id_},
        "description": _text(cl.description) or None,
        "annotations": _annotations(cl),
        "final": bool(getattr(cl, "is_final", False)),
        "partial": _true(getattr(cl, "is_partial", None)),
        "uri": uri,
    }
    if getattr(cl, "is_external_reference", False) or len(cl) == 0:
        return Codelist(**common, external=True)
    codes = [
        Code(
            id=c.id,
            name=_text(c.name) or {"en": c.id},
            description=_text(c.description) or None,
            parent=_parent_id(c, "Code"),
            annotations=_annotations(c),
        )
        for c in cl
    ]
    if order is not None and len(order) == len(codes):
        position = {code_id: i for i, code_id in enumerate(order)}
        codes.sort(key=lambda code: position.get(code.id, len(order)))
    return Codelist(**common, codes=codes)


def convert_structure(
    message: Any, dataflow: str | None, gaps: _Sdmx1Gaps, name: str
) -> CitizenDataset:
    """`from_structure()` with the facts sdmx1 could not hold (``gaps``), for the readers
    of structure messages (SDMX-ML here, SDMX-JSON in `cdinterop.sdmx._structure_json`);
    ``name`` locates errors."""
    return _convert(message, dataflow, gaps, name)


def _convert(message: Any, dataflow: str | None, gaps: _Sdmx1Gaps, name: str) -> CitizenDataset:
    if type(message).__name__ != "StructureMessage":
        raise ReadError(name, f"not a structure message but a {type(message).__name__}")
    flow, dsd = _pick(message, dataflow, name)
    try:
        fields = decode_annotations(_annotation_pairs(flow)) if flow is not None else {}
        structure = _Converter(message, dsd, gaps, bool(fields), name).structure()
        owner = flow if flow is not None else dsd
        agency, id_, version = _ident(owner)
        return CitizenDataset(
            **fields,
            id=id_,
            agency=agency,
            version=version,
            title=_text(owner.name) or {"en": id_},
            description=(_text(flow.description) or None) if flow is not None else None,
            structure=structure,
        )
    except ValidationError as exc:
        raise InvalidDatasetError(issues_from_pydantic(exc), context=name) from None


# -- model → sdmx1 -------------------------------------------------------------------


class _ToSdmx1:
    """Builds sdmx1 (SDMX 2.1 information model) objects for one data set."""

    def __init__(self, dataset: CitizenDataset) -> None:
        from sdmx.model import common, v21

        self.common = common
        self.v21 = v21
        self.ds = dataset
        self.st = dataset.structure
        self.agencies: dict[str, Any] = {}
        self.codelists: dict[str, Any] = {}
        self.schemes: dict[str | None, Any] = {}

    def agency(self, agency_id: str) -> Any:
        return self.agencies.setdefault(agency_id, self.common.Agency(id=agency_id))

    def notes(self, pairs: list[tuple[str, str]], kept: tuple[Annotation, ...] = ()) -> list[Any]:
        read = [
            self.v21.Annotation(
                id=note.id,
                title=note.title,
                type=note.type,
                url=note.url,
                text=dict(note.text or {}),
            )
            for note in kept
        ]
        return read + [self.v21.Annotation(type=kind, text={"en": text}) for kind, text in pairs]

    def maintainable(self, cls: Any, id_: str, agency: str, version: str, **kw: Any) -> Any:
        return cls(id=id_, maintainer=self.agency(agency), version=version, **kw)

    def message(self) -> Any:
        from sdmx.message import Header, StructureMessage

        ds, st = self.ds, self.st
        header = Header(
            id=f"{ds.id}_STRUCTURE",
            prepared=datetime.now(UTC).replace(microsecond=0),
            sender=self.agency(ds.agency),
            test=False,
        )
        message = StructureMessage(header=header)
        for cl in st.codelists:
            self.codelists[cl.ref] = self.codelist(cl)
            if not cl.external:
                message.add(self.codelists[cl.ref])
        self.schemes[None] = self.maintainable(
            self.common.ConceptScheme, f"CS_{st.id}", st.agency, st.version, name=dict(st.name)
        )
        for read in st.concept_schemes:
            self.schemes[read.ref] = self.maintainable(
                self.common.ConceptScheme,
                read.id,
                read.agency,
                read.version,
                **_names(read),
                annotations=self.notes([], read.annotations),
                is_final=read.final,
                is_partial=read.partial or None,
                uri=read.uri,
                is_external_reference=read.external,
            )
        for concept in st.concepts:
            self.schemes[concept.scheme].append(self.concept(concept))
        for concept in st.concepts:
            if concept.parent is not None:
                scheme = self.schemes[concept.scheme]
                scheme[concept.parent].append_child(scheme[concept.id])
        for scheme in self.schemes.values():
            if len(scheme) and not scheme.is_external_reference:
                message.add(scheme)
        dsd = self.dsd(st)
        message.add(dsd)
        flow = self.maintainable(
            self.v21.DataflowDefinition,
            ds.id,
            ds.agency,
            ds.version,
            name=dict(ds.title),
            description=dict(ds.description or {}),
            structure=dsd,
            annotations=self.notes(encode_annotations(ds)),
        )
        message.add(flow)
        return message

    def concept(self, concept: Concept) -> Any:
        rep = None
        if concept.codelist is not None:
            rep = self.common.Representation(
                enumerated=self.codelists[self.st.codelist(concept.codelist).ref]
            )
        elif concept.text_type is not None:
            fvt = self.common.FacetValueType[_fvt_name(concept.text_type)]
            rep = self.common.Representation(non_enumerated=[self.common.Facet(value_type=fvt)])
        item = self.common.Concept(
            **_names(concept, id=concept.id), annotations=self.notes([], concept.annotations)
        )
        item.core_representation = rep
        return item

    def codelist(self, cl: Codelist) -> Any:
        obj = self.maintainable(
            self.common.Codelist,
            cl.id,
            cl.agency,
            cl.version,
            **_names(cl),
            annotations=self.notes([], cl.annotations),
            is_final=cl.final,
            is_partial=cl.partial or None,
            uri=cl.uri,
            is_external_reference=cl.external,
        )
        for code in cl.codes:
            obj.append(
                self.common.Code(
                    **_names(code, id=code.id), annotations=self.notes([], code.annotations)
                )
            )
        for code in cl.codes:
            if code.parent is not None:
                obj[code.parent].append_child(obj[code.id])
        return obj

    def representation(self, comp: Dimension | Attribute | Measure) -> Any:
        common = self.common
        facet_type = common.FacetType()
        if comp.facets is not None:
            for name in ("min_length", "max_length", "pattern", "min_value", "max_value"):
                setattr(facet_type, name, getattr(comp.facets, name))
        if comp.codelist is not None:
            enumerated = self.codelists[self.st.codelist(comp.codelist).ref]
            facets = [] if comp.facets is None else [common.Facet(type=facet_type)]
            return common.Representation(enumerated=enumerated, non_enumerated=facets)
        value_type = common.FacetValueType[_fvt_name(TEXT_TYPES[comp.value_type])]
        facet = common.Facet(type=facet_type, value_type=value_type)
        return common.Representation(non_enumerated=[facet])

    def concept_identity(self, ref: str) -> Any:
        concept = self.st.concept(ref)
        return self.schemes[concept.scheme][concept.id]

    def component(self, cls: Any, comp: Dimension | Attribute | Measure, **kw: Any) -> Any:
        text = component_notes(comp, measure_usage=True, roles=True)
        return cls(
            id=comp.id,
            concept_identity=self.concept_identity(comp.concept_id),
            local_representation=self.representation(comp),
            annotations=self.notes(
                [(COMPONENT_ANNOTATION, text)] if text else [], comp.annotations
            ),
            **kw,
        )

    def dsd(self, st: DataStructure) -> Any:
        common, v21 = self.common, self.v21
        dsd = self.maintainable(
            v21.DataStructureDefinition,
            st.id,
            st.agency,
            st.version,
            **_names(st),
            annotations=self.notes([], st.annotations),
            is_final=st.final,
            uri=st.uri,
        )
        dims = {
            dim.id: self.component(common.Dimension, dim, order=order)
            for order, dim in enumerate(st.dimensions, start=1)
        }
        for dim in dims.values():
            dsd.dimensions.append(dim)
        if st.time_dimension is not None:
            time = st.time_dimension
            fvt = common.FacetValueType[_fvt_name(time.value_type.value)]
            rep = common.Representation(non_enumerated=[common.Facet(value_type=fvt)])
            dims[time.id] = common.TimeDimension(
                id=time.id,
                concept_identity=self.concept_identity(time.concept_id),
                local_representation=rep,
                order=len(dims) + 1,
                annotations=self.notes([], time.annotations),
            )
            dsd.dimensions.append(dims[time.id])
        groups = {}
        for group in st.groups:
            groups[group.id] = common.GroupDimensionDescriptor(
                id=group.id,
                components=[dims[d] for d in group.dimensions],
                annotations=self.notes([], group.annotations),
            )
            dsd.group_dimensions[group.id] = groups[group.id]
        for attr in st.attributes:
            usage = "mandatory" if attr.usage is Usage.MANDATORY else "conditional"
            dsd.attributes.append(
                self.component(
                    common.DataAttribute,
                    attr,
                    usage_status=common.UsageStatus[usage],
                    related_to=self.relationship(attr, dims, groups),
                )
            )
        for measure in st.measures:
            dsd.measures.append(self.component(v21.PrimaryMeasure, measure))
        return dsd

    def relationship(self, attr: Attribute, dims: dict[str, Any], groups: dict[str, Any]) -> Any:
        """sdmx1's form of the attribute relationship (measure relationships, which the
        SDMX 2.1 model lacks, become the primary-measure relationship)."""
        common, v21 = self.common, self.v21
        if attr.attachment is AttachmentLevel.DATASET:
            return v21.NoSpecifiedRelationship()
        group = groups[attr.group] if attr.group is not None else None
        related = attr.dimensions
        if related is None and attr.attachment is AttachmentLevel.SERIES and group is None:
            related = self.st.series_key_ids
        if related is not None:
            return common.DimensionRelationship(
                dimensions=[dims[d] for d in related], group_key=group
            )
        if group is not None:
            return common.GroupRelationship(group_key=group)
        return v21.PrimaryMeasureRelationship()


def _names(
    obj: Codelist | Code | Concept | ConceptScheme | DataStructure, **kw: Any
) -> dict[str, Any]:
    return {"name": dict(obj.name), "description": dict(obj.description or {}), **kw}


def to_structure(dataset: CitizenDataset) -> StructureMessage:
    """Build an sdmx1 ``StructureMessage`` (SDMX 2.1 information model) for ``dataset``.

    It holds the codelists, the concept scheme ``CS_<structure id>``, the DSD and the
    dataflow with the ``cdinterop:*`` annotations, as
    `write_structure()` writes them. Several measures
    become several ``PrimaryMeasure`` objects (the sdmx1 model allows it; SDMX-ML 2.1 does
    not), and a measure's usage travels in a ``cdinterop:component`` annotation.
    """
    message: StructureMessage = _ToSdmx1(dataset).message()
    return message
