"""Observations as a W3C RDF Data Cube (``qb:``), with SKOS code lists and SDMX-RDF.

A data set's observations become a ``qb:DataSet`` of ``qb:Observation``\\ s whose
``qb:DataStructureDefinition`` is derived from its data structure: one component
specification per dimension, attribute and measure, properties related to the SDMX-RDF
properties of the cross-domain concepts (``sdmx-dimension:refArea``,
``sdmx-measure:obsValue`` ...), code lists as ``skos:ConceptScheme``\\ s::

    from cdinterop import datacube
    datacube.write(ds, "out/cube.nt")          # N-Triples, streamed batch by batch
    datacube.write(ds, "out/cube.ttl")         # Turtle (Oxigraph, with prefixes)
    cube = datacube.read("out/cube.ttl")       # structure, observations, data-set values
    cube.structure == datacube.carried_structure(ds.structure)  # what a cube carries
    datacube.dataset_iri(ds)                   # the qb:DataSet, for the DCAT description
    datacube.integrity_violations("out/cube.ttl")  # [] : IC-1 ... IC-21 hold
    graph = datacube.to_graph(ds)              # rdflib.Graph, for small data

The observations are turned into N-Triples text with Arrow kernels, a batch at a time
(over a million triples a second); reading parses with Oxigraph (never over the network)
and rebuilds the columns with Arrow. ``docs/datacube.md`` has the mapping and what a cube
does not carry.
"""

from __future__ import annotations

from cdinterop.datacube._carried import carried_structure
from cdinterop.datacube._integrity import (
    INTEGRITY_CONSTRAINTS,
    NORMALISATION,
    integrity_violations,
    normalise,
)
from cdinterop.datacube._iris import dataset_iri
from cdinterop.datacube._reading import Cube, read
from cdinterop.datacube._writing import FORMATS, iter_ntriples, prefixes, to_graph, write

__all__ = [
    "FORMATS",
    "INTEGRITY_CONSTRAINTS",
    "NORMALISATION",
    "Cube",
    "carried_structure",
    "dataset_iri",
    "integrity_violations",
    "iter_ntriples",
    "normalise",
    "prefixes",
    "read",
    "to_graph",
    "write",
]
