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

Several indicators
    Instead of ``measure``, ``indicators`` publishes several measures for the same cells as
    separate series, told apart by a dimension of the structure that no column feeds (e.g.
    the SDG ``SERIES``)::

        indicators:
          dimension: SERIES
          measures:
            COUNT_SATISFIED: {type: count}
            PROP_SATISFIED: {type: proportion, column: SATISFIED, values: [1], scale: percent}

    Each key is a code of that dimension's codelist. Disclosure control is decided once per
    cell (the key without the indicator dimension) and applied to every indicator of it.
    ``attributes`` gives a series attribute a value per indicator, e.g. the unit of measure:
    ``attributes: {UNIT_MEASURE: {COUNT_SATISFIED: NUMBER, PROP_SATISFIED: PT}}``.

Every model is frozen and rejects unknown fields; structural problems (a rule for a
component the structure lacks, a code outside a codelist, too many total dimensions) are
reported at construction, each with the closest name ("did you mean 'X'?") and the list of
choices. The unit-record columns the section names are checked when the spec loads if it is
the ``aggregation`` section of an ingest spec (against the unit-record structure), else when
the spec is applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from cdinterop.aggregate._fitness_spec import BenchmarkSpec, IntervalSpec, WeightingSpec
from cdinterop.aggregate._structure_files import SpecStructure
from cdinterop.errors import Problem, RuleViolations
from cdinterop.mapping import UnmappedPolicy
from cdinterop.mapping._internal import Scalar, not_one_of, scalar_text
from cdinterop.model import (
    AccessRights,
    AgencyId,
    AttachmentLevel,
    Attribute,
    Codelist,
    Model,
    MultilingualText,
    NCNameId,
    SdmxId,
    Usage,
    ValueType,
)

