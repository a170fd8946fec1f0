"""RDF syntaxes parsed and written by Oxigraph (``pyoxigraph``), compiled code, behind the
``rdflib.Graph`` the public functions give and take.

* **Writing** (`serialise()`): the writers' triples (`TripleBuffer`) go to Oxigraph as
  N-Triples text, which it parses and writes as Turtle (with the buffer's prefixes),
  N-Triples, RDF/XML or JSON-LD (expanded, as rdflib wrote it without a context). Parsing
  our own text again checks every IRI: one that is not a valid IRI is a
  [`WriteError`][cdinterop.errors.WriteError], never a file other tools cannot read.
* **Reading** (`parse_into_graph()`): Oxigraph parses the bytes, stopping after ``limit``
  triples, into an ``rdflib.Graph`` (rdflib's in-memory store: Oxigraph's own store
  rewrites literals in canonical form), so every reader keeps working on an
  ``rdflib.Graph``. Oxigraph never fetches anything: JSON-LD contexts must be inline (the
  callers refuse remote ones before parsing, as they refuse DTDs in RDF/XML).
"""

from __future__ import annotations

from typing import IO

import pyoxigraph as ox
from rdflib import Graph

from cdinterop.dcat._text_store import TooManyTriples, parse_to_store
from cdinterop.dcat._triples import TripleBuffer, ntriples
from cdinterop.errors import WriteError

__all__ = ["RDF_FORMATS", "TooManyTriples", "parse_into_graph", "serialise"]

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
    "nt": ox.RdfFormat.N_TRIPLES,
}
"""Oxigraph's format for each name of `cdinterop.dcat.FORMATS`."""


def serialise(triples: TripleBuffer, fmt: str, output: IO[bytes]) -> None:
    """Write ``triples`` to ``output`` in the format named ``fmt`` (a key of
    `RDF_FORMATS`)."""
    parsed = ox.parse(ntriples(triples), format=ox.RdfFormat.N_TRIPLES)
    try:
        ox.serialize(parsed, output, format=RDF_FORMATS[fmt], prefixes=triples.prefixes)
    except SyntaxError as exc:
        raise WriteError(f"the description holds a term that is not valid RDF: {exc}") from None


def parse_into_graph(data: bytes | IO[bytes], fmt: str, *, base: str | None, limit: int) -> Graph:
    """The triples of ``data`` (bytes, or a binary file the parser reads as it goes;
    format ``fmt``) in an ``rdflib.Graph`` with the document's
    prefixes; raises `TooManyTriples` past ``limit`` triples and Oxigraph's ``SyntaxError``
    for invalid input.

    The graph's store is a `TextStore` (each term as its N-Triples text), not Oxigraph's
    store, which keeps literals in canonical form (``"5"^^xsd:nonNegativeInteger`` becomes
    ``"5"^^xsd:integer``, ``"1.50"`` becomes ``"1.5"``): SHACL datatype checks and exact
    round trips cannot accept that."""
    quads = ox.parse(data, format=RDF_FORMATS[fmt], base_iri=base, without_named_graphs=True)
    graph = Graph(store=parse_to_store(quads, limit))
    for prefix, namespace in quads.prefixes.items():  # the document's, as rdflib binds them
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph
