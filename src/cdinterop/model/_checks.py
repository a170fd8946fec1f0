"""Bulk checks of an observation table against a data structure.

Everything here is columnar: casts, code look-ups and key checks run as Arrow compute
kernels over whole columns; Python only sees the distinct values of low-cardinality
columns (codes, periods) and the rows that fail. All problems are collected, none stops
the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.errors import Issue
from cdinterop.model._periods import parse_period
from cdinterop.model._structure import (
    AttachmentLevel,
    Attribute,
    Component,
    DataStructure,
    Dimension,
    Facets,
    Measure,
    TimeDimension,
    Usage,
    ValueType,
)

__all__ = ["arrow_type", "check_observations", "check_value"]

_ARROW_TYPES: dict[ValueType, pa.DataType] = {
    ValueType.STRING: pa.string(),
    ValueType.URI: pa.string(),
    ValueType.INTEGER: pa.int64(),
    ValueType.DECIMAL: pa.float64(),
    ValueType.BOOLEAN: pa.bool_(),
    ValueType.DATE: pa.date32(),
    ValueType.DATETIME: pa.timestamp("us", tz="UTC"),
}
_NUMBER = r"^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$"
_INTEGER = r"^\s*[+-]?[0-9]+\s*$"
_BOOLEAN = r"^(?i)(true|false|1|0)$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATETIME = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
_URI = r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$"
_ROW = "__cdinterop_row__"
_MAX_ISSUES_PER_CHECK = 1_000_000


def arrow_type(component: Component) -> pa.DataType:
    """The Arrow type of a component's column in a conformed observation table."""
    if isinstance(component, TimeDimension) or component.codelist is not None:
        return pa.string()
    return _ARROW_TYPES[component.value_type]


class _Collector:
    """Collects issues for one table, formatting locations consistently."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def column(self, component: str, code: str, message: str) -> None:
        self.issues.append(Issue(f"observations.{component}", code, message, component=component))

    def rows(
        self,
        mask: pa.ChunkedArray | pa.Array,
        column: pa.ChunkedArray,
        component: str,
        code: str,
        message: str | Callable[[Any], str],
    ) -> None:
        """Add one issue per row where ``mask`` is true, with that row's value."""
        mask = pc.fill_null(mask, False)
        if not pc.any(mask).as_py():
            return
        rows = pc.indices_nonzero(mask)[:_MAX_ISSUES_PER_CHECK]
        values = pc.take(column, rows).to_pylist()
        for row, value in zip(rows.to_pylist(), values, strict=True):
            text = message(value) if callable(message) else message
            self.issues.append(
                Issue(f"observations[{row}].{component}", code, text, value, row, component)
            )


def _as_strings(column: pa.ChunkedArray) -> pa.ChunkedArray:
    t = column.type
    if pa.types.is_dictionary(t):
        column = column.cast(t.value_type)
        t = column.type
    if pa.types.is_string(t):
        return column
    if pa.types.is_boolean(t):
        return pc.if_else(column, "true", "false")
    return column.cast(pa.string())


_INT64_LIMIT = 2.0**63


def _cast_checked(
    column: pa.ChunkedArray,
    target: pa.DataType,
    component: str,
    issues: _Collector,
) -> pa.ChunkedArray:
    """Cast ``column`` to ``target``; rows that cannot be cast become null and are reported."""
    cast = _cast_typed(column, target, component, issues)
    if cast is not None:
        return cast
    return _cast_text(_as_strings(column), target, component, issues)


def _cast_typed(
    column: pa.ChunkedArray, target: pa.DataType, component: str, issues: _Collector
) -> pa.ChunkedArray | None:
    """Cast a column whose type settles the cast (already the target, null, nested or
    binary, to text, number to number); ``None`` when its values must be parsed as text."""
    if column.type.equals(target):
        return column
    if pa.types.is_null(column.type):
        return pa.chunked_array([pa.nulls(len(column), target)], target)
    if pa.types.is_nested(column.type) or pa.types.is_binary(column.type):
        issues.rows(pc.is_valid(column), column, component, "wrong-type",
                    "a nested or binary value where a single value is expected")  # fmt: skip
        return pa.chunked_array([pa.nulls(len(column), target)], target)
    if pa.types.is_string(target):
        return _as_strings(column)
    return _cast_numbers(column, target, component, issues)


