"""An rdflib store holding each term as its N-Triples text, filled by Oxigraph's parser.

rdflib's in-memory store takes about 20 microseconds and a kilobyte for each triple it
adds: a catalogue of 10,000 data sets (3.4 million triples) takes minutes and gigabytes to
read. `TextStore` keeps the triples as Oxigraph's parser gives them, each term as its
canonical N-Triples text (``<iri>``, ``_:b0``, ``"text"@en``, ``"5"^^<...#integer>``),
in dictionaries indexed by subject and predicate: a few hundred bytes and about two
microseconds a triple. rdflib terms are made only for the triples a query returns.

Patterns with a subject (what the DCAT readers ask most) use that index directly; a
pattern with only a predicate or an object builds, on first use, an index by predicate and
object. The store holds one graph: every context asked for is that graph (it says it is
context-aware, as pySHACL requires of a data graph's store); it can be added to and removed
from like rdflib's own.

Unlike Oxigraph's own store, the texts keep every literal as written:
``"5"^^xsd:nonNegativeInteger`` stays a non-negative integer and ``"1.50"`` keeps its zero.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.store import Store
from rdflib.term import Node

from cdinterop._collector import collector_paused
from cdinterop.dcat._triples import literal_of_text

__all__ = ["TextStore", "TooManyTriples", "parse_to_store"]


class TooManyTriples(Exception):
    """The document holds more triples than the limit of the parse."""


def parse_to_store(quads: Iterator[Any], limit: int) -> TextStore:
    """A store of the triples Oxigraph's parser ``quads`` gives, at most ``limit`` (raises
    `TooManyTriples` past it)."""
    store = TextStore()
    with collector_paused():
        # each quad's one text cut at its first two spaces: a subject or predicate text has
        # none (an IRI, a blank node label); a tenth faster than each term's text
        store.extend_texts(str(q).split(" ", 2) for q in islice(quads, limit))
    if next(quads, None) is not None:
        raise TooManyTriples
    return store


class TextStore(Store):
    """One graph's triples as N-Triples texts (see the module docstring)."""

    context_aware = True  # one graph, whatever the context asked (pySHACL wraps it in a Dataset)
    formula_aware = False
    graph_aware = False
    transaction_aware = False

    def __init__(self, configuration: Any = None, identifier: Any = None) -> None:
        super().__init__(configuration, identifier)
        self._spo: dict[str, dict[str, dict[str, None]]] = {}
        self._pos: dict[str, dict[str, dict[str, None]]] | None = None
        self._count = 0
        self._names: dict[str, str] = {}  # one string per IRI or blank node
        self._nodes: dict[str, Node] = {}  # one rdflib term per IRI or blank node
        self._prefixes: dict[str, URIRef] = {}
        self._namespaces: dict[URIRef, str] = {}

    # -- filling -------------------------------------------------------------------------

    def extend_texts(self, triples: Iterable[Sequence[str]]) -> None:
        """Add triples given as the N-Triples texts of their terms."""
        names = self._names
        spo = self._spo
        pos = self._pos
        count = self._count
        for subject, predicate, value in triples:
            subject = names.setdefault(subject, subject)
            predicate = names.setdefault(predicate, predicate)
            by_predicate = spo.get(subject)
            if by_predicate is None:
                by_predicate = spo[subject] = {}
            values = by_predicate.get(predicate)
            if values is None:
                values = by_predicate[predicate] = {}
            if value not in values:
                if value[0] != '"':
                    value = names.setdefault(value, value)
                values[value] = None
                count += 1
                if pos is not None:  # kept up to date once built
                    pos.setdefault(predicate, {}).setdefault(value, {})[subject] = None
        self._count = count

    def add(self, triple: Any, context: Any = None, quoted: bool = False) -> None:
        """Add one triple of rdflib terms."""
        subject, predicate, value = triple
        self.extend_texts(((_text(subject), _text(predicate), _text(value)),))
        super().add(triple, context, quoted)

    def remove(self, triple: Any, context: Any = None) -> None:
        """Remove the triples matching a pattern of rdflib terms."""
        for s, p, o in list(self._matches(triple)):
            values = self._spo[s][p]
            del values[o]
            self._count -= 1
            if not values:
                del self._spo[s][p]
                if not self._spo[s]:
                    del self._spo[s]
        self._pos = None

    # -- answering -----------------------------------------------------------------------

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[Any]:
        """The triples matching a pattern of rdflib terms (``None`` matches anything)."""
        node = self._node
        for s, p, o in self._matches(triple_pattern):
            yield (node(s), node(p), node(o)), iter(())

    def __len__(self, context: Any = None) -> int:
        return self._count

    def contexts(self, triple: Any = None) -> Generator[Graph, None, None]:
        """No named graphs: nothing."""
        yield from ()

    def _matches(self, pattern: Any) -> Iterator[tuple[str, str, str]]:
        s, p, o = (None if term is None else _text(term) for term in pattern)
        if s is not None:
            yield from self._with_subject(s, p, o)
        elif p is not None or o is not None:
            yield from self._without_subject(p, o)
        else:
            for s, by_predicate in self._spo.items():
                for p, values in by_predicate.items():
                    for o in values:
                        yield s, p, o

    def _with_subject(self, s: str, p: str | None, o: str | None) -> Iterator[tuple[str, str, str]]:
        by_predicate = self._spo.get(s)
        if not by_predicate:
            return
        predicates = [p] if p is not None else list(by_predicate)
        for predicate in predicates:
            values = by_predicate.get(predicate)
            if not values:
                continue
            if o is not None:
                if o in values:
                    yield s, predicate, o
            else:
                for value in list(values):
                    yield s, predicate, value

    def _without_subject(self, p: str | None, o: str | None) -> Iterator[tuple[str, str, str]]:
        pos = self._by_predicate()
        predicates = [p] if p is not None else list(pos)
        for predicate in predicates:
            by_object = pos.get(predicate)
            if not by_object:
                continue
            objects = [o] if o is not None else list(by_object)
            for value in objects:
                for subject in list(by_object.get(value, ())):
                    yield subject, predicate, value

    def _by_predicate(self) -> dict[str, dict[str, dict[str, None]]]:
        if self._pos is None:
            pos: dict[str, dict[str, dict[str, None]]] = {}
            for s, by_predicate in self._spo.items():
                for p, values in by_predicate.items():
                    by_object = pos.get(p)
                    if by_object is None:
                        by_object = pos[p] = {}
                    for o in values:
                        subjects = by_object.get(o)
                        if subjects is None:
                            subjects = by_object[o] = {}
                        subjects[s] = None
            self._pos = pos
        return self._pos

    def _node(self, text: str) -> Node:
        if text[0] == '"':
            return literal_of_text(text)
        node = self._nodes.get(text)
        if node is None:
            node = self._nodes[text] = URIRef(text[1:-1]) if text[0] == "<" else BNode(text[2:])
        return node

    # -- prefixes ------------------------------------------------------------------------

    def bind(self, prefix: str, namespace: Any, override: bool = True) -> None:
        """Bind ``prefix`` to ``namespace`` (rdflib's semantics of ``override``)."""
        namespace = URIRef(namespace)
        bound = self._prefixes.get(prefix)
        if bound is not None and not override and bound != namespace:
            return
        old = self._namespaces.get(namespace)
        if old is not None and not override:
            return
        if bound is not None:
            self._namespaces.pop(bound, None)
        if old is not None:
            self._prefixes.pop(old, None)
        self._prefixes[prefix] = namespace
        self._namespaces[namespace] = prefix

    def namespace(self, prefix: str) -> URIRef | None:
        """The namespace bound to ``prefix``."""
        return self._prefixes.get(prefix)

    def prefix(self, namespace: Any) -> str | None:
        """The prefix bound to ``namespace``."""
        return self._namespaces.get(URIRef(namespace))

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        """Every binding."""
        yield from list(self._prefixes.items())


def _text(term: Any) -> str:
    """The canonical N-Triples text (Oxigraph's) of an rdflib term."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        datatype = ox.NamedNode(term.datatype) if term.datatype else None
        return str(ox.Literal(str(term), language=term.language, datatype=datatype))
    raise TypeError(f"not an RDF term: {term!r}")
