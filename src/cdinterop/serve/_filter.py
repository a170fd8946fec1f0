"""A data query applied to a data set's observation table (Arrow, vectorised).

Keys and ``c[...]`` filters become boolean masks over the table's columns; time periods
are compared as the intervals they cover, so periods of any SDMX form and frequency mix:

- ``startPeriod=S`` (or ``c[TIME_PERIOD]=ge:S``) keeps an observation whose period ends
  after ``S`` begins, ``endPeriod=E`` (or ``le:E``) one whose period begins before ``E``
  ends: a period overlapping the range is kept (``startPeriod=2024-Q2`` keeps the year
  2024, ``endPeriod=2024`` keeps ``2024-M12``);
- ``gt:S`` keeps periods that begin after ``S`` ends, ``lt:E`` those that end before
  ``E`` begins, ``eq``/``ne`` compare the intervals (``2024-Q1`` equals ``2024-01/P3M``).

Other components compare as numbers when their column is numeric, else as text (``co``,
``nc``, ``sw``, ``ew``: contains, does not contain, starts and ends with); a missing value
matches ``ne`` and ``nc`` only. ``firstNObservations`` / ``lastNObservations`` keep the
first / last N observations of each series in time order, then ``offset`` and ``limit``
cut the rest. ``attributes`` and ``measures`` keep only the values asked for (the columns of
the others are emptied: SDMX-ML leaves them out, SDMX-CSV leaves their cells empty).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.model import CitizenDataset, Observations, Period, parse_period
from cdinterop.serve._errors import NO_RESULTS, SEMANTIC_ERROR, ServiceError
from cdinterop.serve._query import ComponentFilter, DataQuery, KeyFilter

__all__ = ["select"]

_TIMESTAMP = pa.timestamp("us", tz="UTC")


def _semantic(message: str) -> ServiceError:
    return ServiceError(SEMANTIC_ERROR, message)


def _column(table: pa.Table, name: str) -> pa.ChunkedArray:
    if name in table.column_names:
        return table.column(name)
    return pa.chunked_array([pa.nulls(table.num_rows, pa.string())])


def _true(n: int) -> pa.ChunkedArray:
    return (
        pa.chunked_array([pa.array([True] * n, pa.bool_())])
        if n
        else pa.chunked_array([pa.array([], pa.bool_())])
    )


def _and(a: pa.ChunkedArray | None, b: pa.ChunkedArray) -> pa.ChunkedArray:
    return b if a is None else pc.and_(a, b)


def _or(a: pa.ChunkedArray | None, b: pa.ChunkedArray) -> pa.ChunkedArray:
    return b if a is None else pc.or_(a, b)


def _key_mask(table: pa.Table, dimensions: Sequence[str], key: KeyFilter) -> pa.ChunkedArray:
    if len(key.parts) > len(dimensions):
        raise _semantic(
            f"the key has {len(key.parts)} parts but the data structure has "
            f"{len(dimensions)} dimensions ({'.'.join(dimensions)})"
        )
    mask: pa.ChunkedArray | None = None
    for dimension, codes in zip(dimensions, key.parts, strict=False):
        if codes is not None:
            column = _column(table, dimension)
            wanted = pa.array(
                sorted(codes), column.type if pa.types.is_string(column.type) else None
            )
            mask = _and(mask, pc.fill_null(pc.is_in(column, value_set=wanted), False))
    return mask if mask is not None else _true(table.num_rows)


class _Periods:
    """The start and end of every period of a column, parsed once per distinct value."""

    def __init__(self, column: pa.ChunkedArray) -> None:
        text = pc.cast(column, pa.string())
        unique = pc.unique(text)
        starts, ends = [], []
        for value in unique.to_pylist():
            period = _parsed(value)
            starts.append(period.start if period else None)
            ends.append(period.end if period else None)
        index = pc.index_in(text, value_set=unique)
        self.start = pc.take(pa.array(starts, _TIMESTAMP), index)
        self.end = pc.take(pa.array(ends, _TIMESTAMP), index)
        self.text = text


def _parsed(value: str | None) -> Period | None:
    if value is None:
        return None
    try:
        return parse_period(value)
    except ValueError:
        return None


def _instant(moment: datetime) -> pa.Scalar:
    return pa.scalar(moment, _TIMESTAMP)


def _period_condition(periods: _Periods, op: str, value: str, component: str) -> pa.ChunkedArray:
    if op in ("co", "nc", "sw", "ew"):
        return _text_condition(periods.text, op, value)
    period = _parsed(value)
    if period is None:
        raise _semantic(f"c[{component}]: {value!r} is not an SDMX time period")
    start, end = _instant(period.start), _instant(period.end)
    if op in ("eq", "ne"):
        same = pc.and_(pc.equal(periods.start, start), pc.equal(periods.end, end))
        result = same if op == "eq" else pc.invert(same)
    elif op == "ge":
        result = pc.greater(periods.end, start)
    elif op == "gt":
        result = pc.greater_equal(periods.start, end)
    elif op == "le":
        result = pc.less(periods.start, end)
    else:  # lt
        result = pc.less_equal(periods.end, start)
    return pc.fill_null(result, op == "ne")


def _text_condition(column: pa.ChunkedArray, op: str, value: str) -> pa.ChunkedArray:
    text = pc.cast(column, pa.string())
    if op in ("co", "nc"):
        found = pc.match_substring(text, value)
        return pc.fill_null(found if op == "co" else pc.invert(found), op == "nc")
    if op == "sw":
        return pc.fill_null(pc.starts_with(text, value), False)
    if op == "ew":
        return pc.fill_null(pc.ends_with(text, value), False)
    compare = {
        "eq": pc.equal,
        "ne": pc.not_equal,
        "lt": pc.less,
        "le": pc.less_equal,
        "gt": pc.greater,
        "ge": pc.greater_equal,
    }[op]
    return pc.fill_null(compare(text, pa.scalar(value, pa.string())), op == "ne")


def _number_condition(
    column: pa.ChunkedArray, op: str, value: str, component: str
) -> pa.ChunkedArray:
    if op in ("co", "nc", "sw", "ew"):
        return _text_condition(column, op, value)
    try:
        number = float(value)
    except ValueError:
        raise _semantic(f"c[{component}]: {value!r} is not a number") from None
    numbers = pc.cast(column, pa.float64())
    compare = {
        "eq": pc.equal,
        "ne": pc.not_equal,
        "lt": pc.less,
        "le": pc.less_equal,
        "gt": pc.greater,
        "ge": pc.greater_equal,
    }[op]
    return pc.fill_null(compare(numbers, pa.scalar(number, pa.float64())), op == "ne")


def _known_components(ds: CitizenDataset) -> set[str]:
    """The ids of every dimension, attribute and measure of the data set's structure."""
    structure = ds.structure
    return {
        *structure.key_ids,
        *(a.id for a in structure.attributes),
        *(m.id for m in structure.measures),
    }


