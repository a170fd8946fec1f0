"""Reading submission files into Arrow record batches: the first step of ingest.

``open_submission(path)`` recognises the layout (KoboToolbox CSV / XLSX / JSON, ODK
Central CSV, plain CSV / XLSX / JSON), the encoding and the delimiter, and returns a
`Submission` whose `batches()` stream the records as raw text with
their row number in the file (``_row``), and whose `problems()` list the
rows it could not read. Nothing is type-inferred or dropped silently::

    with open_submission("beach_cleanup.csv") as sub:
        for batch in sub.batches():
            ...
        assert sub.rows_read == rows_in_batches + len(sub.problems())

One module per layout family: `.csv_text`, `.xlsx`, `.json_records`;
`.kobo` and `.odk` hold the layout specifics, `.detect` the recognition.
"""

from __future__ import annotations

from pathlib import Path

from cdinterop.errors import ReadError
from cdinterop.ingest._sources.base import (
    ROW_COLUMN,
    Layout,
    SourceInfo,
    SourceOptions,
    Submission,
)
from cdinterop.ingest._sources.detect import detect_layout, read_csv_head
from cdinterop.ingest._sources.kobo import is_kobo_header
from cdinterop.ingest._sources.odk import is_odk_header

__all__ = [
    "ROW_COLUMN",
    "Layout",
    "SourceInfo",
    "SourceOptions",
    "Submission",
    "detect_layout",
    "open_submission",
]

_DEFAULT_OPTIONS = SourceOptions()


def open_submission(path: str | Path, options: SourceOptions = _DEFAULT_OPTIONS) -> Submission:
    """Open a submission file for reading; see the module docs.

    Raises [`ReadError`][cdinterop.errors.ReadError] when the file cannot be read at all
    (missing, empty, no usable header, undecodable, not the declared format).
    """
    path = Path(path)
    try:
        if not path.is_file():
            raise ReadError(str(path), "no such file")
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError(str(path), f"cannot open the file: {exc.strerror or exc}") from exc
    if size == 0:
        raise ReadError(str(path), "the file is empty")
    layout = options.layout
    if layout is Layout.AUTO:
        layout = detect_layout(path)
    if layout.family == "xlsx":
        from cdinterop.ingest._sources.xlsx import XlsxSubmission

        return XlsxSubmission(path, options, layout=_explicit(options, layout))
    if layout.family == "json":
        from cdinterop.ingest._sources.json_records import JsonSubmission

        return JsonSubmission(path, options, layout=_explicit(options, layout))
    from cdinterop.ingest._sources.csv_text import CsvSubmission

    head = read_csv_head(
        path,
        encoding=options.encoding,
        delimiter=options.delimiter,
        header_row=options.header_row,
    )
    if options.layout is Layout.AUTO:
        if is_kobo_header(head.columns):
            layout = Layout.KOBO_CSV
        elif is_odk_header(head.columns):
            layout = Layout.ODK_CSV
        else:
            layout = Layout.CSV
    return CsvSubmission(path, options, layout=layout, head=head)


def _explicit(options: SourceOptions, detected: Layout) -> Layout | None:
    """The layout the user asked for; ``None`` lets the reader refine a detected one."""
    return None if options.layout is Layout.AUTO else detected
