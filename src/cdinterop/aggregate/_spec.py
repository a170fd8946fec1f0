"""The aggregation spec: how unit records become indicator observations.

An [`AggregationSpec`][cdinterop.aggregate.AggregationSpec] is the ``aggregation`` section of a
mapping spec (YAML), or a model built in Python. It names the target
[`DataStructure`][cdinterop.model.DataStructure] (inline), one rule per target dimension, the
measure, the data-set-level attribute values and the disclosure control::

    structure: {...}                      # the target DataStructure, inline
    dimensions:
      FREQ: {value: A}                    # fixed: never totalled
      REF_AREA: {from: REF_AREA, total: KE}
      SEX: {from: SEX}
      AGE: {from: AGE}
      DISABILITY_STATUS: {from: DISABILITY_STATUS}
      SERVICE: {from: SERVICE}
      TIME_PERIOD: {from: TIME_PERIOD, period: A}   # monthly unit records, annual data
    totals: [REF_AREA, SEX, AGE, DISABILITY_STATUS, SERVICE]   # default: every `from` dimension
    measure: {type: proportion, column: SATISFIED, values: [1], scale: percent, decimals: 1}
    weight: null                          # a column of survey weights, if any
    contributors: null                    # default: each unit record is one contributor
    contributor_count: SAMPLE_SIZE        # publish the count as this observation attribute
    attributes: {UNIT_MEASURE: PT, UNIT_MULT: "0", NATURE: C}
    disclosure:
      method: cell_suppression
      threshold: 10
      secondary: true
      obs_status: {attribute: OBS_STATUS, normal: A, suppressed: Q, missing: O}
      conf_status: {attribute: CONF_STATUS, free: F, primary: C, secondary: D}

Dimension rules
    ``{value: X}`` gives every observation the code ``X`` (such dimensions, and the time
    dimension, are never totalled). ``{from: COLUMN}`` takes the code from a unit-record
    column, optionally through ``map`` (source value as text → target code; ``unmapped``:
    ``error`` (default) or ``keep``) and, for the time dimension, ``period`` (``A``, ``Q``
    or ``M``: a date or ``YYYY-MM[-DD]`` period becomes its year, quarter or month).
    ``total`` is the code of the total (``_T`` by default; e.g. the country code for the
    total over its subdivisions).

Totals
    Every subset of the ``totals`` dimensions is totalled: 2^d groupings (at most 6
    dimensions). ``nested: {CHILD: PARENT}`` declares a hierarchy (a beach lies in one
    region): combinations where the parent is totalled but the child is not are left out.

Measures
    ``count`` (rows, or the sum of the weights), ``sum`` of a column, ``mean`` of a column,
    ``ratio`` (sum of ``numerator`` over sum of ``denominator``, times ``scale``) and
    ``proportion`` (rows whose ``column`` is one of ``values`` over rows whose ``column`` is
    not null, as a ``share`` or ``percent``). With ``weight`` every row counts with its
    weight. Nulls are skipped: ``sum``/``mean`` skip null values, a ``ratio`` sums numerator
    and denominator over their own non-null values, a ``proportion`` counts only rows where
    ``column`` has a value. ``decimals`` rounds the published value (half to even on the
    binary value, exactly as Python's ``round``).

Every model is frozen and rejects unknown fields; structural problems (a rule for a
component the structure lacks, a code outside a codelist, too many total dimensions) are
reported at construction, the unit-record columns when the spec is applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from cdinterop.mapping._spec import Scalar, UnmappedPolicy, scalar_text
from cdinterop.model._base import AgencyId, Model, MultilingualText, NCNameId, SdmxId
from cdinterop.model._dataset import AccessRights
from cdinterop.model._structure import AttachmentLevel, DataStructure, Usage, ValueType

__all__ = [
    "MAX_TOTAL_DIMENSIONS",
    "AggregateOutput",
    "AggregationSpec",
    "ConfStatusCodes",
    "CountMeasure",
    "DimensionRule",
    "DisclosureMethodName",
    "DisclosureSpec",
    "MeanMeasure",
    "MeasureSpec",
    "ObsStatusCodes",
    "ProportionMeasure",
    "RatioMeasure",
    "SumMeasure",
]

MAX_TOTAL_DIMENSIONS = 6
"""Most dimensions that may carry totals (2^6 = 64 groupings)."""


class DimensionRule(Model):
    """How one target dimension (or the time dimension) gets its codes."""

    value: Scalar | None = None
    """A fixed code for every observation (e.g. ``A`` for FREQ); never totalled."""
    source: str | None = Field(default=None, alias="from", min_length=1)
    """The unit-record column the codes come from."""
    map: dict[str, Scalar] | None = None
    """Value map: source value (as text) to target code."""
    unmapped: Literal[UnmappedPolicy.ERROR, UnmappedPolicy.KEEP] = UnmappedPolicy.ERROR
    """Source values missing from ``map``: ``error`` (default) or ``keep`` them unchanged."""
    period: Literal["A", "Q", "M"] | None = None
    """Convert dates or finer periods to this frequency (time dimension)."""
    total: SdmxId = "_T"
    """Code of the total over this dimension's codes (when the dimension is totalled)."""

    model_config = ConfigDict(**Model.model_config, populate_by_name=True)

    @field_validator("map", mode="before")
    @classmethod
    def _keys_as_text(cls, value: object) -> object:
        if isinstance(value, dict):
            return {
                scalar_text(k) if isinstance(k, int | float | bool) else k: v
                for k, v in value.items()
            }
        return value

    @model_validator(mode="after")
    def _one_source(self) -> DimensionRule:
        if (self.value is None) == (self.source is None):
            raise ValueError("give either a fixed 'value' or a source column 'from', not both")
        if self.value is not None and (self.map is not None or self.period is not None):
            raise ValueError("'map' and 'period' apply to codes taken 'from' a column")
        return self