def _condition(
    column: pa.ChunkedArray, periods: _Periods | None, op: str, value: str, component: str
) -> pa.ChunkedArray:
    """The mask of one ``op:value`` condition on a column: compared as periods when
    ``periods`` are given (the time dimension), else as numbers or text."""
    if periods is not None:
        return _period_condition(periods, op, value, component)
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        return _number_condition(column, op, value, component)
    return _text_condition(column, op, value)


def _filter_mask(
    table: pa.Table, ds: CitizenDataset, flt: ComponentFilter, periods: _Periods | None
) -> pa.ChunkedArray:
    """The mask of a ``c[...]`` filter: any of its alternatives, each all its conditions."""
    structure = ds.structure
    time = structure.time_dimension.id if structure.time_dimension else None
    known = _known_components(ds)
    if flt.component not in known:
        raise _semantic(
            f"c[{flt.component}]: the data structure has no component {flt.component} "
            f"(it has {', '.join(sorted(known))})"
        )
    column = _column(table, flt.component)
    as_periods = periods if flt.component == time else None
    mask: pa.ChunkedArray | None = None
    for conditions in flt.alternatives:
        both: pa.ChunkedArray | None = None
        for op, value in conditions:
            both = _and(both, _condition(column, as_periods, op, value, flt.component))
        assert both is not None
        mask = _or(mask, both)
    assert mask is not None
    return mask


