"""The additive relations of a table as a sparse matrix: one row per relation.

`_disclosure.Relations` keeps, per totalled dimension, each cell's relation id and
whether the cell is that relation's total. Linear programming needs the same relations as
explicit equations: row ``r`` holds ``+1`` for its total cell and ``-1`` for each child,
and every row equals 0 (``total - sum of children = 0``). Absent cells are public zeros, so
they simply do not appear; a relation whose total cell is absent gives no equation (its id
is -1), and neither does a total without any child present (a pruned ``nested``
combination: its cells were never computed, they are not zeros).

The matrix is stored as compressed sparse rows (``start``, ``index``, ``value``), built
with numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cdinterop.aggregate._disclosure import Relations

__all__ = ["LinearRelations", "components", "linear_relations"]


@dataclass(frozen=True)
class LinearRelations:
    """The equations ``total - sum(children) = 0`` of a table, as sparse rows.

    Row ``r`` has its entries at ``index[start[r]:start[r + 1]]`` (cell positions, sorted)
    with coefficients ``value[start[r]:start[r + 1]]`` (``+1`` for the total cell, ``-1``
    for each child).
    """

    n_cells: int
    """Number of cells (columns)."""
    start: np.ndarray
    """Row pointers (int64, ``n_rows + 1`` entries, ``start[0] == 0``)."""
    index: np.ndarray
    """Cell of each entry (int64)."""
    value: np.ndarray
    """Coefficient of each entry (float64, +1 or -1)."""

    @property
    def n_rows(self) -> int:
        """Number of relations (rows)."""
        return int(self.start.size - 1)

    @property
    def row_of_entry(self) -> np.ndarray:
        """The row of each entry (int64, aligned with ``index``)."""
        return np.repeat(np.arange(self.n_rows, dtype=np.int64), np.diff(self.start))

    def times(self, x: np.ndarray) -> np.ndarray:
        """``M @ x``: each row's value for cell values ``x`` (0 for a balanced relation)."""
        out: np.ndarray = np.bincount(
            self.row_of_entry, weights=self.value * x[self.index], minlength=self.n_rows
        )
        return out

    def transpose_times(self, y: np.ndarray) -> np.ndarray:
        """``M.T @ y``: for row weights ``y``, each cell's weighted sum of its coefficients."""
        out: np.ndarray = np.bincount(
            self.index, weights=self.value * y[self.row_of_entry], minlength=self.n_cells
        )
        return out

    def rows_of_cells(self, cells: np.ndarray) -> np.ndarray:
        """The rows (sorted, distinct) that involve any cell of the boolean mask ``cells``."""
        hit = np.zeros(self.n_rows, dtype=bool)
        hit[self.row_of_entry[cells[self.index]]] = True
        return np.nonzero(hit)[0]


def linear_relations(relations: Relations, n_cells: int | None = None) -> LinearRelations:
    """The sparse equations of ``relations`` (one row per relation that has a total cell
    and at least one child), rows ordered by dimension, then by relation id.

    ``n_cells`` is only read when ``relations`` has no totalled dimension (it is otherwise
    the length of the id arrays); without it such relations give 0 cells and no rows,
    which the attacker accepts for a table of any size.
    """
    rows: list[np.ndarray] = []
    cells: list[np.ndarray] = []
    coefs: list[np.ndarray] = []
    offset = 0
    if len(relations):
        n_cells = int(relations.ids[0].size)
    elif n_cells is None:
        n_cells = 0
    for ids, is_total in zip(relations.ids, relations.is_total, strict=True):
        inside = np.nonzero(ids >= 0)[0]
        if inside.size == 0:
            continue
        rel = ids[inside]
        width = int(rel.max()) + 1
        children = np.bincount(rel, weights=(~is_total[inside]).astype(np.float64), minlength=width)
        keep = children[rel] > 0
        inside, rel = inside[keep], rel[keep]
        rows.append(rel + offset)
        cells.append(inside.astype(np.int64))
        coefs.append(np.where(is_total[inside], 1.0, -1.0))
        offset += width
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return LinearRelations(n_cells, np.zeros(1, dtype=np.int64), empty, np.zeros(0))
    row = np.concatenate(rows)
    cell = np.concatenate(cells)
    coef = np.concatenate(coefs)
    # dense row numbers (ids of relations dropped above leave gaps), entries sorted by row
    # then cell
    used, dense = np.unique(row, return_inverse=True)
    order = np.lexsort((cell, dense))
    dense, cell, coef = dense[order], cell[order], coef[order]
    start = np.zeros(used.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(dense, minlength=used.size), out=start[1:])
    return LinearRelations(n_cells, start, cell, coef)


def components(lin: LinearRelations, cells: np.ndarray) -> np.ndarray:
    """Component label of each cell of the boolean mask ``cells``: cells linked through a
    relation, directly or through other cells of the mask, share a label (0, 1, ...);
    cells outside the mask get -1. With every cell, the components are the independent
    tables; with the suppressed cells, the attacker's blocks."""
    n = cells.size
    label = np.where(cells, np.arange(n), n)
    keep = cells[lin.index] if lin.index.size else np.zeros(0, dtype=bool)
    rows, idx = lin.row_of_entry[keep], lin.index[keep]
    while rows.size:
        rowmin = np.full(lin.n_rows, n)
        np.minimum.at(rowmin, rows, label[idx])
        new = label.copy()
        np.minimum.at(new, idx, rowmin[rows])
        new[cells] = new[new[cells]]  # pointer jumping
        if np.array_equal(new, label):
            break
        label = new
    out = np.full(n, -1, dtype=np.int64)
    if cells.any():
        out[cells] = np.unique(label[cells], return_inverse=True)[1]
    return out
