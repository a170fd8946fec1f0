"""Hypercube secondary suppression: a fast constructive pattern with interval protection.

The method of GHMITER (τ-ARGUS' "hypercube"), adapted to cdinterop's cube of cells with
totals. The cells of an aggregated table are every grouping of its totalled dimensions
(code 0 below = a dimension's total code). For one cell ``a`` pick, per totalled
dimension D, a vector ``v_D`` over D's codes that satisfies D's relation
``v_D(total) = Σ v_D(children)``:

* ``a_D`` a child: a sibling ``b`` with ``v(a_D) = +1, v(b) = -1`` (total unchanged), or the
  total with ``v(a_D) = v(total) = +1``;
* ``a_D`` the total: a child ``c`` with ``v(total) = v(c) = +1``.

The product ``d = Π_D v_D`` satisfies every additive relation of the table, so moving the
``2^m`` cells of this cube (its *corners*) by ``t·d`` changes no published figure. If every
corner is suppressed and ``x + t·d`` stays inside the a-priori bounds (``lb ≤ x ≤ ub``,
``ub`` infinite unless given), the attacker cannot exclude ``x_a + t`` for any such
``t``: the cube is a certificate of protection. Upwards (``t = UPL``) the corners with
sign -1 need ``x_j - UPL ≥ lb_j`` (those with +1 ``x_j + UPL ≤ ub_j``); downwards
(``t = -LPL``) the corners with sign +1 need ``x_j - LPL ≥ lb_j``. One cube that allows
both gives the width ``UPL + LPL`` (the sliding level) too.

For each sensitive cell, in turn, the cheapest valid cube is added to the pattern (cost =
weights of the corners not yet suppressed; ties: the cube whose new corners hold less),
one cube for both directions or one per direction, whichever costs less. When no single
cube is valid (typically a total over small children: no child can absorb the whole
level), a convex combination of candidate cubes is sought by one small linear program
(HiGHS): each cube moves the cell by the full level, a corner shared by few of them by a
fraction only. A last pass publishes again every added cell (most costly first, then the
largest) whose removal leaves each sensitive cell certified by cubes inside the pattern.
Cells that neither a cube nor a combination certifies are reported
(``HypercubeResult.unprotected``), never claimed: cubes are one kind of certificate; the
LP attacker may still find such a cell protected, or an LP-driven repair protect it.

Independent tables (the combinations of key columns without totals: time, frequency,
indicator) are handled by keeping the cell's own codes there: every corner lies in the
cell's table. Absent cells are public zeros, so every corner must be a written cell.
``nested`` dimensions prune combinations; a dimension along which a cell has no relation
at all (its total is absent) may stay unextended when no corner has a relation along it.

Candidates per cell: the product of the per-dimension choices (``n_D - 1`` each, only
those whose neighbour along D is written). When that product times ``2^m`` exceeds
`MAX_CORNERS`, each dimension keeps its cheapest choices (the neighbour along D already
suppressed, else of least weight, then of largest value), the longest lists cut first,
until it fits; such cells are counted in ``HypercubeResult.limited``.

Known limits: a cube needs ``2^m`` suppressed corners, so cubes get expensive with many
totalled dimensions; with ``nested`` dimensions a total of the child dimension inside one
parent code has no product cube (its children sit under one parent only) and is reported
unprotected. A-priori upper bounds (an optional ``ub`` array of a problem, ``inf`` by
default) are respected like the lower ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pyarrow as pa

from cdinterop.aggregate._attacker import ProtectionLike
from cdinterop.aggregate._disclosure import _codes, _group_ids
from cdinterop.aggregate._highs import build_lp, new_highs

__all__ = [
    "MAX_CORNERS",
    "CubeProblem",
    "HypercubeResult",
    "ProtectionLike",
    "cube_codes",
    "hypercube_pattern",
]

MAX_CORNERS = 1 << 16
"""Most corner cells examined per sensitive cell (candidate cubes x ``2^m``)."""

_CACHE_BYTES = 256 << 20
"""Memory kept for the candidate cubes of the cells (beyond it they are recomputed)."""

ORDERS = ("fewest", "table", "value", "value_desc")
"""Orders in which the sensitive cells are protected (see `hypercube_pattern`)."""


@dataclass(frozen=True)
class CubeProblem:
    """One quantity to protect: its values, sensitive cells and levels over the cells.

    ``spl`` (optional) is the sliding level: the attacker's interval must be at least that
    wide; ``ub`` (optional) the a-priori upper bounds (``inf`` without)."""

    values: np.ndarray
    sensitive: np.ndarray
    upl: np.ndarray
    lpl: np.ndarray
    lb: np.ndarray
    spl: np.ndarray | None = None
    ub: np.ndarray | None = None


@dataclass(frozen=True)
class HypercubeResult:
    """The pattern found by `hypercube_pattern`."""

    pattern: np.ndarray
    """Suppressed cells: ``start``, every sensitive cell and the corners of the cubes."""
    unprotected: np.ndarray
    """Sensitive cells (of any problem) with a required direction that no valid cube
    covers: the pattern does not certify them; they need the LP-driven repair."""
    cubes: int
    """Cubes in the final certificates."""
    combined: int
    """Sensitive cells (per problem) certified by a combination of cubes."""
    limited: int
    """Cells whose candidate cubes were cut to `MAX_CORNERS` corners."""
    pruned: int
    """Cells added by a cube and published again by the last pass."""
    seconds: float
    """Wall-clock time."""

    @property
    def unprotectable(self) -> int:
        """How many cells `unprotected` holds."""
        return int(self.unprotected.sum())


def cube_codes(
    table: pa.Table, keys: Sequence[str], totals: dict[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    """The inputs of `hypercube_pattern` from a cells table (one row per cell).

    Returns ``codes`` (cells x the dimensions of ``keys`` that are in ``totals``, in
    ``keys`` order; the total code becomes 0, other codes 1, 2, …) and ``table_id`` (a dense
    id of the cell's combination of the other key columns: its independent table)."""
    totalled = [k for k in keys if k in totals]
    others = [k for k in keys if k not in totals]
    n = table.num_rows
    codes = (
        np.column_stack([_codes(table.column(k), totals[k]) for k in totalled])
        if totalled
        else np.zeros((n, 0), dtype=np.int64)
    )
    plain = (
        np.column_stack([_codes(table.column(k), None) for k in others])
        if others
        else np.zeros((n, 0), dtype=np.int64)
    )
    return codes.astype(np.int64), _group_ids(plain)


class _Lookup:
    """Cell index of a (table, codes) row; -1 for a combination that is not written."""

    def __init__(self, codes: np.ndarray, table: np.ndarray) -> None:
        rows = np.column_stack([table.astype(np.int64), codes.astype(np.int64)])
        self.rows = rows
        self.width = rows.shape[1]
        radix = rows.max(axis=0) + 1 if rows.shape[0] else np.ones(self.width, dtype=np.int64)
        self.mult: np.ndarray | None = None
        if float(np.prod(radix.astype(np.float64))) < 2.0**62:
            self.mult = np.concatenate(([1], np.cumprod(radix[::-1][:-1])))[::-1].astype(np.int64)
            keys = rows @ self.mult
            self.order = np.argsort(keys, kind="stable")
            self.sorted = keys[self.order]
            if np.any(self.sorted[1:] == self.sorted[:-1]):
                raise ValueError("two cells have the same codes in the same table")
        elif np.unique(rows, axis=0).shape[0] != rows.shape[0]:
            raise ValueError("two cells have the same codes in the same table")

    def find(self, query: np.ndarray) -> np.ndarray:
        """Cell indices of ``query`` rows (shape ``(..., 1 + m)``), -1 where absent."""
        shape = query.shape[:-1]
        flat = query.reshape(-1, self.width)
        if self.mult is not None:
            if self.sorted.size == 0:
                return np.full(shape, -1, dtype=np.int64)
            keys = flat @ self.mult
            pos = np.minimum(np.searchsorted(self.sorted, keys), self.sorted.size - 1)
            hit = self.sorted[pos] == keys
            return np.where(hit, self.order[pos], -1).reshape(shape)
        both = np.vstack([self.rows, flat])
        _, inverse = np.unique(both, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        n = self.rows.shape[0]
        cell = np.full(int(inverse.max(initial=-1)) + 1, -1, dtype=np.int64)
        cell[inverse[:n]] = np.arange(n)
        return cell[inverse[n:]].reshape(shape)


@dataclass
class _Cands:
    """The structurally valid candidate cubes of one cell."""

    idx: np.ndarray
    """(cubes, 2^m) corner cells; ``n`` (one past the last cell) for a repeated corner of
    an unextended dimension."""
    neg: np.ndarray
    """(cubes, 2^m) whether the corner moves against the cell."""
    limited: bool
    moves: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    """Per problem, `_moves` of every cube (computed once)."""


@dataclass
class _State:
    """The pattern being built and what the search needs about the cells."""

    n: int
    supp: np.ndarray
    """Suppressed, with one extra True entry at index ``n`` (a padding corner)."""
    weights: np.ndarray
    values: list[np.ndarray] = field(default_factory=list)
    slack: list[np.ndarray] = field(default_factory=list)
    """Per problem ``x - lb`` (room downwards), ``inf`` at the padding."""
    head: list[np.ndarray] = field(default_factory=list)
    """Per problem ``ub - x`` (room upwards; ``inf`` without upper bounds)."""
    solver: Any = None
    """The HiGHS instance of the combination programs (created when first needed)."""


def _bits(m: int) -> np.ndarray:
    """(2^m, m) boolean matrix of every subset of m dimensions."""
    k = np.arange(1 << m)
    return ((k[:, None] >> np.arange(m)[None, :]) & 1).astype(bool)


def _options(
    i: int,
    codes: np.ndarray,
    table: np.ndarray,
    lookup: _Lookup,
    pools: list[np.ndarray],
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per dimension: partner codes, signs (-1 = moves against the cell), whether the
    dimension stays unextended, and the neighbour cell along it."""
    a = codes[i]
    base = np.concatenate(([table[i]], a))
    out = []
    for d, pool in enumerate(pools):
        partners = pool[pool != a[d]]
        if a[d] == 0:
            partners = partners[partners != 0]
        rows = np.repeat(base[None, :], partners.size, axis=0)
        rows[:, 1 + d] = partners
        nb = lookup.find(rows)
        keep = nb >= 0
        partners, nb = partners[keep], nb[keep]
        neg = (a[d] != 0) & (partners != 0)
        stay = np.zeros(partners.size, dtype=bool)
        if a[d] != 0:
            total = base.copy()
            total[1 + d] = 0
            if lookup.find(total[None, :])[0] < 0:  # no relation of the cell along d
                partners = np.append(partners, a[d])
                neg = np.append(neg, False)
                stay = np.append(stay, True)
                nb = np.append(nb, i)
        out.append((partners, neg, stay, nb))
    return out


def _limit(
    options: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    state: _State,
    m: int,
) -> tuple[list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]], bool]:
    """Keep the cheapest choices per dimension until the candidates fit `MAX_CORNERS`."""
    most = max(1, MAX_CORNERS >> m)
    sizes = [o[0].size for o in options]
    if float(np.prod(np.array(sizes, dtype=np.float64))) <= most:
        return options, False
    keep = list(sizes)
    while float(np.prod(np.array(keep, dtype=np.float64))) > most and max(keep) > 1:
        j = int(np.argmax(keep))
        keep[j] = max(1, keep[j] - max(1, keep[j] // 8))
    room = state.values[0] if state.values else np.zeros(state.n + 1)
    out = []
    for (partners, neg, stay, nb), k in zip(options, keep, strict=True):
        cost = state.weights[nb] * ~state.supp[nb]
        order = np.lexsort((-room[nb], cost))[:k]
        out.append((partners[order], neg[order], stay[order], nb[order]))
    return out, True


def _candidates(
    i: int,
    codes: np.ndarray,
    table: np.ndarray,
    lookup: _Lookup,
    pools: list[np.ndarray],
    state: _State,
) -> _Cands:
    """Every candidate cube of cell ``i`` whose corners are written and whose unextended
    dimensions carry no relation."""
    m = codes.shape[1]
    n = state.n
    options, limited = _limit(_options(i, codes, table, lookup, pools), state, m)
    sizes = [o[0].size for o in options]
    if any(s == 0 for s in sizes):
        return _Cands(np.zeros((0, 1 << m), np.int64), np.zeros((0, 1 << m), bool), limited)
    grid = (
        np.indices(sizes).reshape(m, -1).T if m else np.zeros((1, 0), dtype=np.int64)
    )  # (C, m) option numbers
    partner = np.column_stack([options[d][0][grid[:, d]] for d in range(m)]) if m else grid
    negd = np.column_stack([options[d][1][grid[:, d]] for d in range(m)]) if m else grid > 0
    stayd = np.column_stack([options[d][2][grid[:, d]] for d in range(m)]) if m else grid > 0
    bits = _bits(m)  # (K, m)
    a = codes[i]
    corner_codes = np.where(bits[None, :, :], partner[:, None, :], a[None, None, :])
    rows = np.concatenate(
        [np.full((*corner_codes.shape[:2], 1), table[i], dtype=np.int64), corner_codes],
        axis=2,
    )
    idx = lookup.find(rows)  # (C, K)
    repeated = np.any(bits[None, :, :] & stayd[:, None, :], axis=2)
    ok = np.all((idx >= 0) | repeated, axis=1)
    for d in np.nonzero(stayd.any(axis=0))[0]:
        totals = rows.copy()
        totals[:, :, 1 + d] = 0
        related = (lookup.find(totals) >= 0) & ~repeated & stayd[:, d][:, None]
        ok &= ~related.any(axis=1)
    neg = (bits[None, :, :] & negd[:, None, :]).sum(axis=2) % 2 == 1
    idx = np.where(repeated, n, idx)
    return _Cands(idx[ok].astype(np.int32), neg[ok] & ~repeated[ok], limited)


def _moves(cands: _Cands, state: _State, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate, how far the cell can move up and down inside the a-priori bounds."""
    if p not in cands.moves:
        low, high = state.slack[p][cands.idx], state.head[p][cands.idx]
        # moving the cell up moves the corners of sign -1 down, the others up
        up = np.where(cands.neg, low, high).min(axis=1, initial=np.inf)
        down = np.where(cands.neg, high, low).min(axis=1, initial=np.inf)
        cands.moves[p] = (up, down)
    return cands.moves[p]


def _at_least(t: np.ndarray, level: float) -> np.ndarray:
    """``t ≥ level`` with a tolerance for floating-point values."""
    result: np.ndarray = t >= level - 1e-9 * max(1.0, abs(level))
    return result


@dataclass(frozen=True)
class _Need:
    """The levels one task must reach."""

    up: float
    down: float
    width: float


def _best(mask: np.ndarray, cost: np.ndarray, gain: np.ndarray) -> int | None:
    """The cheapest candidate of ``mask`` (then the smallest value added), or None."""
    hit = np.nonzero(mask)[0]
    if hit.size == 0:
        return None
    return int(hit[np.lexsort((gain[hit], cost[hit]))[0]])


def _prices(
    cands: _Cands, state: _State, p: int, taken: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate's cost and value added: of its cells not in ``taken``."""
    new = ~taken[cands.idx]
    cost = (state.weights[cands.idx] * new).sum(axis=1)
    gain = (state.values[p][cands.idx] * new).sum(axis=1)
    return cost, gain


def _choose(
    cands: _Cands,
    state: _State,
    p: int,
    need: _Need,
    *,
    free_only: bool = False,
) -> tuple[list[int], bool]:
    """The cheapest cubes (candidate numbers) protecting the cell for ``need``: one cube
    for both directions or one per direction. Returns the cubes and whether every
    required direction is covered. ``free_only``: only cubes already inside the
    pattern."""
    if need.up <= 0 and need.down <= 0 and need.width <= 0:
        return [], True  # suppression alone is asked for
    if cands.idx.shape[0] == 0:
        return [], False
    up_t, down_t = _moves(cands, state, p)
    if free_only:  # cubes inside the pattern: nothing to pay
        usable = state.supp[cands.idx].all(axis=1)
        if not usable.any():
            return [], False
        cost = gain = np.zeros(usable.size)
    else:
        cost, gain = _prices(cands, state, p, state.supp)
        usable = np.ones(cost.size, dtype=bool)
    up_ok = usable & (_at_least(up_t, need.up) if need.up > 0 else True)
    down_ok = usable & (_at_least(down_t, need.down) if need.down > 0 else True)
    both = up_ok & down_ok & _at_least(up_t + down_t, need.width)
    options: list[tuple[float, list[int]]] = []
    single = _best(both, cost, gain)
    if single is not None:
        options.append((float(cost[single]), [single]))
    if need.up > 0 and need.down > 0:
        options.extend(
            _pair(
                cands, state, p, need, usable & _at_least(up_t, _up_need(need)), down_ok, cost, gain
            )
        )
    if options:
        options.sort(key=lambda o: (o[0], len(o[1])))
        return options[0][1], True
    # no complete protection: keep the directions that can be covered
    masks = (up_ok if need.up > 0 else None, down_ok if need.down > 0 else None)
    picks = (_best(mask, cost, gain) for mask in masks if mask is not None)
    return [pick for pick in picks if pick is not None], False


def _up_need(need: _Need) -> float:
    """What the upward cube of a pair must give: the upper level, or more when the
    sliding level asks for more than both levels together."""
    if need.width > need.up + need.down:
        return max(need.up, need.width - need.down)
    return need.up


def _pair(
    cands: _Cands,
    state: _State,
    p: int,
    need: _Need,
    up_ok: np.ndarray,
    down_ok: np.ndarray,
    cost: np.ndarray,
    gain: np.ndarray,
) -> list[tuple[float, list[int]]]:
    """One cube per direction: the cheapest upward one, then the cheapest downward one
    given the cells the first adds (none when either is missing)."""
    first = _best(up_ok, cost, gain)
    if first is None:
        return []
    taken = state.supp.copy()
    taken[cands.idx[first]] = True
    cost2, gain2 = _prices(cands, state, p, taken)
    second = _best(down_ok, cost2, gain2)
    if second is None:
        return []
    return [(float(cost[first] + cost2[second]), [first, second])]


def _combine(
    cands: _Cands, state: _State, p: int, need: _Need, *, free_only: bool = False
) -> tuple[list[int], bool]:
    """A convex combination of candidate cubes that protects the cell when no single cube
    does: each cube moves the cell by its full level, so a corner shared by few of the
    cubes moves by a fraction only (e.g. a total spread over two small children).

    One linear program over the cubes' weights (HiGHS), cost = the weights of each cube's
    new corners; then the combination is checked again in floating point. Returns the
    cubes used (all their corners must be suppressed) and whether it protects the cell."""
    if need.up > 0 and need.down > 0:
        both, ok = _combination(cands, state, p, need, free_only)
        if ok:
            return both, True
        up, ok_up = _combination(cands, state, p, _Need(need.up, 0.0, 0.0), free_only)
        down, ok_down = _combination(cands, state, p, _Need(0.0, need.down, 0.0), free_only)
        if need.width > need.up + need.down:
            return sorted(set(up) | set(down)), False
        return sorted(set(up) | set(down)), ok_up and ok_down
    return _combination(cands, state, p, need, free_only)


_FEASIBLE = 1e-9
"""Feasibility tolerance of the combination program and of its check: a certified move
may miss its level by this share (the attacker's verdicts allow 1e-6)."""

_MAX_COMBINED = 512
"""Most candidate cubes one combination program takes (the cheapest)."""


def _combination(
    cands: _Cands, state: _State, p: int, need: _Need, free_only: bool
) -> tuple[list[int], bool]:
    """`_combine` for one program: both directions of ``need`` at once."""
    up = max(need.up, need.width - need.down) if need.width > need.up + need.down else need.up
    down = need.down
    if up <= 0 and down <= 0:
        return [], True
    new = ~state.supp[cands.idx]
    cost = (state.weights[cands.idx] * new).sum(axis=1)
    columns = np.nonzero(~new.any(axis=1))[0] if free_only else np.arange(cost.size)
    if columns.size == 0:
        return [], False
    columns = columns[np.argsort(cost[columns], kind="stable")[:_MAX_COMBINED]]
    idx = cands.idx[columns]
    sign = np.where(cands.neg[columns], -1.0, 1.0)
    real = idx < state.n
    room = np.minimum(state.slack[p][idx], state.head[p][idx])
    # a corner moves by at most the level, so only corners with less room than a level
    # can bind: the program has one row per such cell
    tight = real & (room < max(up, down))
    col_of, corner = np.nonzero(tight)
    cells, row = np.unique(idx[col_of, corner], return_inverse=True)
    low, high = state.slack[p][cells], state.head[p][cells]
    # the cell at +up and at -down: x_j + up d_j and x_j - down d_j within [lb_j, ub_j]
    lower = np.maximum(-_ratio(low, up), -_ratio(high, down))
    upper = np.minimum(_ratio(high, up), _ratio(low, down))
    k = columns.size
    per_column = np.bincount(col_of, minlength=k)
    start = np.concatenate(([0], np.cumsum(per_column + 1)))
    index = np.empty(int(start[-1]), dtype=np.int32)
    value = np.empty(int(start[-1]))
    where = start[col_of] + np.arange(col_of.size) - (np.cumsum(per_column) - per_column)[col_of]
    index[where] = row.reshape(-1)
    value[where] = sign[col_of, corner]
    index[start[1:] - 1] = cells.size  # the row "weights sum to 1"
    value[start[1:] - 1] = 1.0
    if state.solver is None:
        state.solver = new_highs()
        state.solver.setOptionValue("primal_feasibility_tolerance", _FEASIBLE)
    weights = _solve_lp(
        state.solver,
        cost=cost[columns] + 1e-3,
        row_lower=np.append(lower, 1.0),
        row_upper=np.append(upper, 1.0),
        start=start,
        index=index,
        value=value,
    )
    if weights is None:
        return [], False
    used = weights > 1e-9
    if not used.any():
        return [], False
    lam = weights[used] / weights[used].sum()
    moved = np.zeros(state.n + 1)
    np.add.at(moved, idx[used].reshape(-1), (sign[used] * lam[:, None]).reshape(-1))
    touched = np.unique(idx[used][real[used]])
    low, high = state.slack[p][touched], state.head[p][touched]
    move = moved[touched]
    fits = True  # within the solver's feasibility tolerance, far below any verdict's
    for t in (up, -down):
        if t != 0:
            tol = -_FEASIBLE * max(1.0, abs(t))
            fits &= bool(np.all(low + t * move >= tol) and np.all(high - t * move >= tol))
    return columns[used].tolist(), fits


def _ratio(room: np.ndarray, level: float) -> np.ndarray:
    """``room / level`` (room >= 0) for a positive level; ``inf`` (no bound) without."""
    if level <= 0:
        return np.full(room.shape, np.inf)
    out: np.ndarray = room / level
    return out


def _solve_lp(
    h: Any,
    *,
    cost: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    start: np.ndarray,
    index: np.ndarray,
    value: np.ndarray,
) -> np.ndarray | None:
    """Minimise ``cost · w`` over ``w ≥ 0`` with ranged rows (column-wise matrix); the
    optimal ``w`` or ``None`` when infeasible or unsolved."""
    n = cost.size
    lp = build_lp(cost, np.zeros(n), np.ones(n), row_lower, row_upper, start, index, value)
    h.clearModel()
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.asarray(h.getSolution().col_value, dtype=np.float64)


def _certify(
    cands: _Cands, state: _State, p: int, need: _Need, *, free_only: bool, combine: bool
) -> tuple[list[int], bool, bool]:
    """Single cubes first (`_choose`); when none protects, a combination (`_combine`).
    Returns the cubes, whether they protect the cell and whether they are a
    combination."""
    picks, complete = _choose(cands, state, p, need, free_only=free_only)
    if complete or not combine or cands.idx.shape[0] == 0:
        return picks, complete, False
    mixed, ok = _combine(cands, state, p, need, free_only=free_only)
    return (mixed, True, True) if ok else (picks, False, False)


@dataclass(frozen=True)
class _Certificate:
    """The cubes (corner cells, possibly with padding ``n``) that protect one task."""

    cubes: tuple[np.ndarray, ...]
    combined: bool

    def cells(self, n: int) -> set[int]:
        """Every corner cell of the certificate."""
        return {c for cube in self.cubes for c in cube[cube < n].tolist()}


def _need(problem: ProtectionLike, i: int) -> _Need:
    spl = getattr(problem, "spl", None)
    width = float(spl[i]) if spl is not None else 0.0
    return _Need(float(problem.upl[i]), float(problem.lpl[i]), width)


def hypercube_pattern(
    codes: np.ndarray,
    table: np.ndarray,
    problems: Sequence[ProtectionLike],
    start: np.ndarray,
    weights: np.ndarray,
    *,
    order: str = "fewest",
    prune: bool = True,
    combine: bool = True,
    time_limit: float | None = None,
    work_limit: int | None = None,
) -> HypercubeResult:
    """A suppression pattern that protects every sensitive cell of ``problems`` by
    hypercubes, where such cubes exist.

    ``codes``: (cells x totalled dimensions) integer codes, 0 = the dimension's total
    (`cube_codes`); ``table``: each cell's independent table; ``problems``: the
    quantities to protect (objects with ``values``, ``sensitive``, ``upl``, ``lpl``,
    ``lb`` and optionally ``spl`` and ``ub`` arrays over the cells, e.g. `CubeProblem` or
    `_protection.ProtectionProblem`); ``start``:
    cells suppressed already; ``weights``: the cost of suppressing each cell.

    ``order`` of the sensitive cells: ``fewest`` (fewest valid cubes first, the most
    constrained; the default), ``table`` (table order), ``value`` (smallest value first)
    or ``value_desc``. ``prune``: publish again the added cells no certificate needs.
    ``combine``: certify by combinations of cubes where no single cube does.
    ``time_limit``: seconds after which the pruning pass stops; ``work_limit``: cells the
    pruning pass may try (a count, so the result does not depend on the machine). The
    greedy pass always completes, so every sensitive cell is either certified or reported.
    """
    began = time.perf_counter()
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    codes = np.asarray(codes, dtype=np.int64)
    table = np.asarray(table, dtype=np.int64)
    n = codes.shape[0]
    if table.shape != (n,) or start.shape != (n,) or weights.shape != (n,):
        raise ValueError("codes, table, start and weights must describe the same cells")
    state, fixed = _initial_state(problems, start, weights)
    cands_of = _CandidateCache(codes, table, state)
    tasks = _ordered(problems, order, cands_of)
    certificates, unprotected = _greedy(tasks, problems, state, fixed, cands_of, combine)
    deadline = None if time_limit is None else began + time_limit
    pruned = (
        _prune(state, fixed, problems, certificates, cands_of, combine, deadline, work_limit)
        if prune
        else 0
    )
    return HypercubeResult(
        pattern=state.supp[:n].copy(),
        unprotected=unprotected,
        cubes=sum(len(c.cubes) for c in certificates.values()),
        combined=sum(c.combined for c in certificates.values()),
        limited=len(cands_of.limited),
        pruned=pruned,
        seconds=time.perf_counter() - began,
    )


def _initial_state(
    problems: Sequence[ProtectionLike], start: np.ndarray, weights: np.ndarray
) -> tuple[_State, np.ndarray]:
    """The search's state, from ``start`` and every sensitive cell suppressed, and the
    cells no pruning may publish (those same cells)."""
    n = start.size
    supp = np.append(start.astype(bool), True)
    for problem in problems:
        supp[:n] |= np.asarray(problem.sensitive, dtype=bool)
    fixed = supp.copy()
    state = _State(n, supp, np.append(np.asarray(weights, dtype=np.float64), 0.0))
    for problem in problems:
        values = np.asarray(problem.values, dtype=np.float64)
        state.values.append(np.append(values, 0.0))
        state.slack.append(np.append(values - np.asarray(problem.lb, dtype=np.float64), np.inf))
        ub = getattr(problem, "ub", None)
        head = np.full(n, np.inf) if ub is None else np.asarray(ub, dtype=np.float64) - values
        state.head.append(np.append(head, np.inf))
    return state, fixed


class _CandidateCache:
    """The candidate cubes of each sensitive cell, computed when first asked for and kept
    within `_CACHE_BYTES` (the oldest are dropped, and computed again when needed)."""

    def __init__(self, codes: np.ndarray, table: np.ndarray, state: _State) -> None:
        self.codes, self.table, self.state = codes, table, state
        self.lookup = _Lookup(codes, table)
        self.pools = [np.unique(codes[:, d]) for d in range(codes.shape[1])]
        self.cache: dict[int, _Cands] = {}
        self.bytes = 0
        self.limited: set[int] = set()
        """Cells whose candidates were cut to `MAX_CORNERS`."""

    def __call__(self, i: int) -> _Cands:
        if i not in self.cache:
            found = _candidates(i, self.codes, self.table, self.lookup, self.pools, self.state)
            if found.limited:
                self.limited.add(i)
            while self.cache and self.bytes + found.idx.nbytes > _CACHE_BYTES:
                oldest = next(iter(self.cache))
                self.bytes -= self.cache.pop(oldest).idx.nbytes
            self.cache[i] = found
            self.bytes += found.idx.nbytes
        return self.cache[i]


def _ordered(
    problems: Sequence[ProtectionLike], order: str, cands_of: _CandidateCache
) -> list[tuple[int, int]]:
    """The (problem, sensitive cell) tasks in the order asked for."""
    tasks = [
        (p, int(i))
        for p, problem in enumerate(problems)
        for i in np.nonzero(np.asarray(problem.sensitive, dtype=bool))[0]
    ]
    if order == "fewest":
        count = {t: int(cands_of(t[1]).idx.shape[0]) for t in tasks}
        tasks.sort(key=lambda t: (count[t], t[0], t[1]))
    elif order in ("value", "value_desc"):
        sign = 1.0 if order == "value" else -1.0
        tasks.sort(key=lambda t: (sign * float(problems[t[0]].values[t[1]]), t[0], t[1]))
    return tasks


def _greedy(
    tasks: list[tuple[int, int]],
    problems: Sequence[ProtectionLike],
    state: _State,
    fixed: np.ndarray,
    cands_of: _CandidateCache,
    combine: bool,
) -> tuple[dict[tuple[int, int], _Certificate], np.ndarray]:
    """Each task in turn gets its cheapest certificate, whose cubes are suppressed; the
    certificates, and the cells left unprotected (their covered directions are fixed)."""
    n = state.n
    unprotected = np.zeros(n, dtype=bool)
    certificates: dict[tuple[int, int], _Certificate] = {}
    for task in tasks:
        p, i = task
        cands = cands_of(i)
        picks, complete, combined = _certify(
            cands, state, p, _need(problems[p], i), free_only=False, combine=combine
        )
        for c in picks:
            state.supp[cands.idx[c]] = True
        state.supp[n] = True
        if complete:
            certificates[task] = _Certificate(tuple(cands.idx[c] for c in picks), combined)
        else:
            unprotected[i] = True
            for c in picks:  # a direction that is covered stays covered
                fixed[cands.idx[c]] = True
    return certificates, unprotected


def _prune(
    state: _State,
    fixed: np.ndarray,
    problems: Sequence[ProtectionLike],
    certificates: dict[tuple[int, int], _Certificate],
    cands_of: Callable[[int], _Cands],
    combine: bool,
    deadline: float | None,
    work_limit: int | None = None,
) -> int:
    """Publish again the added cells whose every certified cell has another certificate
    inside the pattern without them; most costly first (ties: largest value first).
    Returns how many were published again."""
    n = state.n
    users: dict[int, set[tuple[int, int]]] = {}
    for task, cert in certificates.items():
        for c in cert.cells(n):
            users.setdefault(c, set()).add(task)
    added = np.nonzero(state.supp[:n] & ~fixed[:n])[0]
    room = state.values[0][:n] if state.values else np.zeros(n)
    added = added[np.lexsort((-room[added], -state.weights[added]))]
    pruned = 0
    failures: dict[tuple[int, int], int] = {}
    for tried, cell in enumerate(added.tolist()):
        if deadline is not None and time.perf_counter() > deadline:
            break
        if work_limit is not None and tried >= work_limit:
            break
        state.supp[cell] = False
        found = _recertify(state, problems, users.get(cell, set()), cands_of, combine, failures)
        if found is None:
            state.supp[cell] = True
            continue
        pruned += 1
        for task, cert in found.items():
            for c in certificates[task].cells(n):
                users[c].discard(task)
            certificates[task] = cert
            for c in cert.cells(n):
                users.setdefault(c, set()).add(task)
    return pruned


def _recertify(
    state: _State,
    problems: Sequence[ProtectionLike],
    tasks: set[tuple[int, int]],
    cands_of: Callable[[int], _Cands],
    combine: bool,
    failures: dict[tuple[int, int], int],
) -> dict[tuple[int, int], _Certificate] | None:
    """New certificates inside the current pattern for ``tasks``, or ``None`` when one
    of them has none. Single cubes are tried for every task first (cheap), then
    combinations, the tasks that failed most often first (a failure ends the trial)."""
    found: dict[tuple[int, int], _Certificate] = {}
    hard: list[tuple[int, int]] = []
    for task in sorted(tasks):
        p, i = task
        cands = cands_of(i)
        picks, complete = _choose(cands, state, p, _need(problems[p], i), free_only=True)
        if complete:
            found[task] = _Certificate(tuple(cands.idx[c] for c in picks), False)
        elif not combine:
            return None
        else:
            hard.append(task)
    hard.sort(key=lambda t: -failures.get(t, 0))
    for task in hard:
        p, i = task
        cands = cands_of(i)
        picks, complete = _combine(cands, state, p, _need(problems[p], i), free_only=True)
        if not complete:
            failures[task] = failures.get(task, 0) + 1
            return None
        found[task] = _Certificate(tuple(cands.idx[c] for c in picks), True)
    return found
