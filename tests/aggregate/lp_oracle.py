"""An independent linear-programming attacker on a *published* aggregated table.

It reads only what is published (``dataset.json``, as plain JSON), rebuilds the additive
relations of the table itself, and proves for every suppressed cell the interval an
attacker can derive with linear programming (``scipy.optimize.linprog``, HiGHS). It shares
no code with ``cdinterop.aggregate`` (neither its relations nor its solver interface): the
point is to check the library's disclosure control from outside.

The attacker model (issue 21, one definition everywhere):

* unknowns: the cells whose attacked quantity is null (suppressed);
* equalities: every additive relation, ``total cell = sum of its children`` along one
  totalled dimension. The totalled dimensions and their total codes come from the
  record's ``disclosure.totals``, else from the ``totals`` parameter of the provenance
  activity of type ``aggregation`` (total code ``_T`` when observed, else the observed code
  that is the code-list parent of all the others, else a caller's hint). The children of a
  total cell are the cells equal to it except in that dimension, whatever their code
  there; children not written are public zeros; a total with no written child at all is a
  combination left out by ``nested`` and gives no equation, nor does a relation whose
  total cell is not written. Every other dimension (FREQ, TIME_PERIOD, an indicator
  dimension) splits the cells into independent tables;
* a-priori bounds: a written count cell holds at least one record (``x >= 1``: cdinterop
  writes no empty cell), a magnitude ``x >= 0``; no upper bound;
* integer quantities: the LP bounds are rounded inwards (``ceil`` the minimum, ``floor``
  the maximum).

Verdicts on a suppressed cell of true value ``x`` (computed independently from the unit
records with pandas, `true_cells`), threshold ``k`` and protection shares
``(upper, lower, sliding)`` from the record's ``disclosure.protection``:

* exact: the interval is a single value;
* inside protection (sensitive cells, ``0 < x < k``): the attacker can exclude ``x + UPL``
  or ``x - LPL``, with ``UPL = ceil(upper * k)``, ``LPL = min(ceil(lower * k), x - 1)``,
  each capped at what suppressing *every* cell of the table would still allow (otherwise
  no pattern could protect it; such cells are counted as ``capped``);
* narrower than the sliding level: ``hi - lo < ceil(sliding * k)``.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

INF = math.inf
TOLERANCE = 1e-6
"""Solver noise allowed before rounding an integer bound inwards, and in balance checks."""

Key = tuple[str, ...]


# ------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Published:
    """A published table as an attacker reads it."""

    rows: list[dict[str, Any]]
    """The observations, in file order."""
    dims: tuple[str, ...]
    """Every dimension, the time dimension last."""
    totals: dict[str, str]
    """Totalled dimension → its total code."""
    disclosure: dict[str, Any]
    """The disclosure record (empty when there is none)."""

    def key(self, i: int) -> Key:
        """The key of row ``i`` (every dimension, as text)."""
        return tuple(str(self.rows[i][d]) for d in self.dims)

    @property
    def threshold(self) -> int | None:
        """The threshold k of the record, if any."""
        k = self.disclosure.get("threshold")
        return None if k is None else int(k)


def read_published(path: Path | str, hints: Mapping[str, str] | None = None) -> Published:
    """Read ``dataset.json`` (plain JSON) and find its totalled dimensions and total codes.

    ``hints`` gives total codes (dimension → code) for dimensions whose total code cannot
    be read from the output itself (no record, no ``_T``, no code-list hierarchy)."""
    return parse_published(Path(path).read_text(encoding="utf-8"), hints)


def parse_published(text: str, hints: Mapping[str, str] | None = None) -> Published:
    """`read_published` on the text of a ``dataset.json``."""
    data = json.loads(text)
    structure = data["structure"]
    rows: list[dict[str, Any]] = data["observations"]
    dims = [d["id"] for d in structure["dimensions"]]
    if structure.get("time_dimension") is not None:
        dims.append(structure["time_dimension"].get("id") or "TIME_PERIOD")
    disclosure: dict[str, Any] = data.get("disclosure") or {}
    recorded = disclosure.get("totals") or {}
    if recorded:
        totals = {str(d): str(code) for d, code in recorded.items()}
    else:
        totals = _inferred_totals(data, rows, dims, hints or {})
    unknown = [d for d in totals if d not in dims]
    if unknown:
        raise ValueError(f"totalled dimensions {unknown} are not dimensions of {dims}")
    return Published(rows, tuple(dims), totals, disclosure)


def _inferred_totals(
    data: dict[str, Any], rows: list[dict[str, Any]], dims: list[str], hints: Mapping[str, str]
) -> dict[str, str]:
    """Totalled dimensions from the aggregation activity's ``totals`` parameter; total
    codes ``_T``, or the code-list parent of every other observed code, or ``hints``."""
    parameter = None
    for activity in (data.get("provenance") or {}).get("activities", []):
        if activity.get("type") == "aggregation":
            parameter = (activity.get("parameters") or {}).get("totals")
    if not parameter or parameter == "none":
        return {}
    lists = {
        cl["id"]: {c["id"]: c.get("parent") for c in cl.get("codes", [])}
        for cl in data["structure"].get("codelists", [])
    }
    codelist_of = {d["id"]: d.get("codelist") for d in data["structure"]["dimensions"]}
    totals = {}
    for d in str(parameter).split(","):
        observed = {str(r[d]) for r in rows}
        parents = lists.get(codelist_of.get(d) or "", {})
        roots = {p for c in observed if (p := parents.get(c)) is not None and p in observed}
        if "_T" in observed:
            totals[d] = "_T"
        elif len(roots) == 1 and all(parents.get(c) in roots for c in observed - roots):
            totals[d] = roots.pop()
        elif d in hints:
            totals[d] = hints[d]
        else:
            raise ValueError(f"cannot tell the total code of {d} (codes {sorted(observed)})")
    return totals


# ---------------------------------------------------------------------------- relations


@dataclass(frozen=True)
class Relation:
    """``rows[total] = sum(rows[c] for c in children)``; other children are public zeros."""

    total: int
    children: tuple[int, ...]
    dimension: str


@dataclass
class Table:
    """One independent table: its cells (row indices) and additive relations."""

    cells: list[int]
    relations: list[Relation] = field(default_factory=list)


def tables(pub: Published) -> list[Table]:
    """Split the rows by the dimensions without totals; rebuild each table's relations."""
    split = [i for i, d in enumerate(pub.dims) if d not in pub.totals]
    totalled = [(i, d) for i, d in enumerate(pub.dims) if d in pub.totals]
    groups: dict[Key, list[int]] = defaultdict(list)
    for r in range(len(pub.rows)):
        key = pub.key(r)
        groups[tuple(key[i] for i in split)].append(r)
    out = []
    for cells in groups.values():
        table = Table(cells)
        for pos, d in totalled:
            total = pub.totals[d]
            # cells equal but in dimension d: one bucket per "rest of the key"
            buckets: dict[Key, list[int]] = defaultdict(list)
            heads: dict[Key, int] = {}
            for r in cells:
                key = pub.key(r)
                rest = key[:pos] + key[pos + 1 :]
                if key[pos] == total:
                    heads[rest] = r
                else:
                    buckets[rest].append(r)
            for rest, head in heads.items():
                if buckets.get(rest):  # none written: a combination left out by `nested`
                    table.relations.append(Relation(head, tuple(buckets[rest]), d))
        out.append(table)
    return out


