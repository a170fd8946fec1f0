"""The triples of a cube's description: the ``qb:DataSet``, its data structure definition
(component specifications and properties), concepts, concept schemes and code lists, and
the values of the data-set attributes. A few hundred triples, written as N-Triples text
before the observations."""

from __future__ import annotations

from cdinterop.datacube._iris import CubeIris, segment
from cdinterop.datacube._plan import ComponentPlan, plan
from cdinterop.datacube._terms import iri, literal
from cdinterop.datacube._vocab import (
    DCT,
    OWL,
    QB,
    RDF,
    RDFS,
    SDMX,
    SDMX_DIMENSION,
    SKOS,
    XSD,
    sdmx_concept,
    sdmx_property,
)
from cdinterop.model import (
    AttachmentLevel,
    Attribute,
    CitizenDataset,
    Codelist,
    Concept,
    DataStructure,
    Usage,
    format_ref,
)

__all__ = ["structure_ntriples"]

_TYPE = iri(RDF + "type")
_CODE_RANGE = iri(SKOS + "Concept")


class _Lines:
    """N-Triples lines being collected."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self.lines.append(f"{subject} {predicate} {obj} .\n")

    def texts(self, subject: str, predicate: str, text: dict[str, str] | None) -> None:
        for language, value in (text or {}).items():
            self.add(subject, predicate, literal(value, language=language))


def _codelist(out: _Lines, iris: CubeIris, codelist: Codelist, number: int) -> None:
    node = iri(iris.codelist(codelist))
    out.add(node, iri(DCT + "identifier"), literal(codelist.ref))
    out.add(node, iri(SKOS + "notation"), literal(codelist.id))
    out.texts(node, iri(SKOS + "prefLabel"), codelist.name)
    out.texts(node, iri(SKOS + "definition"), codelist.description)
    if codelist.external:  # its codes are unknown: not a scheme IC-19 could check
        return
    out.add(node, _TYPE, iri(SKOS + "ConceptScheme"))
    out.add(node, _TYPE, iri(SDMX + "CodeList"))
    roots = [code for code in codelist.codes if code.parent is None]
    if len(roots) < len(codelist.codes):  # a hierarchy: children found by inverse broader
        out.add(node, _TYPE, iri(QB + "HierarchicalCodeList"))
        out.add(node, iri(QB + "parentChildProperty"), f"_:narrower{number}")
        out.add(f"_:narrower{number}", iri(OWL + "inverseOf"), iri(SKOS + "broader"))
    for code in codelist.codes:
        code_node = iri(iris.code(codelist, code.id))
        out.add(code_node, _TYPE, iri(SKOS + "Concept"))
        out.add(code_node, iri(SKOS + "inScheme"), node)
        out.add(code_node, iri(SKOS + "notation"), literal(code.id))
        out.texts(code_node, iri(SKOS + "prefLabel"), code.name)
        out.texts(code_node, iri(SKOS + "definition"), code.description)
        if code.parent is None:
            out.add(code_node, iri(SKOS + "topConceptOf"), node)
            out.add(node, iri(SKOS + "hasTopConcept"), code_node)
            if len(roots) < len(codelist.codes):
                out.add(node, iri(QB + "hierarchyRoot"), code_node)
        else:
            out.add(code_node, iri(SKOS + "broader"), iri(iris.code(codelist, code.parent)))


def _concept(out: _Lines, iris: CubeIris, structure: DataStructure, concept: Concept) -> None:
    node = iri(iris.concept(concept))
    out.add(node, _TYPE, iri(SKOS + "Concept"))
    out.add(node, _TYPE, iri(SDMX + "Concept"))
    out.add(node, iri(DCT + "identifier"), literal(concept.ref))
    out.add(node, iri(SKOS + "notation"), literal(concept.id))
    out.texts(node, iri(SKOS + "prefLabel"), concept.name)
    out.texts(node, iri(SKOS + "definition"), concept.description)
    scheme = (
        f"{iris.dataset}/conceptscheme"
        if concept.scheme is None
        else iris.concept_scheme(concept.scheme)
    )
    out.add(node, iri(SKOS + "inScheme"), iri(scheme))
    if concept.parent is not None:
        parent = structure.concept(
            concept.parent if concept.scheme is None else f"{concept.scheme}.{concept.parent}"
        )
        out.add(node, iri(SKOS + "broader"), iri(iris.concept(parent)))
    match = sdmx_concept(concept.id)
    if match is not None:
        out.add(node, iri(SKOS + "exactMatch"), iri(match))


def _schemes(out: _Lines, iris: CubeIris, structure: DataStructure) -> None:
    own = iri(f"{iris.dataset}/conceptscheme")
    out.add(own, _TYPE, iri(SKOS + "ConceptScheme"))
    own_ref = format_ref(structure.agency, f"CS_{structure.id}", structure.version)
    out.add(own, iri(DCT + "identifier"), literal(own_ref))
    for scheme in structure.concept_schemes:
        node = iri(iris.concept_scheme(scheme))
        out.add(node, _TYPE, iri(SKOS + "ConceptScheme"))
        out.add(node, iri(DCT + "identifier"), literal(scheme.ref))
        out.texts(node, iri(SKOS + "prefLabel"), scheme.name)
        out.texts(node, iri(SKOS + "definition"), scheme.description)
    for concept in structure.concepts:
        _concept(out, iris, structure, concept)


_PROPERTY_CLASS = {"dimension": "DimensionProperty", "attribute": "AttributeProperty"}
_PROPERTY_CLASS["measure"] = "MeasureProperty"


def _range(out: _Lines, component: ComponentPlan) -> None:
    prop = iri(component.property)
    if component.code_prefix is not None:
        if not component.conditional_measure:  # NaN for a missing code is no skos:Concept
            out.add(prop, iri(RDFS + "range"), _CODE_RANGE)
        return
    if not component.conditional_measure or component.datatype == XSD + "double":
        out.add(prop, iri(RDFS + "range"), iri(component.datatype))
        return
    # a measure that may be NaN: its datatype or xsd:double (OWL 2 datatype union)
    union = f"_:range{component.id.replace('-', '_')}"
    out.add(prop, iri(RDFS + "range"), union)
    out.add(union, _TYPE, iri(RDFS + "Datatype"))
    out.add(union, iri(OWL + "unionOf"), f"{union}_1")
    out.add(f"{union}_1", iri(RDF + "first"), iri(component.datatype))
    out.add(f"{union}_1", iri(RDF + "rest"), f"{union}_2")
    out.add(f"{union}_2", iri(RDF + "first"), iri(XSD + "double"))
    out.add(f"{union}_2", iri(RDF + "rest"), iri(RDF + "nil"))


def _property(
    out: _Lines, iris: CubeIris, structure: DataStructure, component: ComponentPlan
) -> None:
    prop = iri(component.property)
    out.add(prop, _TYPE, iri(RDF + "Property"))
    out.add(prop, _TYPE, iri(QB + _PROPERTY_CLASS[component.role]))
    out.add(prop, iri(DCT + "identifier"), literal(component.id))
    model = structure.component(component.id)
    concept = structure.concept(model.concept_id)
    out.add(prop, iri(QB + "concept"), iri(iris.concept(concept)))
    out.texts(prop, iri(RDFS + "label"), concept.name)
    _range(out, component)
    codelist_ref = getattr(model, "codelist", None)
    if codelist_ref is not None:
        out.add(prop, _TYPE, iri(QB + "CodedProperty"))
        out.add(prop, iri(QB + "codeList"), iri(iris.codelist(structure.codelist(codelist_ref))))
    if component.time:
        parent: str | None = SDMX_DIMENSION + "timePeriod"
    elif concept.id == "TIME_PERIOD":  # only the time dimension is sdmx-dimension:timePeriod
        parent = None
    else:
        parent = sdmx_property(concept.id, component.role)
    if parent is not None:
        out.add(prop, iri(RDFS + "subPropertyOf"), iri(parent))


def _specification(
    out: _Lines, iris: CubeIris, structure: DataStructure, component: ComponentPlan, order: int
) -> None:
    spec = iri(iris.specification(component.id))
    out.add(iri(iris.structure), iri(QB + "component"), spec)
    out.add(spec, _TYPE, iri(QB + "ComponentSpecification"))
    out.add(spec, iri(QB + "order"), literal(str(order), datatype=XSD + "int"))
    out.add(spec, iri(QB + component.role), iri(component.property))
    model = structure.component(component.id)
    if isinstance(model, Attribute):
        required = "true" if model.usage is Usage.MANDATORY else "false"
        out.add(spec, iri(QB + "componentRequired"), literal(required, datatype=XSD + "boolean"))
        if model.attachment is AttachmentLevel.DATASET:
            out.add(spec, iri(QB + "componentAttachment"), iri(QB + "DataSet"))


def _dataset(out: _Lines, iris: CubeIris, ds: CitizenDataset) -> None:
    node = iri(iris.dataset)
    out.add(node, _TYPE, iri(QB + "DataSet"))
    out.add(node, iri(QB + "structure"), iri(iris.structure))
    out.add(node, iri(DCT + "identifier"), literal(ds.id))
    out.texts(node, iri(DCT + "title"), ds.title)
    out.texts(node, iri(RDFS + "label"), ds.title)
    structure = ds.structure
    dsd = iri(iris.structure)
    out.add(dsd, _TYPE, iri(QB + "DataStructureDefinition"))
    out.add(dsd, iri(DCT + "identifier"), literal(structure.ref))
    out.texts(dsd, iri(RDFS + "label"), structure.name)
    out.texts(dsd, iri(RDFS + "comment"), structure.description)


def _dataset_values(out: _Lines, iris: CubeIris, ds: CitizenDataset) -> None:
    for component in plan(ds.structure, iris):
        value = ds.attribute_values.get(component.id) if component.dataset_level else None
        if value is None:
            continue
        if component.code_prefix is not None:
            obj = iri(component.code_prefix + segment(str(value)))
        elif isinstance(value, bool):
            obj = literal("true" if value else "false", datatype=component.datatype)
        else:
            obj = literal(
                repr(value) if isinstance(value, float) else str(value), datatype=component.datatype
            )
        out.add(iri(iris.dataset), iri(component.property), obj)


def structure_ntriples(ds: CitizenDataset, iris: CubeIris) -> list[str]:
    """The N-Triples lines of everything but the observations."""
    out = _Lines()
    _dataset(out, iris, ds)
    components = plan(ds.structure, iris)
    for order, component in enumerate(components, start=1):
        _specification(out, iris, ds.structure, component, order)
        _property(out, iris, ds.structure, component)
    _schemes(out, iris, ds.structure)
    for number, codelist in enumerate(ds.structure.codelists):
        _codelist(out, iris, codelist, number)
    _dataset_values(out, iris, ds)
    by_subject: dict[str, list[str]] = {}
    for line in out.lines:  # each subject's triples together: Turtle groups them
        by_subject.setdefault(line.split(" ", 1)[0], []).append(line)
    return [line for lines in by_subject.values() for line in lines]
