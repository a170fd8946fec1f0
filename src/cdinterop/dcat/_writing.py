"""Adding a data set or a catalogue to a `TripleBuffer` in DCAT-AP 3 with PROV-O, DQV,
StatDCAT-AP 1.0.1 and the ``cdi:`` vocabulary.

Readable triples carry every field these vocabularies have a term for (``docs/dcat.md``
lists where each field goes). Exactness (order of tuples, the spelling of area codes and
language tags, enum values that the EU vocabularies merge, the data structure) travels in
one ``cdi:`` JSON literal per part on the data set node: ``cdi:coreJson``,
``cdi:structureJson``, ``cdi:provenanceJson``, ``cdi:participationJson``,
``cdi:consentJson``, ``cdi:qualityJson``, ``cdi:disclosureJson`` (and ``cdi:catalogJson`` on
a catalogue node).

Objects from controlled vocabularies carry the ``rdf:type`` and ``skos:inScheme`` the
DCAT-AP 3.0.1 shapes require of them, so the graph validates without loading the
vocabularies themselves.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib.term import Node

from cdinterop.dcat._iris import Minter, language_iri, theme_iri
from cdinterop.dcat._triples import Rendered, TextTriple, TripleBuffer, plain, tagged, typed
from cdinterop.dcat._vocab import (
    ACCESS_RIGHT,
    ACCESS_RIGHTS,
    ADMS_LICENCE_TYPE,
    ADMS_PUBLISHER_TYPE,
    CDI,
    COUNTRY,
    DATA_THEME,
    DCAT,
    DCATAP,
    DCTERMS,
    DQV,
    FILE_TYPE,
    FOAF,
    FREQUENCIES,
    FREQUENCY,
    GSP,
    IANA_MEDIA_TYPE,
    LANGUAGE,
    OA,
    ORGANISATION_TYPES,
    PLANNED_AVAILABILITY,
    PRIVATE_INDIVIDUAL,
    PROV,
    QB,
    RDF,
    RDFS,
    SDG,
    SKOS,
    SPDX,
    SPDX_ALGORITHM,
    SPDX_LICENCE,
    STAT,
    VCARD,
    XSD,
    licence_types,
)
from cdinterop.dcat._vocabulary import CONCEPT_SCHEMES
from cdinterop.model import (
    METRICS,
    Agent,
    AgentKind,
    AreaExtent,
    Catalog,
    Checksum,
    CitizenDataset,
    ContactPoint,
    DataStructure,
    Distribution,
    QualityMeasurement,
    QualityMetric,
    Role,
    ThemeScheme,
)

__all__ = [
    "CORE_FIELDS",
    "DCAT_VERSION",
    "PARTS",
    "add_catalog",
    "add_catalog_head",
    "add_catalog_tail",
    "add_dataset",
    "bind_prefixes",
    "link_dataset",
]

DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")
"""``dcat:version`` (DCAT 3; not in rdflib's DCAT 2 namespace)."""

PARTS = ("participation", "consent", "quality", "disclosure")
"""Optional parts of a data set carried as one ``cdi:<part>Json`` literal each."""
JSON_PREDICATES = frozenset(
    f"<{CDI[f'{name}Json']}>" for name in ("core", "structure", "provenance", *PARTS)
)
"""The ``cdi:`` properties whose objects are the model's JSON (N-Triples texts): the long
literals of a description."""
CORE_FIELDS = (
    "agency",
    "keywords",
    "themes",
    "languages",
    "spatial_coverage",
    "area_extents",
    "reference_period",
    "frequency",
    "citation",
    "distributions",
    "attribute_values",
)
"""Data set fields whose exact form travels in ``cdi:coreJson``."""

_COMPUTED = frozenset(m.value for m in QualityMetric)
"""Ids of the metrics of the catalogue: ``cdi:`` concepts rather than minted metrics."""
TRIPLE_COUNTS = "_tripleCounts"
"""Key of ``cdi:coreJson`` that counts, per property, the data set node's triples written
before it: a reader finding fewer knows the description lost triples (a truncated file)."""

_AGENT_CLASS = {
    AgentKind.PERSON: PROV.Person,
    AgentKind.ORGANISATION: PROV.Organization,
    AgentKind.SOFTWARE: PROV.SoftwareAgent,
}
_SCHEME_TITLES = {
    ADMS_PUBLISHER_TYPE["1.0"]: "ADMS publisher type vocabulary",
    ADMS_LICENCE_TYPE["1.0"]: "ADMS licence type vocabulary",
    URIRef(str(DATA_THEME).rstrip("/")): "Data theme",
    URIRef(str(SDG).rstrip("/")): "UN Sustainable Development Goals",
}


def bind_prefixes(graph: TripleBuffer) -> None:
    """Bind the prefixes of every vocabulary the writer uses."""
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("prov", PROV),
        ("skos", SKOS),
        ("vcard", VCARD),
        ("dqv", DQV),
        ("oa", OA),
        ("spdx", SPDX),
        ("stat", STAT),
        ("qb", QB),
        ("dcatap", DCATAP),
        ("gsp", GSP),
        ("cdi", CDI),
    ):
        graph.bind(prefix, ns)


