"""Finding the data sets of a parsed DCAT file and cutting out each one's description.

A data set's description is what the file says about it: the triples of its node, and
recursively of every node its triples point to (distributions, agents, contact points,
licences, periods, ...), stopping at other data sets, catalogues and catalogue records,
which are not part of it. A file that describes a single data set gives it every triple
that is not about a catalogue or a record (cdinterop's own files describe software agents
that nothing points to). A data set that is a blank node gets an IRI minted from its
identifier, so that its catalogue record can point to it from another graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from rdflib import DCAT, DCTERMS, RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

__all__ = ["Description", "Unusable", "describe"]

_CONTAINERS = (DCAT.Catalog, DCAT.CatalogRecord)
_Triple = tuple[Node, Node, Node]


@dataclass
class Description:
    """One data set found in a file: its identifier, its node and its description."""

    identifier: str
    """``dct:identifier`` (the smallest when there are several), else the node's IRI."""
    node: URIRef
    """The data set's IRI (minted from the identifier for a blank node)."""
    graph: Graph
    """The triples describing it."""
    source_node: str
    """How the file names the data set (its IRI or blank-node label), for messages."""


@dataclass(frozen=True)
class Unusable:
    """A data set of the file that cannot be harvested, and why."""

    node: str
    """How the file names it."""
    reason: str
    """Why it is skipped."""


def describe(graph: Graph, base_iri: str) -> tuple[list[Description], list[Unusable]]:
    """Every ``dcat:Dataset`` of ``graph`` with its description, and those that cannot be
    told apart (a blank node without ``dct:identifier``)."""
    datasets = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)
    stops = set(datasets)
    for cls in _CONTAINERS:
        stops |= set(graph.subjects(RDF.type, cls))
    containers = stops - set(datasets)
    found: list[Description] = []
    skipped: list[Unusable] = []
    for node in datasets:
        if not isinstance(node, URIRef | BNode):
            continue
        identifier = _identifier(graph, node)
        if identifier is None:
            skipped.append(Unusable(_shown(node), "a blank node without dct:identifier"))
            continue
        if len(datasets) == 1 and not containers:
            triples = set(graph)  # the whole file describes it
        else:
            triples = set(_closure(graph, node, stops))
        if len(datasets) == 1 and containers:
            triples |= _leftovers(graph, _closed(graph, containers, {node}))
        triples |= _types_of_links(graph, triples, stops)
        found.append(_description(identifier, node, triples, base_iri))
    return found, skipped


def _shown(node: Node) -> str:
    return f"<{node}>" if isinstance(node, URIRef) else f"_:{node}"


def _identifier(graph: Graph, node: Node) -> str | None:
    values = sorted(str(v).strip() for v in graph.objects(node, DCTERMS.identifier))
    values = [v for v in values if v]
    if values:
        return values[0]
    return str(node) if isinstance(node, URIRef) else None


def _closure(graph: Graph, start: Node, stops: set[Node]) -> Iterable[tuple[Node, Node, Node]]:
    """The triples of ``start`` and of every node reachable from it, short of ``stops``."""
    seen = {start}
    todo = [start]
    while todo:
        node = todo.pop()
        for triple in graph.triples((node, None, None)):
            yield triple
            value = triple[2]
            if triple[1] == RDF.type or isinstance(value, Literal) or value in seen:
                continue
            if value in stops:
                continue
            seen.add(value)
            todo.append(value)


def _closed(graph: Graph, starts: set[Node], stops: set[Node]) -> set[tuple[Node, Node, Node]]:
    """The triples reachable from any of ``starts`` (the catalogues and records)."""
    found: set[tuple[Node, Node, Node]] = set()
    for start in starts:
        found |= set(_closure(graph, start, stops | starts - {start}))
    return found


def _leftovers(
    graph: Graph, excluded: set[tuple[Node, Node, Node]]
) -> set[tuple[Node, Node, Node]]:
    return {t for t in graph if t not in excluded}


def _types_of_links(
    graph: Graph, triples: set[tuple[Node, Node, Node]], stops: set[Node]
) -> set[tuple[Node, Node, Node]]:
    """The ``rdf:type`` of the data sets, catalogues and records the description points to
    (a ``dct:source`` or ``dcat:hasVersion`` to another data set of the file)."""
    linked = {o for _s, p, o in triples if o in stops and p != RDF.type}
    return {t for node in linked for t in graph.triples((node, RDF.type, None))}


def _description(
    identifier: str, node: URIRef | BNode, triples: set[tuple[Node, Node, Node]], base_iri: str
) -> Description:
    iri = (
        node
        if isinstance(node, URIRef)
        else URIRef(f"{base_iri}dataset/{quote(identifier, safe='')}")
    )
    described = Graph()
    for s, p, o in triples:
        described.add((iri if s == node else s, p, iri if o == node else o))
    return Description(identifier, iri, described, _shown(node))
