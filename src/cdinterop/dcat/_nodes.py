"""Stable handles for the nodes of a graph that cdinterop did not write.

Blank-node labels are an accident of parsing: the same file gets other labels in another
syntax, in another run or after a round trip through another tool. Nothing a reader derives
may depend on them, so this module gives every node

* a **stable key** (`NodeNames.key()`): an IRI or literal is its own key; a blank node's key
  is the SHA-256 of its canonical description (its outgoing triples, blank objects described
  in turn, cycles cut, plus the predicates and IRI subjects that point at it), so two
  parses of one description give the same key whatever the labels;
* a **stable order** (`NodeNames.sort_key()`): IRIs, then literals, then blank nodes, each by
  key;
* a **readable name** for messages (`NodeNames.describe()`): an IRI or a literal as is, a
  blank node by its types and a label, e.g. ``a blank node [a foaf:Organization; foaf:name
  "Publishing Organization"]``.

`unique_ids()` turns the candidate ids of a set of nodes into unique ones, deterministically
and whatever the order the nodes come in: ids that collide take more segments of their IRI
(``datasets/1`` → ``datasets_1``), else a short hash of their key (``dataset_3f9a1c2e``).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

__all__ = [
    "PREFIXES",
    "Candidate",
    "NodeNames",
    "curie",
    "iri_segments",
    "short_hash",
    "unique_ids",
]

_VCARD_FN = URIRef("http://www.w3.org/2006/vcard/ns#fn")
_LABELS = (
    DCTERMS.identifier,
    DCTERMS.title,
    FOAF.name,
    _VCARD_FN,
    SKOS.prefLabel,
    SKOS.notation,
    RDFS.label,
    RDF.value,
)
"""Properties whose literal names a blank node in messages, in order of preference."""
_POINTERS = (DCAT.downloadURL, DCAT.accessURL, FOAF.homepage, FOAF.mbox)
"""Properties whose IRI names a blank node without a label."""
_SHOWN_LENGTH = 60


def short_hash(text: str) -> str:
    """Eight hexadecimal digits of the SHA-256 of ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def iri_segments(iri: str) -> list[str]:
    """The segments of an IRI after its scheme, split at ``/``, ``#`` and ``:``
    (``https://a.org/x/1`` → ``['a.org', 'x', '1']``)."""
    text = re.sub(r"^[A-Za-z][A-Za-z0-9+.\-]*:(//)?", "", iri.strip()).rstrip("/#")
    return [s for s in re.split(r"[#/:]", text) if s]


@dataclass
class NodeNames:
    """Stable keys, order and readable names for the nodes of ``graph``."""

    graph: Graph
    _keys: dict[BNode, str] = field(default_factory=dict)

    def key(self, node: Node) -> str:
        """The node's stable key: its N3 form, or for a blank node ``_:`` and the SHA-256
        of its canonical description (never its label)."""
        if not isinstance(node, BNode):
            return node.n3()
        if node not in self._keys:
            text = self._canonical(node, frozenset())
            incoming = sorted(
                f"{p.n3()} {s.n3() if not isinstance(s, BNode) else '[]'}"
                for s, p in self.graph.subject_predicates(node)
            )
            digest = hashlib.sha256(f"{text} <- {' ; '.join(incoming)}".encode()).hexdigest()
            self._keys[node] = f"_:{digest}"
        return self._keys[node]

    def _canonical(self, node: BNode, seen: frozenset[BNode]) -> str:
        if node in seen:
            return "[cycle]"
        inner = seen | {node}
        lines = sorted(
            f"{p.n3()} {self._canonical(o, inner) if isinstance(o, BNode) else o.n3()}"
            for p, o in self.graph.predicate_objects(node)
        )
        return "[" + " ; ".join(lines) + "]"

    def sort_key(self, node: Node) -> tuple[int, str, str]:
        """IRIs first, then literals, then blank nodes; each by key (and language)."""
        if isinstance(node, URIRef):
            return (0, str(node), "")
        if isinstance(node, Literal):
            return (1, str(node), node.language or "")
        return (2, self.key(node), "")

    def sorted(self, nodes: Iterable[Node]) -> list[Node]:
        """``nodes`` in the stable order."""
        return sorted(nodes, key=self.sort_key)

    def hash(self, node: Node) -> str:
        """A short stable hash of the node (of its IRI, or of its blank-node key)."""
        return short_hash(str(node) if isinstance(node, URIRef) else self.key(node))

    def describe(self, node: Node) -> str:
        """How messages name the node: an IRI or literal as is; a blank node by its types
        and a label (never its label in the parse)."""
        if not isinstance(node, BNode):
            return str(node)
        parts: list[str] = []
        types = sorted(self._curie(t) for t in self.graph.objects(node, RDF.type))
        if types:
            parts.append("a " + ", ".join(types))
        label = self._label(node)
        if label is not None:
            parts.append(label)
        if not parts:
            parts.append("no properties" if self._empty(node) else f"#{self.hash(node)}")
        return f"a blank node [{'; '.join(parts)}]"

    def _empty(self, node: BNode) -> bool:
        return next(iter(self.graph.predicate_objects(node)), None) is None

    def _label(self, node: BNode) -> str | None:
        for prop in _LABELS:
            values = sorted(
                (o for o in self.graph.objects(node, prop) if isinstance(o, Literal)),
                key=self.sort_key,
            )
            if values:
                return f"{self._curie(prop)} {_quoted(str(values[0]))}"
        for prop in _POINTERS:
            iris = sorted(str(o) for o in self.graph.objects(node, prop) if isinstance(o, URIRef))
            if iris:
                return f"{self._curie(prop)} <{iris[0]}>"
        return None

    def _curie(self, iri: Node) -> str:
        return curie(iri)


