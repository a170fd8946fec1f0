"""Vectorised group-by with totals: unit records to cells.

Every measure is reduced to sums, so that totals can be rolled up from the finest cells
instead of re-reading the unit records:

=============  ==========================================  ==========================
measure        numerator (summed)                          denominator (summed)
=============  ==========================================  ==========================
count          1 (weight)                                  —
sum            value (weight * value)                      —
mean           value (weight * value), non-null values     1 (weight) where value set
ratio          numerator column (* weight)                 denominator column (* weight)
proportion     1 (weight) where the condition holds,       1 (weight) where the column
               0 where it does not                         has a value
=============  ==========================================  ==========================

`prepare()` maps the unit records to target codes and these columns (one Arrow
expression per column, no Python loop over rows). The cell accumulator
(``_partials.py``) groups the prepared table by every key column (``Table.group_by().aggregate()``),
merging the batches' partial sums exactly (``_exact.py`` for float columns), then, for
each subset of the totalled dimensions (2^d of them, fewer with ``nested``), groups those
finest cells by the remaining keys and sets the subset's dimensions to their total code.
Contributor counts are rolled up the same way, except when contributors are the distinct
values of a column: then the distinct (cell, contributor) pairs are grouped per subset
with ``count_distinct``, since a contributor may sit in several child cells.

A unit record contributes to a cell when it contributes to the value: every record for
``count``, records with a value for ``sum`` and ``mean``, with a numerator or a
denominator for ``ratio``, with a value in the tested column for ``proportion``.

Nulls are nulls: a null in a measure column (and blank text, empty or white space only,
which is read as null) leaves the record out of that measure's numerator and denominator;
it is never counted as 0 or as "condition not met". `Prepared.nulls` counts these records
per measure column, for the aggregation report.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.aggregate._spec import (
    AggregationSpec,
    CountMeasure,
    DimensionRule,
    MeanMeasure,
    MeasureSpec,
    ProportionMeasure,
    RatioMeasure,
    SumMeasure,
)
from cdinterop.errors import InvalidDatasetError, Issue
from cdinterop.mapping import UnmappedPolicy, map_values
from cdinterop.mapping._internal import as_text, scalar_text

__all__ = [
    "ABSOLUTE",
    "CONTRIBUTES",
    "CONTRIBUTORS",
    "DENOMINATOR",
    "NUMERATOR",
    "WHO",
    "Prepared",
    "absolute_column",
    "denominator_column",
    "key_order",
    "numerator_column",
    "prepare",
    "python_round",
    "squared_values_column",
    "squares_column",
    "summed_columns",
    "total_subsets",
]

NUMERATOR = "_num"
"""Column of the summed numerator (or the value of additive measures)."""
DENOMINATOR = "_den"
"""Column of the summed denominator (ratio, mean, proportion)."""
CONTRIBUTORS = "_n"
"""Column of the contributor count of each cell."""
SQUARES = "_sq"
"""Column of the summed squared weights of a quotient's denominator rows (the effective
sample size, for intervals)."""
SQUARED_VALUES = "_sx"
"""Column of the summed weight * value^2 of a mean's rows (its variance, for intervals)."""
CONTRIBUTES = "_c"
"""Column: the row contributes to at least one indicator of its cell."""
_VALUES = "_x"
"""A mean's values as read (not summed: only its intervals use them)."""
WHO = "_who"
"""Column of the contributor id, when contributors are the distinct values of a column."""
ABSOLUTE = "_abs"
"""Column of the summed absolute magnitudes (``|_num|``), the total of the dominance rules
(only with ``disclosure.dominance`` and record contributors; see ``_dominance.py``)."""


def numerator_column(indicator: str | None) -> str:
    """The summed numerator column of an indicator (``_num`` for a single measure)."""
    return NUMERATOR if indicator is None else f"{NUMERATOR}:{indicator}"


def denominator_column(indicator: str | None) -> str:
    """The summed denominator column of an indicator (``_den`` for a single measure)."""
    return DENOMINATOR if indicator is None else f"{DENOMINATOR}:{indicator}"


