"""Reader of SDMX-JSON 2.0.0 and 2.1.0 structure messages.

The message is turned into what the SDMX-ML path produces: an sdmx1 ``StructureMessage``
(SDMX 3.0 information-model objects: codelists, concept schemes, DSDs, dataflows) plus the
`Sdmx1Gaps` facts sdmx1's objects cannot hold (the exact text types, measure usage, group
relationships, every annotation and concept role of a component, content constraints), so
that the converter of `cdinterop.sdmx._native` reads both forms the same way.

Read: codelists, concept schemes (with core representations and parents), data structures
(dimensions, the time dimension, groups, attributes with every relationship and
``measureRelationship``, measures), dataflows and data constraints. Left aside, because
the model has no place for them: metadata structures and flows, category schemes and
categorisations, hierarchies, organisation schemes, maps, VTL schemes, metadata attribute
usages of a DSD, ``validFrom``/``validTo``, sentinel values and value occurrences
(``minOccurs``/``maxOccurs``). A component enumerated by a value list, or a measure
dimension, is refused with a located [`ReadError`][cdinterop.errors.ReadError]. Every
error is located by its JSON path (``data.dataStructures[0].dataStructureComponents...``).
"""

from __future__ import annotations

from typing import Any

from cdinterop.errors import ReadError
from cdinterop.model import Annotation, parse_ref
from cdinterop.sdmx._constraints_json import read_constraints
from cdinterop.sdmx._data_json_read import load_message
from cdinterop.sdmx._json_common import TextReader
from cdinterop.sdmx._sdmx1_gaps import Sdmx1Gaps, dsd_key

__all__ = ["parse_json", "to_sdmx1"]

_URN_CLASS = "urn:sdmx:org.sdmx.infomodel."
_CODELIST = _URN_CLASS + "codelist.Codelist="
_VALUE_LIST = _URN_CLASS + "codelist.ValueList="
_CONCEPT = _URN_CLASS + "conceptscheme.Concept="
_DSD = _URN_CLASS + "datastructure.DataStructure="

Ident = tuple[str, str, str]


def parse_json(data: bytes, source: str) -> dict[str, Any]:
    """Parse untrusted JSON text as the data reader does (within the ``bytes`` and
    ``nesting`` limits, duplicate keys refused, errors located); the top level must be an
    object."""
    document = load_message(data, source)
    if not isinstance(document, dict):
        raise ReadError(source, f"expected a JSON object, found {type(document).__name__}")
    return document


def _ident_of(urn: str) -> tuple[Ident, str | None] | None:
    """``((agency, id, version), item)`` of a URN, or ``None`` when it is not one."""
    parsed = parse_ref(urn.rpartition("=")[2])
    if parsed is None:
        return None
    return (parsed.agency, parsed.id, parsed.version), parsed.item


