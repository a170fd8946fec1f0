"""Cell suppression of an aggregated table, from the sensitive cells to the audited pattern.

The steps, in order (each module holds one):

1. **Sensitive cells** (primary): the threshold rule on the contributors
   (`_disclosure.primary_suppression`) and, for magnitude measures, the dominance rules
   (`_dominance`).
2. **Protection levels** (`protection_problems`): for each sensitive cell of true value
   ``x`` an upper level ``UPL = ceil(upper * k)``, a lower level
   ``LPL = min(ceil(lower * k), x - lb)`` and a sliding level ``SPL = ceil(sliding * k)``
   (tau-ARGUS' three levels), on the quantity the rule protects: the contributor count
   (record counts with contributors by column) for the threshold rule, the magnitude for a
   dominance rule (whose level is the rule's own).
3. **Secondary cells**: ``simple`` is the pass of `_disclosure.protect` (no total with a
   lone suppressed cell, then the rank audit); ``heuristic`` starts from it and attacks and
   repairs the pattern until every level holds (`_csp.protect_heuristic`); ``optimal``
   then solves the cell-suppression problem as a mixed-integer program within the time
   limit, keeping the heuristic's pattern unless it finds a cheaper protected one
   (`_csp.protect_optimal`).
4. **Audit** (`_attack.attack_intervals`): the minimum and maximum of every suppressed
   cell that a linear program finds from the published cells, every relation and the
   a-priori bounds; the verdicts go into the disclosure record.

The attacker knows every published value and relation, that counts are integers of at
least 1 in every written cell (cdinterop writes no empty cell; absent cells are public
zeros) and that magnitudes are not negative. Every suppressed cell carries the same public
``CONF_STATUS`` code by default, so the attacker cannot tell primary from secondary cells.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc

from cdinterop._version import __version__
from cdinterop.aggregate._attack import Intervals, Settled, attack_intervals
from cdinterop.aggregate._csp import cap_levels, protect_heuristic, protect_optimal
from cdinterop.aggregate._disclosure import (
    additive_relations,
    primary_suppression,
    protect,
)
from cdinterop.aggregate._dominance import DominanceStatus, dominance_status, magnitudes
from cdinterop.aggregate._highs import solver_name
from cdinterop.aggregate._hypercube import cube_codes, hypercube_pattern
from cdinterop.aggregate._pattern_store import load_pattern, store_pattern
from cdinterop.aggregate._protection import Pattern, ProtectionProblem
from cdinterop.aggregate._relations import LinearRelations, linear_relations
from cdinterop.aggregate._spec import (
    AggregationSpec,
    SecondaryMethod,
    SuppressionCost,
)
from cdinterop.model import DisclosureAudit, DisclosureRule

__all__ = ["Suppression", "forget_patterns", "suppress"]

_ATTACKER = "minimum and maximum of each suppressed cell by linear programming (HiGHS)"
_A_PRIORI = (
    "every published value and additive relation; counts are at least 1 in every written "
    "cell; magnitudes are not negative; one public status code for all suppressed cells"
)


@dataclass(frozen=True)
class Suppression:
    """The suppression pattern of a table and how it was found."""

    primary: np.ndarray
    """Sensitive cells (threshold or dominance rule)."""
    suppressed: np.ndarray
    """Cells suppressed: sensitive and secondary."""
    audit_complete: bool = True
    """Whether the audit attacked every suppressed cell."""
    rules: tuple[DisclosureRule, ...] = ()
    """The primary rules applied, with the cells each found sensitive."""
    pattern: Pattern | None = None
    """The secondary suppression's solver result (none for ``simple``)."""
    capped: int = 0
    """Protection levels lowered to what suppressing every cell would allow."""
    audit: DisclosureAudit | None = None
    """What the linear-programming attack found."""
    information_loss: float = 0.0
    """The total value of the suppressed cells (of the protected quantity)."""


_MEMO: OrderedDict[str, Suppression] = OrderedDict()
"""The latest patterns found in this process, by a digest of their inputs."""
_MEMO_SIZE = 16
_HEURISTIC_SHARE = 1 / 3
"""Share of ``time_limit`` the heuristic gets before the optimisation."""
_CUBE_TRIALS_PER_SECOND = 300
"""Cells the hypercubes' pruning may try to publish again per second of the heuristic's
time (a trial takes 1 to 4 ms on this machine: the services and benchmark tables need
about 430, so they are never cut; an 8,456-cell table with 3,153 sensitive cells would
try 2,849, 10 s)."""


