"""SHACL validation of DCAT graphs, reported as located [`Issue`][cdinterop.errors.Issue].

`validate_graph()` (an rdflib graph) and `validate_ntriples()` (an N-Triples file, such as a
catalogue of thousands of data sets) run a SHACL engine (`ENGINES`: pySHACL, or rudof,
compiled, from the extra ``fast``, for the SHACL Core it reports as pySHACL does; see
``docs/shacl.md``) and turn each top-level result of the report (``sh:result``; nested
``sh:detail`` results only explain one of them) into an ``Issue``, the same for every engine:

- ``location`` is ``"<focus node> <path>"``, both shortened with the data graph's
  prefixes (``dct:title``); a blank focus node is named through the triple pointing to it;
- ``code`` is ``shacl-violation``, ``shacl-warning`` or ``shacl-info`` by severity;
- ``message`` is the shape's own ``sh:message`` when it has one, else a sentence built from
  the constraint component and the shape's parameters ("missing (at least 1 required)"),
  else the engine's generated message (the one thing that can differ between engines, for
  components no sentence covers);
- ``value`` is the offending ``sh:value`` (shortened), ``component`` the property path (or,
  for node-level results, the shape) at fault: what the summary counts.

Only violations make a graph invalid (`failures()`); warnings and infos are advice.
`summarize()` condenses a report to one line for the command line.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Node

from cdinterop import limits
from cdinterop._extras import require
from cdinterop.dcat._files import parse_graph
from cdinterop.errors import Issue, ReadError

__all__ = [
    "ADVISORY_CODES",
    "ENGINES",
    "ShaclSummary",
    "blank_name",
    "choose_engine",
    "failures",
    "issue_from_result",
    "pyshacl_report",
    "summarize",
    "validate_graph",
    "validate_ntriples",
]

SH = Namespace("http://www.w3.org/ns/shacl#")

_CODES = {
    SH.Violation: "shacl-violation",
    SH.Warning: "shacl-warning",
    SH.Info: "shacl-info",
}
_RANK = {"shacl-violation": 0, "shacl-warning": 1, "shacl-info": 2}
ADVISORY_CODES = frozenset({"shacl-warning", "shacl-info"})
"""Issue codes that are reported but do not make a file invalid."""

# Sentences per constraint component; ``{name}`` is the shape's value of ``sh:name``.
_SENTENCES: dict[str, tuple[str, str | None]] = {
    "MinCount": ("missing (at least {} required)", "minCount"),
    "MaxCount": ("too many values (at most {} allowed)", "maxCount"),
    "Class": ("value is not a {}", "class"),
    "Datatype": ("value is not of datatype {}", "datatype"),
    "NodeKind": ("value is not of node kind {}", "nodeKind"),
    "In": ("value is not one of the allowed values", None),
    "HasValue": ("the value {} is required", "hasValue"),
    "Pattern": ("value does not match the pattern {}", "pattern"),
    "MinLength": ("value is shorter than {} characters", "minLength"),
    "MaxLength": ("value is longer than {} characters", "maxLength"),
    "MinInclusive": ("value is less than {}", "minInclusive"),
    "MaxInclusive": ("value is greater than {}", "maxInclusive"),
    "MinExclusive": ("value is not greater than {}", "minExclusive"),
    "MaxExclusive": ("value is not less than {}", "maxExclusive"),
    "LanguageIn": ("value has a language tag that is not allowed", None),
    "UniqueLang": ("more than one value in the same language", None),
    "Node": ("value does not conform to the shape {}", "node"),
    "QualifiedMinCount": ("too few conforming values (at least {} required)", "qualifiedMinCount"),
    "QualifiedMaxCount": ("too many conforming values (at most {} allowed)", "qualifiedMaxCount"),
    "Or": ("value conforms to none of the alternative shapes", None),
    "And": ("value does not conform to all of the required shapes", None),
    "Xone": ("value does not conform to exactly one of the alternative shapes", None),
    "Not": ("value conforms to a shape it must not conform to", None),
    "Closed": ("property not allowed by the closed shape", None),
    "Equals": ("values differ from those of {}", "equals"),
    "Disjoint": ("values overlap with those of {}", "disjoint"),
    "LessThan": ("value is not less than the value of {}", "lessThan"),
    "LessThanOrEquals": ("value is greater than the value of {}", "lessThanOrEquals"),
    "Sparql": ("the SPARQL constraint of the shape fails", None),
}


def _short(graph: Graph, node: Node | None) -> str:
    """An IRI as a prefixed name where the graph binds a prefix for it, else ``<iri>``;
    a literal as its lexical form."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return graph.namespace_manager.normalizeUri(node)
    if isinstance(node, BNode):
        return "[]"
    return str(node)


