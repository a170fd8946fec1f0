from datetime import UTC, datetime

import pytest

from cdinterop.model import PeriodKind, TimeValueType, parse_period


def _d(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "freq"),
    [
        ("2024", PeriodKind.GREGORIAN_YEAR, _d(2024, 1, 1), _d(2025, 1, 1), "A"),
        ("2024-03", PeriodKind.GREGORIAN_YEAR_MONTH, _d(2024, 3, 1), _d(2024, 4, 1), "M"),
        ("2024-03-15", PeriodKind.GREGORIAN_DAY, _d(2024, 3, 15), _d(2024, 3, 16), "D"),
        ("2024-A1", PeriodKind.REPORTING_YEAR, _d(2024, 1, 1), _d(2025, 1, 1), "A"),
        ("2024-S2", PeriodKind.REPORTING_SEMESTER, _d(2024, 7, 1), _d(2025, 1, 1), "S"),
        ("2024-T3", PeriodKind.REPORTING_TRIMESTER, _d(2024, 9, 1), _d(2025, 1, 1), None),
        ("2024-Q1", PeriodKind.REPORTING_QUARTER, _d(2024, 1, 1), _d(2024, 4, 1), "Q"),
        ("2024-Q4", PeriodKind.REPORTING_QUARTER, _d(2024, 10, 1), _d(2025, 1, 1), "Q"),
        ("2024-M12", PeriodKind.REPORTING_MONTH, _d(2024, 12, 1), _d(2025, 1, 1), "M"),
        ("2024-W05", PeriodKind.REPORTING_WEEK, _d(2024, 1, 29), _d(2024, 2, 5), "W"),
        ("2020-W53", PeriodKind.REPORTING_WEEK, _d(2020, 12, 28), _d(2021, 1, 4), "W"),
        ("2024-D366", PeriodKind.REPORTING_DAY, _d(2024, 12, 31), _d(2025, 1, 1), "D"),
        ("2024-03-01/P3M", PeriodKind.TIME_RANGE, _d(2024, 3, 1), _d(2024, 6, 1), None),
        ("2024-01-31/P1M", PeriodKind.TIME_RANGE, _d(2024, 1, 31), _d(2024, 2, 29), None),
    ],
)
def test_periods(
    text: str, kind: PeriodKind, start: datetime, end: datetime, freq: str | None
) -> None:
    period = parse_period(text)
    assert (period.kind, period.start, period.end, period.frequency) == (kind, start, end, freq)


def test_date_times() -> None:
    p = parse_period("2024-03-15T10:30:00+02:00")
    assert p.kind is PeriodKind.DATE_TIME
    assert p.start == datetime(2024, 3, 15, 8, 30, tzinfo=UTC)
    assert parse_period("2024-03-15T10:30:00Z").start.tzinfo is not None
    assert parse_period("2024-03-15T10:30:00").start.tzinfo is UTC


@pytest.mark.parametrize(
    "bad",
    [
        "24",
        "2024-13",
        "2024-02-30",
        "2024-Q5",
        "2024-Q0",
        "2024-S3",
        "2024-W54",
        "2021-W53",
        "2023-D366",
        "2024-M13",
        "2024-A2",
        "2024/P1M",
        "2024-01-01/P",
        "2024-01-01/P0D",
        "2024-01-01T25:00:00",
        "20240301/P1M",
        "2024-W10-1/P1D",
        "Q1-2024",
        "",
        "2024 ",
        "2024-3",
    ],
)
def test_malformed_periods(bad: str) -> None:
    with pytest.raises(ValueError, match=repr(bad)[1:-1] if bad else "time period"):
        parse_period(bad)


def test_value_types_restrict_kinds() -> None:
    assert TimeValueType.OBSERVATIONAL_TIME_PERIOD.allows(PeriodKind.TIME_RANGE)
    assert TimeValueType.GREGORIAN_YEAR.allows(PeriodKind.GREGORIAN_YEAR)
    assert not TimeValueType.GREGORIAN_YEAR.allows(PeriodKind.REPORTING_QUARTER)
    assert TimeValueType.REPORTING_TIME_PERIOD.allows(PeriodKind.REPORTING_WEEK)
    assert not TimeValueType.BASIC_TIME_PERIOD.allows(PeriodKind.REPORTING_YEAR)
