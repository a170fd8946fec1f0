"""The ingest run as a stream: batches of a submission in, checked unit records out to a
sink, in memory bounded by the batch and by 64-bit digests of the keys seen.

Per batch, after the row filters, privacy steps and component rules (`._rules`):

1. **de-duplication** by the spec's ``deduplicate`` key among the records the rules
   accepted: with ``keep: first`` a record whose key digest was seen before is filtered; with
   ``keep: last`` a first pass over the file finds, per key, the last record, and the second
   pass filters the others (records with an empty key cell are all kept);
2. the structure's **row checks** (types, codes, facets, periods, frequency) on each batch;
3. **key uniqueness** across the whole file: a record whose series key and period repeat
   those of an earlier record is rejected, naming the earlier record's row;
4. **series attributes** across the whole file: an attribute related to part of the key
   takes the value of the first record of that part that has one; a later record with
   another value is rejected.

Steps 3 and 4 keep a 64-bit digest per distinct key (`._digests.DigestSet`: 16 bytes per
record with the first row number); de-duplication keeps 8. The answer depends on the order
of the records, never on how they are split into batches or partitions.

The steps across rows are methods of the run's `AcrossRows` state: here they keep the
digests as the batches come (`Sequential`); a distributed run (`cdinterop.ingest._parts`)
decides them for all the records first and hands each partition its decisions, through
the same per-batch code (`stream_file`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdinterop import limits
from cdinterop.errors import Issue
from cdinterop.ingest._digests import DigestSet, digest64
from cdinterop.ingest._rejects import Rejects
from cdinterop.ingest._rules import (
    ROW,
    Plan,
    needed_columns,
    prefetch,
    prepared_tables,
    private_form_version,
    process,
    reject_issues,
    reject_problems,
    resolve,
    visible_components,
)
from cdinterop.ingest._sources import (
    ByteRange,
    SourceInfo,
    SourceOptions,
    Submission,
    open_submission,
)
from cdinterop.ingest._spec import ComponentRule, IngestSpec
from cdinterop.model import DataStructure, Observations
from cdinterop.model._internal import arrow_type, series_attribute_groups
from cdinterop.quality import RecordsProfile

__all__ = [
    "AcrossRows",
    "FileRead",
    "RecordSink",
    "Sequential",
    "SeriesGroup",
    "Streamed",
    "conformed",
    "dedup_digests",
    "dropped_duplicates",
    "reject_differing",
    "reject_repeated_keys",
    "rule_batches",
    "run_limits",
    "series_groups",
    "stream",
    "stream_file",
    "text_columns",
]

FILE_SHIFT = 40
"""Bits of a row number in the payload of a key digest (the file's index above them)."""
_ACROSS_ROWS = frozenset({"duplicate-key", "inconsistent-series-attribute"})
"""Issue codes of the checks that compare rows: run across batches here, not per batch."""


class RecordSink(Protocol):
    """Where the accepted unit records go, batch by batch (columns of the structure)."""

    def add(self, records: pa.Table) -> None:
        """Take one batch of accepted, checked unit records."""


@dataclass(frozen=True)
class FileRead:
    """What one submission file (or one byte range of it) of a streamed run gave."""

    info: SourceInfo
    """The reader's description of the file (layout, size, SHA-256, form version)."""
    rows_read: int
    accepted: int
    filtered: int
    rejected: int
    versions: Counter[str] = field(default_factory=Counter)
    """The form versions read, with their records (empty when the spec keeps the form
    version's column private): ``info.form_version`` is the most common."""


@dataclass
class Streamed:
    """What a streamed run read: the counts, the reader's description of each file and the
    profile of the accepted records (the records themselves went to the sink)."""

    profile: RecordsProfile
    rejects: Rejects
    filtered: Counter[str]
    files: list[FileRead] = field(default_factory=list)
    rows_read: int = 0
    accepted: int = 0
    plan: Plan | None = None
    """The spec resolved against the last file's columns."""

    @property
    def info(self) -> SourceInfo:
        """The description of the first file."""
        return self.files[0].info


@dataclass
class SeriesGroup:
    """Attributes related to the same part of the key, and the first value seen of each
    per value of that part."""

    key: list[str]
    attributes: list[str]
    seen: dict[str, DigestSet] = field(default_factory=dict)


@dataclass
class AcrossRows:
    """The state of the checks that compare records across batches; `Sequential` keeps
    them as the batches come, a distributed run applies decisions taken beforehand."""

    structure: DataStructure
    plan: Plan | None = None
    dedup: DigestSet | None = None
    """With ``keep: first``: the digests of the de-duplication keys seen so far."""
    drop: np.ndarray | None = None
    """Per record the rules accepted (in file order), whether de-duplication filters it
    (``keep: last``, or decided beforehand); ``None`` with `dedup` or no de-duplication."""
    position: int = 0
    """Records the rules accepted so far (the index into ``drop``)."""
    names: list[str] = field(default_factory=list)
    """The names of the files, in the order read."""
    file: int = 0
    """The index of the file being read."""

    @property
    def rules(self) -> Plan:
        """The spec resolved against the file being read."""
        assert self.plan is not None
        return self.plan

    def row_payload(self, rows: np.ndarray) -> np.ndarray:
        """Source rows with the file's index in the high bits (told apart across files)."""
        return rows + (self.file << FILE_SHIFT)

    def where(self, payload: int) -> str:
        """``row N`` (``row N of FILE`` for a row of another file) of a payload."""
        file, row = payload >> FILE_SHIFT, payload & ((1 << FILE_SHIFT) - 1)
        if file == self.file:
            return f"row {row}"
        return f"row {row} of {self.names[file]}"

    def deduplicated(self, records: pa.Table, keys: pa.Table, filtered: Counter[str]) -> pa.Table:
        """``records`` without the duplicates by the spec's key (counted under its rule)."""
        dedup = self.rules.spec.deduplicate
        n = records.num_rows
        start = self.position
        self.position += n
        if dedup is None or n == 0:
            return records
        if self.drop is not None:
            keep = ~self.drop[start : start + n]
        elif self.dedup is not None:
            keep = _first_by_key(keys, self.dedup)
        else:
            return records
        dropped = int(n - keep.sum())
        if not dropped:
            return records
        filtered[dedup.name] += dropped
        return records.filter(pa.array(keep))

    def unique_keys(
        self, table: pa.Table, rows: np.ndarray, rejects: Rejects
    ) -> tuple[pa.Table, np.ndarray]:
        """``table`` without the records whose key an earlier record has (rejected, naming
        the earlier record's row)."""
        raise NotImplementedError

    def consistent_series(
        self, table: pa.Table, rows: np.ndarray, rejects: Rejects
    ) -> tuple[pa.Table, np.ndarray]:
        """``table`` without the records whose series attribute differs from the value the
        first record of their series gave (rejected)."""
        raise NotImplementedError


@dataclass
class Sequential(AcrossRows):
    """The checks across rows as the batches come, one file after the other."""

    keys: DigestSet = field(default_factory=lambda: DigestSet(payload=True))
    series: list[SeriesGroup] = field(default_factory=list)
    implied: list[str] | None = None
    """Key dimensions that carry the de-duplication key unchanged (see `_implying`): when
    set, two records can share a series key only if one of these is empty, and only those
    records are checked (the others need no digest)."""

    def unique_keys(
        self, table: pa.Table, rows: np.ndarray, rejects: Rejects
    ) -> tuple[pa.Table, np.ndarray]:
        """See `AcrossRows.unique_keys` (a digest per key seen, with its first row)."""
        key = list(self.structure.key_ids)
        if not key or table.num_rows == 0:
            return table, rows
        checked = np.arange(table.num_rows)
        if self.implied is not None:
            empty = np.zeros(table.num_rows, dtype=bool)
            for name in self.implied:
                empty |= np.asarray(pc.is_null(table.column(name)).to_numpy(zero_copy_only=False))
            checked = np.flatnonzero(empty)
            if not len(checked):
                return table, rows
        digests = digest64(text_columns(table.take(pa.array(checked)), key))
        first = np.ones(table.num_rows, dtype=bool)
        first[checked] = self.keys.first_seen(digests, payload=self.row_payload(rows[checked]))
        if first.all():
            return table, rows
        repeated = np.flatnonzero(~first)
        digests = digest64(text_columns(table.take(pa.array(repeated)), key))
        reject_repeated_keys(table, rows, repeated, self.keys.payload_of(digests), self, rejects)
        return table.filter(pa.array(first)), rows[first]

    def consistent_series(
        self, table: pa.Table, rows: np.ndarray, rejects: Rejects
    ) -> tuple[pa.Table, np.ndarray]:
        """See `AcrossRows.consistent_series` (per series the first value of each
        attribute, as a digest)."""
        keep = np.ones(table.num_rows, dtype=bool)
        for group in self.series:
            series = digest64(text_columns(table, group.key))
            for attr in group.attributes:
                _check_attribute(table, rows, group, attr, series, keep, rejects)
        if keep.all():
            return table, rows
        return table.filter(pa.array(keep)), rows[keep]


def _implying(spec: IngestSpec) -> list[str] | None:
    """The key dimensions that hold the de-duplication key's columns as read (a text
    dimension ``from`` each key column, without map, bands, period, expression, fixed value
    or default), one per key column; ``None`` unless there is one for every key column.

    After de-duplication no two records share the de-duplication key unless it is empty,
    so two records with these dimensions filled cannot share a series key: the key
    uniqueness check then needs only the records with one of them empty."""
    dedup = spec.deduplicate
    if dedup is None:
        return None
    structure = spec.structure
    key = set(structure.key_ids)
    found: dict[str, str] = {}
    for cid, rule in spec.components.items():
        source = rule.source
        if source in dedup.key and _as_read(rule) and cid in key and _is_text(structure, cid):
            found.setdefault(source, cid)
    if set(found) != set(dedup.key):
        return None
    return sorted(found.values())


def _as_read(rule: ComponentRule) -> bool:
    """Whether a component rule passes its source column through unchanged."""
    changes = (rule.map, rule.bands, rule.period, rule.expression, rule.value, rule.default)
    return rule.source is not None and all(c is None for c in changes)


def _is_text(structure: DataStructure, cid: str) -> bool:
    component = next(c for c in structure.components if c.id == cid)
    return bool(pa.types.is_string(arrow_type(component)))


def series_groups(structure: DataStructure) -> list[SeriesGroup]:
    """The attributes related to part of the key (not the whole key), grouped by that part."""
    groups = series_attribute_groups(structure)
    return [SeriesGroup(list(key), ids) for key, ids in groups.items()]


def text_columns(table: pa.Table, names: Sequence[str]) -> list[pa.ChunkedArray]:
    """The columns ``names`` of ``table`` as text (what the digests are taken of)."""
    return [
        c if pa.types.is_string(c.type) else pc.cast(c, pa.string())
        for c in (table.column(n) for n in names)
    ]


def _key_text(table: pa.Table, names: Sequence[str], rows: np.ndarray) -> list[str]:
    """The key of each of ``rows`` as ``a.b.c`` (empty for a missing value)."""
    columns = [table.column(n).take(pa.array(rows)).to_pylist() for n in names]
    return [
        ".".join("" if v is None else str(v) for v in values)
        for values in zip(*columns, strict=True)
    ]


def dedup_digests(keys: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """The digest of each record's de-duplication key, and whether the key is complete
    (a record with an empty key cell cannot be compared)."""
    columns = text_columns(keys, keys.column_names)
    valid = np.ones(keys.num_rows, dtype=bool)
    for column in columns:
        if column.null_count:
            valid &= np.asarray(pc.is_valid(column).to_numpy(zero_copy_only=False))
    digests = digest64(columns) if keys.num_rows else np.empty(0, np.uint64)
    return digests, valid


def _first_by_key(keys: pa.Table, seen: DigestSet) -> np.ndarray:
    """True for the records whose key was not seen before (records with an empty key cell
    cannot be compared: always True)."""
    digests, valid = dedup_digests(keys)
    keep = np.ones(keys.num_rows, dtype=bool)
    keep[valid] = seen.first_seen(digests[valid])
    return keep


def dropped_duplicates(digests: np.ndarray, valid: np.ndarray, *, last: bool) -> np.ndarray:
    """Per record (in order), whether de-duplication filters it: every record whose complete
    key an earlier (``last``: a later) record has."""
    drop = np.zeros(len(digests), dtype=bool)
    at = np.flatnonzero(valid)
    if last:
        at = at[::-1]  # from the end: the last occurrence is seen first
    drop[at] = ~DigestSet().first_seen(digests[at])
    return drop


def conformed(
    records: pa.Table, structure: DataStructure
) -> tuple[pa.Table, pa.Array, list[Issue]]:
    """The batch conformed to the structure, the source rows, and the issues of the row
    checks (the checks across rows left out)."""
    rows = records.column(ROW).combine_chunks()
    unit = records.drop_columns([ROW])
    result, issues = Observations.from_arrow(unit).conform(structure)
    return result.table, rows, [i for i in issues if i.code not in _ACROSS_ROWS]


def _checked(records: pa.Table, state: AcrossRows, rejects: Rejects) -> tuple[pa.Table, np.ndarray]:
    """The batch conformed to the structure, without the rows that fail the row checks
    (rejected), and their source rows."""
    spec = state.rules.spec
    table, rows, issues = conformed(records, state.structure)
    if issues:
        sources = {c: r.source for c, r in spec.components.items() if r.source is not None}
        reject_issues(issues, rows, rejects, sources, visible_components(state.rules))
        bad = np.unique([i.row for i in issues if i.row is not None])
        keep = np.ones(table.num_rows, dtype=bool)
        keep[bad] = False
        table = table.filter(pa.array(keep))
        rows = rows.filter(pa.array(keep))
    return table, np.asarray(rows.to_numpy(zero_copy_only=False), dtype=np.int64)


def reject_repeated_keys(
    table: pa.Table,
    rows: np.ndarray,
    repeated: np.ndarray,
    earlier: np.ndarray,
    state: AcrossRows,
    rejects: Rejects,
) -> None:
    """Reject the records at ``repeated`` (positions in ``table``), whose key the records
    of the payloads ``earlier`` had first."""
    texts = _key_text(table, list(state.structure.key_ids), repeated)
    rejects.add(
        pa.array(rows[repeated], pa.int64()),
        "(key)",
        None,
        pa.array(
            [
                f"key {t} already used by {state.where(r)}"
                for t, r in zip(texts, earlier.tolist(), strict=True)
            ],
            pa.string(),
        ),
        code="duplicate-key",
    )


def reject_differing(
    table: pa.Table,
    rows: np.ndarray,
    key: list[str],
    attr: str,
    differs: np.ndarray,
    rejects: Rejects,
) -> None:
    """Reject the records at ``differs`` (positions in ``table``), whose ``attr`` differs
    from the first value of their series (the part ``key`` of the key)."""
    if not len(differs):
        return
    texts = _key_text(table, key, differs)
    name = "+".join(key)
    rejects.add(
        pa.array(rows[differs], pa.int64()),
        attr,
        None,
        pa.array(
            [f"attribute {attr} takes different values within {name} = {t}" for t in texts],
            pa.string(),
        ),
        code="inconsistent-series-attribute",
    )


def _check_attribute(
    table: pa.Table,
    rows: np.ndarray,
    group: SeriesGroup,
    attr: str,
    series: np.ndarray,
    keep: np.ndarray,
    rejects: Rejects,
) -> None:
    """Mark in ``keep`` (and reject) the records whose ``attr`` differs from the first value
    of their series; the first value of a new series is remembered."""
    column = table.column(attr)
    text = column if pa.types.is_string(column.type) else pc.cast(column, pa.string())
    has = np.asarray(pc.is_valid(text).to_numpy(zero_copy_only=False)) & keep
    if not has.any():
        return
    at = np.flatnonzero(has)
    values = digest64([text.take(pa.array(at))]).view(np.int64)
    seen = group.seen.setdefault(attr, DigestSet(payload=True))
    first = seen.first_seen(series[at], payload=values)
    later = at[~first]
    differs = later[seen.payload_of(series[later]) != values[~first]]
    keep[differs] = False
    reject_differing(table, rows, group.key, attr, differs, rejects)


def _filtered_tables(
    opened: Submission,
    spec: IngestSpec,
    key: bytes | None,
    options: SourceOptions,
    filtered: Counter[str],
) -> tuple[Plan, Iterator[pa.Table]]:
    """The spec resolved against an opened file, and its tables of up to ``batch_rows``
    rows (the columns the spec uses, after the row filters, counted in ``filtered``) read
    ahead in a background thread."""
    plan = resolve(spec, opened, key)
    columns = needed_columns(plan, opened.schema.names)
    tables = prepared_tables(opened.batches(), plan, columns, options.batch_rows, filtered)
    return plan, prefetch(tables)


def rule_batches(
    path: Path,
    spec: IngestSpec,
    options: SourceOptions,
    key: bytes | None,
    part: ByteRange | None = None,
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """A file (or a byte range of it) through the row filters and the rules, batch by
    batch: the records they accept (with ``_row``) and their de-duplication keys; nothing
    is rejected for good (a pass that only looks)."""
    with open_submission(path, options, part=part) as opened:
        plan, tables = _filtered_tables(opened, spec, key, options, Counter())
        for batch in tables:
            scratch = Rejects()
            records, keys = process(batch, plan, scratch)
            scratch.close()
            yield records, keys


def _last_by_key(
    files: Sequence[Path], spec: IngestSpec, opts: SourceOptions, key: bytes | None
) -> np.ndarray:
    """``keep: last``: a first pass through the rules; per record they accept (in the order
    of the files and their rows), whether a later record has the same key."""
    digests: list[np.ndarray] = [np.empty(0, np.uint64)]
    valid: list[np.ndarray] = [np.empty(0, bool)]
    for path in files:
        for _records, keys in rule_batches(path, spec, opts, key):
            found, ok = dedup_digests(keys)
            digests.append(found)
            valid.append(ok)
    return dropped_duplicates(np.concatenate(digests), np.concatenate(valid), last=True)


def run_limits(spec: IngestSpec) -> limits.Limits:
    """The reader limits of a run: those in force with the spec's ``source.limits``."""
    return limits.current().replace(**spec.source.limit_values())


def stream(
    submissions: Sequence[str | Path],
    spec: IngestSpec,
    sink: RecordSink,
    *,
    options: SourceOptions,
    key: bytes | None,
    progress: Callable[[int], None] | None = None,
) -> Streamed:
    """Read the ``submissions`` one after the other, batch by batch, through the spec (see
    the module docs), handing the accepted records to ``sink``; the rejects and counts are in
    the result. De-duplication and the checks across rows run over all the files, in the
    order given; with several files each reject line names its file (``source``)."""
    files = [Path(s) for s in submissions]
    rejects = Rejects(with_source=len(files) > 1)
    filtered: Counter[str] = Counter()
    with limits.use(run_limits(spec)):
        drop = None
        dedup = spec.deduplicate
        if dedup is not None and dedup.keep == "last":
            drop = _last_by_key(files, spec, options, key)
        state = Sequential(
            spec.structure,
            dedup=DigestSet() if dedup is not None and drop is None else None,
            drop=drop,
            names=[f.name for f in files],
            series=series_groups(spec.structure),
            implied=_implying(spec),
        )
        streamed = Streamed(RecordsProfile(spec.structure), rejects, filtered)
        for index, path in enumerate(files):
            state.file = index
            rejects.source = path.name
            read = stream_file(path, spec, sink, options, key, state, streamed, progress)
            streamed.files.append(read)
    return streamed


def stream_file(
    path: Path,
    spec: IngestSpec,
    sink: RecordSink,
    options: SourceOptions,
    key: bytes | None,
    state: AcrossRows,
    streamed: Streamed,
    progress: Callable[[int], None] | None = None,
    part: ByteRange | None = None,
) -> FileRead:
    """One submission file (or the byte range ``part`` of it) through the stream; what it
    gave."""
    rejects, filtered = streamed.rejects, streamed.filtered
    before = (rejects.rows, sum(filtered.values()), streamed.accepted)
    with open_submission(path, options, part=part) as opened:
        plan, tables = _filtered_tables(opened, spec, key, options, filtered)
        state.plan = plan
        for batch in tables:
            records = _accepted(batch, state, rejects, filtered)
            streamed.profile.add(records)
            sink.add(records)
            streamed.accepted += records.num_rows
            rejects.end_batch()
            if progress is not None:
                progress(streamed.rows_read + opened.rows_read)
        reject_problems(opened.problems(), rejects, plan)
        rejects.end_unread()
        info = private_form_version(opened.info, opened, plan)
        versions = Counter(opened._form_versions) if info.form_version else Counter()
        rows_read = opened.rows_read
    streamed.rows_read += rows_read
    streamed.plan = plan
    return FileRead(
        info,
        rows_read,
        accepted=streamed.accepted - before[2],
        filtered=sum(filtered.values()) - before[1],
        rejected=rejects.rows - before[0],
        versions=versions,
    )


def _accepted(
    batch: pa.Table, state: AcrossRows, rejects: Rejects, filtered: Counter[str]
) -> pa.Table:
    """One batch through the rules, de-duplication and the checks: the accepted records."""
    records, keys = process(batch, state.rules, rejects)
    records = state.deduplicated(records, keys, filtered)
    table, rows = _checked(records, state, rejects)
    table, rows = state.unique_keys(table, rows, rejects)
    table, _rows = state.consistent_series(table, rows, rejects)
    return table
