"""Vectorised value mapping over Arrow columns: value maps, fixed values, row filters.

Nothing here loops over rows in Python: a value map is an ``index_in`` of the column's
text against the map's keys followed by a ``take`` of the map's values; filters are
``is_in`` masks; counts are ``value_counts`` of masked columns. Loops run over the
*distinct* values only (to report them).

[`apply_rules()`][cdinterop.mapping.apply_rules] is the spec engine shared by every mapping kind: it
applies a spec's row filters and value rules to a table and accounts for every input row, which ends
up in the output or in a `DropCount` with its reason. Rows are attributed to the first reason that
drops them (filters in order, then rules in order), so the counts add up::

    rows_in == rows_out + sum(d.rows for d in result.dropped)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.errors import Issue
from cdinterop.mapping._spec import RowFilter, UnmappedPolicy, ValueRule, scalar_text
from cdinterop.mapping._suggest import not_one_of

__all__ = [
    "DropCount",
    "MappedValues",
    "MappingResult",
    "apply_rules",
    "as_text",
    "filter_mask",
    "fixed_values",
    "map_values",
    "value_counts",
]

_Value = str | int | float | bool
_ArrayLike: TypeAlias = "pa.Array | pa.ChunkedArray"


def _chunked(column: _ArrayLike) -> pa.ChunkedArray:
    return column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column])


def as_text(column: _ArrayLike) -> pa.ChunkedArray:
    """The column as text: dictionaries decoded, booleans as ``true``/``false``."""
    column = _chunked(column)
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pa.types.is_string(column.type):
        return column
    if pa.types.is_large_string(column.type) or pa.types.is_null(column.type):
        return column.cast(pa.string())
    if pa.types.is_boolean(column.type):
        return pc.if_else(column, "true", "false")
    return column.cast(pa.string())


def _value_array(values: Sequence[_Value | None]) -> pa.Array:
    """An Arrow array of spec values; mixed types fall back to their text forms."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([None if v is None else scalar_text(v) for v in values], pa.string())


def fixed_values(
    value: str | int | float | bool, length: int, type: pa.DataType | None = None
) -> pa.ChunkedArray:
    """A column of ``length`` copies of ``value`` (of ``type`` if given)."""
    scalar = pa.scalar(value) if type is None else pa.scalar(value).cast(type)
    return pa.chunked_array([pa.repeat(scalar, length)], scalar.type)


def value_counts(column: _ArrayLike, mask: _ArrayLike | None = None) -> dict[Any, int]:
    """Rows per distinct value of ``column`` (where ``mask`` is true), sorted by value text."""
    column = _chunked(column)
    if mask is not None:
        column = column.filter(pc.fill_null(mask, False))
    if len(column) == 0:
        return {}
    counted = pc.value_counts(column)
    pairs = zip(
        counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True
    )
    return dict(sorted(pairs, key=lambda p: ("" if p[0] is None else str(p[0]), p[1])))


@dataclass(frozen=True, slots=True)
class MappedValues:
    """The result of [`map_values()`][cdinterop.mapping.map_values]: the mapped column and
    which rows the map had no entry for.

    ``values``, ``unmapped`` and the input column have the same length, row for row.
    Nothing is raised for unmapped values whatever the policy: the caller decides from
    ``unmapped`` and ``counts`` what to drop or report::

        result = map_values(column, {"KE": "404", "UG": "800"})
        if result.counts:
            print("no entry for", list(result.counts))
    """

    values: pa.ChunkedArray
    """The output column: mapped values; unmapped values kept under ``keep``, else null."""
    unmapped: pa.ChunkedArray
    """Boolean mask of the rows whose (non-null) value has no entry in the map."""
    counts: dict[Any, int]
    """Rows per unmapped source value (source values as they are, not as text), sorted by
    the values' text; empty when every value was mapped."""


