"""Partial aggregates: unit records in batches, summed per finest cell, merged exactly.

A [`CellAccumulator`][cdinterop.aggregate.CellAccumulator] turns each batch of unit records
(``add``) into sums per finest cell (every key column of the spec) and merges them with what
it holds; accumulators of other batches or other processes merge too (``merge``,
[`merge_accumulators`][cdinterop.aggregate.merge_accumulators]); ``finish`` rolls the finest
cells up to the totals and runs what follows (values, disclosure control, the data set).

Every sum is exact, so the result does not depend on how the records were split into
batches nor on the order or tree of the merges: integer columns are summed as int64, float
columns as integer halves of their mantissas per binary exponent (``_exact.py``), rounded
to float64 once per published cell. What it holds: one row per finest cell (integer sums,
contributors), one row per (finest cell, float column, exponent) and, when the spec counts
contributors by a column, one row per distinct (finest cell, contributor). With
``disclosure.dominance``, also the largest contributions (``_dominance.py``): the top ``m``
records per finest cell, or an exact sum per (finest cell, contributor) when contributors are
counted by a column; the cells then carry ``_top:…`` and ``_abs`` columns.

With a ``benchmark`` in the spec, the finest cells are also keyed by the benchmark's
dimensions (columns ``_b:<dimension>``, codes as text): ``finish`` compares and rakes their
record counts (``_weighting.py``), weights each cell's exact sums by its raking weight
(``_weighted.py``) and rolls them up over those dimensions too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.aggregate._dominance import Dominance
from cdinterop.aggregate._exact import HALF, exact_float, split
from cdinterop.aggregate._groupby import (
    CONTRIBUTES,
    CONTRIBUTORS,
    SQUARES,
    WHO,
    Prepared,
    key_order,
    prepare,
    summed_columns,
    total_subsets,
)
from cdinterop.aggregate._run import AggregationResult, Finest, result_from_cells, unpivot
from cdinterop.aggregate._spec import AggregationSpec
from cdinterop.aggregate._weighted import weighted_cells
from cdinterop.aggregate._weighting import COUNT_COLUMN, Calibration, calibrate_cells
from cdinterop.errors import InvalidDatasetError, Issue
from cdinterop.model import CitizenDataset

__all__ = ["CellAccumulator", "aggregate", "merge_accumulators"]

ROWS = "_rows"
"""Column of the unit records per finest cell."""
_COL, _EXP, _HI, _LO = "_col", "_exp", "_hi", "_lo"
_LOW = (1 << HALF) - 1
_COMPACT_ROWS = 1 << 16
"""Pending partial rows below which batches are not merged yet."""


@dataclass(frozen=True)
class _Cells:
    """Partial sums per finest cell."""

    ints: pa.Table
    """Key columns, ``_rows``, the integer sums and (unless counted by a column) ``_n``."""
    floats: pa.Table | None
    """Key columns, ``_col`` (the float column), ``_exp``, ``_hi``, ``_lo`` (see ``_exact``)."""
    pairs: pa.Table | None
    """Key columns and ``_who``: the distinct contributors of each cell."""
    float_columns: frozenset[str]
    contributions: pa.Table | None = None
    """With dominance rules, the largest contributions per cell (``_dominance.py``)."""

    @property
    def rows(self) -> int:
        """Rows held."""
        held = int(self.ints.num_rows)
        tables = (self.floats, self.pairs, self.contributions)
        return held + sum(int(t.num_rows) for t in tables if t is not None)


def _cells_of(prepared: Prepared) -> _Cells:
    """One batch's prepared records as partial sums per finest cell."""
    table = prepared.table
    keys = list(prepared.keys)
    summed = summed_columns(prepared)
    floats = [c for c in summed if pa.types.is_floating(table.column(c).type)]
    ints = [c for c in summed if c not in floats]
    columns = {k: table.column(k) for k in keys}
    columns[ROWS] = pa.chunked_array([pa.repeat(pa.scalar(1, pa.int64()), table.num_rows)])
    columns.update({c: pc.cast(table.column(c), pa.int64()) for c in ints})
    by_column = WHO in table.column_names
    if not by_column:
        columns[CONTRIBUTORS] = pc.cast(table.column(CONTRIBUTES), pa.int64())
    sums = [c for c in columns if c not in keys]
    fine = _summed(pa.table(columns), keys, sums)
    pairs = None
    if by_column:
        who = table.filter(pc.and_(table.column(CONTRIBUTES), pc.is_valid(table.column(WHO))))
        pairs = who.select([*keys, WHO]).group_by([*keys, WHO]).aggregate([])
    return _Cells(fine, _float_rows(table, keys, floats), pairs, frozenset(floats))


