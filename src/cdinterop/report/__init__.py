"""``report.html``: what a run did, in one page a person can open offline.

[`write_report()`][cdinterop.report.write_report] reads the ``summary.json`` and
``dataset.json`` that [`convert`][cdinterop.convert.convert] leaves in its output folder
and writes ``report.html`` beside them: the flow of rows (read, accepted, filtered by rule,
rejected by reason), the quality measurements, the sample against the population and the
calibration weights, the published indicator with its intervals, and a map-like table of
the suppressed cells. Each section appears only when its data are there.

The file is self-contained: its style is inline, its charts are inline SVG drawn with
matplotlib (the ``report`` extra), it holds no script and its Content-Security-Policy
forbids any request. Every text from the data is escaped, and every figure shown is also
in a ``data-value`` attribute, as ``summary.json`` holds it::

    from cdinterop.report import write_report

    write_report(Path("out/services"))  # out/services/report.html

See [Reading the report](../report.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cdinterop._files import atomic_write
from cdinterop.errors import ReadError
from cdinterop.model import CitizenDataset
from cdinterop.report import _charts, _sections
from cdinterop.report._cube import _first, cube_of
from cdinterop.report._page import page

__all__ = ["REPORT_FILE", "write_report"]

REPORT_FILE = "report.html"
"""The name of the report in an output folder."""


def _read_summary(outdir: Path) -> dict[str, Any]:
    path = outdir / "summary.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReadError(str(path), "no summary.json: not the output folder of a run") from None
    except OSError as exc:
        raise ReadError(str(path), exc.strerror or str(exc)) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ReadError(str(path), f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ReadError(str(path), "not a JSON object")
    return data


def _read_dataset(outdir: Path) -> CitizenDataset | None:
    path = outdir / "dataset.json"
    if not path.is_file():
        return None
    from cdinterop.model._internal import load

    return load(path)


def _title(summary: Mapping[str, Any], dataset: CitizenDataset | None) -> str:
    if dataset is not None and dataset.title:
        return _first(dataset.title)
    ingest = summary.get("ingest")
    source = ingest.get("source") if isinstance(ingest, Mapping) else None
    return f"Report on {source}" if source else "Report on a cdinterop run"


def _meta(summary: Mapping[str, Any], dataset: CitizenDataset | None) -> dict[str, Any]:
    found = summary.get("ingest")
    ingest: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    spec: Mapping[str, Any] = ingest["spec"] if isinstance(ingest.get("spec"), Mapping) else {}
    meta: dict[str, Any] = {
        "data set": f"{dataset.agency}:{dataset.id}({dataset.version})" if dataset else None,
        "source": ingest.get("source"),
        "mapping spec": f"{spec.get('id')} {spec.get('version') or ''}".strip() if spec else None,
    }
    return meta


def write_report(
    outdir: Path,
    *,
    summary: Mapping[str, Any] | None = None,
    dataset: CitizenDataset | None = None,
    charts: bool | None = None,
) -> Path:
    """Write ``outdir/report.html`` (atomically) and return its path.

    ``summary`` is read from ``outdir/summary.json`` and ``dataset`` from
    ``outdir/dataset.json`` when not given (a folder without ``dataset.json`` gives a
    report without the indicator and suppression sections). ``charts``: ``True`` draws
    them (and raises [`MissingExtraError`][cdinterop.errors.MissingExtraError] without
    the ``report`` extra), ``False`` leaves them out (tables only), ``None`` draws them
    when matplotlib is installed.

    Raises [`ReadError`][cdinterop.errors.ReadError] when ``summary.json`` is absent or
    not a JSON object.
    """
    outdir = Path(outdir)
    data = dict(summary) if summary is not None else _read_summary(outdir)
    if dataset is None:
        dataset = _read_dataset(outdir)
    if charts is None:
        charts = _charts.charts_available()
    elif charts:
        _charts.check()
    html = render(data, dataset, charts=charts)
    target = outdir / REPORT_FILE
    with atomic_write(target, "w", encoding="utf-8") as handle:
        handle.write(html)
    return target


def render(summary: Mapping[str, Any], dataset: CitizenDataset | None, *, charts: bool) -> str:
    """The report as HTML text (what `write_report()` writes)."""
    cube = cube_of(dataset) if dataset is not None else None
    parts = [
        ("flow", "Flow of rows", _sections.flow(summary.get("ingest"), charts=charts)),
        ("quality", "Quality", _sections.quality(summary.get("quality"))),
        (
            "representativeness",
            "Sample against population",
            _sections.representativeness(
                summary.get("representativeness"), summary.get("weighting"), charts=charts
            ),
        ),
        ("indicator", "Indicator", _sections.indicator(cube, charts=charts)),
        ("suppression", "Suppressed cells", _sections.suppression(cube, summary.get("aggregate"))),
    ]
    shown = [(ident, name, html) for ident, name, html in parts if html is not None]
    return page(_title(summary, dataset), _meta(summary, dataset), shown)
