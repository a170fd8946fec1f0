"""The main job: one raw submission to SDMX, a Data Package and DCAT, all or nothing.

[`convert()`][cdinterop.convert.convert] runs every step an NSO data engineer needs, each recorded
in the provenance of the published data set (source file checksum → ingest → aggregation →
disclosure control → conversion, with agents and software versions):

1. ingest the submission with the mapping spec
   ([`cdinterop.ingest.ingest()`][cdinterop.ingest.ingest]);
2. aggregate the unit records with the spec's ``aggregation`` section, with disclosure
   control ([`cdinterop.aggregate.aggregate()`][cdinterop.aggregate.aggregate]);
3. optionally conform the indicators to an external DSD
   ([`cdinterop.sdmx.conform_with_report`][cdinterop.sdmx.conform_with_report]);
4. write the requested outputs (``sdmx/``, ``datapackage.zip``, ``dataset.ttl``) plus
   ``dataset.json``, ``rejects.csv`` and ``summary.json``; the DCAT description lists the
   SDMX data files and the Data Package as distributions with their sizes and SHA-256.

Everything is written to a staging folder beside the output and swapped in at the end
(`cdinterop._publish`), so a failure, or a kill, leaves the output folder as it was, and a
second run into the same folder is refused while one is writing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdinterop._files import write_json
from cdinterop._formulas import write_people_csv
from cdinterop._publish import RUN_OUTPUTS, publish, reserving
from cdinterop._version import __version__
from cdinterop.errors import CdinteropError
from cdinterop.ingest._run import IngestError, IngestResult, ingest
from cdinterop.ingest._spec import IngestSpec
from cdinterop.model import (
    Activity,
    ActivityType,
    Availability,
    Checksum,
    CitizenDataset,
    Distribution,
)
from cdinterop.model._provenance import CDINTEROP_AGENT_ID, cdinterop_agents, free_id

__all__ = [
    "OUTPUTS",
    "OWNED",
    "ConvertError",
    "ConvertResult",
    "WrittenFile",
    "check_request",
    "convert",
]

OUTPUTS = ("sdmx", "datapackage", "dcat")
"""The outputs ``convert()`` can write."""
OWNED = RUN_OUTPUTS
"""Every name ``convert()`` (or ``cdinterop ingest``) may write in the output folder; those a
run does not write are removed, so the folder never mixes two runs. The ``sdmx`` folder is
cdinterop's and is replaced as a whole; other files in the output folder are left alone."""
_DATA_FORMATS = {
    ".xml": ("SDMX", "application/xml"),
    ".csv": ("CSV", "text/csv"),
}


class ConvertError(CdinteropError):
    """A conversion step failed; ``summary`` holds what was known (e.g. ingest counts)."""

    def __init__(self, message: str, summary: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.summary = summary or {}


@dataclass(frozen=True)
class WrittenFile:
    """A file [`convert()`][cdinterop.convert.convert] wrote, relative to the output folder."""

    path: str
    """Path inside the output folder, with ``/`` separators."""
    bytes: int
    """Size in bytes."""
    sha256: str
    """SHA-256 of the bytes."""


@dataclass(frozen=True)
class ConvertResult:
    """What [`convert()`][cdinterop.convert.convert] returns."""

    dataset: CitizenDataset
    """The published data set (indicators, provenance chain, distributions)."""
    files: tuple[WrittenFile, ...]
    """Every file written, with size and checksum."""
    summary: dict[str, Any]
    """The content of ``summary.json``."""


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
    unit_records: CitizenDataset, published: CitizenDataset | None
) -> list[dict[str, Any]]:
    """Per text column, how many values begin with a formula character (``=``, ``+``,
    ``@``, tab, CR, ``-`` unless a number) and the row of the first, in the accepted unit
    records and in the published data (when aggregated or conformed). The values
    themselves are left out: the unit records may not be published."""
    from cdinterop._formulas import formula_text

    tables = [("unit records", unit_records)]
    if published is not None:
        tables.append(("published data", published))
    return [
        {"data": data, "column": found.column, "count": found.count, "row": found.row}
        for data, ds in tables
        for found in formula_text(ds.observations.table)
    ]


def _written(staging: Path) -> tuple[WrittenFile, ...]:
    files = []
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        checksum = Checksum.of_file(path)
        files.append(
            WrittenFile(path.relative_to(staging).as_posix(), path.stat().st_size, checksum.value)
        )
    return tuple(files)


def check_request(
    to: Sequence[str], structure: str | Path | None, conform: str | Path | None
) -> None:
    """Raise [`ConvertError`][cdinterop.convert.ConvertError] for outputs not in
    [`OUTPUTS`][cdinterop.convert.OUTPUTS] (or none) and for ``structure`` without ``conform``
    or the reverse: what ``convert()`` checks before it reads anything."""
    unknown = [name for name in to if name not in OUTPUTS]
    if unknown or not to:
        raise ConvertError(f"unknown output(s) {unknown}; choose from {', '.join(OUTPUTS)}")
    if (structure is None) != (conform is None):
        raise ConvertError("structure and conform go together: give both or neither")


