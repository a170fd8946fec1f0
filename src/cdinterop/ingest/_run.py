"""The ingest run: a submission file and an [`IngestSpec`][cdinterop.ingest.IngestSpec] in,
validated unit records, rejects and a summary out.

Per record batch (streamed from `cdinterop.ingest._sources`; the reader's batches
are joined into tables of up to ``batch_rows`` rows, read, trimmed to the columns the
spec uses and filtered in a background thread while the previous table is processed):

1. the spec's row filters, in order, on the values as received (rows leave as *filtered*,
   counted per rule);
2. privacy steps on the source columns: drop, pseudonymise (keyed hash), coarsen geopoints
   (a geopoint that cannot be read rejects its row; the rejects never show the location);
3. one rule per component (value maps, bands, periods, expressions, fixed values); a row
   whose value fails any rule leaves as *rejected*, with its row number, the column, the
   value and the reason (every failing column of a row is listed, not only the first);
4. the structure's checks on the rows that remain (types, codes, facets, periods): failing
   rows are rejected too.

After the last batch, duplicates by the spec's ``deduplicate`` key are filtered, rows
whose series key and period repeat an earlier row are rejected, and the unit records
become a [`CitizenDataset`][cdinterop.model.CitizenDataset] whose provenance gains the source file
(size, SHA-256, form version), the privacy steps and the ingest activity (spec id and
version, cdinterop version, row counts). Every row read is accepted, filtered or rejected:
``rows_read == accepted + filtered + rejected`` always holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cdinterop._version import __version__
from cdinterop.ingest._inputs import submission_files
from cdinterop.ingest._rejects import Rejects
from cdinterop.ingest._results import IngestError, IngestResult, IngestSummary, SourceSummary
from cdinterop.ingest._rules import source_options
from cdinterop.ingest._sources import SourceInfo, SourceOptions
from cdinterop.ingest._spec import IngestSpec
from cdinterop.ingest._spill import SpilledRecords
from cdinterop.ingest._stream import RecordSink, Streamed, stream
from cdinterop.mapping import load_spec
from cdinterop.model import (
    Activity,
    ActivityType,
    Checksum,
    CitizenDataset,
    Quality,
    Source,
)
from cdinterop.model._internal import (
    CDINTEROP_AGENT_ID,
    cdinterop_agents,
    free_id,
)
from cdinterop.quality import RowCounts, measure_unit_records

StreamRunner = Callable[[list[Path], IngestSpec, SourceOptions, bytes | None], Streamed]
"""Reads the files of a run as `stream` does (files, spec, reader options, key)."""

__all__ = [
    "IngestError",
    "IngestResult",
    "IngestSummary",
    "StreamRunner",
    "StreamedIngest",
    "ingest",
    "ingest_stream",
    "too_many_message",
    "too_many_rejected",
]


def ingest(
    submission: str | Path | Sequence[str | Path],
    spec: IngestSpec | str | Path,
    *,
    key: bytes | None = None,
    options: SourceOptions | None = None,
    max_rejected: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestResult:
    """Ingest the submission file ``submission`` with ``spec`` (an
    [`IngestSpec`][cdinterop.ingest.IngestSpec] or the path of its YAML file).

    ``submission`` may also be several files, folders or glob patterns (a campaign run by
    many organisations, each with its export;
    [`submission_files()`][cdinterop.ingest.submission_files] says which files): they are
    read one after the other as one submission, de-duplicated
    and checked across files, each a source of the provenance; with several files the
    rejects have a ``source`` column first and the summary's ``sources`` gives the counts
    of each file.

    The accepted records are returned in an Arrow table; past 262,144 of them they are
    written to a temporary Arrow IPC file as they come and the table maps that file (its
    pages are read when used and can be dropped again under memory pressure; the file is
    unlinked at once), so a run of millions of records does not hold them in memory.

    ``key`` is the pseudonymisation key (default: read from ``spec.privacy.key``); ``options``
    override the spec's source options and ``max_rejected`` its ``max_rejected``; ``progress`` is
    called with the rows read so far after each batch. Raises
    [`ReadError`][cdinterop.errors.ReadError] for an unreadable file and
    [`IngestError`][cdinterop.ingest.IngestError] when the spec names columns the file lacks or more
    than ``max_rejected`` of the rows are rejected (the error carries the result).
    """
    if not isinstance(spec, IngestSpec):
        spec = load_spec(spec, IngestSpec)
    kept = SpilledRecords()  # past MEMORY_ROWS rows the records wait in a mapped file
    try:
        run = ingest_stream(submission, spec, kept, key=key, options=options, progress=progress)
        try:
            rejects = run.rejects.table()
        finally:
            run.rejects.close()
        records = kept.observations(spec.structure)
    finally:
        kept.close()
    result = IngestResult(run.dataset.replace(observations=records), rejects, run.summary)
    limit = spec.max_rejected if max_rejected is None else max_rejected
    if too_many_rejected(run.summary, limit):
        raise IngestError(too_many_message(run.summary, limit), result)
    return result


@dataclass(frozen=True)
class StreamedIngest:
    """An ingest run whose records went to a sink: the data set without its records (the
    metadata, provenance and quality measurements), the rejects (read them with
    ``rejects.tables()``, then ``rejects.close()``) and the counts."""

    dataset: CitizenDataset
    rejects: Rejects
    summary: IngestSummary


def ingest_stream(
    submission: str | Path | Sequence[str | Path],
    spec: IngestSpec,
    sink: RecordSink,
    *,
    key: bytes | None = None,
    options: SourceOptions | None = None,
    progress: Callable[[int], None] | None = None,
    runner: StreamRunner | None = None,
) -> StreamedIngest:
    """Ingest ``submission`` (a file, or several read one after the other as one
    submission) handing the accepted unit records to ``sink`` batch by batch (see
    `cdinterop.ingest._stream`): memory stays bounded by the batch, whatever the size of the
    files. The caller decides what too many rejects means
    ([`too_many_rejected`][cdinterop.ingest._run.too_many_rejected]). ``runner`` reads the
    files instead of the local stream (another engine, e.g. `cdinterop.engines`),
    handing the records to ``sink`` itself."""
    started = dt.datetime.now(dt.UTC)
    files = submission_files(submission)
    opts = options or source_options(spec)
    if runner is None:
        streamed = stream(files, spec, sink, options=opts, key=key, progress=progress)
    else:
        streamed = runner(files, spec, opts, key)
    summary = _summary(spec, streamed, started)
    dataset = _dataset(spec, [f.info for f in streamed.files], summary, started)
    summary, dataset = _measured(summary, dataset, streamed, spec, started)
    return StreamedIngest(dataset, streamed.rejects, summary)


def _summary(spec: IngestSpec, streamed: Streamed, started: dt.datetime) -> IngestSummary:
    """The counts of the run, which must add up (per file too)."""
    filtered, rejects = streamed.filtered, streamed.rejects
    files = streamed.files
    sources = tuple(
        SourceSummary(
            Path(f.info.path).name,
            str(f.info.layout),
            f.info.sha256,
            f.rows_read,
            f.accepted,
            f.filtered,
            f.rejected,
        )
        for f in files
    )
    summary = IngestSummary(
        source=", ".join(s.source for s in sources),
        layout=str(streamed.info.layout),
        sha256=streamed.info.sha256 if len(files) == 1 else "",
        spec_id=spec.id,
        spec_version=spec.version,
        rows_read=streamed.rows_read,
        accepted=streamed.accepted,
        filtered=sum(filtered.values()),
        rejected=rejects.rows,
        filtered_by_rule={name: n for name, n in filtered.items() if n},
        rejected_by_column=dict(rejects.by_column.most_common()),
        seconds=(dt.datetime.now(dt.UTC) - started).total_seconds(),
        sources=sources if len(sources) > 1 else (),
    )
    counts = [(summary.rows_read, summary.accepted, summary.filtered, summary.rejected)]
    counts += [(s.rows_read, s.accepted, s.filtered, s.rejected) for s in sources]
    if any(read != accepted + filtered + rejected for read, accepted, filtered, rejected in counts):
        raise IngestError(  # pragma: no cover - a bug, never the user's input
            f"row counts do not add up: {summary.to_dict()}"
        )
    return summary


def _measured(
    summary: IngestSummary,
    dataset: CitizenDataset,
    streamed: Streamed,
    spec: IngestSpec,
    started: dt.datetime,
) -> tuple[IngestSummary, CitizenDataset]:
    """The summary and the data set with the run's quality measurements (`cdinterop.quality`);
    the data set keeps the measurements the spec typed in before them."""
    by_code = streamed.rejects.by_code
    counts = RowCounts(
        rows_read=summary.rows_read,
        rejected=summary.rejected,
        rejected_by_reason=dict(sorted(by_code.items(), key=lambda kv: (-kv[1], kv[0]))),
        filtered_by_rule=summary.filtered_by_rule,
        duplicate_rule=spec.deduplicate.name if spec.deduplicate is not None else None,
    )
    measured = tuple(
        measure_unit_records(dataset, counts, computed_at=started, profile=streamed.profile)
    )
    quality = dataset.quality or Quality()
    typed = quality.measurements
    dataset = dataset.replace(quality=quality.model_copy(update={"measurements": typed + measured}))
    return replace(summary, quality=measured), dataset


def too_many_rejected(summary: IngestSummary, limit: float | None) -> bool:
    """Whether more than ``limit`` (a share) of the rows read were rejected."""
    rows_read, rejected = summary.rows_read, summary.rejected
    return limit is not None and rows_read > 0 and rejected / rows_read > limit


def too_many_message(summary: IngestSummary, limit: float | None) -> str:
    """Why a run with too many rejects failed, in words."""
    rows_read, rejected = summary.rows_read, summary.rejected
    return (
        f"{rejected} of {rows_read} rows rejected ({rejected / rows_read:.1%}), more than "
        f"the {limit or 0:.1%} allowed (max_rejected); see the rejects for why"
    )


def _sources(infos: Sequence[SourceInfo], taken: set[str]) -> tuple[Source, ...]:
    """One provenance source per submission file, with its size and SHA-256."""
    sources = []
    for info in infos:
        source_id = free_id("SUBMISSION", taken)
        taken.add(source_id)
        sources.append(
            Source(
                id=source_id,
                title=Path(info.path).name,
                description=f"{info.layout} export as received",
                path=Path(info.path).name,
                size=info.size,
                checksum=Checksum(value=info.sha256),
                version=info.form_version,
            )
        )
    return tuple(sources)


def _dataset(
    spec: IngestSpec, infos: Sequence[SourceInfo], summary: IngestSummary, started: dt.datetime
) -> CitizenDataset:
    """The spec's metadata and the provenance of this run (the records are added by the
    caller, or never: a streamed run); every submission file is a source of the run."""
    base = CitizenDataset.model_validate({**spec.dataset, "structure": spec.structure})
    provenance = base.provenance
    agents = cdinterop_agents(provenance)
    files = _sources(infos, {s.id for s in provenance.sources})
    used = tuple(f.id for f in files)
    sources: tuple[Source, ...] = ()
    ended = dt.datetime.now(dt.UTC)
    steps = _privacy_steps(spec)
    ds = base
    taken = {a.id for a in provenance.activities}
    if steps:
        ds = ds.with_activity(
            Activity(
                id=free_id("PSEUDONYMISE", taken),
                type=ActivityType.PSEUDONYMISATION,
                label="; ".join(steps),
                started_at=started,
                ended_at=ended,
                agents=(CDINTEROP_AGENT_ID,),
                used=used,
                software=CDINTEROP_AGENT_ID,
                parameters={"key": spec.privacy.key} if spec.privacy.pseudonymise else {},
            ),
            agents=agents,
            sources=files,
        )
        agents, sources = (), ()
    else:
        sources = files
    ds = ds.with_activity(
        Activity(
            id=free_id("INGEST", taken),
            type=ActivityType.INGESTION,
            label=f"ingest {summary.source} with mapping spec {spec.id} {spec.version}",
            started_at=started,
            ended_at=ended,
            agents=(CDINTEROP_AGENT_ID,),
            used=used,
            method=f"mapping spec {spec.id} version {spec.version}",
            software=CDINTEROP_AGENT_ID,
            rows_in=summary.rows_read,
            rows_out=summary.accepted,
            parameters={
                "spec": spec.id,
                "spec_version": spec.version,
                "cdinterop": __version__,
                "rows_read": summary.rows_read,
                "accepted": summary.accepted,
                "filtered": summary.filtered,
                "rejected": summary.rejected,
            },
        ),
        agents=agents,
        sources=sources,
    )
    return ds


def _privacy_steps(spec: IngestSpec) -> list[str]:
    privacy = spec.privacy
    steps = []
    if privacy.drop:
        steps.append(f"dropped {', '.join(privacy.drop)}")
    if privacy.pseudonymise:
        steps.append(f"pseudonymised {', '.join(privacy.pseudonymise)} (HMAC-SHA256, keyed)")
    for name, coarsening in privacy.geopoints.items():
        how = f"a {coarsening.grid}° grid" if coarsening.grid else f"the area in {coarsening.area}"
        steps.append(f"coarsened {name} to {how}")
    return steps