def _summed(table: pa.Table, keys: list[str], sums: list[str]) -> pa.Table:
    """``table`` grouped by ``keys``, ``sums`` summed (names kept, keys first)."""
    out = table.group_by(keys).aggregate([(c, "sum") for c in sums])
    out = out.rename_columns([c.removesuffix("_sum") for c in out.column_names])
    return out.select([*keys, *sums])


def _float_rows(table: pa.Table, keys: list[str], floats: list[str]) -> pa.Table | None:
    """The float columns as ``(keys, _col, _exp, _hi, _lo)`` rows summed per exponent."""
    if not floats:
        return None
    parts = []
    for name in floats:
        values = table.column(name)
        valid = table.filter(pc.is_valid(values))
        x = np.asarray(
            pc.cast(valid.column(name), pa.float64()).to_numpy(zero_copy_only=False),
            dtype=np.float64,
        )
        exponent, hi, lo = split(x)
        part = valid.select(keys)
        for column, data in ((_EXP, exponent), (_HI, hi), (_LO, lo)):
            part = part.append_column(column, pa.array(data))
        part = _summed(part, [*keys, _EXP], [_HI, _LO])
        part = part.add_column(len(keys), _COL, pa.repeat(pa.scalar(name), part.num_rows))
        parts.append(part)
    return pa.concat_tables(parts)


def _as_float_rows(ints: pa.Table, keys: list[str], name: str) -> pa.Table:
    """An integer sum column as float rows (exponent 53: the integer itself)."""
    valid = ints.filter(pc.is_valid(ints.column(name)))
    s = np.asarray(valid.column(name).to_numpy(), dtype=np.int64)
    part = valid.select(keys).append_column(_COL, pa.repeat(pa.scalar(name), valid.num_rows))
    part = part.append_column(_EXP, pa.array(np.full(len(s), 53, dtype=np.int32)))
    part = part.append_column(_HI, pa.array(s >> HALF))
    return part.append_column(_LO, pa.array(s & _LOW))


def _promoted(part: _Cells, floats: frozenset[str], keys: list[str]) -> _Cells:
    """``part`` with the columns that are floats elsewhere moved to its float rows."""
    moved = [c for c in floats - part.float_columns if c in part.ints.column_names]
    if not moved:
        return part
    rows = [_as_float_rows(part.ints, keys, c) for c in moved]
    if part.floats is not None:
        rows.insert(0, part.floats)
    return replace(part, ints=part.ints.drop_columns(moved), floats=pa.concat_tables(rows))


def _merged(parts: list[_Cells], keys: list[str], dominance: Dominance | None = None) -> _Cells:
    """Partial sums merged: sums of sums, distinct pairs of pairs, largest contributions of
    largest contributions."""
    if len(parts) == 1:
        return parts[0]
    floats = frozenset().union(*(p.float_columns for p in parts))
    parts = [_promoted(p, floats, keys) for p in parts]
    ints = pa.concat_tables([p.ints for p in parts], promote_options="permissive")
    fine = _summed(ints, keys, [c for c in ints.column_names if c not in keys])
    float_parts = [p.floats for p in parts if p.floats is not None]
    rows = None
    if float_parts:
        rows = _summed(pa.concat_tables(float_parts), [*keys, _COL, _EXP], [_HI, _LO])
    pair_parts = [p.pairs for p in parts if p.pairs is not None]
    pairs = None
    if pair_parts:
        together = pa.concat_tables(pair_parts, promote_options="permissive")
        pairs = together.group_by([*keys, WHO], use_threads=False).aggregate([])
    tops = [p.contributions for p in parts if p.contributions is not None]
    contributions = dominance.merged(tops) if dominance is not None and tops else None
    return _Cells(fine, rows, pairs, floats, contributions)