def absolute_column(indicator: str | None) -> str:
    """The summed absolute magnitudes of an indicator (``_abs``), for the dominance rules."""
    return ABSOLUTE if indicator is None else f"{ABSOLUTE}:{indicator}"


def squares_column(indicator: str | None) -> str:
    """The summed squared weights of an indicator's denominator rows (``_sq``)."""
    return SQUARES if indicator is None else f"{SQUARES}:{indicator}"


def squared_values_column(indicator: str | None) -> str:
    """The summed weight * value^2 of a mean indicator's rows (``_sx``)."""
    return SQUARED_VALUES if indicator is None else f"{SQUARED_VALUES}:{indicator}"


@dataclass(frozen=True)
class Prepared:
    """Unit records reduced to key columns and the columns that are summed."""

    table: pa.Table
    """Key columns (target codes, strings), ``_num``, optionally ``_den``, ``_c`` (1 where
    the row contributes) and ``_who`` (contributor id, when counted by a column)."""
    keys: tuple[str, ...]
    """The key columns taken from unit records (totalled dimensions first, in key order,
    then other dimensions taken from columns, then the time dimension)."""
    has_denominator: bool
    """Whether a measure is a quotient (a denominator column present)."""
    nulls: dict[str, int] = field(default_factory=dict)
    """Per column the measure reads, the unit records with no value there (null or blank
    text), left out of the measure."""


def _period(text: pa.ChunkedArray, frequency: str) -> pa.ChunkedArray:
    """``YYYY[-MM[-DD...]]`` text (or dates) as annual, quarterly or monthly periods."""
    year = pc.utf8_slice_codeunits(text, 0, 4)
    if frequency == "A":
        return year
    month = pc.utf8_slice_codeunits(text, 5, 7)
    if frequency == "M":
        return pc.binary_join_element_wise(year, month, "-")
    quarter = pc.add(pc.divide(pc.subtract(pc.cast(month, pa.int64()), 1), 3), 1)
    return pc.binary_join_element_wise(year, pc.cast(quarter, pa.string()), "-Q")


