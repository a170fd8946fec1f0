"""CitizenDataset to and from an ``rdflib.Graph`` in DCAT-AP 3 with PROV-O and DQV.

Readable triples carry every field DCAT-AP, PROV-O, DQV and SPDX have a term for, and
StatDCAT-AP 1.0.1 views of the structure (``stat:dimension``, ``stat:attribute``,
``stat:statUnitMeasure``, ``stat:numSeries``). See ``docs/dcat.md`` for the full mapping. Exactness
(order of tuples, the spelling of area codes and language tags, enum values that the EU
vocabularies merge, the data structure) travels in one ``cdi:`` JSON literal per part on the
dataset node: ``cdi:coreJson``, ``cdi:structureJson``, ``cdi:provenanceJson``,
``cdi:participationJson``, ``cdi:consentJson``, ``cdi:qualityJson``,
``cdi:disclosureJson``. :func:`from_graph` reads the DCAT core fields from the triples and
takes the rest (and the exact forms) from these literals.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import langcodes
from rdflib import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from cdinterop.codes import to_alpha3
from cdinterop.dcat.vocab import (
    ACCESS_RIGHT,
    ACCESS_RIGHTS,
    ADMS_LICENCE_TYPE,
    ADMS_PUBLISHER_TYPE,
    CDI,
    COUNTRY,
    DATA_THEME,
    DQV,
    FREQUENCIES,
    FREQUENCY,
    LANGUAGE,
    OA,
    ORGANISATION_TYPES,
    PRIVATE_INDIVIDUAL,
    QB,
    SDG,
    SPDX,
    SPDX_ALGORITHM,
    SPDX_LICENCE,
    STAT,
    VCARD,
    licence_types,
)
from cdinterop.errors import ReadError
from cdinterop.model import (
    AgentKind,
    AreaScheme,
    CitizenDataset,
    ContactPoint,
    DataStructure,
    DateRange,
    Frequency,
    Role,
    Theme,
    ThemeScheme,
    area_scheme,
)

__all__ = ["DEFAULT_BASE_IRI", "area_iri", "from_graph", "language_iri", "theme_iri", "to_graph"]

DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")
"""``dcat:version`` (DCAT 3; not in rdflib's DCAT 2 namespace)."""

DEFAULT_BASE_IRI = "https://example.org/cdinterop/"
"""Base under which data set, agent, activity and source IRIs are minted."""

_PARTS = ("participation", "consent", "quality", "disclosure")
_AGENT_CLASS = {
    AgentKind.PERSON: PROV.Person,
    AgentKind.ORGANISATION: PROV.Organization,
    AgentKind.SOFTWARE: PROV.SoftwareAgent,
}
_CORE_FIELDS = (
    "agency",
    "keywords",
    "themes",
    "languages",
    "spatial_coverage",
    "reference_period",
    "frequency",
    "citation",
    "attribute_values",
)


def _bind(graph: Graph) -> None:
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
        ("cdi", CDI),
    ):
        graph.bind(prefix, ns)


def _text(graph: Graph, node: Node, prop: URIRef, text: dict[str, str] | None) -> None:
    for lang, value in (text or {}).items():
        graph.add((node, prop, Literal(value, lang=lang)))


def _concept(graph: Graph, iri: URIRef, label: str, cls: URIRef | None = None) -> URIRef:
    graph.add((iri, RDF.type, SKOS.Concept))
    if cls is not None:
        graph.add((iri, RDF.type, cls))
    graph.add((iri, SKOS.prefLabel, Literal(label, lang="en")))
    return iri


def _in_eu_scheme(g: Graph, iri: URIRef, namespace: str) -> None:
    """Mark ``iri`` as a concept of the EU authority table ``namespace`` (MDR shapes)."""
    g.add((iri, RDF.type, SKOS.Concept))
    g.add((iri, SKOS.inScheme, URIRef(namespace.rstrip("/"))))
    if (iri, SKOS.prefLabel, None) not in g:
        g.add((iri, SKOS.prefLabel, Literal(str(iri)[len(namespace) :], lang="en")))


_SCHEME_TITLES = {
    ADMS_PUBLISHER_TYPE["1.0"]: "ADMS publisher type vocabulary",
    ADMS_LICENCE_TYPE["1.0"]: "ADMS licence type vocabulary",
}


