"""The audit anyone can rerun: attack a published, disclosure-controlled data set.

[`audit()`][cdinterop.aggregate.audit] takes an indicator data set as published (its
observations with the suppressed values blank, and its ``disclosure`` record) and, like an
attacker, computes by linear programming the smallest and largest value every suppressed
cell can take given every published value, every additive relation of the table (each
total is the sum of its children along one totalled dimension), that each written cell
holds at least one record and that a sum is at least its declared minimum, if any. The
quantities attacked are the contributor count the record names and the measure when it adds
up (an unweighted count, or a sum); a data set conformed to another structure carries the
relations that still hold in its table (`cdinterop.conformance`). It reports the cells
whose value is exactly determined and the sensitive cells whose interval is narrower than
the sliding protection level. Whether an interval lies inside a cell's protection range
needs the true values: that check runs at the end of each aggregation, which has them, and
its result is in the record.

The relations come from the record (``totals``, ``nested``); outputs written before the
record carried them fall back to the ``totals`` parameter of the aggregation activity and
the total code ``_T``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.aggregate._attack import Intervals, attack_intervals
from cdinterop.aggregate._disclosure import additive_relations
from cdinterop.aggregate._relations import LinearRelations, linear_relations
from cdinterop.errors import ReadError
from cdinterop.model import (
    ActivityType,
    CitizenDataset,
    DisclosureAudit,
    DisclosureMethod,
)
from cdinterop.model._internal import load, recorded_totals

__all__ = ["AuditReport", "CellInterval", "audit", "audit_output"]

_ATTACKER = "minimum and maximum of each suppressed cell by linear programming (HiGHS)"
_A_PRIORI = (
    "every published value and additive relation; counts are at least 1 in every written cell; "
    "sums are at least the measure's declared minimum (min_value), if any"
)


@dataclass(frozen=True)
class CellInterval:
    """What the attack learns about one suppressed cell."""

    key: dict[str, str]
    """The cell's dimension codes."""
    component: str
    """The published component attacked (the contributor count or the measure)."""
    lower: float
    """The smallest value the cell can take."""
    upper: float
    """The largest value the cell can take (``inf`` when unbounded)."""

    @property
    def exact(self) -> bool:
        """Whether the value is determined."""
        return self.upper - self.lower < 0.5


