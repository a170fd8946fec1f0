"""An ingest run over partitions, in two passes, with the answer of the local stream.

A distributed engine (`cdinterop.engines`) splits the submission into *parts*: byte
ranges of large CSV files (`split_parts`, header carried) or whole files, in global order
(file, then range). The steps of `cdinterop.ingest._stream` that compare records across
batches (de-duplication, key uniqueness, series attributes) depend on every earlier
record, so they are decided once, on the client, from compact facts:

1. **pass 1** (`part_facts`, on a worker per part): the reader, the row filters and the
   rules exactly as the stream runs them; per record they accept, in order: its row, the
   digest of its de-duplication key (and whether the key is complete), whether it passes
   the row checks, the digest of its series key and period, and per series attribute the
   digests of its series and of its value;
2. **decide** (`decide`, on the client): the facts of every part concatenated in order and
   the sequential decisions replayed over them, as the stream takes them (keep first or
   last; then, among the records kept that pass the row checks, key uniqueness naming the
   earliest record, then series attributes); per part, what to filter or reject and why;
3. **pass 2** (`part_result`, on a worker per part): the part streamed again through the
   same per-batch code as the local run (`stream_file`), with the decisions in place of the
   state across rows: its rejects (the same lines), counts, profile and a partial sink
   (e.g. a `CellAccumulator`), merged by the client in part order (`merged_stream`).

Every function a worker runs is a top-level function of this module whose arguments and
results pickle; an error of cdinterop raised on a worker travels as `CarriedError` (some
errors take several arguments and do not unpickle) and is raised again by `restored()`.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, Self

import numpy as np
import pyarrow as pa

from cdinterop import limits
from cdinterop.errors import CdinteropError, ReadError
from cdinterop.ingest._digests import DigestSet, digest64
from cdinterop.ingest._rejects import Rejects
from cdinterop.ingest._rules import ROW, _spec_key
from cdinterop.ingest._sources import ByteRange, SourceOptions
from cdinterop.ingest._sources.base import FileDigest
from cdinterop.ingest._sources.partitions import split_csv
from cdinterop.ingest._spec import IngestSpec
from cdinterop.ingest._stream import (
    FILE_SHIFT,
    AcrossRows,
    FileRead,
    RecordSink,
    SeriesGroup,
    Streamed,
    conformed,
    dedup_digests,
    dropped_duplicates,
    reject_differing,
    reject_repeated_keys,
    rule_batches,
    series_groups,
    stream_file,
    text_columns,
)
from cdinterop.quality import RecordsProfile

__all__ = [
    "CarriedError",
    "Decisions",
    "Facts",
    "Part",
    "PartResult",
    "PartSink",
    "decide",
    "file_sha256",
    "merged_stream",
    "part_facts",
    "part_result",
    "run_key",
    "split_parts",
]


class PartSink(RecordSink, Protocol):
    """A sink a partition fills on a worker and the client merges."""

    def fresh(self) -> Self:
        """An empty sink like this one (one per partition)."""

    def merge(self, others: Sequence[Self]) -> None:
        """Add what ``others`` (the sinks of the partitions, in order) took."""


class CarriedError(Exception):
    """An error of cdinterop raised on a worker, carried to the client as its type, message
    and attributes."""

    def __init__(self, kind: type[BaseException], message: str, attributes: dict[str, Any]):
        super().__init__(kind, message, attributes)

    def restored(self) -> BaseException:
        """The error as raised on the worker."""
        kind, message, attributes = self.args
        error: BaseException = kind.__new__(kind)
        Exception.__init__(error, message)
        error.__dict__.update(attributes)
        return error


@contextlib.contextmanager
def _carried(run_limits: limits.Limits) -> Iterator[None]:
    """Run with the client's reader limits; carry an error of cdinterop to the client."""
    try:
        with limits.use(run_limits):
            yield
    except CdinteropError as exc:
        # a run's result (IngestError.result) stays on the worker: its records may be many
        attributes = {k: None if k == "result" else v for k, v in vars(exc).items()}
        raise CarriedError(type(exc), str(exc), attributes) from None


@dataclass(frozen=True)
class Part:
    """One partition of a run: a byte range of a file (maybe the whole file)."""

    file: int
    """The index of the file among the run's files."""
    range: ByteRange

    @property
    def path(self) -> Path:
        """The file."""
        return Path(self.range.path)