def _series_frame(table: pa.Table, ds: CitizenDataset, rows: pa.Array, query: DataQuery) -> Any:
    """A pandas frame of ``rows``: their series key columns (``k0``, ``k1`` ...), their
    index (``row``), sorted by the start of their period when there is a time dimension."""
    import pandas as pd

    structure = ds.structure
    series = [d.id for d in structure.dimensions if d.id != query.dimension_at_observation]
    frame = pd.DataFrame(
        {f"k{i}": _column(table, d).take(rows).to_pandas() for i, d in enumerate(series)}
    )
    frame["row"] = rows.to_pandas()
    if structure.time_dimension is not None:
        periods = _Periods(_column(table, structure.time_dimension.id).take(rows))
        frame["start"] = periods.start.to_pandas()
        frame = frame.sort_values("start", kind="stable", na_position="first")
    return frame


def _series_ranks(frame: Any, *, ascending: bool) -> Any:
    """The rank of each row of ``frame`` within its series (0 for the first, or the last
    when not ``ascending``), as a NumPy array."""
    import pandas as pd

    keys = [c for c in frame.columns if c.startswith("k")]
    if keys:
        grouped = frame.groupby(keys, dropna=False, sort=False)
        return grouped.cumcount(ascending=ascending).to_numpy()
    count = len(frame)
    order = range(count) if ascending else range(count - 1, -1, -1)
    return pd.Series(order).to_numpy()


def _first_last(table: pa.Table, ds: CitizenDataset, rows: pa.Array, query: DataQuery) -> pa.Array:
    """The rows (indices into ``table``, a subset of ``rows``) among the first / last N of
    their series, in time order."""
    import pandas as pd

    frame = _series_frame(table, ds, rows, query)
    keep = pd.Series(False, index=frame.index)
    if query.first_n is not None:
        keep |= _series_ranks(frame, ascending=True) < query.first_n
    if query.last_n is not None:
        keep |= _series_ranks(frame, ascending=False) < query.last_n
    return pa.array(sorted(frame["row"][keep.to_numpy()].tolist()), pa.int64())


def _kept_attributes(ds: CitizenDataset, tokens: Sequence[str]) -> set[str]:
    attributes = {a.id: a.attachment.value for a in ds.structure.attributes}
    if any(t in ("dsd", "all", "msd") for t in tokens):
        return set(attributes)
    kept: set[str] = set()
    levels = {"dataset": "dataset", "series": "series", "obs": "observation"}
    for token in tokens:
        if token == "none":
            continue
        if token in levels:
            kept |= {a for a, level in attributes.items() if level == levels[token]}
        elif token in attributes:
            kept.add(token)
        else:
            raise _semantic(f"attributes: the data structure has no attribute {token!r}")
    return kept


def _kept_measures(ds: CitizenDataset, tokens: Sequence[str]) -> set[str]:
    measures = {m.id for m in ds.structure.measures}
    if "all" in tokens:
        return measures
    kept: set[str] = set()
    for token in tokens:
        if token == "none":
            continue
        if token not in measures:
            raise _semantic(f"measures: the data structure has no measure {token!r}")
        kept.add(token)
    return kept


def _check_updated(ds: CitizenDataset, query: DataQuery, updated: datetime | None) -> None:
    """A 404 when the data did not change after ``updatedAfter``."""
    if query.updated_after is not None and updated is not None and updated <= query.updated_after:
        raise ServiceError(
            NO_RESULTS,
            f"the data of {ds.agency}:{ds.id}({ds.version}) have not changed since "
            f"{query.updated_after.isoformat()} (last change {updated.isoformat()})",
        )


def _check_dimension_at_observation(ds: CitizenDataset, query: DataQuery) -> None:
    """A 400 when ``dimensionAtObservation`` names no dimension of the structure."""
    key_ids = ds.structure.key_ids
    if query.dimension_at_observation not in (None, "AllDimensions") and (
        query.dimension_at_observation not in key_ids
    ):
        raise _semantic(
            f"dimensionAtObservation={query.dimension_at_observation}: the data structure "
            f"has no dimension of that id (it has {', '.join(key_ids)})"
        )


def _keys_mask(table: pa.Table, ds: CitizenDataset, query: DataQuery) -> pa.ChunkedArray | None:
    """The rows any of the query's keys matches (``None``: no key, every row)."""
    dimensions = [d.id for d in ds.structure.dimensions]
    mask: pa.ChunkedArray | None = None
    for key in query.keys:
        mask = _or(mask, _key_mask(table, dimensions, key))
    return mask


