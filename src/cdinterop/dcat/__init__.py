"""DCAT-AP 3 RDF: data sets and catalogues to and from ``rdflib.Graph`` and RDF files.

The metadata of a data set (not its observations, which live in the distributions a
catalogue points to) becomes a ``dcat:Dataset`` with PROV-O provenance, DQV quality,
StatDCAT-AP views of its structure and a small ``cdi:`` vocabulary
(``https://w3id.org/cdinterop/vocab#``, exported by ``cdinterop schema export``) for
participation, consent and disclosure control; a [`Catalog`][cdinterop.model.Catalog] becomes
a ``dcat:Catalog`` with its publisher and data sets::

    from cdinterop import dcat
    graph = dcat.to_graph(ds)                 # rdflib.Graph
    again = dcat.from_graph(graph)            # == ds.replace(observations=[])
    dcat.write(ds, "out/marine-litter.ttl")   # turtle, json-ld, xml or nt
    again = dcat.read("out/marine-litter.ttl")
    dcat.write(catalog, "out/catalog.jsonld")
    catalog = dcat.read_catalog("out/catalog.jsonld")
    datasets = dcat.read_datasets("portal-export.rdf")  # every dcat:Dataset, ids unique

Readable triples carry what DCAT-AP, PROV-O, DQV, StatDCAT-AP and SPDX can say; one ``cdi:*Json``
literal per part makes the round trip exact. Data sets that cdinterop did not write (a
portal's catalogue) are read tolerantly, and what the model cannot hold is recorded in a
``conversion`` activity. Parsing never fetches anything over the network and refuses
oversized or hostile input (DTDs and entities, remote JSON-LD contexts, files over 256 MiB,
graphs over the ``triples`` limit). Files are parsed and written by Oxigraph (compiled
code, through ``pyoxigraph``).
"""

from __future__ import annotations

from cdinterop.dcat._files import (
    FORMATS,
    parse_graph,
    read,
    read_catalog,
    read_datasets,
    read_graph,
    write,
)
from cdinterop.dcat._graph import (
    DEFAULT_BASE_IRI,
    catalog_from_graph,
    datasets_from_graph,
    from_graph,
    to_graph,
)
from cdinterop.dcat._shacl import ENGINES, validate_graph, validate_ntriples
from cdinterop.dcat._vocab import CDI

__all__ = [
    "CDI",
    "DEFAULT_BASE_IRI",
    "ENGINES",
    "FORMATS",
    "catalog_from_graph",
    "datasets_from_graph",
    "from_graph",
    "parse_graph",
    "read",
    "read_catalog",
    "read_datasets",
    "read_graph",
    "to_graph",
    "validate_graph",
    "validate_ntriples",
    "write",
]
