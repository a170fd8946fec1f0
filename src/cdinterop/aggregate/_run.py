"""The aggregation run: unit records in, a validated indicator data set and a report out.

[`aggregate()`][cdinterop.aggregate.aggregate] prepares the unit records (`prepare()`),
groups them with totals (`cells_with_totals()`), computes
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
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdinterop._version import __version__
from cdinterop.aggregate._disclosure import additive_relations, primary_suppression, protect
from cdinterop.aggregate._groupby import (
    CONTRIBUTORS,
    DENOMINATOR,
    NUMERATOR,
    cells_with_totals,
    prepare,
    python_round,
    total_subsets,
)
from cdinterop.aggregate._spec import (
    AggregationSpec,
    CountMeasure,
    DisclosureMethodName,
    ProportionMeasure,
    RatioMeasure,
    SumMeasure,
    Unpivot,
)
from cdinterop.errors import InvalidDatasetError, Issue
from cdinterop.model._dataset import CitizenDataset
from cdinterop.model._observations import Observations
from cdinterop.model._provenance import (
    CDINTEROP_AGENT_ID,
    Activity,
    ActivityType,
    cdinterop_agents,
    free_id,
)
from cdinterop.model._quality import DisclosureControl, DisclosureMethod
from cdinterop.model._structure import ValueType

__all__ = ["AggregationReport", "AggregationResult", "aggregate", "unpivot"]

_DROPPED_FIELDS = ("structure", "observations", "attribute_values", "distributions", "disclosure")


@dataclass(frozen=True)
class AggregationReport:
    """What an aggregation did, in numbers."""

    rows_in: int
    """Unit records read."""
    groupings: int
    """Group-bys run (subsets of the totalled dimensions)."""
    cells: int
    """Cells (observations) produced, totals included."""
    published: int
    """Cells with a published value."""
    primary_suppressed: int
    """Cells suppressed because 0 < contributors < k."""
    secondary_suppressed: int
    """Further cells suppressed to protect them (secondary suppression and audit)."""
    missing: int
    """Cells without a value for another reason (nothing to average, zero denominator)."""
    audit_complete: bool
    """Whether the linear-algebra audit covered every block of suppressed cells."""
    seconds: float
    """Wall time of the run."""

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return {**asdict(self), "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class AggregationResult:
    """The result of [`aggregate()`][cdinterop.aggregate.aggregate]."""

    dataset: CitizenDataset
    """The indicator data set on the spec's target structure."""
    report: AggregationReport
    """Counts of the run."""


