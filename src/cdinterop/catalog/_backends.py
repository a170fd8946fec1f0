"""The two back ends of the catalogue store behind one interface: an on-disk Oxigraph store
in this process (embedded) and a SPARQL 1.1 server reached over HTTP (remote).

Both speak in Oxigraph's terms (``pyoxigraph.Triple``, ``QuerySolutions``,
``QueryBoolean``): the remote back end parses the server's answers with Oxigraph's parsers,
so that everything above this module sees the same objects whichever store holds the data.

The remote back end uses the SPARQL 1.1 Protocol (``POST`` of ``query=`` to the query
endpoint, of ``application/sparql-update`` to the update endpoint) and the SPARQL 1.1 Graph
Store HTTP Protocol (``PUT``, ``GET`` and ``DELETE`` of ``?graph=IRI``). Every failure is a
[`ReadError`][cdinterop.errors.ReadError] (reading, querying, an unreachable server) or a
[`WriteError`][cdinterop.errors.WriteError] (writing), naming the server.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cdinterop.errors import ReadError, WriteError

if TYPE_CHECKING:
    import pyoxigraph as ox
    import requests

__all__ = ["Backend", "Embedded", "Endpoints", "Remote"]

_ONLY = " (queries only: SELECT, ASK, CONSTRUCT or DESCRIBE)"
_RESULTS_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
    "application/sparql-results+xml;q=0.5"
)


class Backend(Protocol):
    """What the catalogue store needs of a triple store."""

    location: str
    """Where the data is: a folder or a server's URL."""

    def replace_graphs(self, graphs: Mapping[str, Sequence[ox.Triple]]) -> None:
        """Make each named graph hold exactly its triples."""

    def drop_graphs(self, names: Iterable[str]) -> None:
        """Remove these named graphs (absent ones are ignored)."""

    def query(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """Run a read-only SPARQL query."""

    def update(self, sparql: str) -> None:
        """Run a SPARQL update."""

    def graph(self, name: str) -> list[ox.Triple]:
        """The triples of the named graph ``name`` (none when it is absent)."""

    def close(self) -> None:
        """Release the store (flushes an embedded store)."""


# -- embedded ----------------------------------------------------------------------------


class Embedded:
    """A persistent Oxigraph store in a folder (RocksDB underneath), opened in this process.

    Only one process may open a folder for writing at a time; ``read_only`` opens it for
    queries only (a write then fails)."""

    def __init__(self, folder: str | Path, *, read_only: bool = False, create: bool = True):
        import pyoxigraph as ox

        path = Path(folder)
        self.location = str(path)
        self.read_only = read_only
        exists = (path / "CURRENT").is_file()
        if path.exists() and not path.is_dir():
            raise ReadError(self.location, "not a folder; a catalogue store is a folder")
        if not exists and (read_only or not create):
            raise ReadError(
                self.location,
                "no catalogue store here; harvest data sets into it first "
                "(cdinterop catalog add FILE --store PATH)",
            )
        if path.exists() and not exists and any(path.iterdir()):
            raise ReadError(
                self.location,
                "the folder is not empty and holds no catalogue store; choose another",
            )
        try:
            self._store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as exc:
            raise ReadError(self.location, _open_reason(exc)) from None

    def _write_error(self, exc: Exception) -> WriteError:
        return WriteError(f"cannot write to the catalogue store {self.location}: {exc}")

    def replace_graphs(self, graphs: Mapping[str, Sequence[ox.Triple]]) -> None:
        """Remove the graphs, then add all their triples in one transaction."""
        import pyoxigraph as ox

        names = {name: ox.NamedNode(name) for name in graphs}
        try:
            for graph in names.values():
                self._store.remove_graph(graph)
            self._store.extend(
                ox.Quad(t.subject, t.predicate, t.object, names[name])
                for name, triples in graphs.items()
                for t in triples
            )
        except (OSError, RuntimeError) as exc:
            raise WriteError(
                f"cannot write to the catalogue store {self.location}: {exc}"
            ) from None

    def drop_graphs(self, names: Iterable[str]) -> None:
        """Remove each named graph in ``names``."""
        import pyoxigraph as ox

        try:
            for name in names:
                self._store.remove_graph(ox.NamedNode(name))
        except (OSError, RuntimeError) as exc:
            raise WriteError(
                f"cannot write to the catalogue store {self.location}: {exc}"
            ) from None

    def query(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """Run ``sparql``; the default graph is the union of the named graphs."""
        import pyoxigraph as ox

        try:
            answer = self._store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise ReadError("the SPARQL query", f"not valid SPARQL 1.1: {exc}{_ONLY}") from None
        except (OSError, RuntimeError) as exc:
            raise ReadError(self.location, f"the query failed: {exc}") from None
        if isinstance(answer, ox.QueryTriples):
            return list(answer)
        return answer

    def update(self, sparql: str) -> None:
        """Run the SPARQL update ``sparql``."""
        try:
            self._store.update(sparql)
        except SyntaxError as exc:
            raise WriteError(f"not a valid SPARQL 1.1 update: {exc}") from None
        except (OSError, RuntimeError) as exc:
            raise WriteError(
                f"cannot write to the catalogue store {self.location}: {exc}"
            ) from None

    def graph(self, name: str) -> list[ox.Triple]:
        """The triples of graph ``name``."""
        import pyoxigraph as ox

        quads = self._store.quads_for_pattern(None, None, None, ox.NamedNode(name))
        return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]

    def close(self) -> None:
        """Flush what was written (a read-only store has nothing to flush)."""
        if not self.read_only:
            self._store.flush()


def _open_reason(exc: OSError) -> str:
    text = str(exc)
    if "lock" in text.lower():
        return (
            "the store is open in another process (only one may write to it at a time); "
            "wait for it to finish, or use a SPARQL server (--store http://...)"
        )
    return f"cannot open the store: {text}"


# -- remote ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoints:
    """The URLs of a SPARQL 1.1 server: ``query`` and ``update`` (SPARQL 1.1 Protocol) and
    ``store`` (Graph Store HTTP Protocol). ``Endpoints.for_server(url)`` gives Oxigraph's
    layout (``/query``, ``/update``, ``/store``)."""

    query: str
    """The query endpoint."""
    update: str
    """The update endpoint."""
    store: str
    """The graph store endpoint."""

    @classmethod
    def for_server(cls, url: str) -> Endpoints:
        """The endpoints of a server whose root is ``url`` (Oxigraph's layout)."""
        root = url.rstrip("/")
        return cls(query=f"{root}/query", update=f"{root}/update", store=f"{root}/store")


class Remote:
    """A SPARQL 1.1 server, over HTTP with ``requests``. The default graph of a query is the
    server's (``oxigraph serve --union-default-graph`` makes it the union of the named
    graphs, as in the embedded store); the store's own queries name their graphs."""

    def __init__(self, url: str, *, endpoints: Endpoints | None = None, timeout: float = 60.0):
        import requests

        self.location = url
        self.endpoints = endpoints or Endpoints.for_server(url)
        self.timeout = timeout
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "cdinterop-catalog"

    def _send(self, method: str, url: str, *, writing: bool, **options: Any) -> requests.Response:
        import requests

        try:
            response = self._session.request(method, url, timeout=self.timeout, **options)
        except requests.RequestException as exc:
            reason = f"the SPARQL server does not answer ({type(exc).__name__}: {_first_line(exc)})"
            if writing:
                raise WriteError(f"cannot write to {self.location}: {reason}") from None
            raise ReadError(self.location, reason) from None
        return response

    def _fail(self, response: requests.Response, what: str, *, writing: bool) -> None:
        body = response.text.strip().splitlines()
        detail = f": {body[0][:300]}" if body else ""
        reason = f"{what} failed: HTTP {response.status_code} {response.reason}{detail}"
        if writing:
            raise WriteError(f"cannot write to {self.location}: {reason}")
        raise ReadError(self.location, reason)

    def replace_graphs(self, graphs: Mapping[str, Sequence[ox.Triple]]) -> None:
        """``PUT`` each graph's triples as N-Triples to the graph store."""
        for name, triples in graphs.items():
            self._put(name, triples)

    def _put(self, name: str, triples: Sequence[ox.Triple]) -> None:
        import pyoxigraph as ox

        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        response = self._send(
            "PUT",
            self.endpoints.store,
            writing=True,
            params={"graph": name},
            data=body,
            headers={"Content-Type": "application/n-triples"},
        )
        if response.status_code not in (200, 201, 204):
            self._fail(response, f"PUT of graph {name}", writing=True)

    def drop_graphs(self, names: Iterable[str]) -> None:
        """``DELETE`` each graph from the graph store (404: already absent)."""
        for name in names:
            response = self._send(
                "DELETE", self.endpoints.store, writing=True, params={"graph": name}
            )
            if response.status_code not in (200, 202, 204, 404):
                self._fail(response, f"DELETE of graph {name}", writing=True)

    def query(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """``POST`` the query to the query endpoint and parse the answer."""
        response = self._send(
            "POST",
            self.endpoints.query,
            writing=False,
            data={"query": sparql},
            headers={"Accept": _RESULTS_ACCEPT},
        )
        if response.status_code == 400:
            body = response.text.strip().splitlines()
            reason = body[0][:300] if body else "the server refused it"
            raise ReadError("the SPARQL query", f"the server refused it: {reason}{_ONLY}")
        if response.status_code != 200:
            self._fail(response, "the query", writing=False)
        return _parse_answer(response.content, response.headers.get("Content-Type", ""), self)

    def update(self, sparql: str) -> None:
        """``POST`` the update to the update endpoint."""
        response = self._send(
            "POST",
            self.endpoints.update,
            writing=True,
            data=sparql.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"},
        )
        if response.status_code not in (200, 204):
            self._fail(response, "the update", writing=True)

    def graph(self, name: str) -> list[ox.Triple]:
        """``GET`` the graph as N-Triples (none when the server says 404)."""
        response = self._send(
            "GET",
            self.endpoints.store,
            writing=False,
            params={"graph": name},
            headers={"Accept": "application/n-triples"},
        )
        if response.status_code == 404:
            return []
        if response.status_code != 200:
            self._fail(response, f"GET of graph {name}", writing=False)
        return _parse_triples(response.content, response.headers.get("Content-Type", ""), self)

    def close(self) -> None:
        """Close the HTTP session."""
        self._session.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    system = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if system is not None:
        return system.group(1).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _parse_answer(
    data: bytes, content_type: str, backend: Remote
) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
    """Parse a query answer by its media type: SPARQL results or RDF triples."""
    import pyoxigraph as ox

    media = _media_type(content_type)
    results = ox.QueryResultsFormat.from_media_type(media) if media else None
    if results is not None:
        try:
            return ox.parse_query_results(data, format=results)
        except (SyntaxError, ValueError) as exc:
            raise ReadError(backend.location, f"unreadable query results: {exc}") from None
    return _parse_triples(data, content_type, backend)


def _parse_triples(data: bytes, content_type: str, backend: Remote) -> list[ox.Triple]:
    """Parse an RDF answer (N-Triples, Turtle, ...) into triples."""
    import pyoxigraph as ox

    media = _media_type(content_type)
    rdf = ox.RdfFormat.from_media_type(media) if media else None
    if rdf is None:
        raise ReadError(backend.location, f"the server answered {media or 'no content type'}")
    try:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=rdf)]
    except (SyntaxError, ValueError) as exc:
        raise ReadError(backend.location, f"unreadable RDF from the server: {exc}") from None