def _text(graph: TripleBuffer, node: Node, prop: URIRef, text: dict[str, str] | None) -> None:
    for lang, value in (text or {}).items():
        graph.add((node, prop, tagged(value, lang)))


def _concept(graph: TripleBuffer, iri: URIRef, label: str, cls: URIRef | None = None) -> URIRef:
    graph.add_texts(_concept_texts(iri, label, cls))
    return iri


@lru_cache(maxsize=4096)
def _concept_texts(iri: URIRef, label: str, cls: URIRef | None) -> tuple[TextTriple, ...]:
    """The triples of a labelled concept, made once per concept (they repeat for every
    data set of a catalogue)."""
    part = TripleBuffer()
    part.add((iri, RDF.type, SKOS.Concept))
    if cls is not None:
        part.add((iri, RDF.type, cls))
    part.add((iri, SKOS.prefLabel, Literal(label, lang="en")))
    return tuple(part.texts())


def _in_eu_scheme(g: TripleBuffer, iri: URIRef, namespace: str) -> None:
    """Mark ``iri`` as a concept of the EU authority table ``namespace`` (MDR shapes)."""
    if not g.once(("eu", iri)):
        return
    g.add((iri, RDF.type, SKOS.Concept))
    g.add((iri, SKOS.inScheme, URIRef(namespace.rstrip("/"))))
    if (iri, SKOS.prefLabel, None) not in g:
        g.add((iri, SKOS.prefLabel, Literal(str(iri)[len(namespace) :], lang="en")))


def _scheme(g: TripleBuffer, scheme: URIRef) -> URIRef:
    """A ``skos:ConceptScheme`` with the ``dct:title`` DCAT-AP requires of one."""
    g.add_texts(_scheme_texts(scheme))
    return scheme


@lru_cache(maxsize=256)
def _scheme_texts(scheme: URIRef) -> tuple[TextTriple, ...]:
    part = TripleBuffer()
    part.add((scheme, RDF.type, SKOS.ConceptScheme))
    part.add((scheme, DCTERMS.title, Literal(_SCHEME_TITLES[scheme], lang="en")))
    return tuple(part.texts())


def _in_scheme(g: TripleBuffer, iri: URIRef, scheme: URIRef) -> None:
    if g.once(("in", iri, scheme)):
        g.add((iri, SKOS.inScheme, _scheme(g, scheme)))


def _cdi(g: TripleBuffer, scheme_name: str, member: StrEnum) -> URIRef:
    """The ``cdi:`` concept of ``member`` in its scheme, typed and labelled as the
    vocabulary defines it (so that the graph is readable without the vocabulary)."""
    iri, texts = _cdi_texts(scheme_name, member)
    g.add_texts(texts)
    return iri


@lru_cache(maxsize=1024)
def _cdi_texts(scheme_name: str, member: StrEnum) -> tuple[URIRef, tuple[TextTriple, ...]]:
    """The IRI and triples of a ``cdi:`` concept, made once per concept."""
    part = TripleBuffer()
    scheme = CONCEPT_SCHEMES[scheme_name]
    iri = scheme.concept(member)
    _concept(part, iri, scheme.label(member))
    for cls in scheme.classes:
        part.add((iri, RDF.type, cls))
    part.add((iri, SKOS.inScheme, scheme.iri))
    part.add((scheme.iri, RDF.type, SKOS.ConceptScheme))
    part.add((scheme.iri, DCTERMS.title, Literal(scheme.title, lang="en")))
    return iri, tuple(part.texts())


def _json(model: Any) -> Rendered:
    return plain(model.model_dump_json(exclude_defaults=False))