def _number(
    table: pa.Table, column: str, issues: list[Issue], where: str = "measure"
) -> pa.ChunkedArray | None:
    if column not in table.column_names:
        issues.append(
            Issue(
                location=f"{where}.{column}",
                code="unknown-column",
                message=f"the unit records have no column {column!r}",
                value=column,
            )
        )
        return None
    values = _blank_to_null(table.column(column))
    if pa.types.is_boolean(values.type):
        return pc.cast(values, pa.int64())
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
        return values
    if pa.types.is_decimal(values.type):
        return pc.cast(values, pa.float64())
    try:
        return pc.cast(as_text(values), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        issues.append(
            Issue(
                location=f"{where}.{column}",
                code="not-a-number",
                message=f"column {column!r} is not numeric: {exc}",
                value=column,
            )
        )
        return None


def _blank_to_null(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """A text column with its blank values (empty or white space only) null; other
    columns as they are."""
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return values
    blank = pc.equal(pc.utf8_trim_whitespace(values), "")
    return pc.if_else(blank, pa.scalar(None, values.type), values)


def _measure_column_names(spec: AggregationSpec) -> tuple[str, ...]:
    """The unit-record columns the spec's measures read (none for ``count``), each once."""
    names: list[str] = []
    for m in spec.measures.values():
        if isinstance(m, RatioMeasure):
            names += [m.numerator, m.denominator]
        elif isinstance(m, SumMeasure | MeanMeasure | ProportionMeasure):
            names.append(m.column)
    return tuple(dict.fromkeys(names))


def _null_counts(table: pa.Table, spec: AggregationSpec) -> dict[str, int]:
    """Per column the measure reads, the records with no value there (null or blank)."""
    return {
        name: _blank_to_null(table.column(name)).null_count
        for name in _measure_column_names(spec)
        if name in table.column_names
    }


def _times(values: pa.ChunkedArray, weight: pa.ChunkedArray | None) -> pa.ChunkedArray:
    return values if weight is None else pc.multiply(pc.cast(values, pa.float64()), weight)


def _ones(n: int, weight: pa.ChunkedArray | None) -> pa.ChunkedArray:
    if weight is not None:
        return weight
    return pa.chunked_array([pa.repeat(pa.scalar(1, pa.int64()), n)])


def _where(mask: pa.ChunkedArray, values: pa.ChunkedArray) -> pa.ChunkedArray:
    """``values`` where ``mask`` holds, else null."""
    return pc.if_else(mask, values, pa.scalar(None, values.type))


def _measure_columns(
    table: pa.Table, spec: AggregationSpec, issues: list[Issue]
) -> dict[str, pa.ChunkedArray]:
    """The summed columns of the spec's measures (see the module docs), named per
    indicator, and ``_c``: the row contributes to at least one indicator of its cell; empty
    when a column is missing or not numeric (``issues`` then says why)."""
    weight: pa.ChunkedArray | None = None
    if spec.weight is not None:
        w = _number(table, spec.weight, issues)
        if w is None:
            return {}
        weight = pc.fill_null(pc.cast(w, pa.float64()), 0.0)
    out: dict[str, pa.ChunkedArray] = {}
    contributes: pa.ChunkedArray | None = None
    for indicator, m in spec.measures.items():
        where = "measure" if indicator is None else f"indicators.measures.{indicator}"
        columns = _one_measure_columns(table, m, weight, issues, where)
        if not columns:
            continue
        out[numerator_column(indicator)] = columns[NUMERATOR]
        if DENOMINATOR in columns:
            out[denominator_column(indicator)] = columns[DENOMINATOR]
        if spec.intervals is not None:
            out.update(_interval_columns(columns, m, weight, indicator))
        c = columns[CONTRIBUTES]
        contributes = c if contributes is None else pc.or_(contributes, c)
    if issues or contributes is None:
        return {}
    out[CONTRIBUTES] = contributes
    return out


def _interval_columns(
    columns: dict[str, pa.ChunkedArray],
    m: MeasureSpec,
    weight: pa.ChunkedArray | None,
    indicator: str | None,
) -> dict[str, pa.ChunkedArray]:
    """For the intervals of a proportion or a mean, from the measure's own columns: the
    squared weights of the rows with a value (``_sq``: the denominator squared) and, for a
    mean, weight * value^2 (``_sx``); nothing for other measures."""
    if not isinstance(m, ProportionMeasure | MeanMeasure):
        return {}
    den = pc.cast(columns[DENOMINATOR], pa.float64())
    out = {squares_column(indicator): pc.multiply(den, den)}
    if isinstance(m, MeanMeasure):
        x = pc.cast(columns[_VALUES], pa.float64())
        out[squared_values_column(indicator)] = _times(pc.multiply(x, x), weight)
    return out


def _one_measure_columns(
    table: pa.Table,
    m: MeasureSpec,
    weight: pa.ChunkedArray | None,
    issues: list[Issue],
    where: str,
) -> dict[str, pa.ChunkedArray]:
    """The summed columns of one measure: ``_num``, ``_den`` (quotients) and ``_c``."""
    if isinstance(m, CountMeasure):
        return _count_columns(table.num_rows, weight)
    if isinstance(m, SumMeasure | MeanMeasure):
        return _sum_columns(table, m, weight, issues, where)
    if isinstance(m, RatioMeasure):
        return _ratio_columns(table, m, weight, issues, where)
    assert isinstance(m, ProportionMeasure)
    return _proportion_columns(table, m, weight, issues, where)


def _count_columns(n: int, weight: pa.ChunkedArray | None) -> dict[str, pa.ChunkedArray]:
    """``count``: 1 (or the weight) per row; every row contributes."""
    return {
        NUMERATOR: _ones(n, weight),
        CONTRIBUTES: pa.chunked_array([pa.repeat(pa.scalar(True), n)]),
    }


def _sum_columns(
    table: pa.Table,
    m: SumMeasure | MeanMeasure,
    weight: pa.ChunkedArray | None,
    issues: list[Issue],
    where: str,
) -> dict[str, pa.ChunkedArray]:
    """``sum`` and ``mean``: the (weighted) value; a mean also counts the rows with one."""
    x = _number(table, m.column, issues, where)
    if x is None:
        return {}
    valid = pc.is_valid(x)
    out = {NUMERATOR: _times(x, weight), CONTRIBUTES: valid}
    if isinstance(m, MeanMeasure):
        out[DENOMINATOR] = _where(valid, _ones(table.num_rows, weight))
        out[_VALUES] = x  # for the intervals; not summed
    return out


def _ratio_columns(
    table: pa.Table,
    m: RatioMeasure,
    weight: pa.ChunkedArray | None,
    issues: list[Issue],
    where: str,
) -> dict[str, pa.ChunkedArray]:
    """``ratio``: the (weighted) numerator and denominator columns."""
    a = _number(table, m.numerator, issues, where)
    b = _number(table, m.denominator, issues, where)
    if a is None or b is None:
        return {}
    return {
        NUMERATOR: _times(a, weight),
        DENOMINATOR: _times(b, weight),
        CONTRIBUTES: pc.or_(pc.is_valid(a), pc.is_valid(b)),
    }


def _proportion_columns(
    table: pa.Table,
    m: ProportionMeasure,
    weight: pa.ChunkedArray | None,
    issues: list[Issue],
    where: str,
) -> dict[str, pa.ChunkedArray]:
    """``proportion``: 1 (or the weight) where the condition holds, 0 where it does not,
    over 1 (or the weight) where the column has a value."""
    if m.column not in table.column_names:
        _number(table, m.column, issues, where)
        return {}
    column = _blank_to_null(table.column(m.column))
    valid = pc.is_valid(column)
    hit = pc.is_in(
        as_text(column), value_set=pa.array([scalar_text(v) for v in m.values], pa.string())
    )
    ones = _ones(table.num_rows, weight)
    zero = pa.scalar(0.0 if weight is not None else 0, ones.type)
    return {
        NUMERATOR: _where(valid, pc.if_else(hit, ones, zero)),
        DENOMINATOR: _where(valid, ones),
        CONTRIBUTES: valid,
    }


def prepare(records: pa.Table, spec: AggregationSpec) -> Prepared:
    """Map unit records to target codes and the summed columns.

    Raises [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError] naming every missing
    column, null code and unmapped value (with its row count).
    """
    issues: list[Issue] = []
    keys = key_order(spec)
    columns: dict[str, pa.ChunkedArray] = {}
    for key in keys:
        codes = _key_codes(records, key, spec.dimensions[key], issues)
        if codes is not None:
            columns[key] = codes
    measure = _measure_columns(records, spec, issues)
    who = _contributor_ids(records, spec, issues)
    if who is not None:
        measure[WHO] = who
    if issues:
        raise InvalidDatasetError(issues, context=f"aggregation {spec.id}")
    columns.update(measure)
    nulls = _null_counts(records, spec)
    has_den = any(c.startswith(DENOMINATOR) for c in measure)
    return Prepared(pa.table(columns), tuple(keys), has_den, nulls)


def key_order(spec: AggregationSpec) -> list[str]:
    """The key columns taken from unit records: totalled dimensions first, in key order,
    then the other dimensions taken from columns, then the time dimension."""
    totals = spec.total_dimensions
    from_columns = [
        d
        for d in spec.dimension_ids
        if d in spec.dimensions and spec.dimensions[d].source is not None
    ]
    keys = [d for d in from_columns if d in totals] + [d for d in from_columns if d not in totals]
    time_id = spec.time_id
    if time_id is not None and spec.dimensions[time_id].source is not None:
        keys.append(time_id)
    return keys


def _key_codes(
    records: pa.Table, key: str, rule: DimensionRule, issues: list[Issue]
) -> pa.ChunkedArray | None:
    """The target codes of dimension ``key`` from its source column (as text, as periods,
    mapped); ``None`` when the column is missing. Null and unmapped values go to ``issues``."""
    assert rule.source is not None
    where = f"dimensions.{key}"
    if rule.source not in records.column_names:
        issues.append(
            Issue(
                location=where,
                code="unknown-column",
                message=f"the unit records have no column {rule.source!r}",
                value=rule.source,
            )
        )
        return None
    source = records.column(rule.source)
    nulls = source.null_count
    if nulls:
        issues.append(
            Issue(
                location=where,
                code="missing-code",
                message=f"{nulls} unit record(s) have no value in {rule.source!r}",
            )
        )
    codes = _source_codes(source, rule)
    if rule.map is not None:
        codes = _mapped_codes(codes, rule, where, issues)
    return codes


def _source_codes(source: pa.ChunkedArray, rule: DimensionRule) -> pa.ChunkedArray:
    """A source column as code text, turned into periods when the rule has ``period``."""
    codes = as_text(source)
    if pa.types.is_date(source.type) or pa.types.is_timestamp(source.type):
        codes = pc.strftime(source, format="%Y-%m-%d") if rule.period else codes
    if rule.period is not None:
        codes = _period(codes, rule.period)
    return codes


def _mapped_codes(
    codes: pa.ChunkedArray, rule: DimensionRule, where: str, issues: list[Issue]
) -> pa.ChunkedArray:
    """``codes`` through the rule's map; values it lacks go to ``issues`` unless kept."""
    assert rule.map is not None
    mapped = map_values(codes, rule.map, unmapped=UnmappedPolicy(rule.unmapped))
    if rule.unmapped is UnmappedPolicy.ERROR:
        issues += [
            Issue(
                location=f"{where}.map",
                code="unmapped-value",
                message=f"{count} unit record(s) have a value the map does not know",
                value=value,
            )
            for value, count in mapped.counts.items()
        ]
    return as_text(mapped.values)


def _contributor_ids(
    records: pa.Table, spec: AggregationSpec, issues: list[Issue]
) -> pa.ChunkedArray | None:
    """The column whose distinct values are the contributors, if the spec names one."""
    if spec.contributors is None:
        return None
    if spec.contributors not in records.column_names:
        issues.append(
            Issue(
                location="contributors",
                code="unknown-column",
                message=f"the unit records have no column {spec.contributors!r}",
                value=spec.contributors,
            )
        )
        return None
    return records.column(spec.contributors)


def total_subsets(spec: AggregationSpec) -> list[tuple[str, ...]]:
    """The sets of dimensions set to their total, one grouping each (nested pairs pruned:
    no detail of a child dimension under its parent's total)."""
    totals = spec.total_dimensions
    subsets = []
    for r in range(len(totals) + 1):
        for subset in itertools.combinations(totals, r):
            if any(p in subset and c not in subset for c, p in spec.nested.items()):
                continue
            subsets.append(subset)
    return subsets


def summed_columns(prepared: Prepared) -> list[str]:
    """The summed columns: per indicator ``_num``, for quotients ``_den``, for intervals
    ``_sq`` and ``_sx`` and, for dominance rules, ``_abs``."""
    summed = (NUMERATOR, DENOMINATOR, SQUARES, SQUARED_VALUES, ABSOLUTE)
    return [c for c in prepared.table.column_names if c.startswith(summed)]


def python_round(values: np.ndarray, decimals: int) -> np.ndarray:
    """Round like Python's ``round(x, decimals)`` (the binary value, halves to even),
    vectorised: ``numpy.round`` everywhere, Python's ``round`` only for values within
    a hair of a half, where scaling by 10^decimals can change the side of the tie."""
    rounded: np.ndarray = np.round(values, decimals)
    scaled = values * 10.0**decimals
    frac = np.abs(scaled - np.floor(scaled) - 0.5)
    near = np.nonzero(np.isfinite(values) & (frac < 1e-6))[0]
    for i in near:
        rounded[i] = round(float(values[i]), decimals)
    return rounded
