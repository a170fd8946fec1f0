"""The ``cdi:`` vocabulary defines every ``cdi:`` term the DCAT graphs use, the ``cdi:`` SHACL
shapes accept every graph :func:`cdinterop.dcat.to_graph` writes and reject bad ones, and
the committed ``schemas/cdi-*.ttl`` files match the code."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from rdflib import RDF, RDFS, SH, SKOS, Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic

import cdinterop
from cdinterop import dcat
from cdinterop.dcat._vocab import CDI
from cdinterop.dcat._vocabulary import CONCEPT_SCHEMES, shapes_graph, vocabulary_graph
from cdinterop.model import (
    ActivityType,
    Agent,
    AgentKind,
    Catalog,
    CitizenDataset,
    ConsentBasis,
    DisclosureMethod,
    InitiatorType,
    PermittedUse,
    QualityDimension,
    QualityVerdict,
    Role,
    ValueChainStage,
)
from cdinterop.schemas import RDF_SCHEMAS
from cdinterop.testing import citizen_datasets

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/dataset.json"))
SCHEMAS = ROOT / "schemas"
RANDOM = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def _vocabulary() -> Graph:
    return vocabulary_graph()


@cache
def _shapes() -> Graph:
    return shapes_graph()


def _used_terms(graph: Graph) -> set[URIRef]:
    """``cdi:`` IRIs used as a predicate, an object or a class."""
    used = {p for p in graph.predicates() if isinstance(p, URIRef)}
    used |= {o for o in graph.objects() if isinstance(o, URIRef)}
    return {iri for iri in used if str(iri).startswith(str(CDI))}


def _undefined(item: CitizenDataset | Catalog) -> list[str]:
    vocab = _vocabulary()
    missing = []
    for iri in sorted(_used_terms(dcat.to_graph(item))):
        label = vocab.value(iri, RDFS.label) or vocab.value(iri, SKOS.prefLabel)
        if (iri, RDF.type, None) not in vocab or label is None:
            missing.append(f"{iri}: not defined or no label")
        elif vocab.value(iri, RDFS.comment) is None:
            missing.append(f"{iri}: no rdfs:comment")
    return missing


def _results(data: Graph, shapes: Graph | None = None) -> list[str]:
    """Every validation result, of any severity."""
    from pyshacl import validate

    _conforms, report, _text = validate(
        data, shacl_graph=shapes if shapes is not None else _shapes(), inference="none"
    )
    assert isinstance(report, Graph)
    return sorted(
        f"{report.value(r, SH.resultSeverity)} shape={report.value(r, SH.sourceShape)} "
        f"focus={report.value(r, SH.focusNode)} path={report.value(r, SH.resultPath)}: "
        f"{report.value(r, SH.resultMessage)}"
        for r in report.objects(None, SH.result)
    )


# -- the vocabulary ------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_uses_only_defined_terms(path: Path) -> None:
    ds = cdinterop.load(path)
    assert _used_terms(dcat.to_graph(ds)), "the example uses no cdi: term"
    assert _undefined(ds) == []


def _catalog() -> Catalog:
    return Catalog(
        id="portal",
        title={"en": "Citizen data portal"},
        description={"en": "The examples of cdinterop."},
        publisher=Agent(id="nso", kind=AgentKind.ORGANISATION, name="Statistics Office"),
        datasets=tuple(cdinterop.load(path) for path in EXAMPLES),
    )


def test_catalog_uses_only_defined_terms() -> None:
    catalog = _catalog()
    assert CDI.catalogJson in _used_terms(dcat.to_graph(catalog))
    assert _undefined(catalog) == []


@RANDOM
@given(citizen_datasets(complete=True))
def test_complete_random_dataset_uses_only_defined_terms(ds: CitizenDataset) -> None:
    assert _undefined(ds) == []


@RANDOM
@given(citizen_datasets())
def test_random_dataset_uses_only_defined_terms(ds: CitizenDataset) -> None:
    assert _undefined(ds) == []


def test_every_term_has_label_and_comment() -> None:
    vocab = _vocabulary()
    terms = {s for s in vocab.subjects() if isinstance(s, URIRef) and s.startswith(str(CDI))}
    bad = [
        str(t)
        for t in sorted(terms)
        if vocab.value(t, RDFS.label) is None
        or vocab.value(t, RDFS.comment) is None
        or vocab.value(t, RDFS.label).language != "en"  # type: ignore[union-attr]
        or vocab.value(t, RDFS.comment).language != "en"  # type: ignore[union-attr]
        or (t, RDFS.isDefinedBy, None) not in vocab
    ]
    assert bad == []
    assert len(terms) > 80


ENUM_SCHEMES: list[tuple[str, type[StrEnum], str]] = [
    ("roles", Role, "role"),
    ("activityTypes", ActivityType, "activity"),
    ("qualityDimensions", QualityDimension, "dimension"),
    ("qualityMetrics", QualityDimension, "metric"),
    ("qualityVerdicts", QualityVerdict, "verdict"),
    ("initiatorTypes", InitiatorType, "initiator"),
    ("valueChainStages", ValueChainStage, "stage"),
    ("consentBases", ConsentBasis, "basis"),
    ("permittedUses", PermittedUse, "use"),
    ("disclosureMethods", DisclosureMethod, "disclosure"),
]


@pytest.mark.parametrize(("scheme", "enum", "prefix"), ENUM_SCHEMES, ids=lambda x: str(x))
def test_every_enum_member_is_a_concept_of_its_scheme(
    scheme: str, enum: type[StrEnum], prefix: str
) -> None:
    vocab = _vocabulary()
    assert (CDI[scheme], RDF.type, SKOS.ConceptScheme) in vocab
    for member in enum:
        concept = CDI[f"{prefix}-{member.value}"]
        assert (concept, RDF.type, SKOS.Concept) in vocab
        assert (concept, SKOS.inScheme, CDI[scheme]) in vocab
        assert (concept, SKOS.notation, Literal(member.value)) in vocab
        assert vocab.value(concept, SKOS.prefLabel) is not None


def test_software_agent_type_is_defined() -> None:
    vocab = _vocabulary()
    concept = CDI["agentType-software"]
    assert (concept, RDF.type, SKOS.Concept) in vocab
    assert (concept, SKOS.inScheme, CDI.agentTypes) in vocab
    assert (CDI.agentTypes, RDF.type, SKOS.ConceptScheme) in vocab


def test_roles_metrics_and_dimensions_have_their_dcat_and_dqv_classes() -> None:
    from cdinterop.dcat._vocab import DQV

    vocab = _vocabulary()
    for role in Role:
        assert (CDI[f"role-{role.value}"], RDF.type, ns.DCAT.Role) in vocab
    for dim in QualityDimension:
        assert (CDI[f"dimension-{dim.value}"], RDF.type, DQV.Dimension) in vocab
        metric = CDI[f"metric-{dim.value}"]
        assert (metric, RDF.type, DQV.Metric) in vocab
        assert (metric, DQV.inDimension, CDI[f"dimension-{dim.value}"]) in vocab


def test_literal_ranges_match_what_the_graph_writes() -> None:
    vocab = _vocabulary()
    ranges = {
        "engagementLevel": ns.XSD.integer,
        "obtained": ns.XSD.boolean,
        "threshold": ns.XSD.integer,
        "cellsSuppressed": ns.XSD.integer,
        "descriptionIsTitle": ns.XSD.boolean,
        "coreJson": ns.XSD.string,
        "catalogJson": ns.XSD.string,
    }
    for name, datatype in ranges.items():
        assert vocab.value(CDI[name], RDFS.range) == datatype
    assert Literal(3).datatype == ns.XSD.integer
    assert Literal(True).datatype == ns.XSD.boolean


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_merged_with_a_graph_concepts_keep_one_pref_label(path: Path) -> None:
    """The vocabulary labels concepts as :func:`to_graph` does, so that a store holding
    both has one English ``skos:prefLabel`` per concept (SKOS integrity condition S14)."""
    merged = dcat.to_graph(cdinterop.load(path)) + _vocabulary()
    for concept in set(merged.subjects(RDF.type, SKOS.Concept)):
        if str(concept).startswith(str(CDI)):
            labels = [o for o in merged.objects(concept, SKOS.prefLabel)]
            assert len(labels) == 1, (concept, labels)


def test_a_member_without_a_comment_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    scheme = CONCEPT_SCHEMES["roles"]
    comments = dict(scheme.comments)
    del comments[Role.SPONSOR.value]
    monkeypatch.setitem(CONCEPT_SCHEMES, "roles", dataclasses.replace(scheme, comments=comments))
    with pytest.raises(ValueError, match="sponsor"):
        vocabulary_graph()


# -- the shapes ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_conforms_to_the_shapes(path: Path) -> None:
    assert _results(dcat.to_graph(cdinterop.load(path))) == []


def test_catalog_conforms_to_the_shapes() -> None:
    assert _results(dcat.to_graph(_catalog())) == []


def test_two_carriers_are_a_violation() -> None:
    graph = dcat.to_graph(cdinterop.load(EXAMPLES[0]))
    dataset = next(graph.subjects(RDF.type, ns.DCAT.Dataset))
    graph.add((dataset, CDI.coreJson, Literal("{}")))
    assert any(f"path={CDI.coreJson}" in r for r in _results(graph))


@RANDOM
@given(citizen_datasets(complete=True))
def test_complete_random_dataset_conforms_to_the_shapes(ds: CitizenDataset) -> None:
    assert _results(dcat.to_graph(ds)) == []


@RANDOM
@given(citizen_datasets())
def test_random_dataset_conforms_to_the_shapes(ds: CitizenDataset) -> None:
    assert _results(dcat.to_graph(ds)) == []


def _participation(level: object, initiator: URIRef) -> Graph:
    g = Graph()
    node = URIRef("https://example.org/p")
    g.add((node, RDF.type, CDI.Participation))
    g.add((node, CDI.initiatorType, initiator))
    g.add((node, CDI.engagementLevel, Literal(level)))
    g.add((node, CDI.stage, CDI["stage-collection"]))
    return g


def test_valid_participation_conforms() -> None:
    assert _results(_participation(4, CDI["initiator-community"])) == []


@pytest.mark.parametrize(
    ("level", "initiator", "path"),
    [
        (9, CDI["initiator-community"], CDI.engagementLevel),
        (0, CDI["initiator-community"], CDI.engagementLevel),
        ("4", CDI["initiator-community"], CDI.engagementLevel),
        (4, CDI["initiator-government"], CDI.initiatorType),
        (4, URIRef("https://example.org/community"), CDI.initiatorType),
    ],
)
def test_bad_participation_is_a_violation(level: object, initiator: URIRef, path: URIRef) -> None:
    results = _results(_participation(level, initiator))
    assert results
    assert all(str(SH.Violation) in r for r in results)
    assert any(f"path={path}" in r for r in results)


def test_participation_without_stages_is_a_violation() -> None:
    g = _participation(4, CDI["initiator-community"])
    g.remove((None, CDI.stage, None))
    assert any(f"path={CDI.stage}" in r for r in _results(g))


def test_informed_consent_not_obtained_is_a_violation() -> None:
    g = Graph()
    node = URIRef("https://example.org/c")
    g.add((node, RDF.type, CDI.Consent))
    g.add((node, CDI.basis, CDI["basis-informed_consent"]))
    g.add((node, CDI.obtained, Literal(False)))
    assert _results(g)
    g.set((node, CDI.obtained, Literal(True)))
    assert _results(g) == []


def test_cell_suppression_without_threshold_is_a_violation() -> None:
    g = Graph()
    node = URIRef("https://example.org/d")
    g.add((node, RDF.type, CDI.DisclosureControl))
    g.add((node, CDI.disclosureMethod, CDI["disclosure-cell_suppression"]))
    g.add((node, CDI.cellsSuppressed, Literal(2)))
    assert _results(g)
    g.add((node, CDI.threshold, Literal(5)))
    assert _results(g) == []
    g.set((node, CDI.disclosureMethod, CDI["disclosure-none"]))
    assert _results(g)


def test_unknown_role_is_a_violation() -> None:
    g = Graph()
    node = URIRef("https://example.org/a")
    g.add((node, RDF.type, ns.PROV.Attribution))
    g.add((node, ns.DCAT.hadRole, CDI["role-boss"]))
    assert any(f"path={ns.DCAT.hadRole}" in r for r in _results(g))


def _shacl_shacl() -> Path | None:
    path = resources.files("pyshacl") / "assets" / "shacl-shacl.ttl"
    return Path(str(path)) if path.is_file() else None


def test_shapes_graph_is_valid_shacl() -> None:
    shacl_shacl = _shacl_shacl()
    if shacl_shacl is None:
        pytest.skip("pyshacl does not ship shacl-shacl.ttl")
    assert _results(_shapes(), Graph().parse(shacl_shacl, format="turtle")) == []


# -- the committed files ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(RDF_SCHEMAS))
def test_committed_turtle_has_not_drifted(name: str) -> None:
    committed = Graph().parse(SCHEMAS / name, format="turtle")
    assert isomorphic(committed, RDF_SCHEMAS[name]()), (
        f"schemas/{name} is stale: run `cdinterop schema export schemas`"
    )


@pytest.mark.parametrize("name", sorted(RDF_SCHEMAS))
def test_turtle_is_deterministic(name: str) -> None:
    build = RDF_SCHEMAS[name]
    assert build().serialize(format="turtle") == build().serialize(format="turtle")
