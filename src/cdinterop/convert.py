"""The main job: one raw submission to SDMX, a Data Package and DCAT, all or nothing.

[`convert()`][cdinterop.convert.convert] runs every step an NSO data engineer needs, each recorded
in the provenance of the published data set (source file checksum → ingest → aggregation →
disclosure control → conversion, with agents and software versions):

1. ingest the submission with the mapping spec
   ([`cdinterop.ingest.ingest()`][cdinterop.ingest.ingest]);
2. aggregate the unit records with the spec's ``aggregation`` section, with disclosure
   control ([`cdinterop.aggregate.aggregate()`][cdinterop.aggregate.aggregate]);
3. optionally conform the indicators to an external DSD
   ([`cdinterop.conformance.conform_with_report`][cdinterop.conformance.conform_with_report]);
4. write the requested outputs (``sdmx/``, ``datapackage.zip``, ``dataset.ttl``) plus
   ``dataset.json``, ``rejects.csv`` and ``summary.json``; the DCAT description lists the
   SDMX data files and the Data Package as distributions with their sizes and SHA-256.

Two addresses are distinct: ``base_url`` is where the files will be published (the
distributions' download URLs), ``base_iri`` the namespace of the identifiers minted for the
DCAT description (the data set, its distributions, agents, activities; default
``https://example.org/cdinterop/``).

Everything is written to a staging folder beside the output and swapped in at the end
(`cdinterop._publish`), so a failure, or a kill, leaves the output folder as it was, and a
second run into the same folder is refused while one is writing.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_serializer,
    field_validator,
    model_serializer,
)

from cdinterop._files import write_json
from cdinterop._publish import RUN_OUTPUTS, publish, reserving
from cdinterop._version import __version__
from cdinterop.aggregate import (
    AggregationReport,
    AggregationResult,
    AggregationSpec,
    Calibration,
    DisclosureMethodName,
    SecondaryMethod,
)
from cdinterop.errors import CdinteropError, WriteError
from cdinterop.ingest import (
    IngestError,
    IngestResult,
    IngestSpec,
    IngestSummary,
    SourceOptions,
    submission_files,
)
from cdinterop.ingest._internal import Rejects, SpilledRecords, source_options
from cdinterop.model import (
    Activity,
    ActivityType,
    Availability,
    Checksum,
    CitizenDataset,
    DataStructure,
    Distribution,
    Observations,
    Quality,
    QualityMeasurement,
)
from cdinterop.model._internal import CDINTEROP_AGENT_ID, cdinterop_agents, free_id

__all__ = [
    "ENGINES",
    "OUTPUTS",
    "OWNED",
    "ConformCounts",
    "ConvertError",
    "ConvertResult",
    "ConvertSummary",
    "FormulaTextCount",
    "WrittenFile",
    "check_engine",
    "check_request",
    "convert",
    "writable_outputs",
]

ENGINES = ("local", "dask")
"""Where ``convert()`` can run the ingest step: ``local`` (this process, the default) or
``dask`` (a Dask cluster, the ``dask`` extra)."""
OUTPUTS = ("sdmx", "datapackage", "dcat")
"""The built-in outputs ``convert()`` writes by default (a plugin can add more, see
[`writable_outputs()`][cdinterop.convert.writable_outputs])."""
OWNED = RUN_OUTPUTS
"""Every name ``convert()`` (or ``cdinterop ingest``) may write in the output folder; those a
run does not write are removed, so the folder never mixes two runs. The ``sdmx`` folder is
cdinterop's and is replaced as a whole; other files in the output folder are left alone."""
_DATA_FORMATS = {
    ".xml": ("SDMX", "application/xml"),
    ".csv": ("CSV", "text/csv"),
    ".json": ("JSON", "application/json"),
}


class ConvertError(CdinteropError):
    """A conversion step failed; ``summary`` holds what was known (e.g. the ingest counts),
    ``None`` when it failed before anything was read."""

    def __init__(self, message: str, summary: ConvertSummary | None = None) -> None:
        super().__init__(message)
        self.summary = summary


@dataclass(frozen=True)
class WrittenFile:
    """A file [`convert()`][cdinterop.convert.convert] wrote, relative to the output folder."""

    path: str
    """Path inside the output folder, with ``/`` separators."""
    bytes: int
    """Size in bytes."""
    sha256: str
    """SHA-256 of the bytes."""