# ----------------------------------------------------------------------------- quantity


@dataclass(frozen=True)
class Quantity:
    """A published additive quantity to attack (a column of the observations)."""

    column: str
    """``SAMPLE_SIZE`` (the contributor count), ``OBS_VALUE`` of a count or a sum."""
    lower: float
    """A-priori lower bound of a written cell: 1 for counts, 0 for magnitudes."""
    integer: bool = True
    """Whether the true values are integers (the LP bounds are then rounded inwards)."""


def values(pub: Published, q: Quantity) -> np.ndarray:
    """The published values of ``q`` (NaN where null)."""
    return np.array([np.nan if r.get(q.column) is None else float(r[q.column]) for r in pub.rows])


@dataclass(frozen=True)
class Interval:
    """What the attacker proves about one cell: ``lo <= x <= hi``."""

    lo: float
    hi: float

    @property
    def width(self) -> float:
        """``hi - lo``."""
        return self.hi - self.lo


@dataclass
class Attack:
    """The intervals of every unknown cell of one quantity, and the relations' check."""

    intervals: dict[int, Interval]
    """Row index → interval, for every cell whose value is not published."""
    balanced: int
    """Relations whose cells are all published and balance exactly."""
    unbalanced: list[Relation]
    """Relations whose cells are all published but do not balance (must be empty)."""
    lps: int = 0
    """Linear programs solved."""


