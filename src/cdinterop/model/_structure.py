"""The data structure: concepts, codelists and the components of a cube.

A [`DataStructure`][cdinterop.model.DataStructure] is the hub of every mapping: it becomes an SDMX
Data Structure Definition, a Frictionless Table Schema, and StatDCAT-AP / RDF Data Cube dimensions
and attributes. Components refer to concepts and codelists by id; the structure checks that every
reference resolves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Any, Literal, TypeVar

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from cdinterop.errors import Problem, RuleViolations
from cdinterop.model._base import (
    AgencyId,
    Model,
    MultilingualText,
    NCNameId,
    SdmxId,
    VersionString,
)
from cdinterop.model._constraints import ContentConstraint
from cdinterop.model._identity import (
    Annotations,
    ArtefactRef,
    ConceptRef,
    ConceptRoleRef,
    MaintainableRef,
    format_ref,
    parse_ref,
)
from cdinterop.model._periods import TimeValueType

_T = TypeVar("_T", "Codelist", "Concept")

__all__ = [
    "AttachmentLevel",
    "Attribute",
    "Code",
    "Codelist",
    "Component",
    "Concept",
    "ConceptScheme",
    "DataStructure",
    "Dimension",
    "Facets",
    "Group",
    "Measure",
    "TimeDimension",
    "Usage",
    "ValueType",
]


class ValueType(StrEnum):
    """Value type of a non-coded component (SDMX text formats / Table Schema types)."""

    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    URI = "uri"


class AttachmentLevel(StrEnum):
    """Where an attribute's value is attached (SDMX attribute relationship)."""

    DATASET = "dataset"
    SERIES = "series"
    OBSERVATION = "observation"


class Usage(StrEnum):
    """Whether a component must have a value (SDMX assignment status / usage)."""

    MANDATORY = "mandatory"
    CONDITIONAL = "conditional"


class ConceptScheme(Model):
    """A concept scheme that some of the structure's concepts belong to (SDMX
    ``ConceptScheme``), kept with its identity and annotations as read.

    Concepts without a scheme belong to the structure's own scheme, ``CS_<structure id>``
    under the structure's agency and version."""

    id: SdmxId
    """Scheme id, e.g. ``SDG_CONCEPTS``."""
    agency: AgencyId
    """Maintenance agency of the scheme."""
    version: VersionString = "1.0"
    """Version of the scheme."""
    name: MultilingualText
    """Name of the scheme."""
    description: MultilingualText | None = None
    """What the scheme holds."""
    annotations: Annotations = ()
    """SDMX annotations of the scheme."""
    uri: str | None = None
    """SDMX ``uri``: where the artefact's full description can be found, if given."""
    partial: bool = False
    """SDMX ``isPartial``: the scheme lists only some items of the full maintained scheme."""
    final: bool = False
    """SDMX 2.1 ``isFinal``: the maintenance agency declared this version final."""
    external: bool = False
    """The structure message referenced the scheme without including it; its concepts
    are those the structure uses, named by their ids."""

    @property
    def ref(self) -> str:
        """``AGENCY:ID(VERSION)``."""
        return format_ref(self.agency, self.id, self.version)


class Concept(Model):
    """A statistical concept that components stand for (SDMX concept, ``skos:Concept``)."""

    id: NCNameId
    """Concept identifier, unique in its scheme."""
    name: MultilingualText
    """Human-readable name of the concept."""
    description: MultilingualText | None = None
    """Definition of the concept."""
    scheme: MaintainableRef | None = None
    """The concept scheme (``AGENCY:ID(VERSION)``, one of the structure's
    ``concept_schemes``); ``None`` for the structure's own scheme."""
    parent: NCNameId | None = None
    """Id of the parent concept in the same scheme, if the scheme is hierarchical."""
    codelist: ArtefactRef | None = None
    """Codelist of the concept's core representation, if it has one."""
    text_type: str | None = Field(default=None, pattern=r"^[A-Za-z]+$")
    """SDMX ``textType`` of the concept's core representation (``Double``,
    ``ObservationalTimePeriod``...), if it has one."""
    annotations: Annotations = ()
    """SDMX annotations of the concept."""

    @property
    def ref(self) -> str:
        """The concept's reference: its id in the structure's own scheme, else
        ``AGENCY:SCHEME(VERSION).ID``."""
        return self.id if self.scheme is None else f"{self.scheme}.{self.id}"


