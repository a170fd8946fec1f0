"""The triples of a description as the writers add them, without rdflib's store.

`TripleBuffer` has the part of ``rdflib.Graph``'s API the writers use (``add``, ``set``,
``in``, ``objects``, ``predicates``, ``bind``, ``namespaces``) over plain dictionaries: a
set of triples in the order they were first added, indexed by subject and predicate.
Adding a triple costs a few dictionary operations instead of rdflib's three indexes,
contexts and events (a tenth of the time), and the triples come out grouped by subject,
as a Turtle writer wants them.

Each term is held as its N-Triples text (literals escaped with the standard library's JSON
encoder, whose escapes are all valid N-Triples escapes); `ntriples()` joins them into an
N-Triples document, which Oxigraph
parses at millions of triples a second and writes as Turtle, RDF/XML or JSON-LD
(`cdinterop.dcat._files`); `to_graph()` copies it into an ``rdflib.Graph``.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Iterator
from json.encoder import encode_basestring
from typing import Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

__all__ = [
    "Rendered",
    "Term",
    "TextTriple",
    "TripleBuffer",
    "literal_of_text",
    "ntriples",
    "plain",
    "tagged",
    "typed",
]


class Rendered(str):
    """A literal made straight in N-Triples form by `plain()` or `tagged()`, without an
    rdflib ``Literal`` (a microsecond each, for the thousands of names, identifiers and
    JSON texts of a catalogue)."""

    __slots__ = ()


def plain(value: str) -> Rendered:
    """The plain literal ``value`` (``"value"``)."""
    return Rendered(encode_basestring(value))


def tagged(value: str, language: str) -> Rendered:
    """The literal ``value`` in ``language`` (``"value"@en``)."""
    return Rendered(f"{encode_basestring(value)}@{language}")


def typed(value: str, datatype: str) -> Rendered:
    """The literal ``value`` of ``datatype`` (``"value"^^<datatype>``): for lexical forms
    rdflib keeps as given (a datatype it does not normalise, a date's or a date-time's
    ``isoformat()``)."""
    return Rendered(f"{encode_basestring(value)}^^<{datatype}>")


Term = Node | Rendered
"""What a buffer takes as a subject, predicate or object."""
_Triple = tuple[Term, Term, Term]
_NodeTriple = tuple[Node, Node, Node]
TextTriple = tuple[str, str, str]
"""A triple as the N-Triples texts of its subject, predicate and object."""


class TripleBuffer:
    """A set of triples in insertion order, indexed by subject then predicate, each term
    held as its N-Triples text (hashed and compared in C, where rdflib's terms compare in
    Python)."""

    def __init__(self) -> None:
        self._index: dict[str, dict[str, dict[str, None]]] = {}
        self._count = 0
        self._prefixes: dict[str, str] = {}
        self._described: set[Hashable] = set()

    def once(self, key: Hashable) -> bool:
        """Whether ``key`` is asked for the first time: the writers describe a node that
        data sets share (a licence, a concept of an EU authority table) under its key once
        per buffer, not once per data set (the triples would be the same)."""
        if key in self._described:
            return False
        self._described.add(key)
        return True

    def add(self, triple: _Triple) -> TripleBuffer:
        """Add ``(subject, predicate, object)`` unless the buffer holds it already."""
        subject, predicate, value = triple
        self._add(
            f"<{subject}>" if type(subject) is URIRef else _text(subject),
            f"<{predicate}>" if type(predicate) is URIRef else _text(predicate),
            f"<{value}>" if type(value) is URIRef else _text(value),
        )
        return self

    def _add(self, subject: str, predicate: str, value: str) -> None:
        by_predicate = self._index.get(subject)
        if by_predicate is None:
            by_predicate = self._index[subject] = {}
        values = by_predicate.get(predicate)
        if values is None:
            values = by_predicate[predicate] = {}
        if value not in values:
            values[value] = None
            self._count += 1

    def add_texts(self, triples: Iterable[TextTriple]) -> None:
        """Add triples given as the N-Triples texts of their terms (see `texts()`)."""
        add = self._add
        for subject, predicate, value in triples:
            add(subject, predicate, value)

    def texts(self) -> Iterator[TextTriple]:
        """Each triple as the N-Triples texts of its terms, grouped by subject."""
        for subject, by_predicate in self._index.items():
            for predicate, values in by_predicate.items():
                for value in values:
                    yield subject, predicate, value

    def set(self, triple: _Triple) -> TripleBuffer:
        """Replace every value of ``(subject, predicate)`` by the triple's object."""
        subject, predicate, _ = triple
        removed = self._index.get(_text(subject), {}).pop(_text(predicate), None)
        if removed:
            self._count -= len(removed)
        return self.add(triple)

    def __contains__(self, pattern: tuple[Node, Node, Node | None]) -> bool:
        subject, predicate, value = pattern
        values = self._index.get(_text(subject), {}).get(_text(predicate))
        if not values:
            return False
        return value is None or _text(value) in values

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        """The objects of ``(subject, predicate)``, in the order they were added."""
        for text in list(self._index.get(_text(subject), {}).get(_text(predicate), {})):
            yield _node(text)

    def take(self, predicates: frozenset[str]) -> list[TextTriple]:
        """Remove and give the triples whose predicate is one of ``predicates`` (N-Triples
        texts, ``<iri>``) and whose object is a literal that is valid UTF-8, for subjects
        that keep other triples here."""
        taken: list[TextTriple] = []
        for subject, by_predicate in self._index.items():
            for predicate in [p for p in by_predicate if p in predicates]:  # in their order
                if len(by_predicate) == 1:
                    break  # the subject's last triples stay: the parser checks its IRI
                values = by_predicate[predicate]
                kept = {v: None for v in values if v[0] != '"' or not _utf8(v)}
                taken.extend((subject, predicate, v) for v in values if v not in kept)
                self._count -= len(values) - len(kept)
                if kept:
                    by_predicate[predicate] = kept
                else:
                    del by_predicate[predicate]
        return taken

    def predicate_counts(self, subject: Node) -> dict[str, int]:
        """The IRI of each predicate of the triples about ``subject``, with their number
        (what `predicates()` gives, counted, without making rdflib terms)."""
        by_predicate = self._index.get(_text(subject), {})
        return {predicate[1:-1]: len(values) for predicate, values in by_predicate.items()}

    def predicates(self, subject: Node, value: None = None) -> Iterator[Node]:
        """The predicate of every triple about ``subject`` (once per triple)."""
        for predicate, values in list(self._index.get(_text(subject), {}).items()):
            term = _node(predicate)
            for _ in values:
                yield term

    def bind(
        self, prefix: str, namespace: Any, override: bool = True, replace: bool = False
    ) -> None:
        """Name ``namespace`` with ``prefix`` in the documents written from the buffer."""
        self._prefixes[prefix] = str(namespace)

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        """The prefixes bound, with their namespaces."""
        for prefix, namespace in self._prefixes.items():
            yield prefix, URIRef(namespace)

    @property
    def prefixes(self) -> dict[str, str]:
        """The prefixes bound (prefix to namespace IRI)."""
        return dict(self._prefixes)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[_NodeTriple]:
        for subject, by_predicate in self._index.items():
            s = _node(subject)
            for predicate, values in by_predicate.items():
                p = _node(predicate)
                for value in values:
                    yield s, p, _node(value)

    def blocks(self) -> Iterator[str]:
        """The N-Triples lines of the triples, grouped by subject, those of each (subject,
        predicate) pair joined into one string (fewer strings to join for a document)."""
        for subject, by_predicate in self._index.items():
            for predicate, values in by_predicate.items():
                head = f"{subject} {predicate} "
                yield head + f" .\n{head}".join(values) + " .\n"

    def to_graph(self, graph: Graph | None = None) -> Graph:
        """The triples and prefixes in ``graph`` (a new ``rdflib.Graph`` by default)."""
        graph = Graph() if graph is None else graph
        for prefix, namespace in self._prefixes.items():
            graph.bind(prefix, namespace)
        graph.addN((s, p, o, graph) for s, p, o in self)
        return graph


