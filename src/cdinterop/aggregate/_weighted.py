"""Raking weights applied to exact partial sums: each finest cell's sums times its weight.

Raking gives every record of a benchmark cell the same weight ``w``, so the weighted sum of a
finest cell (key columns and benchmark dimensions) is ``w`` times its unweighted sum (``w**2``
for the squared weights of intervals). The product of the cell's exact sum and ``w`` is
computed exactly (Python integers) and stored as exact rows again (``_exact.exact_parts``),
so totals roll up exactly and the result is rounded once per published cell. Against summing
``w * x`` record by record in floats, as before, values differ in the last bits only.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol

import pyarrow as pa

from cdinterop.aggregate._exact import HALF, NAN_EXPONENT, exact_parts

__all__ = ["weighted_cells"]

_COL, _EXP, _HI, _LO = "_col", "_exp", "_hi", "_lo"
_Key = tuple[Any, ...]


class _State(Protocol):
    @property
    def ints(self) -> pa.Table: ...
    @property
    def floats(self) -> pa.Table | None: ...


def weighted_cells(
    state: _State,
    fine_keys: Sequence[str],
    bench: Sequence[str],
    weights: Mapping[_Key, float],
    summed: Sequence[str],
    squares: Collection[str],
) -> tuple[pa.Table, pa.Table]:
    """The finest cells without their integer sums, and every summed column as exact float
    rows, weighted by ``weights`` (per code tuple of the ``bench`` key columns)."""
    terms = _terms(state, fine_keys, summed)
    positions = [list(fine_keys).index(b) for b in bench]
    keys: list[_Key] = []
    rows: list[tuple[str, int, int, int]] = []
    for (key, column), parts in terms.items():
        w = weights[tuple(key[i] for i in positions)]
        for row in _weighted(parts, w, 2 if column in squares else 1):
            keys.append(key)
            rows.append((column, *row))
    schema = state.ints.schema
    columns: dict[str, pa.Array] = {
        k: pa.array([key[i] for key in keys], schema.field(k).type) for i, k in enumerate(fine_keys)
    }
    for j, (name, kind) in enumerate(
        ((_COL, pa.string()), (_EXP, pa.int32()), (_HI, pa.int64()), (_LO, pa.int64()))
    ):
        columns[name] = pa.array([r[j] for r in rows], kind)
    table = pa.table(columns)
    floats = table.group_by([*fine_keys, _COL, _EXP], use_threads=False).aggregate(
        [(_HI, "sum"), (_LO, "sum")]
    )
    floats = floats.rename_columns([c.removesuffix("_sum") for c in floats.column_names])
    ints = state.ints.drop_columns([c for c in summed if c in state.ints.column_names])
    return ints, floats.select([*fine_keys, _COL, _EXP, _HI, _LO])


def _terms(
    state: _State, fine_keys: Sequence[str], summed: Sequence[str]
) -> dict[tuple[_Key, str], list[tuple[int, int]]]:
    """Per (finest cell, summed column), its exact sum as ``(exponent, mantissa)`` terms."""
    terms: dict[tuple[_Key, str], list[tuple[int, int]]] = {}
    cells = list(zip(*(state.ints.column(k).to_pylist() for k in fine_keys), strict=True))
    for column in (c for c in summed if c in state.ints.column_names):
        for key, value in zip(cells, state.ints.column(column).to_pylist(), strict=True):
            if value is not None:
                terms.setdefault((key, column), []).append((53, value))
    f = state.floats
    if f is not None:
        rows = zip(*(f.column(k).to_pylist() for k in fine_keys), strict=True)
        parts = (f.column(c).to_pylist() for c in (_COL, _EXP, _HI, _LO))
        for key, column, e, h, lo in zip(rows, *parts, strict=True):
            terms.setdefault((key, column), []).append((e, (h << HALF) + lo))
    return terms


def _weighted(parts: list[tuple[int, int]], w: float, power: int) -> list[tuple[int, int, int]]:
    """``w**power`` times the exact sum of ``parts``, as exact rows; NaN and infinities
    stay counted (NaN when the weight is 0)."""
    finite = [(e, m) for e, m in parts if e < NAN_EXPONENT]
    rows = [(e, m >> HALF, 0) for e, m in parts if e >= NAN_EXPONENT]
    if rows and w == 0:
        rows = [(NAN_EXPONENT, 1, 0)]
    if finite:
        base = min(e for e, _ in finite)
        total = sum(m << (e - base) for e, m in finite)
        mantissa, exponent = math.frexp(w)
        mw = int(mantissa * (1 << 53))
        rows += exact_parts(total * mw**power, base - 53 + power * (exponent - 53))
    return rows
