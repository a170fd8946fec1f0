"""The aggregation run: unit records in, a validated indicator data set and a report out.

[`result_from_cells()`][cdinterop.aggregate._run.result_from_cells] takes the cells with totals
that a [`CellAccumulator`][cdinterop.aggregate.CellAccumulator] summed, computes
each cell's value, applies the disclosure control of the spec
(`protect()`), sets the status attributes and returns a
[`CitizenDataset`][cdinterop.model.CitizenDataset] on the spec's target structure. The metadata of
the unit records (title, publisher, licence, participation, consent, quality, provenance)
carry over; their distributions do not (they describe the unit-record files). Two
activities are appended to the provenance: ``aggregation`` (unit records in, cells out)
and, when cells are suppressed by rule, ``disclosure_control`` (method, threshold, cells
suppressed by primary and secondary suppression); the data set's ``disclosure`` record
says the same.

Observations are sorted by the key columns in structure order (codes as text).

With several indicators (``indicators`` in the spec) every step runs once per cell, except
the values: each indicator's value is computed from its own summed columns, and every cell
gets one row per indicator, with the indicator's code in the indicator dimension. The
suppression decision (primary, secondary, audit) is taken once per cell, on the cell's
contributors (the records that contribute to at least one of its indicators), and applied
to every indicator of the cell, with the same status attributes and contributor count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ValidationError

from cdinterop._version import __version__
from cdinterop.aggregate._bounds import cell_bounds
from cdinterop.aggregate._groupby import (
    CONTRIBUTORS,
    denominator_column,
    numerator_column,
    python_round,
    total_subsets,
)
from cdinterop.aggregate._record import disclosure_activity, disclosure_record
from cdinterop.aggregate._spec import (
    AggregationSpec,
    CountMeasure,
    DisclosureMethodName,
    MeasureSpec,
    ProportionMeasure,
    RatioMeasure,
    SumMeasure,
    Unpivot,
)
from cdinterop.aggregate._suppression import Suppression, suppress
from cdinterop.aggregate._weighting import Calibration
from cdinterop.errors import InvalidDatasetError, Issue, issues_from_pydantic
from cdinterop.model import (
    Activity,
    ActivityType,
    CitizenDataset,
    Observations,
    ValueType,
)
from cdinterop.model._internal import CDINTEROP_AGENT_ID, cdinterop_agents, free_id

__all__ = ["AggregationReport", "AggregationResult", "Finest", "result_from_cells", "unpivot"]

_DROPPED_FIELDS = ("structure", "observations", "attribute_values", "distributions", "disclosure")


@dataclass(frozen=True)
class AggregationReport:
    """What an aggregation did, in numbers."""

    rows_in: int
    """Unit records read."""
    groupings: int
    """Group-bys run (subsets of the totalled dimensions)."""
    cells: int
    """Cells produced, totals included: combinations of the dimensions' codes."""
    published: int
    """Observations with a published value (one observation per cell and indicator: the
    cells themselves, with a single measure)."""
    primary_suppressed: int
    """Cells suppressed because 0 < contributors < k."""
    secondary_suppressed: int
    """Further cells suppressed to protect them (secondary suppression and audit)."""
    missing: int
    """Observations without a value for another reason (nothing to average, zero
    denominator)."""
    audit_complete: bool
    """Whether the linear-algebra audit covered every block of suppressed cells."""
    seconds: float
    """Wall time of the run."""
    null_values: dict[str, int] = field(default_factory=dict)
    """Per column the measure reads, the unit records with no value there (null or blank
    answers): left out of that measure's numerator and denominator, never counted as 0."""
    indicators: int = 1
    """Indicators published per cell (``indicators`` in the spec; 1 with one ``measure``)."""
    cells_published: int = 0
    """Cells with a published value for at least one indicator (``published``, with a
    single measure)."""
    observations: int = 0
    """Observations written: one per cell and indicator."""

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return {
            **asdict(self),
            "observations": self.observations,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class AggregationResult:
    """The result of [`aggregate()`][cdinterop.aggregate.aggregate]."""

    dataset: CitizenDataset
    """The indicator data set on the spec's target structure."""
    report: AggregationReport
    """Counts of the run."""
    calibration: Calibration = field(default_factory=Calibration)
    """The sample against the spec's benchmark and the raking run, when it names one."""


def _values(
    cells: pa.Table, m: MeasureSpec, indicator: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's value of one indicator (float or int array) and the cells whose value is
    missing."""
    num_col = cells.column(numerator_column(indicator))
    has_den = denominator_column(indicator) in cells.column_names
    num = num_col.to_numpy(zero_copy_only=False)
    if not has_den:
        missing = np.asarray(pc.is_null(num_col).to_numpy(zero_copy_only=False), dtype=bool)
        if pa.types.is_integer(num_col.type):
            return np.asarray(pc.fill_null(num_col, 0).to_numpy()), missing
        return np.asarray(num, dtype=np.float64), missing | ~np.isfinite(num.astype(np.float64))
    num = np.asarray(pc.cast(num_col, pa.float64()).to_numpy(zero_copy_only=False))
    den = np.asarray(
        pc.cast(cells.column(denominator_column(indicator)), pa.float64()).to_numpy(
            zero_copy_only=False
        )
    )
    scale = 1.0
    if isinstance(m, RatioMeasure):
        scale = m.scale
    elif isinstance(m, ProportionMeasure) and m.scale == "percent":
        scale = 100.0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = scale * num / den if scale != 1.0 else num / den
    missing = ~np.isfinite(value)
    return value, missing


def unpivot(records: pa.Table, spec: Unpivot) -> pa.Table:
    """One table per value column, with the column's code and its values, stacked (the
    other columns repeated); raises ``InvalidDatasetError`` for a missing column."""
    missing = [c for c in spec.columns if c not in records.column_names]
    if missing:
        issues = [
            Issue(
                location=f"unpivot.columns.{c}",
                code="unknown-column",
                message=f"the unit records have no column {c!r}",
                value=c,
            )
            for c in missing
        ]
        raise InvalidDatasetError(issues, context="aggregation")
    kept = records.drop_columns(list(spec.columns))
    parts = []
    for column, code in spec.columns.items():
        values = records.column(column)
        part = kept.append_column(spec.code, pa.repeat(pa.scalar(code), records.num_rows))
        parts.append(part.append_column(spec.value, values))
    return pa.concat_tables(parts, promote_options="permissive")


@dataclass(frozen=True)
class Finest:
    """What the finest cells came from: the key columns, the unit records, their nulls."""

    keys: tuple[str, ...]
    """The key columns taken from unit records (see ``key_order``)."""
    rows_in: int
    """Unit records aggregated."""
    nulls: dict[str, int]
    """Per column a measure reads, the unit records with no value there."""
    started: dt.datetime
    """When the aggregation started."""


def result_from_cells(
    unit_records: CitizenDataset,
    spec: AggregationSpec,
    cells: pa.Table,
    finest: Finest,
    calibration: Calibration,
) -> AggregationResult:
    """The indicator data set and report from the cells with totals (unsorted; summed
    columns and ``_n``): values, disclosure control, status attributes, provenance."""
    cells = _sorted_cells(cells, finest.keys, spec)
    contributors = np.asarray(cells.column(CONTRIBUTORS).to_numpy(), dtype=np.int64)
    suppression = _cell_status(cells, finest.keys, spec, contributors)
    parts, statuses = [], []
    for indicator, measure in spec.measures.items():
        value, missing = _values(cells, measure, indicator)
        status = suppression.with_missing(missing)
        value = _published_values(value, status.blank, spec, measure)
        parts.append((indicator, value, status))
        statuses.append(status)
    table = _observation_table(cells, spec, parts, contributors)
    run = _Run(
        spec, finest.started, finest.rows_in, cells.num_rows, suppression, finest.nulls, statuses
    )
    dataset = _indicator_dataset(unit_records, spec, table, run)
    seconds = (dt.datetime.now(dt.UTC) - finest.started).total_seconds()
    return AggregationResult(dataset, _report(run, seconds), calibration)


@dataclass(frozen=True)
class _CellStatus:
    """Which cells are published and why the others are not."""

    primary: np.ndarray
    """Cells suppressed because 0 < contributors < k."""
    suppressed: np.ndarray
    """Cells suppressed by rule: primary, secondary and audit."""
    missing: np.ndarray
    """Cells without a value for another reason (and not suppressed)."""
    audit_complete: bool
    """Whether the audit covered every block of suppressed cells."""
    found: Suppression | None = None
    """How the pattern was found (none without cell suppression)."""

    @property
    def secondary(self) -> np.ndarray:
        """Cells suppressed to protect others (secondary suppression and audit)."""
        return np.asarray(self.suppressed & ~self.primary, dtype=bool)

    @property
    def blank(self) -> np.ndarray:
        """Cells published without a value."""
        return np.asarray(self.suppressed | self.missing, dtype=bool)

    def with_missing(self, missing: np.ndarray) -> _CellStatus:
        """This suppression, with ``missing`` (one indicator's cells without a value) for
        the cells it does not suppress."""
        return _CellStatus(
            self.primary,
            self.suppressed,
            missing & ~self.suppressed,
            self.audit_complete,
            self.found,
        )


@dataclass(frozen=True)
class _Run:
    """What the provenance and the report say about one aggregation."""

    spec: AggregationSpec
    started: dt.datetime
    rows_in: int
    cells: int
    status: _CellStatus
    """The suppression of the cells (shared by every indicator)."""
    nulls: dict[str, int]
    indicators: list[_CellStatus]
    """Per indicator, the cells' status (the suppression and its missing values)."""

    @property
    def observations(self) -> int:
        """Observations produced: one per cell and indicator."""
        return self.cells * len(self.indicators)


def _sorted_cells(cells: pa.Table, keys: tuple[str, ...], spec: AggregationSpec) -> pa.Table:
    """The cells sorted by the key columns in structure order."""
    order = [k for k in (*spec.dimension_ids, spec.time_id) if k in keys]
    if order:
        cells = cells.sort_by([(k, "ascending") for k in order])
    return cells


def _cell_status(
    cells: pa.Table,
    keys: tuple[str, ...],
    spec: AggregationSpec,
    contributors: np.ndarray,
) -> _CellStatus:
    """The spec's disclosure control over the cells: the sensitive cells, the secondary
    cells and the audit (no cell missing: each indicator's missing values are added by
    ``with_missing``)."""
    if spec.disclosure.method is not DisclosureMethodName.CELL_SUPPRESSION:
        nothing = np.zeros(cells.num_rows, dtype=bool)
        return _CellStatus(nothing, nothing, nothing.copy(), True)
    found = suppress(cells, keys, spec, contributors)
    return _CellStatus(
        found.primary,
        found.suppressed,
        np.zeros_like(found.primary),
        found.audit_complete,
        found,
    )


def _published_values(
    value: np.ndarray, blank: np.ndarray, spec: AggregationSpec, m: MeasureSpec
) -> np.ndarray:
    """The values as published: rounded to the measure's decimals, integers for an integer
    measure that counts or has no decimals, floats for a measure that is not an integer."""
    measure = next(c for c in spec.structure.measures if c.id == spec.target_measure)
    integer = measure.value_type is ValueType.INTEGER
    decimals = m.decimals
    if value.dtype.kind != "f":
        return value if integer else value.astype(np.float64)
    if decimals is not None:
        value = python_round(np.where(blank, 0.0, value), decimals)
    if integer and (decimals == 0 or _counts_of(spec, m)):
        value = np.rint(np.where(blank, 0.0, value)).astype(np.int64)
    return value


def _observation_table(
    cells: pa.Table,
    spec: AggregationSpec,
    parts: list[tuple[str | None, np.ndarray, _CellStatus]],
    contributors: np.ndarray,
) -> pa.Table:
    """The observations of every indicator (values of one type), sorted by the key
    columns in structure order when there are several indicators."""
    if len(parts) == 1:
        indicator, value, status = parts[0]
        return _indicator_table(cells, spec, indicator, value, status, contributors)
    common = np.result_type(*(value.dtype for _, value, _ in parts))
    table = pa.concat_tables(
        [
            _indicator_table(cells, spec, indicator, value.astype(common), status, contributors)
            for indicator, value, status in parts
        ]
    )
    keys = set(cells.column_names) | {spec.indicator_dimension}
    order = [k for k in (*spec.dimension_ids, spec.time_id) if k in keys]
    return table.sort_by([(k, "ascending") for k in order])


def _indicator_table(
    cells: pa.Table,
    spec: AggregationSpec,
    indicator: str | None,
    value: np.ndarray,
    status: _CellStatus,
    contributors: np.ndarray,
) -> pa.Table:
    """The observations of one indicator: key columns (the indicator's code in the
    indicator dimension), the measure (null where blank), the status attributes and the
    contributor count (null where suppressed)."""
    columns = _key_columns(cells, spec, indicator)
    columns[spec.target_measure] = pa.array(value, mask=status.blank)
    columns.update(_status_columns(spec, status))
    if spec.intervals is not None:
        columns.update(_bound_columns(cells, spec, indicator, status))
    if spec.indicators is not None and indicator is not None:
        for attribute, values in spec.indicators.attributes.items():
            columns[attribute] = pa.repeat(pa.scalar(values[indicator]), cells.num_rows)
    if spec.contributor_count is not None:
        columns[spec.contributor_count] = pa.array(contributors, mask=status.suppressed)
    return pa.table(columns)


def _bound_columns(
    cells: pa.Table, spec: AggregationSpec, indicator: str | None, status: _CellStatus
) -> dict[str, pa.Array]:
    """The lower and upper bound columns of one indicator's observations: null where the
    value is blank and for measures without bounds (counts, sums, ratios)."""
    assert spec.intervals is not None
    bounds = cell_bounds(cells, spec.measures[indicator], indicator, spec.intervals)
    out: dict[str, pa.Array] = {}
    for name, values in zip(
        (spec.intervals.lower, spec.intervals.upper),
        bounds or (np.full(cells.num_rows, np.nan),) * 2,
        strict=True,
    ):
        out[name] = pa.array(values, pa.float64(), mask=status.blank | ~np.isfinite(values))
    return out


def _key_columns(
    cells: pa.Table, spec: AggregationSpec, indicator: str | None
) -> dict[str, pa.Array | pa.ChunkedArray]:
    """The dimension and time columns: fixed codes and the indicator's code repeated, the
    others from the cells."""
    columns: dict[str, pa.Array | pa.ChunkedArray] = {}
    for key in (*spec.dimension_ids, *((spec.time_id,) if spec.time_id else ())):
        if key == spec.indicator_dimension:
            columns[key] = pa.repeat(pa.scalar(indicator, pa.string()), cells.num_rows)
            continue
        rule = spec.dimensions[key]
        if rule.value is not None:
            text = rule.value if isinstance(rule.value, str) else str(rule.value)
            columns[key] = pa.repeat(pa.scalar(text), cells.num_rows)
        else:
            columns[key] = cells.column(key)
    return columns


def _status_columns(spec: AggregationSpec, status: _CellStatus) -> dict[str, pa.Array]:
    """The observation status and confidentiality status columns the structure has."""
    d = spec.disclosure
    columns: dict[str, pa.Array] = {}
    obs_attr = spec.status_attribute("obs_status")
    if obs_attr is not None and d.obs_status is not None:
        s = d.obs_status
        normal_or_missing = np.where(status.missing, s.missing, s.normal)
        columns[obs_attr] = _codes(np.where(status.suppressed, s.suppressed, normal_or_missing))
    conf_attr = spec.status_attribute("conf_status")
    if conf_attr is not None and d.conf_status is not None:
        c = d.conf_status
        free_or_secondary = np.where(status.secondary, c.secondary, c.free)
        columns[conf_attr] = _codes(np.where(status.primary, c.primary, free_or_secondary))
    return columns


def _codes(codes: np.ndarray) -> pa.Array:
    """A numpy array of codes as an Arrow string array."""
    return pa.array(codes.astype(object), pa.string())


def _indicator_dataset(
    unit_records: CitizenDataset, spec: AggregationSpec, table: pa.Table, run: _Run
) -> CitizenDataset:
    """The indicator data set: the unit records' metadata (not their structure,
    observations, distributions nor disclosure record), the spec's output identity, the
    observations and the provenance of this run."""
    base = {k: v for k, v in unit_records.__dict__.items() if k not in _DROPPED_FIELDS}
    base.update(spec.output.model_dump(exclude_none=True))
    provenance = unit_records.provenance
    agents = cdinterop_agents(provenance)
    for activity in _activities(run, {a.id for a in provenance.activities}):
        provenance = provenance.with_activity(activity, agents=agents)
        agents = ()
    try:
        return CitizenDataset.model_validate(
            {
                **base,
                "structure": spec.structure,
                "attribute_values": dict(spec.attributes),
                "observations": Observations.from_arrow(table),
                "provenance": provenance,
                "disclosure": disclosure_record(run.spec, run.status.found),
            }
        )
    except ValidationError as exc:  # e.g. a data-set attribute value the codelist lacks
        raise InvalidDatasetError(
            issues_from_pydantic(exc), context="aggregated data set"
        ) from None


def _activities(run: _Run, taken: set[str]) -> list[Activity]:
    """The aggregation activity and, with cell suppression, the disclosure control one."""
    ended = dt.datetime.now(dt.UTC)
    activities = [_aggregation_activity(run, free_id("AGGREGATE", taken), ended)]
    if run.spec.disclosure.method is DisclosureMethodName.CELL_SUPPRESSION:
        activities.append(
            disclosure_activity(run.spec, run.status.found, run.cells, free_id("SDC", taken), ended)
        )
    return activities


def _aggregation_activity(run: _Run, activity_id: str, ended: dt.datetime) -> Activity:
    """The ``aggregation`` activity: unit records in, cells out, with the spec's parameters."""
    spec = run.spec
    return Activity(
        id=activity_id,
        type=ActivityType.AGGREGATION,
        label=f"{_measure_types(spec)} per cell of {spec.structure.id}, with totals",
        started_at=run.started,
        ended_at=ended,
        agents=(CDINTEROP_AGENT_ID,),
        software=CDINTEROP_AGENT_ID,
        method=f"aggregation spec {spec.id}",
        rows_in=run.rows_in,
        rows_out=run.observations,
        parameters=_aggregation_parameters(spec),
    )


def _aggregation_parameters(spec: AggregationSpec) -> dict[str, str | int | float | bool]:
    """The parameters of the aggregation activity (spec, measure, groupings, totals ...)."""
    parameters: dict[str, str | int | float | bool] = {
        "spec": spec.id,
        "measure": _measure_types(spec),
        "groupings": len(total_subsets(spec)),
        "totals": ",".join(spec.total_dimensions) or "none",
        "cdinterop": __version__,
    }
    if spec.weight:
        parameters["weight"] = spec.weight
    if spec.contributors:
        parameters["contributors"] = spec.contributors
    if spec.indicators is not None:
        parameters["indicators"] = ",".join(spec.indicators.measures)
        parameters["indicator_dimension"] = spec.indicators.dimension
    m = spec.measure
    if isinstance(m, ProportionMeasure):
        parameters["numerator"] = f"{m.column} in ({', '.join(str(v) for v in m.values)})"
    return parameters


def _measure_types(spec: AggregationSpec) -> str:
    """The measures' types, e.g. ``proportion`` or ``count, proportion``."""
    return ", ".join(dict.fromkeys(m.type for m in spec.measures.values()))


def _report(run: _Run, seconds: float) -> AggregationReport:
    """The counts of the run."""
    status = run.status
    return AggregationReport(
        rows_in=run.rows_in,
        groupings=len(total_subsets(run.spec)),
        cells=run.cells,
        published=sum(int((~s.blank).sum()) for s in run.indicators),
        primary_suppressed=int(status.primary.sum()),
        secondary_suppressed=int(status.secondary.sum()),
        missing=sum(int(s.missing.sum()) for s in run.indicators),
        audit_complete=status.audit_complete,
        seconds=seconds,
        null_values=dict(run.nulls),
        indicators=len(run.indicators),
        cells_published=int(np.logical_or.reduce([~s.blank for s in run.indicators]).sum()),
        observations=run.cells * len(run.indicators),
    )


def _counts_of(spec: AggregationSpec, m: MeasureSpec) -> bool:
    """Whether the measure is a count or a sum (integers stay integers when unweighted)."""
    return isinstance(m, CountMeasure | SumMeasure) and spec.weight is None
