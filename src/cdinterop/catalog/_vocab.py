"""The IRIs the catalogue store names: namespaces, its graph names and the DCAT-AP 3 terms
of its catalogue records."""

from __future__ import annotations

from urllib.parse import quote

from rdflib import Namespace, URIRef

__all__ = [
    "ADMS",
    "CHANGE_CREATED",
    "CHANGE_UPDATED",
    "DATASET_GRAPH",
    "DCAT",
    "DCATAP",
    "DCAT_AP_3",
    "GRAPH_PREFIX",
    "HARVEST_GRAPH",
    "LOCN",
    "ODRL",
    "PREFIXES",
    "SHA256",
    "SPDX",
    "VCARD",
    "dataset_graph",
    "harvest_graph",
    "prologue",
]

DCAT = Namespace("http://www.w3.org/ns/dcat#")
"""DCAT 3 (rdflib's ``DCAT`` is DCAT 2 and lacks ``dcat:inSeries``, ``dcat:version``, ...)."""
ADMS = Namespace("http://www.w3.org/ns/adms#")
"""Asset Description Metadata Schema."""
DCATAP = Namespace("http://data.europa.eu/r5r/")
"""DCAT-AP's own terms (``dcatap:availability``, ``dcatap:applicableLegislation``)."""
LOCN = Namespace("http://www.w3.org/ns/locn#")
"""ISA Core Location vocabulary."""
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
"""W3C ODRL policies."""
SPDX = Namespace("http://spdx.org/rdf/terms#")
"""SPDX RDF terms (checksums)."""
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
"""vCard ontology."""
ELI = Namespace("http://data.europa.eu/eli/ontology#")
"""European Legislation Identifier ontology."""

SHA256 = URIRef("https://spdx.org/rdf/terms#checksumAlgorithm_sha256")
"""The SPDX checksum algorithm SHA-256 (the ``https`` form cdinterop.dcat writes)."""
DCAT_AP_3 = URIRef("https://semiceu.github.io/DCAT-AP/releases/3.0.1/")
"""The application profile every catalogue record says its data set conforms to."""
CHANGE_CREATED = URIRef("http://purl.org/adms/changetype/created")
"""ADMS change type of a record made by a data set's first harvest."""
CHANGE_UPDATED = URIRef("http://purl.org/adms/changetype/updated")
"""ADMS change type of a record replaced by a later harvest."""

PREFIXES = {
    "adms": "http://www.w3.org/ns/adms#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcatap": "http://data.europa.eu/r5r/",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "cdi": "https://w3id.org/cdinterop/vocab#",
}
"""Prefixes declared for every query and used in the exported Turtle and RDF/XML."""

GRAPH_PREFIX = "urn:cdinterop:catalog:"
"""Every named graph of the store starts with this; other graphs of a shared SPARQL
server are left alone."""
DATASET_GRAPH = GRAPH_PREFIX + "dataset:"
"""Prefix of the named graph of one data set (its description and catalogue record)."""
HARVEST_GRAPH = GRAPH_PREFIX + "harvest:"
"""Prefix of the named graph of one harvest activity."""


def prologue() -> str:
    """``PREFIX`` declarations of [`PREFIXES`][cdinterop.catalog._vocab.PREFIXES] on one
    line without a line break, to put before a query so that the line numbers of its
    errors stay right (a query may declare a prefix again: the later declaration wins)."""
    return "".join(f"PREFIX {name}: <{iri}> " for name, iri in PREFIXES.items())


def dataset_graph(identifier: str) -> str:
    """The named graph of the data set whose ``dct:identifier`` is ``identifier``: the same
    identifier always lands in the same graph, so a second harvest replaces the first."""
    return DATASET_GRAPH + quote(identifier, safe="")


def harvest_graph(run: str) -> str:
    """The named graph of the harvest activity ``run`` (a UUID)."""
    return HARVEST_GRAPH + run
