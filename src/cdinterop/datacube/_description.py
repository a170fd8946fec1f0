"""The data structure read back from the description triples of a cube (the data set,
its structure definition, concepts and code lists): the inverse of `_structure`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from cdinterop.datacube._plan import DATATYPES
from cdinterop.datacube._terms import Term, parse_term
from cdinterop.datacube._vocab import (
    DCT,
    OWL,
    QB,
    RDF,
    RDFS,
    SDMX,
    SDMX_DIMENSION,
    SKOS,
)
from cdinterop.model import (
    AttachmentLevel,
    Attribute,
    Code,
    Codelist,
    Concept,
    ConceptScheme,
    Dimension,
    Measure,
    TimeDimension,
    Usage,
    ValueType,
    format_ref,
    parse_ref,
)

__all__ = ["Description", "Graph"]

_VALUE_TYPES = {datatype: value_type for value_type, datatype in DATATYPES.items()}


class Graph:
    """The description triples, by subject and predicate (terms in file order)."""

    def __init__(self, triples: list[tuple[str, str, str]]) -> None:
        self.nodes: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for s, p, o in triples:
            self.nodes[s][p].append(o)

    def objects(self, node: str, predicate: str) -> list[str]:
        """The object terms of ``node predicate ?``."""
        found = self.nodes.get(node)
        return list(found.get(f"<{predicate}>", ())) if found else []

    def one(self, node: str, predicate: str) -> str | None:
        """The first object term, if any."""
        values = self.objects(node, predicate)
        return values[0] if values else None

    def text(self, node: str, predicate: str) -> str | None:
        """The first object as a literal's characters or an IRI."""
        term = self.one(node, predicate)
        return None if term is None else parse_term(term).value

    def texts(self, node: str, predicate: str) -> dict[str, str] | None:
        """Language-tagged literals as ``{language: text}``; ``None`` if there are none."""
        out: dict[str, str] = {}
        for term in self.objects(node, predicate):
            parsed = parse_term(term)
            if parsed.language is not None:
                out.setdefault(parsed.language, parsed.value)
        return out or None

    def typed(self, rdf_type: str) -> list[str]:
        """Subjects of the type, in file order."""
        wanted = f"<{rdf_type}>"
        return [s for s, p in self.nodes.items() if wanted in p.get(f"<{RDF}type>", ())]


def _ref(graph: Graph, node: str, what: str) -> tuple[str, str, str]:
    ref = graph.text(node, DCT + "identifier")
    parsed = parse_ref(ref) if ref else None
    if parsed is None:
        raise ValueError(f"{what} {node} has no dct:identifier AGENCY:ID(VERSION)")
    return parsed.agency, parsed.id, parsed.version


