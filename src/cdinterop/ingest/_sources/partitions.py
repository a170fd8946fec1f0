"""Split a CSV file into byte ranges that begin and end on record boundaries.

A large CSV file is read by several workers, each a `ByteRange` of it; every range
carries the file's header (the reader takes it from the file's head) and knows the
physical line its first record starts on, so that ``_row`` and the problem rows are the
same as when the whole file is read.

**Boundaries.** A newline ends a record when the number of quote characters before it
(from the first data byte on) is even: RFC 4180's doubled quotes keep the parity. The
work is split in two phases so that the scanning runs where the bytes are:

1. `scan_range` (on a worker, vectorised with numpy over a memory map, a few MB at a
   time): the quotes and newlines of a range, and for both possible parities at its
   start the first newline that would end a record, with the newlines before it;
2. `plan_ranges` (on the client, prefix sums over the scans): the true parity at each
   range's start, hence each boundary and the line it begins.

**When the file is not split** (one whole-file range, `ByteRange.whole`): an encoding
that is not ASCII-compatible (UTF-16), a layout that is not CSV, Kobo CSV or ODK CSV, a
file smaller than two ranges, an odd number of quotes, or a quote where a quoted field
cannot begin (``5" tall``): the CSV parser takes such a quote literally, quote parity
would not, so boundaries found by parity could fall inside a record; a lone CR (old Mac
line ends) outside quotes: the parser ends a record there, which the reader's line
numbers count differently from newlines; a header of several lines (quoted newlines in
column names): pyarrow skips the header line by line, not by record, so the reader
reads the header's continuation as a problem row and numbers the lines after it one
too far, which a range read after the first would not repeat.
"""

from __future__ import annotations

import codecs
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cdinterop.ingest._sources.base import Layout, SourceOptions
from cdinterop.ingest._sources.detect import (
    CsvHead,
    check_text_file,
    detect_layout,
    read_csv_head,
)

__all__ = [
    "ByteRange",
    "RangeScan",
    "ascii_compatible",
    "header_end",
    "plan_ranges",
    "scan_range",
    "split_csv",
    "splittable",
]

_SCAN_BYTES = 1 << 24
"""Bytes looked at per numpy pass while scanning a range (bounds the scan's memory)."""
_CSV_LAYOUTS = frozenset({Layout.CSV, Layout.KOBO_CSV, Layout.ODK_CSV, Layout.AUTO})
_DEFAULT_OPTIONS = SourceOptions()
_NEWLINE = ord("\n")
_CR = ord("\r")
_QUOTE = ord('"')


def ascii_compatible(encoding: str) -> bool:
    """Whether ``encoding`` writes ``"`` and newline as the ASCII bytes (not UTF-16/32),
    so that quotes and newlines can be found in the raw bytes (a UTF-8 BOM is only at the
    file's start, before the header)."""
    name = codecs.lookup(encoding).name
    if name == "utf-8-sig":
        return True
    if "16" in name or "32" in name:
        return False
    try:
        return '"\n'.encode(encoding) == b'"\n'
    except (UnicodeError, LookupError):
        return False


@dataclass(frozen=True, slots=True)
class ByteRange:
    """The records of a CSV file from byte ``start`` (a record's first byte) to ``end``
    (exclusive, after a record's newline or at the end of the file); ``first_line`` is
    the 1-based physical line on which the record at ``start`` begins. The header is not
    in the range: the reader takes it from the file's head."""

    path: str
    start: int
    end: int
    first_line: int

    @classmethod
    def whole(cls, path: str | Path) -> ByteRange:
        """The whole file as one range (``start`` 0, ``end`` its size, ``first_line`` 1)."""
        return cls(str(path), 0, Path(path).stat().st_size, 1)

    def is_whole(self) -> bool:
        """Whether the range is the whole file (read as a file is read without ranges)."""
        return self.start == 0 and self.end == Path(self.path).stat().st_size


