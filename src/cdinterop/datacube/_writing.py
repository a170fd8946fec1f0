"""Writing a data set as an RDF Data Cube: N-Triples streamed batch by batch, Turtle by
Oxigraph from that stream (in worker processes for a large cube: `._turtle`), an
``rdflib.Graph`` for small data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from cdinterop._files import atomic_write
from cdinterop.datacube._iris import CubeIris
from cdinterop.datacube._plan import plan
from cdinterop.datacube._rows import observation_chunks
from cdinterop.datacube._structure import structure_ntriples
from cdinterop.datacube._turtle import write_turtle
from cdinterop.datacube._vocab import PREFIXES
from cdinterop.dcat import DEFAULT_BASE_IRI
from cdinterop.errors import WriteError
from cdinterop.model import CitizenDataset, refuse_added_fields

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = ["FORMATS", "iter_ntriples", "to_graph", "write"]

FORMATS: dict[str, str] = {"nt": "N-Triples", "turtle": "Turtle"}
"""The formats [`write()`][cdinterop.datacube.write] writes, by name."""

_SUFFIXES = {".nt": "nt", ".ttl": "turtle"}

BATCH_ROWS = 32_768
"""Observations turned into text at a time (a few tens of MB of text per batch)."""


def iter_ntriples(
    ds: CitizenDataset, base_iri: str = DEFAULT_BASE_IRI, *, batch_rows: int = BATCH_ROWS
) -> Iterator[bytes | memoryview]:
    """The cube as N-Triples, in chunks of UTF-8 text: the description (data set,
    structure, code lists) first, then the observations, ``batch_rows`` at a time."""
    refuse_added_fields(ds, "an RDF Data Cube")
    iris = CubeIris(ds.id, base_iri)
    yield "".join(structure_ntriples(ds, iris)).encode("utf-8")
    components = plan(ds.structure, iris)
    yield from observation_chunks(ds.observations.table, iris, components, batch_rows)


def _prefix_name(text: str, taken: set[str]) -> str:
    name = re.sub(r"[^a-z0-9_-]", "-", text.lower())
    if not name[:1].isalpha():
        name = "cl-" + name
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(candidate)
    return candidate


def prefixes(ds: CitizenDataset, base_iri: str = DEFAULT_BASE_IRI) -> dict[str, str]:
    """The Turtle prefixes of a cube: the vocabularies and the minted namespaces (one per
    code list, named after its id)."""
    iris = CubeIris(ds.id, base_iri)
    out = dict(PREFIXES)
    out |= {"cube": iris.dataset + "/", "obs": iris.observation_prefix}
    out["prop"] = iris.dataset + "/property/"
    out["concept"] = iris.dataset + "/concept/"
    out["component"] = iris.dataset + "/component/"
    taken = set(out)
    for codelist in ds.structure.codelists:
        out[_prefix_name(codelist.id, taken)] = iris.code_prefix(codelist)
    return out


def _format_of(path: Path, fmt: str | None) -> str:
    name = fmt or _SUFFIXES.get(path.suffix.lower())
    if name not in FORMATS:
        wanted = ", ".join(FORMATS)
        raise WriteError(f"cannot write {path} as a Data Cube: format {fmt!r}; use one of {wanted}")
    return name


def write(
    ds: CitizenDataset,
    path: str | Path,
    format: str | None = None,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    batch_rows: int = BATCH_ROWS,
) -> Path:
    """Write the observations of ``ds`` as an RDF Data Cube to ``path`` and return it.

    ``format`` is ``nt`` or ``turtle`` (guessed from a ``.nt`` or ``.ttl`` suffix when
    left out). The file appears whole or not at all (written beside and renamed). IRIs
    are minted under ``base_iri`` (see [`dataset_iri()`][cdinterop.datacube.dataset_iri]).
    """
    target = Path(path)
    name = _format_of(target, format)
    chunks = iter_ntriples(ds, base_iri, batch_rows=batch_rows)
    with atomic_write(target, "wb") as handle:
        if name == "nt":
            for chunk in chunks:
                handle.write(chunk)
        else:
            names = prefixes(ds, base_iri)
            write_turtle(chunks, handle, names, observations=len(ds.observations))
    return target


def to_graph(ds: CitizenDataset, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    """The cube as an ``rdflib.Graph`` (for small data: rdflib holds about 1 KB per
    triple), with the prefixes of the Turtle output bound."""
    from rdflib import Graph

    graph = Graph()
    for prefix, namespace in prefixes(ds, base_iri).items():
        graph.bind(prefix, namespace, replace=True)
    data = b"".join(bytes(chunk) for chunk in iter_ntriples(ds, base_iri))
    graph.parse(data=data, format="nt")
    return graph