class ConformCounts(BaseModel):
    """The conformance step of a conversion, in ``summary.json`` (``conform``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rows_in: int
    """Observations before conforming."""
    rows_out: int
    """Observations of the conformed data set."""


class FormulaTextCount(BaseModel):
    """Text values of one column that begin with a formula character (``=``, ``+``, ``@``,
    tab, CR, ``-`` unless a number), in ``summary.json`` (``formula_text``): a warning, the
    values themselves are left out."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data: str
    """Which data: ``unit records`` or ``published data``."""
    column: str
    """The column."""
    count: int
    """How many of its values begin so."""
    row: int
    """The 0-based row of the first."""


_LEFT_OUT_WHEN_EMPTY = (
    "failed",
    "aggregate",
    "conform",
    "formula_text",
    "sdmx_left_out",
    "base_iri",
    "quality",
    "representativeness",
    "weighting",
)
"""Keys of ``summary.json`` written only when they say something."""


class ConvertSummary(BaseModel):
    """What [`convert()`][cdinterop.convert.convert] did, in numbers: the content of
    ``summary.json``.

    [`to_dict()`][cdinterop.convert.ConvertSummary.to_dict] (or ``model_dump(mode="json")``)
    gives the JSON form, which leaves out the parts a run did not have (``aggregate``,
    ``conform``, ``formula_text``, ``sdmx_left_out``, ``base_iri``; ``failed`` unless true);
    ``ConvertSummary.model_validate(json.loads(text))`` reads a ``summary.json`` back.
    ``summary["ingest"]`` reads the JSON form, as when the summary was a dict.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    ingest: IngestSummary
    """The counts of the ingest step (``rows_read == accepted + filtered + rejected``)."""
    failed: bool = False
    """Whether the run stopped after too many rejects (only ``rejects.csv`` was written)."""
    aggregate: AggregationReport | None = None
    """The aggregation step, when the spec has an ``aggregation`` section."""
    conform: ConformCounts | None = None
    """The conformance step, when the run conformed to an external DSD."""
    formula_text: tuple[FormulaTextCount, ...] = ()
    """Per text column, values that begin with a formula character (a warning)."""
    files: tuple[WrittenFile, ...] = ()
    """Every file written (``summary.json`` itself excepted), with size and SHA-256."""
    sdmx_left_out: dict[str, str] = Field(default_factory=dict)
    """SDMX structure messages not written, each with the reason."""
    outputs: tuple[str, ...] = ()
    """The outputs asked for (none after a failed run)."""
    base_iri: str | None = None
    """The base IRI the DCAT identifiers were minted under, when the run was given one."""
    quality: tuple[QualityMeasurement, ...] = ()
    """The quality measurements of the run (`cdinterop.quality`): those of the unit records
    and those of the cells, as in the published data set's ``quality.measurements``."""
    representativeness: dict[str, Any] | None = None
    """The unit records against the spec's benchmark (`cdinterop.fitness.compare`): shares,
    total variation, R-indicator, missing and under-represented groups."""
    weighting: dict[str, Any] | None = None
    """The raking run, when the spec weights the records (`cdinterop.fitness.rake`)."""

    @field_validator("ingest", mode="before")
    @classmethod
    def _ingest_from_json(cls, value: Any) -> Any:
        """Read the JSON form of the ingest counts (``spec`` as ``{id, version}``)."""
        if isinstance(value, dict) and isinstance(value.get("spec"), dict):
            value = dict(value)
            spec = value.pop("spec")
            value.update(spec_id=spec.get("id"), spec_version=spec.get("version"))
        return value

    @field_serializer("ingest")
    def _ingest_json(self, value: IngestSummary) -> dict[str, Any]:
        return value.to_dict()

    @field_serializer("quality")
    def _quality_json(self, value: tuple[QualityMeasurement, ...]) -> list[dict[str, Any]]:
        return [m.model_dump(mode="json", exclude_none=True) for m in value]

    @field_serializer("aggregate")
    def _aggregate_json(self, value: AggregationReport | None) -> dict[str, Any] | None:
        return None if value is None else value.to_dict()

    @model_serializer(mode="wrap")
    def _without_empty_parts(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v or k not in _LEFT_OUT_WHEN_EMPTY}

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the content of ``summary.json``."""
        return self.model_dump(mode="json")

    def to_json(self) -> str:
        """The text of ``summary.json`` (indented UTF-8 JSON with a final newline)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def __getitem__(self, key: str) -> Any:
        """A part of the JSON form (``summary["ingest"]["accepted"]``), as when the summary
        was a dict."""
        return self.to_dict()[key]

    def __contains__(self, key: object) -> bool:
        """Whether the JSON form has the part ``key`` (``"aggregate" in summary``)."""
        return key in self.to_dict()