def _with_float_sums(
    part: pa.Table, floats: pa.Table | None, remaining: list[str], names: Iterable[str]
) -> pa.Table:
    """``part`` (one row per cell of ``remaining``) with the exact sum of each float column
    (null where no record has a value)."""
    names = list(names)
    if not names:
        return part
    assert floats is not None
    rows = _summed(floats, [*remaining, _COL, _EXP], [_HI, _LO])
    lists = rows.group_by([*remaining, _COL], use_threads=False).aggregate(
        [(_EXP, "list"), (_HI, "list"), (_LO, "list")]
    )
    values = [
        exact_float(e, h, lo)
        for e, h, lo in zip(
            *(lists.column(f"{c}_list").to_pylist() for c in (_EXP, _HI, _LO)), strict=True
        )
    ]
    sums = lists.select([*remaining, _COL]).append_column("_v", pa.array(values, pa.float64()))
    for name in names:
        one = sums.filter(pc.equal(sums.column(_COL), name)).select([*remaining, "_v"])
        one = one.rename_columns([*remaining, name])
        if remaining:
            part = part.join(one, remaining, join_type="left outer", use_threads=False)
        else:
            value = one.column(name).to_pylist()[0] if one.num_rows else None
            part = part.append_column(name, pa.array([value] * part.num_rows, pa.float64()))
    return part


def _with_distinct_contributors(part: pa.Table, pairs: pa.Table, remaining: list[str]) -> pa.Table:
    """``part`` with the count of distinct contributors of each of its cells (0 for none)."""
    counted = pairs.group_by(remaining, use_threads=False).aggregate([(WHO, "count_distinct")])
    distinct = f"{WHO}_count_distinct"
    names = [CONTRIBUTORS if c == distinct else c for c in counted.column_names]
    counted = counted.rename_columns(names)
    if remaining:
        part = part.join(counted, remaining, join_type="left outer", use_threads=False)
    else:
        part = part.append_column(CONTRIBUTORS, counted.column(CONTRIBUTORS))
    return part.set_column(
        part.column_names.index(CONTRIBUTORS),
        CONTRIBUTORS,
        pc.fill_null(part.column(CONTRIBUTORS), 0),
    )


