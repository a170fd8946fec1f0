"""DCAT-AP 3 RDF: data sets and catalogues to and from ``rdflib.Graph`` and RDF files.

The metadata of a data set (not its observations, which live in the distributions a
catalogue points to) becomes a ``dcat:Dataset`` with PROV-O provenance, DQV quality,
StatDCAT-AP views of its structure and a small ``cdi:`` vocabulary
(``https://w3id.org/cdinterop/vocab#``, see :mod:`cdinterop.dcat.vocabulary`) for
participation, consent and disclosure control; a :class:`~cdinterop.model.Catalog` becomes
a ``dcat:Catalog`` with its publisher and data sets::

    from cdinterop import dcat
    graph = dcat.to_graph(ds)                 # rdflib.Graph
    again = dcat.from_graph(graph)            # == ds.replace(observations=[])
    dcat.write(ds, "out/marine-litter.ttl")   # turtle, json-ld, xml or nt
    again = dcat.read("out/marine-litter.ttl")
    dcat.write(catalog, "out/catalog.jsonld")
    catalog = dcat.read_catalog("out/catalog.jsonld")

Readable triples carry what DCAT-AP, PROV-O, DQV, StatDCAT-AP and SPDX can say; one ``cdi:*Json``
literal per part makes the round trip exact (see :mod:`cdinterop.dcat.writing`). Data sets
that cdinterop did not write (a portal's catalogue) are read tolerantly
(:mod:`cdinterop.dcat.third_party`). Parsing never fetches anything over the network and
refuses oversized or hostile input (:mod:`cdinterop.dcat.files`).
"""

from __future__ import annotations

from cdinterop.dcat.files import FORMATS, parse_graph, read, read_catalog, read_graph, write
from cdinterop.dcat.graph import DEFAULT_BASE_IRI, catalog_from_graph, from_graph, to_graph
from cdinterop.dcat.vocab import CDI

__all__ = [
    "CDI",
    "DEFAULT_BASE_IRI",
    "FORMATS",
    "catalog_from_graph",
    "from_graph",
    "parse_graph",
    "read",
    "read_catalog",
    "read_graph",
    "to_graph",
    "write",
]