def _licence(g: TripleBuffer, subject: URIRef, licence: str) -> None:
    lic = SPDX_LICENCE[licence]
    g.add((subject, DCTERMS.license, lic))
    if not g.once(("licence", lic, licence)):
        return
    g.add((lic, RDF.type, DCTERMS.LicenseDocument))
    g.add((lic, DCTERMS.identifier, plain(licence)))
    for kind in licence_types(licence):
        g.add((lic, DCTERMS.type, _concept(g, ADMS_LICENCE_TYPE[kind], kind)))
        _in_scheme(g, ADMS_LICENCE_TYPE[kind], ADMS_LICENCE_TYPE["1.0"])


def _language(g: TripleBuffer, subject: URIRef, tag: str) -> None:
    iri = language_iri(tag)
    g.add((subject, DCTERMS.language, iri))
    if g.once(("language", iri)):
        g.add((iri, RDF.type, DCTERMS.LinguisticSystem))
        _in_eu_scheme(g, iri, str(LANGUAGE))


def _page(g: TripleBuffer, subject: URIRef, prop: URIRef, url: object) -> None:
    page = URIRef(str(url))
    g.add((subject, prop, page))
    if g.once(("page", page)):
        g.add((page, RDF.type, FOAF.Document))


def _checksum(g: TripleBuffer, subject: URIRef, node: URIRef, checksum: Checksum) -> None:
    g.add((subject, SPDX.checksum, node))
    g.add((node, RDF.type, SPDX.Checksum))
    algo = SPDX_ALGORITHM[f"checksumAlgorithm_{checksum.algorithm.value}"]
    g.add((node, SPDX.algorithm, algo))
    if g.once(("algorithm", algo)):
        g.add((algo, RDF.type, SPDX.ChecksumAlgorithm))
    g.add((node, SPDX.checksumValue, Literal(checksum.value, datatype=XSD.hexBinary)))


def _wkt_box(box: tuple[float, float, float, float]) -> Rendered:
    w, s, e, n = box
    polygon = f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))"
    return typed(polygon, GSP.wktLiteral)


def _wkt_point(lon: float, lat: float) -> Rendered:
    return typed(f"POINT({lon} {lat})", GSP.wktLiteral)


def _agent(g: TripleBuffer, node: URIRef, agent: Agent) -> None:
    """An agent: ``foaf:Agent`` and ``prov:Agent`` of its PROV-O subclass, with its name,
    id and ``dct:type`` (ADMS publisher type; ``cdi:agentType-software`` for software)."""
    g.add((node, RDF.type, FOAF.Agent))
    g.add((node, RDF.type, PROV.Agent))
    g.add((node, RDF.type, _AGENT_CLASS[agent.kind]))
    g.add((node, FOAF.name, plain(agent.name)))
    g.add((node, DCTERMS.identifier, plain(agent.id)))
    if agent.kind is AgentKind.SOFTWARE:
        g.add((node, DCTERMS.type, _cdi(g, "agentTypes", AgentKind.SOFTWARE)))
    else:
        # an organisation without organisation_type has no ADMS type to give
        label = None
        if agent.organisation_type is not None:
            label = ORGANISATION_TYPES[agent.organisation_type]
        elif agent.kind is AgentKind.PERSON:
            label = PRIVATE_INDIVIDUAL
        if label is not None:
            kind = ADMS_PUBLISHER_TYPE[label]
            g.add((node, DCTERMS.type, _concept(g, kind, label)))
            _in_scheme(g, kind, ADMS_PUBLISHER_TYPE["1.0"])
    if agent.homepage is not None:
        _page(g, node, FOAF.homepage, agent.homepage)


def add_dataset(g: TripleBuffer, ds: CitizenDataset, mint: Minter) -> URIRef:
    """Add the DCAT description of ``ds`` (metadata, structure and context; not the
    observations) to ``g``; return the data set's IRI."""
    _DatasetWriter(g, ds, mint).write()
    return mint.dataset(ds.id)


