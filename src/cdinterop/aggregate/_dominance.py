"""Dominance rules for magnitudes: the largest contributions per cell, p% and (n, k).

A cell of a magnitude table (a sum, a mean, a ratio, a weighted count) can disclose a
contributor although it has many: when one or two contributors make up nearly all of it.
Two rules (Hundepool et al., *Statistical Disclosure Control*, Wiley 2012; τ-ARGUS'
``CTable::SetProtectionLevelCell``), with ``T`` the cell total and ``x1 ≥ x2 ≥ …`` its
contributions:

- **p% rule** (``p``, coalition ``n``): sensitive if ``T - x1 - … - x_{n+1} < p/100 · x1``
  (the second largest contributor, with ``n - 1`` others, could estimate the largest to
  within ``p`` %); protection level ``UPL = LPL = p/100 · x1 - (T - x1 - … - x_{n+1})``.
- **(n, k) rule**: sensitive if ``x1 + … + xn > k/100 · T``; protection level
  ``100/k · (x1 + … + xn) - T``.

A cell with ``0 < contributors ≤ n`` (``≤ n + 1`` for p%) and a non-zero total is always
sensitive by both rules (the remainder is 0; ``(n, k)`` with ``k = 100`` excepted, which no
cell breaks); the threshold rule suppresses such cells anyway. A cell whose total is 0 (no
contribution, or only zeros) is never sensitive by dominance.

The magnitude of each measure (`magnitudes()`): ``sum`` the summed column, ``mean`` its
summed column (not the count), ``ratio`` its numerator, ``count`` with a ``weight`` (or
raking) the weight; ``proportion`` and unweighted ``count`` have none (the threshold rule
covers them). A record's contribution is the published quantity: ``w · x`` with weights.

What aggregation keeps (`Dominance`, held by the
[`CellAccumulator`][cdinterop.aggregate.CellAccumulator]):

- **Each unit record a contributor** (no ``contributors`` column): the ``m`` largest
  contributions per finest cell and magnitude, ``m = max(n of (n, k), n of p% + 1)``; the top
  ``m`` of a union is the top ``m`` of the parts' top ``m`` (each record is in one finest
  cell), so batches, merges of accumulators (Dask workers) and roll-ups to totals give the
  same lists however the records were split. ``T`` is ``_abs``, the exact sum of ``|w · x|``
  (a summed column like the others, ``_exact.py``). Memory: ``m`` rows per finest cell.
- **Contributors by column**: a contributor's contribution to a cell is the sum of its
  records there, and it may sit in several children of a total, so the finest lists are not
  enough: the accumulator keeps one exact sum per (finest cell, contributor) (integer halves
  per binary exponent, as ``_exact.py``), rolls them up per grouping by (keys, contributor)
  and only then takes the top ``m``. Memory: as the distinct (cell, contributor) pairs
  (times the exponents of float values). ``T`` is the sum of the contributors' absolute
  contributions. Records without a contributor id are left out of the rules, as they are
  of the contributor count.

Negative magnitudes: the rules are applied to absolute values, ``|x|`` per record, or per
contributor the absolute value of its summed contribution, and ``T`` is the sum of those
absolute values (as Statistics Norway's ``GaussSuppression::MagnitudeRule`` does; for
non-negative data ``T`` is the published total). NaN and infinite values are left out of the
contributions (the cell's published value is then not finite either).

Every list and total is a function of the exact partial sums, so the cells' top columns do
not depend on batches or merge order. For contributors by column a contributor's exact sum
becomes a float by adding its per-exponent terms in exponent order (all of one sign: within
a few units in the last place of the correct sum) or, when terms of both signs could cancel,
correctly rounded (``exact_float``). With raking (``weighting``) the finest cells are keyed by the
benchmark's dimensions, so every record of one has the same weight: the lists are scaled
by it (contributors by column: the exact sums are multiplied exactly, ``_weighted.py``).

The cells table that ``result_from_cells`` receives then carries, per indicator with a
magnitude, ``_top:1 … _top:m`` (``_top:<indicator>:i`` with several indicators; 0 where a
cell has fewer contributions) and ``_abs`` (``_abs:<indicator>``); `dominance_status()`
turns them into sensitive cells and protection levels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.aggregate._exact import HALF, exact_float, split
from cdinterop.aggregate._groupby import (
    WHO,
    Prepared,
    absolute_column,
    numerator_column,
)
from cdinterop.aggregate._spec import (
    AggregationSpec,
    CountMeasure,
    DominanceSpec,
    MeanMeasure,
    MeasureSpec,
    RatioMeasure,
    SumMeasure,
)
from cdinterop.aggregate._weighted import weighted_cells

__all__ = [
    "Dominance",
    "DominanceStatus",
    "dominance_levels",
    "dominance_status",
    "magnitudes",
    "top_column",
    "top_size",
]

_COL, _EXP, _HI, _LO = "_col", "_exp", "_hi", "_lo"
_V = "_v"
_LOW = (1 << HALF) - 1
_INT_EXPONENT = 53
"""Exponent of an integer held exactly: ``(hi * 2**26 + lo) * 2**0``."""


def top_column(indicator: str | None, i: int) -> str:
    """The cells' column of the ``i``-th largest contribution (1-based) of an indicator's
    magnitude: ``_top:1`` for a single measure, ``_top:<indicator>:1`` with several."""
    return f"_top:{i}" if indicator is None else f"_top:{indicator}:{i}"


def top_size(rules: DominanceSpec) -> int:
    """How many of the largest contributions the rules need: ``max(n of (n, k), n of
    p% + 1)``."""
    sizes = [0]
    if rules.nk is not None:
        sizes.append(rules.nk.n)
    if rules.p_percent is not None:
        sizes.append(rules.p_percent.n + 1)
    return max(sizes)


def _has_magnitude(m: MeasureSpec, weighted: bool) -> bool:
    """Whether a measure has a magnitude the dominance rules apply to."""
    if isinstance(m, SumMeasure | MeanMeasure | RatioMeasure):
        return True
    return isinstance(m, CountMeasure) and weighted


def magnitudes(spec: AggregationSpec) -> dict[str | None, str]:
    """The indicators whose measure has a magnitude (sum, mean, ratio, weighted count),
    each with its summed magnitude column (the numerator: ``_num`` or ``_num:<indicator>``);
    empty for proportions and unweighted counts."""
    weighted = spec.weight is not None or spec.weighting is not None
    return {
        indicator: numerator_column(indicator)
        for indicator, m in spec.measures.items()
        if _has_magnitude(m, weighted)
    }


@dataclass(frozen=True)
class Dominance:
    """The contributions an accumulator keeps for the dominance rules of one spec (see the
    module docs): its tables are ``(fine keys, _col, _v)`` (each record a contributor) or
    ``(fine keys, _who, _col, _exp, _hi, _lo)`` (contributors by column)."""

    fine_keys: tuple[str, ...]
    """The key columns of the finest cells (with the benchmark's, when raking)."""
    columns: Mapping[str, str | None]
    """Magnitude column → its indicator."""
    size: int
    """How many of the largest contributions are kept per cell (``m``)."""
    by_column: bool
    """Whether contributors are the distinct values of a column."""

    @classmethod
    def of(cls, spec: AggregationSpec, fine_keys: Sequence[str]) -> Dominance | None:
        """The dominance part of an accumulator, or ``None`` when the spec has no dominance
        rules or no measure with a magnitude."""
        rules = spec.disclosure.dominance
        columns = {c: i for i, c in magnitudes(spec).items()}
        if rules is None or not columns:
            return None
        return cls(tuple(fine_keys), columns, top_size(rules), spec.contributors is not None)

    @property
    def cell_columns(self) -> list[str]:
        """The columns `with_cells` adds: the top columns per indicator and, with
        contributors by column, ``_abs`` (otherwise a summed column already)."""
        out = [top_column(i, j) for i in self.columns.values() for j in range(1, self.size + 1)]
        if self.by_column:
            out += [absolute_column(i) for i in self.columns.values()]
        return out

    def prepared(self, prepared: Prepared) -> Prepared:
        """``prepared`` with ``_abs`` (``|magnitude|``, summed like the other columns) per
        magnitude, when each record is a contributor; unchanged otherwise."""
        if self.by_column:
            return prepared
        table = prepared.table
        for column, indicator in self.columns.items():
            if column in table.column_names:
                table = table.append_column(absolute_column(indicator), pc.abs(table[column]))
        return Prepared(table, prepared.keys, prepared.has_denominator, prepared.nulls)

    def rows(self, prepared: Prepared) -> pa.Table:
        """One batch's contributions: the top ``m`` records per finest cell, or the exact
        sum per (finest cell, contributor)."""
        if self.by_column:
            return self._contributor_rows(prepared.table)
        return self._record_rows(prepared.table)

    def _record_rows(self, table: pa.Table) -> pa.Table:
        keys = list(self.fine_keys)
        parts = [_empty_records(table, keys)]
        for column in self.columns:
            if column not in table.column_names:
                continue
            value = pc.abs(pc.cast(table.column(column), pa.float64()))
            keep = pc.fill_null(pc.and_(pc.is_finite(value), pc.greater(value, 0.0)), False)
            part = table.select(keys).filter(keep)
            part = part.append_column(_COL, pa.repeat(pa.scalar(column), part.num_rows))
            parts.append(part.append_column(_V, value.filter(keep)))
        together = pa.concat_tables(parts, promote_options="permissive")
        return _keep_top(together, [*keys, _COL], self.size)

    def _contributor_rows(self, table: pa.Table) -> pa.Table:
        keys = [*self.fine_keys, WHO]
        parts = [_empty_exact(table, keys)]
        identified = table.filter(pc.is_valid(table.column(WHO)))
        for column in self.columns:
            if column in identified.column_names:
                parts.append(_exact_rows(identified, keys, column))
        together = pa.concat_tables(parts, promote_options="permissive")
        return _group_sums(together, [*keys, _COL, _EXP], [_HI, _LO])

    def merged(self, tables: Sequence[pa.Table]) -> pa.Table:
        """Contributions of several parts as those of their union."""
        if len(tables) == 1:
            return tables[0]
        together = pa.concat_tables(tables, promote_options="permissive")
        if self.by_column:
            return _group_sums(together, [*self.fine_keys, WHO, _COL, _EXP], [_HI, _LO])
        return _keep_top(together, [*self.fine_keys, _COL], self.size)

    def weighted(
        self, table: pa.Table, bench: Sequence[str], weights: Mapping[tuple[Any, ...], float]
    ) -> pa.Table:
        """Contributions times the raking weight of their finest cell (``weights`` per code
        tuple of the ``bench`` key columns): the records' values times ``|w|``, or the
        contributors' exact sums times ``w``, exactly."""
        positions = [self.fine_keys.index(b) for b in bench]
        if self.by_column:
            keys = [*self.fine_keys, WHO]
            state = _ExactState(table.select(keys).slice(0, 0), table)
            _, rows = weighted_cells(state, keys, bench, weights, list(self.columns), ())
            return rows
        codes = [table.column(k).to_pylist() for k in self.fine_keys]
        w = [abs(weights[tuple(codes[p][i] for p in positions)]) for i in range(table.num_rows)]
        value = pc.multiply(table.column(_V), pa.array(w, pa.float64()))
        return table.set_column(table.column_names.index(_V), _V, value)

    def with_cells(self, part: pa.Table, table: pa.Table | None, remaining: list[str]) -> pa.Table:
        """``part`` (one row per cell of the grouping ``remaining``) with `cell_columns`:
        the ``m`` largest absolute contributions of each cell (0 where it has fewer) and,
        with contributors by column, their absolute total ``_abs``."""
        groups = [*remaining, _COL]
        if table is None:
            table = pa.table({_COL: pa.array([], pa.string()), _V: pa.array([], pa.float64())})
            keys, top, total = _tops(table, [_COL], self.size)
        elif self.by_column:
            exact = _group_sums(
                table.select([*remaining, WHO, _COL, _EXP, _HI, _LO]),
                [*remaining, WHO, _COL, _EXP],
                [_HI, _LO],
            )
            who, value = _exact_values(exact, [*remaining, WHO, _COL])
            contributions = who.select(groups).append_column(_V, pa.array(np.abs(value)))
            keys, top, total = _tops(contributions, groups, self.size)
        else:
            keys, top, total = _tops(table.select([*groups, _V]), groups, self.size)
        for column, indicator in self.columns.items():
            mine = np.asarray(
                pc.equal(keys.column(_COL), column).to_numpy(zero_copy_only=False), dtype=bool
            )
            values = {top_column(indicator, j + 1): top[mine, j] for j in range(self.size)}
            if self.by_column:
                values[absolute_column(indicator)] = total[mine]
            part = _joined(part, keys.filter(pa.array(mine)).select(remaining), values, remaining)
        return part


@dataclass(frozen=True)
class _ExactState:
    """Exact rows in the shape ``weighted_cells`` takes (no integer sums)."""

    ints: pa.Table
    floats: pa.Table | None


def _empty_records(table: pa.Table, keys: list[str]) -> pa.Table:
    """No contribution, with the schema of `Dominance._record_rows`."""
    empty = table.select(keys).slice(0, 0)
    empty = empty.append_column(_COL, pa.array([], pa.string()))
    return empty.append_column(_V, pa.array([], pa.float64()))


def _empty_exact(table: pa.Table, keys: list[str]) -> pa.Table:
    """No contribution, with the schema of `Dominance._contributor_rows`."""
    empty = table.select(keys).slice(0, 0)
    for name, kind in (
        (_COL, pa.string()),
        (_EXP, pa.int32()),
        (_HI, pa.int64()),
        (_LO, pa.int64()),
    ):
        empty = empty.append_column(name, pa.array([], kind))
    return empty


def _exact_rows(table: pa.Table, keys: list[str], column: str) -> pa.Table:
    """The finite, non-zero values of ``column`` as exact ``(keys, _col, _exp, _hi, _lo)``
    rows: integers as themselves (exponent 53), floats split (``_exact.split``)."""
    values = table.column(column)
    if pa.types.is_integer(values.type):
        values = pc.cast(values, pa.int64())
        keep = pc.fill_null(pc.not_equal(values, 0), False)
        s = np.asarray(values.filter(keep).to_numpy(zero_copy_only=False), dtype=np.int64)
        exponent = np.full(len(s), _INT_EXPONENT, dtype=np.int32)
        hi, lo = s >> HALF, s & _LOW
    else:
        values = pc.cast(values, pa.float64())
        keep = pc.fill_null(pc.and_(pc.is_finite(values), pc.not_equal(values, 0.0)), False)
        x = np.asarray(values.filter(keep).to_numpy(zero_copy_only=False), dtype=np.float64)
        exponent, hi, lo = split(x)
    part = table.select(keys).filter(keep)
    part = part.append_column(_COL, pa.repeat(pa.scalar(column), part.num_rows))
    for name, data in ((_EXP, exponent), (_HI, hi), (_LO, lo)):
        part = part.append_column(name, pa.array(data))
    return part


def _group_sums(table: pa.Table, keys: list[str], sums: list[str]) -> pa.Table:
    """``table`` grouped by ``keys``, ``sums`` summed (names kept, keys first)."""
    out = table.group_by(keys, use_threads=False).aggregate([(c, "sum") for c in sums])
    out = out.rename_columns([c.removesuffix("_sum") for c in out.column_names])
    return out.select([*keys, *sums])


def _starts(table: pa.Table, columns: Sequence[str]) -> np.ndarray:
    """In a table sorted by ``columns``, the positions where a run of equal values starts
    (nulls equal to nulls)."""
    n = table.num_rows
    change = np.zeros(n, dtype=bool)
    if n == 0:
        return np.flatnonzero(change)
    change[0] = True
    for name in columns:
        column = table.column(name).combine_chunks()
        a, b = column.slice(1), column.slice(0, n - 1)
        same = pc.or_kleene(pc.equal(a, b), pc.and_(pc.is_null(a), pc.is_null(b)))
        change[1:] |= ~np.asarray(
            pc.fill_null(same, False).to_numpy(zero_copy_only=False), dtype=bool
        )
    return np.flatnonzero(change)


def _sorted_by_value(table: pa.Table, groups: list[str]) -> tuple[pa.Table, np.ndarray]:
    """``table`` sorted by ``groups`` and, within a group, by ``_v`` descending, with the
    start of each group."""
    order = [*((g, "ascending") for g in groups), (_V, "descending")]
    table = table.sort_by(order) if table.num_rows else table
    return table, _starts(table, groups)


def _keep_top(table: pa.Table, groups: list[str], m: int) -> pa.Table:
    """The ``m`` rows of largest ``_v`` of each group."""
    table, starts = _sorted_by_value(table, groups)
    first = np.zeros(table.num_rows, dtype=np.int64)
    first[starts] = starts
    position = np.arange(table.num_rows) - np.maximum.accumulate(first)
    return table.filter(pa.array(position < m))


def _tops(table: pa.Table, groups: list[str], m: int) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """Per group of ``table``: its keys, the ``m`` largest ``_v`` (descending, 0 where
    fewer) and the sum of its ``_v`` (added largest first)."""
    table, starts = _sorted_by_value(table, groups)
    value = np.asarray(table.column(_V).to_numpy(zero_copy_only=False), dtype=np.float64)
    ends = np.append(starts[1:], len(value)).astype(np.int64)
    top = np.zeros((len(starts), m), dtype=np.float64)
    for j in range(m):
        at = starts + j
        ok = at < ends
        top[ok, j] = value[at[ok]]
    total = np.add.reduceat(value, starts) if len(value) else np.zeros(0, dtype=np.float64)
    return table.take(pa.array(starts)).select(groups), top, total


def _exact_values(table: pa.Table, groups: list[str]) -> tuple[pa.Table, np.ndarray]:
    """Per group of exact ``(_exp, _hi, _lo)`` rows (summed per exponent): its keys and its
    value as a float, the terms added in exponent order (so a function of the exact sum)."""
    table = table.sort_by([*((g, "ascending") for g in groups), (_EXP, "ascending")])
    starts = _starts(table, groups)
    e = np.asarray(table.column(_EXP).to_numpy(zero_copy_only=False), dtype=np.int64)
    hi = np.asarray(table.column(_HI).to_numpy(zero_copy_only=False), dtype=np.int64)
    lo = np.asarray(table.column(_LO).to_numpy(zero_copy_only=False), dtype=np.int64)
    terms = np.ldexp(hi.astype(np.float64), e - (_INT_EXPONENT - HALF)) + np.ldexp(
        lo.astype(np.float64), e - _INT_EXPONENT
    )
    if not len(terms):
        return table.take(pa.array(starts)).select(groups), np.zeros(0, dtype=np.float64)
    value = np.add.reduceat(terms, starts)
    # terms of both signs may cancel: those groups get the correctly rounded sum
    ups = np.add.reduceat((terms > 0).astype(np.int64), starts)
    downs = np.add.reduceat((terms < 0).astype(np.int64), starts)
    ends = np.append(starts[1:], len(terms))
    for g in np.flatnonzero((ups > 0) & (downs > 0)):
        a, b = int(starts[g]), int(ends[g])
        value[g] = exact_float(e[a:b].tolist(), hi[a:b].tolist(), lo[a:b].tolist())
    return table.take(pa.array(starts)).select(groups), value


def _joined(
    part: pa.Table, keys: pa.Table, values: Mapping[str, np.ndarray], remaining: list[str]
) -> pa.Table:
    """``part`` with ``values`` (one per row of ``keys``) joined on ``remaining``; 0.0 for
    the cells ``keys`` lacks."""
    names = list(values)
    if remaining:
        right = keys
        for name in names:
            right = right.append_column(name, pa.array(values[name], pa.float64()))
        part = part.join(right, remaining, join_type="left outer", use_threads=False)
    else:
        for name in names:
            v = float(values[name][0]) if len(values[name]) else 0.0
            part = part.append_column(name, pa.array([v] * part.num_rows, pa.float64()))
    for name in names:
        i = part.column_names.index(name)
        part = part.set_column(i, name, pc.fill_null(part.column(name), 0.0))
    return part


def dominance_levels(
    total: np.ndarray, top: np.ndarray, rules: DominanceSpec
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """The cells the dominance rules find sensitive, their protection level and, per rule
    (``p_percent``, ``nk``), the number of cells it finds sensitive.

    ``total`` is each cell's total ``T`` (of absolute contributions), ``top`` its largest
    contributions, one row per cell, descending, 0-padded, at least `top_size` columns. The
    level (``UPL = LPL``, in the magnitude's unit) is the largest of the rules' levels, 0
    where no rule fires: p% ``p/100 · x1 - (T - x1 - … - x_{n+1})``, (n, k)
    ``100/k · (x1 + … + xn) - T``. The tests are written without dividing, on the
    remainder ``R = max(T - largest, 0)``: p% ``100 R < p x1``, (n, k) ``(100 - k) S > k R``
    with ``S = x1 + … + xn``; so a cell with no contribution beyond the largest is judged
    exactly (``k = 100`` never fires) whatever the rounding of ``T``.
    """
    total = np.asarray(total, dtype=np.float64)
    per_rule = _rules(total, top, rules)
    sensitive = np.zeros(len(total), dtype=bool)
    level = np.zeros(len(total), dtype=np.float64)
    for fires, need in per_rule.values():
        sensitive |= fires
        level = np.where(fires, np.maximum(level, need), level)
    return sensitive, level, {rule: int(fires.sum()) for rule, (fires, _) in per_rule.items()}


def _rules(
    total: np.ndarray, top: np.ndarray, rules: DominanceSpec
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per rule of ``rules``: the cells it finds sensitive and its protection level (the
    level is positive exactly where the rule fires)."""
    total = np.asarray(total, dtype=np.float64)
    top = np.asarray(top, dtype=np.float64).reshape(len(total), -1)
    if top.shape[1] < top_size(rules):
        raise ValueError(f"the rules need the {top_size(rules)} largest contributions")
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    with np.errstate(invalid="ignore"):
        if rules.p_percent is not None:
            p, n = rules.p_percent.p, rules.p_percent.n
            # T - x1 - ... - x_{n+1} < p/100 x1, as 100 R < p x1 (no rounding of p/100)
            gap = p * top[:, 0] - 100 * _remainder(total, top[:, : n + 1])
            out["p_percent"] = (gap > 0, gap / 100)
        if rules.nk is not None:
            n, k = rules.nk.n, rules.nk.k
            largest = top[:, :n].sum(axis=1)
            # x1 + ... + xn > k/100 T, as (100 - k) S > k R with R = T - S
            gap = (100 - k) * largest - k * _remainder(total, top[:, :n])
            out["nk"] = (gap > 0, gap / k)
    return out


def _remainder(total: np.ndarray, largest: np.ndarray) -> np.ndarray:
    """``T`` minus the largest contributions, at least 0: with no other contribution it is
    0 (not a rounding error of either sign), so the rules are exact at their edges."""
    remainder: np.ndarray = np.maximum(total - largest.sum(axis=1), 0.0)
    return remainder


@dataclass(frozen=True)
class DominanceStatus:
    """The dominance rules over the cells of a table."""

    sensitive: np.ndarray
    """Cells some rule finds sensitive for some indicator."""
    levels: dict[str | None, np.ndarray]
    """Per indicator with a magnitude, each cell's protection level (``UPL = LPL``, in the
    unit of the indicator's magnitude; 0 where no rule fires for it)."""
    cells: dict[str, int]
    """Per rule (``p_percent``, ``nk``), the cells it finds sensitive for some indicator."""


def dominance_status(cells: pa.Table, spec: AggregationSpec) -> DominanceStatus:
    """The spec's dominance rules over ``cells`` (the cells with totals that the
    accumulator summed, in any order): nothing sensitive when the spec has no rules or no
    measure with a magnitude."""
    rules = spec.disclosure.dominance
    n = cells.num_rows
    sensitive = np.zeros(n, dtype=bool)
    if rules is None:
        return DominanceStatus(sensitive, {}, {})
    levels: dict[str | None, np.ndarray] = {}
    fired: dict[str, np.ndarray] = {}
    for indicator in magnitudes(spec):
        total = _floats(cells, absolute_column(indicator))
        top = np.column_stack(
            [_floats(cells, top_column(indicator, j)) for j in range(1, top_size(rules) + 1)]
        )
        level = np.zeros(n, dtype=np.float64)
        for rule, (fires, need) in _rules(total, top, rules).items():
            fired[rule] = fired.get(rule, np.zeros(n, dtype=bool)) | fires
            level = np.where(fires, np.maximum(level, need), level)
        levels[indicator] = level
    for fires in fired.values():
        sensitive |= fires
    return DominanceStatus(sensitive, levels, {r: int(f.sum()) for r, f in fired.items()})


def _floats(cells: pa.Table, name: str) -> np.ndarray:
    """A column of ``cells`` as float64, nulls as 0."""
    column = pc.fill_null(pc.cast(cells.column(name), pa.float64()), 0.0)
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