@dataclass(frozen=True, slots=True)
class RangeScan:
    """What phase 1 found in the bytes ``[start, end)`` of a file."""

    start: int
    end: int
    quotes: int
    """Quote characters in the range."""
    newlines: int
    """``\\n`` bytes in the range."""
    boundary: tuple[int, int]
    """For an even (index 0) and an odd (index 1) count of quotes before the range: the
    offset just after the first newline of the range that ends a record, -1 if none."""
    newlines_before: tuple[int, int]
    """For each parity: the newlines of the range before that boundary (the boundary's
    own newline included)."""
    unsafe: tuple[bool, bool]
    """For each parity: whether the range holds a quote that would open a quoted field
    but does not stand at a field's start (the parser takes it literally), or a lone CR
    outside quotes (a record end that the line numbers of the reader count on their own
    terms): then the file is not split."""


def _view(path: str | Path) -> np.ndarray:
    """The file's bytes as a read-only uint8 array over a memory map (unmapped when the
    array is collected)."""
    if Path(path).stat().st_size == 0:
        return np.empty(0, dtype=np.uint8)
    return np.memmap(path, dtype=np.uint8, mode="r")


def _field_starts(delimiter: int) -> np.ndarray:
    """Bytes after which a quote may open a quoted field (or be the second of a pair)."""
    table = np.zeros(256, dtype=bool)
    table[[delimiter, _NEWLINE, _CR, _QUOTE]] = True
    return table


def scan_range(
    path: str | Path, start: int, end: int, *, delimiter: str, data_start: int
) -> RangeScan:
    """Phase 1 for the bytes ``[start, end)`` of ``path`` (``data_start``: the first byte
    after the header, see `header_end`); cheap to send back from a worker."""
    data = _view(path)
    starts_field = _field_starts(ord(delimiter))
    quotes = newlines = 0
    boundary = [-1, -1]
    newlines_before = [0, 0]
    unsafe = [False, False]
    for lo in range(start, end, _SCAN_BYTES):
        hi = min(end, lo + _SCAN_BYTES)
        chunk = data[lo:hi]
        at = np.flatnonzero(chunk == _QUOTE)
        previous = data[np.maximum(at + lo - 1, 0)]
        bad = ~starts_field[previous] & (at + lo != data_start)
        for parity in (0, 1):
            opening = (np.arange(len(at)) + quotes + parity) % 2 == 0
            unsafe[parity] |= bool((bad & opening).any())
        lines = np.flatnonzero(chunk == _NEWLINE)
        _flag_lone_cr(data, chunk, lo, at, quotes, unsafe)
        if boundary[0] < 0 or boundary[1] < 0:
            _find_boundaries(at, lines, lo, quotes, newlines, boundary, newlines_before)
        quotes += len(at)
        newlines += len(lines)
    return RangeScan(
        start, end, quotes, newlines, (boundary[0], boundary[1]),
        (newlines_before[0], newlines_before[1]), (unsafe[0], unsafe[1]),
    )  # fmt: skip


def _flag_lone_cr(
    data: np.ndarray,
    chunk: np.ndarray,
    offset: int,
    quotes_at: np.ndarray,
    quotes_so_far: int,
    unsafe: list[bool],
) -> None:
    """Flag, per parity, a CR not followed by LF outside quotes in this chunk."""
    returns = np.flatnonzero(chunk == _CR) + offset
    returns = returns[returns + 1 < len(data)]
    if not len(returns):
        return
    lone = returns[data[returns + 1] != _NEWLINE] - offset
    before = np.searchsorted(quotes_at, lone) + quotes_so_far
    for parity in (0, 1):
        unsafe[parity] |= bool(((before + parity) % 2 == 0).any())


def _find_boundaries(
    quotes_at: np.ndarray,
    lines: np.ndarray,
    offset: int,
    quotes_so_far: int,
    newlines_so_far: int,
    boundary: list[int],
    newlines_before: list[int],
) -> None:
    """Fill in, for a parity still without one, the first newline of this chunk that has
    an even number of quotes before it (counting from the range's start)."""
    before = np.searchsorted(quotes_at, lines) + quotes_so_far  # quotes before each newline
    for parity in (0, 1):
        if boundary[parity] >= 0:
            continue
        ends = np.flatnonzero((before + parity) % 2 == 0)
        if len(ends):
            k = int(ends[0])
            boundary[parity] = offset + int(lines[k]) + 1
            newlines_before[parity] = newlines_so_far + k + 1