def _in_scheme(g: Graph, iri: URIRef, scheme: URIRef) -> None:
    """Put ``iri`` in the concept scheme ``scheme`` (typed ``skos:ConceptScheme`` with the
    ``dct:title`` DCAT-AP requires of a concept scheme)."""
    g.add((iri, SKOS.inScheme, scheme))
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, DCTERMS.title, Literal(_SCHEME_TITLES[scheme], lang="en")))


def theme_iri(theme: Theme) -> URIRef:
    """IRI of a theme: EU data-theme authority or the UN SDG KOS (``/14``, ``/14.1``,
    ``/14.1.1``)."""
    if theme.scheme is ThemeScheme.EU_DATA_THEME:
        return DATA_THEME[theme.code]
    return SDG[theme.code]


def language_iri(tag: str) -> URIRef:
    """EU language authority IRI for a BCP 47 tag (ISO 639-3, upper case)."""
    return LANGUAGE[langcodes.Language.get(tag).to_alpha3().upper()]


def area_iri(code: str, base: str) -> URIRef:
    """EU country authority IRI for a country code; ``{base}area/{code}`` otherwise."""
    scheme = area_scheme(code)
    if scheme in (AreaScheme.ALPHA2, AreaScheme.ALPHA3) or (
        scheme is AreaScheme.M49 and _is_country(code)
    ):
        return COUNTRY[to_alpha3(code)]
    return URIRef(f"{base}area/{code}")


def _is_country(code: str) -> bool:
    try:
        to_alpha3(code)
    except Exception:
        return False
    return True


def _json(model: Any) -> Literal:
    return Literal(model.model_dump_json(exclude_defaults=False))


