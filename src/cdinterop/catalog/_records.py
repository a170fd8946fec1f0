"""The harvest record of a data set (a DCAT-AP 3 ``dcat:CatalogRecord``) and the harvest
activity (a PROV-O ``prov:Activity``) that made it.

Each harvested data set gets a record ``<base>catalog/record/<id>``::

    <record> a dcat:CatalogRecord ;
        dct:identifier "<id>" ;                      # the de-duplication key
        foaf:primaryTopic <dataset> ;
        dct:issued "first harvest"^^xsd:dateTime ;   # listing date, kept on replacement
        dct:modified "this harvest"^^xsd:dateTime ;
        dct:conformsTo <https://semiceu.github.io/DCAT-AP/releases/3.0.1/> ;
        adms:status <http://purl.org/adms/changetype/created> ;   # or .../updated
        dct:source <record/source> ;                 # the metadata it was made from
        prov:wasGeneratedBy <harvest activity> .
    <record/source> a dcat:CatalogRecord ;
        foaf:primaryTopic <dataset> ;
        dct:title "portal-export.rdf" ;              # the file's name
        dct:modified "file modification time"^^xsd:dateTime ;
        dct:format <IANA media type of the file> ;
        spdx:checksum [ a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha256 ;
                        spdx:checksumValue "..."^^xsd:hexBinary ] .
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from rdflib import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD, BNode, Literal, URIRef
from rdflib.term import Node

from cdinterop._version import __version__
from cdinterop.catalog._vocab import (
    ADMS,
    CHANGE_CREATED,
    CHANGE_UPDATED,
    DCAT_AP_3,
    SHA256,
    SPDX,
)

__all__ = ["Harvest", "SourceFile", "activity_triples", "record_iri", "record_triples"]

Triple = tuple[Node, Node, Node]

_MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
    ".xml": "application/rdf+xml",
    ".owl": "application/rdf+xml",
    ".jsonld": "application/ld+json",
    ".json": "application/ld+json",
}
_IANA = "https://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class SourceFile:
    """A harvested file: its name, suffix, SHA-256 and modification time."""

    name: str
    """The file's name (without its folder)."""
    suffix: str
    """Its suffix, lower case (``.ttl``)."""
    sha256: str
    """The SHA-256 of its bytes, in hex."""
    modified: datetime
    """When the file was last modified (UTC)."""


@dataclass(frozen=True)
class Harvest:
    """One run of ``add()``: its activity IRI, the software agent and when it started."""

    iri: URIRef
    """The ``prov:Activity`` of the run."""
    agent: URIRef
    """The software agent (cdinterop)."""
    started: datetime
    """When the run started (UTC)."""


def record_iri(base_iri: str, identifier: str) -> URIRef:
    """The IRI of the catalogue record of the data set ``identifier``."""
    return URIRef(f"{base_iri}catalog/record/{quote(identifier, safe='')}")


def _time(moment: datetime) -> Literal:
    return Literal(moment.isoformat(timespec="seconds"), datatype=XSD.dateTime)


def record_triples(
    identifier: str,
    dataset: URIRef,
    *,
    base_iri: str,
    source: SourceFile,
    harvest: Harvest,
    issued: datetime | None,
) -> list[Triple]:
    """The catalogue record of a data set harvested by ``harvest`` from ``source``;
    ``issued`` is when it was first listed (``None``: now, a new data set)."""
    record = record_iri(base_iri, identifier)
    origin = URIRef(f"{record}/source")
    return [
        (dataset, RDF.type, DCAT.Resource),
        *_record(record, identifier, dataset, harvest, issued),
        (record, DCTERMS.source, origin),
        *_source(origin, dataset, source),
    ]


def _record(
    record: URIRef,
    identifier: str,
    dataset: URIRef,
    harvest: Harvest,
    issued: datetime | None,
) -> list[Triple]:
    change = CHANGE_CREATED if issued is None else CHANGE_UPDATED
    found: list[Triple] = [
        (record, p, o)
        for p, o in (
            (RDF.type, DCAT.CatalogRecord),
            (DCTERMS.identifier, Literal(identifier)),
            (FOAF.primaryTopic, dataset),
            (DCTERMS.issued, _time(issued or harvest.started)),
            (DCTERMS.modified, _time(harvest.started)),
            (DCTERMS.conformsTo, DCAT_AP_3),
            (ADMS.status, change),
            (PROV.wasGeneratedBy, harvest.iri),
        )
    ]
    return [
        *found,
        (DCAT_AP_3, RDF.type, DCTERMS.Standard),
        (DCAT_AP_3, DCTERMS.title, Literal("DCAT-AP 3.0.1", lang="en")),
        (change, RDF.type, SKOS.Concept),
        (change, SKOS.prefLabel, Literal(str(change).rsplit("/", 1)[-1], lang="en")),
    ]


def _source(origin: URIRef, dataset: URIRef, source: SourceFile) -> list[Triple]:
    checksum = BNode()
    found: list[Triple] = [
        (origin, RDF.type, DCAT.CatalogRecord),
        (origin, FOAF.primaryTopic, dataset),
        (origin, DCTERMS.title, Literal(source.name)),
        (origin, DCTERMS.modified, _time(source.modified)),
        (origin, SPDX.checksum, checksum),
        (checksum, RDF.type, SPDX.Checksum),
        (checksum, SPDX.algorithm, SHA256),
        (checksum, SPDX.checksumValue, Literal(source.sha256, datatype=XSD.hexBinary)),
        (SHA256, RDF.type, SPDX.ChecksumAlgorithm),
    ]
    media = _MEDIA_TYPES.get(source.suffix)
    if media is not None:
        found.append((origin, DCTERMS.format, URIRef(_IANA + media)))
        found.append((URIRef(_IANA + media), RDF.type, DCTERMS.MediaTypeOrExtent))
    return found


def activity_triples(harvest: Harvest, ended: datetime, files: int) -> list[Triple]:
    """The harvest activity: when it ran, how many files it read, which software ran it."""
    label = f"harvest of {files} DCAT file{'s' if files != 1 else ''} by cdinterop {__version__}"
    found: list[Triple] = [
        (harvest.iri, p, o)
        for p, o in (
            (RDF.type, PROV.Activity),
            (RDFS.label, Literal(label, lang="en")),
            (PROV.startedAtTime, _time(harvest.started)),
            (PROV.endedAtTime, _time(ended)),
            (PROV.wasAssociatedWith, harvest.agent),
        )
    ]
    return [
        *found,
        (harvest.agent, RDF.type, PROV.SoftwareAgent),
        (harvest.agent, RDF.type, FOAF.Agent),
        (harvest.agent, FOAF.name, Literal(f"cdinterop {__version__}")),
    ]
