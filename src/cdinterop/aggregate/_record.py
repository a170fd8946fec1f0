"""What an aggregation's disclosure control tells the reader: the data set's ``disclosure``
record and the ``disclosure_control`` activity of its provenance."""

from __future__ import annotations

import datetime as dt

from cdinterop.aggregate._spec import AggregationSpec, DisclosureMethodName, SecondaryMethod
from cdinterop.aggregate._suppression import Suppression
from cdinterop.model import (
    Activity,
    ActivityType,
    DisclosureControl,
    DisclosureMethod,
    ProtectionLevels,
)
from cdinterop.model._internal import CDINTEROP_AGENT_ID

__all__ = ["disclosure_activity", "disclosure_record"]


def disclosure_record(spec: AggregationSpec, found: Suppression | None) -> DisclosureControl:
    """The data set's ``disclosure`` record: rules, relations, levels, method, solver,
    what was suppressed and what the audit found."""
    d = spec.disclosure
    if d.method is not DisclosureMethodName.CELL_SUPPRESSION or found is None:
        return DisclosureControl(method=DisclosureMethod.NONE)
    pattern = found.pattern
    interval = d.secondary and d.secondary_method is not SecondaryMethod.SIMPLE
    return DisclosureControl(
        method=DisclosureMethod.CELL_SUPPRESSION,
        threshold=d.threshold,
        cells_suppressed=int(found.primary.sum()),
        secondary_suppression=d.secondary,
        secondary_cells_suppressed=int((found.suppressed & ~found.primary).sum()),
        rules=found.rules,
        totals={k: spec.dimensions[k].total for k in spec.total_dimensions},
        nested=dict(spec.nested),
        contributor_count=None if spec.contributors else spec.contributor_count,
        protection=(
            ProtectionLevels(
                upper=d.protection.upper,
                lower=d.protection.lower,
                sliding=d.protection.sliding,
                capped=found.capped,
            )
            if interval and d.protection is not None
            else None
        ),
        secondary_method=d.secondary_method.value if d.secondary else None,
        cost=d.cost.value if interval else None,
        solver=pattern.solver if pattern is not None else None,
        solver_status=pattern.status if pattern is not None else None,
        lower_bound=pattern.lower_bound if pattern is not None else None,
        mip_gap=pattern.gap if pattern is not None else None,
        information_loss=found.information_loss if interval else None,
        audit=found.audit,
        notes={"en": _notes(spec, found)},
    )


def disclosure_activity(
    spec: AggregationSpec,
    found: Suppression | None,
    cells: int,
    activity_id: str,
    started: dt.datetime,
) -> Activity:
    """The ``disclosure_control`` activity: rules, method, cells suppressed, audit."""
    d = spec.disclosure
    assert found is not None
    n_primary = int(found.primary.sum())
    n_secondary = int((found.suppressed & ~found.primary).sum())
    parameters: dict[str, str | int | float | bool] = {
        "threshold": int(d.threshold or 0),
        "cells_suppressed": n_primary,
        "secondary_suppression": d.secondary,
        "secondary_cells_suppressed": n_secondary,
        "contributors": spec.contributors or "unit records",
        "audit": d.audit and d.secondary,
        "audit_complete": found.audit_complete,
    }
    if d.secondary:
        parameters["secondary_method"] = d.secondary_method.value
    if found.pattern is not None:
        parameters["solver"] = found.pattern.solver
        parameters["solver_status"] = found.pattern.status
    if found.audit is not None:
        parameters["audit_exact"] = found.audit.exact
        parameters["audit_inside_protection"] = found.audit.inside_protection or 0
    return Activity(
        id=activity_id,
        type=ActivityType.DISCLOSURE_CONTROL,
        label=f"Cells with fewer than {d.threshold} contributors suppressed"
        + (", with secondary suppression" if d.secondary else ""),
        started_at=started,
        ended_at=dt.datetime.now(dt.UTC),
        agents=(CDINTEROP_AGENT_ID,),
        software=CDINTEROP_AGENT_ID,
        method=_method(spec),
        rows_in=cells,
        rows_out=cells,
        parameters=parameters,
    )


def _method(spec: AggregationSpec) -> str:
    d = spec.disclosure
    rules = "threshold rule" + (", dominance rules" if d.dominance is not None else "")
    if not d.secondary:
        return f"cell suppression ({rules})"
    how = {
        SecondaryMethod.SIMPLE: "secondary suppression of lone cells, rank audit",
        SecondaryMethod.HEURISTIC: "secondary suppression with protection levels (heuristic)",
        SecondaryMethod.OPTIMAL: "secondary suppression with protection levels "
        "(mixed-integer program)",
    }[d.secondary_method]
    return f"cell suppression ({rules}; {how})"


def _notes(spec: AggregationSpec, found: Suppression) -> str:
    d = spec.disclosure
    who = f"distinct values of {spec.contributors}" if spec.contributors else "unit records"
    text = (
        f"Threshold rule: cells with fewer than {d.threshold} contributors ({who}) are suppressed."
    )
    if d.dominance is not None:
        text += " Dominance rules mark magnitude cells that one or a few contributors dominate."
    if not d.secondary:
        return text + " No secondary suppression: suppressed cells may be derivable from totals."
    if d.secondary_method is SecondaryMethod.SIMPLE:
        text += (
            " Secondary suppression: no total along any dimension has exactly one "
            "suppressed cell, so none can be derived by subtraction."
        )
        if d.audit:
            text += (
                " Audited: no suppressed value is determined by any linear combination "
                "of published cells."
                if found.audit_complete
                else " The audit could not cover every block of suppressed cells."
            )
        return text + " No interval protection: bounds from non-negativity are not checked."
    text += _protection_text(spec)
    if found.audit is not None:
        a = found.audit
        text += (
            f" Audit by linear programming: {a.cells} suppressed cells attacked, {a.exact} "
            f"determined exactly, {a.inside_protection or 0} sensitive cells narrowed inside "
            "their protection range."
        )
    return text


def _protection_text(spec: AggregationSpec) -> str:
    d = spec.disclosure
    if d.protection is None:
        return (
            " Secondary suppression chosen so that no suppressed value can be determined "
            "by an attacker who solves linear programs on the published cells."
        )
    p = d.protection
    return (
        f" Interval protection: an attacker who knows every published value and total and "
        f"that each cell holds at least one record cannot exclude any value of a sensitive "
        f"cell within {p.upper:g} x {d.threshold} above and {p.lower:g} x {d.threshold} "
        "below its true value (rounded up)."
    )
