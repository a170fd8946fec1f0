"""The data structure: concepts, codelists and the components of a cube.

A [`DataStructure`][cdinterop.model.DataStructure] is the hub of every mapping: it becomes an SDMX
Data Structure Definition, a Frictionless Table Schema, and StatDCAT-AP / RDF Data Cube dimensions
and attributes. Components refer to concepts and codelists by id; the structure checks that every
reference resolves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from cdinterop.model._base import (
    AgencyId,
    Model,
    MultilingualText,
    NCNameId,
    SdmxId,
    VersionString,
)
from cdinterop.model._periods import TimeValueType

__all__ = [
    "AttachmentLevel",
    "Attribute",
    "Code",
    "Codelist",
    "Component",
    "Concept",
    "DataStructure",
    "Dimension",
    "Facets",
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


class Concept(Model):
    """A statistical concept that components stand for (SDMX concept, ``skos:Concept``)."""

    id: NCNameId
    """Concept identifier, unique in the structure."""
    name: MultilingualText
    """Human-readable name of the concept."""
    description: MultilingualText | None = None
    """Definition of the concept."""


class Code(Model):
    """One code of a codelist (SDMX code, ``skos:Concept`` in a scheme)."""

    id: SdmxId
    """The code as it appears in data, e.g. ``F``, ``_T``, ``Y15T24``."""
    name: MultilingualText
    """Label of the code."""
    description: MultilingualText | None = None
    """Longer definition of the code."""
    parent: SdmxId | None = None
    """Id of the parent code in a hierarchical codelist (e.g. region of a district)."""


class Codelist(Model):
    """An enumerated list of codes (SDMX codelist, ``skos:ConceptScheme``)."""

    id: SdmxId
    """Codelist id, conventionally prefixed ``CL_`` (e.g. ``CL_SEX``)."""
    agency: AgencyId = "SDMX"
    """Maintenance agency of the codelist."""
    version: VersionString = "1.0"
    """Version of the codelist."""
    name: MultilingualText
    """Name of the codelist."""
    description: MultilingualText | None = None
    """What the codelist classifies."""
    codes: tuple[Code, ...] = Field(min_length=1)
    """The codes, in presentation order."""

    @model_validator(mode="after")
    def _codes_unique_and_parents_known(self) -> Codelist:
        seen: set[str] = set()
        for i, code in enumerate(self.codes):
            if code.id in seen:
                raise ValueError(f"codes[{i}]: code {code.id!r} appears twice in {self.id}")
            seen.add(code.id)
        for i, code in enumerate(self.codes):
            if code.parent is not None and code.parent not in seen:
                raise ValueError(
                    f"codes[{i}]: parent {code.parent!r} of {code.id!r} is not in {self.id}"
                )
        parents = {c.id: c.parent for c in self.codes if c.parent is not None}
        for start in parents:
            seen_chain = [start]
            node = parents.get(start)
            while node is not None:
                if node in seen_chain:
                    cycle = " -> ".join([*seen_chain[seen_chain.index(node) :], node])
                    raise ValueError(f"codes: parent links form a cycle in {self.id}: {cycle}")
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
        where the parent is not kept. Raises ``KeyError`` naming unknown codes."""
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
        return self.model_copy(update={"codes": codes, "id": id or self.id})


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
    concept: NCNameId | None = None
    """Id of the concept the component stands for; defaults to the component id."""
    codelist: SdmxId | None = None
    """Id of the codelist (in the structure) whose codes are the allowed values."""
    value_type: ValueType = ValueType.STRING
    """Value type when the component is not coded (coded components are strings)."""
    facets: Facets | None = None
    """Further restrictions on non-coded values."""

    @model_validator(mode="after")
    def _representation_consistent(self) -> RepresentedComponent:
        if self.codelist is not None and self.value_type is not ValueType.STRING:
            raise ValueError(
                f"component {self.id} is coded, so its values are string codes: drop value_type "
                f"{self.value_type.value!r} or the codelist"
            )
        if self.codelist is not None and self.facets is not None:
            raise ValueError(f"component {self.id}: facets apply to non-coded components only")
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
    concept: NCNameId | None = None
    """Id of the concept; defaults to the component id."""
    value_type: TimeValueType = TimeValueType.OBSERVATIONAL_TIME_PERIOD
    """Which SDMX time period forms are allowed."""

    @property
    def concept_id(self) -> str:
        """The concept id, defaulting to the component id."""
        return self.concept or self.id


class Attribute(RepresentedComponent):
    """An attribute: qualifies the data set, a series or a single observation."""

    attachment: AttachmentLevel = AttachmentLevel.OBSERVATION
    """Level the attribute is attached to."""
    usage: Usage = Usage.CONDITIONAL
    """Whether a value is required wherever the attribute is attached."""


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


class DataStructure(Model):
    """The structure of a cube: dimensions, time dimension, attributes, measures.

    Becomes an SDMX DSD, a Table Schema and StatDCAT-AP dimension/attribute lists.
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
    """Concepts the components stand for."""
    codelists: tuple[Codelist, ...] = ()
    """Codelists the coded components use."""
    dimensions: tuple[Dimension, ...] = Field(min_length=1)
    """Dimensions in key order (excluding the time dimension)."""
    time_dimension: TimeDimension | None = None
    """The time dimension, if observations refer to periods."""
    attributes: tuple[Attribute, ...] = ()
    """Attributes, at data set, series or observation level."""
    measures: tuple[Measure, ...] = (Measure(),)
    """Measures; ``OBS_VALUE`` by default."""

    @model_validator(mode="after")
    def _references_resolve(self) -> DataStructure:
        problems: list[str] = []
        for kind, ids in (
            ("concepts", [c.id for c in self.concepts]),
            ("codelists", [c.id for c in self.codelists]),
        ):
            seen: set[str] = set()
            for i, item_id in enumerate(ids):
                if item_id in seen:
                    problems.append(f"{kind}[{i}]: {item_id!r} is defined twice")
                seen.add(item_id)
        concept_ids = {c.id for c in self.concepts}
        codelist_ids = {c.id for c in self.codelists}
        seen_components: set[str] = set()
        for location, component in self._located_components():
            if component.id in seen_components:
                problems.append(f"{location}: component id {component.id!r} is used twice")
            seen_components.add(component.id)
            if component.concept_id not in concept_ids:
                problems.append(
                    f"{location}: concept {component.concept_id!r} is not among the concepts"
                )
            codelist = getattr(component, "codelist", None)
            if codelist is not None and codelist not in codelist_ids:
                problems.append(f"{location}: codelist {codelist!r} is not among the codelists")
        if not self.measures:
            problems.append("measures: at least one measure is required")
        if problems:
            raise ValueError("; ".join(problems))
        return self

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

    def codelist(self, codelist_id: str) -> Codelist:
        """Return the codelist with this id; ``KeyError`` if there is none."""
        for cl in self.codelists:
            if cl.id == codelist_id:
                return cl
        raise KeyError(f"no codelist {codelist_id!r} in structure {self.id}")

    def concept(self, concept_id: str) -> Concept:
        """Return the concept with this id; ``KeyError`` if there is none."""
        for c in self.concepts:
            if c.id == concept_id:
                return c
        raise KeyError(f"no concept {concept_id!r} in structure {self.id}")

    def codelist_of(self, component_id: str) -> Codelist | None:
        """The codelist of a component, or ``None`` when it is not coded."""
        codelist_id = getattr(self.component(component_id), "codelist", None)
        return None if codelist_id is None else self.codelist(codelist_id)
