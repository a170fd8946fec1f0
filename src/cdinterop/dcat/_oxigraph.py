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

from itertools import islice
from typing import IO, Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

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


class TooManyTriples(Exception):
    """The document holds more triples than the limit of the parse."""


def serialise(triples: TripleBuffer, fmt: str, output: IO[bytes]) -> None:
    """Write ``triples`` to ``output`` in the format named ``fmt`` (a key of
    `RDF_FORMATS`)."""
    parsed = ox.parse(ntriples(triples), format=ox.RdfFormat.N_TRIPLES)
    try:
        ox.serialize(parsed, output, format=RDF_FORMATS[fmt], prefixes=triples.prefixes)
    except SyntaxError as exc:
        raise WriteError(f"the description holds a term that is not valid RDF: {exc}") from None


def parse_into_graph(data: bytes, fmt: str, *, base: str | None, limit: int) -> Graph:
    """The triples of ``data`` (format ``fmt``) in an ``rdflib.Graph`` with the document's
    prefixes; raises `TooManyTriples` past ``limit`` triples and Oxigraph's ``SyntaxError``
    for invalid input.

    Oxigraph parses; the graph is rdflib's in-memory store, not Oxigraph's: Oxigraph's
    store keeps literals in canonical form (``"5"^^xsd:nonNegativeInteger`` becomes
    ``"5"^^xsd:integer``, ``"1.50"`` becomes ``"1.5"``), which SHACL datatype checks and
    exact round trips cannot accept."""
    quads = ox.parse(data, format=RDF_FORMATS[fmt], base_iri=base, without_named_graphs=True)
    graph = Graph()
    terms = _Terms()
    graph.addN(
        (terms(q.subject), terms(q.predicate), terms(q.object), graph) for q in islice(quads, limit)
    )
    if next(quads, None) is not None:
        raise TooManyTriples
    for prefix, namespace in quads.prefixes.items():  # the document's, as rdflib binds them
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


class _Terms:
    """rdflib terms of Oxigraph terms, each IRI made once per document."""

    def __init__(self) -> None:
        self._iris: dict[str, URIRef] = {}

    def __call__(self, term: Any) -> Node:
        if isinstance(term, ox.NamedNode):
            value = term.value
            iri = self._iris.get(value)
            if iri is None:
                iri = self._iris[value] = URIRef(value)
            return iri
        return _rdflib(term)


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _rdflib(term: Any) -> Node:
    """The rdflib term of an Oxigraph term; a simple literal has no datatype, as rdflib's
    own parsers give it (``Literal("x")``, not ``Literal("x", datatype=xsd:string)``,
    which rdflib holds unequal)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise ValueError(f"no rdflib term for {term!r}")