@dataclass(frozen=True)
class ConvertResult:
    """What [`convert()`][cdinterop.convert.convert] returns."""

    dataset: CitizenDataset
    """The published data set (indicators, provenance chain, distributions)."""
    files: tuple[WrittenFile, ...]
    """Every file written, with size and checksum."""
    summary: ConvertSummary
    """What the run did: the content of ``summary.json``."""


def _with_conversion(
    ds: CitizenDataset, outputs: Sequence[str], started: dt.datetime
) -> CitizenDataset:
    """Append the conversion activity (which outputs, by which software version)."""
    taken = {a.id for a in ds.provenance.activities}
    return ds.with_activity(
        Activity(
            id=free_id("CONVERT", taken),
            type=ActivityType.CONVERSION,
            label=f"convert to {', '.join(outputs)} with cdinterop {__version__}",
            started_at=started,
            ended_at=dt.datetime.now(dt.UTC),
            agents=(CDINTEROP_AGENT_ID,),
            software=CDINTEROP_AGENT_ID,
            rows_in=len(ds.observations),
            rows_out=len(ds.observations),
            parameters={"outputs": ",".join(outputs), "cdinterop": __version__},
        ),
        agents=cdinterop_agents(ds.provenance),
    )


def _distributions(
    ds: CitizenDataset, staging: Path, files: Sequence[Path], base_url: str
) -> tuple[Distribution, ...]:
    """One distribution per published data file, measured on disk."""
    structure_url = f"{base_url}sdmx/structure-2.1.xml"
    out = []
    for path in files:
        relative = path.relative_to(staging).as_posix()
        if path.suffix == ".zip":
            fmt, media = "ZIP", "application/zip"
            conforms: tuple[str, ...] = ("https://datapackage.org/standard/data-package/",)
            what = "The observations, codelists and metadata as a Data Package v2"
        else:
            fmt, media = _DATA_FORMATS[path.suffix]
            conforms = (structure_url,) if (staging / "sdmx" / "structure-2.1.xml").exists() else ()
            what = f"The observations as SDMX ({path.stem.removeprefix('data-')})"
        out.append(
            Distribution.of_file(
                path,
                id=relative.replace("/", "_").replace(".", "_").replace("-", "_").upper(),
                access_url=f"{base_url}{relative}",
                format=fmt,
                media_type=media,
                title={"en": relative},
                description={"en": f"{what}."},
                licence=ds.licence,
                conforms_to=conforms,
                availability=Availability.STABLE,
            )
        )
    return tuple(out)


def _formula_text(
    unit_records: _FormulaScan, published: CitizenDataset | None
) -> tuple[FormulaTextCount, ...]:
    """Per text column, how many values begin with a formula character (``=``, ``+``,
    ``@``, tab, CR, ``-`` unless a number) and the row of the first, in the accepted unit
    records (scanned as they streamed) and in the published data (when aggregated or
    conformed). The values themselves are left out: the unit records may not be published."""
    found = [("unit records", unit_records)]
    if published is not None:
        scan = _FormulaScan()
        scan.add(published.observations.table)
        found.append(("published data", scan))
    return tuple(
        FormulaTextCount(data=data, column=column, count=count, row=row)
        for data, scan in found
        for column, (count, row) in sorted(scan.found.items(), key=lambda hit: hit[1][1])
    )


class _FormulaScan:
    """Text values that begin with a formula character, counted per column batch by batch
    (with the 0-based row of the first, over all the batches)."""

    def __init__(self) -> None:
        self.found: dict[str, tuple[int, int]] = {}
        self.rows = 0

    def add(self, table: pa.Table) -> None:
        """Scan one batch (the rows that follow those scanned so far)."""
        from cdinterop._formulas import formula_text

        for hit in formula_text(table):
            count, first = self.found.get(hit.column, (0, self.rows + hit.row))
            self.found[hit.column] = (count + hit.count, first)
        self.rows += table.num_rows

    def merge(self, other: _FormulaScan) -> None:
        """Add the scan of the batches that follow those scanned so far."""
        for column, (count, first) in other.found.items():
            had, row = self.found.get(column, (0, self.rows + first))
            self.found[column] = (had + count, row)
        self.rows += other.rows