def _values(cells: pa.Table, spec: AggregationSpec, has_den: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's value (float or int array) and the cells whose value is missing."""
    num_col = cells.column(NUMERATOR)
    num = num_col.to_numpy(zero_copy_only=False)
    if not has_den:
        missing = np.asarray(pc.is_null(num_col).to_numpy(zero_copy_only=False), dtype=bool)
        if pa.types.is_integer(num_col.type):
            return np.asarray(pc.fill_null(num_col, 0).to_numpy()), missing
        return np.asarray(num, dtype=np.float64), missing | ~np.isfinite(num.astype(np.float64))
    num = np.asarray(pc.cast(num_col, pa.float64()).to_numpy(zero_copy_only=False))
    den = np.asarray(
        pc.cast(cells.column(DENOMINATOR), pa.float64()).to_numpy(zero_copy_only=False)
    )
    m = spec.measure
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


def aggregate(unit_records: CitizenDataset, spec: AggregationSpec) -> AggregationResult:
    """Aggregate unit records to the spec's target structure, with totals and disclosure
    control.

    Raises [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError] when there are no unit
    records, for unit records the spec cannot be applied to (missing columns, null or unmapped
    codes) and for a result that breaks the target structure (e.g. a code outside a codelist).
    """
    clock = time.perf_counter()
    started = dt.datetime.now(dt.UTC)
    records = unit_records.observations.table
    if records.num_rows == 0:
        problem = Issue("observations", "no-records", "there are no unit records to aggregate")
        raise InvalidDatasetError([problem], context="aggregation")
    if spec.unpivot is not None:
        records = unpivot(records, spec.unpivot)
    prepared = prepare(records, spec)
    cells = cells_with_totals(prepared, spec)
    order = [k for k in (*spec.dimension_ids, spec.time_id) if k in prepared.keys]
    if order:
        cells = cells.sort_by([(k, "ascending") for k in order])
    n_cells = cells.num_rows
    value, missing = _values(cells, spec, prepared.has_denominator)
    contributors = np.asarray(cells.column(CONTRIBUTORS).to_numpy(), dtype=np.int64)

    d = spec.disclosure
    primary = np.zeros(n_cells, dtype=bool)
    suppressed = primary
    audit_complete = True
    if d.method is DisclosureMethodName.CELL_SUPPRESSION:
        assert d.threshold is not None
        primary = primary_suppression(contributors, d.threshold)
        totals = {k: spec.dimensions[k].total for k in spec.total_dimensions}
        relations = additive_relations(cells, prepared.keys, totals)
        suppressed, audit_complete = protect(
            relations, primary, contributors, secondary=d.secondary, audit=d.audit
        )
    secondary = suppressed & ~primary
    missing = missing & ~suppressed
    blank = suppressed | missing

    measure_id = spec.target_measure
    measure = next(m for m in spec.structure.measures if m.id == measure_id)
    decimals = spec.measure.decimals
    if value.dtype.kind == "f":
        if decimals is not None:
            value = python_round(np.where(blank, 0.0, value), decimals)
        if measure.value_type is ValueType.INTEGER and (decimals == 0 or _counts_of(spec)):
            value = np.rint(np.where(blank, 0.0, value)).astype(np.int64)
    elif measure.value_type is not ValueType.INTEGER:
        value = value.astype(np.float64)
    columns: dict[str, pa.Array | pa.ChunkedArray] = {}
    for key in (*spec.dimension_ids, *((spec.time_id,) if spec.time_id else ())):
        rule = spec.dimensions[key]
        if rule.value is not None:
            text = rule.value if isinstance(rule.value, str) else str(rule.value)
            columns[key] = pa.repeat(pa.scalar(text), n_cells)
        else:
            columns[key] = cells.column(key)
    columns[measure_id] = pa.array(value, mask=blank)
    obs_attr = spec.status_attribute("obs_status")
    if obs_attr is not None and d.obs_status is not None:
        s = d.obs_status
        columns[obs_attr] = pa.array(
            np.where(suppressed, s.suppressed, np.where(missing, s.missing, s.normal)).astype(
                object
            ),
            pa.string(),
        )
    conf_attr = spec.status_attribute("conf_status")
    if conf_attr is not None and d.conf_status is not None:
        c = d.conf_status
        columns[conf_attr] = pa.array(
            np.where(primary, c.primary, np.where(secondary, c.secondary, c.free)).astype(object),
            pa.string(),
        )
    if spec.contributor_count is not None:
        columns[spec.contributor_count] = pa.array(contributors, mask=suppressed)
    table = pa.table(columns)

    base = {k: v for k, v in unit_records.__dict__.items() if k not in _DROPPED_FIELDS}
    base.update(spec.output.model_dump(exclude_none=True))
    provenance = unit_records.provenance
    agents = cdinterop_agents(provenance)
    taken = {a.id for a in provenance.activities}
    ended = dt.datetime.now(dt.UTC)
    groupings = len(total_subsets(spec))
    m = spec.measure
    parameters: dict[str, str | int | float | bool] = {
        "spec": spec.id,
        "measure": m.type,
        "groupings": groupings,
        "totals": ",".join(spec.total_dimensions) or "none",
        "cdinterop": __version__,
    }
    if spec.weight:
        parameters["weight"] = spec.weight
    if spec.contributors:
        parameters["contributors"] = spec.contributors
    if isinstance(m, ProportionMeasure):
        parameters["numerator"] = f"{m.column} in ({', '.join(str(v) for v in m.values)})"
    activities = [
        Activity(
            id=free_id("AGGREGATE", taken),
            type=ActivityType.AGGREGATION,
            label=f"{m.type} per cell of {spec.structure.id}, with totals",
            started_at=started,
            ended_at=ended,
            agents=(CDINTEROP_AGENT_ID,),
            software=CDINTEROP_AGENT_ID,
            method=f"aggregation spec {spec.id}",
            rows_in=records.num_rows,
            rows_out=n_cells,
            parameters=parameters,
        )
    ]
    disclosure: DisclosureControl
    if d.method is DisclosureMethodName.CELL_SUPPRESSION:
        n_primary, n_secondary = int(primary.sum()), int(secondary.sum())
        disclosure = DisclosureControl(
            method=DisclosureMethod.CELL_SUPPRESSION,
            threshold=d.threshold,
            cells_suppressed=n_primary,
            secondary_suppression=d.secondary,
            secondary_cells_suppressed=n_secondary,
            notes={"en": _notes(spec, audit_complete)},
        )
        activities.append(
            Activity(
                id=free_id("SDC", taken),
                type=ActivityType.DISCLOSURE_CONTROL,
                label=f"Cells with fewer than {d.threshold} contributors suppressed"
                + (", with secondary suppression" if d.secondary else ""),
                started_at=ended,
                ended_at=dt.datetime.now(dt.UTC),
                agents=(CDINTEROP_AGENT_ID,),
                software=CDINTEROP_AGENT_ID,
                method="cell suppression (threshold rule)",
                rows_in=n_cells,
                rows_out=n_cells,
                parameters={
                    "threshold": int(d.threshold or 0),
                    "cells_suppressed": n_primary,
                    "secondary_suppression": d.secondary,
                    "secondary_cells_suppressed": n_secondary,
                    "contributors": spec.contributors or "unit records",
                    "audit": d.audit and d.secondary,
                    "audit_complete": audit_complete,
                },
            )
        )
    else:
        disclosure = DisclosureControl(method=DisclosureMethod.NONE)
    for activity in activities:
        provenance = provenance.with_activity(activity, agents=agents)
        agents = ()
    dataset = CitizenDataset.model_validate(
        {
            **base,
            "structure": spec.structure,
            "attribute_values": dict(spec.attributes),
            "observations": Observations.from_arrow(table),
            "provenance": provenance,
            "disclosure": disclosure,
        }
    )
    report = AggregationReport(
        rows_in=records.num_rows,
        groupings=groupings,
        cells=n_cells,
        published=int((~blank).sum()),
        primary_suppressed=int(primary.sum()),
        secondary_suppressed=int(secondary.sum()),
        missing=int(missing.sum()),
        audit_complete=audit_complete,
        seconds=time.perf_counter() - clock,
    )
    return AggregationResult(dataset, report)


def _counts_of(spec: AggregationSpec) -> bool:
    """Whether the measure is a count or a sum (integers stay integers when unweighted)."""
    return isinstance(spec.measure, CountMeasure | SumMeasure) and spec.weight is None


def _notes(spec: AggregationSpec, audit_complete: bool) -> str:
    d = spec.disclosure
    who = f"distinct values of {spec.contributors}" if spec.contributors else "unit records"
    text = (
        f"Threshold rule: cells with fewer than {d.threshold} contributors ({who}) are suppressed."
    )
    if d.secondary:
        text += (
            " Secondary suppression: no total along any dimension has exactly one "
            "suppressed cell, so none can be derived by subtraction."
        )
        if d.audit:
            text += (
                " Audited: no suppressed value is determined by any linear combination "
                "of published cells."
                if audit_complete
                else " The audit could not cover every block of suppressed cells."
            )
    else:
        text += " No secondary suppression: suppressed cells may be derivable from totals."
    return text
