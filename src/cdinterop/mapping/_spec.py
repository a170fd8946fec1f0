"""Declarative mapping specs: the pydantic models, validated strictly at load.

A mapping spec says, without code, how each column of an output table is made from an input table: a
fixed value, or a source column whose values pass unchanged or through a value map, with a policy
for values the map does not know. Row filters keep or drop rows before anything is mapped. The
generic parts ([`ValueRule`][cdinterop.mapping.ValueRule],
[`RowFilter`][cdinterop.mapping.RowFilter], [`UnmappedPolicy`][cdinterop.mapping.UnmappedPolicy],
[`MappingSpec`][cdinterop.mapping.MappingSpec]) are shared by every spec kind; the SDMX conformance
mapping is [`ConformanceSpec`][cdinterop.mapping.ConformanceSpec]::

    id: services-satisfaction-to-sdg
    version: "1.0"
    structure: {agency: IAEG-SDGs, id: SDG, version: "1.0"}
    output: {id: DF_SDG_SP_PSR_SATIS_KE}
    rows:
      - name: all-services
        keep: {SERVICE: [_T]}
    components:
      SERIES: {value: SP_PSR_SATIS}
      REF_AREA: {from: REF_AREA, map: {KE: "404"}, unmapped: drop}
      OBS_VALUE: {from: OBS_VALUE}
    unmapped: error

Every model is frozen and rejects unknown fields; the JSON Schema of
[`ConformanceSpec`][cdinterop.mapping.ConformanceSpec] is exported to
``schemas/conformance-mapping.schema.json``.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from cdinterop.errors import Problem, RuleViolations
from cdinterop.model import AgencyId, Model, NCNameId, SdmxId, VersionString

__all__ = [
    "ConformanceSpec",
    "MappingSpec",
    "OutputIdentity",
    "RowFilter",
    "Scalar",
    "StructureRef",
    "UnmappedPolicy",
    "ValueRule",
    "scalar_text",
]


def _scalar(value: Any) -> str | int | float | bool:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} is not a usable value (NaN or infinite)")
    if isinstance(value, str | int | float | bool):
        return value
    raise ValueError(
        f"expected a single value (text, number or true/false), not {type(value).__name__}"
    )


Scalar = Annotated[
    str | int | float | bool,
    PlainValidator(_scalar),
    WithJsonSchema({"type": ["string", "number", "boolean"]}),
]
"""A single value in a spec: text, a number or a boolean (never a list or object)."""


def scalar_text(value: str | int | float | bool) -> str:
    """The text form of a spec value, as it compares with text columns (``true``, ``3``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _text_keys(value: Any) -> Any:
    """YAML keys such as ``404:`` or ``true:`` arrive as numbers or booleans: use their text."""
    if isinstance(value, dict):
        return {
            scalar_text(k) if isinstance(k, int | float | bool) else k: v for k, v in value.items()
        }
    return value


class UnmappedPolicy(StrEnum):
    """What to do with a source value that a value map has no entry for."""

    ERROR = "error"
    """Report every such value (with its row count) and produce nothing."""
    DROP = "drop"
    """Drop the rows that carry it, and count them per value."""
    KEEP = "keep"
    """Pass the value through unchanged."""


class ValueRule(Model):
    """How one output column is made: a fixed ``value``, or ``from`` a source column
    (optionally through ``map``).

    Source nulls stay null (they are never "unmapped"); ``default`` fills them.
    """

    value: Scalar | None = None
    """Fixed value for every row (e.g. the SDG series code)."""
    source: str | None = Field(default=None, alias="from", min_length=1)
    """Source column (or data-set-level attribute) the values come from."""
    map: dict[str, Scalar | None] | None = None
    """Value map, source value (as text) to output value; ``null`` maps to no value."""
    unmapped: UnmappedPolicy | None = None
    """Policy for source values missing from ``map``; the spec's ``unmapped`` if not set."""
    default: Scalar | None = None
    """Value for rows whose source value is null."""
    description: str | None = None
    """Why the rule is what it is (for the reader of the spec)."""

    model_config = ConfigDict(**Model.model_config, populate_by_name=True)

    @field_validator("map", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        return _text_keys(value)

    @model_validator(mode="after")
    def _one_source(self) -> ValueRule:
        if (self.value is None) == (self.source is None):
            raise ValueError("give either a fixed 'value' or a source column 'from', not both")
        if self.value is not None and (self.map is not None or self.default is not None):
            raise ValueError("'map' and 'default' apply to values taken 'from' a source column")
        if self.unmapped is not None and self.map is None:
            raise ValueError("'unmapped' applies to a 'map' only")
        return self

    @property
    def fixed(self) -> bool:
        """Whether the rule gives a fixed value."""
        return self.value is not None


class RowFilter(Model):
    """A named row filter on source columns: ``keep`` or ``drop`` the rows whose values
    are in the given lists (all columns must match). Values compare as text."""

    name: SdmxId
    """Name of the filter, used in the counts of dropped rows."""
    description: str | None = None
    """Why the filter is there."""
    keep: dict[str, tuple[Scalar | None, ...]] | None = None
    """Keep only rows whose value in each column is one of the listed values."""
    drop: dict[str, tuple[Scalar | None, ...]] | None = None
    """Drop the rows whose value in each column is one of the listed values."""

    @model_validator(mode="after")
    def _keep_or_drop(self) -> RowFilter:
        if (self.keep is None) == (self.drop is None):
            raise ValueError("a row filter has either 'keep' or 'drop'")
        conditions = self.conditions
        if not conditions:
            raise ValueError("a row filter needs at least one column")
        empty = [column for column, values in conditions.items() if not values]
        if empty:
            raise ValueError(f"no values listed for {', '.join(empty)}")
        return self

    @property
    def conditions(self) -> dict[str, tuple[str | int | float | bool | None, ...]]:
        """Column to listed values, whichever of ``keep`` and ``drop`` is given."""
        return dict(self.keep if self.keep is not None else self.drop or {})


class MappingSpec(Model):
    """What every mapping spec has: identity, row filters and the default unmapped policy."""

    extends: str | None = None
    """A spec file (relative to this one) that this spec is merged onto, e.g.
    ``services-survey-kobo.yaml``: what this spec does not set is taken from it, a section
    it sets as a mapping updates that spec's key by key (resolved when the spec loads)."""
    id: SdmxId
    """Identifier of the spec (recorded in provenance), e.g. ``services-satisfaction-to-sdg``."""
    version: VersionString = "1.0"
    """Version of the spec."""
    description: str | None = None
    """What the spec maps, and the decisions behind it."""
    rows: tuple[RowFilter, ...] = ()
    """Row filters, applied in order before any value is mapped."""
    unmapped: UnmappedPolicy = UnmappedPolicy.ERROR
    """Default policy for values a value map has no entry for."""

    @field_validator("rows")
    @classmethod
    def _filter_names_unique(cls, value: tuple[RowFilter, ...]) -> tuple[RowFilter, ...]:
        seen: set[str] = set()
        for i, row_filter in enumerate(value):
            if row_filter.name in seen:
                raise RuleViolations(
                    [Problem(f"[{i}]", f"filter name {row_filter.name!r} is used twice")]
                )
            seen.add(row_filter.name)
        return value


class StructureRef(Model):
    """The data structure a spec is written for (checked when the spec is applied)."""

    agency: AgencyId
    """Maintenance agency of the structure, e.g. ``IAEG-SDGs``."""
    id: SdmxId
    """Structure id, e.g. ``SDG``."""
    version: VersionString | None = None
    """Structure version; any version matches when omitted."""

    def __str__(self) -> str:
        return f"{self.agency}:{self.id}({self.version or '*'})"


class OutputIdentity(Model):
    """Identity of the output data set (its SDMX dataflow); each field defaults to the
    source data set's."""

    agency: AgencyId | None = None
    """Agency of the output data set."""
    id: SdmxId | None = None
    """Id of the output data set (dataflow id)."""
    version: VersionString | None = None
    """Version of the output data set."""


class ConformanceSpec(MappingSpec):
    """Maps a data set onto a data structure it did not define (e.g. the global SDG DSD).

    ``components`` has one rule per target component; target dimensions, the time
    dimension, measures and mandatory attributes must all have one, conditional
    attributes may be left out. Source dimensions that no rule uses must be reduced to a
    single value by ``rows`` filters, or the output would have duplicate keys.
    """

    structure: StructureRef | None = None
    """The target structure the spec is written for; checked against the actual target."""
    output: OutputIdentity = OutputIdentity()
    """Identity of the conformed data set; defaults to the source's."""
    components: dict[NCNameId, ValueRule] = Field(min_length=1)
    """One rule per target component, by target component id."""
