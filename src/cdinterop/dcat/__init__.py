"""DCAT-AP 3 RDF: CitizenDataset to and from ``rdflib.Graph`` and RDF files.

The metadata of a data set (not its observations, which live in the distributions a
catalogue points to) becomes a ``dcat:Dataset`` with PROV-O provenance, DQV quality and a
small ``cdi:`` vocabulary (``https://w3id.org/cdinterop/vocab#``) for participation,
consent and disclosure control::

    from cdinterop import dcat
    graph = dcat.to_graph(ds)                 # rdflib.Graph
    again = dcat.from_graph(graph)            # == ds.replace(observations=[])
    dcat.write(ds, "out/marine-litter.ttl")   # turtle, json-ld, xml or nt
    again = dcat.read("out/marine-litter.ttl")

Readable triples carry what DCAT-AP, PROV-O, DQV, StatDCAT-AP and SPDX can say; one ``cdi:*Json``
literal per part makes the round trip exact (see :mod:`cdinterop.dcat.graph`). Parsing
never fetches anything over the network (:mod:`cdinterop.dcat.files`).
"""

from __future__ import annotations

from cdinterop.dcat.files import FORMATS, read, write
from cdinterop.dcat.graph import DEFAULT_BASE_IRI, from_graph, to_graph
from cdinterop.dcat.vocab import CDI

__all__ = ["CDI", "DEFAULT_BASE_IRI", "FORMATS", "from_graph", "read", "to_graph", "write"]