class CountMeasure(Model):
    """Number of unit records in the cell (sum of the weights when weighted)."""

    type: Literal["count"] = "count"
    """Discriminator."""
    decimals: int | None = Field(default=None, ge=0, le=15)
    """Round the published value to this many decimals (weighted counts)."""


class SumMeasure(Model):
    """Sum of a numeric column over the cell (weighted: sum of weight * value)."""

    type: Literal["sum"] = "sum"
    """Discriminator."""
    column: str = Field(min_length=1)
    """The unit-record column summed."""
    decimals: int | None = Field(default=None, ge=0, le=15)
    """Round the published value to this many decimals."""


class MeanMeasure(Model):
    """Mean of a numeric column over the cell's non-null values (weighted if ``weight``)."""

    type: Literal["mean"] = "mean"
    """Discriminator."""
    column: str = Field(min_length=1)
    """The unit-record column averaged."""
    decimals: int | None = Field(default=None, ge=0, le=15)
    """Round the published value to this many decimals."""


class RatioMeasure(Model):
    """Sum of ``numerator`` over sum of ``denominator``, times ``scale``."""

    type: Literal["ratio"] = "ratio"
    """Discriminator."""
    numerator: str = Field(min_length=1)
    """Column summed for the numerator."""
    denominator: str = Field(min_length=1)
    """Column summed for the denominator."""
    scale: float = Field(default=1.0, gt=0)
    """Factor applied to the quotient (e.g. 1000 for a rate per thousand)."""
    decimals: int | None = Field(default=None, ge=0, le=15)
    """Round the published value to this many decimals."""


class ProportionMeasure(Model):
    """Rows whose ``column`` is one of ``values`` over rows where ``column`` has a value."""

    type: Literal["proportion"] = "proportion"
    """Discriminator."""
    column: str = Field(min_length=1)
    """The unit-record column the condition tests."""
    values: tuple[Scalar, ...] = Field(min_length=1)
    """The values that meet the condition (compared as text: ``1`` matches 1 and "1")."""
    scale: Literal["share", "percent"] = "percent"
    """``share`` (0 to 1) or ``percent`` (0 to 100)."""
    decimals: int | None = Field(default=None, ge=0, le=15)
    """Round the published value to this many decimals."""