def _equations(
    table: Table, val: np.ndarray, known: Sequence[bool] | None = None
) -> tuple[list[int], sp.csr_matrix, np.ndarray, int, list[Relation]]:
    """The relations of ``table`` over its unknowns: (unknown rows, A, b, balanced,
    unbalanced). ``known`` overrides which cells count as published."""
    is_known = [not np.isnan(val[r]) for r in range(len(val))] if known is None else known
    unknowns = [r for r in table.cells if not is_known[r]]
    pos = {r: j for j, r in enumerate(unknowns)}
    rows_: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    rhs: list[float] = []
    balanced, unbalanced = 0, []
    for rel in table.relations:
        const = 0.0
        coefs: dict[int, float] = {}
        scale = 1.0
        for r, c in [(rel.total, 1.0), *((ch, -1.0) for ch in rel.children)]:
            if r in pos:
                coefs[pos[r]] = coefs.get(pos[r], 0.0) + c
            else:
                const += c * val[r]
                scale = max(scale, abs(val[r]))
        if coefs:
            for j, c in coefs.items():
                rows_.append(len(rhs))
                cols.append(j)
                data.append(c)
            rhs.append(-const)
        elif abs(const) <= TOLERANCE * scale:
            balanced += 1
        else:
            unbalanced.append(rel)
    a = sp.csr_matrix((data, (rows_, cols)), shape=(len(rhs), len(unknowns)))
    return unknowns, a, np.array(rhs, dtype=float), balanced, unbalanced


def _bound(
    sign: float, j: int, a: sp.csr_matrix, b: np.ndarray, lower: float
) -> tuple[float, np.ndarray | None]:
    """min (sign 1) or max (sign -1) of unknown ``j`` subject to ``a x = b``, ``x >= lower``;
    with the optimal point found (None when unbounded or without equations)."""
    if a.shape[0] == 0:
        return (lower if sign > 0 else INF), None
    c = np.zeros(a.shape[1])
    c[j] = sign
    res = linprog(c, A_eq=a, b_eq=b, bounds=(lower, None), method="highs")
    if res.status == 3:  # unbounded
        return (-INF if sign > 0 else INF), None
    if res.status != 0:
        raise RuntimeError(f"the attacker's LP failed ({res.status}): {res.message}")
    return float(sign * res.fun), np.asarray(res.x)


def _rounded(lo: float, hi: float, integer: bool) -> Interval:
    if integer:
        lo = math.ceil(lo - TOLERANCE) if math.isfinite(lo) else lo
        hi = math.floor(hi + TOLERANCE) if math.isfinite(hi) else hi
    return Interval(lo, hi)


def attack(pub: Published, q: Quantity, parts: Iterable[Table] | None = None) -> Attack:
    """Min and max of every unknown cell of ``q``, per connected block of unknowns."""
    val = values(pub, q)
    result = Attack({}, 0, [])
    for table in tables(pub) if parts is None else parts:
        unknowns, a, b, balanced, unbalanced = _equations(table, val)
        result.balanced += balanced
        result.unbalanced += unbalanced
        if not unknowns:
            continue
        link = abs(a).T @ abs(a) if a.shape[0] else sp.csr_matrix((len(unknowns),) * 2)
        count, label = connected_components(sp.csr_matrix(link), directed=False)
        for block in range(count):
            members = np.flatnonzero(label == block)
            rows_in = np.unique(a[:, members].nonzero()[0]) if a.shape[0] else np.array([])
            a_block = a[rows_in][:, members] if rows_in.size else sp.csr_matrix((0, members.size))
            for j, iv in zip(members, _block(a_block, b[rows_in], q, result), strict=True):
                result.intervals[unknowns[j]] = iv
    return result