def split_parts(
    path: str, file: int, options: SourceOptions, target_bytes: int, run_limits: limits.Limits
) -> list[Part]:
    """The parts of one file: record-aligned byte ranges of about ``target_bytes`` of a CSV
    file (`split_csv`), else the whole file (read errors are left to the read)."""
    with limits.use(run_limits):
        try:
            ranges = split_csv(path, options, target_bytes=target_bytes)
        except (ReadError, ValueError, OSError):
            ranges = [ByteRange.whole(path)]
    return [Part(file, r) for r in ranges]


def file_sha256(path: str) -> str:
    """The SHA-256 of a whole file (that of a file read in several parts)."""
    return FileDigest(Path(path)).sha256


def run_key(spec: IngestSpec, key: bytes | None) -> bytes | None:
    """The pseudonymisation key, read on the client (the workers may not see its source)."""
    if key is None and spec.privacy.pseudonymise:
        return _spec_key(spec.privacy.key)
    return key


# -- pass 1 ----------------------------------------------------------------------------
@dataclass
class Facts:
    """What pass 1 found in a part: per record the rules accepted, in order."""

    rows: np.ndarray
    """The source row (int64)."""
    dedup: np.ndarray
    """The digest of the de-duplication key (uint64; empty without de-duplication)."""
    complete: np.ndarray
    """Whether the de-duplication key is complete (bool)."""
    checked: np.ndarray
    """Whether the record passes the row checks (bool)."""
    keys: np.ndarray
    """The digest of the series key and period of the conformed record (uint64)."""
    series: list[np.ndarray] = field(default_factory=list)
    """Per series group: the digest of the part of the key it relates to."""
    values: list[np.ndarray] = field(default_factory=list)
    """Per series attribute (groups in order): the digest of its value (int64)."""
    present: list[np.ndarray] = field(default_factory=list)
    """Per series attribute: whether the record has a value."""

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def joined(cls, parts: Sequence[Facts]) -> Facts:
        """The facts of ``parts`` one after the other."""
        if len(parts) == 1:
            return parts[0]
        glued: dict[str, Any] = {
            f.name: np.concatenate([getattr(p, f.name) for p in parts])
            for f in dataclasses.fields(cls)
            if f.name not in ("series", "values", "present")
        }
        listed: dict[str, Any] = {
            name: [np.concatenate(arrays) for arrays in _columns(parts, name)]
            for name in ("series", "values", "present")
        }
        return cls(**glued, **listed)


def _columns(parts: Sequence[Facts], name: str) -> Iterator[tuple[np.ndarray, ...]]:
    """The arrays of the list ``name`` of each of ``parts``, position by position."""
    return zip(*(getattr(p, name) for p in parts), strict=True)


def _digests_or_empty(table: pa.Table, names: Sequence[str]) -> np.ndarray:
    """The digest of the columns ``names`` of each record (zeros without any)."""
    if not names or table.num_rows == 0:
        return np.zeros(table.num_rows, dtype=np.uint64)
    return digest64(text_columns(table, names))


def _batch_facts(records: pa.Table, keys: pa.Table, spec: IngestSpec) -> Facts:
    """The facts of one batch of records the rules accepted."""
    structure = spec.structure
    n = records.num_rows
    rows = np.asarray(records.column(ROW).to_numpy(), dtype=np.int64)
    dedup, complete = np.empty(0, np.uint64), np.empty(0, bool)
    if spec.deduplicate is not None:
        dedup, complete = dedup_digests(keys)
    table, _rows, issues = conformed(records, structure)
    checked = np.ones(n, dtype=bool)
    checked[np.unique([i.row for i in issues if i.row is not None]).astype(np.int64)] = False
    facts = Facts(rows, dedup, complete, checked, _digests_or_empty(table, structure.key_ids))
    for group in series_groups(structure):
        facts.series.append(_digests_or_empty(table, group.key))
        for attr in group.attributes:
            text = text_columns(table, [attr])[0]
            facts.values.append(_digests_or_empty(table, [attr]).view(np.int64))
            facts.present.append(np.asarray(text.is_valid().to_numpy(zero_copy_only=False)))
    return facts


def part_facts(
    part: Part, spec: IngestSpec, options: SourceOptions, secret: bytes | None, run: limits.Limits
) -> Facts:
    """Pass 1 on one part (see the module docs); ``secret`` is the pseudonymisation key."""
    with _carried(run):
        found = [
            _batch_facts(records, keys, spec)
            for records, keys in rule_batches(part.path, spec, options, secret, part.range)
            if records.num_rows
        ]
    return Facts.joined(found) if found else _no_facts(spec)