def _focus(data: Graph, node: Node | None) -> str:
    """The focus node; a blank node is named by the triple pointing to it (stable across
    runs, unlike blank node labels)."""
    if isinstance(node, BNode):
        return blank_name(data, data.subject_predicates(node))
    return _short(data, node)


def blank_name(data: Graph, referrers: Iterable[tuple[Node, Node]]) -> str:
    """The name of a blank node from the ``(subject, predicate)`` pairs pointing to it: the
    first IRI subject and its predicate (``dataset:DF_1/dcat:distribution[]``), else
    ``[]``. ``data`` only shortens the IRIs with its prefixes."""
    refs = sorted(
        (_short(data, s), _short(data, p)) for s, p in referrers if not isinstance(s, BNode)
    )
    if refs:
        return f"{refs[0][0]}/{refs[0][1]}[]"
    return "[]"


def _path(report: Graph, data: Graph, path: Node | None, depth: int = 0) -> str:
    """A SHACL property path in a compact SPARQL-like notation."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return _short(data, path)
    if depth > 5:
        return "…"
    if report.value(path, RDF.first) is not None:
        return "/".join(_path(report, data, p, depth + 1) for p in Collection(report, path))
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        inner = "|".join(
            _path(report, data, p, depth + 1) for p in Collection(report, alternatives)
        )
        return f"({inner})"
    for prop, text in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner_node = report.value(path, prop)
        if inner_node is not None:
            return text.format(_path(report, data, inner_node, depth + 1))
    return "[complex path]"


def _message(
    report: Graph, shapes: Graph, data: Graph, result: Node, *, shape_messages: bool = False
) -> str:
    shape = report.value(result, SH.sourceShape)
    generated = report.value(result, SH.resultMessage)
    own = shape is not None and (shape, SH.message, None) in shapes
    if own and shape_messages:
        return _pick(list(shapes.objects(shape, SH.message)))
    if generated is not None and own:
        return _pick(list(report.objects(result, SH.resultMessage)))
    component = report.value(result, SH.sourceConstraintComponent)
    name = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    sentence = _SENTENCES.get(name)
    if sentence is not None:
        template, parameter = sentence
        if parameter is None:
            return template
        arguments = shapes.objects(shape, SH[parameter]) if shape is not None else iter(())
        # several values (two sh:node on one property shape): the same one every run
        argument = min(arguments, key=lambda a: _short(data, a), default=None)
        if argument is not None:
            return template.format(_short(data, argument))
        if name == "MinCount":
            return template.format(1)
    if generated is not None:
        return _pick(list(report.objects(result, SH.resultMessage)))
    return f"does not satisfy {_short(data, component)}" if component else "does not conform"


def _pick(messages: Sequence[Node]) -> str:
    """An English message if there is one, else the first in a stable order."""
    ranked = sorted(
        messages,
        key=lambda m: (
            not (isinstance(m, Literal) and (m.language or "en").startswith("en")),
            str(m),
        ),
    )
    return str(ranked[0])


def issue_from_result(
    report: Graph,
    result: Node,
    *,
    data: Graph,
    shapes: Graph,
    names: Mapping[Node, str] | None = None,
    shape_messages: bool = False,
) -> Issue:
    """One ``sh:ValidationResult`` of ``report`` as a located [`Issue`][cdinterop.errors.Issue].

    ``names`` gives the names of blank nodes of the report that are not nodes of ``data``
    (an engine that validated a copy of the data); ``shape_messages`` takes the message
    of a shape with ``sh:message`` from ``shapes`` rather than from the report.
    """
    names = names or {}
    severity = report.value(result, SH.resultSeverity)
    code = _CODES.get(severity, "shacl-violation") if isinstance(severity, URIRef) else ""
    code = code or "shacl-violation"
    focus_node = report.value(result, SH.focusNode)
    focus = names.get(focus_node) if focus_node is not None else None
    focus = focus if focus is not None else _focus(data, focus_node)
    path = _path(report, data, report.value(result, SH.resultPath))
    shape = report.value(result, SH.sourceShape)
    value = report.value(result, SH.value)
    value_name = names.get(value) if value is not None else None
    at_fault = path or (_short(data, shape) if isinstance(shape, URIRef) else "")
    if not at_fault:
        component = report.value(result, SH.sourceConstraintComponent)
        at_fault = _short(data, component) if component is not None else ""
    if value_name is None and value is not None:
        value_name = _focus(data, value)
    return Issue(
        location=f"{focus} {path}".strip(),
        code=code,
        message=_message(report, shapes, data, result, shape_messages=shape_messages),
        value=value_name,
        component=at_fault or None,
    )


def _sort_key(issue: Issue) -> tuple[int, str, str, str, str]:
    return (
        _RANK.get(issue.code, 0),
        issue.location,
        issue.component or "",
        issue.message,
        "" if issue.value is None else str(issue.value),
    )


ENGINES = ("auto", "pyshacl", "rudof")
"""The SHACL engines of `validate_graph()` and `validate_ntriples()`: ``pyshacl`` (pure
Python, every feature), ``rudof`` (compiled, extra ``fast``; SHACL Core as pySHACL reports
it, shapes beyond that go to pySHACL) and ``auto`` (rudof when installed, else pySHACL)."""


def validate_graph(data: Graph, shapes: Graph, *, source: str, engine: str = "auto") -> list[Issue]:
    """Validate ``data`` against ``shapes`` (no inference); return every top-level result
    as an [`Issue`][cdinterop.errors.Issue], violations first, then in a stable order.

    ``source`` names the data for messages (a file name); the report itself is not kept.
    ``engine`` is one of `ENGINES`: every engine gives the same issues (``docs/shacl.md``).
    Shapes with SPARQL (constraints, targets, rules or functions: user-supplied shapes,
    never cdinterop's own) run with pySHACL in a child process stopped after the
    ``seconds`` reader limit (a [`LimitExceeded`][cdinterop.limits.LimitExceeded]): a
    query can take forever on a small graph. Core SHACL runs here.
    """
    chosen = choose_engine(engine, shapes, source)
    if chosen == "rudof" and len(data) and not _blind(data, shapes):
        from cdinterop.dcat._shacl_rudof import rudof_issues

        text = data.serialize(format="nt", encoding="utf-8").decode("utf-8")
        return sorted(rudof_issues(text, shapes, names_graph=data, source=source), key=_sort_key)
    if has_sparql(shapes):
        return _validate_in_child(data, shapes, source)
    return _issues(data, shapes, source)


def _rudof_ntriples(data: Path | str, shapes: Graph, source: str) -> set[Issue] | None:
    """rudof's issues for N-Triples ``data``: in parts when it is large, in one piece
    when rudof can take it whole; ``None`` to leave it to pySHACL."""
    from cdinterop.dcat._shacl_parts import PART_TRIPLES, read_text, validate_in_parts
    from cdinterop.dcat._shacl_rudof import literal_blind_predicates, rudof_issues

    text = read_text(data)
    if text.count("\n") > PART_TRIPLES:
        issues = validate_in_parts(text, shapes, source=source)
        if issues is not None:
            return issues
    blind = {f"<{p}>" for p in literal_blind_predicates(shapes)}
    if not text.strip() or _has_literal_of(text, blind):
        return None
    return rudof_issues(data, shapes, names_graph=Graph(), source=source)


def _has_literal_of(text: str, predicates: set[str]) -> bool:
    """Whether a line of N-Triples ``text`` has one of ``predicates`` and a literal object."""
    if not predicates:
        return False
    for line in io.StringIO(text):
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[1] in predicates and parts[2][:1] == '"':
            return True
    return False


def _blind(data: Graph, shapes: Graph) -> bool:
    """Whether ``data`` has a literal that rudof would validate wrongly against ``shapes``."""
    from cdinterop.dcat._shacl_rudof import has_blind_literal, literal_blind_predicates

    return has_blind_literal(data, literal_blind_predicates(shapes))


def choose_engine(engine: str, shapes: Graph, source: str) -> str:
    """The engine that validates against ``shapes``: ``pyshacl`` or ``rudof``.

    ``auto`` takes rudof when it is installed and the shapes are within what it reports
    as pySHACL does; ``rudof`` requires it (a
    [`MissingExtraError`][cdinterop.errors.MissingExtraError] naming the extra ``fast``)
    but still leaves shapes beyond that to pySHACL. Shapes whose SPARQL calls ``SERVICE``
    are refused here ([`ReadError`][cdinterop.errors.ReadError]), whatever the engine.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}: expected one of {', '.join(ENGINES)}")
    _refuse_remote_queries(shapes, source)
    from cdinterop.dcat._shacl_rudof import has_rudof, require_rudof, unsupported

    if engine == "rudof":
        require_rudof()
    elif engine == "pyshacl" or not has_rudof():
        _pyshacl()  # here, not in a child process: a missing extra is a plain error
        return "pyshacl"
    if has_sparql(shapes) or unsupported(shapes):
        _pyshacl()
        return "pyshacl"
    return "rudof"