def _block(a: sp.csr_matrix, b: np.ndarray, q: Quantity, result: Attack) -> list[Interval]:
    """The intervals of one connected block of unknowns (``a x = b``, ``x >= q.lower``)."""
    n = a.shape[1]
    if a.shape[0] == 0:  # in no equation: only the a-priori bound
        return [_rounded(q.lower, INF, q.integer)] * n
    if n == 1:  # the only unknown of its equations: determined
        column = a.toarray()[:, 0]
        x = float(b[0] / column[0])
        return [_rounded(x, x, q.integer)]
    # Each LP's optimal point is feasible: where it reaches a bound that one equation
    # alone proves (a child cannot exceed its published total less the other children's
    # minima; a cell cannot go below its a-priori bound, or below the known part of a
    # total whose other cells are its children), that bound is the cell's optimum and its
    # own LP is skipped. The intervals stay exact.
    lows, highs = _simple_bounds(a, b, q.lower)
    lo_done = np.zeros(n, dtype=bool)
    hi_done = np.zeros(n, dtype=bool)
    for sign, done in ((-1.0, hi_done), (1.0, lo_done)):
        for k in range(n):
            if done[k]:
                continue
            value, point = _bound(sign, k, a, b, q.lower)
            result.lps += 1
            (highs if sign < 0 else lows)[k] = value
            done[k] = True
            if point is not None:
                hi_done |= _reaches(point, highs)
                lo_done |= _reaches(-point, -lows)
    return [_rounded(lo, hi, q.integer) for lo, hi in zip(lows, highs, strict=True)]


def _reaches(point: np.ndarray, bound: np.ndarray) -> np.ndarray:
    """Where ``point`` reaches the finite upper ``bound`` (within the solver's tolerance)."""
    finite = np.isfinite(bound)
    target = np.where(finite, bound, 0.0)
    reached: np.ndarray = finite & (point >= target - TOLERANCE * np.maximum(1.0, abs(target)))
    return reached


def _simple_bounds(a: sp.csr_matrix, b: np.ndarray, lower: float) -> tuple[np.ndarray, np.ndarray]:
    """Bounds each unknown gets from one equation and the a-priori bound of the others:
    ``x_j = (b - sum(a_i x_i)) / a_j``, all ``a_i / a_j > 0`` gives an upper bound, all
    ``< 0`` a lower one (valid bounds, not the LP's optima)."""
    n = a.shape[1]
    lows = np.full(n, float(lower))
    highs = np.full(n, INF)
    for r in range(a.shape[0]):
        start, end = a.indptr[r], a.indptr[r + 1]
        cols, coefs = a.indices[start:end], a.data[start:end]
        for j, aj in zip(cols, coefs, strict=True):
            others = coefs[cols != j] / aj
            rest = b[r] / aj
            if (others > 0).all():
                highs[j] = min(highs[j], rest - others.sum() * lower)
            elif (others < 0).all():
                lows[j] = max(lows[j], rest - others.sum() * lower)
    return lows, highs