class _DatasetWriter:
    """Writes one data set; holds the graph, the data set and its IRIs."""

    def __init__(self, g: TripleBuffer, ds: CitizenDataset, mint: Minter) -> None:
        self.g = g
        self.ds = ds
        self.mint = mint
        self.d = mint.dataset(ds.id)

    def node(self, kind: str, *parts: str) -> URIRef:
        """A node that belongs to this data set: ``{base}{kind}/{dataset id}.{parts}``."""
        return self.mint.node(kind, self.ds.id, *parts)

    def write(self) -> None:
        g, d, ds = self.g, self.d, self.ds
        g.add((d, RDF.type, DCAT.Dataset))
        g.add((d, DCTERMS.identifier, plain(ds.id)))
        _text(g, d, DCTERMS.title, ds.title)
        # DCAT-AP makes dct:description mandatory: without one, the title stands in, and a
        # cdi:descriptionIsTitle flag keeps the round trip exact
        _text(g, d, DCTERMS.description, ds.description or ds.title)
        if ds.description is None:
            g.add((d, CDI.descriptionIsTitle, Literal(True)))
        for lang, words in ds.keywords.items():
            for word in words:
                g.add((d, DCAT.keyword, tagged(word, lang)))
        self.themes()
        for tag in ds.languages:
            _language(g, d, tag)
        if ds.licence is not None:
            _licence(g, d, ds.licence)
        rights = ACCESS_RIGHT[ACCESS_RIGHTS[ds.access_rights]]
        g.add((d, DCTERMS.accessRights, rights))
        if g.once(("rights", rights)):
            g.add((rights, RDF.type, DCTERMS.RightsStatement))
            _in_eu_scheme(g, rights, str(ACCESS_RIGHT))
        if ds.contact_point is not None:
            self.contact(ds.contact_point)
        if ds.landing_page is not None:
            _page(g, d, DCAT.landingPage, ds.landing_page)
        self.coverage()
        if ds.frequency is not None:
            freq = FREQUENCY[FREQUENCIES[ds.frequency]]
            g.add((d, DCTERMS.accrualPeriodicity, freq))
            if g.once(("frequency", freq)):
                g.add((freq, RDF.type, DCTERMS.Frequency))
                _in_eu_scheme(g, freq, str(FREQUENCY))
            g.add((d, CDI.sdmxFrequency, plain(ds.frequency.value)))
        if ds.issued is not None:
            g.add((d, DCTERMS.issued, typed(ds.issued.isoformat(), XSD.date)))
        if ds.modified is not None:
            g.add((d, DCTERMS.modified, typed(ds.modified.isoformat(), XSD.date)))
        g.add((d, DCAT_VERSION, plain(ds.version)))
        if ds.citation is not None:
            g.add((d, DCTERMS.bibliographicCitation, plain(ds.citation)))
        for distribution in ds.distributions:
            self.distribution(distribution)
        self.provenance()
        self.quality()
        self.context()
        self.statistics()
        if len(ds.observations):
            # the observations as an RDF Data Cube (cdinterop.datacube mints the same IRI)
            g.add((d, DCTERMS.relation, self.mint.node("cube", ds.id)))
        core = ds.model_dump(mode="json", include=set(CORE_FIELDS))
        core[TRIPLE_COUNTS] = dict(sorted(g.predicate_counts(d).items()))
        g.add((d, CDI.coreJson, plain(json.dumps(core, ensure_ascii=False, sort_keys=True))))
        g.add((d, CDI.structureJson, _json(ds.structure)))
        g.add((d, CDI.provenanceJson, _json(ds.provenance)))
        for part in PARTS:
            value = getattr(ds, part)
            if value is not None:
                g.add((d, CDI[f"{part}Json"], _json(value)))

    def themes(self) -> None:
        g = self.g
        for theme in self.ds.themes:
            iri = theme_iri(theme)
            g.add((self.d, DCAT.theme, iri))
            label = theme.label or {"en": f"{theme.scheme.value.replace('_', ' ')} {theme.code}"}
            if not g.once(("theme", iri, tuple(sorted(label.items())))):
                continue
            g.add((iri, RDF.type, SKOS.Concept))
            g.add((iri, SKOS.notation, plain(theme.code)))
            if theme.scheme is ThemeScheme.EU_DATA_THEME:
                _in_eu_scheme(g, iri, str(DATA_THEME))
            else:
                _in_scheme(g, iri, URIRef(str(SDG).rstrip("/")))
            _text(g, iri, SKOS.prefLabel, label)

    def contact(self, cp: ContactPoint) -> None:
        g, node = self.g, self.node("contact")
        g.add((self.d, DCAT.contactPoint, node))
        g.add((node, RDF.type, VCARD.Kind))
        g.add((node, VCARD.fn, plain(cp.name)))
        if cp.email is not None:
            g.add((node, VCARD.hasEmail, URIRef(f"mailto:{cp.email}")))
        if cp.url is not None:
            g.add((node, VCARD.hasURL, URIRef(str(cp.url))))

    def coverage(self) -> None:
        g, d, ds = self.g, self.d, self.ds
        if ds.temporal_coverage is not None:
            period = self.node("period")
            g.add((d, DCTERMS.temporal, period))
            g.add((period, RDF.type, DCTERMS.PeriodOfTime))
            start, end = ds.temporal_coverage.start, ds.temporal_coverage.end
            if start is not None:
                g.add((period, DCAT.startDate, typed(start.isoformat(), XSD.date)))
            if end is not None:
                g.add((period, DCAT.endDate, typed(end.isoformat(), XSD.date)))
        for code in ds.spatial_coverage:
            loc = self.mint.area(code)
            g.add((d, DCTERMS.spatial, loc))
            if g.once(("location", loc, code)):
                g.add((loc, RDF.type, DCTERMS.Location))
                if str(loc).startswith(str(COUNTRY)):
                    _in_eu_scheme(g, loc, str(COUNTRY))
                else:
                    g.add((loc, DCTERMS.identifier, plain(code)))
                    g.add((loc, SKOS.notation, plain(code)))
            extent = ds.area_extents.get(code)
            if extent is not None:
                self.extent(loc, code, extent)
        for key, extent in ds.area_extents.items():
            if key in ds.spatial_coverage:
                continue
            # a place without an area code (a polygon only): a location of this data set
            loc = self.node("area", key)
            g.add((d, DCTERMS.spatial, loc))
            g.add((loc, RDF.type, DCTERMS.Location))
            g.add((loc, DCTERMS.identifier, plain(key)))
            self.extent(loc, key, extent)

    def extent(self, loc: URIRef, key: str, extent: AreaExtent) -> None:
        """The box, centroid and geometry of a location.

        The geometry is a GeoSPARQL ``gsp:Geometry`` node (``gsp:hasGeometry``) with its WKT
        in ``gsp:asWKT``, not ``locn:geometry``: the two official forms of the DCAT-AP 3.0.1
        shapes disagree on ``locn:geometry`` (a literal in ``shapes.ttl``, a
        ``locn:Geometry`` node in ``dcat-ap-SHACL.ttl``), so no value of it passes both.
        """
        g = self.g
        box = extent.box
        if box is not None:
            g.set((loc, DCAT.bbox, _wkt_box(box)))
        if extent.centroid is not None:
            g.set((loc, DCAT.centroid, _wkt_point(*extent.centroid)))
        if extent.geometry is not None:
            geometry = self.node("area", key, "geometry")
            g.set((loc, GSP.hasGeometry, geometry))
            g.add((geometry, RDF.type, GSP.Geometry))
            g.add((geometry, GSP.asWKT, Literal(extent.geometry, datatype=GSP.wktLiteral)))

    def distribution(self, dist: Distribution) -> None:
        g, node = self.g, self.node("distribution", dist.id)
        g.add((self.d, DCAT.distribution, node))
        g.add((node, RDF.type, DCAT.Distribution))
        g.add((node, DCTERMS.identifier, plain(dist.id)))
        _text(g, node, DCTERMS.title, dist.title)
        _text(g, node, DCTERMS.description, dist.description)
        g.add((node, DCAT.accessURL, URIRef(str(dist.access_url))))
        if dist.download_url is not None:
            g.add((node, DCAT.downloadURL, URIRef(str(dist.download_url))))
        if dist.format is not None:
            fmt = FILE_TYPE[dist.format]
            g.add((node, DCTERMS.format, fmt))
            if g.once(("format", fmt)):
                g.add((fmt, RDF.type, DCTERMS.MediaTypeOrExtent))
                _in_eu_scheme(g, fmt, str(FILE_TYPE))
        if dist.media_type is not None:
            media = IANA_MEDIA_TYPE[dist.media_type]
            g.add((node, DCAT.mediaType, media))
            if g.once(("media", media)):
                g.add((media, RDF.type, DCTERMS.MediaType))
        if dist.byte_size is not None:
            size = Literal(dist.byte_size, datatype=XSD.nonNegativeInteger)
            g.add((node, DCAT.byteSize, size))
        if dist.checksum is not None:
            _checksum(g, node, self.node("checksum", "distribution", dist.id), dist.checksum)
        if dist.licence is not None:
            _licence(g, node, dist.licence)
        for standard in dist.conforms_to:
            iri = URIRef(str(standard))
            g.add((node, DCTERMS.conformsTo, iri))
            if g.once(("standard", iri)):
                g.add((iri, RDF.type, DCTERMS.Standard))
        if dist.availability is not None:
            avail = PLANNED_AVAILABILITY[dist.availability.value.upper()]
            g.add((node, DCATAP.availability, avail))
            _in_eu_scheme(g, avail, str(PLANNED_AVAILABILITY))

    def provenance(self) -> None:
        g, d, ds = self.g, self.d, self.ds
        prov = ds.provenance
        agents = {a.id: self.node("agent", a.id) for a in prov.agents}
        for agent in prov.agents:
            _agent(g, agents[agent.id], agent)
            if agent.acted_on_behalf_of is not None:
                g.add((agents[agent.id], PROV.actedOnBehalfOf, agents[agent.acted_on_behalf_of]))
        if ds.publisher is not None:
            g.add((d, DCTERMS.publisher, agents[ds.publisher]))
        for i, attribution in enumerate(prov.attributions):
            node = self.node("attribution", str(i))
            g.add((d, PROV.qualifiedAttribution, node))
            g.add((node, RDF.type, PROV.Attribution))
            g.add((node, PROV.agent, agents[attribution.agent]))
            g.add((node, DCAT.hadRole, _cdi(g, "roles", attribution.role)))
            if attribution.role is Role.CREATOR:
                g.add((d, DCTERMS.creator, agents[attribution.agent]))
        sources = {s.id: self.node("source", s.id) for s in prov.sources}
        for source in prov.sources:
            node = sources[source.id]
            g.add((node, RDF.type, PROV.Entity))
            g.add((node, DCTERMS.identifier, plain(source.id)))
            g.add((node, DCTERMS.title, plain(source.title)))
            if source.checksum is not None:
                _checksum(g, node, self.node("checksum", "source", source.id), source.checksum)
        for activity in prov.activities:
            node = self.node("activity", activity.id)
            g.add((d, PROV.wasGeneratedBy, node))
            g.add((node, RDF.type, PROV.Activity))
            g.add((node, DCTERMS.identifier, plain(activity.id)))
            g.add((node, DCTERMS.type, _cdi(g, "activityTypes", activity.type)))
            g.add((node, RDFS.label, plain(activity.label)))
            if activity.started_at is not None:
                started = activity.started_at.isoformat()
                g.add((node, PROV.startedAtTime, typed(started, XSD.dateTime)))
            if activity.ended_at is not None:
                ended = activity.ended_at.isoformat()
                g.add((node, PROV.endedAtTime, typed(ended, XSD.dateTime)))
            for ref in activity.agents:
                g.add((node, PROV.wasAssociatedWith, agents[ref]))
            for ref in activity.used:
                g.add((node, PROV.used, sources[ref]))
            for ref in activity.generated:
                g.add((node, PROV.generated, sources[ref]))
        if prov.activities:
            statement = self.node("provenance")
            g.add((d, DCTERMS.provenance, statement))
            g.add((statement, RDF.type, DCTERMS.ProvenanceStatement))
            summary = "; ".join(f"{a.type.value}: {a.label}" for a in prov.activities)
            g.add((statement, RDFS.label, tagged(summary, "en")))

    def quality(self) -> None:
        g, d, ds = self.g, self.d, self.ds
        if ds.quality is None:
            return
        assessment = ds.quality.assessment
        if assessment is not None:
            for score in assessment.dimensions:
                node = self.node("quality", score.dimension.value)
                metric = _cdi(g, "qualityMetrics", score.dimension)
                dimension = _cdi(g, "qualityDimensions", score.dimension)
                g.add((d, DQV.hasQualityMeasurement, node))
                g.add((node, RDF.type, DQV.QualityMeasurement))
                g.add((node, DQV.isMeasurementOf, metric))
                g.add((node, DQV.computedOn, d))
                g.add((node, DQV.value, Literal(score.score, datatype=XSD.double)))
                g.add((metric, DQV.inDimension, dimension))
            verdict = self.node("verdict")
            body = _cdi(g, "qualityVerdicts", assessment.verdict)
            g.add((d, DQV.hasQualityAnnotation, verdict))
            g.add((verdict, RDF.type, DQV.QualityAnnotation))
            g.add((verdict, OA.hasTarget, d))
            g.add((verdict, OA.hasBody, body))
            g.add((verdict, OA.motivatedBy, DQV.qualityAssessment))
            g.add((verdict, DCTERMS.date, typed(assessment.date.isoformat(), XSD.date)))
        for i, measurement in enumerate(ds.quality.measurements):
            self.measurement(self.node("measurement", str(i)), measurement)

    def measurement(self, node: URIRef, measurement: QualityMeasurement) -> None:
        """A ``dqv:QualityMeasurement`` of a metric of the catalogue (a ``cdi:`` concept with
        its definition and dimension) or of a metric of the data set's own (minted)."""
        g, d = self.g, self.d
        dimension = measurement.dimension
        if measurement.metric in _COMPUTED:
            metric = _cdi(g, "computedMetrics", QualityMetric(measurement.metric))
            dimension = METRICS[QualityMetric(measurement.metric)].dimension
        else:
            metric = self.mint.node("metric", measurement.metric)
            g.add((metric, RDF.type, DQV.Metric))
        g.add((d, DQV.hasQualityMeasurement, node))
        g.add((node, RDF.type, DQV.QualityMeasurement))
        g.add((node, DQV.isMeasurementOf, metric))
        g.add((node, DQV.computedOn, d))
        g.add((node, DQV.value, Literal(measurement.value)))
        g.add((metric, SKOS.notation, plain(measurement.metric)))
        if measurement.component is not None:
            g.add((node, CDI.component, plain(measurement.component)))
        if measurement.qualifier is not None:
            g.add((node, CDI.qualifier, plain(measurement.qualifier)))
        if dimension is not None:
            g.add((metric, DQV.inDimension, _cdi(g, "qualityDimensions", dimension)))

    def context(self) -> None:
        g, d, ds = self.g, self.d, self.ds
        if ds.participation is not None:
            node = self.node("participation")
            p = ds.participation
            g.add((d, CDI.participation, node))
            g.add((node, RDF.type, CDI.Participation))
            g.add((node, CDI.initiatorType, _cdi(g, "initiatorTypes", p.initiator)))
            g.add((node, CDI.engagementLevel, Literal(int(p.engagement_level))))
            for stage in p.stages:
                g.add((node, CDI.stage, _cdi(g, "valueChainStages", stage)))
        if ds.consent is not None:
            node = self.node("consent")
            g.add((d, CDI.consent, node))
            g.add((node, RDF.type, CDI.Consent))
            g.add((node, CDI.obtained, Literal(ds.consent.obtained)))
            g.add((node, CDI.basis, _cdi(g, "consentBases", ds.consent.basis)))
            for use in ds.consent.permitted_uses:
                g.add((node, CDI.permittedUse, _cdi(g, "permittedUses", use)))
        if ds.disclosure is not None:
            node = self.node("disclosure")
            g.add((d, CDI.disclosureControl, node))
            g.add((node, RDF.type, CDI.DisclosureControl))
            method = _cdi(g, "disclosureMethods", ds.disclosure.method)
            g.add((node, CDI.disclosureMethod, method))
            if ds.disclosure.threshold is not None:
                g.add((node, CDI.threshold, Literal(ds.disclosure.threshold)))
            g.add((node, CDI.cellsSuppressed, Literal(ds.disclosure.cells_suppressed)))

    def statistics(self) -> None:
        """The structure: ``dct:conformsTo`` its SDMX URN (a ``dct:Standard``), and
        StatDCAT-AP 1.0.1 views of it: ``stat:dimension``, ``stat:attribute``,
        ``stat:statUnitMeasure`` and ``stat:numSeries`` (the exact structure travels in
        ``cdi:structureJson``)."""
        g, d, ds = self.g, self.d, self.ds
        structure = ds.structure
        concepts = {c.id: c for c in structure.concepts}
        dsd = URIRef(
            "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure="
            f"{structure.agency}:{structure.id}({structure.version})"
        )
        g.add((d, DCTERMS.conformsTo, dsd))
        g.add((dsd, RDF.type, DCTERMS.Standard))
        g.add((dsd, DCTERMS.identifier, plain(structure.id)))
        _text(g, dsd, DCTERMS.title, structure.name)

        def component(component_id: str, concept_id: str, cls: URIRef) -> URIRef:
            node = self.node("component", component_id)
            g.add((node, RDF.type, cls))
            g.add((node, SKOS.notation, plain(component_id)))
            concept = concepts.get(concept_id)
            _text(g, node, RDFS.label, concept.name if concept is not None else None)
            return node

        for dim in structure.dimensions:
            g.add((d, STAT.dimension, component(dim.id, dim.concept_id, QB.DimensionProperty)))
        time = structure.time_dimension
        if time is not None:
            g.add((d, STAT.dimension, component(time.id, time.concept_id, QB.DimensionProperty)))
        for attr in structure.attributes:
            g.add((d, STAT.attribute, component(attr.id, attr.concept_id, QB.AttributeProperty)))
        unit = ds.attribute_values.get("UNIT_MEASURE")
        if unit is not None:
            code = str(unit)
            node = self.node("unit", quote(code, safe=""))
            g.add((d, STAT.statUnitMeasure, node))
            g.add((node, RDF.type, SKOS.Concept))
            g.add((node, SKOS.notation, plain(code)))
            label = _code_name(structure, "UNIT_MEASURE", code) or {"en": code}
            _text(g, node, SKOS.prefLabel, label)
        if len(ds.observations) and structure.series_key_ids:
            table = ds.observations.to_arrow().select(list(structure.series_key_ids))
            series = table.group_by(list(structure.series_key_ids)).aggregate([]).num_rows
            g.add((d, STAT.numSeries, Literal(series, datatype=XSD.integer)))