class _Aggregating:
    """A sink of the ingest stream that aggregates the unit records as they come
    (`cdinterop.aggregate.CellAccumulator`) and scans them for formula text; it holds
    the cells, never the records."""

    def __init__(self, spec: AggregationSpec) -> None:
        from cdinterop.aggregate import CellAccumulator

        self.spec = spec
        self.cells = CellAccumulator(spec)
        self.formulas = _FormulaScan()

    def fresh(self) -> _Aggregating:
        """An empty sink of the same spec (for a partition of a distributed run)."""
        return _Aggregating(self.spec)

    def merge(self, others: Sequence[_Aggregating]) -> None:
        """Add what ``others`` (the sinks of the partitions that follow, in order) took."""
        from cdinterop.aggregate import merge_accumulators

        self.cells = merge_accumulators([self.cells, *(o.cells for o in others)])
        for other in others:
            self.formulas.merge(other.formulas)

    def add(self, records: pa.Table) -> None:
        self.cells.add(records)
        self.formulas.add(records)

    def finish(self, unit_records: CitizenDataset) -> AggregationResult:
        """The aggregation of every record added (``unit_records`` gives the metadata)."""
        return self.cells.finish(unit_records)


@dataclass(frozen=True)
class _Ingested:
    """The ingest step of a conversion: the unit-record data set (without its records when
    they were aggregated as they streamed), the rejects and the counts."""

    dataset: CitizenDataset
    rejects: Rejects
    summary: IngestSummary


class _Keeping:
    """A sink of the ingest stream that keeps the unit records (a spec without aggregation
    publishes them): in a temporary memory-mapped file past a few hundred thousand records
    (`SpilledRecords`). A partition's sink (``fresh()``, on a Dask worker) keeps its
    records as tables, merged into the client's file in part order."""

    def __init__(self, spilled: SpilledRecords | None = None) -> None:
        self.spilled = spilled
        self.tables: list[pa.Table] = []
        self.formulas = _FormulaScan()

    def fresh(self) -> _Keeping:
        """An empty sink for a partition of a distributed run."""
        return _Keeping()

    def merge(self, others: Sequence[_Keeping]) -> None:
        """Add the records of ``others`` (the sinks of the partitions, in order)."""
        for other in others:
            for table in other.tables:
                self.add(table)

    def add(self, records: pa.Table) -> None:
        if self.spilled is None:
            self.tables.append(records)
            return
        self.spilled.add(records)
        self.formulas.add(records)

    def observations(self, structure: DataStructure) -> Observations:
        """The records kept, as observations of ``structure``."""
        assert self.spilled is not None
        return self.spilled.observations(structure)

    def close(self) -> None:
        """Remove the temporary file, if any."""
        if self.spilled is not None:
            self.spilled.close()


class _RowsRead:
    """Progress of the local engine: a line with the rows read so far, at most one every
    `EVERY` seconds (long runs only)."""

    EVERY = 1.0

    def __init__(self, say: Callable[[str], None], names: str) -> None:
        self._say, self._names = say, names
        self._last = time.monotonic()

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if now - self._last >= self.EVERY:
            self._last = now
            self._say(f"ingesting {self._names}: {rows:,} rows read")


def _protecting(spec: IngestSpec) -> str:
    """What the aggregation line adds when secondary suppression searches a pattern (it
    may take up to the spec's time limit, and more on large tables)."""
    agg = spec.aggregation
    d = agg.disclosure if agg is not None else None
    if d is None or d.method is not DisclosureMethodName.CELL_SUPPRESSION or not d.secondary:
        return ""
    if d.secondary_method is SecondaryMethod.SIMPLE:
        return ""
    return f", protecting small cells ({d.secondary_method.value}, time limit {d.time_limit:g} s)"


def _names(files: Sequence[Path]) -> str:
    """The names of the submission files, the first three and an ellipsis."""
    return f"{', '.join(f.name for f in files[:3])}{' …' if len(files) > 3 else ''}"


