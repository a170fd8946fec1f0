"""Cell suppression: primary (threshold rule), secondary (no lone unknown) and an audit.

The cells of an aggregated table with totals are linked by **additive relations**: for a
totalled dimension D and a cell whose D code is the total, that cell equals the sum of the
cells that differ from it only in D (its children along D). Every relation whose total
cell is present is one published linear equation. (Absent cells hold no unit record;
their zero is public.)

Primary suppression
    A cell with ``0 < contributors < k`` is suppressed: no value, ``OBS_STATUS`` ``Q``
    (missing value; suppressed), ``CONF_STATUS`` ``C`` (confidential; ``A`` — small
    counts — where the structure offers it) by default.

Secondary suppression (`secondary_suppression()`)
    While some relation has exactly one suppressed cell (its value would be the total
    minus the published siblings, or the sum of the children), suppress one more cell of
    that relation: the non-suppressed *child* with the fewest contributors (ties: the
    first in table order), so that totals, the most used figures, stay published and the
    information lost is smallest; the total itself only when no child is left. All
    relations along one dimension are disjoint, so they are handled in one vectorised
    pass; passes over every dimension repeat until none adds a cell (a fixpoint, reached
    in at most as many passes as there are cells, since each adds at least one).
    ``CONF_STATUS`` of these cells is ``D`` (secondary confidentiality set by the sender).

    *Guarantee at the fixpoint*: no relation has exactly one unknown, so no suppressed
    value is the difference of a total and published cells.

Audit (`derivable_cells()`)
    Several relations together can still pin a suppressed value down (e.g. a suppressed
    cell that is a "bridge" between two blocks of suppressions: summing the equations of
    one block leaves it alone). The audit takes every relation that involves suppressed
    cells as a linear system in the suppressed values and reports those determined by it
    (the unit vector of the cell lies in the row space: the cell's row of the null space
    basis is zero; one symmetric eigenproblem per connected block of the system). With
    ``audit`` on, each
    determined cell gets one more suppression in one of its relations and the secondary
    pass and audit repeat until no suppressed value is determined. This is *exact*
    protection against derivation by linear combination of published cells; it does not
    give interval protection (non-negativity can still bound a suppressed value, e.g. to
    between 0 and the total of its relation).

What is protected for each measure
    The pattern is computed on the additive structure of the cells (their counts and
    sums) and applied to every measure and to the published contributor count. Counts
    and sums are protected as above. A mean, ratio or proportion is not additive, but its
    numerator and denominator are: a suppressed cell's denominator (e.g. the published
    sample size) and numerator cannot be derived from the other cells' published sizes
    and values, so neither can the quotient. Quotients published for cells with at least
    k contributors reveal nothing about any one contributor beyond what k-anonymity of the
    cell allows.

Every function works on numpy arrays over the cells, in the table's order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

__all__ = [
    "AUDIT_MAX_BLOCK",
    "Relations",
    "additive_relations",
    "derivable_cells",
    "primary_suppression",
    "protect",
    "secondary_suppression",
]

AUDIT_MAX_BLOCK = 4000
"""Largest block of linked suppressed cells the audit solves (the cost is cubic in it)."""


@dataclass(frozen=True)
class Relations:
    """The additive relations of a table, one entry per totalled dimension."""

    ids: tuple[np.ndarray, ...]
    """Per totalled dimension: each cell's relation along it (0-based), or -1 when the
    relation's total cell is absent or it has no child (no published equation)."""
    is_total: tuple[np.ndarray, ...]
    """Per totalled dimension: whether the cell is the total of its relation."""

    def __len__(self) -> int:
        return len(self.ids)


def _codes(column: pa.ChunkedArray | pa.Array, total: str | None) -> np.ndarray:
    """Integer codes of a key column; the total code (if any) becomes 0."""
    values = np.asarray(column.to_numpy(zero_copy_only=False), dtype=object).astype(str)
    uniques, inverse = np.unique(values, return_inverse=True)
    codes = inverse.astype(np.int64) + 1
    if total is not None:
        hit = np.nonzero(uniques == total)[0]
        if hit.size:
            codes[codes == hit[0] + 1] = 0
    return codes