class FullSuppression:
    """What the attacker proves about a cell if every cell of its table were suppressed:
    the relations and the a-priori bounds alone, the most protection any pattern can give
    (protection levels beyond it are capped)."""

    def __init__(self, pub: Published, q: Quantity, parts: Iterable[Table]) -> None:
        self._q = q
        self._tables = list(parts)
        self._hidden = [False] * len(pub.rows)
        self._values = values(pub, q)
        self._cache: dict[int, Interval] = {}
        self._at_bound: set[int] = set()
        self._systems: dict[int, tuple[list[int], sp.csr_matrix, np.ndarray]] = {}

    def interval(self, row: int) -> Interval:
        """The interval of ``row`` with its whole table suppressed."""
        if row not in self._cache:
            lower = self._q.lower
            t = next(i for i, table in enumerate(self._tables) if row in table.cells)
            if t not in self._systems:
                system = _equations(self._tables[t], self._values, known=self._hidden)
                self._systems[t] = system[:3]
            unknowns, a, b = self._systems[t]
            j = unknowns.index(row)
            lo, point = (lower, None) if row in self._at_bound else _bound(1.0, j, a, b, lower)
            if point is not None:  # cells at their bound there have that minimum too
                self._at_bound |= {unknowns[i] for i in np.flatnonzero(point <= lower + TOLERANCE)}
            # nothing published: the equations are homogeneous, and any feasible point
            # (the truth is one) scaled up stays feasible, so there is no maximum
            hi = INF if not b.any() else _bound(-1.0, j, a, b, lower)[0]
            self._cache[row] = _rounded(lo, hi, self._q.integer)
        return self._cache[row]


# -------------------------------------------------------------------------------- truth


def true_cells(
    frame: pd.DataFrame,
    dims: Sequence[str],
    totals: Mapping[str, str],
    sums: Mapping[str, str] | None = None,
    records: str | None = None,
) -> dict[Key, dict[str, float]]:
    """The true cells of a table with totals, straight from the unit records.

    ``frame`` has one row per unit record (one contributor) and one column per dimension
    in ``dims`` holding its code; ``totals`` maps each totalled dimension to its total code;
    ``sums`` maps an output name to a numeric column summed per cell; ``records`` names a
    column identifying the contributor of each row when several rows share one (wide
    records made long: the count is then of distinct non-null ids). Every grouping (subset
    of the totalled dimensions) is computed with a pandas ``groupby``. Returns key (codes
    in ``dims`` order, as text) → ``{"count": contributors, **sums}``."""
    sums = dict(sums or {})
    frame = frame.astype({d: str for d in dims})
    totalled = [d for d in dims if d in totals]
    out: dict[Key, dict[str, float]] = {}
    for size in range(len(totalled) + 1):
        for summed_over in itertools.combinations(totalled, size):
            by = [d for d in dims if d not in summed_over]
            agg: dict[str, tuple[str, str]] = {
                "count": (records, "nunique") if records else (dims[0], "size")
            }
            agg.update({name: (col, "sum") for name, col in sums.items()})
            if by:
                grouped = frame.groupby(by, dropna=False, observed=True).agg(**agg).reset_index()
            else:
                grouped = pd.DataFrame([{n: frame[c].agg(f) for n, (c, f) in agg.items()}])
            for d in summed_over:
                grouped[d] = totals[d]
            for rec in grouped.to_dict("records"):
                out[tuple(str(rec[d]) for d in dims)] = {n: float(rec[n]) for n in ("count", *sums)}
    return out


# ----------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Levels:
    """Protection shares of the threshold (``disclosure.protection``)."""

    upper: float
    lower: float
    sliding: float = 0.0

    @classmethod
    def of(cls, pub: Published, default: Levels | None = None) -> Levels | None:
        """The record's levels, else ``default``."""
        p = pub.disclosure.get("protection")
        if not p:
            return default
        return cls(float(p["upper"]), float(p["lower"]), float(p.get("sliding") or 0.0))


@dataclass(frozen=True)
class Finding:
    """One cell the attack narrows too much."""

    key: Key
    true: float
    interval: Interval
    sensitive: bool = False
    """Whether the cell is sensitive (primary): ``0 < contributors < k``."""
    required: tuple[float, float] | None = None
    """``(x - LPL, x + UPL)`` the interval had to reach (inside-protection findings)."""


