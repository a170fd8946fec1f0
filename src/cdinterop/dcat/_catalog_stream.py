"""A catalogue of thousands of data sets written to Turtle or N-Triples as a stream, its
data sets described in worker processes.

`write_catalog()` never holds the whole graph: the data sets are cut into one run per
worker, each worker describes its data sets one by one (the same writer as
`cdinterop.dcat.to_graph()`) and hands every `CHUNK` of them to Oxigraph, which writes them
to a part file beside the target. A triple about a node of the data set itself (its IRI and
the nodes minted under it: ``{base}agent/{id}.VOL007``, ``{base}distribution/{id}.CSV`` ...)
is written at once; a triple about a node data sets share (a concept, a licence, an area, a
metric) is kept back, once, and written by the parent with the catalogue's own triples,
before the parts. So the document holds each triple once and the memory of a run is one
chunk per worker plus the shared nodes, whatever the size of the catalogue.

With one worker (small catalogues, or ``workers=1``) everything runs in this process.
Worker processes are forked (no re-import, no pickling of the models: each reads its run
from the memory it inherits) where the platform forks and no other thread runs; otherwise
they are spawned and each run's data sets are sent to them.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import tempfile
import threading
from collections.abc import Hashable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import IO
from urllib.parse import quote

from rdflib import URIRef
from rdflib.term import Node

from cdinterop._collector import collector_paused
from cdinterop.dcat._iris import KINDS, Minter
from cdinterop.dcat._oxigraph import serialise
from cdinterop.dcat._triples import TextTriple, TripleBuffer
from cdinterop.dcat._vocab import DCTERMS
from cdinterop.dcat._writing import (
    JSON_PREDICATES,
    add_catalog_head,
    add_catalog_tail,
    add_dataset,
    bind_prefixes,
    link_dataset,
)
from cdinterop.model import Catalog, CitizenDataset

__all__ = ["CHUNK", "PARALLEL_FROM", "STREAMED_FORMATS", "write_catalog"]

CHUNK = 250
"""Data sets a worker describes before Oxigraph writes them."""
PARALLEL_FROM = 1_000
"""Catalogues with at least this many data sets are described in worker processes."""
STREAMED_FORMATS = frozenset({"turtle", "nt"})
"""The formats whose documents can be written in parts (RDF/XML and JSON-LD are one
document tree: they are written from the whole graph)."""


@dataclass(frozen=True)
class _Part:
    """What a worker made of its run of data sets."""

    path: str
    """The part file: the triples of the run's own nodes, in the target format."""
    shared: tuple[TextTriple, ...]
    """The triples about shared nodes (concepts, licences, areas ...), each once."""
    areas: tuple[tuple[str, ...], ...]
    """The spatial coverage (IRIs) of each data set of the run."""


def write_catalog(
    catalog: Catalog,
    handle: IO[bytes],
    fmt: str,
    *,
    base_iri: str,
    directory: Path,
    workers: int | None = None,
) -> None:
    """Write the DCAT description of ``catalog`` to ``handle`` in ``fmt`` (one of
    `STREAMED_FORMATS`), the part files in ``directory``; ``workers`` defaults to the CPUs
    for a catalogue of `PARALLEL_FROM` data sets or more, else 1."""
    Minter(base_iri)  # a bad base IRI fails here, before any worker starts
    datasets = catalog.datasets
    count = _workers(len(datasets), workers)
    runs = _runs(datasets, count)
    parts: list[_Part] = []
    try:
        if count == 1:
            parts = [_describe_run(run, base_iri, fmt, str(directory)) for run in runs]
        else:
            parts = _in_workers(runs, base_iri, fmt, directory, count)
        head = _catalog_triples(catalog, base_iri, parts)
        serialise(head, fmt, handle)
        for part in parts:
            with Path(part.path).open("rb") as piece:
                shutil.copyfileobj(piece, handle, 1 << 20)
    finally:
        for part in parts:
            Path(part.path).unlink(missing_ok=True)