def _cast_numbers(
    column: pa.ChunkedArray, target: pa.DataType, component: str, issues: _Collector
) -> pa.ChunkedArray | None:
    """Cast numbers to a number type (integers out of the 64-bit range, and floats that
    are not whole, reported); ``None`` for any other cast."""
    numeric = pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
    if pa.types.is_floating(target) and numeric:
        return column.cast(target, safe=False)  # large integers round to the nearest double
    if not pa.types.is_integer(target):
        return None
    if pa.types.is_integer(column.type):
        if column.type != pa.uint64():
            return column.cast(target)
        too_big = pc.greater(column, pa.scalar(2**63 - 1, pa.uint64()))
        issues.rows(too_big, column, component, "wrong-type", "too large for a 64-bit integer")
        return pc.if_else(too_big, None, column).cast(target, safe=False)
    if pa.types.is_floating(column.type):
        whole = pc.and_(pc.is_finite(column), pc.equal(column, pc.floor(column)))
        in_range = pc.less(pc.abs(column), _INT64_LIMIT)
        present = pc.invert(pc.is_null(column, nan_is_null=True))  # NaN means missing
        bad = pc.and_(present, pc.invert(pc.and_(whole, in_range)))
        issues.rows(bad, column, component, "wrong-type", "not a whole 64-bit number")
        return pc.if_else(pc.or_(bad, pc.invert(present)), None, column).cast(target)
    return None


_TEXT_FORMS = {
    "int64": (_INTEGER, "a whole 64-bit number"),
    "double": (_NUMBER, "a number"),
    "bool": (_BOOLEAN, "true or false"),
    "date32[day]": (_DATE, "a date (YYYY-MM-DD)"),
}
"""The pattern a text must match to be cast to each Arrow type, and how it is named
(any other target: a date-time)."""


def _cast_text(
    strings: pa.ChunkedArray, target: pa.DataType, component: str, issues: _Collector
) -> pa.ChunkedArray:
    """Parse text into ``target``; a text that is not of its form is null and reported."""
    if pa.types.is_integer(target) or pa.types.is_floating(target):
        # SDMX writes a missing observation value as NaN
        strings = pc.if_else(pc.equal(strings, "NaN"), pa.scalar(None, pa.string()), strings)
    pattern, label = _TEXT_FORMS.get(str(target), (_DATETIME, "a date-time (ISO 8601)"))
    result, ok = _parse_text(strings, pc.match_substring_regex(strings, pattern), target)
    bad = pc.and_(pc.is_valid(strings), pc.invert(pc.fill_null(ok, False)))
    issues.rows(bad, strings, component, "wrong-type", f"not {label}")
    return result


def _parse_text(
    strings: pa.ChunkedArray, ok: pa.ChunkedArray, target: pa.DataType
) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """The values of the texts of the right form (``ok``) as ``target``, and which of
    them are real values of it."""
    if pa.types.is_date(target):
        return _cast_dates(strings, ok, target)
    if pa.types.is_timestamp(target):
        return _cast_datetimes(strings, ok, target)
    if pa.types.is_boolean(target):
        lowered = pc.utf8_lower(pc.if_else(ok, strings, None))
        result = pc.is_in(lowered, value_set=pa.array(["true", "1"]))
        return pc.if_else(pc.is_valid(lowered), result, None), ok
    if pa.types.is_integer(target):
        return _cast_integers(strings, ok)
    return pc.if_else(ok, pc.utf8_trim_whitespace(strings), None).cast(target), ok


