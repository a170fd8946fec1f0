"""SDMX content constraints: which keys and values a data structure, dataflow or provision
agreement allows, or actually has data for.

A [`ContentConstraint`][cdinterop.model.ContentConstraint] (SDMX 2.1 ``ContentConstraint``,
SDMX 3.0 ``DataConstraint``) is a maintainable artefact of its own that a registry publishes
next to the structures it constrains. Its role is ``allowed`` (the values data may use) or
``actual`` (the values data exist for). It selects values in two ways:

- [`CubeRegion`][cdinterop.model.CubeRegion]: for each component, the values (or the time
  range) included or excluded; the region is the cross product of its members;
- [`DataKeySet`][cdinterop.model.DataKeySet]: an explicit list of full or partial series keys.

The model keeps what the SDMX-ML 2.1 and 3.0 schemas express for data constraints; metadata
key sets and metadata target regions, validity periods of members and ``xml:lang`` of
multilingual values are not held.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from cdinterop.errors import Problem, RuleViolations
from cdinterop.model._base import (
    AGENCY_ID_PATTERN,
    AgencyId,
    Model,
    MultilingualText,
    NCNameId,
    SdmxId,
    VersionString,
)
from cdinterop.model._identity import Annotations

__all__ = [
    "CONSTRAINABLE_CLASSES",
    "Cascade",
    "ComponentValues",
    "ConstraintPeriod",
    "ConstraintRole",
    "ContentConstraint",
    "CubeRegion",
    "DataKey",
    "DataKeySet",
    "ReleaseCalendar",
    "TimeRange",
    "constrained_class",
]

ConstraintRole = Literal["allowed", "actual"]
"""``allowed``: the values data may use; ``actual``: the values data exist for."""
Cascade = Literal["true", "excluderoot"]
"""SDMX ``cascadeValues`` of a selected value: ``true`` selects the code and its
descendants in the codelist hierarchy, ``excluderoot`` (SDMX 3.0) the descendants only."""
NestedId = Annotated[str, StringConstraints(pattern=AGENCY_ID_PATTERN, min_length=1)]
"""SDMX ``NestedNCNameIDType``: a component id, possibly qualified with dots (SDMX 3.0)."""

CONSTRAINABLE_CLASSES: dict[str, str] = {
    "DataStructure": "datastructure",
    "Dataflow": "datastructure",
    "ProvisionAgreement": "registry",
    "DataProvider": "base",
}
"""The classes a data constraint can be attached to, with their SDMX information-model
package (``urn:sdmx:org.sdmx.infomodel.{package}.{class}=...``)."""
_URN = re.compile(
    r"^urn:sdmx:org\.sdmx\.infomodel\.(?P<package>[a-z]+)\.(?P<cls>[A-Za-z]+)=(?P<ref>.+)$"
)


def constrained_class(urn: str) -> str:
    """The class (``DataStructure``, ``Dataflow``...) of a constrained artefact's URN;
    ``ValueError`` if the URN is not one of a constrainable artefact."""
    match = _URN.match(urn)
    if match is None:
        raise ValueError(f"{urn!r} is not an SDMX URN")
    cls = match["cls"]
    if CONSTRAINABLE_CLASSES.get(cls) != match["package"]:
        known = ", ".join(CONSTRAINABLE_CLASSES)
        raise ValueError(f"{urn!r}: a data constraint attaches to a {known}, not to {cls}")
    return cls


class TimeRange(Model):
    """A range of time periods (SDMX ``TimeRange``): after ``start``, before ``end``, or
    between both."""

    start: str | None = None
    """First period (``StartPeriod``, or ``AfterPeriod`` when there is no ``end``)."""
    start_inclusive: bool = True
    """Whether ``start`` itself is in the range (``isInclusive``)."""
    end: str | None = None
    """Last period (``EndPeriod``, or ``BeforePeriod`` when there is no ``start``)."""
    end_inclusive: bool = True
    """Whether ``end`` itself is in the range (``isInclusive``)."""

    @model_validator(mode="after")
    def _bounded(self) -> TimeRange:
        if self.start is None and self.end is None:
            raise ValueError("a time range needs a start, an end or both")
        return self


class ComponentValues(Model):
    """The values of one component that a cube region selects (SDMX 2.1 ``KeyValue`` or
    ``Attribute``, SDMX 3.0 ``KeyValue`` or ``Component``)."""

    id: NestedId
    """Id of the dimension, attribute or measure."""
    key: bool = True
    """``True`` for a dimension (``KeyValue``), ``False`` for an attribute or measure
    (2.1 ``Attribute``, 3.0 ``Component``)."""
    include: bool = True
    """Whether the values are included (``True``) or excluded from the region."""
    values: tuple[str, ...] = ()
    """The selected values, in document order."""
    cascade: dict[str, Cascade] = Field(default_factory=dict)
    """``cascadeValues`` of the values that select their descendants too (values not
    listed here do not cascade)."""
    time_range: TimeRange | None = None
    """The selected time range, instead of ``values``."""
    remove_prefix: bool | None = None
    """SDMX 3.0 ``removePrefix``, if given."""

    @model_validator(mode="after")
    def _one_selection(self) -> ComponentValues:
        if self.values and self.time_range is not None:
            raise ValueError(f"{self.id}: values and a time range cannot both be given")
        if len(set(self.values)) != len(self.values):
            raise ValueError(f"{self.id}: a value is selected twice")
        stray = sorted(set(self.cascade) - set(self.values))
        if stray:
            raise ValueError(f"{self.id}: cascade names values not selected: {stray}")
        if self.key and not self.values and self.time_range is None:
            raise ValueError(f"{self.id}: a key value needs values or a time range")
        return self


class CubeRegion(Model):
    """A region of the data cube: the cross product of the components' selected values,
    included in or excluded from what the constraint allows (SDMX ``CubeRegion``)."""

    include: bool = True
    """Whether the region is included (``True``) or excluded."""
    components: tuple[ComponentValues, ...] = ()
    """The selections, dimensions (``key``) first, each component at most once."""
    annotations: Annotations = ()
    """SDMX 3.0 annotations of the region."""

    @model_validator(mode="after")
    def _keys_first_and_unique(self) -> CubeRegion:
        keys = [c.key for c in self.components]
        if keys != sorted(keys, reverse=True):
            raise ValueError("cube region: dimensions (key=True) must come before the others")
        ids = [c.id for c in self.components]
        if len(set(ids)) != len(ids):
            raise ValueError("cube region: a component is selected twice")
        return self


class DataKey(Model):
    """One (full or partial) series key of a data key set (SDMX ``Key``)."""

    values: tuple[tuple[NCNameId, str], ...]
    """``(dimension id, value)`` pairs, in document order."""
    components: tuple[ComponentValues, ...] = ()
    """SDMX 3.0: values of attributes or measures that go with the key (``key=False``)."""
    annotations: Annotations = ()
    """SDMX 3.0 annotations of the key."""

    @model_validator(mode="after")
    def _well_formed(self) -> DataKey:
        ids = [dim for dim, _ in self.values]
        if len(set(ids)) != len(ids):
            raise ValueError(f"data key: a dimension is given twice in {self.values}")
        if any(c.key for c in self.components):
            raise ValueError("data key: components are attributes or measures (key=False)")
        if not self.values and not self.components:
            raise ValueError("data key: no values")
        return self


class DataKeySet(Model):
    """A set of series keys included in or excluded from the constraint (SDMX
    ``DataKeySet``)."""

    include: bool
    """``isIncluded``: whether the keys are included (``True``) or excluded."""
    keys: tuple[DataKey, ...] = Field(min_length=1)
    """The keys, in document order."""


class ReleaseCalendar(Model):
    """When data are released (SDMX ``ReleaseCalendar``), as ISO 8601 durations."""

    periodicity: str
    """Period between releases, e.g. ``P1M``."""
    offset: str
    """Interval from 1 January to the first release, e.g. ``P10D``."""
    tolerance: str
    """Period after which the release is late, e.g. ``P5D``."""


class ConstraintPeriod(Model):
    """SDMX 2.1 ``ReferencePeriod``: the period the constrained data cover."""

    start: str
    """``startTime`` (``xs:dateTime``)."""
    end: str
    """``endTime`` (``xs:dateTime``)."""


class ContentConstraint(Model):
    """An SDMX content constraint (2.1 ``ContentConstraint``, 3.0 ``DataConstraint``) on
    data structures, dataflows, provision agreements or a data provider, kept as read."""

    id: SdmxId
    """Constraint id, e.g. ``CR_SDG_ALLOWED``."""
    agency: AgencyId
    """Maintenance agency of the constraint."""
    version: VersionString = "1.0"
    """Version of the constraint."""
    name: MultilingualText
    """Name of the constraint."""
    description: MultilingualText | None = None
    """What the constraint is for."""
    annotations: Annotations = ()
    """SDMX annotations of the constraint."""
    role: ConstraintRole = "actual"
    """2.1 ``type`` / 3.0 ``role``: ``allowed`` values or ``actual`` data."""
    constrains: tuple[str, ...] = ()
    """URNs of the constrained artefacts (``ConstraintAttachment``), all of one class:
    ``DataStructure``, ``Dataflow`` or ``ProvisionAgreement`` (several of them), or one
    ``DataProvider``."""
    key_sets: tuple[DataKeySet, ...] = ()
    """The data key sets, in document order."""
    cube_regions: tuple[CubeRegion, ...] = ()
    """The cube regions, in document order."""
    release_calendar: ReleaseCalendar | None = None
    """When the constrained data are released, if stated."""
    reference_period: ConstraintPeriod | None = None
    """SDMX 2.1: the period the data cover, if stated."""
    uri: str | None = None
    """SDMX ``uri``: where the artefact's full description can be found, if given."""
    final: bool = False
    """SDMX 2.1 ``isFinal``: the maintenance agency declared this version final."""

    @model_validator(mode="after")
    def _attachment_of_one_class(self) -> ContentConstraint:
        classes = {constrained_class(urn) for urn in self.constrains}
        if len(classes) > 1:
            raise ValueError(
                f"constrains: the attached artefacts must be of one class, not {sorted(classes)}"
            )
        if classes == {"DataProvider"} and len(self.constrains) > 1:
            raise RuleViolations(
                [Problem("constrains", "a constraint attaches to one data provider only")]
            )
        if len(set(self.constrains)) != len(self.constrains):
            raise RuleViolations([Problem("constrains", "an artefact is named twice")])
        return self