class Code(Model):
    """One code of a codelist (SDMX code, ``skos:Concept`` in a scheme)."""

    id: SdmxId
    """The code as it appears in data, e.g. ``F``, ``_T``, ``Y15T24``."""
    name: MultilingualText
    """Label of the code."""
    description: MultilingualText | None = None
    """Longer definition of the code."""
    parent: SdmxId | None = None
    """Id of the parent code in a hierarchical codelist (e.g. region of a district); the
    parent may come before or after the code."""
    annotations: Annotations = ()
    """SDMX annotations of the code (e.g. the SDG indicator of a series code)."""


class Codelist(Model):
    """An enumerated list of codes (SDMX codelist, ``skos:ConceptScheme``)."""

    id: SdmxId
    """Codelist id, conventionally prefixed ``CL_`` (e.g. ``CL_SEX``)."""
    agency: AgencyId = "SDMX"
    """Maintenance agency of the codelist. In a [`DataStructure`][cdinterop.model.DataStructure],
    a codelist given without an agency belongs to the structure's agency (the publisher's);
    ``SDMX`` is the default of a codelist on its own only, as the built-in lists of
    [`cdinterop.codes`][cdinterop.codes] say it explicitly."""
    version: VersionString = "1.0"
    """Version of the codelist."""
    name: MultilingualText
    """Name of the codelist."""
    description: MultilingualText | None = None
    """What the codelist classifies."""
    codes: tuple[Code, ...] = ()
    """The codes, in presentation order (at least one unless ``external``)."""
    annotations: Annotations = ()
    """SDMX annotations of the codelist."""
    uri: str | None = None
    """SDMX ``uri``: where the artefact's full description can be found, if given."""
    partial: bool = False
    """SDMX ``isPartial``: the scheme lists only some items of the full maintained scheme."""
    final: bool = False
    """SDMX 2.1 ``isFinal``: the maintenance agency declared this version final."""
    external: bool = False
    """The structure message referenced this codelist without including it
    (``isExternalReference``, or simply absent): its codes are unknown, so values are
    not checked against it."""

    @property
    def ref(self) -> str:
        """``AGENCY:ID(VERSION)``."""
        return format_ref(self.agency, self.id, self.version)

    @model_serializer(mode="wrap")
    def _agency_always(self, handler: SerializerFunctionWrapHandler) -> Any:
        """The agency is written even where defaults are left out: read back inside a
        structure, a codelist without one would become the structure's."""
        data = handler(self)
        if isinstance(data, dict) and "agency" not in data and "id" in data:
            data = {"id": data.pop("id"), "agency": self.agency, **data}
        return data

    @model_validator(mode="after")
    def _codes_unique_and_parents_known(self) -> Codelist:
        if not self.codes and not self.external:
            raise RuleViolations([Problem("codes", f"codelist {self.id} has no codes")])
        if self.codes and self.external:
            raise RuleViolations([Problem("codes", f"external codelist {self.id} lists codes")])
        seen: set[str] = set()
        for i, code in enumerate(self.codes):
            if code.id in seen:
                raise RuleViolations(
                    [Problem(f"codes[{i}]", f"code {code.id!r} appears twice in {self.id}")]
                )
            seen.add(code.id)
        for i, code in enumerate(self.codes):
            if code.parent is not None and code.parent not in seen:
                raise RuleViolations(
                    [
                        Problem(
                            f"codes[{i}]",
                            f"parent {code.parent!r} of {code.id!r} is not in {self.id}",
                        )
                    ]
                )
        parents = {c.id: c.parent for c in self.codes if c.parent is not None}
        for start in parents:
            seen_chain = [start]
            node = parents.get(start)
            while node is not None:
                if node in seen_chain:
                    cycle = " -> ".join([*seen_chain[seen_chain.index(node) :], node])
                    raise RuleViolations(
                        [Problem("codes", f"parent links form a cycle in {self.id}: {cycle}")]
                    )
                seen_chain.append(node)
                node = parents.get(node)
        return self

    @property
    def code_ids(self) -> frozenset[str]:
        """The set of code ids, for membership tests (computed on each call, so copies
        made with ``model_copy(update=...)`` never see a stale set)."""
        return frozenset(code.id for code in self.codes)

    def __contains__(self, code: object) -> bool:
        return code in self.code_ids

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, code_id: str) -> Code | None:
        """Return the code with id ``code_id``, or ``None``."""
        for code in self.codes:
            if code.id == code_id:
                return code
        return None

    def subset(self, code_ids: Iterable[str], *, id: str | None = None) -> Codelist:
        """A codelist with only the given codes (in this list's order), parents dropped
        where the parent is not kept. Raises ``KeyError`` naming unknown codes.

        Kept under this list's identity (no new ``id``), a subset that leaves codes out is
        marked ``partial`` (SDMX ``isPartial``): it lists some items of the maintained list."""
        wanted = list(code_ids)
        unknown = [c for c in wanted if c not in self]
        if unknown:
            raise KeyError(f"not in {self.id}: {', '.join(map(repr, unknown))}")
        keep = set(wanted)
        codes = tuple(
            c if c.parent is None or c.parent in keep else c.model_copy(update={"parent": None})
            for c in self.codes
            if c.id in keep
        )
        partial = self.partial or (len(codes) < len(self.codes) and id in (None, self.id))
        return self.model_copy(update={"codes": codes, "id": id or self.id, "partial": partial})