def _query_periods(table: pa.Table, ds: CitizenDataset, query: DataQuery) -> _Periods | None:
    """The periods of the time dimension when the query filters on them (``startPeriod``,
    ``endPeriod`` or ``c[TIME_PERIOD]``), else ``None``; a 400 when there is no time
    dimension to filter on."""
    time = ds.structure.time_dimension
    needs_periods = (
        query.start_period
        or query.end_period
        or any(time is not None and f.component == time.id for f in query.filters)
    )
    if not needs_periods:
        return None
    if time is None:
        raise _semantic("the data structure has no time dimension to filter periods on")
    return _Periods(_column(table, time.id))


def _period_range_mask(
    mask: pa.ChunkedArray | None, periods: _Periods, query: DataQuery
) -> pa.ChunkedArray | None:
    """``mask`` and the periods overlapping ``startPeriod`` .. ``endPeriod``."""
    if query.start_period is not None:
        after = pc.greater(periods.end, _instant(query.start_period.start))
        mask = _and(mask, pc.fill_null(after, False))
    if query.end_period is not None:
        before = pc.less(periods.start, _instant(query.end_period.end))
        mask = _and(mask, pc.fill_null(before, False))
    return mask


def _observation_mask(
    table: pa.Table, ds: CitizenDataset, query: DataQuery
) -> pa.ChunkedArray | None:
    """The rows the keys, periods and ``c[...]`` filters keep (``None``: every row)."""
    mask = _keys_mask(table, ds, query)
    periods = _query_periods(table, ds, query)
    if periods is not None:
        mask = _period_range_mask(mask, periods, query)
    for flt in query.filters:
        mask = _and(mask, _filter_mask(table, ds, flt, periods))
    return mask


def _selected_rows(
    table: pa.Table, ds: CitizenDataset, query: DataQuery, mask: pa.ChunkedArray | None
) -> pa.Array:
    """The indices of the rows kept: those of ``mask``, cut to the first / last N of each
    series, then to ``offset`` and ``limit``; a 404 when none is left."""
    rows = (
        pa.array(range(table.num_rows), pa.int64())
        if mask is None
        else pc.indices_nonzero(
            mask.combine_chunks() if isinstance(mask, pa.ChunkedArray) else mask
        )
    )
    if query.first_n is not None or query.last_n is not None:
        rows = _first_last(table, ds, rows, query)
    if query.offset or query.limit is not None:
        end = None if query.limit is None else query.offset + query.limit
        rows = rows[query.offset : end]
    if len(rows) == 0:
        raise ServiceError(
            NO_RESULTS, f"no observation of {ds.agency}:{ds.id}({ds.version}) matches the query"
        )
    return rows


def _dropped_components(ds: CitizenDataset, attributes: set[str], measures: set[str]) -> set[str]:
    """The attributes and measures of the structure that are not kept."""
    structure = ds.structure
    return {a.id for a in structure.attributes if a.id not in attributes} | {
        m.id for m in structure.measures if m.id not in measures
    }


def _empty_columns(table: pa.Table, dropped: set[str]) -> pa.Table:
    """``table`` with the columns named in ``dropped`` emptied (every value null)."""
    for name in (c for c in table.column_names if c in dropped):
        # the writers write every column of the structure: an emptied one says nothing
        index = table.column_names.index(name)
        empty = pa.nulls(table.num_rows, table.schema.field(name).type)
        table = table.set_column(index, table.schema.field(name), empty)
    return table


def select(ds: CitizenDataset, query: DataQuery, updated: datetime | None = None) -> CitizenDataset:
    """The data set with only the observations (and columns) ``query`` asks for; a
    [`ServiceError`][cdinterop.serve.ServiceError] 404 when none is left (or the data did
    not change after ``updatedAfter``), 400 for a query the structure contradicts."""
    _check_updated(ds, query, updated)
    _check_dimension_at_observation(ds, query)
    table = ds.observations.table
    mask = _observation_mask(table, ds, query)
    rows = _selected_rows(table, ds, query, mask)
    attributes = _kept_attributes(ds, query.attributes)
    dropped = _dropped_components(ds, attributes, _kept_measures(ds, query.measures))
    selected = table if len(rows) == table.num_rows and mask is None else table.take(rows)
    selected = _empty_columns(selected, dropped)
    values = {k: v for k, v in ds.attribute_values.items() if k in attributes}
    if selected is table and values == ds.attribute_values:
        return ds
    return ds.model_copy(
        update={"observations": Observations(selected), "attribute_values": values}
    )
