"""Recognising a submission file: layout, text encoding, delimiter and header.

Detection looks at the file suffix and at its head only (the first 64 KiB, more when the
header line is longer), never at the whole file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cdinterop.errors import ReadError
from cdinterop.ingest._sources.base import Layout, check_header
from cdinterop.ingest._sources.kobo import is_kobo_header
from cdinterop.ingest._sources.odk import is_odk_header

__all__ = [
    "DELIMITERS",
    "CsvHead",
    "check_text_file",
    "detect_encoding",
    "detect_layout",
    "read_csv_head",
]

DELIMITERS = ",;\t|"
"""The delimiters the sniffer chooses from."""

HEAD_BYTES = 1 << 16
_MAX_HEAD_BYTES = 1 << 24
_XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_JSON_SUFFIXES = frozenset({".json"})
_ZIP_SIGNATURE = b"PK\x03\x04"
_BINARY_SIGNATURES = (
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "is a legacy Excel workbook (.xls) or another Microsoft Office file",
        "save it as XLSX or CSV",
    ),
    (b"\x1f\x8b", "is a gzip-compressed file", "decompress it first"),
    (b"%PDF-", "is a PDF document", "give the CSV, XLSX or JSON export of the submissions"),
)
"""Signatures of binary files given as CSV or JSON: (first bytes, what the file is, advice)."""


def detect_encoding(head: bytes) -> str:
    """The encoding of a text file from its first bytes: a BOM (UTF-8, UTF-16 LE/BE), or
    UTF-16 without BOM recognised by its zero bytes, else UTF-8."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4:
        even = sample[0::2].count(0)
        odd = sample[1::2].count(0)
        half = len(sample) // 2
        if odd > 0.4 * half and even < 0.05 * half:
            return "utf-16-le"
        if even > 0.4 * half and odd < 0.05 * half:
            return "utf-16-be"
    return "utf-8"