class Facets(Model):
    """Restrictions on the values of a non-coded component (SDMX facets)."""

    min_length: int | None = Field(default=None, ge=0)
    """Minimum length of a string value."""
    max_length: int | None = Field(default=None, ge=1)
    """Maximum length of a string value."""
    pattern: str | None = None
    """Regular expression a string value must match in full."""
    min_value: float | None = None
    """Smallest allowed numeric value (inclusive)."""
    max_value: float | None = None
    """Largest allowed numeric value (inclusive)."""

    @model_validator(mode="after")
    def _ranges_ordered(self) -> Facets:
        if (
            self.min_length is not None
            and self.max_length is not None
            and self.min_length > self.max_length
        ):
            raise ValueError("min_length is greater than max_length")
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValueError("min_value is greater than max_value")
        if self.pattern is not None:
            # patterns run as Arrow (RE2) kernels: check with that engine, not Python's
            import pyarrow as pa
            import pyarrow.compute as pc

            try:
                pc.match_substring_regex(pa.array([""]), self.pattern)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise ValueError(
                    f"pattern {self.pattern!r} is not a regular expression in RE2 syntax "
                    f"(no look-around or back-references): {exc}"
                ) from None
        return self


class RepresentedComponent(Model):
    """A component with a concept and a representation (codelist or value type)."""

    id: NCNameId
    """Component id; also the column name in the observation table."""
    concept: ConceptRef | None = None
    """The concept the component stands for (see [`Concept.ref`][cdinterop.model.Concept.ref]);
    defaults to the component id."""
    codelist: ArtefactRef | None = None
    """The codelist whose codes are the allowed values: its id, or ``AGENCY:ID(VERSION)``
    when the structure holds several codelists with that id."""
    value_type: ValueType = ValueType.STRING
    """Value type when the component is not coded (coded components are strings)."""
    facets: Facets | None = None
    """Further restrictions on non-coded values; on a coded component, the SDMX
    ``EnumerationFormat`` (kept as read; codes are checked against the codelist)."""
    annotations: Annotations = ()
    """SDMX annotations of the component."""
    roles: tuple[ConceptRoleRef, ...] = ()
    """Concept roles the component plays (SDMX ``ConceptRole``), as the full references of
    the concepts that define them."""

    @model_validator(mode="after")
    def _representation_consistent(self) -> RepresentedComponent:
        if self.codelist is not None and self.value_type is not ValueType.STRING:
            raise ValueError(
                f"component {self.id} is coded, so its values are string codes: drop value_type "
                f"{self.value_type.value!r} or the codelist"
            )
        return self

    @property
    def concept_id(self) -> str:
        """The concept id, defaulting to the component id."""
        return self.concept or self.id