def validate_ntriples(
    data: Path | str, shapes: Graph, *, source: str | None = None, engine: str = "auto"
) -> list[Issue]:
    """Validate N-Triples ``data`` (a file, or the text itself) against ``shapes``, as
    `validate_graph()` would once the data is parsed, without building an rdflib graph
    when rudof validates (a catalogue of thousands of data sets: ``docs/shacl.md``).

    Names are shortened with rdflib's default prefixes (N-Triples declares none).
    """
    where = source or (str(data) if isinstance(data, Path) else "N-Triples")
    chosen = choose_engine(engine, shapes, where)
    if chosen == "rudof":
        issues = _rudof_ntriples(data, shapes, where)
        if issues is not None:
            return sorted(issues, key=_sort_key)
    try:
        text = data.read_bytes() if isinstance(data, Path) else data.encode("utf-8")
    except OSError as exc:
        raise ReadError(where, exc.strerror or str(exc)) from None
    unlimited = max(len(text), 1) * 2  # no reader limits here, as with rudof
    graph = parse_graph(text, "nt", source=where, max_bytes=unlimited, max_triples=unlimited)
    return validate_graph(graph, shapes, source=where, engine="pyshacl")


def _pyshacl() -> Any:
    """The pySHACL package (extra ``validate``)."""
    return require("pyshacl", extra="validate", purpose="SHACL validation")