MeasureSpec = Annotated[
    CountMeasure | SumMeasure | MeanMeasure | RatioMeasure | ProportionMeasure,
    Field(discriminator="type"),
]
"""One of the measures, told apart by ``type``."""


class ObsStatusCodes(Model):
    """Which ``OBS_STATUS`` codes (SDMX CL_OBS_STATUS) the observations get."""

    attribute: NCNameId = "OBS_STATUS"
    """The observation-level attribute that carries the status."""
    normal: SdmxId = "A"
    """Published values (``A``: normal value)."""
    suppressed: SdmxId = "Q"
    """Suppressed values, primary or secondary (``Q``: missing value; suppressed)."""
    missing: SdmxId = "O"
    """Values that cannot be computed (no values, zero denominator) (``O``: missing)."""


class ConfStatusCodes(Model):
    """Which ``CONF_STATUS`` codes (SDMX CL_CONF_STATUS) the observations get."""

    attribute: NCNameId = "CONF_STATUS"
    """The observation-level attribute that carries the confidentiality status."""
    free: SdmxId = "F"
    """Published values (``F``: free for publication)."""
    primary: SdmxId = "C"
    """Primary suppression (``C``: confidential; ``A``, small counts, is the precise code)."""
    secondary: SdmxId = "D"
    """Secondary suppression (``D``: secondary confidentiality set by the sender)."""


class DisclosureMethodName(StrEnum):
    """Disclosure control methods the aggregation applies."""

    NONE = "none"
    CELL_SUPPRESSION = "cell_suppression"


class DisclosureSpec(Model):
    """Statistical disclosure control of the aggregated cells (UN FPOS principle 6)."""

    method: DisclosureMethodName = DisclosureMethodName.CELL_SUPPRESSION
    """``cell_suppression`` (threshold rule) or ``none``."""
    threshold: int | None = Field(default=None, ge=1)
    """k: cells with 0 < contributors < k are suppressed (primary suppression)."""
    secondary: bool = True
    """Suppress further cells so that no suppressed cell is the only unknown of a total."""
    audit: bool = True
    """After the secondary pass, check with linear algebra that no suppressed value is
    determined by the published cells and totals; suppress more until none is."""
    obs_status: ObsStatusCodes | None = ObsStatusCodes()
    """Status codes; ``null`` to set none (the structure must then lack the attribute)."""
    conf_status: ConfStatusCodes | None = ConfStatusCodes()
    """Confidentiality codes; ``null`` to set none."""

    @model_validator(mode="after")
    def _threshold_needed(self) -> DisclosureSpec:
        if self.method is DisclosureMethodName.CELL_SUPPRESSION and self.threshold is None:
            raise ValueError("cell_suppression needs a threshold (the minimum cell count k)")
        if self.method is DisclosureMethodName.NONE and self.threshold is not None:
            raise ValueError("method none takes no threshold")
        return self


class AggregateOutput(Model):
    """Identity and title of the aggregated data set; each defaults to the unit records'."""

    id: SdmxId | None = None
    """Data set (dataflow) id."""
    agency: AgencyId | None = None
    """Maintenance agency."""
    version: str | None = None
    """Version."""
    title: MultilingualText | None = None
    """Title."""
    description: MultilingualText | None = None
    """Description."""
    access_rights: AccessRights | None = None
    """Access rights of the indicators (unit records are often restricted, the
    disclosure-controlled indicators public)."""


class Unpivot(Model):
    """Wide unit records to long ones before grouping: each of several value columns (one
    per category, as on a beach data card) becomes a row with the category's code."""

    columns: dict[str, SdmxId] = Field(min_length=1)
    """Value column → the code its values get (e.g. ``{BOTTLE: BOTTLE, BAG: BAG}``)."""
    code: NCNameId
    """Name of the new column holding the code (e.g. ``LITTER_TYPE``)."""
    value: NCNameId
    """Name of the new column holding the value (e.g. ``COUNT``)."""