class Dimension(RepresentedComponent):
    """A dimension: part of the key that identifies each observation."""

    role: Literal["dimension"] = "dimension"
    """Discriminator, always ``dimension``."""


class TimeDimension(Model):
    """The time dimension (SDMX ``TIME_PERIOD``): the period each observation refers to."""

    id: NCNameId = "TIME_PERIOD"
    """Component id, ``TIME_PERIOD`` by SDMX convention."""
    concept: ConceptRef | None = None
    """The concept (see [`Concept.ref`][cdinterop.model.Concept.ref]); defaults to the
    component id."""
    value_type: TimeValueType = TimeValueType.OBSERVATIONAL_TIME_PERIOD
    """Which SDMX time period forms are allowed."""
    annotations: Annotations = ()
    """SDMX annotations of the time dimension."""

    @property
    def concept_id(self) -> str:
        """The concept id, defaulting to the component id."""
        return self.concept or self.id


class Attribute(RepresentedComponent):
    """An attribute: qualifies the data set, a series or a single observation."""

    attachment: AttachmentLevel = AttachmentLevel.OBSERVATION
    """Level the attribute is attached to: ``dataset`` (one value for the data set),
    ``series`` (one value per combination of its dimensions, not the time), or
    ``observation``."""
    usage: Usage = Usage.CONDITIONAL
    """Whether a value is required wherever the attribute is attached."""
    dimensions: tuple[NCNameId, ...] | None = None
    """The dimensions the attribute relates to, when not all of them (a partial key, SDMX
    ``AttributeRelationship/Dimension``): a series attribute related to some dimensions, or
    an observation attribute related to dimensions that include the time dimension.
    ``None``: every dimension (series) or the observation itself."""
    group: NCNameId | None = None
    """The group (one of the structure's ``groups``) the attribute is attached to
    (SDMX ``AttributeRelationship/Group``), or the ``attachmentGroup`` of a dimension
    relationship."""
    measures: tuple[NCNameId, ...] | None = None
    """The measures an observation attribute relates to (SDMX 3.0
    ``AttributeRelationship`` with ``MeasureRelationship``); ``None``: the observation."""

    @model_validator(mode="after")
    def _relationship_fits_level(self) -> Attribute:
        level = self.attachment
        if level is AttachmentLevel.DATASET and (self.dimensions or self.group or self.measures):
            raise ValueError(
                f"attribute {self.id}: a data-set attribute relates to no dimension, group "
                "or measure"
            )
        if self.dimensions is not None and not self.dimensions:
            raise ValueError(f"attribute {self.id}: dimensions is empty; leave it out instead")
        if self.measures is not None and level is not AttachmentLevel.OBSERVATION:
            raise ValueError(f"attribute {self.id}: only observation attributes relate to measures")
        return self


class Measure(RepresentedComponent):
    """A measure: the observed value (SDMX primary measure ``OBS_VALUE``)."""

    id: NCNameId = "OBS_VALUE"
    """Component id, ``OBS_VALUE`` by SDMX convention."""
    value_type: ValueType = ValueType.DECIMAL
    """Value type of the measure (decimal by default)."""
    usage: Usage = Usage.CONDITIONAL
    """Conditional by default: suppressed or missing cells carry no value."""


Component = Dimension | TimeDimension | Attribute | Measure
"""Any component of a data structure."""