def header_end(path: str | Path, lines: int) -> int:
    """The offset just after the ``lines``-th newline of the file (the end of the header:
    ``header_row - 1 + header_lines`` lines), or the file's size if it has fewer."""
    data = _view(path)
    seen = 0
    for lo in range(0, len(data), _SCAN_BYTES):
        found = np.flatnonzero(data[lo : lo + _SCAN_BYTES] == _NEWLINE)
        if seen + len(found) >= lines:
            return lo + int(found[lines - seen - 1]) + 1
        seen += len(found)
    return len(data)


def plan_ranges(
    path: str | Path, scans: Sequence[RangeScan], *, header_quotes: int, header_lines: int
) -> list[ByteRange]:
    """Phase 2: the record-aligned ranges from the scans of consecutive ranges that
    cover the data (the first starts at the end of the header, the last ends at the end
    of the file). ``header_quotes`` and ``header_lines`` are the quotes and newlines
    before the data. One whole-file range when the file cannot be split safely."""
    whole = [ByteRange.whole(path)]
    if len(scans) < 2 or header_quotes % 2:
        return whole
    parity = 0
    lines = header_lines
    cuts: list[tuple[int, int]] = [(scans[0].start, lines + 1)]
    for scan in scans:
        if scan.unsafe[parity]:
            return whole
        cut = scan.boundary[parity]
        if scan is not scans[0] and cut >= 0 and cut > cuts[-1][0] and cut < scans[-1].end:
            cuts.append((cut, lines + scan.newlines_before[parity] + 1))
        parity = (parity + scan.quotes) % 2
        lines += scan.newlines
    if parity or len(cuts) < 2:
        return whole
    ends = [start for start, _ in cuts[1:]] + [scans[-1].end]
    return [
        ByteRange(str(path), start, end, line)
        for (start, line), end in zip(cuts, ends, strict=True)
    ]


def split_csv(
    path: str | Path, options: SourceOptions = _DEFAULT_OPTIONS, *, target_bytes: int = 1 << 26
) -> list[ByteRange]:
    """Split a CSV file into record-aligned ranges of about ``target_bytes`` bytes (both
    phases here; a distributed caller runs `scan_range` on the workers and `plan_ranges`
    on the client). One whole-file range when it cannot be split (see the module docs)."""
    path = Path(path)
    size = path.stat().st_size
    if options.layout not in _CSV_LAYOUTS or size < 2 * target_bytes:
        return [ByteRange.whole(path)]
    check_text_file(path, options.layout, options.encoding)
    head = read_csv_head(
        path, encoding=options.encoding, delimiter=options.delimiter, header_row=options.header_row
    )
    if not splittable(path, options, head):
        return [ByteRange.whole(path)]
    lines = options.header_row - 1 + head.header_lines
    data_start = header_end(path, lines)
    header = scan_range(path, 0, data_start, delimiter=head.delimiter, data_start=0)
    step = max(1, target_bytes)
    edges = [*range(data_start, size, step), size]
    if len(edges) > 2 and size - edges[-2] < step // 2:
        del edges[-2]  # no small last range
    scans = [
        scan_range(path, lo, hi, delimiter=head.delimiter, data_start=data_start)
        for lo, hi in itertools.pairwise(edges)
    ]
    return plan_ranges(path, scans, header_quotes=header.quotes, header_lines=header.newlines)


def splittable(path: Path, options: SourceOptions, head: CsvHead) -> bool:
    """Whether ``path`` can be split by quote parity at all: a CSV layout in an
    ASCII-compatible encoding whose header is one line."""
    if head.header_lines > 1:
        return False  # pyarrow skips the header by newline, not by record: see the docs
    layout = options.layout if options.layout is not Layout.AUTO else detect_layout(path)
    return layout.family == "csv" and ascii_compatible(head.encoding)