def suppress(
    cells: pa.Table,
    keys: tuple[str, ...],
    spec: AggregationSpec,
    contributors: np.ndarray,
) -> Suppression:
    """The suppression pattern of ``cells`` (sorted, one row per cell) under the spec's
    disclosure control (a cell-suppression spec).

    The search is deterministic (its budget counts work, not seconds), so the same cells
    and spec always give the same pattern; the latest ones found in the process are kept
    and given again without solving (a notebook that reruns an aggregation, a run that
    converts the same table twice), and so are all of them in the folder named by
    ``$CDINTEROP_PATTERN_CACHE`` when it is set (`_pattern_store`)."""
    digest = _digest(cells, keys, spec, contributors)
    found = _MEMO.get(digest)
    if found is None:
        found = _found(digest, cells, keys, spec, contributors)
        for shared in (found.primary, found.suppressed):
            shared.setflags(write=False)  # given to every caller of the same table
        _MEMO[digest] = found
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    _MEMO.move_to_end(digest)
    return found


def _found(
    digest: str,
    cells: pa.Table,
    keys: tuple[str, ...],
    spec: AggregationSpec,
    contributors: np.ndarray,
) -> Suppression:
    """The pattern kept in ``$CDINTEROP_PATTERN_CACHE`` if it holds, else searched (and
    kept there); the simple method and primary suppression take no time to repeat, and
    are not kept."""
    d = spec.disclosure
    if not d.secondary or d.secondary_method is SecondaryMethod.SIMPLE:
        return _suppress(cells, keys, spec, contributors)
    found = _kept(digest, cells, keys, spec, contributors)
    if found is None:
        found = _suppress(cells, keys, spec, contributors)
        store_pattern(digest, cells.num_rows, _fields(found))
    return found


def forget_patterns() -> None:
    """Forget the suppression patterns kept in this process, so that the next aggregation
    searches again (to time the search; the folder of ``$CDINTEROP_PATTERN_CACHE`` is left
    as it is)."""
    _MEMO.clear()


def _fields(found: Suppression) -> dict[str, object]:
    return {f.name: getattr(found, f.name) for f in dataclasses.fields(found)}


def _digest(
    cells: pa.Table, keys: tuple[str, ...], spec: AggregationSpec, contributors: np.ndarray
) -> str:
    """SHA-256 of everything the pattern depends on, the versions of cdinterop and of the
    solver included."""
    h = hashlib.sha256()
    h.update(f"cdinterop {__version__}; {solver_name()}\n".encode())
    h.update(spec.model_dump_json().encode())
    h.update(repr(keys).encode())
    h.update(np.ascontiguousarray(contributors).tobytes())
    sink = pa.BufferOutputStream()
    table = cells.combine_chunks()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    h.update(sink.getvalue().to_pybytes())
    return h.hexdigest()


def _suppress(
    cells: pa.Table,
    keys: tuple[str, ...],
    spec: AggregationSpec,
    contributors: np.ndarray,
) -> Suppression:
    """`suppress` without the memo."""
    d = spec.disclosure
    primary, sensitive, rules, dominance = _sensitive(cells, spec, contributors)
    if not d.secondary:
        return Suppression(sensitive, sensitive.copy(), rules=rules)
    totals = {k: spec.dimensions[k].total for k in spec.total_dimensions}
    relations = additive_relations(cells, keys, totals)
    if d.secondary_method is SecondaryMethod.SIMPLE:
        simple, complete = protect(
            relations, sensitive, contributors, secondary=True, audit=d.audit
        )
        return Suppression(sensitive, simple, complete, rules)
    lin = linear_relations(relations)
    problems, capped = _interval_problems(cells, spec, contributors, primary, dominance, lin)
    optimal = d.secondary_method is SecondaryMethod.OPTIMAL
    # the heuristic gets a third of the budget when the optimisation follows
    share = _HEURISTIC_SHARE if optimal else 1.0
    pattern = _heuristic(cells, keys, totals, lin, problems, share * d.time_limit)
    if optimal:
        pattern = protect_optimal(lin, problems, pattern.suppressed, (1 - share) * d.time_limit)
    audit = _audit(lin, problems, pattern.suppressed) if d.audit else None
    loss = float(problems[0].values[pattern.suppressed].sum())
    return Suppression(
        sensitive,
        pattern.suppressed,
        audit.complete if audit else True,
        rules,
        pattern,
        capped,
        audit,
        loss,
    )


