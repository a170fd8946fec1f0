"""Dates and date-times in survey text to dates and SDMX reporting periods.

Formats
    ``formats`` lists the forms a column may use, tried in order; a cell that matches
    none fails with ``not a date (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)`` (naming
    the formats allowed). Built-in formats (names, or the strptime pattern they stand for):

    ``iso-date`` (``%Y-%m-%d``)
        ``2024-06-03``.
    ``iso-datetime`` (``%Y-%m-%dT%H:%M:%S``, ``%Y-%m-%dT%H:%M:%S%z``)
        A date and time with optional seconds, fraction and offset: Kobo
        ``_submission_time`` (``2024-06-03T10:15:22``), ODK ``start``/``end``
        (``2024-06-03T10:15:22.123+03:00``, ``…Z``), or a space instead of ``T``.
        **The date is the calendar date as written** (the respondent's local date),
        the offset is not applied: ``2024-06-30T23:30:00-05:00`` is 30 June.
    ``dmy`` (``%d/%m/%Y``), ``mdy`` (``%m/%d/%Y``)
        Day first or month first with ``/``, ``-`` or ``.`` and 1- or 2-digit day and
        month (``3/6/2024``). Only when the spec says so: the two are ambiguous.

    Any other strptime pattern is used as it is, strictly: a cell must be exactly what
    the pattern formats its date back to (zero-padded fields). Impossible dates
    (``2024-02-30``, month 13, hour 25) fail everywhere.

Periods `to_period()` gives SDMX period text for a frequency: ``A`` ``2024``, ``S`` ``2024-S1``,
``Q`` ``2024-Q2``, ``M`` ``2024-06``, ``W`` ``2024-W23`` (ISO 8601 week, whose year may differ from
the calendar year: 2024-12-30 is ``2025-W01``) and ``D`` ``2024-06-03``. All parse with
[`cdinterop.model.parse_period()`][cdinterop.model.parse_period].

Everything is computed on distinct dates, so columns of a few thousand different days are
cheap whatever their length.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.ingest._transforms.result import (
    ArrayLike,
    Transformed,
    array,
    joined,
    on_distinct,
    reason_where,
    result,
    text,
)

__all__ = ["DATE_FORMATS", "DEFAULT_FORMATS", "Frequency", "to_date", "to_period"]

Frequency = Literal["A", "S", "Q", "M", "W", "D"]
"""The SDMX frequencies `to_period()` produces periods for."""

DEFAULT_FORMATS: tuple[str, ...] = ("iso-date", "iso-datetime")
"""Formats tried when none are given: ISO dates and ISO date-times (Kobo, ODK)."""

_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::(?:[0-5][0-9]|60)(?:\.[0-9]{1,9})?)?"
_OFFSET = r"(?:Z|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_ISO_DATETIME = rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ]{_TIME}{_OFFSET}$"
_DAY_MONTH = r"^(?P<a>[0-9]{1,2})[/.-](?P<b>[0-9]{1,2})[/.-](?P<y>[0-9]{4})$"

DATE_FORMATS: dict[str, str] = {
    "iso-date": "YYYY-MM-DD",
    "iso-datetime": "YYYY-MM-DDTHH:MM:SS",
    "dmy": "DD/MM/YYYY",
    "mdy": "MM/DD/YYYY",
}
"""The built-in formats, with how they are shown in reasons."""

_ALIASES = {
    "%Y-%m-%d": "iso-date",
    "%Y-%m-%dT%H:%M:%S": "iso-datetime",
    "%Y-%m-%dT%H:%M:%S%z": "iso-datetime",
    "%Y-%m-%dT%H:%M:%S.%fZ": "iso-datetime",
    "%Y-%m-%d %H:%M:%S": "iso-datetime",
    "%d/%m/%Y": "dmy",
    "%m/%d/%Y": "mdy",
}


_Parser = Callable[[pa.Array], pa.Array]


def _canonical_dates(ymd: pa.Array) -> pa.Array:
    """``YYYY-MM-DD`` text to date32, null for impossible dates (``2024-02-30``)."""
    parsed = pc.strptime(ymd, "%Y-%m-%d", "s", error_is_null=True)
    # strptime rolls 30 February over into March: check the day survived.
    day = pc.utf8_slice_codeunits(ymd, 8, 10).cast(pa.int64())
    same = pc.fill_null(pc.equal(pc.day(parsed), day), False)
    return pc.if_else(same, parsed.cast(pa.date32()), pa.scalar(None, pa.date32()))


def _distinct(parse: _Parser) -> _Parser:
    """``parse`` run on the distinct values only (dates repeat a lot)."""
    return lambda values: on_distinct(values, lambda v: (parse(v), None))[0]


def _iso(values: pa.Array, pattern: str) -> pa.Array:
    # The shape check runs on every value (date-times are nearly all distinct), the
    # calendar check on the distinct dates only.
    shaped = pc.fill_null(pc.match_substring_regex(values, pattern), False)
    ymd = pc.if_else(shaped, pc.utf8_slice_codeunits(values, 0, 10), pa.scalar(None, pa.string()))
    return _distinct(_canonical_dates)(ymd)


def _day_month(values: pa.Array, day_first: bool) -> pa.Array:
    parts = pc.extract_regex(values, _DAY_MONTH)
    a, b = parts.field("a"), parts.field("b")
    day, month = (a, b) if day_first else (b, a)
    ymd = joined(parts.field("y"), "-", pc.utf8_lpad(month, 2, "0"), "-", pc.utf8_lpad(day, 2, "0"))
    return _canonical_dates(pc.if_else(pc.is_valid(parts), ymd, pa.scalar(None, pa.string())))


def _strptime(values: pa.Array, pattern: str) -> pa.Array:
    parsed = pc.strptime(values, pattern, "s", error_is_null=True)
    exact = pc.fill_null(pc.equal(pc.strftime(parsed, pattern), values), False)
    return pc.if_else(exact, parsed.cast(pa.date32()), pa.scalar(None, pa.date32()))


def _parser(fmt: str) -> tuple[str, _Parser]:
    name = _ALIASES.get(fmt, fmt)
    if name == "iso-date":
        return DATE_FORMATS[name], lambda v: _iso(v, _ISO_DATE)
    if name == "iso-datetime":
        return DATE_FORMATS[name], lambda v: _iso(v, _ISO_DATETIME)
    if name in ("dmy", "mdy"):
        return DATE_FORMATS[name], _distinct(lambda v: _day_month(v, name == "dmy"))
    if "%" not in name:
        raise ValueError(
            f"unknown date format {fmt!r}: use one of {', '.join(DATE_FORMATS)} "
            "or a strptime pattern such as '%d.%m.%Y'"
        )
    return name, _distinct(lambda v: _strptime(v, name))


def _date_parser(formats: Sequence[str]) -> tuple[str, list[_Parser]]:
    if isinstance(formats, str):
        formats = (formats,)
    if not formats:
        raise ValueError("no date formats given")
    parsers = [_parser(fmt) for fmt in formats]
    shown = " or ".join(dict.fromkeys(shown for shown, _ in parsers))
    return f"not a date (expected {shown})", [parse for _, parse in parsers]


def _parse(values: pa.Array, formats: Sequence[str]) -> tuple[pa.Array, pa.Array | None]:
    reason, parsers = _date_parser(formats)
    dates: pa.Array = pa.nulls(len(values), pa.date32())
    for parse in parsers:
        dates = pc.coalesce(dates, parse(values))
    bad = pc.and_(pc.is_valid(values), pc.is_null(dates))
    return dates, reason_where(bad, reason)


def to_date(column: ArrayLike, formats: Sequence[str] = DEFAULT_FORMATS) -> Transformed:
    """Parse a text column into ``date32`` (see the module docs for ``formats``)."""
    _date_parser(formats)  # refuse unknown formats before looking at the data
    values, reasons = _parse(text(column), formats)
    return result(values, reasons)


def _pad2(numbers: pa.Array) -> pa.Array:
    return pc.utf8_lpad(numbers.cast(pa.string()), 2, "0")


def _periods(dates: pa.Array, frequency: Frequency) -> pa.Array:
    """SDMX period text of each date (date32) for ``frequency``."""
    year = pc.utf8_lpad(pc.year(dates).cast(pa.string()), 4, "0")
    if frequency == "A":
        return year
    if frequency == "S":
        half = pc.add(pc.divide(pc.subtract(pc.month(dates), 1), 6), 1)
        return joined(year, "-S", half.cast(pa.string()))
    if frequency == "Q":
        return joined(year, "-Q", pc.quarter(dates).cast(pa.string()))
    if frequency == "M":
        return joined(year, "-", _pad2(pc.month(dates)))
    if frequency == "W":
        iso_year = pc.utf8_lpad(pc.iso_year(dates).cast(pa.string()), 4, "0")
        return joined(iso_year, "-W", _pad2(pc.iso_week(dates)))
    if frequency == "D":
        return joined(year, "-", _pad2(pc.month(dates)), "-", _pad2(pc.day(dates)))
    raise ValueError(f"unknown frequency {frequency!r} (expected A, S, Q, M, W or D)")


def to_period(
    column: ArrayLike,
    frequency: Frequency,
    *,
    formats: Sequence[str] = DEFAULT_FORMATS,
) -> Transformed:
    """The SDMX reporting period (text) of each date in ``column`` at ``frequency``.

    ``column`` is text (parsed with ``formats``, see the module docs) or already dates
    or timestamps (a timestamp's date is taken as it is stored, in its own time zone if
    it has one, else as written).
    """
    if frequency not in ("A", "S", "Q", "M", "W", "D"):
        raise ValueError(f"unknown frequency {frequency!r} (expected A, S, Q, M, W or D)")
    source = array(column)
    if pa.types.is_timestamp(source.type) or pa.types.is_date(source.type):
        if pa.types.is_timestamp(source.type) and source.type.tz is not None:
            source = pc.local_timestamp(source)
        dates = source.cast(pa.date32())
        parsed = Transformed.ok(dates)
    else:
        return _text_periods(text(column), frequency, formats)
    periods, _ = on_distinct(array(parsed.values), lambda d: (_periods(d, frequency), None))
    return Transformed(periods, parsed.failed, parsed.reasons)


_SAMPLE = 4096
"""Values looked at to choose between parsing the distinct texts and parsing every row
(the choice changes the speed only, never the result)."""


def _text_periods(values: pa.Array, frequency: Frequency, formats: Sequence[str]) -> Transformed:
    """`to_period()` of text. Every value is parsed and checked on its own, so when
    the texts repeat (submission times of a batch upload) the whole computation runs on
    the distinct texts and the periods, failures and reasons are taken back per row;
    mostly distinct texts are parsed row by row (their dates are still distinct-only)."""
    _date_parser(formats)  # refuse unknown formats before looking at the data
    sample = values.slice(0, _SAMPLE)
    if 2 * pc.count_distinct(sample, mode="all").as_py() > len(sample):
        parsed = result(*_parse(values, formats))
        periods, _ = on_distinct(array(parsed.values), lambda d: (_periods(d, frequency), None))
        return Transformed(periods, parsed.failed, parsed.reasons)
    encoded = pc.dictionary_encode(values)  # nulls (blank cells) stay null in the indices
    dates, reasons = _parse(encoded.dictionary, formats)
    parsed = result(dates, reasons)
    periods, _ = on_distinct(array(parsed.values), lambda d: (_periods(d, frequency), None))
    indices = encoded.indices
    if parsed.reasons is None:
        return Transformed.ok(pc.take(periods, indices))
    failed = pc.fill_null(pc.take(parsed.failed, indices), False)
    return Transformed(pc.take(periods, indices), failed, pc.take(parsed.reasons, indices))
