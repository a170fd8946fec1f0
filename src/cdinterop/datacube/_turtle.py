"""Turtle of a cube by Oxigraph, the chunks of observations written in worker processes.

Oxigraph's N-Triples parser hands every triple to Python on its way to the Turtle writer,
about a microsecond each: one process writes under a million triples a second. A large
cube's chunks (`PARALLEL_FROM` observations or more) are therefore turned into Turtle by
worker processes, a few chunks in flight at a time (memory stays bounded), and written
in order. Every piece after the first leaves out the ``@prefix`` lines that head any
Oxigraph document: the first piece declares them once for the file.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import IO

__all__ = ["PARALLEL_FROM", "write_turtle"]

PARALLEL_FROM = 200_000
"""Cubes with at least this many observations are written by worker processes."""
_IN_FLIGHT = 4
"""Chunks handed to the workers and not yet written."""


def write_turtle(
    chunks: Iterable[bytes | memoryview],
    handle: IO[bytes],
    prefixes: dict[str, str],
    *,
    observations: int,
) -> None:
    """Write the N-Triples ``chunks`` (the structure first) to ``handle`` as one Turtle
    document with ``prefixes``."""
    pieces = iter(chunks)
    first = next(pieces, None)
    if first is None:
        return
    handle.write(turtle_piece(bytes(first), prefixes, head=True))
    workers = min(os.cpu_count() or 1, 4)
    if observations < PARALLEL_FROM or workers < 2:
        for chunk in pieces:
            handle.write(turtle_piece(bytes(chunk), prefixes, head=False))
        return
    for piece in _in_workers(pieces, prefixes, workers):
        handle.write(piece)


def turtle_piece(ntriples: bytes, prefixes: dict[str, str], *, head: bool) -> bytes:
    """The Turtle of N-Triples text; without the ``@prefix`` lines unless ``head``."""
    import pyoxigraph as ox

    parsed = ox.parse(input=ntriples, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    data = ox.serialize(parsed, None, ox.RdfFormat.TURTLE, prefixes=prefixes)
    assert data is not None  # no output given: the bytes are returned
    if head:
        return data
    start = 0
    while data.startswith(b"@prefix ", start):
        start = data.index(b"\n", start) + 1
    return data[start:]


def _in_workers(
    chunks: Iterator[bytes | memoryview], prefixes: dict[str, str], workers: int
) -> Iterator[bytes]:
    forks = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    context = multiprocessing.get_context("fork" if forks else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        waiting: deque[Future[bytes]] = deque()
        for chunk in chunks:
            waiting.append(pool.submit(turtle_piece, bytes(chunk), prefixes, head=False))
            if len(waiting) >= _IN_FLIGHT:
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()
