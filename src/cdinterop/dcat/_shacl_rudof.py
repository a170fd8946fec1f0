"""SHACL validation with rudof (``pyrudof``, compiled Rust), reported exactly as pySHACL's.

rudof validates N-Triples data against the shapes and gives two views of its report: the
entries (``ShaclValidationEntry``: focus node, value and blank node labels as rudof keeps
them, terms as display strings) and the report as RDF (exact terms, property paths as RDF
lists, but blank nodes of the data relabelled). Both list the results in the same order:
the RDF report gives every term, the entries say which blank node of the data a result is
about, and rudof's own index names that blank node by the triples pointing to it, as
[`issue_from_result`][cdinterop.dcat._shacl.issue_from_result] names blank nodes.

Only the SHACL Core features that the equality tests (``tests/dcat/test_shacl_engines.py``)
found rudof to report exactly as pySHACL are handed to it (`unsupported()` says why
shapes are not); everything else stays with pySHACL. A shape's ``sh:message`` is taken
from the shapes graph (rudof's report carries its own wording); blank node shapes are given
to rudof as IRIs (`rudof_shapes()`) and mapped back, so that a result names its shape.

One difference is known (rudof 0.3.35): rudof skips the property shapes of a literal
focus node. `literal_blind_predicates()` says which data would meet it; the callers leave
such data to pySHACL.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF
from rdflib.term import Node

from cdinterop._extras import require
from cdinterop.errors import Issue, ReadError

__all__ = [
    "Owned",
    "Referrers",
    "RudofShapes",
    "has_rudof",
    "require_rudof",
    "rudof_has_run",
    "rudof_issues",
    "rudof_shapes",
    "unsupported",
]

SH = Namespace("http://www.w3.org/ns/shacl#")

_CORE_NAMES = (
    # shapes, targets, paths
    ("NodeShape", "PropertyShape", "targetClass", "property", "path", "inversePath"),
    ("alternativePath",),
    # value type, cardinality, value range, string-based constraints
    ("class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive"),
    ("maxInclusive", "minExclusive", "maxExclusive", "minLength", "maxLength"),
    ("pattern", "flags", "languageIn", "uniqueLang", "in", "hasValue"),
    # logical and shape-based constraints
    ("node", "and", "or", "not", "xone"),
    # non-validating characteristics
    ("severity", "message", "name", "description", "order", "group", "defaultValue"),
    ("PropertyGroup",),
    # parameter values
    ("IRI", "Literal", "BlankNode", "BlankNodeOrIRI", "IRIOrLiteral", "BlankNodeOrLiteral"),
    ("Violation", "Warning", "Info"),
)
_CORE = frozenset(SH[name] for group in _CORE_NAMES for name in group)
_FALSE = Literal(False)
_INERT = frozenset({SH[""], SH.shape})
"""Terms in the ``sh:`` namespace that are no SHACL and that both engines ignore:
``sh:shape`` (in DCAT-AP 3.0.1's ``shapes.ttl``) and the namespace itself."""
"""The SHACL vocabulary rudof handles as pySHACL does (checked by the equality tests)."""


_RAN: list[bool] = []


def rudof_has_run() -> bool:
    """Whether this process has run rudof (its threads make ``fork`` unsafe)."""
    return bool(_RAN)


def has_rudof() -> bool:
    """Whether ``pyrudof`` (extra ``fast``) can be imported."""
    import importlib.util

    return importlib.util.find_spec("pyrudof") is not None


def require_rudof() -> Any:
    """The ``pyrudof`` package, or a [`MissingExtraError`][cdinterop.errors.MissingExtraError]
    naming the extra ``fast``."""
    return require("pyrudof", extra="fast", purpose="fast SHACL validation (engine 'rudof')")


def unsupported(shapes: Graph) -> list[str]:
    """The SHACL terms of ``shapes`` that rudof is not trusted with, sorted (empty: rudof
    validates these shapes exactly as pySHACL)."""
    used: set[Node] = set()
    for s, p, o in shapes:
        if p == SH.closed and o == _FALSE:
            continue  # the default: no constraint
        for term in (s, p, o):
            if isinstance(term, URIRef) and str(term).startswith(str(SH)):
                used.add(term)
    return sorted(str(term).removeprefix(str(SH)) for term in used - _CORE - _INERT)


@dataclass(frozen=True)
class RudofShapes:
    """Shapes as given to rudof: N-Triples without ``owl:imports`` (never followed: nothing
    is fetched while validating), blank node shapes named by IRIs (rudof relabels blank
    nodes, and a result must say which shape it comes from)."""

    text: str
    blank_shapes: dict[URIRef, BNode]
    """The IRI given to each blank node shape, to the shape."""


_SHAPE_LINKS = (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)
_SHAPE_LISTS = (SH["and"], SH["or"], SH.xone)


def _blank_shapes(shapes: Graph) -> set[BNode]:
    """The blank nodes of ``shapes`` that are shapes."""
    found: set[BNode] = set()
    for link in _SHAPE_LINKS:
        found.update(o for o in shapes.objects(None, link) if isinstance(o, BNode))
    for link in _SHAPE_LISTS:
        for head in shapes.objects(None, link):
            found.update(o for o in Collection(shapes, head) if isinstance(o, BNode))
    found.update(s for s in shapes.subjects(SH.path, None) if isinstance(s, BNode))
    for kind in (SH.NodeShape, SH.PropertyShape):
        found.update(s for s in shapes.subjects(RDF.type, kind) if isinstance(s, BNode))
    return found


def rudof_shapes(shapes: Graph) -> RudofShapes:
    """``shapes`` prepared for rudof."""
    prefix = f"urn:uuid:{uuid.uuid4()}:shape:"
    named: dict[Node, Node] = {
        node: URIRef(f"{prefix}{i}") for i, node in enumerate(_blank_shapes(shapes))
    }
    copy = Graph()
    for s, p, o in shapes:
        if p != OWL.imports:
            copy.add((named.get(s, s), p, named.get(o, o)))
    text = copy.serialize(format="nt", encoding="utf-8").decode("utf-8")
    blank = {URIRef(str(iri)): BNode(str(node)) for node, iri in named.items()}
    return RudofShapes(text, blank)


_VALUE_SHAPES = (SH.node, SH["not"], SH.qualifiedValueShape, SH.property)


def _linked_shapes(shapes: Graph, shape: Node) -> set[Node]:
    """The shapes ``shape`` applies to its value nodes (or to itself, for a node shape)."""
    linked: set[Node] = set()
    for link in _VALUE_SHAPES:
        linked.update(shapes.objects(shape, link))
    for link in _SHAPE_LISTS:
        for head in shapes.objects(shape, link):
            linked.update(Collection(shapes, head))
    return linked


def _reaching_property(shapes: Graph) -> set[Node]:
    """The shapes that have a property shape, directly or through the shapes they link."""
    reaching = set(shapes.subjects(SH.property, None))
    candidates = set(shapes.subjects(None, None))
    changed = True
    while changed:
        changed = False
        for shape in candidates - reaching:
            if _linked_shapes(shapes, shape) & reaching:
                reaching.add(shape)
                changed = True
    return reaching


def _last_predicates(shapes: Graph, path: Node, depth: int = 0) -> set[URIRef]:
    """The predicates whose objects a path ends on (none for an inverse path)."""
    if isinstance(path, URIRef):
        return {path}
    if depth > 20:
        return set()
    if shapes.value(path, RDF.first) is not None:
        steps = list(Collection(shapes, path))
        return _last_predicates(shapes, steps[-1], depth + 1) if steps else set()
    found: set[URIRef] = set()
    for head in shapes.objects(path, SH.alternativePath):
        for step in Collection(shapes, head):
            found |= _last_predicates(shapes, step, depth + 1)
    for wrapper in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
        for inner in shapes.objects(path, wrapper):
            found |= _last_predicates(shapes, inner, depth + 1)
    return found


def literal_blind_predicates(shapes: Graph) -> frozenset[URIRef]:
    """Predicates whose literal objects rudof would validate wrongly against ``shapes``.

    rudof (0.3.35) skips the property shapes of a literal focus node, where pySHACL (and
    the SHACL specification) evaluate their paths to no values: a literal value of
    ``dct:language`` that must conform (``sh:node``) to a shape with ``sh:minCount 1`` on
    ``skos:inScheme`` fails in pySHACL and passes in rudof. These are the predicates
    through which a literal can reach such a shape; data with a literal object of one of
    them is left to pySHACL.
    """
    reaching = _reaching_property(shapes)
    found: set[URIRef] = set()
    for shape, path in shapes.subject_objects(SH.path):
        if _linked_shapes(shapes, shape) & reaching or (shape, SH.property, None) in shapes:
            found |= _last_predicates(shapes, path)
    return frozenset(found)


def has_blind_literal(data: Graph, predicates: Iterable[URIRef]) -> bool:
    """Whether ``data`` has a literal object of one of ``predicates``."""
    return any(
        isinstance(o, Literal) for predicate in predicates for o in data.objects(None, predicate)
    )


def _term(text: str) -> Node:
    """A subject or predicate as rudof writes it: ``_:label`` or a bare IRI."""
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text.strip("<>"))