def _same_type(a: pa.ChunkedArray, b: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    if a.type.equals(b.type):
        return a, b
    if pa.types.is_null(a.type):
        return a.cast(b.type), b
    if pa.types.is_null(b.type):
        return a, b.cast(a.type)
    return as_text(a), as_text(b)


def _fill(
    values: pa.ChunkedArray, default: _Value | None, where: _ArrayLike | None = None
) -> pa.ChunkedArray:
    """``default`` in the null cells of ``values`` (only where ``where`` is true, if given)."""
    if default is None:
        return values
    filler = fixed_values(default, len(values))
    values, filler = _same_type(values, filler)
    if where is None:
        return pc.coalesce(values, filler)
    return _chunked(pc.if_else(where, filler, values))


def map_values(
    column: pa.Array | pa.ChunkedArray,
    mapping: Mapping[str, str | int | float | bool | None],
    *,
    unmapped: UnmappedPolicy = UnmappedPolicy.ERROR,
    default: str | int | float | bool | None = None,
) -> MappedValues:
    """Map every value of ``column`` through ``mapping``.

    The map's keys are text and are compared with the text form of each value: text as it
    is, dictionary-encoded columns by their decoded values, booleans as ``true`` and
    ``false``, numbers and other types as Arrow casts them to text (``1``, ``2.5``).

    Source nulls are not "unmapped": they stay null, or become ``default`` (which fills
    source nulls only, not values the map sends to ``None``). Values with
    no entry are null in the result, except under ``keep``, where they pass unchanged (as
    text if the map's values are of another type). ``counts`` has their row counts.

    ``unmapped`` only decides what the output holds for values with no entry: ``keep``
    passes them through, ``drop`` and ``error`` leave them null. Nothing is raised, not
    even under ``error`` (the default): inspect the returned
    [`MappedValues`][cdinterop.mapping.MappedValues]' ``unmapped`` mask and ``counts`` to
    drop the rows or report the values. [`apply_rules()`][cdinterop.mapping.apply_rules]
    does that for a whole spec.
    """
    source = _chunked(column)
    text = as_text(source)
    keys = pa.array(list(mapping), pa.string())
    targets = _value_array(list(mapping.values()))
    index = pc.index_in(text, value_set=keys)
    mapped = _chunked(pc.take(targets, index))
    missing = pc.and_(pc.is_valid(text), pc.is_null(index))
    if unmapped is UnmappedPolicy.KEEP:
        kept = source if source.type.equals(mapped.type) else text
        kept, mapped = _same_type(kept, mapped)
        mapped = pc.if_else(missing, kept, mapped)
    filled = _fill(mapped, default, pc.is_null(text))
    return MappedValues(filled, missing, value_counts(source, missing))


def filter_mask(
    table: pa.Table, conditions: Mapping[str, Sequence[str | int | float | bool | None]]
) -> pa.Array:
    """Boolean mask of the rows whose value in every listed column is one of its listed
    values (compared as text; a listed ``None`` matches nulls)."""
    mask = pa.repeat(pa.scalar(True), table.num_rows)
    for name, listed in conditions.items():
        value_set = pa.array([None if v is None else scalar_text(v) for v in listed], pa.string())
        hit = pc.is_in(as_text(table.column(name)), value_set=value_set, skip_nulls=False)
        mask = pc.and_(mask, hit)
    return mask


@dataclass(frozen=True, slots=True)
class DropCount:
    """Rows dropped for one reason: a row filter, or one unmapped value of one rule.

    Found in [`MappingResult.dropped`][cdinterop.mapping.MappingResult] (and the SDMX
    conformance report), one per filter (zero counts included) and one per unmapped
    value of a rule whose policy is ``drop``. ``str()`` reads as a sentence, e.g.
    ``12 rows dropped: value 'XX' has no entry in REF_AREA's map``; ``to_dict()`` is for
    JSON reports.
    """

    reason: str
    """``row-filter`` or ``unmapped-value``."""
    where: str
    """The filter name, or the output column whose rule dropped them."""
    rows: int
    """How many rows."""
    value: Any = None
    """The unmapped source value (``None`` for filters)."""

    def __str__(self) -> str:
        if self.reason == "row-filter":
            return f"{self.rows} rows dropped by row filter {self.where!r}"
        return f"{self.rows} rows dropped: value {self.value!r} has no entry in {self.where}'s map"

    def to_dict(self) -> dict[str, Any]:
        """The count as a JSON-friendly dict."""
        return {"reason": self.reason, "where": self.where, "value": self.value, "rows": self.rows}


@dataclass(frozen=True, slots=True)
class MappingResult:
    """The output of [`apply_rules()`][cdinterop.mapping.apply_rules]: the mapped table and the
    account of every row."""

    table: pa.Table
    """One column per rule (in rule order), kept rows only."""
    source_rows: pa.Array
    """For each output row, the 0-based row of the input table it came from."""
    rows_in: int
    """Rows of the input table."""
    dropped: tuple[DropCount, ...] = ()
    """Rows dropped, per filter and per unmapped value (zero counts of filters included)."""
    issues: tuple[Issue, ...] = ()
    """Problems: unknown source columns, unmapped values under policy ``error``."""
    used: frozenset[str] = field(default_factory=frozenset)
    """Source columns read by a filter or a rule."""

    @property
    def rows_out(self) -> int:
        """Rows of the output table."""
        return len(self.source_rows)

    @property
    def rows_dropped(self) -> int:
        """Rows dropped in all."""
        return sum(d.rows for d in self.dropped)


@dataclass
class _RulesRun:
    """The state of one [`apply_rules()`][cdinterop.mapping.apply_rules] run: the sources,
    the rows still alive, and what was dropped, reported and read."""

    table: pa.Table
    consts: dict[str, _Value]
    available: list[str]
    """Source columns: the table's, then the constants it does not have."""
    alive: pa.Array | pa.ChunkedArray
    issues: list[Issue] = field(default_factory=list)
    dropped: list[DropCount] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    @classmethod
    def start(cls, table: pa.Table, constants: Mapping[str, _Value] | None) -> _RulesRun:
        """Every row alive, nothing reported yet."""
        consts = dict(constants or {})
        available = [*table.column_names, *(c for c in consts if c not in table.column_names)]
        return cls(table, consts, available, pa.repeat(pa.scalar(True), table.num_rows))

    def source(self, name: str) -> pa.ChunkedArray:
        """A source column: the table's, else a constant broadcast to every row."""
        if name in self.table.column_names:
            return self.table.column(name)
        return fixed_values(self.consts[name], self.table.num_rows)

    def unknown(self, where: str, name: str, role: str) -> Issue:
        """The issue for a column that is not a source, with the closest column and the
        columns there are."""
        return Issue(
            where,
            "unknown-column",
            f"{role} {not_one_of(name, 'a column of the source', self.available, 'columns')}",
            name,
        )

    def apply_filter(self, i: int, row_filter: RowFilter, location: str) -> None:
        """Drop the live rows row filter ``i`` does not keep, counting them."""
        kind = "keep" if row_filter.keep is not None else "drop"
        conditions = row_filter.conditions
        missing = [c for c in conditions if c not in self.available]
        for name in missing:
            self.issues.append(
                self.unknown(f"{location}[{i}].{kind}.{name}", name, "filter column")
            )
        if missing:
            return
        self.used.update(conditions)
        match = filter_mask(pa.table({c: self.source(c) for c in conditions}), conditions)
        passes = match if kind == "keep" else pc.invert(match)
        newly = pc.and_(self.alive, pc.invert(passes))
        count = int(pc.sum(newly).as_py() or 0)
        self.dropped.append(DropCount("row-filter", row_filter.name, count))
        self.alive = pc.and_(self.alive, passes)

    def apply_rule(
        self, name: str, rule: ValueRule, where: str, unmapped: UnmappedPolicy
    ) -> pa.ChunkedArray | None:
        """The output column of a rule (``None`` when its source is unknown)."""
        n = self.table.num_rows
        if rule.value is not None:
            return fixed_values(rule.value, n)
        assert rule.source is not None  # a rule has a value or a source
        if rule.source not in self.available:
            self.issues.append(self.unknown(f"{where}.from", rule.source, "source column"))
            return None
        self.used.add(rule.source)
        column = self.source(rule.source)
        if rule.map is None:
            return _fill(column, rule.default)
        policy = rule.unmapped or unmapped
        mapped = map_values(column, rule.map, unmapped=policy, default=rule.default)
        if policy is not UnmappedPolicy.KEEP:
            self.account_unmapped(name, rule, where, column, mapped, policy)
        return mapped.values

    def account_unmapped(
        self,
        name: str,
        rule: ValueRule,
        where: str,
        column: pa.ChunkedArray,
        mapped: MappedValues,
        policy: UnmappedPolicy,
    ) -> None:
        """Count (policy ``drop``, then drop) or report (``error``) the live rows whose
        value the map has no entry for."""
        live = pc.and_(mapped.unmapped, self.alive)
        for value, rows in value_counts(column, live).items():
            if policy is UnmappedPolicy.DROP:
                self.dropped.append(DropCount("unmapped-value", name, rows, value))
            else:
                self.issues.append(
                    Issue(
                        where,
                        "unmapped-value",
                        f"source value {value!r} of {rule.source} ({rows} rows) has no entry in "
                        f"the map of {name}: add it to the map, or set unmapped: drop",
                        value,
                        component=name,
                    )
                )
        if policy is UnmappedPolicy.DROP:
            self.alive = pc.and_(self.alive, pc.invert(mapped.unmapped))

    def result(self, outputs: dict[str, pa.ChunkedArray]) -> MappingResult:
        """The live rows of the outputs, and the account of the others."""
        kept = pc.indices_nonzero(self.alive).cast(pa.int64())
        return MappingResult(
            table=pa.table(outputs).take(kept) if outputs else pa.table({}),
            source_rows=kept,
            rows_in=self.table.num_rows,
            dropped=tuple(self.dropped),
            issues=tuple(self.issues),
            used=frozenset(self.used),
        )


def apply_rules(
    table: pa.Table,
    rules: Mapping[str, ValueRule],
    *,
    filters: Sequence[RowFilter] = (),
    unmapped: UnmappedPolicy = UnmappedPolicy.ERROR,
    constants: Mapping[str, str | int | float | bool] | None = None,
    rules_location: str = "components",
    filters_location: str = "rows",
) -> MappingResult:
    """Apply row ``filters`` then value ``rules`` (output column -> rule) to ``table``.

    ``constants`` are further sources a rule may take values ``from`` (e.g. a data set's
    data-set-level attribute values), broadcast to every row. ``unmapped`` is the default
    policy of rules with a map. Problems are collected as issues located at
    ``<rules_location>.<column>`` and ``<filters_location>[i]``; the table is built all
    the same (problem cells null) so that callers can report further checks at once.
    """
    run = _RulesRun.start(table, constants)
    for i, row_filter in enumerate(filters):
        run.apply_filter(i, row_filter, filters_location)
    outputs: dict[str, pa.ChunkedArray] = {}
    for name, rule in rules.items():
        column = run.apply_rule(name, rule, f"{rules_location}.{name}", unmapped)
        if column is not None:
            outputs[name] = column
    return run.result(outputs)
