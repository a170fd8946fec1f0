"""Data sets and catalogues to and from an ``rdflib.Graph`` (DCAT-AP 3 with PROV-O, DQV,
StatDCAT-AP and the ``cdi:`` vocabulary).

[`to_graph()`][cdinterop.dcat.to_graph] describes a
[`CitizenDataset`][cdinterop.model.CitizenDataset] or a [`Catalog`][cdinterop.model.Catalog]
(`cdinterop.dcat._writing`); [`from_graph()`][cdinterop.dcat.from_graph] and
[`catalog_from_graph()`][cdinterop.dcat.catalog_from_graph] read them back
([`datasets_from_graph()`][cdinterop.dcat.datasets_from_graph]: every data set of a graph)
(`cdinterop.dcat._reading`). See ``docs/dcat.md`` for where each field goes.
"""

from __future__ import annotations

from rdflib import Graph

from cdinterop.dcat._iris import DEFAULT_BASE_IRI, Minter, area_iri, language_iri, theme_iri
from cdinterop.dcat._reading import catalog_from_graph, datasets_from_graph, from_graph
from cdinterop.dcat._triples import TripleBuffer
from cdinterop.dcat._writing import add_catalog, add_dataset, bind_prefixes
from cdinterop.model import Catalog, CitizenDataset, refuse_added_fields

__all__ = [
    "DEFAULT_BASE_IRI",
    "area_iri",
    "catalog_from_graph",
    "datasets_from_graph",
    "describe",
    "from_graph",
    "language_iri",
    "theme_iri",
    "to_graph",
]


def to_graph(item: CitizenDataset | Catalog, *, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    """Describe a data set (metadata, structure and context; not the observations) or a
    catalogue with all its data sets as a DCAT-AP 3 graph; IRIs are minted under
    ``base_iri``. A subclass of the models that adds fields is refused (DCAT has no place
    for them): call ``without_added_fields()`` first to leave them out."""
    return describe(item, base_iri=base_iri).to_graph()


def describe(item: CitizenDataset | Catalog, *, base_iri: str = DEFAULT_BASE_IRI) -> TripleBuffer:
    """The triples of `to_graph()` in a `TripleBuffer` (no rdflib store: what the file
    writers serialise)."""
    refuse_added_fields(item, "DCAT")
    triples = TripleBuffer()
    bind_prefixes(triples)
    mint = Minter(base_iri)
    mint.bind(triples)  # type: ignore[arg-type]
    if isinstance(item, Catalog):
        add_catalog(triples, item, mint)
    else:
        add_dataset(triples, item, mint)
    return triples
