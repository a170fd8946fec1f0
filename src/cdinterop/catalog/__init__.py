"""The Citizen Data Commons catalogue store: many organisations' DCAT descriptions harvested
into one searchable store, exported as one DCAT-AP 3.0.1 catalogue.

::

    from cdinterop import catalog

    with catalog.open_store("catalog-store") as store:        # or "http://127.0.0.1:7878"
        report = store.add(["portal-export.rdf", "harvest/"])  # added / replaced / skipped
        for entry in store.list():
            print(entry.identifier, entry.title, entry.publisher, entry.source)
        rows = store.query("SELECT ?ds WHERE { ?ds a dcat:Dataset }")
        store.export("catalog.ttl")                            # one dcat:Catalog

Two back ends sit behind one interface: an embedded, persistent Oxigraph store in a folder
(the default: ``$CDINTEROP_CATALOG_STORE``, else ``./catalog-store``), or a SPARQL 1.1
server given by its URL (SPARQL 1.1 Protocol for queries and updates, Graph Store HTTP
Protocol for the graphs).

Each data set lives in its own named graph, ``urn:cdinterop:catalog:dataset:<identifier>``:
its description as the source file gave it (repaired where DCAT-AP 3 wants another form of
the same statement, see ``docs/catalog.md``) and its harvest record, a
``dcat:CatalogRecord`` with the first and latest harvest times, the source file's name and
SHA-256 and the harvest activity that made it. The identifier (``dct:identifier``, else the
data set's IRI) decides the graph, so a data set harvested again replaces its older copy.
Files are parsed only by cdinterop.dcat's safe readers (no DTDs or entities, no remote
JSON-LD contexts, size and triple limits).
"""

from __future__ import annotations

from cdinterop.catalog._backends import Backend, Endpoints
from cdinterop.catalog._export import default_catalog
from cdinterop.catalog._results import QueryResult
from cdinterop.catalog._store import (
    DEFAULT_STORE,
    STORE_ENV,
    CatalogEntry,
    CatalogStore,
    HarvestEntry,
    HarvestReport,
    open_store,
)

__all__ = [
    "DEFAULT_STORE",
    "STORE_ENV",
    "Backend",
    "CatalogEntry",
    "CatalogStore",
    "Endpoints",
    "HarvestEntry",
    "HarvestReport",
    "QueryResult",
    "default_catalog",
    "open_store",
]