class AggregationSpec(Model):
    """From unit records to indicator observations: grouping, totals, measure, disclosure."""

    id: SdmxId = "aggregation"
    """Identifier of the aggregation (recorded in provenance)."""
    structure: DataStructure
    """The target structure of the observations."""
    dimensions: dict[NCNameId, DimensionRule] = Field(min_length=1)
    """One rule per target dimension and for the time dimension, by component id."""
    totals: tuple[NCNameId, ...] | None = None
    """Dimensions that get totals; default every dimension taken ``from`` a column."""
    nested: dict[NCNameId, NCNameId] = Field(default_factory=dict)
    """Hierarchies, child dimension → parent dimension (no child detail under a parent total)."""
    measure: MeasureSpec
    """What each cell's value is."""
    measure_id: NCNameId | None = None
    """The measure component that gets the value; default the structure's first."""
    weight: str | None = Field(default=None, min_length=1)
    """Column of weights (each row counts with its weight); contributors stay unweighted."""
    contributors: str | None = Field(default=None, min_length=1)
    """Column whose distinct non-null values are the contributors counted against the
    threshold (e.g. a respondent id); default: each unit record is one contributor."""
    contributor_count: NCNameId | None = None
    """Observation-level attribute that publishes the contributor count (null where the
    cell is suppressed), e.g. ``SAMPLE_SIZE``."""
    attributes: dict[NCNameId, Scalar] = Field(default_factory=dict)
    """Values of data-set-level attributes (``UNIT_MEASURE``, ``UNIT_MULT``, ``NATURE``)."""
    disclosure: DisclosureSpec = DisclosureSpec(method=DisclosureMethodName.NONE)
    """Disclosure control; none unless given."""
    unpivot: Unpivot | None = None
    """Turn several value columns into one code column and one value column first."""
    output: AggregateOutput = AggregateOutput()
    """Identity and title of the aggregated data set."""

    @property
    def time_id(self) -> str | None:
        """Id of the target time dimension, if the structure has one."""
        td = self.structure.time_dimension
        return td.id if td is not None else None

    @property
    def dimension_ids(self) -> tuple[str, ...]:
        """Ids of the target dimensions, in key order (time dimension excluded)."""
        return tuple(d.id for d in self.structure.dimensions)

    @property
    def total_dimensions(self) -> tuple[str, ...]:
        """Dimensions that get totals, in key order."""
        if self.totals is None:
            return tuple(
                d
                for d in self.dimension_ids
                if d in self.dimensions and self.dimensions[d].source is not None
            )
        return tuple(d for d in self.dimension_ids if d in self.totals)

    @property
    def target_measure(self) -> str:
        """Id of the measure that gets the value."""
        return self.measure_id or self.structure.measures[0].id

    @model_validator(mode="after")
    def _fits_structure(self) -> AggregationSpec:
        s = self.structure
        problems: list[str] = []
        keys = list(self.dimension_ids) + ([self.time_id] if self.time_id else [])
        problems += [f"dimensions.{k}: a rule is needed" for k in keys if k not in self.dimensions]
        problems += [
            f"dimensions.{k}: not a dimension of the structure {s.id}"
            for k in self.dimensions
            if k not in keys
        ]
        for k in self.totals or ():
            if k not in self.dimension_ids:
                problems.append(f"totals: {k} is not a dimension of the structure")
            elif k in self.dimensions and self.dimensions[k].source is None:
                problems.append(f"totals: {k} has a fixed value and cannot be totalled")
        totals = [k for k in self.total_dimensions if k in self.dimensions]
        if len(totals) > MAX_TOTAL_DIMENSIONS:
            problems.append(
                f"totals: {len(totals)} dimensions ({', '.join(totals)}) would need "
                f"{2 ** len(totals)} groupings; at most {MAX_TOTAL_DIMENSIONS} may be totalled"
            )
        for child, parent in self.nested.items():
            for k in (child, parent):
                if k not in totals:
                    problems.append(f"nested.{child}: {k} is not a totalled dimension")
        for k, rule in self.dimensions.items():
            if k == self.time_id:
                if rule.total != "_T" and "total" in rule.model_fields_set:
                    problems.append(f"dimensions.{k}.total: the time dimension has no total")
                continue
            if rule.period is not None:
                problems.append(f"dimensions.{k}.period: applies to the time dimension only")
            if k not in self.dimension_ids:
                continue
            codelist = s.codelist_of(k)
            if codelist is None:
                continue
            if k in totals and rule.total not in codelist:
                problems.append(
                    f"dimensions.{k}.total: {rule.total!r} is not a code of {codelist.id}"
                )
            fixed = [] if rule.value is None else [scalar_text(rule.value)]
            mapped = [scalar_text(v) for v in (rule.map or {}).values()]
            problems += [
                f"dimensions.{k}: {code!r} is not a code of {codelist.id}"
                for code in fixed + mapped
                if code not in codelist
            ]
        measures = [m.id for m in s.measures]
        if self.measure_id is not None and self.measure_id not in measures:
            problems.append(f"measure_id: {self.measure_id} is not a measure of the structure")
        attributes = {a.id: a for a in s.attributes}
        for k in self.attributes:
            attr = attributes.get(k)
            if attr is None or attr.attachment is not AttachmentLevel.DATASET:
                problems.append(f"attributes.{k}: not a data-set-level attribute of the structure")
        observation_level = {
            a.id for a in s.attributes if a.attachment is not AttachmentLevel.DATASET
        }
        if self.contributor_count is not None:
            attr = attributes.get(self.contributor_count)
            if attr is None or attr.attachment is AttachmentLevel.DATASET:
                problems.append(
                    f"contributor_count: {self.contributor_count} is not an observation-level "
                    "attribute of the structure"
                )
            elif attr.value_type is not ValueType.INTEGER:
                problems.append(f"contributor_count: {attr.id} must be an integer attribute")
        problems += self._status_problems(attributes, observation_level)
        set_here = set(self.attributes) | {self.contributor_count} | self._status_attributes()
        problems += [
            f"attributes.{a.id}: the structure makes it mandatory; give a value"
            for a in s.attributes
            if a.usage is Usage.MANDATORY and a.id not in set_here
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _status_attributes(self) -> set[str]:
        d = self.disclosure
        return {c.attribute for c in (d.obs_status, d.conf_status) if c is not None}

    def _status_problems(
        self, attributes: Mapping[str, object], observation_level: set[str]
    ) -> list[str]:
        problems: list[str] = []
        d = self.disclosure
        groups: list[tuple[str, ObsStatusCodes | ConfStatusCodes | None, tuple[str, ...]]] = [
            ("obs_status", d.obs_status, ("normal", "suppressed", "missing")),
            ("conf_status", d.conf_status, ("free", "primary", "secondary")),
        ]
        for name, codes, fields in groups:
            if codes is None:
                continue
            attr_id = codes.attribute
            if attr_id not in observation_level:
                if "attribute" in codes.model_fields_set or attr_id in attributes:
                    problems.append(
                        f"disclosure.{name}.attribute: {attr_id} is not an observation-level "
                        "attribute of the structure"
                    )
                continue
            codelist = self.structure.codelist_of(attr_id)
            if codelist is None:
                continue
            needed = list(fields)
            if name == "conf_status" and not d.secondary:
                needed.remove("secondary")
            if d.method is DisclosureMethodName.NONE:
                needed = [f for f in needed if f in ("normal", "free", "missing")]
            problems += [
                f"disclosure.{name}.{f}: {getattr(codes, f)!r} is not a code of {codelist.id}"
                for f in needed
                if f != "missing" and getattr(codes, f) not in codelist
            ]
        return problems

    def status_attribute(self, kind: Literal["obs_status", "conf_status"]) -> str | None:
        """The attribute that gets the status codes, if the structure has it."""
        codes = getattr(self.disclosure, kind)
        if codes is None:
            return None
        observation_level = {
            a.id for a in self.structure.attributes if a.attachment is not AttachmentLevel.DATASET
        }
        attr: str = codes.attribute
        return attr if attr in observation_level else None
