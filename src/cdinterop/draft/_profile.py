"""Profile each column of a submission: its type, distinct values and blanks."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cdinterop.ingest import open_submission

__all__ = ["ColumnProfile", "SubmissionProfile", "profile_submission"]

Kind = Literal["integer", "decimal", "date", "datetime", "geopoint", "choice", "text", "empty"]

MAX_DISTINCT = 500
"""Distinct values kept per column; a column with more is not a choice column."""

_INTEGER = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
)
_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/\d{4}")
_GEOPOINT = re.compile(r"-?\d+(\.\d+)? -?\d+(\.\d+)?( -?\d+(\.\d+)?){0,2}")


@dataclass
class ColumnProfile:
    """What the values of one column look like.

    ``kind`` is ``integer``, ``decimal``, ``date`` (with ``date_formats``, e.g.
    ``iso-date`` and ``dmy``), ``datetime``, ``geopoint`` ("lat lon [alt acc]"),
    ``choice`` (few distinct values, repeated), ``text`` or ``empty``; ``values`` counts
    the distinct values (at most `MAX_DISTINCT`, then ``capped`` is true).
    """

    name: str
    rows: int = 0
    blanks: int = 0
    values: Counter[str] = field(default_factory=Counter)
    capped: bool = False
    kind: Kind = "empty"
    date_formats: tuple[str, ...] = ()

    @property
    def blank_share(self) -> float:
        """The share of rows with no value (0 for a file without rows)."""
        return self.blanks / self.rows if self.rows else 0.0

    @property
    def filled(self) -> int:
        """The number of rows with a value."""
        return self.rows - self.blanks


@dataclass
class SubmissionProfile:
    """The profile of a submission file: its layout, row count and one
    [`ColumnProfile`][cdinterop.draft.ColumnProfile] per column, in file order."""

    path: Path
    layout: str
    rows: int
    columns: dict[str, ColumnProfile]
    short_names: dict[str, str]
    sheet: str | None = None


def profile_submission(path: str | Path) -> SubmissionProfile:
    """Read a submission (layout recognised as `cdinterop ingest` does) and profile every
    column. Raises [`ReadError`][cdinterop.errors.ReadError] when it cannot be read."""
    path = Path(path)
    with open_submission(path) as submission:
        names = [name for name in submission.columns if name != "_row"]
        profiles = {name: ColumnProfile(name) for name in names}
        rows = 0
        for batch in submission.batches():
            rows += batch.num_rows
            for name in names:
                profile = profiles[name]
                for value in batch.column(name).to_pylist():
                    profile.rows += 1
                    if value is None or not str(value).strip():
                        profile.blanks += 1
                    elif value in profile.values or len(profile.values) < MAX_DISTINCT:
                        profile.values[value] += 1
                    else:
                        profile.capped = True
        info = submission.info
    for profile in profiles.values():
        _classify(profile)
    return SubmissionProfile(
        path=path,
        layout=str(info.layout.value),
        rows=rows,
        columns=profiles,
        short_names=dict(info.short_names or {}),
    )


def _all(pattern: re.Pattern[str], values: list[str]) -> bool:
    return all(pattern.fullmatch(value.strip()) for value in values)


def _mostly(pattern: re.Pattern[str], profile: ColumnProfile, share: float = 0.95) -> bool:
    """Whether at least ``share`` of the filled rows match (typing errors aside)."""
    matching = sum(n for v, n in profile.values.items() if pattern.fullmatch(v.strip()))
    return bool(profile.values) and matching >= share * sum(profile.values.values())


def _classify(profile: ColumnProfile) -> None:
    """Set the kind of a profiled column (and its date formats) from its values."""
    values = list(profile.values)
    if not values:
        profile.kind = "empty"
    elif (number := _number_kind(profile, values)) is not None:
        profile.kind = number
    elif all(_date_format(v) for v in values):
        profile.date_formats = _date_formats(values)
        profile.kind = "datetime" if profile.date_formats == ("iso-datetime",) else "date"
    elif _all(_GEOPOINT, values) and any(" " in v for v in values):
        profile.kind = "geopoint"
    elif _is_choice(profile):
        profile.kind = "choice"
    else:
        profile.kind = "text"


def _number_kind(profile: ColumnProfile, values: list[str]) -> Kind | None:
    """``integer`` or ``decimal`` when the values are numbers, else None (a value with a
    leading zero, ``047``, makes the column a code, not a number)."""
    if any(len(v) > 1 and v.startswith("0") for v in values):
        return None
    if _mostly(_INTEGER, profile):
        return "integer"
    if _all(_DECIMAL, values):
        return "decimal"
    return None


def _date_formats(values: list[str]) -> tuple[str, ...]:
    """The date formats of values that are all dates; slashed dates are day first when
    a first number is over 12, else month first."""
    formats = sorted({f for v in values if (f := _date_format(v))})
    if "mdy-or-dmy" in formats:
        dmy = any(int(m.group(1)) > 12 for v in values if (m := _SLASH_DATE.fullmatch(v)))
        formats = [f for f in formats if f != "mdy-or-dmy"] + ["dmy" if dmy else "mdy"]
    return tuple(formats)


def _is_choice(profile: ColumnProfile) -> bool:
    """Whether a column has few distinct values for its rows: the answers to a choice."""
    distinct = len(profile.values)
    return not profile.capped and distinct <= 60 and distinct <= max(2, profile.filled // 3)


def _date_format(value: str) -> str | None:
    value = value.strip()
    if _ISO_DATE.fullmatch(value):
        return "iso-date"
    if _ISO_DATETIME.fullmatch(value):
        return "iso-datetime"
    if _SLASH_DATE.fullmatch(value):
        return "mdy-or-dmy"
    return None
