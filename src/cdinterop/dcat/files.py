"""Reading and writing DCAT graphs as files: Turtle, JSON-LD, RDF/XML, N-Triples.

Writes are atomic (:func:`cdinterop.files.atomic_write`). Reads are local only: JSON-LD
documents whose ``@context`` is not inline (a remote IRI) are refused before parsing, and
the parser runs with no base to resolve against, so nothing is fetched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rdflib import Graph

from cdinterop.dcat.graph import DEFAULT_BASE_IRI, from_graph, to_graph
from cdinterop.errors import ReadError, WriteError
from cdinterop.files import atomic_write
from cdinterop.model import CitizenDataset

__all__ = ["FORMATS", "parse_graph", "read", "write"]

FORMATS: dict[str, tuple[str, ...]] = {
    "turtle": (".ttl",),
    "json-ld": (".jsonld", ".json"),
    "xml": (".rdf", ".xml", ".owl"),
    "nt": (".nt",),
}
"""Supported rdflib format names and the file suffixes that select them."""


def _format_of(path: Path) -> str:
    for name, suffixes in FORMATS.items():
        if path.suffix.lower() in suffixes:
            return name
    raise ReadError(str(path), f"unknown RDF file suffix {path.suffix!r}")


def write(
    dataset: CitizenDataset,
    path: str | Path,
    *,
    format: str | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
) -> Path:
    """Write the DCAT description of ``dataset`` to ``path`` atomically; the format
    defaults to the one the suffix names. Returns the path."""
    target = Path(path)
    fmt = format or _format_of(target)
    if fmt not in FORMATS:
        raise WriteError(f"unknown RDF format {fmt!r}; use one of {', '.join(FORMATS)}")
    data = to_graph(dataset, base_iri=base_iri).serialize(format=fmt, encoding="utf-8")
    with atomic_write(target, "wb") as handle:
        handle.write(data)
    return target


def _remote_contexts(node: Any) -> bool:
    if isinstance(node, dict):
        ctx = node.get("@context")
        if ctx is not None and _context_is_remote(ctx):
            return True
        return any(_remote_contexts(v) for v in node.values())
    if isinstance(node, list):
        return any(_remote_contexts(v) for v in node)
    return False


def _context_is_remote(ctx: Any) -> bool:
    if isinstance(ctx, str):
        return True
    if isinstance(ctx, list):
        return any(_context_is_remote(c) for c in ctx)
    if isinstance(ctx, dict):
        return "@import" in ctx
    return False


def parse_graph(data: bytes, fmt: str, *, source: str = "<bytes>") -> Graph:
    """Parse RDF bytes safely: JSON-LD with a remote ``@context`` is refused."""
    graph = Graph()
    try:
        if fmt == "json-ld":
            document = json.loads(data)
            if _remote_contexts(document):
                raise ReadError(source, "JSON-LD with a remote @context is not fetched")
        graph.parse(data=data, format=fmt)
    except ReadError:
        raise
    except Exception as exc:  # rdflib raises many parser-specific errors
        raise ReadError(source, f"not valid {fmt}: {exc}") from exc
    return graph


def read(path: str | Path, *, format: str | None = None) -> CitizenDataset:
    """Read a data set description written by :func:`write` (observations empty)."""
    source = Path(path)
    fmt = format or _format_of(source)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise ReadError(str(source), str(exc)) from exc
    return from_graph(parse_graph(data, fmt, source=str(source)))