def _session(data: Path | str, shapes_text: str, source: str) -> Any:
    """A fresh rudof session (a session merges what it reads) with ``data`` and the shapes,
    both read from files (a string would be taken for a path or an address if it looked
    like one)."""
    pyrudof = require_rudof()
    _RAN.append(True)
    session = pyrudof.Rudof()
    with tempfile.TemporaryDirectory(prefix="cdinterop-shacl-") as folder:
        shapes_file = Path(folder) / "shapes.nt"
        shapes_file.write_text(shapes_text, encoding="utf-8")
        if isinstance(data, str):
            data_file = Path(folder) / "data.nt"
            data_file.write_text(data, encoding="utf-8")
            data = data_file
        strict = pyrudof.ReaderMode.Strict
        try:
            session.read_data(data, format=pyrudof.RDFFormat.NTriples, reader_mode=strict)
            session.read_shacl(shapes_file, format=pyrudof.ShaclFormat.NTriples)
        except pyrudof.RudofError as exc:
            raise ReadError(source, f"rudof cannot read the data or shapes: {exc}") from None
    return session


_RESULT = re.compile(r"^(_:\S+) <http://www\.w3\.org/ns/shacl#result> (_:\S+) \.$", re.MULTILINE)


def _report(session: Any) -> tuple[Graph, list[Node], list[Any]]:
    """rudof's report as RDF, its result nodes in rudof's order, and its entries."""
    pyrudof = require_rudof()
    entries = list(session.validate_shacl())
    text = session.serialize_shacl_validation_results(
        format=pyrudof.ResultShaclValidationFormat.NTriples
    )
    text = _without_details(text)
    labels: dict[str, Node] = {}
    report = Graph().parse(data=text, format="nt", bnode_context=labels)
    order = [labels[m.group(2)[2:]] for m in _RESULT.finditer(text)]
    return report, order, entries