def pyshacl_report(data: Graph, shapes: Graph) -> Graph:
    """pySHACL's report of ``data`` against ``shapes`` (no inference, SHACL-AF on).

    pySHACL needs a graph-aware rdflib store: a graph in another store is copied (its
    terms, blank nodes included, are the same objects)."""
    if not getattr(data.store, "graph_aware", True):
        copy = Graph()
        for triple in data:
            copy.add(triple)
        data = copy
    _conforms, report, _text = _pyshacl().validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    if not isinstance(report, Graph):  # pragma: no cover - pyshacl returns a Graph here
        raise TypeError("pySHACL returned no report graph")
    return report


def _issues(data: Graph, shapes: Graph, source: str) -> list[Issue]:
    try:
        report = pyshacl_report(data, shapes)
    except TypeError as exc:  # pragma: no cover - pyshacl returns a Graph here
        raise TypeError(f"{source}: {exc}") from None
    issues = {
        issue_from_result(report, result, data=data, shapes=shapes)
        for result in report.objects(None, SH.result)
    }
    return sorted(issues, key=_sort_key)


def has_sparql(shapes: Graph) -> bool:
    """Whether ``shapes`` hold a SPARQL query (``sh:select``, ``sh:ask``,
    ``sh:construct`` or ``sh:update``), which only a time limit can bound."""
    return any(
        next(iter(shapes.triples((None, SH[predicate], None))), None) is not None
        for predicate in _SPARQL_TEXTS
    )


