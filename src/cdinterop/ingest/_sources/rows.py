"""Rows of cell texts gathered into batches, for the readers that build their records one
by one in Python (XLSX, JSON): the row after the header, blank and overlong rows, and
the column lists a batch is built from."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

__all__ = ["ColumnBatch", "beyond_header", "is_blank", "texts_after_header"]


class ColumnBatch:
    """Rows of cell texts gathered column by column, at most ``limit`` rows at a time."""

    def __init__(self, width: int, limit: int) -> None:
        self._width = width
        self._limit = limit
        self._columns: list[list[str | None]] = [[] for _ in range(width)]
        self._rows: list[int] = []

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, number: int, texts: Sequence[str | None]) -> bool:
        """Add row ``number`` (texts beyond the width are left out, missing ones are
        null); whether the batch is now full."""
        for i, column in enumerate(self._columns):
            column.append(texts[i] if i < len(texts) else None)
        self._rows.append(number)
        return len(self._rows) >= self._limit

    def take(self) -> tuple[list[list[str | None]], list[int]]:
        """The columns and row numbers gathered so far; the batch starts again empty."""
        taken = self._columns, self._rows
        self._columns = [[] for _ in range(self._width)]
        self._rows = []
        return taken


def texts_after_header(
    rows: Iterable[Sequence[Any]], header_row: int, text: Callable[[Any], str | None]
) -> Iterator[tuple[int, list[str | None]]]:
    """The rows after the header (row ``header_row``, 1-based) with their numbers, each
    cell turned into text by ``text``."""
    for number, cells in enumerate(rows, start=1):
        if number > header_row:
            yield number, [text(value) for value in cells]


def is_blank(texts: Iterable[str | None]) -> bool:
    """Whether a row has no text in any cell."""
    return all(text is None for text in texts)


def beyond_header(texts: Sequence[str | None], width: int) -> list[str]:
    """The texts of a row beyond the header's ``width`` columns."""
    return [text for text in texts[width:] if text is not None]
