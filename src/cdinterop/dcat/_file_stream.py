"""Turtle and N-Triples files read without holding them in memory.

A catalogue of 10,000 data sets is a 400 MB Turtle file (730 MB as N-Triples). Read whole,
its bytes (and, for the UTF-8 check, a decoded copy) sit beside the parsed graph: about
1.5 GB at the peak for Turtle and 1.8 GB for N-Triples, against 1.1 GB when Oxigraph's
parser reads the file itself. These two syntaxes need no check of the whole document (no
DTD, no remote context), so `check_text_file` makes the reader's checks chunk by chunk
(not empty, UTF-8 with the line and column of a bad byte, within the size limit) and
`BoundedReader` hands the file to the parser, refusing any byte past the limit (a file
that grew after its size was checked).
"""

from __future__ import annotations

import io
from pathlib import Path

from cdinterop.errors import ReadError

__all__ = ["STREAMED", "BoundedReader", "check_text_file"]

STREAMED = frozenset({"turtle", "nt"})
"""Formats read from the file by the parser, never whole."""

_CHUNK = 1 << 24
"""Bytes read at a time by the checks (16 MiB)."""


def check_text_file(file: Path, fmt: str, source: str, most: int) -> None:
    """Refuse ``file`` unless it holds a non-blank UTF-8 text of at most ``most`` bytes,
    with the messages of the checks on a whole document."""
    seen = lines = 0
    last_newline = -1  # offset of the last newline before the current chunk
    blank = True
    carry = b""
    with file.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            seen += len(chunk)
            if seen > most:
                raise ReadError(source, f"the input grew past {most:,} bytes while read")
            data = carry + chunk
            base = seen - len(data)
            blank = blank and not data.strip()
            try:
                data.decode("utf-8")
                carry = b""
            except UnicodeDecodeError as exc:
                if exc.reason != "unexpected end of data" or exc.start < len(data) - 3:
                    _refuse(data, exc.start, base, lines, last_newline, fmt, source)
                carry = data[exc.start :]  # a character cut by the chunk's end
                data = data[: exc.start]
            lines += data.count(b"\n")
            if b"\n" in data:
                last_newline = base + data.rfind(b"\n")
    if carry:
        _refuse(carry, 0, seen - len(carry), lines, last_newline, fmt, source)
    if blank:
        raise ReadError(source, f"the input is empty (no {fmt} content)")


def _refuse(
    data: bytes, start: int, base: int, lines: int, last_newline: int, fmt: str, source: str
) -> None:
    """The error of a byte that is not UTF-8 at ``base + start``."""
    before = data[:start]
    line = lines + before.count(b"\n") + 1
    newline = before.rfind(b"\n")
    line_start = base + newline + 1 if newline >= 0 else last_newline + 1
    column = base + start - line_start + 1
    raise ReadError(
        source,
        f"not UTF-8: byte 0x{data[start]:02x} at line {line}, column {column}; "
        f"{fmt} files must be UTF-8 encoded",
    )


class BoundedReader(io.RawIOBase):
    """A binary file read by a parser, refused past ``most`` bytes."""

    def __init__(self, handle: io.BufferedReader, source: str, most: int) -> None:
        super().__init__()
        self.handle, self.source, self.most = handle, source, most
        self.count = 0

    def readable(self) -> bool:
        """Always: the parser reads."""
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        """Fill ``buffer`` from the file; a `ReadError` past the limit."""
        n = self.handle.readinto(buffer)
        self.count += n
        if self.count > self.most:
            raise ReadError(self.source, f"the input grew past {self.most:,} bytes while read")
        return n