def _group_ids(matrix: np.ndarray) -> np.ndarray:
    """Dense ids of the distinct rows of an integer matrix."""
    if matrix.shape[1] == 0:
        return np.zeros(matrix.shape[0], dtype=np.int64)
    radices = matrix.max(axis=0) + 1
    if float(np.prod(radices.astype(np.float64))) < 2.0**62:
        mult = np.concatenate(([1], np.cumprod(radices[:-1])))
        flat = matrix @ mult.astype(np.int64)
        return np.unique(flat, return_inverse=True)[1].astype(np.int64)
    return np.unique(matrix, axis=0, return_inverse=True)[1].reshape(-1).astype(np.int64)


def additive_relations(
    table: pa.Table, keys: tuple[str, ...] | list[str], totals: dict[str, str]
) -> Relations:
    """The additive relations of ``table`` (one row per cell) along each dimension of
    ``totals`` (dimension id → its total code); ``keys`` are every key column."""
    matrix = np.column_stack(
        [_codes(table.column(k), totals.get(k)) for k in keys]
        or [np.zeros(table.num_rows, dtype=np.int64)]
    )
    ids: list[np.ndarray] = []
    flags: list[np.ndarray] = []
    for j, key in enumerate(keys):
        if key not in totals:
            continue
        is_total = matrix[:, j] == 0
        others = np.delete(matrix, j, axis=1)
        rel = _group_ids(others)
        size = int(rel.max(initial=-1)) + 1
        has_total = np.bincount(rel, weights=is_total, minlength=size) > 0
        # a total without children is a combination that ``nested`` prunes: no equation
        has_child = np.bincount(rel, weights=~is_total, minlength=size) > 0
        rel = np.where((has_total & has_child)[rel], rel, -1) if rel.size else rel
        ids.append(rel)
        flags.append(is_total)
    return Relations(tuple(ids), tuple(flags))


def primary_suppression(contributors: np.ndarray, threshold: int) -> np.ndarray:
    """Cells with at least one and fewer than ``threshold`` contributors."""
    mask: np.ndarray = (contributors > 0) & (contributors < threshold)
    return mask


def secondary_suppression(
    relations: Relations, suppressed: np.ndarray, contributors: np.ndarray
) -> np.ndarray:
    """The suppression pattern grown until no relation has exactly one suppressed cell."""
    supp = suppressed.copy()
    order_key = np.arange(supp.size)
    while True:
        added = False
        for rel, is_total in zip(relations.ids, relations.is_total, strict=True):
            inside = rel >= 0
            if not inside.any():
                continue
            nrel = int(rel.max()) + 1
            count = np.bincount(rel[inside], weights=supp[inside], minlength=nrel)
            lone = np.zeros(supp.size, dtype=bool)
            lone[inside] = count[rel[inside]] == 1
            idx = np.nonzero(lone)[0]
            if idx.size == 0:
                continue
            order = np.lexsort(
                (order_key[idx], contributors[idx], is_total[idx], supp[idx], rel[idx])
            )
            ranked = idx[order]
            first = np.ones(ranked.size, dtype=bool)
            first[1:] = rel[ranked][1:] != rel[ranked][:-1]
            pick = ranked[first]
            pick = pick[~supp[pick]]
            if pick.size:
                supp[pick] = True
                added = True
        if not added:
            return supp


_Equation = list[tuple[int, float]]
"""One relation over suppressed cells: (position among the suppressed cells, coefficient)."""


