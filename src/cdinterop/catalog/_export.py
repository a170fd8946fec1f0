"""One DCAT-AP 3.0.1 catalogue of the whole store, written to a file atomically."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import DCAT, RDF, URIRef

from cdinterop._files import atomic_write
from cdinterop.catalog._backends import Backend
from cdinterop.catalog._terms import restore_datatypes, to_oxigraph
from cdinterop.catalog._vocab import GRAPH_PREFIX, PREFIXES
from cdinterop.dcat import FORMATS, to_graph
from cdinterop.errors import WriteError

if TYPE_CHECKING:
    import pyoxigraph as ox

    from cdinterop.model import Catalog

__all__ = ["catalogue_triples", "default_catalog", "write_triples"]


_EVERYTHING = (
    'CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "%s")) }'
)


def default_catalog() -> Catalog:
    """The catalogue's own description when none is given: the Citizen Data Commons."""
    from cdinterop.model import Agent, AgentKind, Catalog

    return Catalog(
        id="CITIZEN_DATA_COMMONS",
        title={"en": "Citizen Data Commons"},
        description={
            "en": "DCAT descriptions of citizen data sets harvested from many organisations."
        },
        publisher=Agent(
            id="CITIZEN_DATA_COMMONS", kind=AgentKind.ORGANISATION, name="Citizen Data Commons"
        ),
    )


def catalogue_triples(
    backend: Backend, catalog: Catalog | None, records: Sequence[tuple[str, str]], base_iri: str
) -> list[ox.Triple]:
    """Every triple of the store's graphs, and the catalogue node (described by
    cdinterop.dcat) with ``dcat:dataset`` and ``dcat:record`` for each (data set, record)."""
    answer = backend.query(_EVERYTHING % GRAPH_PREFIX)
    assert isinstance(answer, list)
    described = to_graph((catalog or default_catalog()).replace(datasets=()), base_iri=base_iri)
    node = next(iter(described.subjects(RDF.type, DCAT.Catalog)))
    for dataset, record in records:
        described.add((node, DCAT.dataset, URIRef(dataset)))
        described.add((node, DCAT.record, URIRef(record)))
    everything = [*restore_datatypes(answer), *to_oxigraph(described, "the catalogue")]
    return list(dict.fromkeys(everything))


def _rdf_format(path: Path, name: str | None) -> ox.RdfFormat:
    import pyoxigraph as ox

    formats = {
        "turtle": ox.RdfFormat.TURTLE,
        "nt": ox.RdfFormat.N_TRIPLES,
        "xml": ox.RdfFormat.RDF_XML,
        "json-ld": ox.RdfFormat.JSON_LD,
    }
    if name is None:
        name = next((f for f, suffixes in FORMATS.items() if path.suffix.lower() in suffixes), None)
        if name is None:
            raise WriteError(
                f"cannot write {path}: cannot tell the RDF format from its suffix; use .ttl, "
                ".nt, .rdf, .xml or .jsonld, or give the format"
            )
    if name not in formats:
        raise WriteError(f"unknown RDF format {name!r}; use one of {', '.join(formats)}")
    return formats[name]


def write_triples(triples: Sequence[ox.Triple], target: Path, format: str | None) -> Path:
    """Serialise ``triples`` to ``target`` atomically (a temporary file, then a rename)."""
    import pyoxigraph as ox

    rdf_format = _rdf_format(target, format)
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    with atomic_write(target, "wb") as handle:
        ox.serialize(triples, handle, rdf_format, prefixes=prefixes)
    return target
