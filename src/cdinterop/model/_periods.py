"""SDMX time periods: parsing, classification and the interval each one covers.

Covers the SDMX ``ObservationalTimePeriod`` family: Gregorian periods (``2024``,
``2024-03``, ``2024-03-15``), reporting periods (``2024-A1``, ``2024-S2``, ``2024-T3``,
``2024-Q1``, ``2024-M03``, ``2024-W05``, ``2024-D100``), date-times
(``2024-03-15T10:30:00Z``) and time ranges (``2024-03-01/P3M``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator

__all__ = [
    "Period",
    "PeriodKind",
    "TimePeriod",
    "TimeValueType",
    "parse_duration",
    "parse_period",
]


class PeriodKind(StrEnum):
    """The shape of an SDMX time period value."""

    GREGORIAN_YEAR = "gregorian_year"
    GREGORIAN_YEAR_MONTH = "gregorian_year_month"
    GREGORIAN_DAY = "gregorian_day"
    REPORTING_YEAR = "reporting_year"
    REPORTING_SEMESTER = "reporting_semester"
    REPORTING_TRIMESTER = "reporting_trimester"
    REPORTING_QUARTER = "reporting_quarter"
    REPORTING_MONTH = "reporting_month"
    REPORTING_WEEK = "reporting_week"
    REPORTING_DAY = "reporting_day"
    DATE_TIME = "date_time"
    TIME_RANGE = "time_range"


class TimeValueType(StrEnum):
    """SDMX value types a time dimension may declare; each allows some period kinds."""

    OBSERVATIONAL_TIME_PERIOD = "ObservationalTimePeriod"
    STANDARD_TIME_PERIOD = "StandardTimePeriod"
    BASIC_TIME_PERIOD = "BasicTimePeriod"
    GREGORIAN_TIME_PERIOD = "GregorianTimePeriod"
    GREGORIAN_YEAR = "GregorianYear"
    GREGORIAN_YEAR_MONTH = "GregorianYearMonth"
    GREGORIAN_DAY = "GregorianDay"
    REPORTING_TIME_PERIOD = "ReportingTimePeriod"
    REPORTING_YEAR = "ReportingYear"
    REPORTING_SEMESTER = "ReportingSemester"
    REPORTING_TRIMESTER = "ReportingTrimester"
    REPORTING_QUARTER = "ReportingQuarter"
    REPORTING_MONTH = "ReportingMonth"
    REPORTING_WEEK = "ReportingWeek"
    REPORTING_DAY = "ReportingDay"
    DATE_TIME = "DateTime"
    TIME_RANGE = "TimeRange"

    def allows(self, kind: PeriodKind) -> bool:
        """Whether a period of ``kind`` is a legal value of this value type."""
        return kind in _ALLOWED[self]


_K = PeriodKind
_GREGORIAN = frozenset({_K.GREGORIAN_YEAR, _K.GREGORIAN_YEAR_MONTH, _K.GREGORIAN_DAY})
_REPORTING = frozenset(
    {
        _K.REPORTING_YEAR,
        _K.REPORTING_SEMESTER,
        _K.REPORTING_TRIMESTER,
        _K.REPORTING_QUARTER,
        _K.REPORTING_MONTH,
        _K.REPORTING_WEEK,
        _K.REPORTING_DAY,
    }
)
_BASIC = _GREGORIAN | {_K.DATE_TIME}
_ALLOWED: dict[TimeValueType, frozenset[PeriodKind]] = {
    TimeValueType.OBSERVATIONAL_TIME_PERIOD: frozenset(PeriodKind),
    TimeValueType.STANDARD_TIME_PERIOD: _BASIC | _REPORTING,
    TimeValueType.BASIC_TIME_PERIOD: _BASIC,
    TimeValueType.GREGORIAN_TIME_PERIOD: _GREGORIAN,
    TimeValueType.GREGORIAN_YEAR: frozenset({_K.GREGORIAN_YEAR}),
    TimeValueType.GREGORIAN_YEAR_MONTH: frozenset({_K.GREGORIAN_YEAR_MONTH}),
    TimeValueType.GREGORIAN_DAY: frozenset({_K.GREGORIAN_DAY}),
    TimeValueType.REPORTING_TIME_PERIOD: _REPORTING,
    TimeValueType.REPORTING_YEAR: frozenset({_K.REPORTING_YEAR}),
    TimeValueType.REPORTING_SEMESTER: frozenset({_K.REPORTING_SEMESTER}),
    TimeValueType.REPORTING_TRIMESTER: frozenset({_K.REPORTING_TRIMESTER}),
    TimeValueType.REPORTING_QUARTER: frozenset({_K.REPORTING_QUARTER}),
    TimeValueType.REPORTING_MONTH: frozenset({_K.REPORTING_MONTH}),
    TimeValueType.REPORTING_WEEK: frozenset({_K.REPORTING_WEEK}),
    TimeValueType.REPORTING_DAY: frozenset({_K.REPORTING_DAY}),
    TimeValueType.DATE_TIME: frozenset({_K.DATE_TIME}),
    TimeValueType.TIME_RANGE: frozenset({_K.TIME_RANGE}),
}

_FREQUENCY: dict[PeriodKind, str | None] = {
    _K.GREGORIAN_YEAR: "A",
    _K.REPORTING_YEAR: "A",
    _K.REPORTING_SEMESTER: "S",
    _K.REPORTING_TRIMESTER: None,  # SDMX CL_FREQ has no trimester code
    _K.REPORTING_QUARTER: "Q",
    _K.GREGORIAN_YEAR_MONTH: "M",
    _K.REPORTING_MONTH: "M",
    _K.REPORTING_WEEK: "W",
    _K.GREGORIAN_DAY: "D",
    _K.REPORTING_DAY: "D",
    _K.DATE_TIME: None,
    _K.TIME_RANGE: None,
}


@dataclass(frozen=True, slots=True)
class Period:
    """A parsed SDMX time period: its kind and the half-open interval ``[start, end)``."""

    text: str
    """The period exactly as written."""
    kind: PeriodKind
    """Which SDMX form the period has."""
    start: datetime
    """First instant covered (UTC when the text carries no offset)."""
    end: datetime
    """First instant after the period (exclusive end)."""

    @property
    def frequency(self) -> str | None:
        """The SDMX FREQ code the period implies (``A``, ``Q``, ``M`` ...), if any."""
        return _FREQUENCY[self.kind]


_YEAR = r"(?P<year>[0-9]{4})"
_PATTERNS: list[tuple[PeriodKind, re.Pattern[str]]] = [
    (_K.GREGORIAN_YEAR, re.compile(rf"^{_YEAR}$")),
    (_K.GREGORIAN_YEAR_MONTH, re.compile(rf"^{_YEAR}-(?P<n>[0-9]{{2}})$")),
    (_K.GREGORIAN_DAY, re.compile(rf"^{_YEAR}-(?P<m>[0-9]{{2}})-(?P<d>[0-9]{{2}})$")),
    (_K.REPORTING_YEAR, re.compile(rf"^{_YEAR}-A(?P<n>1)$")),
    (_K.REPORTING_SEMESTER, re.compile(rf"^{_YEAR}-S(?P<n>[0-9])$")),
    (_K.REPORTING_TRIMESTER, re.compile(rf"^{_YEAR}-T(?P<n>[0-9])$")),
    (_K.REPORTING_QUARTER, re.compile(rf"^{_YEAR}-Q(?P<n>[0-9])$")),
    (_K.REPORTING_MONTH, re.compile(rf"^{_YEAR}-M(?P<n>[0-9]{{2}})$")),
    (_K.REPORTING_WEEK, re.compile(rf"^{_YEAR}-W(?P<n>[0-9]{{2}})$")),
    (_K.REPORTING_DAY, re.compile(rf"^{_YEAR}-D(?P<n>[0-9]{{3}})$")),
]
_DATE_TIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?$"
)
_DURATION = re.compile(
    r"^P(?!$)(?:(?P<y>[0-9]+)Y)?(?:(?P<mo>[0-9]+)M)?(?:(?P<w>[0-9]+)W)?(?:(?P<d>[0-9]+)D)?"
    r"(?:T(?=[0-9])(?:(?P<h>[0-9]+)H)?(?:(?P<mi>[0-9]+)M)?(?:(?P<s>[0-9]+(?:\.[0-9]+)?)S)?)?$"
)
_PER_YEAR = {
    _K.REPORTING_SEMESTER: 2,
    _K.REPORTING_TRIMESTER: 3,
    _K.REPORTING_QUARTER: 4,
    _K.REPORTING_MONTH: 12,
    _K.GREGORIAN_YEAR_MONTH: 12,
}


def _utc(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _add_months(d: date, months: int) -> date:
    total = d.year * 12 + (d.month - 1) + months
    year, month = divmod(total, 12)
    return date(year, month + 1, 1)


def parse_duration(text: str) -> tuple[int, timedelta]:
    """Parse an ISO 8601 duration into (months, exact timedelta); raise ``ValueError``."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P1M or P7D")
    g = {k: (v or "0") for k, v in m.groupdict().items()}
    months = int(g["y"]) * 12 + int(g["mo"])
    delta = timedelta(
        weeks=int(g["w"]),
        days=int(g["d"]),
        hours=int(g["h"]),
        minutes=int(g["mi"]),
        seconds=float(g["s"]),
    )
    return months, delta