class _Builder:
    """Builds sdmx1 objects and the gaps from one SDMX-JSON structure message."""

    def __init__(self, document: dict[str, Any], source: str) -> None:
        from sdmx.message import StructureMessage
        from sdmx.model import common, v30

        self.common = common
        self.v30 = v30
        meta = document.get("meta")
        languages = meta.get("contentLanguages") if isinstance(meta, dict) else None
        main = languages[0] if isinstance(languages, list) and languages else "en"
        self.t = TextReader(source, str(main))
        self.gaps = Sdmx1Gaps(from_document=True)
        self.message = StructureMessage()
        self.agencies: dict[str, Any] = {}
        self.codelists: dict[Ident, Any] = {}
        self.schemes: dict[Ident, Any] = {}
        self.dsds: dict[Ident, Any] = {}

    # -- helpers ---------------------------------------------------------------------
    def agency(self, agency_id: str) -> Any:
        return self.agencies.setdefault(agency_id, self.common.Agency(id=agency_id))

    def notes(self, notes: tuple[Annotation, ...]) -> list[Any]:
        return [
            self.v30.Annotation(
                id=n.id,
                title=n.title,
                type=n.type,
                url=n.url,
                text=dict(n.text or {}),
                value=n.value,
            )
            for n in notes
        ]

    def maintainable(self, cls: Any, node: dict[str, Any], where: str, **kw: Any) -> Any:
        t = self.t
        return cls(
            id=t.string(node, "id", where, required=True),
            maintainer=self.agency(t.string(node, "agencyID", where, required=True)),
            version=t.string(node, "version", where) or "1.0",
            name=t.texts(node, "name", "names", where),
            description=t.texts(node, "description", "descriptions", where),
            annotations=self.notes(t.annotations(node, where)),
            uri=t.link(node, where, "uri"),
            is_external_reference=t.flag(node, "isExternalReference", where, False),
            **kw,
        )

    def add(self, container: Any, obj: Any) -> None:
        """Add to a message container under its id, or ``AGENCY:ID(VERSION)`` when another
        artefact has the id (sdmx1 keys by id alone)."""
        key = obj.id if obj.id not in container else dsd_key(*_ident(obj))
        container[key] = obj

    def items(self, scheme: Any, nodes: list[Any], where: str, kind: str, make: Any) -> None:
        """Append the items (codes, concepts) in document order, then link the parents."""
        parents: list[tuple[str, str, str]] = []
        for i, item in enumerate(nodes):
            at = f"{where}[{i}]"
            node = self.t.obj(item, at)
            obj = make(node, at)
            if obj.id in scheme:
                raise self.t.fail(f"{at}.id", f"{kind} {obj.id!r} appears twice")
            scheme.append(obj)
            parent = self.t.string(node, "parent", at)
            if parent is not None:
                parents.append((obj.id, parent, at))
        for child, parent, at in parents:
            if parent not in scheme:
                raise self.t.fail(f"{at}.parent", f"{parent!r} is not a {kind} of {scheme.id}")
            scheme[parent].append_child(scheme[child])

    def fvt(self, data_type: str | None) -> Any:
        """sdmx1's ``FacetValueType`` of an SDMX ``dataType``, or ``None``."""
        if data_type is None:
            return None
        name = {"URI": "uri", "TimeRange": "timesRange"}.get(
            data_type, data_type[:1].lower() + data_type[1:]
        )
        return self.common.FacetValueType.__members__.get(name)

    def facet(self, node: dict[str, Any], where: str) -> Any:
        """A facet of a ``format`` / ``enumerationFormat`` object."""
        ftype = self.common.FacetType()
        for key, name, kinds in (
            ("minLength", "min_length", (int,)),
            ("maxLength", "max_length", (int,)),
            ("minValue", "min_value", (int, float)),
            ("maxValue", "max_value", (int, float)),
            ("pattern", "pattern", (str,)),
        ):
            value = node.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, kinds):
                raise self.t.fail(f"{where}.{key}", f"unexpected value {value!r}")
            setattr(ftype, name, value)
        data_type = self.t.string(node, "dataType", where)
        return self.common.Facet(type=ftype, value_type=self.fvt(data_type)), data_type

    # -- references ------------------------------------------------------------------
    def codelist_ref(self, urn: Any, where: str) -> Any:
        if not isinstance(urn, str):
            raise self.t.fail(where, "expected a codelist URN")
        if urn.startswith(_VALUE_LIST):
            raise self.t.fail(where, f"value lists are not supported ({urn})")
        found = _ident_of(urn) if urn.startswith(_CODELIST) else None
        if found is None:
            raise self.t.fail(where, f"not a codelist URN: {urn!r}")
        ident = found[0]
        if ident not in self.codelists:  # referenced, not included
            agency, id_, version = ident
            self.codelists[ident] = self.common.Codelist(
                id=id_, maintainer=self.agency(agency), version=version, is_external_reference=True
            )
        return self.codelists[ident]

    def concept_ref(self, urn: Any, where: str) -> tuple[Any, str]:
        """The sdmx1 concept a URN names and its ``AGENCY:SCHEME(VERSION).ID``."""
        found = _ident_of(urn) if isinstance(urn, str) and urn.startswith(_CONCEPT) else None
        ident, concept_id = found if found is not None else (("", "", ""), None)
        if concept_id is None:
            raise self.t.fail(where, f"not a concept URN: {urn!r}")
        scheme = self.schemes.get(ident)
        if scheme is None:  # referenced, not included
            agency, id_, version = ident
            scheme = self.common.ConceptScheme(
                id=id_, maintainer=self.agency(agency), version=version, is_external_reference=True
            )
            self.schemes[ident] = scheme
        if concept_id not in scheme:
            if not scheme.is_external_reference:
                raise self.t.fail(where, f"concept {concept_id} is not in {dsd_key(*ident)}")
            scheme.append(self.common.Concept(id=concept_id))
        return scheme[concept_id], f"{dsd_key(*ident)}.{concept_id}"

    def role_ref(self, urn: Any, where: str) -> str:
        """``AGENCY:SCHEME(VERSION).ID`` of a concept role (its scheme need not be in the
        message, and is not added to the structure's schemes)."""
        found = _ident_of(urn) if isinstance(urn, str) and urn.startswith(_CONCEPT) else None
        if found is None or found[1] is None:
            raise self.t.fail(where, f"not a concept URN: {urn!r}")
        return f"{dsd_key(*found[0])}.{found[1]}"

    def representation(self, node: Any, where: str) -> tuple[Any, str | None]:
        """sdmx1 ``Representation`` and the exact ``dataType`` of a representation."""
        if node is None:
            return None, None
        rep = self.t.obj(node, where)
        if "enumeration" in rep:
            enumerated = self.codelist_ref(rep["enumeration"], f"{where}.enumeration")
            facets = []
            if "enumerationFormat" in rep:
                at = f"{where}.enumerationFormat"
                facet, _ = self.facet(self.t.obj(rep["enumerationFormat"], at), at)
                facet.value_type = None
                facets = [facet]
            return self.common.Representation(enumerated=enumerated, non_enumerated=facets), None
        if "format" in rep:
            at = f"{where}.format"
            facet, data_type = self.facet(self.t.obj(rep["format"], at), at)
            return self.common.Representation(non_enumerated=[facet]), data_type
        return None, None

    # -- item schemes ----------------------------------------------------------------
    def codelist(self, node: dict[str, Any], where: str) -> None:
        is_partial = self.t.flag(node, "isPartial", where, False)
        codelist = self.maintainable(
            self.common.Codelist, node, where, is_partial=is_partial or None
        )

        def code(item: dict[str, Any], at: str) -> Any:
            return self.common.Code(
                id=self.t.string(item, "id", at, required=True),
                name=self.t.texts(item, "name", "names", at),
                description=self.t.texts(item, "description", "descriptions", at),
                annotations=self.notes(self.t.annotations(item, at)),
            )

        self.items(codelist, self.t.array(node, "codes", where), f"{where}.codes", "code", code)
        ident = _ident(codelist)
        if ident in self.codelists and not self.codelists[ident].is_external_reference:
            raise self.t.fail(where, f"codelist {dsd_key(*ident)} appears twice")
        self.codelists[ident] = codelist
        self.gaps.code_order[ident] = [c.id for c in codelist]
        self.add(self.message.codelist, codelist)

    def concept_scheme(self, node: dict[str, Any], where: str) -> tuple[Any, list[Any]]:
        is_partial = self.t.flag(node, "isPartial", where, False)
        scheme = self.maintainable(
            self.common.ConceptScheme, node, where, is_partial=is_partial or None
        )
        cores: list[Any] = []

        def concept(item: dict[str, Any], at: str) -> Any:
            made = self.common.Concept(
                id=self.t.string(item, "id", at, required=True),
                name=self.t.texts(item, "name", "names", at),
                description=self.t.texts(item, "description", "descriptions", at),
                annotations=self.notes(self.t.annotations(item, at)),
            )
            cores.append((made, item.get("coreRepresentation"), f"{at}.coreRepresentation"))
            return made

        concepts = self.t.array(node, "concepts", where)
        self.items(scheme, concepts, f"{where}.concepts", "concept", concept)
        ident = _ident(scheme)
        if ident in self.schemes:
            raise self.t.fail(where, f"concept scheme {dsd_key(*ident)} appears twice")
        self.schemes[ident] = scheme
        self.add(self.message.concept_scheme, scheme)
        return scheme, cores

    def core_representations(self, cores: list[Any]) -> None:
        """After the codelists: the concepts' core representations."""
        for concept, node, where in cores:
            rep, _ = self.representation(node, where)
            if rep is not None:
                concept.core_representation = rep

    # -- data structures -------------------------------------------------------------
    def component(self, node: dict[str, Any], where: str, key: str, cls: Any, **kw: Any) -> Any:
        t = self.t
        comp_id = t.string(node, "id", where, required=True)
        concept, _ = self.concept_ref(node.get("conceptIdentity"), f"{where}.conceptIdentity")
        rep, data_type = self.representation(
            node.get("localRepresentation"), f"{where}.localRepresentation"
        )
        if data_type is not None:
            self.gaps.text_types[key, comp_id] = data_type
        self.gaps.annotations[key, comp_id] = t.annotations(node, where)
        roles = tuple(
            self.role_ref(urn, f"{where}.conceptRoles[{i}]")
            for i, urn in enumerate(t.array(node, "conceptRoles", where))
        )
        if roles:
            self.gaps.roles[key, comp_id] = roles
        return cls(id=comp_id, concept_identity=concept, local_representation=rep, **kw)

    def dsd(self, node: dict[str, Any], where: str) -> None:
        t = self.t
        dsd = self.maintainable(self.v30.DataStructureDefinition, node, where)
        ident = _ident(dsd)
        key = dsd_key(*ident)
        if ident in self.dsds:
            raise t.fail(where, f"data structure {key} appears twice")
        self.gaps.annotations[key, ""] = t.annotations(node, where)
        at = f"{where}.dataStructureComponents"
        components = t.obj(node.get("dataStructureComponents", {}), at)
        dims = self.dimensions(dsd, components, f"{at}.dimensionList", key)
        for i, item in enumerate(t.array(components, "groups", at)):
            here = f"{at}.groups[{i}]"
            group = t.obj(item, here)
            group_id = t.string(group, "id", here, required=True)
            self.gaps.annotations[key, f"group:{group_id}"] = t.annotations(group, here)
            members = []
            for j, dim_id in enumerate(t.strings(group, "groupDimensions", here)):
                if dim_id not in dims:
                    raise t.fail(f"{here}.groupDimensions[{j}]", f"{dim_id!r} is not a dimension")
                members.append(dims[dim_id])
            dsd.group_dimensions[group_id] = self.common.GroupDimensionDescriptor(
                id=group_id, components=members
            )
        attributes = self.attributes(dsd, components, f"{at}.attributeList", key)
        measures = self.measures(dsd, components, f"{at}.measureList", key)
        for attr, entry, here in attributes:  # after the measures they may relate to
            attr.related_to = self.relationship(entry, here, key, attr.id, dims, measures, dsd)
        self.dsds[ident] = dsd
        self.add(self.message.structure, dsd)

    def dimensions(
        self, dsd: Any, components: dict[str, Any], where: str, key: str
    ) -> dict[str, Any]:
        t = self.t
        node = t.obj(components.get("dimensionList"), where)
        dims: dict[str, Any] = {}
        for i, item in enumerate(t.array(node, "dimensions", where)):
            at = f"{where}.dimensions[{i}]"
            dim = self.component(t.obj(item, at), at, key, self.common.Dimension, order=i + 1)
            if dim.id in dims:
                raise t.fail(f"{at}.id", f"dimension {dim.id} appears twice")
            dims[dim.id] = dim
            dsd.dimensions.append(dim)
        time = node.get("timeDimension")
        if time is not None:
            at = f"{where}.timeDimension"
            dim = self.component(t.obj(time, at), at, key, self.common.TimeDimension)
            dim.order = len(dims) + 1
            dims[dim.id] = dim
            dsd.dimensions.append(dim)
        for measure_dimension in ("measureDimension", "measureDimensions"):
            if measure_dimension in node:
                raise t.fail(f"{where}.{measure_dimension}", "measure dimensions are not supported")
        return dims

    def measures(
        self, dsd: Any, components: dict[str, Any], where: str, key: str
    ) -> dict[str, Any]:
        t = self.t
        found: dict[str, Any] = {}
        node = components.get("measureList")
        if node is None:
            return found
        for i, item in enumerate(t.array(t.obj(node, where), "measures", where)):
            at = f"{where}.measures[{i}]"
            entry = t.obj(item, at)
            measure = self.component(entry, at, key, self.v30.Measure)
            self.gaps.usage[key, measure.id] = self.usage(entry, at)
            found[measure.id] = measure
            dsd.measures.append(measure)
        return found

    def usage(self, node: dict[str, Any], where: str) -> Any:
        from cdinterop.model import Usage

        usage = node.get("usage", "optional")
        if usage not in ("mandatory", "optional"):
            raise self.t.fail(f"{where}.usage", f"unknown usage {usage!r}")
        return Usage.MANDATORY if usage == "mandatory" else Usage.CONDITIONAL

    def attributes(
        self, dsd: Any, components: dict[str, Any], where: str, key: str
    ) -> list[tuple[Any, dict[str, Any], str]]:
        """The attributes (their relationships still to be made), with their JSON and
        location, in document order (as their concepts are met)."""
        from cdinterop.model import Usage

        t = self.t
        found: list[tuple[Any, dict[str, Any], str]] = []
        node = components.get("attributeList")
        if node is None:
            return found
        for i, item in enumerate(t.array(t.obj(node, where), "attributes", where)):
            at = f"{where}.attributes[{i}]"
            entry = t.obj(item, at)
            usage = self.usage(entry, at)
            attr = self.component(
                entry,
                at,
                key,
                self.common.DataAttribute,
                usage_status=self.common.UsageStatus[
                    "mandatory" if usage is Usage.MANDATORY else "conditional"
                ],
            )
            dsd.attributes.append(attr)
            found.append((attr, entry, at))
        return found

    def relationship(
        self,
        node: dict[str, Any],
        where: str,
        key: str,
        attr_id: str,
        dims: dict[str, Any],
        measures: dict[str, Any],
        dsd: Any,
    ) -> Any:
        t = self.t
        at = f"{where}.attributeRelationship"
        rel = t.obj(node.get("attributeRelationship"), at)
        related = t.strings(node, "measureRelationship", where)
        for i, measure_id in enumerate(related):
            if measure_id not in measures:
                raise t.fail(
                    f"{where}.measureRelationship[{i}]", f"{measure_id!r} is not a measure"
                )
        if "dimensions" in rel:
            members = []
            for i, dim_id in enumerate(t.strings(rel, "dimensions", at)):
                if dim_id not in dims:
                    raise t.fail(f"{at}.dimensions[{i}]", f"{dim_id!r} is not a dimension")
                members.append(dims[dim_id])
            return self.common.DimensionRelationship(dimensions=members)
        if "group" in rel:
            group_id = t.string(rel, "group", at, required=True)
            if group_id not in dsd.group_dimensions:
                raise t.fail(f"{at}.group", f"{group_id!r} is not a group of the DSD")
            self.gaps.groups[key, attr_id] = group_id
            return self.common.GroupRelationship(group_key=dsd.group_dimensions[group_id])
        if "observation" in rel:
            if related:
                relationship = self.v30.MeasureRelationship()
                # sdmx1 2.28's MeasureRelationship has no field for them: the converter
                # reads this attribute
                setattr(relationship, "measures", [measures[m] for m in related])  # noqa: B010
                return relationship
            return self.v30.ObservationRelationship()
        if "dataflow" in rel:
            return self.v30.DataflowRelationship()
        raise t.fail(at, "expected dataflow, dimensions, group or observation")

    # -- dataflows -------------------------------------------------------------------
    def dataflow(self, node: dict[str, Any], where: str) -> None:
        structure = node.get("structure")
        found = (
            _ident_of(structure)
            if isinstance(structure, str) and structure.startswith(_DSD)
            else None
        )
        if found is None:
            raise self.t.fail(f"{where}.structure", f"not a data structure URN: {structure!r}")
        ident = found[0]
        dsd = self.dsds.get(ident)
        if dsd is None:
            agency, id_, version = ident
            dsd = self.v30.DataStructureDefinition(
                id=id_, maintainer=self.agency(agency), version=version, is_external_reference=True
            )
        flow = self.maintainable(self.v30.Dataflow, node, where, structure=dsd)
        self.add(self.message.dataflow, flow)

    # -- the message -----------------------------------------------------------------
    def build(self, document: dict[str, Any]) -> tuple[Any, Sdmx1Gaps]:
        t = self.t
        if "data" not in document:
            raise ReadError(t.source, "not an SDMX-JSON structure message (no data)")
        data = t.obj(document["data"], "data")
        if "dataSets" in data:
            raise ReadError(t.source, "an SDMX-JSON data message, not a structure message")
        for i, item in enumerate(t.array(data, "codelists", "data")):
            self.codelist(t.obj(item, f"data.codelists[{i}]"), f"data.codelists[{i}]")
        cores: list[Any] = []
        for i, item in enumerate(t.array(data, "conceptSchemes", "data")):
            at = f"data.conceptSchemes[{i}]"
            cores += self.concept_scheme(t.obj(item, at), at)[1]
        self.core_representations(cores)
        for i, item in enumerate(t.array(data, "dataStructures", "data")):
            at = f"data.dataStructures[{i}]"
            self.dsd(t.obj(item, at), at)
        for i, item in enumerate(t.array(data, "dataflows", "data")):
            at = f"data.dataflows[{i}]"
            self.dataflow(t.obj(item, at), at)
        self.gaps.constraints = read_constraints(t.array(data, "dataConstraints", "data"), t)
        return self.message, self.gaps


def _ident(artefact: Any) -> Ident:
    maintainer = getattr(artefact, "maintainer", None)
    return (str(getattr(maintainer, "id", "")), str(artefact.id), str(artefact.version or "1.0"))


def to_sdmx1(document: dict[str, Any], source: str) -> tuple[Any, Sdmx1Gaps]:
    """The sdmx1 ``StructureMessage`` of a parsed SDMX-JSON structure message and the facts
    sdmx1's objects cannot hold (for the converter of `cdinterop.sdmx._native`)."""
    return _Builder(document, source).build(document)