def _read_head(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def detect_layout(path: str | Path, head: bytes | None = None) -> Layout:
    """The export layout of a file, from its suffix and its header.

    XLSX files are ``KOBO_XLSX`` when their header has Kobo's meta columns; JSON files
    are ``KOBO_JSON`` when they are an API page (``{"count": .., "results": [..]}``) or a
    list of objects with ``_uuid``; text files are ``KOBO_CSV`` (``_uuid``,
    ``_submission_time`` or ``_id`` columns), ``ODK_CSV`` (``SubmissionDate`` and
    ``meta-instanceID`` or ``KEY``) or ``CSV``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if head is None:
        head = _opened_head(path)
    if suffix in _XLSX_SUFFIXES or head.startswith(b"PK\x03\x04"):
        from cdinterop.ingest._sources.xlsx import xlsx_header

        return Layout.KOBO_XLSX if is_kobo_header(xlsx_header(path)) else Layout.XLSX
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
    if suffix in _JSON_SUFFIXES or stripped[:1] in (b"{", b"["):
        return _json_layout(stripped)
    return _text_layout(head)


def _opened_head(path: Path) -> bytes:
    """The first `HEAD_BYTES` of the file; a [`ReadError`][cdinterop.errors.ReadError] when
    it cannot be opened."""
    try:
        return _read_head(path, HEAD_BYTES)
    except OSError as exc:
        raise ReadError(str(path), f"cannot open the file: {exc.strerror or exc}") from exc


def _text_layout(head: bytes) -> Layout:
    """The layout of a text file, from the names on its first line."""
    encoding = detect_encoding(head)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
    line = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    names = {name.strip().strip('"') for name in re.split(r"[,;\t|]", line)}
    if is_kobo_header(names):
        return Layout.KOBO_CSV
    if is_odk_header(names):
        return Layout.ODK_CSV
    return Layout.CSV


def _zip_kind(path: Path) -> str:
    """What a ZIP file is (``"is an XLSX workbook"``, an OpenDocument spreadsheet, an archive)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return "is a ZIP archive"
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "is an XLSX workbook"
    if "content.xml" in names and "mimetype" in names:
        return "is an OpenDocument spreadsheet"
    return "is a ZIP archive"


def _is_wide(encoding: str) -> bool:
    """Whether text in ``encoding`` has NUL bytes (UTF-16, UTF-32)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return "16" in name or "32" in name


def _binary_content(path: Path, head: bytes, encoding: str | None) -> tuple[str, str] | None:
    """What a file that should be text is instead (``"is an XLSX workbook"``) and what to do
    about it (``{xlsx}`` stands for the XLSX layout to use); ``None`` when its head looks like
    text."""
    if head.startswith(_ZIP_SIGNATURE):
        kind = _zip_kind(path)
        if kind == "is an XLSX workbook":
            return kind, "use {xlsx} (or auto)"
        if kind == "is an OpenDocument spreadsheet":
            return kind, "save it as XLSX or CSV"
        return kind, "unzip it and give the export file inside"
    for signature, kind, advice in _BINARY_SIGNATURES:
        if head.startswith(signature):
            return kind, advice
    if not _is_wide(encoding or detect_encoding(head)):
        offset = head.find(b"\x00")
        if offset >= 0:
            return (
                f"holds binary data (a NUL byte at byte offset {offset:,})",
                "give the CSV, XLSX or JSON export of the submissions",
            )
    return None


def check_text_file(path: Path, requested: Layout, encoding: str | None = None) -> None:
    """Refuse a binary file (an XLSX workbook, a ZIP archive, NUL bytes in the head) that is
    to be read as text (a CSV or JSON layout).

    ``requested`` is the layout asked for (``AUTO`` when it was detected), ``encoding`` the
    declared text encoding. Raises [`ReadError`][cdinterop.errors.ReadError] saying what the
    file is and which layout or step fits it, e.g. ``kobo.xlsx is an XLSX workbook, but the
    layout asked for is kobo-csv (...): use kobo-xlsx (or auto)``.
    """
    head = _opened_head(path)
    found = _binary_content(path, head, encoding)
    if found is None:
        return
    kind, advice = found
    xlsx = Layout.KOBO_XLSX if requested.is_kobo else Layout.XLSX
    advice = advice.format(xlsx=xlsx.value)
    if requested is Layout.AUTO:
        reason = f"{path.name} {kind}, not CSV or JSON text: {advice}"
    else:
        reason = (
            f"{path.name} {kind}, but the layout asked for is {requested.value} "
            f"(source.layout in the spec, SourceOptions.layout in Python): {advice}"
        )
    raise ReadError(str(path), reason)


def _json_layout(head: bytes) -> Layout:
    text = head.decode("utf-8", errors="replace")
    if text.startswith("{"):
        return Layout.KOBO_JSON if re.search(r'"results"\s*:\s*\[', text) else Layout.JSON
    first = re.match(r"\[\s*\{", text)
    if first and '"_uuid"' in text:
        return Layout.KOBO_JSON
    return Layout.JSON


@dataclass(frozen=True)
class CsvHead:
    """What the head of a CSV file says: encoding, delimiter and header names."""

    encoding: str
    delimiter: str
    columns: tuple[str, ...]
    header_lines: int
    """Physical lines the header record spans (more than 1 with quoted newlines)."""


def _sniff_delimiter(text: str, header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    present = [d for d, n in counts.items() if n]
    if len(present) == 1:
        return present[0]
    if not present:
        return ","
    try:
        dialect = csv.Sniffer().sniff(text[:HEAD_BYTES], delimiters=DELIMITERS)
    except csv.Error:
        return max(present, key=lambda d: counts[d])
    return str(dialect.delimiter)


def _records(text: str, delimiter: str, header_row: int, source: str) -> list[list[str]]:
    """The records of CSV ``text`` up to the one after the header (fewer if it has fewer).

    A record the parser cannot read after the header is left to the reader (it becomes a
    problem row there); one up to the header is a [`ReadError`][cdinterop.errors.ReadError]
    naming its line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
            if len(records) > header_row:
                break
    except csv.Error as exc:
        if len(records) < header_row:
            raise ReadError(
                source, f"the CSV header cannot be parsed at line {reader.line_num}: {exc}"
            ) from None
    return records


def read_csv_head(
    path: Path, *, encoding: str | None, delimiter: str | None, header_row: int
) -> CsvHead:
    """Read the head of a CSV file: its encoding, delimiter and header names.

    Raises [`ReadError`][cdinterop.errors.ReadError] for an empty file, an unknown encoding, a
    header that is not there, empty or duplicate column names, and a declared delimiter that the
    header line does not contain while another candidate does.
    """
    source = str(path)
    text, chosen = _head_text(path, encoding, delimiter, header_row)
    lines = text.splitlines()
    if len(lines) < header_row:
        raise ReadError(
            source, f"there is no header at line {header_row}: the file has {len(lines)} lines"
        )
    header_line = lines[header_row - 1]
    if delimiter is None:
        delimiter = _sniff_delimiter(text, header_line)
    else:
        _check_delimiter(delimiter, header_line, source)
    columns = _header(text, delimiter, header_row, source)
    header_lines = 1 + sum(name.count("\n") for name in columns)
    return CsvHead(encoding=chosen, delimiter=delimiter, columns=columns, header_lines=header_lines)


def _head_text(
    path: Path, encoding: str | None, delimiter: str | None, header_row: int
) -> tuple[str, str]:
    """The decoded head of the file, long enough to hold the header record (read again,
    four times longer, until a record after the header starts, up to `_MAX_HEAD_BYTES`),
    and the encoding it was decoded with."""
    source = str(path)
    size = path.stat().st_size
    if size == 0:
        raise ReadError(source, "the file is empty")
    wanted = HEAD_BYTES
    while True:
        head = _read_head(path, wanted)
        complete = len(head) >= size
        chosen = encoding or detect_encoding(head)
        text = _decoded(head, chosen, complete, source)
        if not text.strip():
            if complete:
                raise ReadError(source, "the file is empty")
        elif (
            # The header is known once a record after it started, or the head is the file
            # (the records are parsed first: a header that cannot be parsed is an error).
            len(_records(text, delimiter or ",", header_row, source)) > header_row
            or complete
            or wanted >= _MAX_HEAD_BYTES
        ):
            return text, chosen
        wanted *= 4


def _decoded(head: bytes, encoding: str, complete: bool, source: str) -> str:
    """``head`` decoded (undecodable bytes replaced), without a byte order mark."""
    try:
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    except LookupError as exc:
        raise ReadError(source, f"unknown encoding {encoding!r}") from exc
    return decoder.decode(head, final=complete).lstrip("\ufeff")


def _check_delimiter(delimiter: str, header_line: str, source: str) -> None:
    """Refuse a declared delimiter that the header line lacks while another candidate
    is in it, naming the one that looks right."""
    if delimiter in header_line:
        return
    others = [d for d in DELIMITERS if d != delimiter and header_line.count(d)]
    if others:
        best = max(others, key=header_line.count)
        raise ReadError(
            source,
            f"the header line has no {delimiter!r} but {header_line.count(best)} "
            f"{best!r}: the file looks {best!r}-separated; declare it (source: "
            f"{{delimiter: {best!r}}} in the spec, SourceOptions(delimiter={best!r}) in "
            "Python) or leave the delimiter unset to sniff it",
        )


def _header(text: str, delimiter: str, header_row: int, source: str) -> tuple[str, ...]:
    """The column names of the header record, checked (none empty, none repeated)."""
    records = _records(text, delimiter, header_row, source)
    header = records[header_row - 1] if len(records) >= header_row else None
    if not header or header == [""]:
        raise ReadError(source, f"the header at line {header_row} is empty")
    columns = tuple(header)
    check_header(columns, source)
    return columns


def json_is_object(head: bytes) -> bool:
    """Whether a JSON document starts with an object (else it is taken as an array)."""
    return head.lstrip(codecs.BOM_UTF8).lstrip()[:1] == b"{"
