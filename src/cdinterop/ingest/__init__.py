"""Ingestion of citizen-data submissions (KoboToolbox/ODK exports) into unit records.

A submission file and an [`IngestSpec`][cdinterop.ingest.IngestSpec] in; validated unit records (a
[`CitizenDataset`][cdinterop.model.CitizenDataset]), the rejected rows with their reasons and the
counts out::

    from cdinterop.ingest import IngestSpec, ingest, write_outputs
    from cdinterop.mapping import load_spec

    spec = load_spec("mapping.yaml", IngestSpec)
    result = ingest("submissions-kobo.csv", spec)
    write_outputs(result, "out/")

The public entry points:

* [`ingest()`][cdinterop.ingest.ingest] — run a spec on a submission file; returns an
  [`IngestResult`][cdinterop.ingest.IngestResult] (``dataset``, ``rejects``, ``summary``: an
  [`IngestSummary`][cdinterop.ingest.IngestSummary]) and raises
  [`IngestError`][cdinterop.ingest.IngestError] when the spec does not fit the file or too many rows
  are rejected;
* [`write_outputs()`][cdinterop.ingest.write_outputs] — write a result's ``dataset.json``,
  ``datapackage/``, ``rejects.csv`` and ``summary.json`` into a folder, all or nothing;
* [`IngestSpec`][cdinterop.ingest.IngestSpec] — the mapping spec (YAML; JSON Schema
  ``schemas/ingest-mapping.schema.json``) and its parts [`SourceSpec`][cdinterop.ingest.SourceSpec],
  [`PrivacySpec`][cdinterop.ingest.PrivacySpec], [`GeoCoarsening`][cdinterop.ingest.GeoCoarsening],
  [`Deduplicate`][cdinterop.ingest.Deduplicate], [`ComponentRule`][cdinterop.ingest.ComponentRule]
  and [`IngestUnmapped`][cdinterop.ingest.IngestUnmapped];
* [`load_key()`][cdinterop.ingest.load_key] — read a pseudonymisation key from ``env:NAME`` or
  ``file:PATH`` (a key that is a placeholder from the documentation gives a
  [`PlaceholderKeyWarning`][cdinterop.ingest.PlaceholderKeyWarning]);
* [`open_submission()`][cdinterop.ingest.open_submission] — read a submission file as streamed Arrow
  record batches, with [`SourceOptions`][cdinterop.ingest.SourceOptions] (layout, encoding,
  delimiter, sheet) and the [`Layout`][cdinterop.ingest.Layout] values it recognises; it returns
  a [`Submission`][cdinterop.ingest.Submission] (``batches()``, ``problems()``, and ``info``: a
  [`SourceInfo`][cdinterop.ingest.SourceInfo]);
* [`submission_files()`][cdinterop.ingest.submission_files] — the export files that files,
  folders and glob patterns name (read as one submission by ``ingest`` and ``convert``;
  per-file counts in [`SourceSummary`][cdinterop.ingest.SourceSummary]);
* [`split_csv()`][cdinterop.ingest.split_csv] — a large CSV export as record-aligned
  [`ByteRange`][cdinterop.ingest.ByteRange] parts, each read with
  ``open_submission(path, options, part=range)`` by a process or a worker of its own.

The names are imported on first use, so that importing only the spec models (as
[`cdinterop.schemas`][cdinterop.schemas] does) does not load the readers and the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cdinterop._lazy import LazyNames

if TYPE_CHECKING:
    from cdinterop.ingest._inputs import SUBMISSION_SUFFIXES, submission_files
    from cdinterop.ingest._outputs import write_outputs
    from cdinterop.ingest._results import (
        IngestError,
        IngestResult,
        IngestSummary,
        SourceSummary,
    )
    from cdinterop.ingest._run import ingest
    from cdinterop.ingest._sources import (
        ByteRange,
        Layout,
        SourceInfo,
        SourceOptions,
        Submission,
        open_submission,
        split_csv,
    )
    from cdinterop.ingest._spec import (
        ComponentRule,
        Deduplicate,
        GeoCoarsening,
        IngestSpec,
        IngestUnmapped,
        PrivacySpec,
        SourceSpec,
    )
    from cdinterop.ingest._transforms import load_key
    from cdinterop.ingest._transforms.pseudonyms import PlaceholderKeyWarning

__all__ = [
    "SUBMISSION_SUFFIXES",
    "ByteRange",
    "ComponentRule",
    "Deduplicate",
    "GeoCoarsening",
    "IngestError",
    "IngestResult",
    "IngestSpec",
    "IngestSummary",
    "IngestUnmapped",
    "Layout",
    "PlaceholderKeyWarning",
    "PrivacySpec",
    "SourceInfo",
    "SourceOptions",
    "SourceSpec",
    "SourceSummary",
    "Submission",
    "ingest",
    "load_key",
    "open_submission",
    "split_csv",
    "submission_files",
    "write_outputs",
]

_SOURCES = {
    "ComponentRule": "cdinterop.ingest._spec",
    "Deduplicate": "cdinterop.ingest._spec",
    "GeoCoarsening": "cdinterop.ingest._spec",
    "IngestUnmapped": "cdinterop.ingest._spec",
    "PrivacySpec": "cdinterop.ingest._spec",
    "SourceSpec": "cdinterop.ingest._spec",
    "load_key": "cdinterop.ingest._transforms",
    "PlaceholderKeyWarning": "cdinterop.ingest._transforms.pseudonyms",
    "IngestError": "cdinterop.ingest._results",
    "IngestResult": "cdinterop.ingest._results",
    "IngestSpec": "cdinterop.ingest._spec",
    "IngestSummary": "cdinterop.ingest._results",
    "Layout": "cdinterop.ingest._sources",
    "SourceInfo": "cdinterop.ingest._sources",
    "SourceOptions": "cdinterop.ingest._sources",
    "Submission": "cdinterop.ingest._sources",
    "ingest": "cdinterop.ingest._run",
    "open_submission": "cdinterop.ingest._sources",
    "write_outputs": "cdinterop.ingest._outputs",
    "SUBMISSION_SUFFIXES": "cdinterop.ingest._inputs",
    "submission_files": "cdinterop.ingest._inputs",
    "SourceSummary": "cdinterop.ingest._results",
    "ByteRange": "cdinterop.ingest._sources",
    "split_csv": "cdinterop.ingest._sources",
}
_LAZY = LazyNames(__name__, _SOURCES, __all__)


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    return _LAZY.get(name)


def __dir__() -> list[str]:
    return _LAZY.names()