class CellAccumulator:
    """Partial aggregates of unit records for one
    [`AggregationSpec`][cdinterop.aggregate.AggregationSpec]: ``add`` batches, ``merge``
    accumulators, ``finish`` once.

        acc = CellAccumulator(spec)
        for batch in batches:            # pyarrow Tables of unit records
            acc.add(batch)
        result = acc.finish(unit_records)  # metadata only: its observations are not read

    The result is the same, byte for byte, whatever the batches and the merges (every sum is
    exact); memory is bounded by the finest cells (times the exponents of float sums), plus
    the distinct (cell, contributor) pairs when contributors are counted by a column; with a
    ``benchmark`` in the spec, the finest cells are those of the key columns and the
    benchmark's dimensions together (raking weights are a function of the latter).
    """

    def __init__(self, spec: AggregationSpec) -> None:
        self.spec = spec
        """The aggregation spec."""
        self.rows_in = 0
        """Unit records added (after unpivoting)."""
        self.nulls: dict[str, int] = {}
        """Per column a measure reads, the records with no value there."""
        self.started = dt.datetime.now(dt.UTC)
        """When the (earliest merged) accumulator was created."""
        self._keys = key_order(spec)
        dims = spec.benchmark.dimensions if spec.benchmark is not None else ()
        self._bench = {f"_b:{d}": d for d in dims}
        self._summed: tuple[str, ...] = ()
        self._dominance = Dominance.of(spec, self._fine_keys)
        self._parts: list[_Cells] = []
        self._held = 0

    def add(self, records: pa.Table) -> CellAccumulator:
        """Add one batch of unit records (the columns of the unit-record observations);
        raises ``InvalidDatasetError`` for records the spec cannot be applied to."""
        if records.num_rows == 0:
            return self
        if self.spec.unpivot is not None:
            records = unpivot(records, self.spec.unpivot)
        self.rows_in += records.num_rows
        prepared = prepare(records, self.spec)
        if self._bench:
            prepared = _with_benchmark_keys(prepared, records, self._bench)
        if self._dominance is not None:
            prepared = self._dominance.prepared(prepared)
        self._add_prepared(prepared)
        return self

    @property
    def _fine_keys(self) -> list[str]:
        return [*self._keys, *self._bench]

    def _add_prepared(self, prepared: Prepared) -> None:
        self.nulls = _added(self.nulls, prepared.nulls)
        self._summed = self._summed or tuple(summed_columns(prepared))
        part = _cells_of(prepared)
        if self._dominance is not None:
            part = replace(part, contributions=self._dominance.rows(prepared))
        self._parts.append(part)
        pending = sum(p.rows for p in self._parts)
        if pending > max(_COMPACT_ROWS, 2 * self._held):
            self._compact()

    def _compact(self) -> _Cells | None:
        if not self._parts:
            return None
        merged = _merged(self._parts, self._fine_keys, self._dominance)
        self._parts = [merged]
        self._held = merged.rows
        return merged

    def merge(self, other: CellAccumulator) -> CellAccumulator:
        """A new accumulator holding what this one and ``other`` hold."""
        return merge_accumulators([self, other])

    def __getstate__(self) -> dict[str, object]:
        self._compact()
        return self.__dict__.copy()

    def finish(self, unit_records: CitizenDataset) -> AggregationResult:
        """The indicator data set and report of everything added: ``unit_records`` gives
        the metadata only (its observations are not read).

        Raises [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError] when no unit
        record was added and for a result that breaks the target structure."""
        if self.rows_in == 0:
            problem = Issue("observations", "no-records", "there are no unit records to aggregate")
            raise InvalidDatasetError([problem], context="aggregation")
        state = self._compact()
        assert state is not None
        spec, calibration = self.spec, Calibration()
        if self._bench:
            state, spec, calibration = self._calibrated(state)
        finest = Finest(tuple(self._keys), self.rows_in, dict(self.nulls), self.started)
        cells = self._cells_with_totals(state)
        return result_from_cells(unit_records, spec, cells, finest, calibration)

    def _calibrated(self, state: _Cells) -> tuple[_Cells, AggregationSpec, Calibration]:
        """The benchmark step on the cells' record counts and, with raking, the finest
        cells' sums weighted."""
        bench = list(self._bench)
        counts = _summed(state.ints.select([*bench, ROWS]), bench, [ROWS])
        counts = counts.sort_by([(b, "ascending") for b in bench])
        counts = counts.rename_columns([*self._bench.values(), COUNT_COLUMN])
        weights, spec, calibration = calibrate_cells(counts, self.spec)
        if weights is not None:
            codes = counts.select(list(self._bench.values())).to_pylist()
            by_cell = dict(zip([tuple(r.values()) for r in codes], weights.tolist(), strict=True))
            squares = {c for c in self._summed if c.startswith(SQUARES)}
            ints, floats = weighted_cells(
                state, self._fine_keys, bench, by_cell, self._summed, squares
            )
            contributions = state.contributions
            if self._dominance is not None and contributions is not None:
                contributions = self._dominance.weighted(contributions, bench, by_cell)
            state = _Cells(ints, floats, state.pairs, frozenset(self._summed), contributions)
        return state, spec, calibration

    def _cells_with_totals(self, state: _Cells) -> pa.Table:
        """One row per cell, totals included: the key columns, the summed columns and
        ``_n`` (int64), unsorted."""
        subsets = total_subsets(self.spec)
        cells = pa.concat_tables(
            [self._subset_cells(state, s) for s in subsets], promote_options="permissive"
        )
        return cells.set_column(
            cells.column_names.index(CONTRIBUTORS),
            CONTRIBUTORS,
            pc.cast(cells.column(CONTRIBUTORS), pa.int64()),
        )

    def _subset_cells(self, state: _Cells, subset: tuple[str, ...]) -> pa.Table:
        """The cells of one grouping: the finest cells rolled up over the dimensions of
        ``subset``, which get their total code."""
        keys = self._keys
        remaining = [k for k in keys if k not in subset]
        fine = self._fine_keys
        part = _summed(state.ints, remaining, [c for c in state.ints.column_names if c not in fine])
        floats = [c for c in self._summed if c in state.float_columns]
        part = _with_float_sums(part, state.floats, remaining, floats)
        if state.pairs is not None:
            part = _with_distinct_contributors(part, state.pairs, remaining)
        added: list[str] = []
        if self._dominance is not None:
            part = self._dominance.with_cells(part, state.contributions, remaining)
            added = self._dominance.cell_columns
        n = part.num_rows
        for dim in subset:
            total = self.spec.dimensions[dim].total
            part = part.append_column(dim, pa.chunked_array([pa.repeat(pa.scalar(total), n)]))
        return part.select([*keys, ROWS, *self._summed, CONTRIBUTORS, *added])