def _sensitive(
    cells: pa.Table, spec: AggregationSpec, contributors: np.ndarray
) -> tuple[np.ndarray, np.ndarray, tuple[DisclosureRule, ...], DominanceStatus | None]:
    """The threshold rule's cells, every sensitive cell (dominance rules too), the rules
    with their counts, and the dominance status (none without dominance rules)."""
    d = spec.disclosure
    assert d.threshold is not None
    primary = primary_suppression(contributors, d.threshold)
    rules = [DisclosureRule(rule="threshold", k=d.threshold, cells=int(primary.sum()))]
    dominance = dominance_status(cells, spec) if d.dominance is not None else None
    sensitive = primary
    if dominance is not None:
        sensitive = primary | dominance.sensitive
        rules.extend(_dominance_rules(spec, dominance))
    return primary, sensitive, tuple(rules), dominance


def _interval_problems(
    cells: pa.Table,
    spec: AggregationSpec,
    contributors: np.ndarray,
    primary: np.ndarray,
    dominance: DominanceStatus | None,
    lin: LinearRelations,
) -> tuple[list[ProtectionProblem], int]:
    """The protection problems (counts, then each magnitude), their levels capped to what
    the table allows, and how many were capped."""
    problems = protection_problems(cells, spec, contributors, primary)
    if dominance is not None:
        problems.extend(_magnitude_problems(cells, spec, dominance))
    return cap_levels(lin, problems)


def _kept(
    digest: str,
    cells: pa.Table,
    keys: tuple[str, ...],
    spec: AggregationSpec,
    contributors: np.ndarray,
) -> Suppression | None:
    """The pattern kept under ``digest`` in ``$CDINTEROP_PATTERN_CACHE``, if the attack
    finds it as protected as a search would: the cache saves time, it is never trusted for
    protection (a file changed by hand or by another program is searched again)."""
    kept = load_pattern(digest, cells.num_rows)
    if kept is None:
        return None
    primary, sensitive, rules, dominance = _sensitive(cells, spec, contributors)
    suppressed = kept["suppressed"]
    if not np.array_equal(kept["primary"], sensitive) or (sensitive & ~suppressed).any():
        return None
    totals = {k: spec.dimensions[k].total for k in spec.total_dimensions}
    lin = linear_relations(additive_relations(cells, keys, totals))
    problems, _ = _interval_problems(cells, spec, contributors, primary, dominance, lin)
    audit = _audit(lin, problems, suppressed)
    protected = audit.complete and audit.exact == audit.inside_protection == 0
    if not protected or audit.narrower_than_sliding or kept["audit"] not in (None, audit):
        return None
    return Suppression(**{**kept, "rules": rules})


def _heuristic(
    cells: pa.Table,
    keys: tuple[str, ...],
    totals: dict[str, str],
    lin: LinearRelations,
    problems: list[ProtectionProblem],
    time_limit: float,
) -> Pattern:
    """A protected pattern, fast: hypercubes for every sensitive cell one can protect
    (`_hypercube`), then the attack-and-repair heuristic for the rest, to check and to
    publish again the cells not needed, within ``time_limit`` (a counted work budget)."""
    codes, table_id = cube_codes(cells, keys, totals)
    sensitive = np.logical_or.reduce([p.sensitive for p in problems])
    cubes = hypercube_pattern(
        codes,
        table_id,
        problems,
        sensitive,
        problems[0].weights,
        work_limit=math.ceil(_CUBE_TRIALS_PER_SECOND * time_limit),
    )
    return protect_heuristic(lin, problems, cubes.pattern, time_limit=time_limit)


def protection_problems(
    cells: pa.Table,
    spec: AggregationSpec,
    contributors: np.ndarray,
    primary: np.ndarray,
) -> list[ProtectionProblem]:
    """The protection problem of the threshold rule: the cells' contributor counts (their
    record counts when contributors are counted by a column, since distinct contributors do
    not add up), the sensitive cells' levels from the spec and the a-priori lower bound 1
    of every written cell that has a contributor."""
    d = spec.disclosure
    assert d.threshold is not None
    if spec.contributors:
        values = np.asarray(cells.column("_rows").to_numpy(), dtype=np.float64)
    else:
        values = contributors.astype(np.float64)
    lb = np.minimum(values, 1.0)
    k = d.threshold
    if d.protection is None:  # exact protection: the value can move by one either way
        upper = lower = 1.0
        sliding = 0.0
    else:
        p = d.protection
        upper, lower, sliding = (float(math.ceil(s * k)) for s in (p.upper, p.lower, p.sliding))
    upl = np.where(primary, upper, 0.0)
    lpl = np.where(primary, np.minimum(lower, values - lb), 0.0)
    spl = np.where(primary, sliding, 0.0)
    weights = np.ones_like(values) if d.cost is SuppressionCost.CELLS else np.maximum(values, 1)
    return [
        ProtectionProblem(
            values=values,
            sensitive=primary.copy(),
            upl=upl,
            lpl=lpl,
            spl=spl,
            lb=lb,
            ub=np.full_like(values, np.inf),
            weights=weights,
        )
    ]