__all__ = [
    "MAX_TOTAL_DIMENSIONS",
    "AggregateOutput",
    "AggregationSpec",
    "BenchmarkSpec",
    "ConfStatusCodes",
    "CountMeasure",
    "DimensionRule",
    "DisclosureMethodName",
    "DisclosureSpec",
    "DominanceSpec",
    "IndicatorsSpec",
    "IntervalSpec",
    "MeanMeasure",
    "MeasureSpec",
    "NKRule",
    "ObsStatusCodes",
    "PPercentRule",
    "ProportionMeasure",
    "ProtectionSpec",
    "RatioMeasure",
    "SecondaryMethod",
    "SumMeasure",
    "SuppressionCost",
    "WeightingSpec",
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


class IndicatorsSpec(Model):
    """Several measures for the same cells, one series each, told apart by a dimension."""

    dimension: NCNameId
    """The indicator dimension of the structure (e.g. ``SERIES``); no column feeds it."""
    measures: dict[SdmxId, MeasureSpec] = Field(min_length=1)
    """Code of the indicator dimension → the measure published under that code."""
    attributes: dict[NCNameId, dict[SdmxId, Scalar]] = Field(default_factory=dict)
    """Series- or observation-level attribute → its value for each indicator code, e.g.
    ``{UNIT_MEASURE: {COUNT_SATISFIED: NUMBER, PROP_SATISFIED: PT}}``: every indicator gets
    one."""


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
    secondary: SdmxId = "C"
    """Secondary suppression: ``C`` like primary suppression by default, because a public
    code that told them apart would say which groups are small and let an attacker bound
    their values (``D``, secondary confidentiality set by the sender, is for exchanges
    between producers)."""


class DisclosureMethodName(StrEnum):
    """Disclosure control methods the aggregation applies."""

    NONE = "none"
    CELL_SUPPRESSION = "cell_suppression"


class ProtectionSpec(Model):
    """Interval protection of sensitive cells, as shares of the threshold k.

    A pattern is accepted only if an attacker who knows every published value, every
    relation of the table and that each written cell holds at least one record cannot
    exclude any value of a sensitive cell x between ``x - LPL`` and ``x + UPL``, with
    ``UPL = ceil(upper * k)`` and ``LPL = min(ceil(lower * k), x - 1)``, and cannot narrow it
    to an interval shorter than ``ceil(sliding * k)``.
    """

    upper: float = Field(default=0.5, ge=0, le=10)
    """Upper protection level, a share of the threshold."""
    lower: float = Field(default=0.5, ge=0, le=10)
    """Lower protection level, a share of the threshold."""
    sliding: float = Field(default=0, ge=0, le=10)
    """Sliding protection level (minimum width of the attacker's interval), a share of the
    threshold."""


class PPercentRule(Model):
    """The p% rule: a cell is sensitive if its total minus the largest ``n + 1``
    contributions is less than ``p`` % of the largest (a coalition of ``n`` contributors
    could estimate the largest to within ``p`` %)."""

    p: float = Field(default=10, gt=0, le=100)
    """The percentage."""
    n: int = Field(default=1, ge=1, le=10)
    """The size of the intruding coalition besides the second largest contributor."""


class NKRule(Model):
    """The (n, k) dominance rule: a cell is sensitive if its ``n`` largest contributions
    exceed ``k`` % of its total."""

    n: int = Field(default=2, ge=1, le=10)
    """The number of largest contributors."""
    k: float = Field(default=85, gt=0, le=100)
    """The percentage of the total."""


class DominanceSpec(Model):
    """Dominance rules for magnitude measures (sums, means, weighted counts): primary
    sensitivity besides the threshold rule."""

    p_percent: PPercentRule | None = None
    """The p% rule."""
    nk: NKRule | None = None
    """The (n, k) rule."""

    @model_validator(mode="after")
    def _some_rule(self) -> DominanceSpec:
        if self.p_percent is None and self.nk is None:
            raise ValueError("dominance needs p_percent or nk (or both)")
        return self


class SecondaryMethod(StrEnum):
    """How secondary cells are chosen."""

    SIMPLE = "simple"
    HEURISTIC = "heuristic"
    OPTIMAL = "optimal"


class SuppressionCost(StrEnum):
    """What the choice of secondary cells minimises."""

    CELLS = "cells"
    VALUE = "value"


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
    protection: ProtectionSpec | None = ProtectionSpec()
    """Interval protection of sensitive cells against a linear-programming attacker;
    ``null`` for exact protection only (no suppressed value can be derived)."""
    secondary_method: SecondaryMethod = SecondaryMethod.OPTIMAL
    """``optimal`` (a mixed-integer program, within ``time_limit``, started from the
    heuristic's pattern), ``heuristic`` (attacked and repaired until protected) or
    ``simple`` (no total with a lone suppressed cell, then the rank audit; no interval
    protection)."""
    cost: SuppressionCost = SuppressionCost.CELLS
    """What the secondary cells minimise: their number or their total value."""
    time_limit: float = Field(default=10, gt=0, le=86400)
    """Seconds the optimisation may take; then the best protected pattern found is kept."""
    dominance: DominanceSpec | None = None
    """Dominance rules for magnitude measures (p% and (n, k))."""
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
        if self.method is DisclosureMethodName.NONE and self.dominance is not None:
            raise ValueError("dominance rules need method cell_suppression")
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
    per category, as on a beach data card) becomes a row with the category's code. With cell
    suppression, ``contributors`` must name the column that identifies a record, so that a
    total over the categories counts each record once."""

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
    structure: SpecStructure
    """The target structure of the observations."""
    dimensions: dict[NCNameId, DimensionRule] = Field(min_length=1)
    """One rule per target dimension and for the time dimension, by component id."""
    totals: tuple[NCNameId, ...] | None = None
    """Dimensions that get totals; default every dimension taken ``from`` a column."""
    nested: dict[NCNameId, NCNameId] = Field(default_factory=dict)
    """Hierarchies, child dimension → parent dimension (no child detail under a parent total)."""
    measure: MeasureSpec | None = None
    """What each cell's value is (one indicator); give this or ``indicators``."""
    indicators: IndicatorsSpec | None = None
    """Several measures per cell, one series each along an indicator dimension."""
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
    benchmark: BenchmarkSpec | None = None
    """Official population figures the sample is compared with (representativeness)."""
    weighting: WeightingSpec | None = None
    """Calibration weights raked to the benchmark; every measure is weighted by them."""
    intervals: IntervalSpec | None = None
    """Confidence intervals of proportions and means, in two observation attributes."""
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
    def indicator_dimension(self) -> str | None:
        """The dimension that tells the indicators apart, if there are several."""
        return self.indicators.dimension if self.indicators is not None else None

    @property
    def measures(self) -> dict[str | None, MeasureSpec]:
        """The measures by indicator code (``{None: measure}`` for a single measure)."""
        if self.indicators is not None:
            return {code: m for code, m in self.indicators.measures.items()}
        assert self.measure is not None
        return {None: self.measure}

    @property
    def target_measure(self) -> str:
        """Id of the measure that gets the value."""
        return self.measure_id or self.structure.measures[0].id

    @model_validator(mode="after")
    def _fits_structure(self) -> AggregationSpec:
        if (self.measure is None) == (self.indicators is None):
            raise RuleViolations(
                [Problem("measure", "give either one 'measure' or several 'indicators', not both")]
            )
        problems = [
            *self._indicator_problems(),
            *self._rule_problems(),
            *self._totals_problems(),
            *self._nested_problems(),
            *self._dimension_problems(),
            *self._measure_problems(),
            *self._attribute_problems(),
            *self._contributor_count_problems(),
            *self._dominance_problems(),
            *self._unpivot_problems(),
            *self._status_problems(self._attributes_by_id(), self._observation_level()),
            *self._mandatory_problems(),
            *self._fitness_problems(),
        ]
        if problems:
            raise RuleViolations(problems)
        return self

    def _fitness_problems(self) -> list[Problem]:
        """Weighting without a benchmark or beside a weight column, and interval bounds
        that are not decimal observation-level attributes."""
        problems: list[Problem] = []
        if self.weighting is not None and self.benchmark is None:
            problems.append(Problem("weighting", "raking needs a 'benchmark' to rake to"))
        if self.weighting is not None and self.weight is not None:
            problems.append(
                Problem("weight", "give either a 'weight' column or 'weighting', not both")
            )
        if self.intervals is None:
            return problems
        attributes = self._attributes_by_id()
        observation = sorted(self._observation_level(), key=self._attribute_order)
        for where in ("lower", "upper"):
            attribute_id = getattr(self.intervals, where)
            attr = attributes.get(attribute_id)
            if attr is None or attr.attachment is AttachmentLevel.DATASET:
                what = "an observation-level attribute of the structure"
                problems.append(
                    Problem(
                        f"intervals.{where}",
                        not_one_of(attribute_id, what, observation, "observation-level attributes"),
                    )
                )
            elif attr.value_type is not ValueType.DECIMAL:
                problems.append(
                    Problem(f"intervals.{where}", f"{attr.id} must be a decimal attribute")
                )
        return problems

    def _attributes_by_id(self) -> dict[str, Attribute]:
        """The structure's attributes by id."""
        return {a.id: a for a in self.structure.attributes}

    def _observation_level(self) -> set[str]:
        """Ids of the structure's attributes that are not attached to the data set."""
        return {
            a.id for a in self.structure.attributes if a.attachment is not AttachmentLevel.DATASET
        }

    def _totalled(self) -> list[str]:
        """The dimensions that get totals and have a rule."""
        return [k for k in self.total_dimensions if k in self.dimensions]

    def _rule_problems(self) -> list[Problem]:
        """A rule missing for a dimension of the structure, or given for one it lacks."""
        keys = list(self.dimension_ids) + ([self.time_id] if self.time_id else [])
        indicator = self.indicator_dimension
        return [
            Problem(f"dimensions.{k}", "a rule is needed")
            for k in keys
            if k not in self.dimensions and k != indicator
        ] + [
            Problem(
                f"dimensions.{k}",
                not_one_of(
                    k, f"a dimension of the structure {self.structure.id}", keys, "dimensions"
                ),
            )
            for k in self.dimensions
            if k not in keys
        ]

    def _indicator_problems(self) -> list[Problem]:
        """An indicator dimension the structure lacks, fed from a column or totalled, or an
        indicator code outside its codelist."""
        if self.indicators is None:
            return []
        k = self.indicators.dimension
        if k not in self.dimension_ids:
            return [
                Problem(
                    "indicators.dimension",
                    not_one_of(
                        k,
                        f"a dimension of the structure {self.structure.id}",
                        self.dimension_ids,
                        "dimensions",
                    ),
                )
            ]
        problems: list[Problem] = []
        if k in self.dimensions:
            problems.append(
                Problem(
                    f"dimensions.{k}",
                    f"{k} is the indicator dimension: its codes are the keys of "
                    "indicators.measures; give it no rule (it is not fed from a column)",
                )
            )
        if k in (self.totals or ()):
            problems.append(Problem("totals", f"{k} is the indicator dimension; it has no total"))
        codelist = self.structure.codelist_of(k)
        if codelist is not None:
            problems += [
                Problem(f"indicators.measures.{code}", _not_a_code(code, codelist))
                for code in self.indicators.measures
                if code not in codelist
            ]
        return problems + self._indicator_attribute_problems(self.indicators)

    def _indicator_attribute_problems(self, indicators: IndicatorsSpec) -> list[Problem]:
        """Per-indicator attribute values for an attribute that is not series- or
        observation-level, or that miss an indicator, or that are not codes."""
        per_series = [
            a.id for a in self.structure.attributes if a.attachment is not AttachmentLevel.DATASET
        ]
        problems: list[Problem] = []
        for attribute, values in indicators.attributes.items():
            where = f"indicators.attributes.{attribute}"
            if attribute not in per_series:
                what = "a series- or observation-level attribute of the structure"
                problems.append(Problem(where, not_one_of(attribute, what, per_series, "ones")))
                continue
            missing = [code for code in indicators.measures if code not in values]
            if missing:
                problems.append(Problem(where, f"no value for the indicators {', '.join(missing)}"))
            problems += [
                Problem(
                    f"{where}.{code}",
                    not_one_of(code, "an indicator", list(indicators.measures), "indicators"),
                )
                for code in values
                if code not in indicators.measures
            ]
            codelist = self.structure.codelist_of(attribute)
            if codelist is not None:
                problems += [
                    Problem(f"{where}.{code}", _not_a_code(scalar_text(value), codelist))
                    for code, value in values.items()
                    if scalar_text(value) not in codelist
                ]
        return problems

    def _totals_problems(self) -> list[Problem]:
        """Totals over an unknown or fixed dimension, or over too many dimensions."""
        problems: list[Problem] = []
        for k in self.totals or ():
            if k not in self.dimension_ids:
                problems.append(
                    Problem(
                        "totals",
                        not_one_of(
                            k, "a dimension of the structure", self.dimension_ids, "dimensions"
                        ),
                    )
                )
            elif k in self.dimensions and self.dimensions[k].source is None:
                problems.append(Problem("totals", f"{k} has a fixed value and cannot be totalled"))
        totals = self._totalled()
        if len(totals) > MAX_TOTAL_DIMENSIONS:
            problems.append(
                Problem(
                    "totals",
                    f"{len(totals)} dimensions ({', '.join(totals)}) would need "
                    f"{2 ** len(totals)} groupings; at most {MAX_TOTAL_DIMENSIONS} may be totalled",
                )
            )
        return problems

    def _nested_problems(self) -> list[Problem]:
        """A hierarchy whose child or parent is not totalled."""
        totals = self._totalled()
        return [
            Problem(
                f"nested.{child}",
                not_one_of(k, "a totalled dimension", totals, "totalled dimensions"),
            )
            for child, parent in self.nested.items()
            for k in (child, parent)
            if k not in totals
        ]

    def _dimension_problems(self) -> list[Problem]:
        """The problems of each dimension rule, in the order of the rules."""
        totals = self._totalled()
        problems: list[Problem] = []
        for k, rule in self.dimensions.items():
            if k == self.time_id:
                problems += self._time_rule_problems(k, rule)
            else:
                problems += self._dimension_rule_problems(k, rule, k in totals)
        return problems

    def _time_rule_problems(self, k: str, rule: DimensionRule) -> list[Problem]:
        """The time dimension has no total."""
        if rule.total != "_T" and "total" in rule.model_fields_set:
            return [Problem(f"dimensions.{k}.total", "the time dimension has no total")]
        return []

    def _dimension_rule_problems(
        self, k: str, rule: DimensionRule, totalled: bool
    ) -> list[Problem]:
        """A period on a dimension other than time; codes outside the dimension's codelist."""
        problems: list[Problem] = []
        if rule.period is not None:
            problems.append(Problem(f"dimensions.{k}.period", "applies to the time dimension only"))
        codelist = self.structure.codelist_of(k) if k in self.dimension_ids else None
        if codelist is not None:
            problems += _codes_outside(k, rule, codelist, totalled)
        return problems

    def _measure_problems(self) -> list[Problem]:
        """A ``measure_id`` that is not a measure of the structure."""
        measures = [m.id for m in self.structure.measures]
        if self.measure_id is not None and self.measure_id not in measures:
            return [
                Problem(
                    "measure_id",
                    not_one_of(self.measure_id, "a measure of the structure", measures, "measures"),
                )
            ]
        return []

    def _attribute_problems(self) -> list[Problem]:
        """Attribute values given for attributes that are not at data-set level, and
        values of coded attributes that are not codes of their codelists."""
        attributes = self._attributes_by_id()
        dataset_level = [
            a.id for a in self.structure.attributes if a.attachment is AttachmentLevel.DATASET
        ]
        problems: list[Problem] = []
        for k, value in self.attributes.items():
            attr = attributes.get(k)
            if attr is None or attr.attachment is not AttachmentLevel.DATASET:
                problems.append(
                    Problem(
                        f"attributes.{k}",
                        not_one_of(
                            k,
                            "a data-set-level attribute of the structure",
                            dataset_level,
                            "data-set-level attributes",
                        ),
                    )
                )
                continue
            codelist = self.structure.codelist_of(k)
            if codelist is not None and scalar_text(value) not in codelist:
                problems.append(
                    Problem(f"attributes.{k}", _not_a_code(scalar_text(value), codelist))
                )
        return problems

    def _dominance_problems(self) -> list[Problem]:
        """Dominance rules without a magnitude measure to apply them to."""
        if self.disclosure.dominance is None:
            return []
        weighted = self.weight is not None or self.weighting is not None
        for m in self.measures.values():
            if isinstance(m, SumMeasure | MeanMeasure | RatioMeasure) or (
                isinstance(m, CountMeasure) and weighted
            ):
                return []
        return [
            Problem(
                "disclosure.dominance",
                "dominance rules apply to magnitudes (sum, mean, ratio, a weighted count); "
                "proportions and unweighted counts are covered by the threshold rule",
            )
        ]

    def _unpivot_problems(self) -> list[Problem]:
        """Cell suppression over unpivoted records without a contributor column: each unit
        record becomes one row per category, so counting rows would count a record once
        per category in every total over the categories, and a cell of three records
        would pass a threshold of five."""
        if (
            self.unpivot is None
            or self.contributors is not None
            or self.disclosure.method is DisclosureMethodName.NONE
        ):
            return []
        return [
            Problem(
                "contributors",
                "cell suppression with unpivot needs the column that identifies a unit "
                "record (e.g. a card or submission id) in contributors: each record becomes "
                "one row per category, and counting rows would count it once per category "
                "in every total over the categories",
            )
        ]

    def _contributor_count_problems(self) -> list[Problem]:
        """A ``contributor_count`` that is not an integer observation-level attribute."""
        if self.contributor_count is None:
            return []
        attr = self._attributes_by_id().get(self.contributor_count)
        if attr is None or attr.attachment is AttachmentLevel.DATASET:
            return [
                Problem(
                    "contributor_count",
                    not_one_of(
                        self.contributor_count,
                        "an observation-level attribute of the structure",
                        sorted(self._observation_level(), key=self._attribute_order),
                        "observation-level attributes",
                    ),
                )
            ]
        if attr.value_type is not ValueType.INTEGER:
            return [Problem("contributor_count", f"{attr.id} must be an integer attribute")]
        return []

    def _attribute_order(self, attribute_id: str) -> int:
        """Position of an attribute in the structure (to list attributes in its order)."""
        return [a.id for a in self.structure.attributes].index(attribute_id)

    def _mandatory_problems(self) -> list[Problem]:
        """Mandatory attributes that nothing in the spec sets."""
        set_here = set(self.attributes) | {self.contributor_count} | self._status_attributes()
        if self.intervals is not None:
            set_here |= {self.intervals.lower, self.intervals.upper}
        if self.indicators is not None:
            set_here |= set(self.indicators.attributes)
        return [
            Problem(f"attributes.{a.id}", "the structure makes it mandatory; give a value")
            for a in self.structure.attributes
            if a.usage is Usage.MANDATORY and a.id not in set_here
        ]

    def _status_attributes(self) -> set[str]:
        d = self.disclosure
        return {c.attribute for c in (d.obs_status, d.conf_status) if c is not None}

    def _status_problems(
        self, attributes: Mapping[str, object], observation_level: set[str]
    ) -> list[Problem]:
        d = self.disclosure
        groups: list[tuple[str, ObsStatusCodes | ConfStatusCodes | None, tuple[str, ...]]] = [
            ("obs_status", d.obs_status, ("normal", "suppressed", "missing")),
            ("conf_status", d.conf_status, ("free", "primary", "secondary")),
        ]
        problems: list[Problem] = []
        for name, codes, fields in groups:
            if codes is not None:
                problems += self._status_codes_problems(
                    name, codes, fields, attributes, observation_level
                )
        return problems

    def _status_codes_problems(
        self,
        name: str,
        codes: ObsStatusCodes | ConfStatusCodes,
        fields: tuple[str, ...],
        attributes: Mapping[str, object],
        observation_level: set[str],
    ) -> list[Problem]:
        """An attribute that is not at observation level (when named or given a value), or
        a status code the run uses outside the attribute's codelist."""
        attr_id = codes.attribute
        if attr_id not in observation_level:
            if "attribute" in codes.model_fields_set or attr_id in attributes:
                return [
                    Problem(
                        f"disclosure.{name}.attribute",
                        not_one_of(
                            attr_id,
                            "an observation-level attribute of the structure",
                            sorted(observation_level, key=self._attribute_order),
                            "observation-level attributes",
                        ),
                    )
                ]
            return []
        codelist = self.structure.codelist_of(attr_id)
        if codelist is None:
            return []
        return [
            Problem(f"disclosure.{name}.{f}", _not_a_code(getattr(codes, f), codelist))
            for f in self._status_fields_used(name, fields)
            if f != "missing" and getattr(codes, f) not in codelist
        ]

    def _status_fields_used(self, name: str, fields: tuple[str, ...]) -> list[str]:
        """The status codes the run can set: no ``secondary`` without secondary
        suppression, only the unsuppressed ones without disclosure control."""
        d = self.disclosure
        needed = list(fields)
        if name == "conf_status" and not d.secondary:
            needed.remove("secondary")
        if d.method is DisclosureMethodName.NONE:
            needed = [f for f in needed if f in ("normal", "free", "missing")]
        return needed

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


def _codes_outside(
    k: str, rule: DimensionRule, codelist: Codelist, totalled: bool
) -> list[Problem]:
    """The total code (of a totalled dimension) and the fixed or mapped codes of a rule
    that are not codes of the dimension's ``codelist``."""
    problems: list[Problem] = []
    if totalled and rule.total not in codelist:
        problems.append(Problem(f"dimensions.{k}.total", _not_a_code(rule.total, codelist)))
    fixed = [] if rule.value is None else [(f"dimensions.{k}.value", scalar_text(rule.value))]
    mapped = [(f"dimensions.{k}.map.{s}", scalar_text(v)) for s, v in (rule.map or {}).items()]
    problems += [
        Problem(where, _not_a_code(code, codelist))
        for where, code in fixed + mapped
        if code not in codelist
    ]
    return problems


def _not_a_code(code: str, codelist: Codelist) -> str:
    """``'X' is not a code of CL (did you mean 'Y'?); the codes are: ...``."""
    return not_one_of(code, f"a code of {codelist.id}", [c.id for c in codelist.codes], "codes")