PREFIXES = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatap": "http://data.europa.eu/r5r/",
    "adms": "http://www.w3.org/ns/adms#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "locn": "http://www.w3.org/ns/locn#",
    "gsp": "http://www.opengis.net/ont/geosparql#",
    "spdx": "http://spdx.org/rdf/terms#",
    "dqv": "http://www.w3.org/ns/dqv#",
    "stat": "http://data.europa.eu/m8g/",
    "schema": "http://schema.org/",
}
"""The prefixes messages use, whatever the file binds (so that a note reads the same
whichever syntax the description came in)."""


def curie(iri: Node) -> str:
    """``prefix:name`` for an IRI in one of `PREFIXES`, else ``<iri>``."""
    text = str(iri)
    for prefix, namespace in PREFIXES.items():
        local = text[len(namespace) :]
        if text.startswith(namespace) and re.fullmatch(r"[A-Za-z_][\w\-.]*", local):
            return f"{prefix}:{local}"
    return f"<{iri}>"


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _SHOWN_LENGTH:
        text = text[: _SHOWN_LENGTH - 1] + "…"
    return f'"{text}"'


@dataclass(frozen=True)
class Candidate:
    """A node that needs an id, and what its id could be."""

    node: Node
    """The node."""
    base: str
    """The id it would get on its own (already valid)."""
    segments: tuple[str, ...] = ()
    """Valid id parts from its IRI, last one last, to lengthen a colliding id with
    (empty when the base does not come from an IRI)."""
    key: str = ""
    """Stable key of the node, hashed into the id as a last resort."""


def unique_ids(
    candidates: Sequence[Candidate],
    *,
    taken: Iterable[str] = (),
    allowed: Callable[[str], bool] = lambda _: True,
) -> dict[Node, str]:
    """A unique id for each candidate, none of them in ``taken``.

    A candidate keeps its base unless another one (or ``taken``) has it too; then the
    colliding candidates are lengthened with more segments of their IRIs
    (``x_dataset``, ``y_dataset``), and those still colliding get ``_`` and a short hash of
    their key. The result does not depend on the order of ``candidates``. ``allowed`` says
    which ids may be used at all (an id it refuses is treated as a collision).
    """
    reserved = set(taken)
    ids = {c.node: c.base for c in candidates}
    depth = {c.node: 1 for c in candidates}
    hashed: set[Node] = set()
    for _ in range(max((len(c.segments) for c in candidates), default=0) + 3):
        counts = Counter(ids.values())
        clashing = [
            c
            for c in candidates
            if counts[ids[c.node]] > 1 or ids[c.node] in reserved or not allowed(ids[c.node])
        ]
        if not clashing:
            return ids
        for c in clashing:
            if c.node in hashed:
                continue
            if depth[c.node] < len(c.segments):
                depth[c.node] += 1
                ids[c.node] = "_".join(c.segments[-depth[c.node] :])
            else:
                ids[c.node] = f"{c.base}_{short_hash(c.key or c.base)}"
                hashed.add(c.node)
    # identical keys (two blank nodes with the same description): number them in key order
    out: dict[Node, str] = {}
    used = set(reserved)
    for c in sorted(candidates, key=lambda c: (ids[c.node], c.key)):
        candidate, n = ids[c.node], 1
        while candidate in used or not allowed(candidate):
            n += 1
            candidate = f"{ids[c.node]}_{n}"
        used.add(candidate)
        out[c.node] = candidate
    return out