def _with_benchmark_keys(
    prepared: Prepared, records: pa.Table, bench: Mapping[str, str]
) -> Prepared:
    """``prepared`` keyed by the benchmark's dimensions too (as text; raises
    ``InvalidDatasetError`` for a missing column)."""
    missing = [d for d in bench.values() if d not in records.column_names]
    if missing:
        issues = [
            Issue(
                location="benchmark.dimensions",
                code="unknown-column",
                message=f"the unit records have no column {d!r}",
                value=d,
            )
            for d in missing
        ]
        raise InvalidDatasetError(issues, context="aggregation")
    table = prepared.table
    for key, dim in bench.items():
        table = table.append_column(key, pc.cast(records.column(dim), pa.string()))
    keys = (*prepared.keys, *bench)
    return Prepared(table, keys, prepared.has_denominator, prepared.nulls)


def _added(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    """Counts per name, added."""
    return {k: a.get(k, 0) + b.get(k, 0) for k in dict.fromkeys([*a, *b])}


def merge_accumulators(accumulators: Iterable[CellAccumulator]) -> CellAccumulator:
    """One accumulator holding what all of ``accumulators`` (of one spec) hold; the result
    does not depend on their order nor on how they were merged before."""
    accs = list(accumulators)
    if not accs:
        raise ValueError("nothing to merge")
    spec = accs[0].spec
    out = CellAccumulator(spec)
    out.started = min(a.started for a in accs)
    for a in accs:
        out.rows_in += a.rows_in
        out.nulls = _added(out.nulls, a.nulls)
        out._summed = out._summed or a._summed
        out._parts += a._parts
    out._compact()
    return out


def aggregate(unit_records: CitizenDataset, spec: AggregationSpec) -> AggregationResult:
    """Aggregate unit records to the spec's target structure, with totals and disclosure
    control.

    The same as one [`CellAccumulator`][cdinterop.aggregate.CellAccumulator] that adds every
    unit record and finishes.

    Raises [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError] when there are no unit
    records, for unit records the spec cannot be applied to (missing columns, null or unmapped
    codes) and for a result that breaks the target structure (e.g. a code outside a codelist).
    """
    acc = CellAccumulator(spec)
    acc.add(unit_records.observations.table)
    return acc.finish(unit_records)
