"""DCAT-AP 3.0.1 at harvest: what a data set's description must hold to enter the
catalogue, and the repairs that keep its meaning.

Other portals write DCAT-AP 1 and 2, or DCAT with shortcuts: a language as the literal
``"en"``, a media type as ``"text/csv"``, a download address as an ``xsd:anyURI`` literal,
no ``dcat:accessURL`` beside a ``dcat:downloadURL``, a licence or a theme that is an IRI
without a type. DCAT-AP 3 wants nodes of a given class there. The harvest
[`normalise()`][cdinterop.catalog._profile.normalise]s each description:

* a literal where DCAT-AP wants a node becomes the IRI it spells (``"https://..."``), the
  EU language authority's IRI (``"en"``), the IANA media type IRI (``"text/csv"``), or else a
  blank node of the class the property ranges over, labelled with the literal;
* a distribution with a download URL but no access URL gets the download URL as its access
  URL (DCAT-AP's usage note);
* ``dcat:byteSize``, ``spdx:checksumValue``, ``dcat:spatialResolutionInMeters`` and
  ``dcat:temporalResolution`` get the datatype DCAT-AP gives them when their text fits it;
* every object gets the ``rdf:type`` its property ranges over in DCAT-AP 3 (``dct:license``
  → ``dct:LicenseDocument``, ``dcat:theme`` → ``skos:Concept``, ...), and a concept, an
  agent or a concept scheme with no label gets one: a label the source gives under another
  property (``rdfs:label``, ``skos:notation``, ``vcard:fn``), or the last segment of its IRI
  (as cdinterop.dcat labels EU authority concepts: ``ENG``).

What cannot be repaired without inventing content is a reason (``problems()``) to skip the
data set: a missing title or description, a distribution with no
address, an agent without a name, two values where DCAT-AP allows one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

from rdflib import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from cdinterop.catalog._vocab import (
    ADMS,
    DCAT,
    DCATAP,
    ELI,
    LOCN,
    ODRL,
    PREFIXES,
    SPDX,
    VCARD,
)

__all__ = ["RANGES", "normalise", "problems"]

TIME = "http://www.w3.org/2006/time#"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
IANA = "https://www.iana.org/assignments/media-types/"

RANGES: dict[URIRef, URIRef] = {
    DCTERMS.publisher: FOAF.Agent,
    DCTERMS.creator: FOAF.Agent,
    DCAT.contactPoint: VCARD.Kind,
    DCTERMS.language: DCTERMS.LinguisticSystem,
    DCTERMS.license: DCTERMS.LicenseDocument,
    DCTERMS.accessRights: DCTERMS.RightsStatement,
    DCTERMS.rights: DCTERMS.RightsStatement,
    DCTERMS.conformsTo: DCTERMS.Standard,
    DCTERMS.format: DCTERMS.MediaTypeOrExtent,
    DCAT.mediaType: DCTERMS.MediaType,
    DCAT.compressFormat: DCTERMS.MediaType,
    DCAT.packageFormat: DCTERMS.MediaType,
    DCTERMS.accrualPeriodicity: DCTERMS.Frequency,
    DCTERMS.spatial: DCTERMS.Location,
    DCTERMS.temporal: DCTERMS.PeriodOfTime,
    DCTERMS.provenance: DCTERMS.ProvenanceStatement,
    DCTERMS.type: SKOS.Concept,
    DCAT.theme: SKOS.Concept,
    ADMS.status: SKOS.Concept,
    DCATAP.availability: SKOS.Concept,
    DCAT.themeTaxonomy: SKOS.ConceptScheme,
    FOAF.page: FOAF.Document,
    FOAF.homepage: FOAF.Document,
    DCAT.landingPage: FOAF.Document,
    ADMS.identifier: ADMS.Identifier,
    ADMS.sample: DCAT.Distribution,
    DCAT.distribution: DCAT.Distribution,
    DCAT.accessService: DCAT.DataService,
    DCAT.servesDataset: DCAT.Dataset,
    DCTERMS.source: DCAT.Dataset,
    DCAT.hasVersion: DCAT.Dataset,
    DCAT.inSeries: DCAT.DatasetSeries,
    DCAT.qualifiedRelation: DCAT.Relationship,
    DCAT.hadRole: DCAT.Role,
    PROV.qualifiedAttribution: PROV.Attribution,
    PROV.wasGeneratedBy: PROV.Activity,
    SPDX.checksum: SPDX.Checksum,
    SPDX.algorithm: SPDX.ChecksumAlgorithm,
    DCATAP.applicableLegislation: ELI.LegalResource,
    ODRL.hasPolicy: ODRL.Policy,
    LOCN.geometry: LOCN.Geometry,
    URIRef(TIME + "hasBeginning"): URIRef(TIME + "Instant"),
    URIRef(TIME + "hasEnd"): URIRef(TIME + "Instant"),
}
"""The class DCAT-AP 3.0.1 gives the object of each property (its "range")."""

IRI_VALUED = frozenset(
    {DCAT.accessURL, DCAT.downloadURL, DCAT.endpointURL, DCTERMS.relation, *RANGES}
)
"""Properties whose object is a node (an IRI or a blank node), never a literal."""

LABEL_OF: dict[URIRef, URIRef] = {
    SKOS.Concept: SKOS.prefLabel,
    FOAF.Agent: FOAF.name,
    SKOS.ConceptScheme: DCTERMS.title,
}
"""The label DCAT-AP requires of a class (when its range typing adds one)."""
_OTHER_LABELS = (
    RDFS.label,
    SKOS.prefLabel,
    SKOS.altLabel,
    DCTERMS.title,
    SKOS.notation,
    VCARD.fn,
    FOAF.name,
)

MANDATORY: dict[URIRef, tuple[URIRef, ...]] = {
    DCAT.Dataset: (DCTERMS.title, DCTERMS.description),
    DCAT.DatasetSeries: (DCTERMS.title, DCTERMS.description),
    DCAT.Distribution: (DCAT.accessURL,),
    DCAT.DataService: (DCTERMS.title, DCAT.endpointURL),
    DCAT.Relationship: (DCTERMS.relation, DCAT.hadRole),
    FOAF.Agent: (FOAF.name,),
    SKOS.Concept: (SKOS.prefLabel,),
    SKOS.ConceptScheme: (DCTERMS.title,),
    ADMS.Identifier: (SKOS.notation,),
    SPDX.Checksum: (SPDX.algorithm, SPDX.checksumValue),
}
"""Properties DCAT-AP 3.0.1 makes mandatory, per class."""

_DATES = (DCTERMS.issued, DCTERMS.modified)
MAX_ONE: dict[URIRef, tuple[URIRef, ...]] = {
    DCAT.Dataset: (
        *_DATES,
        DCTERMS.accessRights,
        DCTERMS.accrualPeriodicity,
        DCTERMS.publisher,
        DCAT.temporalResolution,
        DCAT.version,
    ),
    DCAT.DatasetSeries: (*_DATES, DCTERMS.accrualPeriodicity, DCTERMS.publisher),
    DCAT.Distribution: (
        *_DATES,
        DCATAP.availability,
        SPDX.checksum,
        ADMS.status,
        DCTERMS.format,
        DCTERMS.license,
        DCAT.byteSize,
        DCAT.compressFormat,
        DCAT.mediaType,
        DCAT.packageFormat,
        DCAT.spatialResolutionInMeters,
        DCAT.temporalResolution,
        ODRL.hasPolicy,
    ),
    DCAT.DataService: (DCTERMS.accessRights, DCTERMS.license, DCTERMS.publisher),
    DCTERMS.Location: (LOCN.geometry, DCAT.bbox, DCAT.centroid),
    DCTERMS.PeriodOfTime: (
        DCAT.startDate,
        DCAT.endDate,
        URIRef(TIME + "hasBeginning"),
        URIRef(TIME + "hasEnd"),
    ),
    FOAF.Agent: (DCTERMS.type,),
    ADMS.Identifier: (SKOS.notation,),
    SPDX.Checksum: (SPDX.algorithm, SPDX.checksumValue),
}
"""Properties DCAT-AP 3.0.1 allows once at most, per class."""

LITERAL_VALUED = frozenset(
    {
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.identifier,
        *_DATES,
        DCAT.keyword,
        DCAT.version,
        ADMS.versionNotes,
        DCAT.byteSize,
        DCAT.spatialResolutionInMeters,
        DCAT.temporalResolution,
        DCAT.bbox,
        DCAT.centroid,
        DCAT.startDate,
        DCAT.endDate,
        FOAF.name,
        SKOS.prefLabel,
        SKOS.notation,
        SPDX.checksumValue,
    }
)
"""Properties whose object is a literal."""

DATATYPES: dict[URIRef, tuple[URIRef, re.Pattern[str]]] = {
    DCAT.byteSize: (XSD.nonNegativeInteger, re.compile(r"\+?\d+")),
    SPDX.checksumValue: (XSD.hexBinary, re.compile(r"(?:[0-9A-Fa-f]{2})+")),
    DCAT.spatialResolutionInMeters: (XSD.decimal, re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")),
    DCAT.temporalResolution: (
        XSD.duration,
        re.compile(r"-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"),
    ),
}
"""The datatype DCAT-AP gives a literal, and the text that datatype accepts."""

_MEDIA_PROPERTIES = (DCTERMS.format, DCAT.mediaType, DCAT.compressFormat, DCAT.packageFormat)
_IRI = re.compile(r"(https?|ftp|mailto|urn):[^\s<>\"{}|\\^`]+", re.IGNORECASE)
_MEDIA_TYPE = re.compile(r"[a-z]+/[a-z0-9][a-z0-9!#$&^_.+-]*", re.IGNORECASE)


# -- repairs -----------------------------------------------------------------------------


def normalise(graph: Graph) -> int:
    """Repair ``graph`` (one data set's description) in place where DCAT-AP 3 wants
    another form of the same statement; return how many triples were added."""
    before = len(graph)
    _literals_to_nodes(graph)
    _access_urls(graph)
    _datatypes(graph)
    _range_types(graph)
    return len(graph) - before


def _literals_to_nodes(graph: Graph) -> None:
    """A literal where DCAT-AP wants a node: the IRI it spells, or a labelled node."""
    for subject, predicate, value in list(graph):
        if predicate not in IRI_VALUED or not isinstance(value, Literal):
            continue
        graph.remove((subject, predicate, value))
        graph.add((subject, predicate, _node_for(graph, predicate, value)))


def _node_for(graph: Graph, predicate: Node, value: Literal) -> Node:
    text = str(value).strip()
    if _IRI.fullmatch(text):
        return URIRef(text)
    if predicate == DCTERMS.language:
        iri = _language_iri(text)
        if iri is not None:
            return iri
    if predicate in _MEDIA_PROPERTIES and _MEDIA_TYPE.fullmatch(text):
        return URIRef(IANA + text.lower())
    if predicate not in RANGES:  # an address that is no IRI: left for problems() to report
        return value
    node = BNode()
    label = LABEL_OF.get(RANGES[URIRef(str(predicate))], RDFS.label)
    graph.add((node, label, value))
    return node


def _language_iri(tag: str) -> URIRef | None:
    """The EU language authority IRI of a language tag (``en`` → ``.../language/ENG``)."""
    import langcodes

    try:
        code = langcodes.Language.get(tag).to_alpha3()
    except (ValueError, LookupError):
        return None
    return URIRef(LANGUAGE + code.upper())


def _access_urls(graph: Graph) -> None:
    """A distribution with download URLs and no access URL: the download URLs give access."""
    for distribution in set(graph.subjects(DCAT.downloadURL, None)):
        if (distribution, DCAT.accessURL, None) in graph:
            continue
        for url in list(graph.objects(distribution, DCAT.downloadURL)):
            graph.add((distribution, DCAT.accessURL, url))


def _datatypes(graph: Graph) -> None:
    """Give literals the datatype DCAT-AP wants when their text fits it."""
    for predicate, (datatype, pattern) in DATATYPES.items():
        for subject, value in list(graph.subject_objects(predicate)):
            if not isinstance(value, Literal) or value.datatype == datatype:
                continue
            text = str(value).strip()
            if pattern.fullmatch(text):
                graph.remove((subject, predicate, value))
                graph.add((subject, predicate, Literal(text, datatype=datatype)))


def _range_types(graph: Graph) -> None:
    """Type every object with the class its property ranges over; label it if needed."""
    for predicate, cls in RANGES.items():
        for value in set(graph.objects(None, predicate)):
            if isinstance(value, Literal) or (value, RDF.type, cls) in graph:
                continue
            graph.add((value, RDF.type, cls))
    for cls, label in LABEL_OF.items():
        for node in set(graph.subjects(RDF.type, cls)):
            if (node, label, None) not in graph:
                text = _label(graph, node)
                if text is not None:
                    graph.add((node, label, text))


def _label(graph: Graph, node: Node) -> Literal | None:
    """A label the source gives under another property, or the last segment of an IRI."""
    for prop in _OTHER_LABELS:
        value = graph.value(node, prop)
        if isinstance(value, Literal):
            return value
    if isinstance(node, URIRef):
        tail = re.split(r"[/#:]", str(node).rstrip("/#"))[-1]
        return Literal(unquote(tail) or str(node))
    return None


# -- what cannot be repaired -------------------------------------------------------------


def problems(graph: Graph) -> list[str]:
    """What keeps ``graph`` (a normalised description) from DCAT-AP 3.0.1: each a sentence
    naming the node and the property."""
    found = list(_missing(graph)) + list(_too_many(graph)) + list(_wrong_kind(graph))
    return sorted(set(found))


def _name(graph: Graph, node: Node) -> str:
    if isinstance(node, BNode):
        return "a blank node"
    return f"<{node}>"


def _short(graph: Graph, term: Node) -> str:
    """``term`` with one of the usual prefixes (``dct:title``), else in full."""
    text = str(term)
    for prefix, namespace in PREFIXES.items():
        if isinstance(term, URIRef) and text.startswith(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return f"<{text}>" if isinstance(term, URIRef) else text


def _missing(graph: Graph) -> Iterator[str]:
    for cls, required in MANDATORY.items():
        for node in set(graph.subjects(RDF.type, cls)):
            for prop in required:
                if (node, prop, None) not in graph:
                    what = f"{_name(graph, node)} ({_short(graph, cls)})"
                    yield f"{what} has no {_short(graph, prop)}, which DCAT-AP 3 requires"


def _too_many(graph: Graph) -> Iterator[str]:
    for cls, props in MAX_ONE.items():
        for node in set(graph.subjects(RDF.type, cls)):
            for prop in props:
                count = len(set(graph.objects(node, prop)))
                if count > 1:
                    yield (
                        f"{_name(graph, node)} ({_short(graph, cls)}) has {count} "
                        f"{_short(graph, prop)} values; DCAT-AP 3 allows one"
                    )


def _wrong_kind(graph: Graph) -> Iterator[str]:
    for subject, predicate, value in graph:
        if predicate in LITERAL_VALUED and not isinstance(value, Literal):
            yield f"{_name(graph, subject)}: {_short(graph, predicate)} is not a literal"
        elif predicate in IRI_VALUED and isinstance(value, Literal):
            shown = f"{_short(graph, predicate)} {str(value)[:80]!r}"
            yield f"{_name(graph, subject)}: {shown} is not an IRI"
        elif predicate in DATATYPES and isinstance(value, Literal):
            datatype = DATATYPES[URIRef(str(predicate))][0]
            if value.datatype != datatype:
                yield (
                    f"{_name(graph, subject)}: {_short(graph, predicate)} {str(value)[:80]!r} "
                    f"is not an {_short(graph, datatype)}"
                )
