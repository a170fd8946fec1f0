"""What a SPARQL query of the catalogue returns: rows, a boolean or a graph, in rdflib terms,
with JSON and CSV forms for the command line."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

from cdinterop.catalog._terms import from_oxigraph, rdflib_graph

if TYPE_CHECKING:
    import pyoxigraph as ox

__all__ = ["QueryResult", "result_of"]


@dataclass(frozen=True)
class QueryResult:
    """The answer to a SPARQL query: ``rows`` for SELECT (one tuple of rdflib terms per
    solution, ``None`` where a variable is unbound, in the order of ``variables``),
    ``boolean`` for ASK, ``graph`` (an ``rdflib.Graph``) for CONSTRUCT and DESCRIBE."""

    form: Literal["select", "ask", "graph"]
    """Which kind of answer: ``select``, ``ask`` or ``graph``."""
    variables: tuple[str, ...] = ()
    """The variables of a SELECT, in order."""
    rows: tuple[tuple[Node | None, ...], ...] = ()
    """The solutions of a SELECT."""
    boolean: bool | None = None
    """The answer of an ASK."""
    graph: Graph | None = field(default=None, compare=False)
    """The triples of a CONSTRUCT or DESCRIBE."""

    def records(self) -> list[dict[str, str | None]]:
        """The SELECT rows as dicts of plain strings (IRIs, literal values, ``_:`` labels)."""
        return [
            {name: _text(value) for name, value in zip(self.variables, row, strict=True)}
            for row in self.rows
        ]

    def to_json(self) -> str:
        """The answer in the SPARQL 1.1 Query Results JSON format (rows and booleans) or as
        N-Triples in a JSON string (graphs)."""
        if self.form == "ask":
            return json.dumps({"head": {}, "boolean": self.boolean})
        if self.form == "graph":
            assert self.graph is not None
            return json.dumps({"ntriples": self.graph.serialize(format="nt")})
        bindings = [
            {
                name: _binding(value)
                for name, value in zip(self.variables, row, strict=True)
                if value is not None
            }
            for row in self.rows
        ]
        return json.dumps(
            {"head": {"vars": list(self.variables)}, "results": {"bindings": bindings}},
            ensure_ascii=False,
        )

    def to_csv(self) -> str:
        """The answer as CSV: a header of variables and one line per row (SPARQL 1.1 Query
        Results CSV); ``result`` and ``true``/``false`` for ASK; s,p,o for a graph."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        if self.form == "ask":
            writer.writerows([["result"], ["true" if self.boolean else "false"]])
        elif self.form == "graph":
            assert self.graph is not None
            writer.writerow(["subject", "predicate", "object"])
            writer.writerows([_text(t) for t in triple] for triple in sorted(self.graph))
        else:
            writer.writerow(self.variables)
            writer.writerows([_text(v) or "" for v in row] for row in self.rows)
        return buffer.getvalue()


def _text(value: Node | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, BNode):
        return f"_:{value}"
    return str(value)


def _binding(value: Node) -> dict[str, Any]:
    if isinstance(value, URIRef):
        return {"type": "uri", "value": str(value)}
    if isinstance(value, BNode):
        return {"type": "bnode", "value": str(value)}
    assert isinstance(value, RdfLiteral)
    found: dict[str, Any] = {"type": "literal", "value": str(value)}
    if value.language:
        found["xml:lang"] = value.language
    elif value.datatype is not None:
        found["datatype"] = str(value.datatype)
    return found


def result_of(answer: ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]) -> QueryResult:
    """The public form of a back end's answer."""
    import pyoxigraph as ox

    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(answer))
    if isinstance(answer, list):
        graph = rdflib_graph(answer)
        return QueryResult("graph", graph=graph)
    variables = tuple(v.value for v in answer.variables)
    rows = tuple(tuple(from_oxigraph(solution[name]) for name in variables) for solution in answer)
    return QueryResult("select", variables=variables, rows=rows)