def _parse_datetime(text: str) -> datetime:
    if not _DATE_TIME.match(text):
        raise ValueError(f"{text!r} is not an SDMX time period")
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _parse_time_range(text: str) -> Period:
    start_text, _, duration = text.partition("/")
    if _DATE_TIME.match(start_text):
        start = _parse_datetime(start_text)
    elif re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", start_text):
        start = _utc(date.fromisoformat(start_text))
    else:
        raise ValueError(f"{start_text!r} is not a date or date-time (YYYY-MM-DD[Thh:mm:ss])")
    months, delta = parse_duration(duration)
    if months == 0 and delta == timedelta(0):
        raise ValueError(f"{text!r} has a zero duration")
    shifted = _add_months(start.date().replace(day=1), months)
    day = min(start.day, _days_in_month(shifted))
    end = start.replace(year=shifted.year, month=shifted.month, day=day) + delta
    return Period(text, _K.TIME_RANGE, start, end)


def _days_in_month(d: date) -> int:
    return (_add_months(d, 1) - timedelta(days=1)).day


def _weeks_in(year: int) -> int:
    return date(year, 12, 28).isocalendar().week


def _interval(kind: PeriodKind, m: re.Match[str], text: str) -> tuple[date, date]:
    year = int(m.group("year"))
    first = date(year, 1, 1)
    if kind in (_K.GREGORIAN_YEAR, _K.REPORTING_YEAR):
        return first, date(year + 1, 1, 1)
    if kind == _K.GREGORIAN_DAY:
        day = date(year, int(m.group("m")), int(m.group("d")))
        return day, day + timedelta(days=1)
    n = int(m.group("n"))
    if kind in _PER_YEAR:
        per_year = _PER_YEAR[kind]
        if not 1 <= n <= per_year:
            raise ValueError(f"{text!r}: period number {n} is outside 1..{per_year}")
        months = 12 // per_year
        start = _add_months(first, (n - 1) * months)
        return start, _add_months(start, months)
    if kind == _K.REPORTING_WEEK:
        if not 1 <= n <= _weeks_in(year):
            raise ValueError(f"{text!r}: {year} has {_weeks_in(year)} ISO weeks")
        start = date.fromisocalendar(year, n, 1)
        return start, start + timedelta(days=7)
    # reporting day
    length = (date(year + 1, 1, 1) - first).days
    if not 1 <= n <= length:
        raise ValueError(f"{text!r}: day number {n} is outside 1..{length}")
    start = first + timedelta(days=n - 1)
    return start, start + timedelta(days=1)