def _no_facts(spec: IngestSpec) -> Facts:
    empty_u, empty_b = np.empty(0, np.uint64), np.empty(0, bool)
    facts = Facts(np.empty(0, np.int64), empty_u, empty_b, empty_b, empty_u)
    for group in series_groups(spec.structure):
        facts.series.append(empty_u)
        facts.values += [np.empty(0, np.int64)] * len(group.attributes)
        facts.present += [empty_b] * len(group.attributes)
    return facts


# -- the decisions ---------------------------------------------------------------------
@dataclass
class Decisions:
    """What the checks across rows decided for the records of one part."""

    drop: np.ndarray | None = None
    """Per record the rules accepted, whether de-duplication filters it."""
    repeated: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    """The rows rejected because an earlier record has their key (sorted)."""
    earlier: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    """For each of ``repeated``, the earliest record with that key (file << 40 | row)."""
    differing: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    """The rows rejected because a series attribute differs from its series' first value."""
    attribute: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    """For each of ``differing``, the series attribute (index in the groups' order)."""


def decide(facts: Sequence[Facts], files: Sequence[int], spec: IngestSpec) -> list[Decisions]:
    """The decisions for every part (``files``: the file of each), from the facts of all
    the parts in order: what the stream decides reading them one after the other."""
    every = Facts.joined(facts)
    n = len(every)
    bounds = np.cumsum([0, *(len(f) for f in facts)])
    file_of = np.repeat(np.asarray(files, dtype=np.int64), np.diff(bounds))
    drop = np.zeros(n, dtype=bool)
    dedup = spec.deduplicate
    if dedup is not None:
        drop = dropped_duplicates(every.dedup, every.complete, last=dedup.keep == "last")
    alive = ~drop & every.checked
    repeated, earlier = _repeated_keys(every, alive, file_of, bool(spec.structure.key_ids))
    alive[repeated] = False
    differing, attribute = _differing(every, alive, series_groups(spec.structure))
    out = []
    for i in range(len(facts)):
        lo, hi = int(bounds[i]), int(bounds[i + 1])
        mine = (repeated >= lo) & (repeated < hi)
        order = np.argsort(every.rows[repeated[mine]], kind="stable")
        theirs = (differing >= lo) & (differing < hi)
        out.append(
            Decisions(
                drop[lo:hi] if drop[lo:hi].any() else None,
                every.rows[repeated[mine]][order],
                earlier[mine][order],
                every.rows[differing[theirs]],
                attribute[theirs],
            )
        )
    return out