def _ingest_streamed(
    submission: Sequence[Path],
    spec: IngestSpec,
    target: Path,
    sink: _Aggregating | _Keeping,
    options: SourceOptions,
    key: bytes | None,
    max_rejected: float | None,
    engine: _Engine,
) -> _Ingested:
    """Ingest handing the records to ``sink`` as they stream (memory bounded by a batch
    when it aggregates them), here or on a Dask cluster (then ``sink`` gets the merged
    partial sinks)."""
    from cdinterop.ingest._internal import ingest_stream, too_many_message, too_many_rejected

    runner = None
    if engine.name == "dask":
        from cdinterop.engines._internal import dask_runner

        runner = dask_runner(
            sink,
            scheduler=engine.scheduler,
            partition_bytes=engine.partition_bytes,
            progress=engine.say,
        )
    counted = _RowsRead(engine.say, _names(submission))
    streamed = ingest_stream(
        submission, spec, sink, key=key, options=options, runner=runner, progress=counted
    )
    limit = spec.max_rejected if max_rejected is None else max_rejected
    if too_many_rejected(streamed.summary, limit):
        try:
            _write_failed(streamed.summary, streamed.rejects, target)
            result = IngestResult(streamed.dataset, streamed.rejects.table(), streamed.summary)
        finally:
            streamed.rejects.close()
        raise IngestError(too_many_message(streamed.summary, limit), result)
    return _Ingested(streamed.dataset, streamed.rejects, streamed.summary)


def _written(staging: Path) -> tuple[WrittenFile, ...]:
    files = []
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        checksum = Checksum.of_file(path)
        files.append(
            WrittenFile(path.relative_to(staging).as_posix(), path.stat().st_size, checksum.value)
        )
    return tuple(files)


def check_request(
    to: Sequence[str],
    structure: str | Path | None,
    conform: str | Path | None,
    *,
    base_iri: str | None = None,
) -> None:
    """Raise [`ConvertError`][cdinterop.convert.ConvertError] for outputs that no written
    format of the registry ([`cdinterop.formats`][cdinterop.formats]) has (or none), for
    ``structure`` without ``conform`` or the reverse, and for a ``base_iri`` that is not an
    absolute ``http`` or ``https`` IRI: what ``convert()`` checks before it reads anything.
    [`OUTPUTS`][cdinterop.convert.OUTPUTS] are the built-in ones."""
    unknown = [name for name in to if not _writes(name)]
    if unknown or not to:
        known = ", ".join(writable_outputs())
        raise ConvertError(f"unknown output(s) {unknown}; choose from {known}")
    if (structure is None) != (conform is None):
        raise ConvertError("structure and conform go together: give both or neither")
    if base_iri is not None:
        _check_base_iri(base_iri)


def _check_base_iri(base: str) -> None:
    """Raise ``ConvertError`` unless ``base`` is an IRI the DCAT writer can mint identifiers
    under (its own rule, `cdinterop.dcat`), checked before anything is read."""
    from cdinterop.dcat._internal import check_base_iri

    if not isinstance(base, str):
        raise ConvertError(f"base IRI {base!r}: it must be a string")
    try:
        check_base_iri(base)
    except WriteError as exc:
        raise ConvertError(str(exc)) from None


def _writes(name: str) -> bool:
    """Whether the registry has a format ``name`` that writes (a built-in name is answered
    without listing the plugins)."""
    from cdinterop.formats import UnknownFormatError, get_format

    try:
        return get_format(name).write is not None
    except UnknownFormatError:
        return False


def writable_outputs() -> tuple[str, ...]:
    """Names ``convert()`` accepts as outputs: every format of the registry that writes
    (the built-in [`OUTPUTS`][cdinterop.convert.OUTPUTS] and the installed plugins')."""
    from cdinterop.formats import formats

    return tuple(f.name for f in formats() if f.write is not None)


def _loaded(spec: IngestSpec | str | Path) -> IngestSpec:
    if isinstance(spec, IngestSpec):
        return spec
    from cdinterop.mapping import load_spec

    return load_spec(spec, IngestSpec)


@dataclass(frozen=True)
class _Engine:
    """Where the ingest step runs: ``local`` (this process) or ``dask`` (a cluster)."""

    name: str = "local"
    scheduler: str | None = None
    partition_bytes: int | None = None
    say: Callable[[str], None] = lambda _line: None
    """Where the progress lines go."""


def check_engine(
    engine: str,
    spec: IngestSpec,
    *,
    scheduler: str | None = None,
    partition_bytes: int | None = None,
) -> None:
    """Raise [`ConvertError`][cdinterop.convert.ConvertError] when ``convert()`` cannot run
    ``spec`` on ``engine`` (one of [`ENGINES`][cdinterop.convert.ENGINES]) with these
    options: a scheduler or partition size for the local engine, a partition size below
    one byte. (``spec`` is taken for checks that depend on it.)"""
    if engine not in ENGINES:
        raise ConvertError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if engine == "local" and (scheduler is not None or partition_bytes is not None):
        raise ConvertError("a scheduler and a partition size are for the dask engine")
    if partition_bytes is not None and partition_bytes < 1:
        raise ConvertError(f"the partition size must be positive, not {partition_bytes}")