def ntriples(triples: TripleBuffer) -> bytes:
    """The buffer's triples as an N-Triples document (UTF-8), grouped by subject."""
    return "".join(triples.blocks()).encode("utf-8", "surrogatepass")


def _utf8(text: str) -> bool:
    """Whether ``text`` encodes as UTF-8 (no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(node: Term) -> str:
    """The N-Triples text of an rdflib term (or a `Rendered` literal)."""
    kind = type(node)
    if kind is URIRef:
        return f"<{node}>"
    if kind is Rendered:
        return cast("str", node)
    if kind is Literal:
        return _literal(node)  # type: ignore[arg-type]
    if kind is BNode:
        return f"_:{node}"
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return _literal(node)
    if isinstance(node, BNode):
        return f"_:{node}"
    raise TypeError(f"not an RDF term: {node!r}")


def _literal(value: Literal) -> str:
    quoted = encode_basestring(str(value))  # the JSON escapes: all valid in N-Triples
    if value.language:
        return f"{quoted}@{value.language}"
    if value.datatype is not None:
        return f"{quoted}^^<{value.datatype}>"
    return quoted


def _node(text: str) -> Node:
    """The rdflib term of an N-Triples text made by `_text()`."""
    if text.startswith("<"):
        return URIRef(text[1:-1])
    if text.startswith("_:"):
        return BNode(text[2:])
    return literal_of_text(text)


def literal_of_text(text: str) -> Literal:
    """The rdflib literal of an N-Triples literal (``"v"``, ``"v"@en``, ``"v"^^<dt>``),
    as `_text()` or Oxigraph writes it (their escapes are all JSON's)."""
    end = text.rindex('"')
    lexical = json.loads(text[: end + 1], strict=False)
    rest = text[end + 1 :]
    if rest.startswith("@"):
        return Literal(lexical, lang=rest[1:])
    if rest.startswith("^^<"):
        return Literal(lexical, datatype=URIRef(rest[3:-1]))
    return Literal(lexical)
