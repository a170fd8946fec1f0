"""Unit records as cells: the codes of each dimension as integers, and weight sums."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Encoded", "base_weights", "encode"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Encoded:
    """One dimension of the records: its codes, and each record's index into them
    (-1 for a missing value)."""

    codes: list[str]
    index: IntArray

    @property
    def missing(self) -> int:
        """How many records have no value."""
        return int(np.count_nonzero(self.index < 0))

    def sums(self, weights: FloatArray) -> FloatArray:
        """The sum of ``weights`` for each code."""
        present = self.index >= 0
        return np.bincount(
            self.index[present], weights=weights[present], minlength=len(self.codes)
        ).astype(np.float64)


def encode(records: pa.Table, dimension: str) -> Encoded:
    """The codes of one dimension column (as text) and each record's index into them."""
    if dimension not in records.column_names:
        raise ValueError(
            f"the records have no column {dimension!r} (columns: {', '.join(records.column_names)})"
        )
    column = records.column(dimension)
    if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        column = pc.cast(column, pa.string())
    encoded = pc.dictionary_encode(column.combine_chunks())
    index = encoded.indices.to_numpy(zero_copy_only=False)
    index = np.where(encoded.indices.is_null().to_numpy(zero_copy_only=False), -1, index)
    return Encoded(
        codes=[str(c) for c in encoded.dictionary.to_pylist()], index=index.astype(np.int64)
    )


def base_weights(records: pa.Table, column: str | None) -> FloatArray:
    """The records' weights from ``column`` (all 1 when ``None``), checked: present,
    finite and not negative."""
    if column is None:
        return np.ones(records.num_rows)
    if column not in records.column_names:
        raise ValueError(f"the records have no weight column {column!r}")
    values = records.column(column)
    if values.null_count:
        raise ValueError(f"the weight column {column!r} has {values.null_count} missing values")
    weights = np.asarray(pc.cast(values, pa.float64()).to_numpy(), dtype=np.float64)
    bad = ~np.isfinite(weights) | (weights < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"the weight column {column!r} has a negative or non-finite value "
            f"({weights[row]!r}, record {row})"
        )
    return weights


def cell_index(dims: Sequence[Encoded]) -> tuple[IntArray, IntArray]:
    """Each record's cell (the combination of its codes), numbered densely, and for each
    cell the code index of every dimension (a cells x dimensions array)."""
    sizes = [max(len(d.codes), 1) for d in dims]
    combined = np.zeros(len(dims[0].index), dtype=np.int64)
    for d, size in zip(dims, sizes, strict=True):
        combined = combined * size + d.index
    cells, inverse = np.unique(combined, return_inverse=True)
    parts = np.empty((len(cells), len(dims)), dtype=np.int64)
    rest = cells.copy()
    for position in range(len(dims) - 1, -1, -1):
        parts[:, position] = rest % sizes[position]
        rest //= sizes[position]
    return inverse.astype(np.int64).reshape(-1), parts