def _ingested(
    inputs: list[Path],
    spec: IngestSpec,
    target: Path,
    reading: SourceOptions,
    key: bytes | None,
    max_rejected: float | None,
    engine: _Engine,
) -> tuple[_Ingested, _Aggregating | None, _FormulaScan]:
    """The submission read: the unit records kept (no aggregation), or aggregated as they
    stream into the returned sink; with the formula-like text seen in the unit records."""
    if spec.aggregation is None:
        kept = _Keeping(SpilledRecords())
        try:
            ingested = _ingest_streamed(
                inputs, spec, target, kept, reading, key, max_rejected, engine
            )
            records = kept.observations(spec.structure)
        finally:
            kept.close()
        dataset = ingested.dataset.replace(observations=records)
        return replace(ingested, dataset=dataset), None, kept.formulas
    sink = _Aggregating(spec.aggregation)
    ingested = _ingest_streamed(inputs, spec, target, sink, reading, key, max_rejected, engine)
    counts = ingested.summary
    if counts.accepted == 0:
        why = ", ".join(f"{rule}: {n:,}" for rule, n in counts.filtered_by_rule.items())
        raise ConvertError(
            f"no unit records to aggregate: {counts.rows_read:,} rows read, none accepted "
            f"({counts.filtered:,} filtered{f' by {why}' if why else ''}, "
            f"{counts.rejected:,} rejected)",
            ConvertSummary(ingest=counts),
        )
    return ingested, sink, sink.formulas