class Group(Model):
    """A group of series (SDMX ``Group``): a subset of the dimensions whose values, taken
    together, identify the series that group attributes attach to."""

    id: NCNameId
    """Group id, e.g. ``SIBLING``."""
    dimensions: tuple[NCNameId, ...] = Field(min_length=1)
    """The dimensions of the group, in key order."""
    annotations: Annotations = ()
    """SDMX annotations of the group."""


def _with_agency(codelist: Any, agency: str) -> Any:
    """``codelist`` (a mapping or a [`Codelist`][cdinterop.model.Codelist]) with ``agency`` when
    it was given without one."""
    if isinstance(codelist, dict) and "agency" not in codelist:
        return {**codelist, "agency": agency}
    if isinstance(codelist, Codelist) and "agency" not in codelist.model_fields_set:
        return codelist.model_copy(update={"agency": agency})
    return codelist


class DataStructure(Model):
    """The structure of a cube: dimensions, time dimension, attributes, measures.

    Becomes an SDMX DSD, a Table Schema and StatDCAT-AP dimension/attribute lists.
    Codelists and concept schemes are identified by agency, id and version, as in SDMX, so
    one structure can use two codelists with the same id from different agencies.
    """

    id: SdmxId
    """Structure id (SDMX DSD id)."""
    agency: AgencyId
    """Maintenance agency of the structure."""
    version: VersionString = "1.0"
    """Version of the structure."""
    name: MultilingualText
    """Name of the structure."""
    description: MultilingualText | None = None
    """What the structure describes."""
    concepts: tuple[Concept, ...] = ()
    """Concepts the components stand for (and, for a structure read from SDMX, every
    concept of the schemes they come from)."""
    concept_schemes: tuple[ConceptScheme, ...] = ()
    """Concept schemes other than the structure's own that concepts belong to."""
    codelists: tuple[Codelist, ...] = ()
    """Codelists the coded components and concepts use."""
    dimensions: tuple[Dimension, ...] = Field(min_length=1)
    """Dimensions in key order (excluding the time dimension)."""
    time_dimension: TimeDimension | None = None
    """The time dimension, if observations refer to periods."""
    groups: tuple[Group, ...] = ()
    """Groups of series that group attributes attach to."""
    attributes: tuple[Attribute, ...] = ()
    """Attributes, at data set, series or observation level."""
    measures: tuple[Measure, ...] = (Measure(),)
    """Measures; ``OBS_VALUE`` by default."""
    annotations: Annotations = ()
    """SDMX annotations of the structure."""
    constraints: tuple[ContentConstraint, ...] = ()
    """Content constraints on the structure or its dataflows (allowed or actual cube
    regions and key sets), kept as read."""
    uri: str | None = None
    """SDMX ``uri``: where the artefact's full description can be found, if given."""
    final: bool = False
    """SDMX 2.1 ``isFinal``: the maintenance agency declared this version final."""

    @property
    def ref(self) -> str:
        """``AGENCY:ID(VERSION)`` of the structure."""
        return format_ref(self.agency, self.id, self.version)

    @model_validator(mode="before")
    @classmethod
    def _own_codelists(cls, data: Any) -> Any:
        """Codelists given without an agency belong to the structure's agency: a codelist the
        publisher wrote is not published as if the SDMX agency maintained it."""
        if not isinstance(data, dict):
            return data
        agency, codelists = data.get("agency"), data.get("codelists")
        if not isinstance(agency, str) or not isinstance(codelists, list | tuple):
            return data
        return {**data, "codelists": [_with_agency(c, agency) for c in codelists]}

    @model_validator(mode="after")
    def _references_resolve(self) -> DataStructure:
        problems = [*self._duplicate_artefacts(), *self._component_problems()]
        if not self.measures:
            problems.append(Problem("measures", "at least one measure is required"))
        if problems:
            raise RuleViolations(problems)
        return self

    def _duplicate_artefacts(self) -> Iterator[Problem]:
        for kind, keys in (
            ("concept_schemes", [s.ref for s in self.concept_schemes]),
            ("concepts", [c.ref for c in self.concepts]),
            ("codelists", [c.ref for c in self.codelists]),
            ("groups", [g.id for g in self.groups]),
        ):
            seen: set[str] = set()
            for i, key in enumerate(keys):
                if key in seen:
                    yield Problem(f"{kind}[{i}]", f"{key!r} is defined twice")
                seen.add(key)
        schemes = {s.ref for s in self.concept_schemes}
        for i, concept in enumerate(self.concepts):
            if concept.scheme is not None and concept.scheme not in schemes:
                yield Problem(
                    f"concepts[{i}]", f"scheme {concept.scheme!r} is not among the concept_schemes"
                )
            if concept.codelist is not None:
                yield from self._codelist_problem(f"concepts[{i}]", concept.codelist)

    def _codelist_problem(self, location: str, ref: str) -> Iterator[Problem]:
        try:
            self.codelist(ref)
        except KeyError as exc:
            yield Problem(location, f"{exc.args[0]}")

    def _component_problems(self) -> Iterator[Problem]:
        dimension_ids = {d.id for d in self.dimensions}
        key_ids = set(self.key_ids)
        group_ids = {g.id for g in self.groups}
        measure_ids = {m.id for m in self.measures}
        for i, group in enumerate(self.groups):
            unknown = [d for d in group.dimensions if d not in dimension_ids]
            if unknown:
                yield Problem(f"groups[{i}]", f"{', '.join(unknown)} not among the dimensions")
        seen_components: set[str] = set()
        for location, component in self._located_components():
            if component.id in seen_components:
                yield Problem(location, f"component id {component.id!r} is used twice")
            seen_components.add(component.id)
            try:
                self.concept(component.concept_id)
            except KeyError as exc:
                yield Problem(location, f"{exc.args[0]}")
            codelist = getattr(component, "codelist", None)
            if codelist is not None:
                yield from self._codelist_problem(location, codelist)
            if isinstance(component, Attribute):
                yield from _relationship_problems(
                    location, component, key_ids, group_ids, measure_ids, self.time_dimension
                )

    def _located_components(self) -> Iterator[tuple[str, Component]]:
        for i, d in enumerate(self.dimensions):
            yield f"dimensions[{i}]", d
        if self.time_dimension is not None:
            yield "time_dimension", self.time_dimension
        for i, a in enumerate(self.attributes):
            yield f"attributes[{i}]", a
        for i, m in enumerate(self.measures):
            yield f"measures[{i}]", m

    @property
    def components(self) -> tuple[Component, ...]:
        """All components: dimensions, time dimension, attributes, measures."""
        return tuple(c for _, c in self._located_components())

    @property
    def key_ids(self) -> tuple[str, ...]:
        """Ids of the components that identify an observation (dimensions + time)."""
        ids = tuple(d.id for d in self.dimensions)
        return ids + ((self.time_dimension.id,) if self.time_dimension else ())

    @property
    def series_key_ids(self) -> tuple[str, ...]:
        """Ids of the dimensions that identify a series (all but the time dimension)."""
        return tuple(d.id for d in self.dimensions)

    @property
    def column_ids(self) -> tuple[str, ...]:
        """Columns of the observation table: key, measures, series and observation attributes."""
        attrs = tuple(a.id for a in self.attributes if a.attachment != AttachmentLevel.DATASET)
        return self.key_ids + tuple(m.id for m in self.measures) + attrs

    def component(self, component_id: str) -> Component:
        """Return the component with this id; ``KeyError`` if there is none."""
        for c in self.components:
            if c.id == component_id:
                return c
        raise KeyError(f"no component {component_id!r} in structure {self.id}")

    def group(self, group_id: str) -> Group:
        """Return the group with this id; ``KeyError`` if there is none."""
        for g in self.groups:
            if g.id == group_id:
                return g
        raise KeyError(f"no group {group_id!r} in structure {self.id}")

    def related_dimensions(self, attribute: Attribute) -> tuple[str, ...]:
        """The key components an attribute's value depends on: none for a data-set
        attribute, its dimensions or group's dimensions for a series attribute (all
        dimensions by default), the whole key for an observation attribute unless it
        relates to a subset."""
        if attribute.attachment is AttachmentLevel.DATASET:
            return ()
        if attribute.dimensions is not None:
            return attribute.dimensions
        if attribute.group is not None:
            return self.group(attribute.group).dimensions
        if attribute.attachment is AttachmentLevel.SERIES:
            return self.series_key_ids
        return self.key_ids

    def codelist(self, codelist_ref: str) -> Codelist:
        """Return the codelist with this reference: its id (when only one codelist has
        it) or ``AGENCY:ID(VERSION)``; ``KeyError`` if there is none or the id is
        ambiguous."""
        parsed = parse_ref(codelist_ref)
        if parsed is not None:
            found = [cl for cl in self.codelists if (cl.agency, cl.id, cl.version) == parsed[:3]]
        else:
            found = [cl for cl in self.codelists if cl.id == codelist_ref]
        return _only("codelist", codelist_ref, found, "AGENCY:ID(VERSION)")

    def concept(self, concept_ref: str) -> Concept:
        """Return the concept with this reference: an id (of the structure's own scheme,
        else of the only concept with that id) or ``AGENCY:SCHEME(VERSION).ID``;
        ``KeyError`` if there is none or the id is ambiguous."""
        parsed = parse_ref(concept_ref)
        if parsed is not None and parsed.item is not None:
            scheme = format_ref(*parsed[:3])
            found = [c for c in self.concepts if c.scheme == scheme and c.id == parsed.item]
        else:
            found = [c for c in self.concepts if c.id == concept_ref]
            found = [c for c in found if c.scheme is None][:1] or found
        return _only("concept", concept_ref, found, "AGENCY:SCHEME(VERSION).ID")

    def codelist_of(self, component_id: str) -> Codelist | None:
        """The codelist of a component, or ``None`` when it is not coded."""
        codelist_id = getattr(self.component(component_id), "codelist", None)
        return None if codelist_id is None else self.codelist(codelist_id)