def to_graph(ds: CitizenDataset, *, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    """Describe ``ds`` (metadata, structure and context; not the observations) as a
    DCAT-AP 3 graph with PROV-O provenance and DQV quality."""
    g = Graph()
    _bind(g)
    d = URIRef(f"{base_iri}dataset/{ds.id}")
    g.add((d, RDF.type, DCAT.Dataset))
    g.add((d, DCTERMS.identifier, Literal(ds.id)))
    _text(g, d, DCTERMS.title, ds.title)
    # DCAT-AP makes dct:description mandatory: without one, the title stands in, and a
    # cdi:descriptionIsTitle flag keeps the round trip exact
    _text(g, d, DCTERMS.description, ds.description or ds.title)
    if ds.description is None:
        g.add((d, CDI.descriptionIsTitle, Literal(True)))
    for lang, words in ds.keywords.items():
        for word in words:
            g.add((d, DCAT.keyword, Literal(word, lang=lang)))
    for theme in ds.themes:
        iri = theme_iri(theme)
        g.add((d, DCAT.theme, iri))
        g.add((iri, RDF.type, SKOS.Concept))
        g.add((iri, SKOS.notation, Literal(theme.code)))
        if theme.scheme is ThemeScheme.EU_DATA_THEME:
            _in_eu_scheme(g, iri, str(DATA_THEME))
        label = theme.label or {"en": f"{theme.scheme.value.replace('_', ' ')} {theme.code}"}
        _text(g, iri, SKOS.prefLabel, label)
    for tag in ds.languages:
        iri = language_iri(tag)
        g.add((d, DCTERMS.language, iri))
        g.add((iri, RDF.type, DCTERMS.LinguisticSystem))
        _in_eu_scheme(g, iri, str(LANGUAGE))
    if ds.licence is not None:
        lic = SPDX_LICENCE[ds.licence]
        g.add((d, DCTERMS.license, lic))
        g.add((lic, RDF.type, DCTERMS.LicenseDocument))
        g.add((lic, DCTERMS.identifier, Literal(ds.licence)))
        for kind in licence_types(ds.licence):
            g.add((lic, DCTERMS.type, _concept(g, ADMS_LICENCE_TYPE[kind], kind)))
            _in_scheme(g, ADMS_LICENCE_TYPE[kind], ADMS_LICENCE_TYPE["1.0"])
    rights = ACCESS_RIGHT[ACCESS_RIGHTS[ds.access_rights]]
    g.add((d, DCTERMS.accessRights, rights))
    g.add((rights, RDF.type, DCTERMS.RightsStatement))
    _in_eu_scheme(g, rights, str(ACCESS_RIGHT))
    if ds.contact_point is not None:
        _contact(g, d, URIRef(f"{d}#contact"), ds.contact_point)
    if ds.landing_page is not None:
        page = URIRef(str(ds.landing_page))
        g.add((d, DCAT.landingPage, page))
        g.add((page, RDF.type, FOAF.Document))
    if ds.temporal_coverage is not None:
        period = URIRef(f"{d}#temporal")
        g.add((d, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if ds.temporal_coverage.start is not None:
            g.add((period, DCAT.startDate, Literal(ds.temporal_coverage.start, datatype=XSD.date)))
        if ds.temporal_coverage.end is not None:
            g.add((period, DCAT.endDate, Literal(ds.temporal_coverage.end, datatype=XSD.date)))
    for code in ds.spatial_coverage:
        loc = area_iri(code, base_iri)
        g.add((d, DCTERMS.spatial, loc))
        g.add((loc, RDF.type, DCTERMS.Location))
        if str(loc).startswith(str(COUNTRY)):
            _in_eu_scheme(g, loc, str(COUNTRY))
        else:
            g.add((loc, DCTERMS.identifier, Literal(code)))
            g.add((loc, SKOS.notation, Literal(code)))
    if ds.frequency is not None:
        freq = FREQUENCY[FREQUENCIES[ds.frequency]]
        g.add((d, DCTERMS.accrualPeriodicity, freq))
        g.add((freq, RDF.type, DCTERMS.Frequency))
        _in_eu_scheme(g, freq, str(FREQUENCY))
        g.add((d, CDI.sdmxFrequency, Literal(ds.frequency.value)))
    if ds.issued is not None:
        g.add((d, DCTERMS.issued, Literal(ds.issued, datatype=XSD.date)))
    if ds.modified is not None:
        g.add((d, DCTERMS.modified, Literal(ds.modified, datatype=XSD.date)))
    g.add((d, DCAT_VERSION, Literal(ds.version)))
    if ds.citation is not None:
        g.add((d, DCTERMS.bibliographicCitation, Literal(ds.citation)))
    _provenance(g, d, ds, base_iri)
    _quality(g, d, ds)
    _context(g, d, ds)
    _statistics(g, d, ds)
    core = ds.model_dump(mode="json", include=set(_CORE_FIELDS))
    g.add((d, CDI.coreJson, Literal(json.dumps(core, ensure_ascii=False, sort_keys=True))))
    g.add((d, CDI.structureJson, _json(ds.structure)))
    g.add((d, CDI.provenanceJson, _json(ds.provenance)))
    for part in _PARTS:
        value = getattr(ds, part)
        if value is not None:
            g.add((d, CDI[f"{part}Json"], _json(value)))
    return g


def _contact(g: Graph, d: URIRef, node: URIRef, cp: ContactPoint) -> None:
    g.add((d, DCAT.contactPoint, node))
    g.add((node, RDF.type, VCARD.Kind))
    g.add((node, VCARD.fn, Literal(cp.name)))
    if cp.email is not None:
        g.add((node, VCARD.hasEmail, URIRef(f"mailto:{cp.email}")))
    if cp.url is not None:
        g.add((node, VCARD.hasURL, URIRef(str(cp.url))))


def _provenance(g: Graph, d: URIRef, ds: CitizenDataset, base: str) -> None:
    prov = ds.provenance
    agents = {a.id: URIRef(f"{base}agent/{a.id}") for a in prov.agents}
    for agent in prov.agents:
        node = agents[agent.id]
        g.add((node, RDF.type, FOAF.Agent))
        g.add((node, RDF.type, PROV.Agent))
        g.add((node, RDF.type, _AGENT_CLASS[agent.kind]))
        g.add((node, FOAF.name, Literal(agent.name)))
        g.add((node, DCTERMS.identifier, Literal(agent.id)))
        label = None
        if agent.organisation_type is not None:
            label = ORGANISATION_TYPES[agent.organisation_type]
        elif agent.kind is AgentKind.PERSON:
            label = PRIVATE_INDIVIDUAL
        if label is not None:
            kind = ADMS_PUBLISHER_TYPE[label]
            _in_scheme(g, kind, ADMS_PUBLISHER_TYPE["1.0"])
            g.add((node, DCTERMS.type, _concept(g, kind, label)))
        if agent.homepage is not None:
            page = URIRef(str(agent.homepage))
            g.add((node, FOAF.homepage, page))
            g.add((page, RDF.type, FOAF.Document))
        if agent.acted_on_behalf_of is not None:
            g.add((node, PROV.actedOnBehalfOf, agents[agent.acted_on_behalf_of]))
    if ds.publisher is not None:
        g.add((d, DCTERMS.publisher, agents[ds.publisher]))
    for i, attribution in enumerate(prov.attributions):
        node = URIRef(f"{d}#attribution-{i}")
        role = CDI[f"role-{attribution.role.value}"]
        g.add((d, PROV.qualifiedAttribution, node))
        g.add((node, RDF.type, PROV.Attribution))
        g.add((node, PROV.agent, agents[attribution.agent]))
        g.add((node, DCAT.hadRole, role))
        _concept(g, role, attribution.role.value.replace("_", " "), DCAT.Role)
        g.add((role, SKOS.inScheme, CDI.roles))
        if attribution.role is Role.CREATOR:
            g.add((d, DCTERMS.creator, agents[attribution.agent]))
    sources = {s.id: URIRef(f"{base}source/{s.id}") for s in prov.sources}
    for source in prov.sources:
        node = sources[source.id]
        g.add((node, RDF.type, PROV.Entity))
        g.add((node, DCTERMS.identifier, Literal(source.id)))
        g.add((node, DCTERMS.title, Literal(source.title)))
        if source.checksum is not None:
            cs = URIRef(f"{node}#checksum")
            g.add((node, SPDX.checksum, cs))
            g.add((cs, RDF.type, SPDX.Checksum))
            algo = SPDX_ALGORITHM[f"checksumAlgorithm_{source.checksum.algorithm.value}"]
            g.add((cs, SPDX.algorithm, algo))
            g.add((algo, RDF.type, SPDX.ChecksumAlgorithm))
            g.add((cs, SPDX.checksumValue, Literal(source.checksum.value, datatype=XSD.hexBinary)))
    for activity in prov.activities:
        node = URIRef(f"{base}activity/{activity.id}")
        g.add((d, PROV.wasGeneratedBy, node))
        g.add((node, RDF.type, PROV.Activity))
        g.add((node, DCTERMS.identifier, Literal(activity.id)))
        g.add((node, DCTERMS.type, CDI[f"activity-{activity.type.value}"]))
        g.add((node, RDFS.label, Literal(activity.label)))
        if activity.started_at is not None:
            g.add((node, PROV.startedAtTime, Literal(activity.started_at)))
        if activity.ended_at is not None:
            g.add((node, PROV.endedAtTime, Literal(activity.ended_at)))
        for ref in activity.agents:
            g.add((node, PROV.wasAssociatedWith, agents[ref]))
        for ref in activity.used:
            g.add((node, PROV.used, sources[ref]))
        for ref in activity.generated:
            g.add((node, PROV.generated, sources[ref]))
    if prov.activities:
        statement = URIRef(f"{d}#provenance")
        g.add((d, DCTERMS.provenance, statement))
        g.add((statement, RDF.type, DCTERMS.ProvenanceStatement))
        summary = "; ".join(f"{a.type.value}: {a.label}" for a in prov.activities)
        g.add((statement, RDFS.label, Literal(summary, lang="en")))


def _quality(g: Graph, d: URIRef, ds: CitizenDataset) -> None:
    if ds.quality is None:
        return
    assessment = ds.quality.assessment
    if assessment is not None:
        for score in assessment.dimensions:
            node = URIRef(f"{d}#quality-{score.dimension.value}")
            metric = CDI[f"metric-{score.dimension.value}"]
            g.add((d, DQV.hasQualityMeasurement, node))
            g.add((node, RDF.type, DQV.QualityMeasurement))
            g.add((node, DQV.isMeasurementOf, metric))
            g.add((node, DQV.computedOn, d))
            g.add((node, DQV.value, Literal(score.score, datatype=XSD.double)))
            g.add((metric, RDF.type, DQV.Metric))
            g.add((metric, DQV.inDimension, CDI[f"dimension-{score.dimension.value}"]))
            g.add((CDI[f"dimension-{score.dimension.value}"], RDF.type, DQV.Dimension))
        verdict = URIRef(f"{d}#quality-verdict")
        body = CDI[f"verdict-{assessment.verdict.value}"]
        g.add((d, DQV.hasQualityAnnotation, verdict))
        g.add((verdict, RDF.type, DQV.QualityAnnotation))
        g.add((verdict, OA.hasTarget, d))
        g.add((verdict, OA.hasBody, body))
        g.add((verdict, OA.motivatedBy, DQV.qualityAssessment))
        g.add((verdict, DCTERMS.date, Literal(assessment.date, datatype=XSD.date)))
        _concept(g, body, assessment.verdict.value.replace("_", " "))
    for i, measurement in enumerate(ds.quality.measurements):
        node = URIRef(f"{d}#measurement-{i}")
        metric = CDI[f"metric-{measurement.metric}"]
        g.add((d, DQV.hasQualityMeasurement, node))
        g.add((node, RDF.type, DQV.QualityMeasurement))
        g.add((node, DQV.isMeasurementOf, metric))
        g.add((node, DQV.computedOn, d))
        g.add((node, DQV.value, Literal(measurement.value)))
        g.add((metric, RDF.type, DQV.Metric))


def _context(g: Graph, d: URIRef, ds: CitizenDataset) -> None:
    if ds.participation is not None:
        node = URIRef(f"{d}#participation")
        p = ds.participation
        g.add((d, CDI.participation, node))
        g.add((node, RDF.type, CDI.Participation))
        g.add((node, CDI.initiatorType, CDI[f"initiator-{p.initiator.value}"]))
        g.add((node, CDI.engagementLevel, Literal(int(p.engagement_level))))
        for stage in p.stages:
            g.add((node, CDI.stage, CDI[f"stage-{stage.value}"]))
    if ds.consent is not None:
        node = URIRef(f"{d}#consent")
        g.add((d, CDI.consent, node))
        g.add((node, RDF.type, CDI.Consent))
        g.add((node, CDI.obtained, Literal(ds.consent.obtained)))
        g.add((node, CDI.basis, CDI[f"basis-{ds.consent.basis.value}"]))
        for use in ds.consent.permitted_uses:
            g.add((node, CDI.permittedUse, CDI[f"use-{use.value}"]))
    if ds.disclosure is not None:
        node = URIRef(f"{d}#disclosure")
        g.add((d, CDI.disclosureControl, node))
        g.add((node, RDF.type, CDI.DisclosureControl))
        g.add((node, CDI.method, CDI[f"disclosure-{ds.disclosure.method.value}"]))
        if ds.disclosure.threshold is not None:
            g.add((node, CDI.threshold, Literal(ds.disclosure.threshold)))
        g.add((node, CDI.cellsSuppressed, Literal(ds.disclosure.cells_suppressed)))


def _statistics(g: Graph, d: URIRef, ds: CitizenDataset) -> None:
    """StatDCAT-AP 1.0.1 views of the structure: ``stat:dimension``, ``stat:attribute``,
    ``stat:statUnitMeasure`` and ``stat:numSeries`` (the exact structure travels in
    ``cdi:structureJson``; :func:`from_graph` never reads these triples)."""
    structure = ds.structure
    concepts = {c.id: c for c in structure.concepts}

    def component(component_id: str, concept_id: str, cls: URIRef) -> URIRef:
        node = URIRef(f"{d}#component-{component_id}")
        g.add((node, RDF.type, cls))
        g.add((node, SKOS.notation, Literal(component_id)))
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
        node = URIRef(f"{d}#unit-{quote(code, safe='')}")
        g.add((d, STAT.statUnitMeasure, node))
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, SKOS.notation, Literal(code)))
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


# -- reading -----------------------------------------------------------------------------


def _one(g: Graph, s: Node, p: URIRef) -> Node | None:
    return next(iter(g.objects(s, p)), None)


def _texts(g: Graph, s: Node, p: URIRef) -> dict[str, str] | None:
    out = {o.language or "en": str(o) for o in g.objects(s, p) if isinstance(o, Literal)}
    return out or None


def _tail(iri: Node, ns: str) -> str | None:
    text = str(iri)
    return text[len(ns) :] if text.startswith(ns) else None


def from_graph(graph: Graph) -> CitizenDataset:
    """Read the single ``dcat:Dataset`` of ``graph`` back into a :class:`CitizenDataset`
    (without observations)."""
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    if len(datasets) != 1:
        raise ReadError("graph", f"expected one dcat:Dataset, found {len(datasets)}")
    d = datasets[0]
    fields: dict[str, Any] = {}
    fields["id"] = str(_one(graph, d, DCTERMS.identifier))
    fields["title"] = _texts(graph, d, DCTERMS.title)
    flagged = (d, CDI.descriptionIsTitle, Literal(True)) in graph
    fields["description"] = None if flagged else _texts(graph, d, DCTERMS.description)
    keywords: dict[str, list[str]] = {}
    for kw in graph.objects(d, DCAT.keyword):
        if isinstance(kw, Literal):
            keywords.setdefault(kw.language or "en", []).append(str(kw))
    fields["keywords"] = {k: tuple(sorted(v)) for k, v in keywords.items()}
    fields["themes"] = tuple(_read_theme(graph, t) for t in graph.objects(d, DCAT.theme))
    fields["languages"] = tuple(
        langcodes.Language.get(str(_tail(lang, str(LANGUAGE))).lower()).to_tag()
        for lang in graph.objects(d, DCTERMS.language)
    )
    licence = _one(graph, d, DCTERMS.license)
    if licence is not None:
        fields["licence"] = _tail(licence, str(SPDX_LICENCE))
    rights = _one(graph, d, DCTERMS.accessRights)
    if rights is not None:
        by_code = {v: k for k, v in ACCESS_RIGHTS.items()}
        fields["access_rights"] = by_code[str(_tail(rights, str(ACCESS_RIGHT)))]
    publisher = _one(graph, d, DCTERMS.publisher)
    if publisher is not None:
        fields["publisher"] = str(_one(graph, publisher, DCTERMS.identifier))
    contact = _one(graph, d, DCAT.contactPoint)
    if contact is not None:
        email = _one(graph, contact, VCARD.hasEmail)
        url = _one(graph, contact, VCARD.hasURL)
        fields["contact_point"] = ContactPoint(
            name=str(_one(graph, contact, VCARD.fn)),
            email=str(email).removeprefix("mailto:") if email is not None else None,
            url=str(url) if url is not None else None,
        )
    page = _one(graph, d, DCAT.landingPage)
    if page is not None:
        fields["landing_page"] = str(page)
    period = _one(graph, d, DCTERMS.temporal)
    if period is not None:
        start = _one(graph, period, DCAT.startDate)
        end = _one(graph, period, DCAT.endDate)
        fields["temporal_coverage"] = DateRange(
            start=str(start) if start is not None else None,
            end=str(end) if end is not None else None,
        )
    fields["spatial_coverage"] = tuple(
        str(_one(graph, loc, DCTERMS.identifier) or _tail(loc, str(COUNTRY)))
        for loc in graph.objects(d, DCTERMS.spatial)
    )
    freq = _one(graph, d, CDI.sdmxFrequency)
    if freq is not None:
        fields["frequency"] = Frequency(str(freq))
    else:
        eu = _one(graph, d, DCTERMS.accrualPeriodicity)
        if eu is not None:
            by_eu = {v: k for k, v in reversed(FREQUENCIES.items())}
            fields["frequency"] = by_eu.get(str(_tail(eu, str(FREQUENCY))))
    for prop, name in ((DCTERMS.issued, "issued"), (DCTERMS.modified, "modified")):
        value = _one(graph, d, prop)
        if value is not None:
            fields[name] = str(value)
    version = _one(graph, d, DCAT_VERSION)
    if version is not None:
        fields["version"] = str(version)
    citation = _one(graph, d, DCTERMS.bibliographicCitation)
    if citation is not None:
        fields["citation"] = str(citation)
    core = _one(graph, d, CDI.coreJson)
    if core is not None:
        fields.update(json.loads(str(core)))
    structure = _one(graph, d, CDI.structureJson)
    if structure is None:
        raise ReadError(str(d), "the data set has no cdi:structureJson")
    fields["structure"] = DataStructure.model_validate_json(str(structure))
    for part in ("provenance", *_PARTS):
        value = _one(graph, d, CDI[f"{part}Json"])
        if value is not None:
            fields[part] = json.loads(str(value))
    return CitizenDataset.model_validate(fields)


def _read_theme(g: Graph, iri: Node) -> Theme:
    label = None
    eu = _tail(iri, str(DATA_THEME))
    if eu is not None:
        return Theme(scheme=ThemeScheme.EU_DATA_THEME, code=eu, label=label)
    code = str(_tail(iri, str(SDG)))
    scheme = (ThemeScheme.SDG_GOAL, ThemeScheme.SDG_TARGET, ThemeScheme.SDG_INDICATOR)[
        code.count(".")
    ]
    return Theme(scheme=scheme, code=code, label=_texts(g, iri, SKOS.prefLabel))