def _child(connection: Any, data: Any, shapes: Any, source: str) -> None:  # pragma: no cover
    """Validate in the child process and send back ``("ok", issues)`` or the error."""
    try:
        if isinstance(data, bytes):  # spawned: the graphs come as N-Triples
            data = Graph().parse(data=data, format="nt")
            shapes = Graph().parse(data=shapes, format="nt")
        connection.send(("ok", _issues(data, shapes, source)))
    except BaseException as exc:
        try:
            connection.send(("error", exc))
        except Exception:
            connection.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        connection.close()


def _validate_in_child(data: Graph, shapes: Graph, source: str) -> list[Issue]:
    """Run `_issues()` in a child process (forked where the system can: the graphs are
    not copied) and kill it at the deadline."""
    import multiprocessing

    seconds = limits.current().seconds
    fork = "fork" in multiprocessing.get_all_start_methods()
    context: Any = multiprocessing.get_context("fork" if fork else "spawn")
    receiver, sender = context.Pipe(duplex=False)
    args: tuple[Any, ...] = (
        (sender, data, shapes, source)
        if fork
        else (sender, data.serialize(format="nt", encoding="utf-8"),
              shapes.serialize(format="nt", encoding="utf-8"), source)
    )  # fmt: skip
    child = context.Process(target=_child, args=args, daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise limits.LimitExceeded(
                source,
                "SHACL validation with SPARQL ran longer than the limit and was stopped",
                "seconds",
                seconds,
            )
        outcome, value = receiver.recv()
    except EOFError:
        raise ReadError(
            source, f"SHACL validation stopped without a result (exit {child.exitcode})"
        ) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome == "error":
        raise value
    issues: list[Issue] = value
    return issues


_SPARQL_TEXTS = ("select", "ask", "construct", "update")
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


def _refuse_remote_queries(shapes: Graph, source: str) -> None:
    """Shapes whose SPARQL constraints call ``SERVICE`` would query other hosts while
    validating; cdinterop never reaches the network, so they are refused before running."""
    for predicate in _SPARQL_TEXTS:
        for shape, query in shapes.subject_objects(SH[predicate]):
            if _SERVICE.search(str(query)):
                raise ReadError(
                    source,
                    f"the SHACL shapes hold a SPARQL query with SERVICE (sh:{predicate} of "
                    f"{_short(shapes, shape)}): a query that reaches other hosts is not run",
                )


def failures(issues: Iterable[Issue]) -> list[Issue]:
    """The issues that make a file invalid: all but SHACL warnings and infos."""
    return [issue for issue in issues if issue.code not in ADVISORY_CODES]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class ShaclSummary:
    """Counts of a SHACL report: per severity and the most frequent paths or shapes."""

    violations: int
    warnings: int
    infos: int
    most_frequent: tuple[tuple[str, int], ...]
    """(path or shape, number of results), most frequent first, at most three."""

    def __str__(self) -> str:
        counts = [_plural(self.violations, "violation"), _plural(self.warnings, "warning")]
        if self.infos:
            counts.append(_plural(self.infos, "info"))
        text = ", ".join(counts)
        if self.most_frequent:
            top = ", ".join(f"{name} ({n})" for name, n in self.most_frequent)
            text += f"; most frequent: {top}"
        return text

    def to_dict(self) -> dict[str, object]:
        """The summary as a JSON-friendly dict."""
        return {
            "violations": self.violations,
            "warnings": self.warnings,
            "infos": self.infos,
            "most_frequent": [{"path": name, "count": n} for name, n in self.most_frequent],
        }


def summarize(issues: Iterable[Issue], *, top: int = 3) -> ShaclSummary:
    """Count the SHACL issues among ``issues`` by severity and by path (or shape)."""
    shacl = [issue for issue in issues if issue.code in _RANK]
    severities = Counter(issue.code for issue in shacl)
    places = Counter(issue.component or issue.location for issue in shacl)
    ranked = sorted(places.items(), key=lambda item: (-item[1], item[0]))[:top]
    return ShaclSummary(
        violations=severities["shacl-violation"],
        warnings=severities["shacl-warning"],
        infos=severities["shacl-info"],
        most_frequent=tuple(ranked),
    )