def _workers(datasets: int, asked: int | None) -> int:
    if asked is not None:
        return max(1, min(asked, datasets or 1))
    if datasets < PARALLEL_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _runs(datasets: Sequence[CitizenDataset], count: int) -> list[Sequence[CitizenDataset]]:
    size = -(-len(datasets) // count) if datasets else 0
    return [datasets[i : i + size] for i in range(0, len(datasets), size)] if size else []


def _in_workers(
    runs: list[Sequence[CitizenDataset]], base_iri: str, fmt: str, directory: Path, count: int
) -> list[_Part]:
    forks = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    context = multiprocessing.get_context("fork" if forks else "spawn")
    # the parent's objects out of the children's collections (no copy on write); a freeze
    # of the caller's own (a pre-fork server's) is left as it was
    thaw = forks and gc.get_freeze_count() == 0
    if forks:
        _INHERITED[:] = runs  # the children read their runs from the memory they inherit
        gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            futures = [
                pool.submit(_describe_inherited, i, base_iri, fmt, str(directory))
                if forks
                else pool.submit(_describe_run, tuple(run), base_iri, fmt, str(directory))
                for i, run in enumerate(runs)
            ]
            return [future.result() for future in futures]
    finally:
        _INHERITED.clear()
        if thaw:
            gc.unfreeze()


_INHERITED: list[Sequence[CitizenDataset]] = []
"""The runs of the catalogue being written, for forked workers: pickling a run's data sets
to send them costs more than describing them (8 s a direction for 5,000 data sets that
share no parts), and a forked worker has them already."""


def _describe_inherited(index: int, base_iri: str, fmt: str, directory: str) -> _Part:
    """`_describe_run` of the ``index``-th run, as the forked worker inherited it."""
    return _describe_run(_INHERITED[index], base_iri, fmt, directory)


def _catalog_triples(catalog: Catalog, base_iri: str, parts: list[_Part]) -> TripleBuffer:
    """The catalogue's own triples, its links to the data sets and the shared nodes."""
    mint = Minter(base_iri)
    head = _buffer(mint)
    c = add_catalog_head(head, catalog, mint)
    areas = (run_areas for part in parts for run_areas in part.areas)
    for ds, ds_areas in zip(catalog.datasets, areas, strict=True):
        link_dataset(head, c, mint.dataset(ds.id), [URIRef(a) for a in ds_areas])
    add_catalog_tail(head, c, catalog)
    for part in parts:
        head.add_texts(part.shared)
    return head


def _buffer(mint: Minter) -> TripleBuffer:
    triples = TripleBuffer()
    bind_prefixes(triples)
    mint.bind(triples)  # type: ignore[arg-type]
    return triples


def _describe_run(
    datasets: Sequence[CitizenDataset], base_iri: str, fmt: str, directory: str
) -> _Part:
    """Describe a run of data sets into a part file (a worker's task), the cyclic garbage
    collector paused (`cdinterop._collector`)."""
    with collector_paused():
        return _describe(datasets, base_iri, fmt, directory)


def _describe(datasets: Sequence[CitizenDataset], base_iri: str, fmt: str, directory: str) -> _Part:
    mint = Minter(base_iri)
    shared = TripleBuffer()
    areas: list[tuple[str, ...]] = []
    descriptor, path = _part_file(directory)
    with os.fdopen(descriptor, "wb") as out:
        run = _RunMemo()
        chunk = _Routed(shared, mint, run)
        for n, ds in enumerate(datasets, start=1):
            chunk.owner(ds.id)
            d = add_dataset(chunk, ds, mint)
            areas.append(tuple(str(a) for a in chunk.objects(d, DCTERMS.spatial)))
            if n % CHUNK == 0 or n == len(datasets):
                long_literals = chunk.take(JSON_PREDICATES)
                out.write(_without_prefixes(chunk, fmt))
                out.write(_statements(long_literals))
                chunk = _Routed(shared, mint, run)
    return _Part(path, tuple(shared.texts()), tuple(areas))


@dataclass
class _RunMemo:
    """What a run has put in its shared buffer already, kept across its chunks."""

    blocks: dict[int, tuple[TextTriple, ...]] = field(default_factory=dict)
    """The cached blocks (the writers' lru-cached tuples), by id."""
    described: set[Hashable] = field(default_factory=set)
    """The keys of the shared nodes described (`TripleBuffer.once`)."""


class _Routed(TripleBuffer):
    """The triples about the nodes of the data sets being described; the triples about
    shared nodes go to ``shared`` (the run's, kept back for the document's head)."""

    def __init__(self, shared: TripleBuffer, mint: Minter, run: _RunMemo) -> None:
        super().__init__()
        bind_prefixes(self)
        mint.bind(self)  # type: ignore[arg-type]
        self._shared = shared
        self._blocks = run.blocks
        self._described = run.described  # the shared nodes' keys, for the whole run
        self._base = mint.base
        self._mine: _Owned | None = None
        self._owned: dict[str, bool] = {}

    def owner(self, dataset_id: str) -> None:
        """Route the triples of data set ``dataset_id`` from now on."""
        self._mine = _owned(self._base, dataset_id)
        self._owned = {}

    def _add(self, subject: str, predicate: str, value: str) -> None:
        owned = self._owned.get(subject)
        if owned is None:
            owned = self._owned[subject] = self._mine is not None and self._mine(subject)
        TripleBuffer._add(self if owned else self._shared, subject, predicate, value)

    def add_texts(self, triples: Iterable[TextTriple]) -> None:
        """Add triples given as texts; a block made once and cached by the writers (a
        concept, a scheme: the same tuple for every data set) is added once per run when
        all its triples are about shared nodes."""
        if type(triples) is not tuple:
            super().add_texts(triples)
            return
        block = self._blocks.get(id(triples))
        if block is triples:
            return
        add = self._add
        shared = True
        for subject, predicate, value in triples:
            add(subject, predicate, value)
            shared = shared and not self._owned[subject]
        if shared:
            self._blocks[id(triples)] = triples  # held: its id stays its own

    def __contains__(self, pattern: tuple[Node, Node, Node | None]) -> bool:
        return super().__contains__(pattern) or pattern in self._shared


def _statements(triples: list[TextTriple]) -> bytes:
    """The triples as N-Triples statements, which are Turtle statements too: the model's
    JSON literals (tens of kilobytes a data set) go to the part file as they are instead of
    through Oxigraph's parser and writer, which would only copy them (their subject and
    predicate IRIs are checked there with the subject's other triples)."""
    return "".join(f"{s} {p} {o} .\n" for s, p, o in triples).encode("utf-8")


def _part_file(directory: str) -> tuple[int, str]:
    return tempfile.mkstemp(prefix=".cdinterop-part-", suffix=".tmp", dir=directory)


def _owned(base: str, dataset_id: str) -> _Owned:
    return _Owned(f"<{base}", f"{quote(dataset_id, safe='-_~')}")


class _Owned:
    """Whether a subject (N-Triples text) is a node of one data set: a blank node, or an
    IRI ``{base}{kind}/{id}`` or ``{base}{kind}/{id}.{more}``."""

    def __init__(self, base: str, local: str) -> None:
        self._base = base
        self._local = local

    def __call__(self, subject: str) -> bool:
        if subject.startswith("_:"):
            return True
        if not subject.startswith(self._base):
            return False
        kind, _, rest = subject[len(self._base) :].partition("/")
        if kind not in KINDS or not rest.startswith(self._local):
            return False
        return rest[len(self._local) : len(self._local) + 1] in (">", ".")


def _without_prefixes(triples: TripleBuffer, fmt: str) -> bytes:
    """The serialised triples without the prefix lines that head every document (the
    document's head has them once)."""
    buffer = BytesIO()
    serialise(triples, fmt, buffer)
    data = buffer.getvalue()
    if fmt != "turtle":
        return data
    start = 0
    while data.startswith(b"@prefix ", start):
        start = data.index(b"\n", start) + 1
    return data[start:]