def _cast_dates(
    strings: pa.ChunkedArray, ok: pa.ChunkedArray, target: pa.DataType
) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Dates from ``YYYY-MM-DD`` texts; one that is no real day is not ok."""
    parsed = pc.strptime(
        pc.if_else(ok, strings, None), format="%Y-%m-%d", unit="s", error_is_null=True
    )
    # strptime rolls 2024-02-30 over to March: a real date prints back unchanged
    ok = pc.and_(ok, pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), strings))
    return pc.if_else(ok, parsed, None).cast(target), ok


def _cast_integers(
    strings: pa.ChunkedArray, ok: pa.ChunkedArray
) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    candidates = pc.utf8_trim_whitespace(pc.if_else(ok, strings, None))
    try:
        return candidates.cast(pa.int64()), ok
    except (pa.ArrowInvalid, OverflowError):
        pass
    # a value has the shape of an integer but overflows 64 bits: convert one by one
    limit = 2**63

    def parse(text: str | None) -> int | None:
        value = None if text is None else int(text)
        return value if value is not None and -limit <= value < limit else None

    values = pa.array([parse(t) for t in candidates.to_pylist()], type=pa.int64())
    return pa.chunked_array([values]), pc.and_(ok, pc.is_valid(values))


def _cast_datetimes(
    strings: pa.ChunkedArray, ok: pa.ChunkedArray, target: pa.DataType
) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    candidates = pc.if_else(ok, strings, None)
    try:
        return candidates.cast(target), ok
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    # a value matched the shape but is not a real instant: parse the candidates one by one
    from datetime import UTC, datetime

    def parse(text: str | None) -> datetime | None:
        if text is None:
            return None
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    values = pa.array([parse(t) for t in candidates.to_pylist()], type=target)
    return pa.chunked_array([values]), pc.and_(ok, pc.is_valid(values))


def _check_codes(
    column: pa.ChunkedArray, allowed: Iterable[str], label: str, cid: str, issues: _Collector
) -> None:
    unique = pc.unique(column).drop_null()
    allowed_set = set(allowed)
    bad_values = [v for v in unique.to_pylist() if v not in allowed_set]
    if bad_values:
        bad = pc.is_in(column, value_set=pa.array(bad_values, pa.string()))
        issues.rows(bad, column, cid, "unknown-code", lambda v: f"{v!r} is not a code of {label}")


_Rule = tuple[Any, str, str]
"""A facet rule: the mask of rows breaking it, the issue code and the message."""


def _text_rules(f: Facets, column: pa.ChunkedArray) -> list[_Rule]:
    """The length and pattern rules of a text column."""
    rules: list[_Rule] = []
    lengths = pc.utf8_length(column)
    if f.min_length is not None:
        rules.append(
            (pc.less(lengths, f.min_length), "too-short", f"shorter than {f.min_length} characters")
        )
    if f.max_length is not None:
        rules.append(
            (
                pc.greater(lengths, f.max_length),
                "too-long",
                f"longer than {f.max_length} characters",
            )
        )
    if f.pattern is not None:
        matches = pc.match_substring_regex(column, f"^(?:{f.pattern})$")
        rules.append((pc.invert(matches), "pattern-mismatch", f"does not match {f.pattern!r}"))
    return rules


def _range_rules(f: Facets, column: pa.ChunkedArray) -> list[_Rule]:
    """The minimum and maximum rules of a number column."""
    rules: list[_Rule] = []
    if f.min_value is not None:
        rules.append(
            (
                pc.less(column, f.min_value),
                "below-minimum",
                f"less than the minimum {f.min_value:g}",
            )
        )
    if f.max_value is not None:
        rules.append(
            (
                pc.greater(column, f.max_value),
                "above-maximum",
                f"greater than the maximum {f.max_value:g}",
            )
        )
    return rules


def _check_facets(
    component: Dimension | Attribute | Measure, column: pa.ChunkedArray, issues: _Collector
) -> None:
    """Check URIs, finite numbers and the component's facets."""
    f = component.facets
    cid = component.id
    if component.value_type is ValueType.URI:
        bad = pc.invert(pc.match_substring_regex(column, _URI))
        issues.rows(bad, column, cid, "invalid-uri", "not an absolute URI")
    if pa.types.is_floating(column.type):
        bad = pc.invert(pc.is_finite(column))
        issues.rows(bad, column, cid, "non-finite", "not a finite number")
    if f is None:
        return
    rules: list[_Rule] = []
    if pa.types.is_string(column.type):
        rules.extend(_text_rules(f, column))
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        rules.extend(_range_rules(f, column))
    for mask, code, message in rules:
        issues.rows(mask, column, cid, code, message)