def _only(kind: str, ref: str, found: list[_T], full_form: str) -> _T:
    """The one artefact a reference names; ``KeyError`` for none or several."""
    if len(found) == 1:
        return found[0]
    if not found:
        raise KeyError(f"{kind} {ref!r} is not among the {kind}s")
    refs = ", ".join(getattr(item, "ref", "") for item in found)
    raise KeyError(f"{kind} {ref!r} is ambiguous ({refs}): use {full_form}")


def _relationship_problems(
    location: str,
    attribute: Attribute,
    key_ids: set[str],
    group_ids: set[str],
    measure_ids: set[str],
    time: TimeDimension | None,
) -> Iterator[Problem]:
    dims = attribute.dimensions or ()
    unknown = [d for d in dims if d not in key_ids]
    if unknown:
        yield Problem(location, f"related dimension(s) {', '.join(unknown)} not in the key")
    has_time = time is not None and time.id in dims
    if attribute.dimensions is not None and not unknown:
        level = attribute.attachment
        if has_time and level is not AttachmentLevel.OBSERVATION:
            yield Problem(
                f"{location}", "related to the time dimension, so attachment is observation"
            )
        if not has_time and level is AttachmentLevel.OBSERVATION and attribute.measures is None:
            yield (
                Problem(
                    f"{location}",
                    "related to dimensions without the time dimension, so attachment is series",
                )
            )
    if attribute.group is not None and attribute.group not in group_ids:
        yield Problem(location, f"group {attribute.group!r} is not among the groups")
    missing = [m for m in attribute.measures or () if m not in measure_ids]
    if missing:
        yield Problem(
            f"{location}", f"related measure(s) {', '.join(missing)} not among the measures"
        )
