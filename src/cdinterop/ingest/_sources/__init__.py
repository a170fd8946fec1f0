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
`.kobo` and `.odk` hold the layout specifics, `.detect` the recognition, `.partitions`
the split of a large CSV file into record-aligned byte ranges (``split_csv``), each
read with ``open_submission(path, options, part=range)``.
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
from cdinterop.ingest._sources.detect import check_text_file, detect_layout, read_csv_head
from cdinterop.ingest._sources.kobo import is_kobo_header
from cdinterop.ingest._sources.odk import is_odk_header
from cdinterop.ingest._sources.partitions import ByteRange, split_csv

__all__ = [
    "ROW_COLUMN",
    "ByteRange",
    "Layout",
    "SourceInfo",
    "SourceOptions",
    "Submission",
    "detect_layout",
    "open_submission",
    "split_csv",
]

_DEFAULT_OPTIONS = SourceOptions()


def open_submission(
    path: str | Path, options: SourceOptions = _DEFAULT_OPTIONS, *, part: ByteRange | None = None
) -> Submission:
    """Open a submission file (a KoboToolbox or ODK Central export, or a plain CSV, XLSX
    or JSON file) for reading its records as Arrow record batches.

    ``options`` ([`SourceOptions`][cdinterop.ingest.SourceOptions]) say how to read it;
    by default the [`Layout`][cdinterop.ingest.Layout] is recognised from the suffix and the
    header, and for CSV the encoding (UTF-8, UTF-16) and the delimiter (``,`` ``;`` tab
    ``|``) from the file's head. Opening reads only the head of the file; the records are
    read by the returned submission's ``batches()``:

    * ``batches()`` yields record batches of at most ``options.batch_rows`` rows, in file
      order: one string column per column of the file (the raw text, empty cells null,
      nothing type-inferred) and ``_row``, the record's line (CSV), row (XLSX) or position
      (JSON) in the file;
    * ``problems()``, after the batches, lists the rows that could not be read (wrong
      number of fields, a field too long, a truncated last record) as
      [`Issue`][cdinterop.errors.Issue] objects; they are not in the batches, and
      ``rows_read == rows in the batches + len(problems())``;
    * ``columns`` (known at once) and ``info`` (layout, encoding, delimiter, size,
      SHA-256; the form version after the batches) describe the file.

    Use the submission as a context manager::

        from cdinterop.ingest import open_submission

        with open_submission("submissions-kobo.csv") as sub:
            print(sub.info.layout, sub.columns)
            rows = sum(batch.num_rows for batch in sub.batches())
            for issue in sub.problems():
                print(issue.location, issue.message)

    Raises [`ReadError`][cdinterop.errors.ReadError] naming the file when it cannot be
    read at all: missing, empty, no usable header, undecodable text, or not the declared
    format (an XLSX workbook given to a CSV layout, text given to an XLSX one); the
    message says what to change. Records that cannot be read do not raise: they are in
    ``problems()``.

    ``part``, a `ByteRange` of a CSV file from `split_csv`, reads only that range's
    records (the header comes from the file's head; ``_row`` and the problems give the
    file's lines); a range that is the whole file reads the file as without one.
    """
    path = Path(path)
    if part is not None and part.is_whole():
        part = None
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
    if part is not None and layout.family != "csv":
        raise ValueError(f"{path}: only CSV files are read by byte range, not {layout}")
    if layout.family == "xlsx":
        from cdinterop.ingest._sources.xlsx import XlsxSubmission

        return XlsxSubmission(path, options, layout=_explicit(options, layout))
    check_text_file(path, options.layout, options.encoding)
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
    return CsvSubmission(path, options, layout=layout, head=head, part=part)


def _explicit(options: SourceOptions, detected: Layout) -> Layout | None:
    """The layout the user asked for; ``None`` lets the reader refine a detected one."""
    return None if options.layout is Layout.AUTO else detected