def _check_periods(
    time: TimeDimension, column: pa.ChunkedArray, issues: _Collector
) -> dict[str, str | None]:
    """Check the time dimension; return the implied frequency of each valid period."""
    frequency: dict[str, str | None] = {}
    messages: dict[str, str] = {}
    for text in pc.unique(column).drop_null().to_pylist():
        try:
            period = parse_period(text)
        except ValueError as exc:
            messages[text] = str(exc)
            continue
        if not time.value_type.allows(period.kind):
            messages[text] = (
                f"{text!r} is a {period.kind.value.replace('_', ' ')}, which "
                f"{time.value_type.value} does not allow"
            )
            continue
        frequency[text] = period.frequency
    if messages:
        bad = pc.is_in(column, value_set=pa.array(list(messages), pa.string()))
        issues.rows(bad, column, time.id, "malformed-period", lambda v: messages[v])
    return frequency


def _check_frequency(
    table: pa.Table, time_id: str, implied: dict[str, str | None], issues: _Collector
) -> None:
    """Where a FREQ column exists, each period must have the frequency FREQ names."""
    pairs = table.select(["FREQ", time_id]).group_by(["FREQ", time_id]).aggregate([])
    wrong: list[tuple[str, str]] = []
    for freq, period in zip(
        pairs.column("FREQ").to_pylist(), pairs.column(time_id).to_pylist(), strict=True
    ):
        expected = implied.get(period) if period is not None else None
        allowed = {expected, "B"} if expected == "D" else {expected}  # B: business days
        if freq is not None and expected is not None and freq not in allowed:
            wrong.append((freq, period))
    for freq, period in wrong:
        mask = pc.and_(
            pc.equal(table.column("FREQ"), freq), pc.equal(table.column(time_id), period)
        )
        issues.rows(
            mask,
            table.column(time_id),
            time_id,
            "frequency-mismatch",
            f"period {period!r} does not have frequency {freq!r} (FREQ)",
        )


def _key_codes(table: pa.Table, key: list[str]) -> pa.Array | None:
    """One int64 per row that is equal exactly when the key is (nulls included), from the
    dictionary codes of each key column; ``None`` if the code space would overflow."""
    combined: Any = None
    space = 1
    for name in key:
        encoded = pc.dictionary_encode(table.column(name)).combine_chunks()
        size = len(encoded.dictionary) + 1  # one more code for null
        if space * size >= 2**62:
            return None
        codes = pc.fill_null(encoded.indices.cast(pa.int64()), size - 1)
        combined = codes if combined is None else pc.add(pc.multiply(combined, size), codes)
        space *= size
    return combined


_SAMPLE_ROWS = 4096
"""How many leading rows `_unique_column()` looks at to pick a column."""


def _unique_column(table: pa.Table, key: list[str]) -> bool:
    """Fast path: whether one key column alone repeats no value (nulls count as one value),
    so that no key can repeat. Only the column whose first rows repeat least is tried (a
    record id, when the key has one); ``False`` says nothing about the key."""

    def sampled(name: str) -> int:
        return len(pc.unique(table.column(name).slice(0, _SAMPLE_ROWS)))

    counts = {name: sampled(name) for name in key}
    best = max(key, key=counts.__getitem__)
    if counts[best] < min(table.num_rows, _SAMPLE_ROWS):
        return False  # it already repeats a value in its first rows
    return bool(len(pc.unique(table.column(best))) == table.num_rows)


def _check_duplicates(table: pa.Table, key: list[str], issues: _Collector) -> None:
    if key and _unique_column(table, key):
        return  # the common case with a record id in the key, settled on one column
    codes = _key_codes(table, key)
    if codes is not None:
        if len(pc.unique(codes)) == table.num_rows:
            return  # the common case, settled without grouping
        counts = pc.value_counts(codes)
        repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
        rows = pc.indices_nonzero(pc.is_in(codes, value_set=repeated))
        table = table.select(key).take(rows)
        row_numbers = rows.cast(pa.int64())
    else:
        table = table.select(key)
        row_numbers = pa.array(range(table.num_rows), pa.int64())
    indexed = table.append_column(_ROW, row_numbers)
    groups = indexed.group_by(key, use_threads=False).aggregate([(_ROW, "list"), (_ROW, "count")])
    dupes = groups.filter(pc.greater(groups.column(f"{_ROW}_count"), 1))
    for record in dupes.to_pylist():
        rows_of_key = sorted(record[f"{_ROW}_list"])
        text = ".".join("" if record[k] is None else str(record[k]) for k in key)
        for row in rows_of_key[1:]:
            issues.issues.append(
                Issue(
                    f"observations[{row}]",
                    "duplicate-key",
                    f"key {text} already used by row {rows_of_key[0]}",
                    text,
                    row,
                    None,
                )
            )