@reserving("output")  # the output folder is locked for the whole run
def convert(
    submission: str | Path | Sequence[str | Path],
    spec: IngestSpec | str | Path,
    output: str | Path,
    *,
    to: Sequence[str] = OUTPUTS,
    structure: str | Path | None = None,
    conform: str | Path | None = None,
    base_url: str | None = None,
    base_iri: str | None = None,
    key: bytes | None = None,
    max_rejected: float | None = None,
    progress: Callable[[str], None] | None = None,
    batch_rows: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    partition_bytes: int | None = None,
) -> ConvertResult:
    """Convert ``submission`` with ``spec`` (an [`IngestSpec`][cdinterop.ingest.IngestSpec] with
    an ``aggregation`` section, or the path of its YAML file) and write the outputs into
    ``output``.

    ``submission`` is a file, or several exports read as one submission (files, folders,
    glob patterns: [`submission_files()`][cdinterop.ingest.submission_files]). With an
    ``aggregation`` the unit records are aggregated as they are read, batch by batch
    (`cdinterop.aggregate.CellAccumulator`), so memory is bounded by a batch and the cells,
    not the size of the submission; without one the unit records are the output (past a
    few hundred thousand they wait in a temporary memory-mapped file). ``batch_rows`` sets
    the rows per batch (default [`SourceOptions.batch_rows`][cdinterop.ingest.SourceOptions]):
    smaller batches use less memory, larger ones run faster; the outputs are the same
    whatever it is.

    ``engine`` is where the ingest step runs (see [`ENGINES`][cdinterop.convert.ENGINES]):
    ``"local"`` (the default) in this process; ``"dask"`` on a Dask cluster (the ``dask``
    extra, `cdinterop.engines`), the scheduler at the address ``scheduler`` or a
    local cluster of two worker processes started for the run. The Dask engine reads
    large CSV files in record-aligned byte ranges of about ``partition_bytes`` bytes
    (default 64 MiB) and other files whole, aggregates each part on a worker and merges the
    partial cells here (without an ``aggregation`` section, the parts' unit records come
    back here in order), and its outputs are those of the local engine, file for file,
    whatever the partitioning (see [`check_engine()`][cdinterop.convert.check_engine] for
    what it refuses).

    ``to`` picks outputs among [`OUTPUTS`][cdinterop.convert.OUTPUTS]; ``structure`` and ``conform``
    (an SDMX structure message and a conformance mapping) conform the indicators to an external DSD
    first (the structure may be a ``str`` SDMX URN or URL: it is fetched, or taken from the cache,
    before anything is read; see
    [`cdinterop.sdmx.fetch_structure`][cdinterop.sdmx.fetch_structure]); ``base_url`` is where
    the files will be published (the distributions' URLs; default: the
    data set's landing page, else the output folder as a ``file:`` URL); ``base_iri`` is the
    namespace under which the DCAT description mints its identifiers (the data set, its
    distributions, agents, activities, ...; default ``https://example.org/cdinterop/``, see
    [`cdinterop.dcat.DEFAULT_BASE_IRI`][cdinterop.dcat.DEFAULT_BASE_IRI]): an absolute
    ``http`` or ``https`` IRI, checked before anything is read. The files may be published
    at one address and identified under another. ``progress`` receives a line per step.

    ``rejects.csv`` is for people: a text cell that begins with ``=``, ``+``, ``-`` (unless a
    plain number), ``@``, tab or CR gets a ``'`` in front, so a spreadsheet does not run it as
    a formula; the data files keep every value exact. Text values of the data that begin
    with such a character are counted per column in the summary's ``formula_text`` (a
    warning, no error).

    The outputs replace those of an earlier run in ``output`` (see
    [`OWNED`][cdinterop.convert.OWNED]). Raises [`ConvertError`][cdinterop.convert.ConvertError]
    (with the summary so far; also when no unit record is left to aggregate),
    [`IngestError`][cdinterop.ingest.IngestError] (after too many rejects, ``output`` then holds
    only ``rejects.csv`` and ``summary.json`` with ``"failed": true``), or the errors of the
    steps ([`ReadError`][cdinterop.errors.ReadError], ``InvalidDatasetError``).
    """
    check_request(to, structure, conform, base_iri=base_iri)
    options: dict[str, object] = {} if base_iri is None else {"base_iri": base_iri}
    started = dt.datetime.now(dt.UTC)
    spec = _loaded(spec)
    check_engine(engine, spec, scheduler=scheduler, partition_bytes=partition_bytes)
    say = progress or (lambda _line: None)
    _fetch_early(structure, say)
    runs_on = _Engine(engine, scheduler, partition_bytes, say)
    target = Path(output)
    inputs = submission_files(submission)
    reading = source_options(spec)
    if batch_rows is not None:
        reading = replace(reading, batch_rows=batch_rows)
    say(f"ingesting {_names(inputs)}")
    result, sink, unit_formulas = _ingested(
        inputs, spec, target, reading, key, max_rejected, runs_on
    )
    dataset, rejects = result.dataset, result.rejects
    report: AggregationReport | None = None
    conformed_counts: ConformCounts | None = None
    calibration: Calibration | None = None
    if sink is not None:
        say(f"aggregating {result.summary.accepted:,} unit records{_protecting(spec)}")
        aggregated = sink.finish(dataset)
        dataset = aggregated.dataset
        report = aggregated.report
        calibration = aggregated.calibration
    if structure is not None and conform is not None:
        dataset, conformed_counts = _conformed(dataset, structure, conform, say)
    formulas = _formula_text(unit_formulas, dataset if dataset is not result.dataset else None)
    dataset, measured = _with_quality(dataset, result, report, started)
    dataset = _with_conversion(dataset, to, started)
    base_url = _files_base(base_url, dataset, target)
    with publish(target, OWNED) as staging:
        published = _write_outputs(dataset, rejects, staging, to, base_url, options, say)
        not_written: dict[str, str] = {}
        if "sdmx" in to:
            from cdinterop import sdmx

            not_written = sdmx.left_out(dataset)
        summary = ConvertSummary(
            ingest=result.summary,
            aggregate=report,
            conform=conformed_counts,
            formula_text=formulas,
            sdmx_left_out=not_written,
            outputs=tuple(to),
            base_iri=base_iri,
            quality=measured,
            representativeness=calibration.representativeness if calibration else None,
            weighting=calibration.weighting if calibration else None,
        )
        _write_report(staging, summary, dataset, say)  # listed among the files below
        files = _written(staging)
        summary = summary.model_copy(update={"files": files})
        write_json(staging / "summary.json", summary.to_dict())
    rejects.close()
    say(f"written to {target}")
    return ConvertResult(published, files, summary)


def _conformed(
    dataset: CitizenDataset,
    structure: str | Path,
    conform: str | Path,
    say: Callable[[str], None],
) -> tuple[CitizenDataset, ConformCounts]:
    """The indicators conformed to the external structure, and the rows in and out."""
    from cdinterop.conformance import conform_with_report

    say(f"conforming to {_structure_label(structure)}")
    conformed = conform_with_report(dataset, structure, conform)
    counts = ConformCounts(rows_in=conformed.report.rows_in, rows_out=conformed.report.rows_out)
    return conformed.dataset, counts