def _repeated_keys(
    every: Facts, alive: np.ndarray, file_of: np.ndarray, keyed: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The records (positions) whose key an earlier living record has, with that record's
    payload (file << 40 | row)."""
    if not keyed:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    at = np.flatnonzero(alive)
    seen = DigestSet(payload=True)
    payload = (file_of[at] << FILE_SHIFT) + every.rows[at]
    first = seen.first_seen(every.keys[at], payload=payload)
    later = at[~first]
    return later, seen.payload_of(every.keys[later])


def _differing(
    every: Facts, alive: np.ndarray, groups: list[SeriesGroup]
) -> tuple[np.ndarray, np.ndarray]:
    """The living records (positions) whose series attribute differs from the first value
    of their series, with the attribute's index; ``alive`` loses them."""
    differing: list[np.ndarray] = [np.empty(0, np.int64)]
    attribute: list[np.ndarray] = [np.empty(0, np.int64)]
    index = 0
    for series, group in zip(every.series, groups, strict=True):
        for _attr in group.attributes:
            at = np.flatnonzero(every.present[index] & alive)
            values = every.values[index][at]
            seen = DigestSet(payload=True)
            first = seen.first_seen(series[at], payload=values)
            later = at[~first]
            differs = later[seen.payload_of(series[later]) != values[~first]]
            alive[differs] = False
            differing.append(differs)
            attribute.append(np.full(len(differs), index, dtype=np.int64))
            index += 1
    return np.concatenate(differing), np.concatenate(attribute)


# -- pass 2 ----------------------------------------------------------------------------
@dataclass
class Decided(AcrossRows):
    """The checks across rows of one part, decided beforehand (`decide`)."""

    decisions: Decisions = field(default_factory=Decisions)
    groups: list[SeriesGroup] = field(default_factory=list)

    def unique_keys(
        self, table: pa.Table, rows: np.ndarray, rejects: Rejects
    ) -> tuple[pa.Table, np.ndarray]:
        """See `AcrossRows.unique_keys`: the records decided repeated are rejected."""
        decided = self.decisions
        hit = np.isin(rows, decided.repeated)
        if not hit.any():
            return table, rows
        repeated = np.flatnonzero(hit)
        earlier = decided.earlier[np.searchsorted(decided.repeated, rows[repeated])]
        reject_repeated_keys(table, rows, repeated, earlier, self, rejects)
        return table.filter(pa.array(~hit)), rows[~hit]

    def consistent_series(
        self, table: pa.Table, rows: np.ndarray, rejects: Rejects
    ) -> tuple[pa.Table, np.ndarray]:
        """See `AcrossRows.consistent_series`: the records decided differing are
        rejected, under their attribute."""
        decided = self.decisions
        keep = ~np.isin(rows, decided.differing)
        if keep.all():
            return table, rows
        index = 0
        for group in self.groups:
            for attr in group.attributes:
                mine = decided.differing[decided.attribute == index]
                differs = np.flatnonzero(np.isin(rows, mine))
                reject_differing(table, rows, group.key, attr, differs, rejects)
                index += 1
        return table.filter(pa.array(keep)), rows[keep]


@dataclass
class PartResult:
    """What pass 2 gave for one part."""

    read: FileRead
    rejects: pa.Table
    """The part's reject lines, sorted by row and column."""
    filtered: Counter[str]
    profile: RecordsProfile
    sink: Any


def part_result(
    part: Part,
    decisions: Decisions,
    sink: PartSink,
    spec: IngestSpec,
    options: SourceOptions,
    secret: bytes | None,
    run: limits.Limits,
    names: list[str],
) -> PartResult:
    """Pass 2 on one part: the part streamed with its decisions into ``sink`` (an empty
    sink of its own); ``secret`` is the pseudonymisation key, ``names`` are the names of
    every file of the run."""
    with _carried(run):
        state = Decided(
            spec.structure,
            drop=decisions.drop,
            names=names,
            file=part.file,
            decisions=decisions,
            groups=series_groups(spec.structure),
        )
        rejects = Rejects(with_source=len(names) > 1)
        rejects.source = names[part.file]
        streamed = Streamed(RecordsProfile(spec.structure), rejects, Counter())
        read = stream_file(part.path, spec, sink, options, secret, state, streamed, part=part.range)
        try:
            lines = rejects.table()
        finally:
            rejects.close()
    return PartResult(read, lines, streamed.filtered, streamed.profile, sink)


def merged_stream(
    spec: IngestSpec,
    files: Sequence[Path],
    parts: Sequence[Part],
    results: Sequence[PartResult],
    sha256: dict[int, str],
    max_rows: float = float("inf"),
) -> Streamed:
    """What the local stream would have read, from the results of the parts (in order);
    ``sha256`` gives the digest of each file read in several parts. A file of more than
    ``max_rows`` records (the ``rows`` limit, which each part checked only for itself) is
    a [`LimitExceeded`][cdinterop.limits.LimitExceeded], as in the local run."""
    rejects = Rejects(with_source=len(files) > 1)
    streamed = Streamed(RecordsProfile(spec.structure), rejects, Counter())
    for index in range(len(files)):
        mine = [r for p, r in zip(parts, results, strict=True) if p.file == index]
        before = (rejects.rows, sum(streamed.filtered.values()), streamed.accepted)
        versions: Counter[str] = Counter()
        rows_read = 0
        for result in mine:
            rejects.add_run(result.rejects)
            streamed.filtered.update(result.filtered)
            streamed.profile.merge(result.profile)
            streamed.accepted += result.read.accepted
            versions.update(result.read.versions)
            rows_read += result.read.rows_read
        if rows_read > max_rows:
            raise limits.LimitExceeded(
                str(files[index]), f"more than {max_rows:,} records", "rows", max_rows
            )
        info = mine[0].read.info
        if len(mine) > 1:
            version = versions.most_common(1)[0][0] if versions else None
            info = dataclasses.replace(info, sha256=sha256[index], form_version=version)
        streamed.rows_read += rows_read
        streamed.files.append(
            FileRead(
                info,
                rows_read,
                accepted=streamed.accepted - before[2],
                filtered=sum(streamed.filtered.values()) - before[1],
                rejected=rejects.rows - before[0],
                versions=versions,
            )
        )
    return streamed
