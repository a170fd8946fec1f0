"""Layer 3: ingestion of citizen-data submissions (KoboToolbox/ODK exports) into unit records.

A submission file and an :class:`IngestSpec` in; validated unit records (a
:class:`~cdinterop.model.CitizenDataset`), the rejected rows with their reasons and the
counts out::

    from cdinterop.ingest import IngestSpec, ingest, write_outputs
    from cdinterop.mapping import load_spec

    spec = load_spec("mapping.yaml", IngestSpec)
    result = ingest("submissions-kobo.csv", spec)
    write_outputs(result, "out/")

The public entry points:

* :func:`ingest` — run a spec on a submission file; returns an :class:`IngestResult`
  (``dataset``, ``rejects``, ``summary``: an :class:`IngestSummary`) and raises
  :class:`IngestError` when the spec does not fit the file or too many rows are rejected;
* :func:`write_outputs` — write a result's ``dataset.json``, ``datapackage/``,
  ``rejects.csv`` and ``summary.json`` into a folder, all or nothing;
* :class:`IngestSpec` — the mapping spec (YAML; JSON Schema
  ``schemas/ingest-mapping.schema.json``);
* :func:`open_submission` — read a submission file as streamed Arrow record batches, with
  :class:`SourceOptions` (layout, encoding, delimiter, sheet) and the :class:`Layout`
  values it recognises.

The modules behind them: :mod:`cdinterop.ingest.spec` (the spec models),
:mod:`cdinterop.ingest.sources` (the readers), :mod:`cdinterop.ingest.transforms` (the
per-component rules), :mod:`cdinterop.ingest.run` (the run) and
:mod:`cdinterop.ingest.outputs` (the output folder).

The names are imported on first use, so that importing only the spec models (as
:mod:`cdinterop.schemas` does) does not load the readers and the run.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cdinterop.ingest.outputs import write_outputs
    from cdinterop.ingest.run import IngestError, IngestResult, IngestSummary, ingest
    from cdinterop.ingest.sources import Layout, SourceOptions, open_submission
    from cdinterop.ingest.spec import IngestSpec

__all__ = [
    "IngestError",
    "IngestResult",
    "IngestSpec",
    "IngestSummary",
    "Layout",
    "SourceOptions",
    "ingest",
    "open_submission",
    "write_outputs",
]

_SOURCES = {
    "IngestError": "cdinterop.ingest.run",
    "IngestResult": "cdinterop.ingest.run",
    "IngestSpec": "cdinterop.ingest.spec",
    "IngestSummary": "cdinterop.ingest.run",
    "Layout": "cdinterop.ingest.sources",
    "SourceOptions": "cdinterop.ingest.sources",
    "ingest": "cdinterop.ingest.run",
    "open_submission": "cdinterop.ingest.sources",
    "write_outputs": "cdinterop.ingest.outputs",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module = _SOURCES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