def _constant_within_series(table: pa.Table, key: list[str], attribute: str) -> bool:
    """Fast path: whether each series has at most one non-null value of ``attribute``
    (decided on integer codes; ``False`` also when it cannot be decided that way)."""
    column = table.column(attribute)
    valid = pc.is_valid(column)
    if not pc.any(valid).as_py():
        return True
    series_codes = _key_codes(table.filter(valid), key)
    value_codes = _key_codes(table.select([attribute]).filter(valid), [attribute])
    if series_codes is None or value_codes is None:
        return False
    size = int(pc.max(value_codes).as_py()) + 1
    if int(pc.max(series_codes).as_py()) * size >= 2**62:
        return False
    pairs = pc.add(pc.multiply(series_codes, size), value_codes)
    return len(pc.unique(pairs)) == len(pc.unique(series_codes))


def series_attribute_groups(structure: DataStructure) -> dict[tuple[str, ...], list[str]]:
    """The attributes related to part of the key (series, group and partial-key
    attributes), by the dimensions they relate to."""
    by_key: dict[tuple[str, ...], list[str]] = {}
    full_key = structure.key_ids
    for attr in structure.attributes:
        if attr.attachment is AttachmentLevel.DATASET:
            continue
        related = structure.related_dimensions(attr)
        if related and related != full_key:
            by_key.setdefault(related, []).append(attr.id)
    return by_key


def _check_series_attributes(table: pa.Table, structure: DataStructure, issues: _Collector) -> None:
    """Attributes related to part of the key (series, group and partial-key attributes)
    take one value for each combination of their dimensions."""
    for key, attribute_ids in series_attribute_groups(structure).items():
        _check_constant(table, list(key), attribute_ids, issues)


def _check_constant(
    table: pa.Table, key: list[str], attribute_ids: list[str], issues: _Collector
) -> None:
    varying_ids = [a for a in attribute_ids if not _constant_within_series(table, key, a)]
    if not varying_ids:
        return
    aggs = [(a, "count_distinct", pc.CountOptions(mode="only_valid")) for a in varying_ids]
    indexed = table.append_column(_ROW, pa.array(range(table.num_rows), pa.int64()))
    groups = indexed.group_by(key, use_threads=False).aggregate([*aggs, (_ROW, "min")])
    for attr_id in varying_ids:
        varying = groups.filter(pc.greater(groups.column(f"{attr_id}_count_distinct"), 1))
        for record in varying.to_pylist():
            text = ".".join("" if record[k] is None else str(record[k]) for k in key)
            issues.issues.append(
                Issue(
                    f"observations[{record[f'{_ROW}_min']}].{attr_id}",
                    "inconsistent-series-attribute",
                    f"attribute {attr_id} takes different values within {'+'.join(key)} = {text}",
                    None,
                    record[f"{_ROW}_min"],
                    attr_id,
                )
            )


def check_value(
    component: Dimension | Attribute | Measure, structure: DataStructure, value: Any
) -> list[str]:
    """Check one value of a component (e.g. a data-set-level attribute); return problems."""
    issues = _Collector()
    column = _cast_checked(
        pa.chunked_array([_column_array_of(value)]), arrow_type(component), component.id, issues
    )
    codelist = structure.codelist_of(component.id)
    if codelist is not None and not codelist.external:
        _check_codes(column, codelist.code_ids, codelist.id, component.id, issues)
    else:
        _check_facets(component, column, issues)
    return [f"{value!r}: {issue.message}" for issue in issues.issues]


def _column_array_of(value: Any) -> pa.Array:
    try:
        return pa.array([value])
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([str(value)], pa.string())


