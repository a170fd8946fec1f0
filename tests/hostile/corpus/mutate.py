"""Deterministic byte-level mutations of valid files (shared by the corpus and the fuzz
tests)."""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = [
    "duplicate_lines",
    "flip_bits",
    "insert_at",
    "rewrite_zip",
    "truncate",
]


def flip_bits(data: bytes, seed: int, count: int = 8) -> bytes:
    """``data`` with ``count`` bits flipped at places chosen by ``seed``."""
    rng = random.Random(seed)
    buf = bytearray(data)
    for _ in range(count):
        if not buf:
            break
        at = rng.randrange(len(buf))
        buf[at] ^= 1 << rng.randrange(8)
    return bytes(buf)


def truncate(data: bytes, fraction: float) -> bytes:
    """The first ``fraction`` of ``data``."""
    return data[: int(len(data) * fraction)]


def insert_at(data: bytes, fraction: float, snippet: bytes) -> bytes:
    """``data`` with ``snippet`` inserted at ``fraction`` of its length."""
    at = int(len(data) * fraction)
    return data[:at] + snippet + data[at:]


def duplicate_lines(data: bytes, seed: int, count: int = 5) -> bytes:
    """``data`` with ``count`` of its lines (chosen by ``seed``) written twice."""
    rng = random.Random(seed)
    lines = data.splitlines(keepends=True)
    for _ in range(count):
        if not lines:
            break
        at = rng.randrange(len(lines))
        lines.insert(at, lines[at])
    return b"".join(lines)


def rewrite_zip(
    source: Path,
    target: Path,
    change: Mapping[str, Callable[[bytes], bytes]] | None = None,
    add: Mapping[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
) -> None:
    """Copy the zip ``source`` to ``target``, changing members (name to function of the
    content), adding members and dropping others."""
    change = change or {}
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info.filename)
            if info.filename in change:
                data = change[info.filename](data)
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