def _code_name(structure: DataStructure, component_id: str, code: str) -> dict[str, str] | None:
    """Name of ``code`` in the codelist of ``component_id``, if it is coded and listed."""
    try:
        codelist_id = getattr(structure.component(component_id), "codelist", None)
        if codelist_id is None:
            return None
        codes = structure.codelist(codelist_id).codes
    except KeyError:
        return None
    return next((dict(c.name) for c in codes if c.id == code), None)


def add_catalog(g: TripleBuffer, catalog: Catalog, mint: Minter) -> URIRef:
    """Add a ``dcat:Catalog`` with its publisher and every data set to ``g``; return the
    catalogue's IRI. Its spatial coverage is the union of the data sets' and its theme
    taxonomies are the schemes their themes come from."""
    c = add_catalog_head(g, catalog, mint)
    for ds in catalog.datasets:
        d = add_dataset(g, ds, mint)
        link_dataset(g, c, d, g.objects(d, DCTERMS.spatial))
    add_catalog_tail(g, c, catalog)
    return c


def add_catalog_head(g: TripleBuffer, catalog: Catalog, mint: Minter) -> URIRef:
    """The catalogue's own description, without its data sets (`add_catalog()`)."""
    c = mint.catalog(catalog.id)
    g.add((c, RDF.type, DCAT.Catalog))
    g.add((c, DCTERMS.identifier, plain(catalog.id)))
    _text(g, c, DCTERMS.title, catalog.title)
    _text(g, c, DCTERMS.description, catalog.description)
    publisher = mint.node("agent", catalog.publisher.id)
    _agent(g, publisher, catalog.publisher)
    g.add((c, DCTERMS.publisher, publisher))
    if catalog.homepage is not None:
        _page(g, c, FOAF.homepage, catalog.homepage)
    for tag in catalog.languages:
        _language(g, c, tag)
    if catalog.licence is not None:
        _licence(g, c, catalog.licence)
    if catalog.issued is not None:
        g.add((c, DCTERMS.issued, Literal(catalog.issued, datatype=XSD.date)))
    if catalog.modified is not None:
        g.add((c, DCTERMS.modified, Literal(catalog.modified, datatype=XSD.date)))
    return c


def link_dataset(g: TripleBuffer, catalog: URIRef, dataset: URIRef, areas: Iterable[Node]) -> None:
    """List ``dataset`` in the catalogue, whose spatial coverage gains its ``areas``."""
    g.add((catalog, DCAT.dataset, dataset))
    for area in areas:
        g.add((catalog, DCTERMS.spatial, area))


def add_catalog_tail(g: TripleBuffer, c: URIRef, catalog: Catalog) -> None:
    """The theme taxonomies of the catalogue's data sets and the catalogue's JSON."""
    taxonomies: set[URIRef] = set()
    for ds in catalog.datasets:
        for theme in ds.themes:
            eu = theme.scheme is ThemeScheme.EU_DATA_THEME
            taxonomies.add(URIRef(str(DATA_THEME if eu else SDG).rstrip("/")))
    for scheme in sorted(taxonomies):
        g.add((c, DCAT.themeTaxonomy, _scheme(g, scheme)))
    fields = catalog.model_dump(mode="json", exclude={"datasets"})
    fields["datasets"] = [ds.id for ds in catalog.datasets]  # their order
    g.add((c, CDI.catalogJson, Literal(json.dumps(fields, ensure_ascii=False, sort_keys=True))))
