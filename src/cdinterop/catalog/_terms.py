"""RDF terms between rdflib (what cdinterop.dcat reads and what users get back) and
Oxigraph (what the store holds)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from cdinterop.errors import ReadError

if TYPE_CHECKING:
    import pyoxigraph as ox

__all__ = ["from_oxigraph", "rdflib_graph", "restore_datatypes", "to_oxigraph"]

_BYTE_SIZE = "http://www.w3.org/ns/dcat#byteSize"
_INTEGER = str(XSD.integer)
_NON_NEGATIVE = str(XSD.nonNegativeInteger)

_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_STRING = str(XSD.string)


def to_oxigraph(triples: Iterable[tuple[Node, Node, Node]], source: str) -> list[ox.Triple]:
    """The triples as Oxigraph triples, with fresh blank nodes (one per rdflib blank node),
    so that two data sets never share one. A term Oxigraph refuses (an IRI with a space, a
    malformed language tag) is a [`ReadError`][cdinterop.errors.ReadError] naming ``source``."""
    import pyoxigraph as ox

    blanks: dict[BNode, ox.BlankNode] = {}

    def term(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, BNode):
            if node not in blanks:
                blanks[node] = ox.BlankNode()
            return blanks[node]
        if isinstance(node, Literal):
            if node.language:
                return ox.Literal(str(node), language=node.language)
            if node.datatype is not None:
                return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
            return ox.Literal(str(node))
        raise ValueError(f"unsupported RDF term {node!r}")

    converted = []
    for s, p, o in triples:
        try:
            converted.append(ox.Triple(term(s), term(p), term(o)))  # type: ignore[arg-type]
        except ValueError as exc:
            raise ReadError(source, f"{exc} (in the triple {s} {p} {o})"[:400]) from None
    return converted


def from_oxigraph(term: object) -> Node | None:
    """An Oxigraph term as an rdflib term (``None`` stays ``None``; a quoted triple becomes
    the literal of its N-Triples form)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (_STRING, _LANG_STRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    return Literal(str(term))


def restore_datatypes(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples with the datatype DCAT-AP gives ``dcat:byteSize`` back: Oxigraph stores
    every integer type as ``xsd:integer`` (the same value), while DCAT-AP 3 requires
    ``xsd:nonNegativeInteger``."""
    import pyoxigraph as ox

    restored = []
    for triple in triples:
        value = triple.object
        if (
            triple.predicate.value == _BYTE_SIZE
            and isinstance(value, ox.Literal)
            and value.datatype.value == _INTEGER
            and not value.value.startswith("-")
        ):
            typed = ox.Literal(value.value, datatype=ox.NamedNode(_NON_NEGATIVE))
            triple = ox.Triple(triple.subject, triple.predicate, typed)
        restored.append(triple)
    return restored


def rdflib_graph(triples: Iterable[ox.Triple]) -> Graph:
    """An ``rdflib.Graph`` of Oxigraph triples."""
    graph = Graph()
    for triple in triples:
        graph.add(
            (
                from_oxigraph(triple.subject),
                from_oxigraph(triple.predicate),
                from_oxigraph(triple.object),
            )  # type: ignore[arg-type]
        )
    return graph