def _blocks(relations: Relations, supp: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The equations that involve suppressed cells, split into independent blocks.

    Returns ``(cells, matrix)`` per block: the suppressed cells and the coefficients
    (+1 for the total, -1 for a child) of each equation in them.
    """
    cells = np.nonzero(supp)[0]
    equations = _equations(relations, cells)
    root = _connected(len(cells), equations)
    members: dict[int, list[int]] = {}
    for i in range(len(cells)):
        members.setdefault(root[i], []).append(i)
    rows: dict[int, list[_Equation]] = {}
    for eq in equations:
        rows.setdefault(root[eq[0][0]], []).append(eq)
    return [
        (cells[np.array(idx)], _block_matrix(idx, rows.get(block, [])))
        for block, idx in members.items()
    ]


def _equations(relations: Relations, cells: np.ndarray) -> list[_Equation]:
    """Every relation's groups restricted to the suppressed ``cells``, one equation each."""
    position = {int(c): i for i, c in enumerate(cells)}
    equations: list[_Equation] = []
    for rel, is_total in zip(relations.ids, relations.is_total, strict=True):
        groups: dict[int, _Equation] = {}
        for c in cells[rel[cells] >= 0]:
            groups.setdefault(int(rel[c]), []).append(
                (position[int(c)], 1.0 if is_total[c] else -1.0)
            )
        equations.extend(groups.values())
    return equations


def _connected(n: int, equations: list[_Equation]) -> list[int]:
    """For each of ``n`` cells, the representative of the cells it shares an equation
    with, directly or through others (union-find)."""
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for eq in equations:
        root = find(eq[0][0])
        for i, _ in eq[1:]:
            other = find(i)
            if other != root:
                parent[other] = root
    return [find(i) for i in range(n)]


def _block_matrix(idx: list[int], equations: list[_Equation]) -> np.ndarray:
    """The coefficients of a block's ``equations`` over its cells ``idx``."""
    local = {i: j for j, i in enumerate(idx)}
    matrix = np.zeros((len(equations), len(idx)))
    for r, eq in enumerate(equations):
        for i, coef in eq:
            matrix[r, local[i]] = coef
    return matrix


def derivable_cells(relations: Relations, suppressed: np.ndarray) -> tuple[np.ndarray, bool]:
    """Suppressed cells whose value is determined by the published cells and relations.

    Returns the cells' positions and whether every block was solved (``False`` when a
    block had more than `AUDIT_MAX_BLOCK` cells and was skipped).
    """
    found: list[np.ndarray] = []
    complete = True
    for cells, matrix in _blocks(relations, suppressed):
        if matrix.shape[0] == 0:
            continue
        if cells.size > AUDIT_MAX_BLOCK:
            complete = False
            continue
        # null space of the equations from the symmetric eigenproblem of A^T A (cheaper
        # than an SVD; the coefficients are small integers, so the gap is wide)
        eigenvalues, vectors = np.linalg.eigh(matrix.T @ matrix)
        tol = 1e-9 * max(1.0, float(eigenvalues.max(initial=0.0)))
        null = vectors[:, eigenvalues < tol]
        determined = np.all(np.abs(null) < 1e-7, axis=1)
        found.append(cells[determined])
    out = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    return np.sort(out), complete


def _widen(
    relations: Relations, supp: np.ndarray, contributors: np.ndarray, cells: np.ndarray
) -> np.ndarray:
    """One more suppression next to each determined cell: the non-suppressed child with
    the fewest contributors in the nearest relation (the cell's own first, then those of
    the suppressed cells linked to it) that still has a published cell."""
    supp = supp.copy()
    for c in cells:
        frontier, seen = [int(c)], {int(c)}
        done = False
        while frontier and not done:
            cell = frontier.pop(0)
            for rel, is_total in zip(relations.ids, relations.is_total, strict=True):
                if rel[cell] < 0:
                    continue
                inside = np.nonzero(rel == rel[cell])[0]
                members = inside[~supp[inside]]
                if members.size == 0:
                    for other in inside.tolist():
                        if other not in seen:
                            seen.add(other)
                            frontier.append(other)
                    continue
                children = members[~is_total[members]]
                pool = children if children.size else members
                supp[pool[np.argmin(contributors[pool])]] = True
                done = True
                break
    return supp


def protect(
    relations: Relations,
    primary: np.ndarray,
    contributors: np.ndarray,
    *,
    secondary: bool = True,
    audit: bool = True,
) -> tuple[np.ndarray, bool]:
    """The full suppression pattern: primary, then secondary and audit until stable.

    Returns the pattern and whether the audit covered every block (always ``True``
    without audit).
    """
    supp = primary.copy()
    if not secondary:
        return supp, True
    complete = True
    while True:
        supp = secondary_suppression(relations, supp, contributors)
        if not audit or not supp.any():
            return supp, complete
        cells, complete = derivable_cells(relations, supp)
        if cells.size == 0:
            return supp, complete
        widened = _widen(relations, supp, contributors, cells)
        if np.array_equal(widened, supp):  # every relation of those cells is suppressed
            return supp, False
        supp = widened