def _observation_components(structure: DataStructure) -> dict[str, Component]:
    """The components that are columns of the observation table (all but data-set-level
    attributes), by id."""
    return {
        c.id: c
        for c in structure.components
        if not (isinstance(c, Attribute) and c.attachment is AttachmentLevel.DATASET)
    }


def _is_required(component: Component) -> bool:
    """Whether every row needs a value: key components, mandatory attributes and measures."""
    return isinstance(component, Dimension | TimeDimension) or (
        isinstance(component, Attribute | Measure) and component.usage is Usage.MANDATORY
    )


def _absent_column(component: Component, table: pa.Table, issues: _Collector) -> pa.ChunkedArray:
    """A column of nulls for a component the table lacks; reported unless it may be left
    out (a conditional attribute, or any column of a table with no observations yet)."""
    # Dimensions, the time dimension and measures must be columns (a measure column may
    # hold nulls when its usage is conditional); conditional attributes may be left out.
    empty = table.num_columns == 0 and table.num_rows == 0  # "no observations yet"
    optional = empty or (isinstance(component, Attribute) and component.usage is Usage.CONDITIONAL)
    if not optional:
        issues.column(
            component.id, "missing-column", f"required column {component.id!r} is missing"
        )
    target = arrow_type(component)
    return pa.chunked_array([pa.nulls(table.num_rows, target)], target)


def _check_values(
    component: Component, column: pa.ChunkedArray, structure: DataStructure, issues: _Collector
) -> None:
    """Check the values of a cast column: codes of its codelist, else its facets (the time
    dimension's periods are checked on the conformed table)."""
    if isinstance(component, TimeDimension):
        return
    cid = component.id
    codelist = structure.codelist_of(cid)
    if codelist is not None and not codelist.external:
        _check_codes(column, codelist.code_ids, f"{codelist.id} ({cid})", cid, issues)
    else:
        _check_facets(component, column, issues)


def _conform_column(
    component: Component, original: pa.ChunkedArray, structure: DataStructure, issues: _Collector
) -> pa.ChunkedArray:
    """Cast a component's column (NaN becomes null) and check it: missing values where
    one is required, then the values."""
    cid = component.id
    column = _cast_checked(original, arrow_type(component), cid, issues)
    if pa.types.is_floating(column.type):
        column = pc.if_else(pc.is_nan(column), None, column)
    if _is_required(component):
        missing = pc.is_null(original, nan_is_null=pa.types.is_floating(original.type))
        issues.rows(missing, column, cid, "missing-value", f"{cid} is mandatory but has no value")
    _check_values(component, column, structure, issues)
    return column


def _check_time(conformed: pa.Table, structure: DataStructure, issues: _Collector) -> None:
    """Check the periods, and that they have the frequency a ``FREQ`` column names."""
    time = structure.time_dimension
    if time is None:
        return
    implied = _check_periods(time, conformed.column(time.id), issues)
    if "FREQ" in conformed.column_names:
        _check_frequency(conformed, time.id, implied, issues)


def check_observations(table: pa.Table, structure: DataStructure) -> tuple[pa.Table, list[Issue]]:
    """Conform ``table`` to ``structure`` and check it; return (conformed table, issues).

    The conformed table has exactly the structure's columns (key, measures, series and
    observation attributes) in structure order, with the structure's Arrow types; values
    that could not be cast are null there and reported as issues.
    """
    issues = _Collector()
    components = _observation_components(structure)
    for name in table.column_names:
        if name not in components:
            issues.column(
                name, "unknown-column", f"column {name!r} is not a component of {structure.id}"
            )
    columns = {
        cid: (
            _conform_column(component, table.column(cid), structure, issues)
            if cid in table.column_names
            else _absent_column(component, table, issues)
        )
        for cid, component in components.items()
    }
    conformed = pa.table(
        {cid: columns[cid] for cid in structure.column_ids},
        schema=pa.schema([(cid, arrow_type(components[cid])) for cid in structure.column_ids]),
    )
    _check_time(conformed, structure, issues)
    if conformed.num_rows:
        _check_duplicates(conformed, list(structure.key_ids), issues)
        _check_series_attributes(conformed, structure, issues)
    issues.issues.sort(key=lambda i: (-1 if i.row is None else i.row, i.location, i.code))
    return conformed, issues.issues