def _dominance_rules(spec: AggregationSpec, found: DominanceStatus) -> list[DisclosureRule]:
    """The dominance rules of the spec, with the cells each found sensitive."""
    d = spec.disclosure.dominance
    assert d is not None
    measures = magnitudes(spec)
    measure = next(iter(measures), None) if len(measures) == 1 else None
    rules = []
    if d.p_percent is not None:
        rules.append(
            DisclosureRule(
                rule="p_percent",
                measure=measure,
                p=d.p_percent.p,
                n=d.p_percent.n,
                cells=found.cells.get("p_percent", 0),
            )
        )
    if d.nk is not None:
        rules.append(
            DisclosureRule(
                rule="nk", measure=measure, n=d.nk.n, k=d.nk.k, cells=found.cells.get("nk", 0)
            )
        )
    return rules


def _magnitude_problems(
    cells: pa.Table, spec: AggregationSpec, found: DominanceStatus
) -> list[ProtectionProblem]:
    """One protection problem per magnitude with sensitive cells: its published sums, the
    dominance rules' levels (upper = lower), a-priori bounds 0 and +inf (or unbounded below
    when some sum is negative)."""
    problems = []
    for indicator, column in magnitudes(spec).items():
        level = found.levels.get(indicator)
        if level is None or not (level > 0).any():
            continue
        values = np.nan_to_num(
            np.asarray(
                pc.cast(cells.column(column), pa.float64()).to_numpy(zero_copy_only=False),
                dtype=np.float64,
            )
        )
        sensitive = level > 0
        lb = np.zeros_like(values) if (values >= 0).all() else np.full_like(values, -np.inf)
        weights = (
            np.ones_like(values)
            if spec.disclosure.cost is SuppressionCost.CELLS
            else np.maximum(np.abs(values), 1.0)
        )
        problems.append(
            ProtectionProblem(
                values=values,
                sensitive=sensitive,
                upl=np.where(sensitive, level, 0.0),
                lpl=np.where(sensitive, np.minimum(level, values - lb), 0.0),
                spl=np.zeros_like(values),
                lb=lb,
                ub=np.full_like(values, np.inf),
                weights=weights,
            )
        )
    return problems


def _audit(
    lin: LinearRelations, problems: list[ProtectionProblem], suppressed: np.ndarray
) -> DisclosureAudit:
    """The attack on the final pattern and its verdicts, over every protected quantity."""
    exact = inside = narrow = 0
    complete = True
    for i, problem in enumerate(problems):
        counts = i == 0  # whole numbers: the bounds rounded inwards
        found: Intervals = attack_intervals(
            lin,
            problem.values,
            suppressed,
            problem.lb,
            problem.ub,
            settled=_settled(problem, counts),
        )
        complete = complete and found.complete
        lo, hi = found.rounded(counts)
        exact += int((suppressed & found.determined(problem.values, counts)).sum())
        s = problem.sensitive & suppressed
        x = problem.values
        inside += int((s & ((hi < x + problem.upl - 1e-6) | (lo > x - problem.lpl + 1e-6))).sum())
        narrow += int((s & (hi - lo < problem.spl - 1e-6)).sum())
    return DisclosureAudit(
        attacker=_ATTACKER,
        a_priori=_A_PRIORI,
        cells=int(suppressed.sum()),
        exact=exact,
        inside_protection=inside,
        narrower_than_sliding=narrow,
        complete=complete,
    )


def _settled(problem: ProtectionProblem, counts: bool) -> Settled:
    """Whether the range of the feasible points seen already gives a cell the audit's
    verdicts: not determined, and for a sensitive cell its levels reached (the same tests
    as `_audit`, so that a settled cell's range gives the verdicts its interval would)."""
    x, s = problem.values, problem.sensitive
    upl, lpl, spl = problem.upl, problem.lpl, problem.spl

    def settled(j: int, low: float, high: float) -> bool:
        if counts:
            low, high = math.ceil(low - 1e-6), math.floor(high + 1e-6)
            if high - low < 0.5:
                return False
        elif high - low <= 1e-9 * max(1.0, abs(x[j])):
            return False
        if not s[j]:
            return True
        return bool(
            high >= x[j] + upl[j] - 1e-6
            and low <= x[j] - lpl[j] + 1e-6
            and high - low >= spl[j] - 1e-6
        )

    return settled