@reserving("output")  # the output folder is locked for the whole run
def convert(
    submission: str | Path,
    spec: IngestSpec | str | Path,
    output: str | Path,
    *,
    to: Sequence[str] = OUTPUTS,
    structure: str | Path | None = None,
    conform: str | Path | None = None,
    base_url: str | None = None,
    key: bytes | None = None,
    max_rejected: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> ConvertResult:
    """Convert ``submission`` with ``spec`` (an [`IngestSpec`][cdinterop.ingest.IngestSpec] with
    an ``aggregation`` section, or the path of its YAML file) and write the outputs into
    ``output``.

    ``to`` picks outputs among [`OUTPUTS`][cdinterop.convert.OUTPUTS]; ``structure`` and ``conform``
    (an SDMX structure message and a conformance mapping) conform the indicators to an external DSD
    first; ``base_url`` is where the files will be published (the distributions' URLs; default: the
    data set's landing page, else the output folder as a ``file:`` URL). ``progress`` receives a
    line per step.

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
    check_request(to, structure, conform)
    started = dt.datetime.now(dt.UTC)
    if not isinstance(spec, IngestSpec):
        from cdinterop.mapping import load_spec

        spec = load_spec(spec, IngestSpec)
    say = progress or (lambda _line: None)
    target = Path(output)
    say(f"ingesting {Path(submission).name}")
    try:
        result: IngestResult = ingest(submission, spec, key=key, max_rejected=max_rejected)
    except IngestError as exc:
        if exc.result is not None:  # too many rejects: leave them for whoever fixes the file
            _write_failed(exc.result, target)
        raise
    summary: dict[str, Any] = {"ingest": result.summary.to_dict()}
    dataset = result.dataset
    if spec.aggregation is not None and len(dataset.observations) == 0:
        counts = result.summary
        why = ", ".join(f"{rule}: {n:,}" for rule, n in counts.filtered_by_rule.items())
        raise ConvertError(
            f"no unit records to aggregate: {counts.rows_read:,} rows read, none accepted "
            f"({counts.filtered:,} filtered{f' by {why}' if why else ''}, "
            f"{counts.rejected:,} rejected)",
            summary,
        )
    if spec.aggregation is not None:
        from cdinterop.aggregate import aggregate

        say(f"aggregating {len(dataset.observations):,} unit records")
        aggregated = aggregate(dataset, spec.aggregation)
        dataset = aggregated.dataset
        summary["aggregate"] = aggregated.report.to_dict()
    if structure is not None and conform is not None:
        from cdinterop.sdmx._conformance import conform_with_report

        say(f"conforming to {Path(structure).name}")
        conformed = conform_with_report(dataset, structure, conform)
        dataset = conformed.dataset
        summary["conform"] = {
            "rows_in": conformed.report.rows_in,
            "rows_out": conformed.report.rows_out,
        }
    formulas = _formula_text(result.dataset, dataset if dataset is not result.dataset else None)
    dataset = _with_conversion(dataset, to, started)
    if formulas:
        summary["formula_text"] = formulas
    if base_url is None:
        if dataset.landing_page is not None:
            base_url = str(dataset.landing_page)
        else:
            base_url = target.resolve().as_uri()
    if not base_url.endswith("/"):
        base_url += "/"
    with publish(target, OWNED) as staging:
        published = _write_outputs(dataset, result, staging, to, base_url, say)
        files = _written(staging)
        summary["files"] = [f.__dict__ for f in files]
        if "sdmx" in to:
            from cdinterop import sdmx

            not_written = sdmx.left_out(dataset)
            if not_written:
                summary["sdmx_left_out"] = not_written
        summary["outputs"] = list(to)
        write_json(staging / "summary.json", summary)
    say(f"written to {target}")
    return ConvertResult(published, files, summary)


def _write_failed(result: IngestResult, target: Path) -> None:
    """After too many rejects: only ``rejects.csv`` and ``summary.json`` (``"failed":
    true``), replacing the outputs of an earlier run."""
    with publish(target, OWNED) as staging:
        write_people_csv(result.rejects, staging / "rejects.csv")
        summary = {
            "ingest": result.summary.to_dict(),
            "failed": True,
            "outputs": [],
            "files": [f.__dict__ for f in _written(staging)],
        }
        write_json(staging / "summary.json", summary)


def _write_outputs(
    dataset: CitizenDataset,
    result: IngestResult,
    staging: Path,
    to: Sequence[str],
    base_url: str,
    say: Callable[[str], None],
) -> CitizenDataset:
    """Write every output into ``staging``; return the data set with its distributions."""
    from cdinterop.model._jsonio import save

    data_files: list[Path] = []
    if "sdmx" in to:
        from cdinterop import sdmx

        say("writing SDMX")
        written = sdmx.write_all(dataset, staging / "sdmx")
        data_files += [p for p in written if p.name.startswith("data-")]
    if "datapackage" in to:
        from cdinterop import datapackage

        say("writing the Data Package")
        data_files.append(datapackage.write(dataset, staging / "datapackage.zip"))
    published = dataset.replace(
        distributions=_distributions(dataset, staging, data_files, base_url)
    )
    if "dcat" in to:
        from cdinterop import dcat

        say("writing DCAT")
        dcat.write(published, staging / "dataset.ttl")
    save(published, staging / "dataset.json")
    write_people_csv(result.rejects, staging / "rejects.csv")
    return published