_DETAIL = "<http://www.w3.org/ns/shacl#detail>"


def _without_details(text: str) -> str:
    """The report without its nested results (``sh:detail``: they only explain a result,
    and a failed ``sh:node`` can have dozens)."""
    lines = text.splitlines()
    details = {parts[2] for parts in (line.split(" ", 3) for line in lines) if parts[1] == _DETAIL}
    kept = [
        line
        for line in lines
        if line.split(" ", 1)[0] not in details and f" {_DETAIL} " not in line
    ]
    return "\n".join(kept) + "\n"


def _same_result(report: Graph, node: Node, entry: Any) -> bool:
    """Whether the RDF report's ``node`` and ``entry`` are the same result."""
    focus = report.value(node, SH.focusNode)
    if isinstance(focus, BNode) != str(entry.focus_node).startswith("_:"):
        return False
    if isinstance(focus, URIRef) and str(focus) != str(entry.focus_node).strip("<>"):
        return False
    component = str(report.value(node, SH.sourceConstraintComponent))
    return component.endswith(str(entry.constraint_component).rsplit("#", 1)[-1].strip("<>"))


class _Referrers:
    """The ``(subject, predicate)`` pairs pointing to a blank node of rudof's data."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self._cache: dict[str, list[tuple[Node, Node]]] = {}

    def __call__(self, label: str) -> list[tuple[Node, Node]]:
        if label not in self._cache:
            self._cache[label] = [
                (_term(str(t.subject)), _term(str(t.predicate)))
                for t in self._session.triples(object=label)
            ]
        return self._cache[label]


Referrers = Callable[[str], list[tuple[Node, Node]]]
"""The ``(subject, predicate)`` pairs pointing to the blank node of a label (``_:b1``)."""

Owned = Callable[[Node, "str | None", Referrers], bool]
"""Whether a focus node (with its label, for a blank node) is one whose results are kept:
a part of a catalogue keeps the results of the nodes it owns."""


def _blank_names(
    report: Graph,
    order: list[Node],
    entries: list[Any],
    referrers: _Referrers,
    names_graph: Graph,
) -> dict[Node, str]:
    """Names of the report's blank focus nodes and values, from rudof's own data."""
    from cdinterop.dcat._shacl import blank_name

    names: dict[Node, str] = {}
    for node, entry in zip(order, entries, strict=True):
        for prop, label in ((SH.focusNode, entry.focus_node), (SH.value, entry.value)):
            term = report.value(node, prop)
            if isinstance(term, BNode) and label is not None:
                names[term] = blank_name(names_graph, referrers(str(label)))
    return names


def rudof_issues(
    data: Path | str,
    shapes: Graph,
    *,
    names_graph: Graph,
    source: str,
    prepared: RudofShapes | None = None,
    owned: Owned | None = None,
) -> set[Issue]:
    """Validate N-Triples ``data`` (a file, or the text) against ``shapes`` with rudof; each
    result as an ``Issue`` named with ``names_graph``'s prefixes (the data graph, or an
    empty graph for a file read by rudof alone). ``prepared`` is `rudof_shapes(shapes)`
    when the caller has it already; ``owned`` keeps only the results of some focus nodes.
    """
    from cdinterop.dcat._shacl import issue_from_result

    prepared = prepared or rudof_shapes(shapes)
    session = _session(data, prepared.text, source)
    report, order, entries = _report(session)
    for iri, node in prepared.blank_shapes.items():
        for result in list(report.subjects(SH.sourceShape, iri)):
            report.set((result, SH.sourceShape, node))
    if len(order) != len(entries) or not all(
        _same_result(report, node, entry) for node, entry in zip(order, entries, strict=True)
    ):  # pragma: no cover - a rudof release that lists results differently
        raise RuntimeError(f"{source}: rudof's report and its entries disagree")
    referrers = _Referrers(session)
    if owned is not None:
        kept = [
            (node, entry)
            for node, entry in zip(order, entries, strict=True)
            if _is_owned(owned, report.value(node, SH.focusNode), entry, referrers)
        ]
        order, entries = [node for node, _ in kept], [entry for _, entry in kept]
    names = _blank_names(report, order, entries, referrers, names_graph)
    return {
        issue_from_result(
            report, node, data=names_graph, shapes=shapes, names=names, shape_messages=True
        )
        for node in order
    }


def _is_owned(owned: Owned, focus: Node | None, entry: Any, referrers: _Referrers) -> bool:
    if focus is None:
        return True
    label = str(entry.focus_node) if isinstance(focus, BNode) else None
    return owned(focus, label, referrers)