@dataclass
class Verdicts:
    """What the attack found on one quantity of a published table."""

    attacked: int = 0
    exact: list[Finding] = field(default_factory=list)
    inside: list[Finding] = field(default_factory=list)
    narrow: list[Finding] = field(default_factory=list)
    outside: list[Finding] = field(default_factory=list)
    """Cells whose true value lies outside the attacker's interval: the oracle's own
    model is wrong (must be empty)."""
    capped: int = 0
    """Sensitive cell directions whose level was capped by full suppression."""
    sensitive: int = 0
    balanced: int = 0
    unbalanced: int = 0
    lps: int = 0

    def summary(self) -> str:
        """One line of counts (and a few examples)."""
        parts = [
            f"{self.attacked} suppressed cells attacked ({self.sensitive} sensitive)",
            f"{len(self.exact)} exact ({sum(f.sensitive for f in self.exact)} sensitive)",
            f"{len(self.inside)} inside protection",
            f"{len(self.narrow)} narrower than sliding",
            f"{len(self.outside)} true value outside its interval",
            f"{self.capped} levels capped",
            f"{self.balanced} published relations balance, {self.unbalanced} do not",
            f"{self.lps} LPs",
        ]
        examples = [*self.exact[:2], *self.inside[:2], *self.outside[:2]]
        return "; ".join(parts) + ("" if not examples else f"; e.g. {examples}")


def suppressed_rows(pub: Published, q: Quantity) -> list[int]:
    """Rows whose value of ``q`` is null and whose status says suppressed (CONF_STATUS not
    ``F``, or OBS_STATUS ``Q`` without CONF_STATUS)."""
    out = []
    for i, r in enumerate(pub.rows):
        if r.get(q.column) is not None:
            continue
        conf = r.get("CONF_STATUS")
        if (conf is not None and conf != "F") or (conf is None and r.get("OBS_STATUS") == "Q"):
            out.append(i)
    return out


def judge(
    pub: Published,
    q: Quantity,
    truth: Mapping[Key, Mapping[str, float]],
    *,
    value: str,
    count: str = "count",
    levels: Levels | None = None,
) -> Verdicts:
    """Attack ``q`` and judge every suppressed cell against the truth.

    ``value`` names the true value of ``q`` in ``truth`` (``count`` or a sum), ``count``
    the true contributor count that decides sensitivity (``0 < count < k``). Inside
    protection is judged only when ``levels`` is given and ``value == count``."""
    parts = tables(pub)
    result = attack(pub, q, parts)
    most_protection = FullSuppression(pub, q, parts)
    v = Verdicts(balanced=result.balanced, unbalanced=len(result.unbalanced), lps=result.lps)
    k = pub.threshold
    for row in suppressed_rows(pub, q):
        key = pub.key(row)
        x = float(truth[key][value])
        iv = result.intervals[row]
        n = float(truth[key][count])
        sensitive = k is not None and 0 < n < k
        v.attacked += 1
        v.sensitive += sensitive
        if not (iv.lo - TOLERANCE <= x <= iv.hi + TOLERANCE):
            v.outside.append(Finding(key, x, iv, sensitive))
        if iv.width < 0.5 if q.integer else iv.width <= TOLERANCE * max(1.0, abs(x)):
            v.exact.append(Finding(key, x, iv, sensitive))
        if k is None or levels is None or value != count or not sensitive:
            continue
        upl: float = math.ceil(levels.upper * k - TOLERANCE)
        lpl: float = min(math.ceil(levels.lower * k - TOLERANCE), x - q.lower)
        spl: float = math.ceil(levels.sliding * k - TOLERANCE)
        if iv.hi < x + upl or iv.lo > x - lpl or iv.width < spl:
            most = most_protection.interval(row)
            if most.hi < x + upl:
                upl, v.capped = most.hi - x, v.capped + 1
            if most.lo > x - lpl:
                lpl, v.capped = x - most.lo, v.capped + 1
            if most.width < spl:
                spl, v.capped = most.width, v.capped + 1
            if iv.hi < x + upl or iv.lo > x - lpl:
                v.inside.append(Finding(key, x, iv, True, (x - lpl, x + upl)))
            if iv.width < spl:
                v.narrow.append(Finding(key, x, iv, True))
    return v