def _structure_label(structure: str | Path) -> str:
    """The file name of a structure, or the SDMX URN or URL it is fetched from."""
    from cdinterop.sdmx._internal import is_remote

    return str(structure) if is_remote(structure) else Path(structure).name


def _fetch_early(structure: str | Path | None, say: Callable[[str], None]) -> None:
    """Fetch a structure named by SDMX URN or URL (or find its cached copy) before anything
    is read, so that a registry out of reach fails the run at once, not after ingesting."""
    from cdinterop.sdmx._internal import fetch, is_remote

    if structure is not None and is_remote(structure):
        say(f"fetching {structure}")
        fetch(str(structure))


def _files_base(base_url: str | None, dataset: CitizenDataset, target: Path) -> str:
    """Where the files will be published, ending in ``/``: ``base_url``, else the data
    set's landing page, else the output folder as a ``file:`` URL."""
    if base_url is None:
        if dataset.landing_page is not None:
            base_url = str(dataset.landing_page)
        else:
            base_url = target.resolve().as_uri()
    return base_url if base_url.endswith("/") else base_url + "/"


def _write_report(
    staging: Path, summary: ConvertSummary, dataset: CitizenDataset, say: Callable[[str], None]
) -> None:
    """``report.html`` beside the outputs: charts when matplotlib (the ``report`` extra) is
    installed, tables without it."""
    from cdinterop.report import write_report

    write_report(staging, summary=summary.to_dict(), dataset=dataset)
    say("report.html written")


def _with_quality(
    ds: CitizenDataset,
    result: _Ingested,
    report: AggregationReport | None,
    started: dt.datetime,
) -> tuple[CitizenDataset, tuple[QualityMeasurement, ...]]:
    """The published data set with the run's quality measurements (those of the unit records
    from the ingest step, those of the cells of the aggregation) after the measurements the
    spec typed in; and the run's measurements."""
    from cdinterop.quality import measure_cells

    unit = result.summary.quality
    cells = tuple(measure_cells(report, computed_at=started)) if report is not None else ()
    quality = ds.quality or Quality()
    typed = tuple(m for m in quality.measurements if m not in unit)
    measured = unit + cells
    if quality.measurements == typed + measured:
        return ds, measured
    updated = quality.model_copy(update={"measurements": typed + measured})
    return ds.replace(quality=updated), measured


def _write_failed(counts: IngestSummary, rejects: Rejects, target: Path) -> None:
    """After too many rejects: only ``rejects.csv`` and ``summary.json`` (``"failed":
    true``), replacing the outputs of an earlier run."""
    with publish(target, OWNED) as staging:
        rejects.write_csv(staging / "rejects.csv")
        summary = ConvertSummary(ingest=counts, failed=True, files=_written(staging))
        write_json(staging / "summary.json", summary.to_dict())


def _write_outputs(
    dataset: CitizenDataset,
    rejects: Rejects,
    staging: Path,
    to: Sequence[str],
    base_url: str,
    options: Mapping[str, object],
    say: Callable[[str], None],
) -> CitizenDataset:
    """Write every output into ``staging`` through the format registry
    (`cdinterop.formats`), each with the run's ``options`` it takes: the formats that hold
    the data first, then those that describe the published data set, which lists the data
    files they return as distributions (those of a kind `_distributions()` describes:
    SDMX-ML, SDMX-CSV, a zipped Data Package); ``dataset.json`` always. Return the data set
    with its distributions."""
    from cdinterop.formats import formats
    from cdinterop.model._internal import save

    chosen = formats(to)
    for fmt in chosen:
        if fmt.write is None:
            raise ConvertError(f"the format {fmt.name} is read, not written")
    data_files: list[Path] = []
    for fmt in chosen:
        if fmt.write is not None and not fmt.describes:
            say(f"writing {fmt.title}")
            written = fmt.write_into(dataset, staging, options)
            data_files += [p for p in written if p.suffix in {".zip", *_DATA_FORMATS}]
    published = dataset.replace(
        distributions=_distributions(dataset, staging, data_files, base_url)
    )
    for fmt in chosen:
        if fmt.write is not None and fmt.describes:
            say(f"writing {fmt.title}")
            fmt.write_into(published, staging, options)
    if all(fmt.name != "model" for fmt in chosen):
        save(published, staging / "dataset.json")
    rejects.write_csv(staging / "rejects.csv")
    return published