@lru_cache(maxsize=65536)
def parse_period(text: str) -> Period:
    """Parse an SDMX time period, raising ``ValueError`` with the reason if it is malformed.

    >>> parse_period("2024-Q2").start.date().isoformat()
    '2024-04-01'
    """
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a time period string")
    if "/" in text:
        try:
            return _parse_time_range(text)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a valid SDMX time range: {exc}") from None
    if "T" in text[4:] and not text[5:6].isalpha():
        try:
            value = _parse_datetime(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a valid SDMX date-time") from None
        return Period(text, _K.DATE_TIME, value, value)
    for kind, pattern in _PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                start, end = _interval(kind, m, text)
            except ValueError as exc:
                msg = str(exc) if str(exc).startswith(repr(text)) else f"{text!r}: {exc}"
                raise ValueError(msg) from None
            return Period(text, kind, _utc(start), _utc(end))
    raise ValueError(
        f"{text!r} is not an SDMX time period (expected e.g. 2024, 2024-Q1, 2024-03, "
        "2024-W05, 2024-03-15 or 2024-03-15T10:00:00)"
    )


def _check_period(text: str) -> str:
    parse_period(text)
    return text


TimePeriod = Annotated[str, AfterValidator(_check_period)]
"""An SDMX time period as text (``2024``, ``2024-Q3``, ``2024-03-15``,
``2024-03-01/P3M``): checked with [`parse_period()`][cdinterop.model.parse_period] and kept
as written."""
