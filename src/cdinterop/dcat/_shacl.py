"""SHACL validation of DCAT graphs, reported as located [`Issue`][cdinterop.errors.Issue].

`validate_graph()` runs pySHACL and turns each top-level result of the report
(``sh:result``; nested ``sh:detail`` results only explain one of them) into an ``Issue``:

- ``location`` is ``"<focus node> <path>"``, both shortened with the data graph's
  prefixes (``dct:title``); a blank focus node is named through the triple pointing to it;
- ``code`` is ``shacl-violation``, ``shacl-warning`` or ``shacl-info`` by severity;
- ``message`` is the shape's own ``sh:message`` when it has one, else a sentence built from
  the constraint component and the shape's parameters ("missing (at least 1 required)"),
  else pySHACL's generated message;
- ``value`` is the offending ``sh:value`` (shortened), ``component`` the property path (or,
  for node-level results, the shape) at fault: what the summary counts.

Only violations make a graph invalid (`failures()`); warnings and infos are advice.
`summarize()` condenses a report to one line for the command line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Node

from cdinterop import limits
from cdinterop._extras import require
from cdinterop.errors import Issue, ReadError

__all__ = [
    "ADVISORY_CODES",
    "ShaclSummary",
    "failures",
    "issue_from_result",
    "summarize",
    "validate_graph",
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
        refs = sorted(
            (_short(data, s), _short(data, p))
            for s, p in data.subject_predicates(node)
            if not isinstance(s, BNode)
        )
        if refs:
            return f"{refs[0][0]}/{refs[0][1]}[]"
        return "[]"
    return _short(data, node)


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


def _message(report: Graph, shapes: Graph, data: Graph, result: Node) -> str:
    shape = report.value(result, SH.sourceShape)
    generated = report.value(result, SH.resultMessage)
    own = shape is not None and (shape, SH.message, None) in shapes
    if generated is not None and own:
        return _pick(list(report.objects(result, SH.resultMessage)))
    component = report.value(result, SH.sourceConstraintComponent)
    name = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    sentence = _SENTENCES.get(name)
    if sentence is not None:
        template, parameter = sentence
        if parameter is None:
            return template
        argument = shapes.value(shape, SH[parameter]) if shape is not None else None
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


def issue_from_result(report: Graph, result: Node, *, data: Graph, shapes: Graph) -> Issue:
    """One ``sh:ValidationResult`` of ``report`` as a located [`Issue`][cdinterop.errors.Issue]."""
    severity = report.value(result, SH.resultSeverity)
    code = _CODES.get(severity, "shacl-violation") if isinstance(severity, URIRef) else ""
    code = code or "shacl-violation"
    focus = _focus(data, report.value(result, SH.focusNode))
    path = _path(report, data, report.value(result, SH.resultPath))
    shape = report.value(result, SH.sourceShape)
    value = report.value(result, SH.value)
    at_fault = path or (_short(data, shape) if isinstance(shape, URIRef) else "")
    if not at_fault:
        component = report.value(result, SH.sourceConstraintComponent)
        at_fault = _short(data, component) if component is not None else ""
    return Issue(
        location=f"{focus} {path}".strip(),
        code=code,
        message=_message(report, shapes, data, result),
        value=None if value is None else _focus(data, value),
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


def validate_graph(data: Graph, shapes: Graph, *, source: str) -> list[Issue]:
    """Validate ``data`` against ``shapes`` (no inference); return every top-level result
    as an [`Issue`][cdinterop.errors.Issue], violations first, then in a stable order.

    ``source`` names the data for messages (a file name); the report itself is not kept.
    Shapes with SPARQL (constraints, targets, rules or functions: user-supplied shapes,
    never cdinterop's own) run in a child process stopped after the ``seconds`` reader
    limit (a [`LimitExceeded`][cdinterop.limits.LimitExceeded]): a query can take
    forever on a small graph. Core SHACL runs here.
    """
    _pyshacl()  # here, not in the child process: a missing extra is a plain error
    _refuse_remote_queries(shapes, source)
    if has_sparql(shapes):
        return _validate_in_child(data, shapes, source)
    return _issues(data, shapes, source)


def _pyshacl() -> Any:
    """The pySHACL package (extra ``validate``)."""
    return require("pyshacl", extra="validate", purpose="SHACL validation")


def _issues(data: Graph, shapes: Graph, source: str) -> list[Issue]:
    _conforms, report, _text = _pyshacl().validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    if not isinstance(report, Graph):  # pragma: no cover - pyshacl returns a Graph here
        raise TypeError(f"{source}: pySHACL returned no report graph")
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