@dataclass(frozen=True)
class AuditReport:
    """The result of an audit: the verdicts and each suppressed cell's interval."""

    dataset: str
    """The data set audited (its id)."""
    audit: DisclosureAudit
    """The verdicts in the form of the disclosure record."""
    intervals: list[CellInterval] = field(default_factory=list)
    """Every suppressed cell's interval."""
    recorded: DisclosureAudit | None = None
    """What the data set's own record says its audit found."""
    seconds: float = 0.0
    """Time the audit took."""
    problems: list[str] = field(default_factory=list)
    """Why the audit could not attack some part of the data set."""
    notes: list[str] = field(default_factory=list)
    """Why there is less to attack than the record's method suggests (nothing published
    adds up, or no relation of the source table holds in a conformed one); not failures."""

    @property
    def ok(self) -> bool:
        """No cell determined, none narrower than its sliding level, nothing skipped."""
        a = self.audit
        return (
            a.exact == 0
            and a.narrower_than_sliding == 0
            and not a.inside_protection
            and a.complete
            and not self.problems
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return {
            "dataset": self.dataset,
            "ok": self.ok,
            "seconds": self.seconds,
            "audit": self.audit.model_dump(mode="json", exclude_none=True),
            "recorded": (
                self.recorded.model_dump(mode="json", exclude_none=True) if self.recorded else None
            ),
            "problems": self.problems,
            "notes": self.notes,
            "cells": [
                {
                    "key": c.key,
                    "component": c.component,
                    "lower": c.lower,
                    "upper": None if math.isinf(c.upper) else c.upper,
                    "exact": c.exact,
                }
                for c in self.intervals
            ],
        }


def audit_output(outdir: str | Path) -> AuditReport:
    """Audit the ``dataset.json`` of an output folder (or that file itself); raises
    [`ReadError`][cdinterop.errors.ReadError] when there is none."""
    path = Path(outdir)
    file = path if path.is_file() else path / "dataset.json"
    if not file.is_file():
        raise ReadError(str(path), "no dataset.json here: give the output folder of a run")
    return audit(load(file))


def audit(dataset: CitizenDataset) -> AuditReport:
    """Attack the suppressed cells of a published indicator data set (see the module
    documentation); a data set without cell suppression gives an empty, passing report."""
    started = time.perf_counter()
    record = dataset.disclosure
    if record is None or record.method is not DisclosureMethod.CELL_SUPPRESSION:
        return AuditReport(dataset.id, _verdict(0, 0, 0, True))
    table = dataset.observations.to_arrow()
    keys = tuple(c for c in dataset.structure.key_ids if c in table.column_names)
    conformed = _conformed(dataset)
    totals = dict(record.totals) or ({} if conformed else recorded_totals(dataset.provenance))
    components = _additive_components(dataset, table)
    problems, notes = _unattackable(dataset, table, totals, keys, components, conformed)
    totals = {d: code for d, code in totals.items() if d in keys}
    relations = additive_relations(table, keys, totals)
    lin = linear_relations(relations)
    sliding = _sliding(dataset)
    intervals: list[CellInterval] = []
    exact = narrow = 0
    complete = True
    for quantity in components:
        component, values, suppressed = quantity.name, quantity.values, quantity.suppressed
        found = _attack(lin, quantity)
        if found is None:
            if quantity.kind == "count":
                problems.append(
                    f"the published {component} values contradict the totals: no values of "
                    "the suppressed cells (each at least 1) make every total the sum of its "
                    "children"
                )
                complete = False
            else:
                notes.append(
                    f"the published {component} sums do not add up exactly (rounded to the "
                    "decimals published): their relations are not attacked; the record's own "
                    "audit, with the true values, is below"
                )
            continue
        complete = complete and found.complete
        lo, hi = found.rounded()
        exact += int((suppressed & found.determined(values)).sum())
        narrow += int((suppressed & (hi - lo < sliding - 1e-6)).sum())
        rows = table.select(list(keys)).to_pylist()
        for i in np.nonzero(suppressed)[0].tolist():
            key = {k: str(v) for k, v in rows[i].items()}
            intervals.append(CellInterval(key, component, float(lo[i]), float(hi[i])))
    return AuditReport(
        dataset.id,
        _verdict(int(sum(q.suppressed.sum() for q in components)), exact, narrow, complete),
        intervals,
        record.audit,
        round(time.perf_counter() - started, 3),
        problems,
        notes,
    )


def _attack(lin: LinearRelations, quantity: _Quantity) -> Intervals | None:
    """The intervals of the quantity's suppressed cells, or ``None`` when no values within
    their a-priori bounds fit the relations."""
    values, suppressed = quantity.values, quantity.suppressed
    lb = np.where(suppressed, quantity.lower, values)
    try:
        return attack_intervals(lin, values, suppressed, lb, np.full_like(values, np.inf))
    except ValueError:
        return None


def _conformed(dataset: CitizenDataset) -> bool:
    """Whether a conversion (conformance to another structure) follows the aggregation:
    then the record's relations are already the conformed table's (an empty ``totals`` means
    none of the source's holds, not an output older than the record)."""
    activities = dataset.provenance.activities
    kinds = [a.type for a in activities]
    if ActivityType.AGGREGATION not in kinds:
        return False
    after = activities[kinds.index(ActivityType.AGGREGATION) + 1 :]
    return any(
        a.type is ActivityType.CONVERSION and "target_structure" in (a.parameters or {})
        for a in after
    )


def _unattackable(
    dataset: CitizenDataset,
    table: pa.Table,
    totals: dict[str, str],
    keys: tuple[str, ...],
    components: list[_Quantity],
    conformed: bool,
) -> tuple[list[str], list[str]]:
    """What keeps the audit from attacking: problems (the record and the data disagree)
    and notes (there is nothing to attack, rightly)."""
    record = dataset.disclosure
    assert record is not None
    problems: list[str] = []
    notes: list[str] = []
    if not totals:
        if conformed:
            notes.append(
                "no relation of the source table holds in this conformed table (its totalled "
                "dimensions were not carried whole): no total links the suppressed cells"
            )
        else:
            problems.append("the record names no totalled dimension: there are no relations")
    missing = sorted(set(totals) - set(keys))
    if missing:
        problems.append(
            f"the record names totalled dimensions the data set lacks: {', '.join(missing)}"
        )
    if record.contributor_count and record.contributor_count not in table.column_names:
        problems.append(
            f"the record names a contributor count the data set lacks: {record.contributor_count}"
        )
    elif not components:
        notes.append(
            "nothing published adds up (no contributor count, and the measure is neither a count "
            "nor a sum): no linear relation links the suppressed cells to the published values"
        )
    return problems, notes


def _verdict(cells: int, exact: int, narrow: int, complete: bool) -> DisclosureAudit:
    return DisclosureAudit(
        attacker=_ATTACKER,
        a_priori=_A_PRIORI,
        cells=cells,
        exact=exact,
        narrower_than_sliding=narrow,
        complete=complete,
    )


def _sliding(dataset: CitizenDataset) -> float:
    record = dataset.disclosure
    assert record is not None
    if record.protection is None or record.threshold is None:
        return 0.0
    return float(math.ceil(record.protection.sliding * record.threshold))


@dataclass(frozen=True)
class _Quantity:
    """A published component that adds up along the relations, as the attack sees it."""

    name: str
    kind: str
    """``count`` or ``sum``."""
    values: np.ndarray
    """The published values (0 where suppressed)."""
    suppressed: np.ndarray
    lower: float
    """The a-priori lower bound of a suppressed cell: 1 for counts (every written cell has
    a record); for sums the measure's ``min_value`` facet, else unbounded."""


def _additive_components(dataset: CitizenDataset, table: pa.Table) -> list[_Quantity]:
    """The published components that add up along the relations: the contributor count
    the record names and the measure when it is an unweighted count or a sum."""
    record = dataset.disclosure
    assert record is not None
    names: dict[str, str] = {}
    if record.contributor_count and record.contributor_count in table.column_names:
        names[record.contributor_count] = "count"
    measure = dataset.structure.measures[0].id if dataset.structure.measures else None
    kind = _additive_measure(dataset)
    if measure and kind and measure in table.column_names and measure not in names:
        names[measure] = kind
    if not names:
        return []
    blank = _suppressed(dataset, table)
    out = []
    for name, kind in names.items():
        column = pc.cast(table.column(name), pa.float64())
        values = np.asarray(pc.fill_null(column, 0.0).to_numpy(zero_copy_only=False))
        lower = 1.0 if kind == "count" else _declared_minimum(dataset, name)
        out.append(_Quantity(name, kind, values, blank, lower))
    return out


def _declared_minimum(dataset: CitizenDataset, component: str) -> float:
    """The smallest value the structure allows ``component`` (its ``min_value`` facet), or
    unbounded: published values alone cannot tell that a suppressed sum is not negative."""
    for measure in dataset.structure.measures:
        facets = measure.facets
        if measure.id == component and facets is not None and facets.min_value is not None:
            return float(facets.min_value)
    return -np.inf


def _additive_measure(dataset: CitizenDataset) -> str | None:
    """``count`` or ``sum`` when the published measure adds up (an unweighted count, or a
    sum, weighted or not, of one kind of indicator); ``None`` for proportions, means, ratios,
    weighted counts and tables of several kinds of indicator."""
    for activity in dataset.provenance.activities:
        if activity.type is ActivityType.AGGREGATION:
            parameters = activity.parameters or {}
            measure = parameters.get("measure")
            if measure == "count" and "weight" not in parameters:
                return "count"
            if measure == "sum":
                return "sum"
            return None
    return None


def _suppressed(dataset: CitizenDataset, table: pa.Table) -> np.ndarray:
    """The suppressed cells: the observation status says so (``Q``) or, without it, the
    value is blank."""
    status = next((a for a in ("OBS_STATUS",) if a in table.column_names), None)
    if status is not None:
        return np.asarray(
            pc.fill_null(pc.equal(table.column(status), "Q"), False).to_numpy(zero_copy_only=False),
            dtype=bool,
        )
    measure = dataset.structure.measures[0].id
    return np.asarray(pc.is_null(table.column(measure)).to_numpy(zero_copy_only=False))
