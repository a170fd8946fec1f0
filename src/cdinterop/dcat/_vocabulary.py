"""The ``cdi:`` vocabulary (RDFS/OWL, SKOS) and SHACL shapes for it, generated from the code.

`to_graph <cdinterop.dcat._graph.to_graph>()` uses its own namespace ``cdi:``
(``https://w3id.org/cdinterop/vocab#``) for what DCAT-AP, PROV-O and DQV have no term for.
`vocabulary_graph()` defines every such term: the classes, the properties (with domain
and range), and one SKOS concept scheme per model enum whose members become concepts
(roles, activity types, quality dimensions, metrics and verdicts, initiator types,
value-chain stages, consent bases, permitted uses, disclosure methods, agent types).
`shapes_graph()` gives SHACL shapes that check how a data graph uses them; its
``sh:in`` lists come from the same enums. Both are built by iterating the enums and take
their comments from the models' docstrings, so they cannot drift from the code;
``cdinterop schema export`` writes them to ``schemas/cdi-vocabulary.ttl`` and
``schemas/cdi-shapes.ttl``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel
from rdflib import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import Namespace
from rdflib.term import BNode, Node

from cdinterop._version import __version__
from cdinterop.dcat._vocab import CDI, DQV, OA, SPDX_LICENCE
from cdinterop.model import (
    METRICS,
    ActivityType,
    AgentKind,
    CitizenDataset,
    Consent,
    ConsentBasis,
    DimensionScore,
    DisclosureControl,
    DisclosureMethod,
    EngagementLevel,
    Frequency,
    InitiatorType,
    Participation,
    PermittedUse,
    QualityDimension,
    QualityMeasurement,
    QualityMetric,
    QualityVerdict,
    Role,
    ValueChainStage,
)

__all__ = [
    "CDI_SHAPES",
    "CONCEPT_SCHEMES",
    "ONTOLOGY",
    "SHAPES",
    "ConceptScheme",
    "shapes_graph",
    "vocabulary_graph",
]

ONTOLOGY = URIRef("https://w3id.org/cdinterop/vocab")
"""IRI of the ``cdi:`` vocabulary as an ``owl:Ontology`` (the namespace without ``#``)."""
SHAPES = URIRef("https://w3id.org/cdinterop/shapes")
"""IRI of the shapes graph."""
CDI_SHAPES = Namespace("https://w3id.org/cdinterop/shapes#")
"""Namespace of the node and property shapes (named, so that the Turtle is stable)."""
VANN = Namespace("http://purl.org/vocab/vann/")
"""VANN, for the vocabulary's preferred prefix and namespace."""
_E = TypeVar("_E", bound=StrEnum)

LICENCE = SPDX_LICENCE["Apache-2.0"]
"""The project's licence (``LICENSE``), which covers the vocabulary and shapes."""


# -- concept schemes ---------------------------------------------------------------------


@dataclass(frozen=True)
class ConceptScheme:
    """A SKOS concept scheme of the ``cdi:`` vocabulary with one concept per enum member.

    Concepts are minted as ``cdi:{prefix}-{value}`` (``cdi:role-data_collector``), with the
    enum value as ``skos:notation`` and its words as ``skos:prefLabel`` (the label
    [`to_graph()`][cdinterop.dcat.to_graph] writes where it labels a concept itself).
    """

    name: str
    """Local name of the scheme (``roles`` for ``cdi:roles``)."""
    prefix: str
    """Prefix of the local names of its concepts (``role``)."""
    title: str
    """Title of the scheme."""
    enum: type[StrEnum]
    """The model enum the concepts come from."""
    comments: Mapping[str, str]
    """Comment of each concept, by enum value; a member without one is not a concept."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels that are not just the value's words, by enum value."""
    classes: tuple[URIRef, ...] = ()
    """Further classes of every concept (``dcat:Role``, ``dqv:Dimension``)."""
    comment: str | None = None
    """Comment of the scheme; the enum's docstring when ``None``."""
    partial: bool = False
    """Whether only some members are concepts (otherwise a member without a comment is an
    error, so that a new enum member cannot go undefined)."""

    @property
    def iri(self) -> URIRef:
        """The IRI of the scheme."""
        return CDI[self.name]

    @property
    def members(self) -> tuple[StrEnum, ...]:
        """The enum members that are concepts of the scheme, in enum order."""
        return tuple(m for m in self.enum if m.value in self.comments)

    def concept(self, member: StrEnum) -> URIRef:
        """The IRI of the concept of ``member``."""
        return CDI[f"{self.prefix}-{member.value}"]

    def concepts(self) -> list[URIRef]:
        """IRIs of all concepts of the scheme, in enum order."""
        return [self.concept(m) for m in self.members]

    def label(self, member: StrEnum) -> str:
        """English label of the concept of ``member``."""
        return self.labels.get(member.value, member.value.replace("_", " "))


_ROLES = {
    Role.CREATOR: "Agent primarily responsible for producing the data set.",
    Role.CONTRIBUTOR: "Agent that contributed to the data set in a way no other role names.",
    Role.PUBLISHER: "Agent that makes the data set available.",
    Role.DATA_COLLECTOR: "Agent that collected the data, for example a citizen volunteer "
    "or an enumerator.",
    Role.DATA_CURATOR: "Agent that cleaned, annotated or otherwise curated the data.",
    Role.DATA_MANAGER: "Agent responsible for maintaining the data set.",
    Role.DISTRIBUTOR: "Agent that distributes the data set to users.",
    Role.FUNDER: "Agent that funded the work that produced the data set.",
    Role.RIGHTS_HOLDER: "Agent that holds rights over the data set.",
    Role.POINT_OF_CONTACT: "Agent to contact about the data set.",
    Role.PROCESSOR: "Agent that processed the data to produce the data set.",
    Role.ORIGINATOR: "Agent that originated the data the data set is based on.",
    Role.CUSTODIAN: "Agent that is accountable for the care and keeping of the data.",
    Role.PRINCIPAL_INVESTIGATOR: "Agent that led the research or initiative that produced "
    "the data set.",
    Role.PROJECT_LEADER: "Agent that led the project that produced the data set.",
    Role.SPONSOR: "Agent that sponsored the initiative that produced the data set.",
    Role.QUALITY_ASSESSOR: "Agent that assessed the quality of the data set.",
}
_ACTIVITIES = {
    ActivityType.COLLECTION: "Gathering of the data from or by citizens.",
    ActivityType.INGESTION: "Reading collected data into a structured form.",
    ActivityType.VALIDATION: "Checking of the data against rules or a data structure.",
    ActivityType.CLEANING: "Correction or removal of erroneous or duplicate records.",
    ActivityType.PSEUDONYMISATION: "Replacement of direct identifiers of persons by pseudonyms.",
    ActivityType.AGGREGATION: "Computation of statistics from unit records.",
    ActivityType.DISCLOSURE_CONTROL: "Application of statistical disclosure control "
    "before publication.",
    ActivityType.QUALITY_ASSESSMENT: "Assessment of the data against quality dimensions.",
    ActivityType.CONVERSION: "Conversion of the data from one format or structure to another.",
    ActivityType.PUBLICATION: "Release of the data set to its users.",
}
_DIMENSIONS = {
    QualityDimension.RELEVANCE: "Degree to which the statistics meet the needs of users.",
    QualityDimension.ACCURACY_AND_RELIABILITY: "Closeness of the estimates to the true "
    "values, and their consistency over time.",
    QualityDimension.TIMELINESS_AND_PUNCTUALITY: "Time between the events and the release "
    "of the data, and whether the release came when announced.",
    QualityDimension.ACCESSIBILITY_AND_CLARITY: "Ease with which users can find, obtain and "
    "understand the data and their metadata.",
    QualityDimension.INTERPRETABILITY: "Availability of the definitions and methods users "
    "need to interpret the data correctly.",
    QualityDimension.COHERENCE_AND_COMPARABILITY: "Consistency of the data with other "
    "statistics and across areas and over time.",
}
_VERDICTS = {
    QualityVerdict.FIT_FOR_OFFICIAL_STATISTICS: "The data may feed official statistics "
    "as they are.",
    QualityVerdict.FIT_WITH_CAVEATS: "The data may feed official statistics, subject to "
    "the caveats stated in the assessment.",
    QualityVerdict.EXPERIMENTAL: "The data may be published only as experimental statistics.",
    QualityVerdict.NOT_FIT: "The data are not fit to feed official statistics.",
}
_INITIATORS = {
    InitiatorType.INDIVIDUAL: "The initiative was started by individual citizens.",
    InitiatorType.COMMUNITY: "The initiative was started by a community or community group.",
    InitiatorType.CIVIL_SOCIETY_ORGANISATION: "The initiative was started by a civil "
    "society organisation.",
    InitiatorType.ACADEMIA: "The initiative was started by a university or research institute.",
    InitiatorType.GOVERNMENT_WITH_COMMUNITY_ENGAGEMENT: "The initiative was started by a "
    "government body that engaged the community in it.",
}
_STAGES = {
    ValueChainStage.DESIGN: "Deciding what data to produce and how.",
    ValueChainStage.COLLECTION: "Gathering the data.",
    ValueChainStage.PROCESSING: "Cleaning, coding and validating the data.",
    ValueChainStage.ANALYSIS: "Analysing and interpreting the data.",
    ValueChainStage.DISSEMINATION: "Publishing and communicating the data and findings.",
    ValueChainStage.USE: "Using the data to inform decisions and action.",
}
_BASES = {
    ConsentBasis.INFORMED_CONSENT: "The people concerned gave informed consent.",
    ConsentBasis.PUBLIC_TASK: "Processing is needed for a task in the public interest.",
    ConsentBasis.LEGITIMATE_INTEREST: "Processing is needed for a legitimate interest of "
    "the data producer.",
    ConsentBasis.LEGAL_OBLIGATION: "Processing is required by law.",
    ConsentBasis.NO_PERSONAL_DATA: "No personal data were processed.",
}
_USES = {
    PermittedUse.STATISTICAL_PRODUCTION: "Use in the production of statistics.",
    PermittedUse.PUBLICATION: "Publication of the data or of statistics derived from them.",
    PermittedUse.SHARING_WITH_NSO: "Sharing of the data with a national statistical office.",
    PermittedUse.RESEARCH: "Use in research.",
    PermittedUse.ADVOCACY: "Use in advocacy by or for the communities concerned.",
}
_DISCLOSURE = {
    DisclosureMethod.NONE: "No disclosure control was applied.",
    DisclosureMethod.CELL_SUPPRESSION: "Cells with fewer contributors than a threshold were "
    "suppressed.",
    DisclosureMethod.ROUNDING: "Values were rounded.",
    DisclosureMethod.NOISE: "Random noise was added to values.",
    DisclosureMethod.AGGREGATION: "Categories or areas were combined until no cell "
    "identifies a contributor.",
}
_AGENT_TYPES = {
    AgentKind.SOFTWARE: "Software that acted on the data (a prov:SoftwareAgent).",
}


def _by_value(comments: Mapping[_E, str]) -> dict[str, str]:
    return {str(member.value): text for member, text in comments.items()}


def _words(member: StrEnum) -> str:
    return member.value.replace("_", " ")


def _metric_comment(dimension: QualityDimension) -> str:
    score = _field(DimensionScore, "score")
    return (
        f"Score of a data set on the {_words(dimension)} dimension: {score[0].lower()}{score[1:]}"
    )


def _field(model: type[BaseModel], name: str) -> str:
    description = model.model_fields[name].description
    if not description:  # pragma: no cover - every field is documented (tests/test_schemas)
        raise ValueError(f"{model.__name__}.{name} has no description")
    return _plain(description)


def _doc(obj: type) -> str:
    return _plain(obj.__doc__ or "")


def _plain(text: str) -> str:
    """``text`` on one line, without reStructuredText literal markup."""
    return " ".join(text.replace("``", "").split())


CONCEPT_SCHEMES: dict[str, ConceptScheme] = {
    s.name: s
    for s in (
        ConceptScheme(
            "roles", "role", "cdinterop roles", Role, _by_value(_ROLES), classes=(DCAT.Role,)
        ),
        ConceptScheme(
            "activityTypes",
            "activity",
            "cdinterop activity types",
            ActivityType,
            _by_value(_ACTIVITIES),
        ),
        ConceptScheme(
            "qualityDimensions",
            "dimension",
            "cdinterop quality dimensions",
            QualityDimension,
            _by_value(_DIMENSIONS),
            classes=(DQV.Dimension,),
        ),
        ConceptScheme(
            "qualityMetrics",
            "metric",
            "cdinterop quality metrics",
            QualityDimension,
            {d.value: _metric_comment(d) for d in QualityDimension},
            labels={d.value: f"{_words(d)} score" for d in QualityDimension},
            classes=(DQV.Metric,),
            comment="Metrics that score a data set from 0 to 1 on one quality dimension "
            "(UN NQAF / ESS QAF).",
        ),
        ConceptScheme(
            "computedMetrics",
            "computedMetric",
            "cdinterop computed quality metrics",
            QualityMetric,
            {m.value: f"{d.definition} Unit: {d.unit}." for m, d in METRICS.items()},
            labels={m.value: m.value.lower().replace("_", " ") for m in QualityMetric},
            classes=(DQV.Metric,),
            comment="Metrics cdinterop computes on every ingest and convert run (the "
            "catalogue cdinterop.model.QualityMetric); a measurement's cdi:component and "
            "cdi:qualifier say what part of the data it is about.",
        ),
        ConceptScheme(
            "qualityVerdicts",
            "verdict",
            "cdinterop quality verdicts",
            QualityVerdict,
            _by_value(_VERDICTS),
        ),
        ConceptScheme(
            "initiatorTypes",
            "initiator",
            "cdinterop initiator types",
            InitiatorType,
            _by_value(_INITIATORS),
        ),
        ConceptScheme(
            "valueChainStages",
            "stage",
            "cdinterop value-chain stages",
            ValueChainStage,
            _by_value(_STAGES),
        ),
        ConceptScheme(
            "consentBases", "basis", "cdinterop consent bases", ConsentBasis, _by_value(_BASES)
        ),
        ConceptScheme(
            "permittedUses", "use", "cdinterop permitted uses", PermittedUse, _by_value(_USES)
        ),
        ConceptScheme(
            "disclosureMethods",
            "disclosure",
            "cdinterop disclosure methods",
            DisclosureMethod,
            _by_value(_DISCLOSURE),
        ),
        ConceptScheme(
            "agentTypes",
            "agentType",
            "cdinterop agent types",
            AgentKind,
            _by_value(_AGENT_TYPES),
            comment="Types of agents for which the EU ADMS publisher-type vocabulary has no "
            "concept (the dct:type of software agents).",
            partial=True,
        ),
    )
}
"""Every concept scheme of the vocabulary, by local name."""


# -- classes and properties ----------------------------------------------------------------

_CLASSES: dict[str, tuple[str, type[BaseModel]]] = {
    "Participation": ("participation", Participation),
    "Consent": ("consent", Consent),
    "DisclosureControl": ("disclosure control", DisclosureControl),
}
"""Local name of each class: label and the model it stands for."""


@dataclass(frozen=True)
class _Property:
    name: str
    label: str
    comment: str
    domain: URIRef
    range: URIRef
    functional: bool = True
    scheme: str | None = None

    @property
    def is_object(self) -> bool:
        return not str(self.range).startswith(str(XSD))


def _carrier(part: str, label: str, what: str) -> _Property:
    return _Property(
        f"{part}Json",
        f"{label} JSON",
        f"{what} Carried as the JSON of the cdinterop model, which makes the round trip "
        "through RDF exact.",
        DCAT.Dataset,
        XSD.string,
    )


def _levels() -> str:
    return ", ".join(f"{int(level)} {_words_of(level.name)}" for level in EngagementLevel)


def _words_of(name: str) -> str:
    return name.lower().replace("_", " ")


_PROPERTIES: tuple[_Property, ...] = (
    _Property(
        "descriptionIsTitle",
        "description is title",
        "True when the data set has no description of its own and dct:description repeats "
        "its title (DCAT-AP makes a description mandatory).",
        DCAT.Dataset,
        XSD.boolean,
    ),
    _Property(
        "sdmxFrequency",
        "SDMX frequency",
        "Frequency of the data as its exact SDMX CL_FREQ code "
        f"({', '.join(f.value for f in Frequency)}), which the EU frequency given as "
        "dct:accrualPeriodicity may not distinguish.",
        DCAT.Dataset,
        XSD.string,
    ),
    _Property(
        "coreJson",
        "core JSON",
        "The data set's agency, keywords, themes, languages, spatial coverage, reference "
        "period, frequency, citation and attribute values as JSON, which makes the round "
        "trip through RDF exact where the readable triples are lossy.",
        DCAT.Dataset,
        XSD.string,
    ),
    _carrier("structure", "structure", _field(CitizenDataset, "structure")),
    _carrier("provenance", "provenance", _field(CitizenDataset, "provenance")),
    _carrier("participation", "participation", _field(CitizenDataset, "participation")),
    _carrier("consent", "consent", _field(CitizenDataset, "consent")),
    _carrier("quality", "quality", _field(CitizenDataset, "quality")),
    _carrier("disclosure", "disclosure control", _field(CitizenDataset, "disclosure")),
    _Property(
        "component",
        "component",
        _field(QualityMeasurement, "component"),
        DQV.QualityMeasurement,
        XSD.string,
    ),
    _Property(
        "qualifier",
        "qualifier",
        _field(QualityMeasurement, "qualifier"),
        DQV.QualityMeasurement,
        XSD.string,
    ),
    _Property(
        "catalogJson",
        "catalogue JSON",
        "The catalogue's own fields (all but its data sets) as the JSON of the cdinterop "
        "model, which makes the round trip through RDF exact.",
        DCAT.Catalog,
        XSD.string,
    ),
    _Property(
        "participation",
        "participation",
        _field(CitizenDataset, "participation"),
        DCAT.Dataset,
        CDI.Participation,
    ),
    _Property("consent", "consent", _field(CitizenDataset, "consent"), DCAT.Dataset, CDI.Consent),
    _Property(
        "disclosureControl",
        "disclosure control",
        _field(CitizenDataset, "disclosure"),
        DCAT.Dataset,
        CDI.DisclosureControl,
    ),
    _Property(
        "initiatorType",
        "initiator type",
        _field(Participation, "initiator"),
        CDI.Participation,
        SKOS.Concept,
        scheme="initiatorTypes",
    ),
    _Property(
        "engagementLevel",
        "engagement level",
        f"{_field(Participation, 'engagement_level')} {_doc(EngagementLevel)} Levels: {_levels()}.",
        CDI.Participation,
        XSD.integer,
    ),
    _Property(
        "stage",
        "stage",
        _field(Participation, "stages"),
        CDI.Participation,
        SKOS.Concept,
        functional=False,
        scheme="valueChainStages",
    ),
    _Property("obtained", "obtained", _field(Consent, "obtained"), CDI.Consent, XSD.boolean),
    _Property(
        "basis", "basis", _field(Consent, "basis"), CDI.Consent, SKOS.Concept, scheme="consentBases"
    ),
    _Property(
        "permittedUse",
        "permitted use",
        _field(Consent, "permitted_uses"),
        CDI.Consent,
        SKOS.Concept,
        functional=False,
        scheme="permittedUses",
    ),
    _Property(
        "disclosureMethod",
        "disclosure method",
        _field(DisclosureControl, "method"),
        CDI.DisclosureControl,
        SKOS.Concept,
        scheme="disclosureMethods",
    ),
    _Property(
        "threshold",
        "threshold",
        _field(DisclosureControl, "threshold"),
        CDI.DisclosureControl,
        XSD.integer,
    ),
    _Property(
        "cellsSuppressed",
        "cells suppressed",
        _field(DisclosureControl, "cells_suppressed"),
        CDI.DisclosureControl,
        XSD.integer,
    ),
)
"""Every property of the vocabulary."""


def _label(path: URIRef) -> str:
    """Label of a property for messages: the vocabulary's, else the local name."""
    for prop in _PROPERTIES:
        if CDI[prop.name] == path:
            return prop.label
    return str(path).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


def _bind(graph: Graph) -> None:
    for prefix, ns in (
        ("cdi", CDI),
        ("cdish", CDI_SHAPES),
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("dqv", DQV),
        ("oa", OA),
        ("owl", OWL),
        ("prov", PROV),
        ("sh", SH),
        ("skos", SKOS),
        ("vann", VANN),
        ("xsd", XSD),
    ):
        graph.bind(prefix, ns, replace=True)


def _term(g: Graph, iri: URIRef, label: str, comment: str) -> None:
    g.add((iri, RDFS.label, _en(label)))
    g.add((iri, RDFS.comment, _en(comment)))
    g.add((iri, RDFS.isDefinedBy, ONTOLOGY))


def _check_complete() -> None:
    for scheme in CONCEPT_SCHEMES.values():
        missing = [m.value for m in scheme.enum if m.value not in scheme.comments]
        if missing and not scheme.partial:
            raise ValueError(
                f"cdi:{scheme.name}: no comment for {scheme.enum.__name__} members {missing}; "
                "add them to cdinterop.dcat._vocabulary"
            )


def vocabulary_graph() -> Graph:
    """The ``cdi:`` vocabulary: an ``owl:Ontology`` with its classes, properties, concept
    schemes and concepts, each with an English ``rdfs:label`` and ``rdfs:comment``.

    Raises ``ValueError`` if a member of an enum behind a concept scheme has no comment
    (a new member must be described here before it can be written to a graph).
    """
    _check_complete()
    g = Graph()
    _bind(g)
    g.add((ONTOLOGY, RDF.type, OWL.Ontology))
    g.add((ONTOLOGY, DCTERMS.title, _en("cdinterop vocabulary")))
    g.add((ONTOLOGY, RDFS.label, _en("cdinterop vocabulary")))
    description = (
        "Terms for citizen data that DCAT-AP, PROV-O and DQV do not have: participation "
        "after the UN Copenhagen Framework on Citizen Data, consent, statistical disclosure "
        "control, quality dimensions, metrics and verdicts, roles and activity types, and "
        "the JSON literals that make the round trip of a cdinterop data set through RDF "
        "exact. Generated from the cdinterop models by `cdinterop schema export`."
    )
    g.add((ONTOLOGY, DCTERMS.description, _en(description)))
    g.add((ONTOLOGY, RDFS.comment, _en(description)))
    g.add((ONTOLOGY, OWL.versionInfo, Literal(__version__)))
    g.add((ONTOLOGY, DCTERMS.license, LICENCE))
    g.add((ONTOLOGY, VANN.preferredNamespacePrefix, Literal("cdi")))
    g.add((ONTOLOGY, VANN.preferredNamespaceUri, Literal(str(CDI))))
    for name, (label, model) in _CLASSES.items():
        g.add((CDI[name], RDF.type, RDFS.Class))
        g.add((CDI[name], RDF.type, OWL.Class))
        _term(g, CDI[name], label, _doc(model))
    for prop in _PROPERTIES:
        iri = CDI[prop.name]
        g.add((iri, RDF.type, RDF.Property))
        g.add((iri, RDF.type, OWL.ObjectProperty if prop.is_object else OWL.DatatypeProperty))
        if prop.functional:
            g.add((iri, RDF.type, OWL.FunctionalProperty))
        g.add((iri, RDFS.domain, prop.domain))
        g.add((iri, RDFS.range, prop.range))
        comment = prop.comment
        if prop.scheme is not None:
            comment += f" Values are concepts of cdi:{prop.scheme}."
        _term(g, iri, prop.label, comment)
    for scheme in CONCEPT_SCHEMES.values():
        g.add((scheme.iri, RDF.type, SKOS.ConceptScheme))
        g.add((scheme.iri, DCTERMS.title, _en(scheme.title)))
        g.add((scheme.iri, SKOS.prefLabel, _en(scheme.title)))
        _term(g, scheme.iri, scheme.title, scheme.comment or _doc(scheme.enum))
        for member in scheme.members:
            concept = scheme.concept(member)
            g.add((concept, RDF.type, SKOS.Concept))
            for cls in scheme.classes:
                g.add((concept, RDF.type, cls))
            g.add((concept, SKOS.inScheme, scheme.iri))
            g.add((concept, SKOS.topConceptOf, scheme.iri))
            g.add((scheme.iri, SKOS.hasTopConcept, concept))
            g.add((concept, SKOS.notation, Literal(member.value)))
            g.add((concept, SKOS.prefLabel, _en(scheme.label(member))))
            g.add((concept, SKOS.definition, _en(scheme.comments[member.value])))
            _term(g, concept, scheme.label(member), scheme.comments[member.value])
    dimensions = CONCEPT_SCHEMES["qualityDimensions"]
    metrics = CONCEPT_SCHEMES["qualityMetrics"]
    for dimension in QualityDimension:
        g.add((metrics.concept(dimension), DQV.inDimension, dimensions.concept(dimension)))
    computed = CONCEPT_SCHEMES["computedMetrics"]
    for metric, definition in METRICS.items():
        g.add((computed.concept(metric), DQV.inDimension, dimensions.concept(definition.dimension)))
    return g


# -- shapes --------------------------------------------------------------------------------


def _list(g: Graph, items: Iterable[Node]) -> BNode:
    head = BNode()
    Collection(g, head, list(items))
    return head


def _in(g: Graph, scheme: str) -> BNode:
    return _list(g, CONCEPT_SCHEMES[scheme].concepts())


class _Shapes:
    """Builds the shapes graph: one named node shape per focus class, with named property
    shapes (named so that the Turtle serialisation is byte-stable)."""

    def __init__(self) -> None:
        self.g = Graph()
        _bind(self.g)

    def node(self, name: str, target: URIRef, description: str) -> URIRef:
        shape = CDI_SHAPES[name]
        self.g.add((shape, RDF.type, SH.NodeShape))
        self.g.add((shape, SH.targetClass, target))
        self.g.add((shape, RDFS.label, _en(f"{name} shape")))
        self.g.add((shape, RDFS.comment, _en(description)))
        return shape

    def prop(
        self,
        node: URIRef,
        path: URIRef,
        *,
        min_count: int | None = None,
        max_count: int | None = None,
        datatype: URIRef | None = None,
        cls: URIRef | None = None,
        iri: bool = False,
        values: Node | None = None,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> URIRef:
        local = str(path).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        shape = CDI_SHAPES[f"{str(node)[len(str(CDI_SHAPES)) :]}-{local}"]
        g = self.g
        g.add((node, SH.property, shape))
        g.add((shape, RDF.type, SH.PropertyShape))
        g.add((shape, SH.path, path))
        g.add((shape, SH.name, Literal(_label(path))))
        for predicate, value in (
            (SH.minCount, min_count),
            (SH.maxCount, max_count),
            (SH.minInclusive, minimum),
            (SH.maxInclusive, maximum),
        ):
            if value is not None:
                g.add((shape, predicate, Literal(value)))
        if datatype is not None:
            g.add((shape, SH.datatype, datatype))
        if cls is not None:
            g.add((shape, SH["class"], cls))
        if iri:
            g.add((shape, SH.nodeKind, SH.IRI))
        if values is not None:
            g.add((shape, SH["in"], values))
        return shape

    def implies(
        self,
        node: URIRef,
        name: str,
        condition: tuple[URIRef, Node],
        then: tuple[URIRef, URIRef, Node],
        message: str,
    ) -> None:
        """A rule ``{name}`` (``sh:node`` of ``node``): a focus node conforms only if it
        lacks the (path, value) ``condition`` or ``then`` (path, constraint parameter,
        value) holds."""
        g = self.g
        rule = CDI_SHAPES[name]
        g.add((node, SH.node, rule))
        g.add((rule, RDF.type, SH.NodeShape))
        g.add((rule, RDFS.comment, _en(message)))
        g.add((rule, SH.message, _en(message)))
        unless = CDI_SHAPES[f"{name}-if"]
        must = CDI_SHAPES[f"{name}-then"]
        g.add((unless, RDF.type, SH.NodeShape))
        has = BNode()
        g.add((unless, SH["not"], has))
        g.add((has, RDF.type, SH.PropertyShape))
        g.add((has, SH.path, condition[0]))
        g.add((has, SH.hasValue, condition[1]))
        g.add((must, RDF.type, SH.PropertyShape))
        g.add((must, SH.path, then[0]))
        g.add((must, then[1], then[2]))
        g.add((rule, SH["or"], _list(g, [unless, must])))


def shapes_graph() -> Graph:
    """SHACL shapes for graphs that use the ``cdi:`` vocabulary (as
    [`to_graph()`][cdinterop.dcat.to_graph] writes them): cardinality, datatypes and value
    ranges of the ``cdi:`` properties, concept-valued properties restricted (``sh:in``) to
    the concepts of their scheme, ``dcat:hadRole`` of attributions to the roles, ``dct:type``
    of activities to the activity types, and the rules between fields that the models
    enforce (informed consent was obtained; cell suppression has a threshold; no cells
    are suppressed without a method)."""
    s = _Shapes()
    g = s.g
    g.add((SHAPES, RDF.type, OWL.Ontology))
    g.add((SHAPES, DCTERMS.title, _en("cdinterop SHACL shapes")))
    g.add(
        (
            SHAPES,
            DCTERMS.description,
            _en(
                "SHACL shapes for the cdinterop vocabulary as used in DCAT-AP graphs of citizen "
                "data sets. Generated from the cdinterop models by `cdinterop schema export`."
            ),
        )
    )
    g.add((SHAPES, OWL.versionInfo, Literal(__version__)))
    g.add((SHAPES, DCTERMS.license, LICENCE))

    ds = s.node("Dataset", DCAT.Dataset, "cdi: properties of a data set.")
    s.prop(ds, CDI.descriptionIsTitle, max_count=1, datatype=XSD.boolean)
    s.prop(
        ds,
        CDI.sdmxFrequency,
        max_count=1,
        datatype=XSD.string,
        values=_list(g, (Literal(f.value) for f in Frequency)),
    )
    catalog = s.node("Catalog", DCAT.Catalog, "cdi: properties of a catalogue.")
    for prop in _PROPERTIES:
        if prop.name.endswith("Json"):
            node = catalog if prop.domain == DCAT.Catalog else ds
            s.prop(node, CDI[prop.name], max_count=1, datatype=XSD.string)
    for name in ("participation", "consent", "disclosureControl"):
        target = next(p.range for p in _PROPERTIES if p.name == name)
        s.prop(ds, CDI[name], max_count=1, cls=target)

    part = s.node("Participation", CDI.Participation, _doc(Participation))
    s.prop(
        part, CDI.initiatorType, min_count=1, max_count=1, iri=True, values=_in(g, "initiatorTypes")
    )
    s.prop(
        part,
        CDI.engagementLevel,
        min_count=1,
        max_count=1,
        datatype=XSD.integer,
        minimum=int(min(EngagementLevel)),
        maximum=int(max(EngagementLevel)),
    )
    s.prop(part, CDI.stage, min_count=1, iri=True, values=_in(g, "valueChainStages"))

    consent = s.node("Consent", CDI.Consent, _doc(Consent))
    s.prop(consent, CDI.obtained, min_count=1, max_count=1, datatype=XSD.boolean)
    s.prop(consent, CDI.basis, min_count=1, max_count=1, iri=True, values=_in(g, "consentBases"))
    s.prop(consent, CDI.permittedUse, iri=True, values=_in(g, "permittedUses"))
    bases = CONCEPT_SCHEMES["consentBases"]
    s.implies(
        consent,
        "Consent-informedConsent",
        (CDI.basis, bases.concept(ConsentBasis.INFORMED_CONSENT)),
        (CDI.obtained, SH.hasValue, Literal(True)),
        "The basis is informed consent, but consent was not obtained.",
    )

    sdc = s.node("DisclosureControl", CDI.DisclosureControl, _doc(DisclosureControl))
    s.prop(
        sdc,
        CDI.disclosureMethod,
        min_count=1,
        max_count=1,
        iri=True,
        values=_in(g, "disclosureMethods"),
    )
    s.prop(sdc, CDI.threshold, max_count=1, datatype=XSD.integer, minimum=1)
    s.prop(sdc, CDI.cellsSuppressed, max_count=1, datatype=XSD.integer, minimum=0)
    methods = CONCEPT_SCHEMES["disclosureMethods"]
    s.implies(
        sdc,
        "DisclosureControl-cellSuppression",
        (CDI.disclosureMethod, methods.concept(DisclosureMethod.CELL_SUPPRESSION)),
        (CDI.threshold, SH.minCount, Literal(1)),
        "Cell suppression needs a threshold (minimum cell count).",
    )
    s.implies(
        sdc,
        "DisclosureControl-none",
        (CDI.disclosureMethod, methods.concept(DisclosureMethod.NONE)),
        (CDI.cellsSuppressed, SH.maxInclusive, Literal(0)),
        "The method is none, but cells are counted as suppressed.",
    )

    attribution = s.node("Attribution", PROV.Attribution, "A role of an agent towards a data set.")
    s.prop(attribution, DCAT.hadRole, min_count=1, iri=True, values=_in(g, "roles"))
    activity = s.node("Activity", PROV.Activity, "A step in the production of a data set.")
    s.prop(activity, DCTERMS.type, max_count=1, iri=True, values=_in(g, "activityTypes"))
    software = s.node("SoftwareAgent", PROV.SoftwareAgent, "Software that acted on the data.")
    s.prop(software, DCTERMS.type, iri=True, values=_in(g, "agentTypes"))
    measurement = s.node(
        "QualityMeasurement", DQV.QualityMeasurement, "cdi: properties of a quality measurement."
    )
    s.prop(measurement, CDI.component, max_count=1, datatype=XSD.string)
    s.prop(measurement, CDI.qualifier, max_count=1, datatype=XSD.string)
    metric = s.node("Metric", DQV.Metric, "A quality metric.")
    s.prop(metric, DQV.inDimension, max_count=1, iri=True, values=_in(g, "qualityDimensions"))
    annotation = s.node(
        "QualityAnnotation", DQV.QualityAnnotation, "The verdict of a quality assessment."
    )
    s.prop(
        annotation, OA.hasBody, min_count=1, max_count=1, iri=True, values=_in(g, "qualityVerdicts")
    )
    return g