@dataclass
class Description:
    """What the description triples say, as model objects."""

    graph: Graph
    dataset: str
    codelists: dict[str, Codelist] = field(default_factory=dict)
    concepts: dict[str, Concept] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    """For each code list (by term), its codes' terms and ids."""
    properties: dict[str, str] = field(default_factory=dict)
    """The term of each component's property, by component id."""

    def structure_fields(self) -> dict[str, Any]:
        """The keyword arguments of the [`DataStructure`][cdinterop.model.DataStructure]."""
        g = self.graph
        dsd = g.one(self.dataset, QB + "structure")
        if dsd is None:
            raise ValueError(f"data set {self.dataset} has no qb:structure")
        agency, dsd_id, version = _ref(g, dsd, "structure")
        self._read_codelists()
        schemes = self._read_concepts(format_ref(agency, f"CS_{dsd_id}", version))
        fields: dict[str, Any] = {
            "id": dsd_id,
            "agency": agency,
            "version": version,
            "name": g.texts(dsd, RDFS + "label") or {"en": dsd_id},
            "description": g.texts(dsd, RDFS + "comment"),
            "concepts": list(self.concepts.values()),
            "concept_schemes": schemes,
            "codelists": list(self.codelists.values()),
            "dimensions": [],
            "attributes": [],
            "measures": [],
        }
        for spec in sorted(g.objects(dsd, QB + "component"), key=self._order):
            self._component(spec, fields)
        return fields

    def _order(self, spec: str) -> int:
        order = self.graph.text(spec, QB + "order")
        return int(order) if order is not None else 0

    def _read_codelists(self) -> None:
        g = self.graph
        coded = {o for s in g.nodes for o in g.objects(s, QB + "codeList")}
        for node in dict.fromkeys([*g.typed(SDMX + "CodeList"), *sorted(coded)]):
            agency, cl_id, version = _ref(g, node, "code list")
            external = f"<{SKOS}ConceptScheme>" not in g.objects(node, RDF + "type")
            codes = [] if external else self._codes(node)
            self.codelists[node] = Codelist(
                id=cl_id,
                agency=agency,
                version=version,
                name=g.texts(node, SKOS + "prefLabel") or {"en": cl_id},
                description=g.texts(node, SKOS + "definition"),
                codes=codes,
                external=external,
            )

    def _codes(self, scheme: str) -> list[Code]:
        g = self.graph
        members = [
            s for s in g.typed(SKOS + "Concept") if scheme in g.objects(s, SKOS + "inScheme")
        ]
        notation = {s: g.text(s, SKOS + "notation") or "" for s in members}
        self.codes[scheme] = notation
        codes = []
        for node in members:
            parent = g.one(node, SKOS + "broader")
            codes.append(
                Code(
                    id=notation[node],
                    name=g.texts(node, SKOS + "prefLabel") or {"en": notation[node]},
                    description=g.texts(node, SKOS + "definition"),
                    parent=notation.get(parent) if parent is not None else None,
                )
            )
        return codes

    def _read_concepts(self, own_scheme: str) -> list[ConceptScheme]:
        schemes = [
            scheme
            for node in self.graph.typed(SKOS + "ConceptScheme")
            if node not in self.codelists and (scheme := self._scheme(node)).ref != own_scheme
        ]
        for node in self.graph.typed(SDMX + "Concept"):
            self.concepts[node] = self._concept(node)
        return schemes

    def _scheme(self, node: str) -> ConceptScheme:
        agency, scheme_id, version = _ref(self.graph, node, "concept scheme")
        return ConceptScheme(
            id=scheme_id,
            agency=agency,
            version=version,
            name=self.graph.texts(node, SKOS + "prefLabel") or {"en": scheme_id},
            description=self.graph.texts(node, SKOS + "definition"),
        )

    def _concept(self, node: str) -> Concept:
        g = self.graph
        ref = g.text(node, DCT + "identifier") or ""
        parsed = parse_ref(ref)
        parent = g.one(node, SKOS + "broader")
        return Concept(
            id=g.text(node, SKOS + "notation") or ref,
            name=g.texts(node, SKOS + "prefLabel") or {"en": ref},
            description=g.texts(node, SKOS + "definition"),
            scheme=format_ref(*parsed[:3]) if parsed is not None else None,
            parent=g.text(parent, SKOS + "notation") if parent is not None else None,
        )

    def _codelist_ref(self, node: str | None) -> str | None:
        if node is None:
            return None
        codelist = self.codelists[node]
        same_id = [c for c in self.codelists.values() if c.id == codelist.id]
        return codelist.id if len(same_id) == 1 else codelist.ref

    def _value_type(self, prop: str) -> ValueType:
        g = self.graph
        ranges = g.objects(prop, RDFS + "range")
        for term in ranges:
            parsed = parse_term(term)
            if parsed.kind == "bnode":  # an OWL datatype union: its first member
                members = g.one(term, OWL + "unionOf")
                first = g.text(members, RDF + "first") if members else None
                return _VALUE_TYPES.get(first or "", ValueType.STRING)
            if parsed.value in _VALUE_TYPES:
                return _VALUE_TYPES[parsed.value]
        return ValueType.STRING

    def _role(self, spec: str) -> tuple[str, str]:
        for role in ("dimension", "attribute", "measure"):
            prop = self.graph.one(spec, QB + role)
            if prop is not None:
                return role, prop
        raise ValueError(f"component specification {spec} names no property")

    def _common(self, prop: str) -> dict[str, Any]:
        g = self.graph
        component_id = g.text(prop, DCT + "identifier") or parse_term(prop).value.rsplit("/")[-1]
        concept = self.concepts.get(g.one(prop, QB + "concept") or "")
        concept_ref = concept.ref if concept is not None else None
        self.properties[component_id] = prop
        return {"id": component_id, "concept": None if concept_ref == component_id else concept_ref}

    def _attribute(self, spec: str, common: dict[str, Any]) -> Attribute:
        required = self.graph.text(spec, QB + "componentRequired") in ("true", "1")
        attached = self.graph.one(spec, QB + "componentAttachment") == f"<{QB}DataSet>"
        return Attribute(
            **common,
            usage=Usage.MANDATORY if required else Usage.CONDITIONAL,
            attachment=AttachmentLevel.DATASET if attached else AttachmentLevel.OBSERVATION,
        )

    def _component(self, spec: str, fields: dict[str, Any]) -> None:
        g = self.graph
        role, prop = self._role(spec)
        common = self._common(prop)
        if f"<{SDMX_DIMENSION}timePeriod>" in g.objects(prop, RDFS + "subPropertyOf"):
            fields["time_dimension"] = TimeDimension(**common)
            return
        common["codelist"] = self._codelist_ref(g.one(prop, QB + "codeList"))
        if common["codelist"] is None:
            common["value_type"] = self._value_type(prop)
        if role == "dimension":
            fields["dimensions"].append(Dimension(**common))
        elif role == "measure":
            fields["measures"].append(Measure(**common))
        else:
            fields["attributes"].append(self._attribute(spec, common))


def literal_value(term: Term, value_type: ValueType) -> Any:
    """A data-set attribute's value as Python (``int``, ``float``, ``bool`` or ``str``)."""
    if value_type is ValueType.INTEGER:
        return int(term.value)
    if value_type is ValueType.DECIMAL:
        return float(term.value)
    if value_type is ValueType.BOOLEAN:
        return term.value in ("true", "1")
    return term.value
