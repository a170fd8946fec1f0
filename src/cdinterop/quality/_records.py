"""Measurements of the unit records of an ingest run: completeness, the flow of rows,
timeliness and coverage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from cdinterop.model import (
    AreaScheme,
    CitizenDataset,
    Codelist,
    QualityMeasurement,
    QualityMetric,
    area_scheme,
    parse_period,
)
from cdinterop.quality._cells import measurement
from cdinterop.quality._counts import RowCounts
from cdinterop.quality._profile import RecordsProfile

__all__ = ["measure_unit_records"]


def measure_unit_records(
    dataset: CitizenDataset,
    counts: RowCounts,
    *,
    computed_at: dt.datetime | None = None,
    profile: RecordsProfile | None = None,
) -> list[QualityMeasurement]:
    """The quality measurements of the unit records ``dataset`` that an ingest run made
    with ``counts``: completeness (per component and overall), the shares of the rows read
    that were rejected (overall and per reason), filtered (overall and per rule) and
    duplicated, timeliness (days to ``computed_at``, default now) and the code and area
    coverage of every coded dimension.

    ``profile`` stands for the records when they were not kept (a streamed run): the
    measurements then read it instead of ``dataset.observations``."""
    at = computed_at or dt.datetime.now(dt.UTC)
    if profile is None:
        profile = RecordsProfile(dataset.structure)
        profile.add(dataset.observations.table)
    return [
        *_completeness(profile, at),
        *_row_flow(counts, at),
        *_timeliness(dataset, profile, at),
        *_coverage(dataset, profile, at),
    ]


def _completeness(profile: RecordsProfile, at: dt.datetime) -> Iterator[QualityMeasurement]:
    """Share of non-missing values per component of the structure, then over all of them."""
    rows = profile.rows
    columns = [c for c in profile.structure.column_ids if profile.present(c)]
    if rows == 0 or not columns:
        return
    present = 0
    for column in columns:
        values = rows - profile.nulls[column]
        present += values
        yield measurement(QualityMetric.COMPLETENESS, values / rows, at, component=column)
    yield measurement(QualityMetric.COMPLETENESS, present / (rows * len(columns)), at)


def _row_flow(counts: RowCounts, at: dt.datetime) -> Iterator[QualityMeasurement]:
    """Shares of the rows read rejected, filtered and duplicated."""
    read = counts.rows_read
    if read <= 0:
        return
    yield measurement(QualityMetric.REJECTED_ROW_SHARE, counts.rejected / read, at)
    for reason, n in counts.rejected_by_reason.items():
        yield measurement(QualityMetric.REJECTED_ROW_SHARE, n / read, at, qualifier=reason)
    filtered = sum(counts.filtered_by_rule.values())
    yield measurement(QualityMetric.FILTERED_ROW_SHARE, filtered / read, at)
    for rule, n in counts.filtered_by_rule.items():
        yield measurement(QualityMetric.FILTERED_ROW_SHARE, n / read, at, qualifier=rule)
    if counts.duplicate_rule is not None:
        yield measurement(
            QualityMetric.DUPLICATE_SHARE,
            counts.duplicates / read,
            at,
            qualifier=counts.duplicate_rule,
        )


def _timeliness(
    dataset: CitizenDataset, profile: RecordsProfile, at: dt.datetime
) -> Iterator[QualityMeasurement]:
    """Days from the end of collection to ``at``: the later of the temporal coverage's end
    and the last day of the latest period of the records (a record may be dated after the
    coverage the metadata give)."""
    ends: list[tuple[dt.date, str]] = []
    coverage = dataset.temporal_coverage
    if coverage is not None and coverage.end is not None:
        ends.append((coverage.end, "temporal_coverage"))
    last = _last_day(dataset, profile)
    if last is not None:
        ends.append((last, "last_period"))
    if not ends:
        return
    end, source = max(ends, key=lambda e: e[0])  # the coverage's end on a tie
    days = (at.astimezone(dt.UTC).date() - end).days
    yield measurement(QualityMetric.TIMELINESS_DAYS, days, at, qualifier=source)


def _last_day(dataset: CitizenDataset, profile: RecordsProfile) -> dt.date | None:
    """The last day of the latest period in the records' time dimension, if any."""
    time = dataset.structure.time_dimension
    if time is None or profile.rows == 0:
        return None
    ends = []
    for text in sorted(profile.distinct(time.id)):
        try:
            period = parse_period(text)
        except ValueError:
            continue
        ends.append((period.end - dt.timedelta(microseconds=1)).date())
    return max(ends, default=None)


def _coverage(
    dataset: CitizenDataset, profile: RecordsProfile, at: dt.datetime
) -> Iterator[QualityMeasurement]:
    """Per coded dimension: the share of its codelist's codes present; for a dimension of
    area codes also the share of its areas of the levels present."""
    for dim in dataset.structure.dimensions:
        codelist = dataset.structure.codelist_of(dim.id)
        if codelist is None or len(codelist) == 0 or not profile.present(dim.id):
            continue
        present = profile.distinct(dim.id) & set(codelist.code_ids)
        yield measurement(
            QualityMetric.CODE_COVERAGE, len(present) / len(codelist), at, component=dim.id
        )
        yield from _area_coverage(dim.id, codelist, present, at)


def _area_coverage(
    dimension: str, codelist: Codelist, present: set[str], at: dt.datetime
) -> Iterator[QualityMeasurement]:
    """The share of the codelist's areas, of the levels (area schemes) the records use,
    that occur in them; nothing unless every code of the codelist is an area code."""
    schemes: dict[str, AreaScheme | None] = {c: area_scheme(c) for c in codelist.code_ids}
    if not present or any(s is None for s in schemes.values()):
        return
    used = {schemes[c] for c in present}
    areas = [c for c, s in schemes.items() if s in used]
    levels = ",".join(sorted(str(s) for s in used))
    yield measurement(
        QualityMetric.AREA_COVERAGE,
        len(present) / len(areas),
        at,
        component=dimension,
        qualifier=levels,
    )
