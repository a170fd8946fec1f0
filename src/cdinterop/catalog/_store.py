"""The catalogue store: harvest DCAT files into named graphs, list, query, export."""

from __future__ import annotations

import builtins
import hashlib
import itertools
import os
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal

from rdflib import Graph, URIRef

from cdinterop.catalog._backends import Backend, Embedded, Endpoints, Remote
from cdinterop.catalog._describe import Description, describe
from cdinterop.catalog._inputs import harvest_files
from cdinterop.catalog._profile import normalise, problems
from cdinterop.catalog._records import (
    Harvest,
    SourceFile,
    activity_triples,
    record_triples,
)
from cdinterop.catalog._results import QueryResult, result_of
from cdinterop.catalog._terms import rdflib_graph, restore_datatypes, to_oxigraph
from cdinterop.catalog._vocab import (
    DATASET_GRAPH,
    GRAPH_PREFIX,
    dataset_graph,
    harvest_graph,
    prologue,
)
from cdinterop.dcat import DEFAULT_BASE_IRI, read_graph
from cdinterop.errors import CdinteropError, ReadError

if TYPE_CHECKING:
    import pyoxigraph as ox

    from cdinterop.model import Catalog

__all__ = [
    "DEFAULT_STORE",
    "STORE_ENV",
    "CatalogEntry",
    "CatalogStore",
    "HarvestEntry",
    "HarvestReport",
    "open_store",
]

DEFAULT_STORE = "catalog-store"
"""The folder of the embedded store when neither a location nor ``$CDINTEROP_CATALOG_STORE``
is given (relative to the working directory)."""
STORE_ENV = "CDINTEROP_CATALOG_STORE"
"""The environment variable naming the default store (a folder or an ``http(s)://`` URL)."""

Outcome = Literal["added", "replaced", "skipped", "failed"]


@dataclass(frozen=True)
class HarvestEntry:
    """What became of one data set (or of a whole file that could not be read)."""

    file: str
    """The file, as given."""
    outcome: Outcome
    """``added`` (new), ``replaced`` (an older copy with the same identifier was replaced),
    ``skipped`` (the data set cannot enter the catalogue) or ``failed`` (the file cannot be
    read)."""
    identifier: str | None = None
    """The data set's identifier (``dct:identifier``, else its IRI); ``None`` for a file."""
    dataset: str | None = None
    """The data set's IRI, or how the file names it."""
    reason: str = ""
    """Why it was skipped or failed."""


@dataclass(frozen=True)
class HarvestReport:
    """What ``add()`` did: one entry per data set found (and per unreadable file)."""

    entries: tuple[HarvestEntry, ...]
    """Every outcome, in the order of the files."""
    harvest: str
    """The IRI of the harvest activity the new records point to."""
    files: int
    """How many files were read."""
    seconds: float = field(default=0.0, compare=False)
    """How long the harvest took."""

    def _of(self, outcome: Outcome) -> tuple[HarvestEntry, ...]:
        return tuple(e for e in self.entries if e.outcome == outcome)

    @property
    def added(self) -> tuple[HarvestEntry, ...]:
        """Data sets new to the store."""
        return self._of("added")

    @property
    def replaced(self) -> tuple[HarvestEntry, ...]:
        """Data sets that replaced an older copy with the same identifier."""
        return self._of("replaced")

    @property
    def skipped(self) -> tuple[HarvestEntry, ...]:
        """Data sets left out, with the reason."""
        return self._of("skipped")

    @property
    def failed(self) -> tuple[HarvestEntry, ...]:
        """Files that could not be read, with the reason."""
        return self._of("failed")

    @property
    def ok(self) -> bool:
        """Whether every file could be read (skipped data sets are not failures)."""
        return not self.failed

    def to_dict(self) -> dict[str, object]:
        """The report as JSON-friendly data."""
        return {
            "harvest": self.harvest,
            "files": self.files,
            "seconds": round(self.seconds, 3),
            "counts": {o: len(self._of(o)) for o in ("added", "replaced", "skipped", "failed")},
            "entries": [e.__dict__ for e in self.entries],
        }


@dataclass(frozen=True)
class CatalogEntry:
    """One data set of the store, as ``list()`` shows it."""

    identifier: str
    """Its identifier (the de-duplication key)."""
    dataset: str
    """Its IRI."""
    title: str | None
    """Its title (English, else untagged, else the first)."""
    publisher: str | None
    """Its publisher's name (``foaf:name``), else the publisher's IRI."""
    source: str
    """The name of the file it was harvested from."""
    sha256: str | None
    """The SHA-256 of that file."""
    harvested: str
    """When it was last harvested (``dct:modified`` of its record, ISO 8601, UTC)."""
    listed: str
    """When it was first harvested (``dct:issued`` of its record)."""


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _source_file(path: Path) -> SourceFile:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise ReadError(str(path), exc.strerror or str(exc)) from None
    return SourceFile(
        name=path.name,
        suffix=path.suffix.lower(),
        sha256=digest.hexdigest(),
        modified=datetime.fromtimestamp(int(mtime), UTC),
    )


def _literal(sparql: str) -> str:
    """``sparql`` as the body of a SPARQL string literal."""
    return sparql.replace("\\", "\\\\").replace('"', '\\"')


_LIST = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX spdx: <http://spdx.org/rdf/terms#>
SELECT ?id ?ds ?title ?pub ?name ?file ?sha ?modified ?issued WHERE {
  GRAPH ?g {
    ?r a dcat:CatalogRecord ; dct:source ?src ; dct:identifier ?id ; foaf:primaryTopic ?ds ;
       dct:modified ?modified ; dct:issued ?issued .
    ?src dct:title ?file .
    OPTIONAL { ?src spdx:checksum/spdx:checksumValue ?sha }
    OPTIONAL { ?ds dct:title ?title }
    OPTIONAL { ?ds dct:publisher ?pub OPTIONAL { ?pub foaf:name ?name } }
  }
  FILTER(STRSTARTS(STR(?g), "%s"))
}
"""
_ISSUED = """
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?g ?issued WHERE { VALUES ?g { %s } GRAPH ?g { ?r dct:source ?s ; dct:issued ?issued } }
"""
_RECORDS = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?ds ?r WHERE {
  GRAPH ?g { ?r a dcat:CatalogRecord ; dct:source ?src ; foaf:primaryTopic ?ds }
  FILTER(STRSTARTS(STR(?g), "%s"))
}
"""
_GRAPHS = 'SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "%s")) }'


class CatalogStore:
    """Many organisations' DCAT descriptions in one store: each data set in its own named
    graph with its harvest record. Open one with [`open_store()`][cdinterop.catalog.open_store];
    use it as a context manager (or call ``close()``) so that an embedded store is released."""

    def __init__(self, backend: Backend, *, base_iri: str = DEFAULT_BASE_IRI) -> None:
        self._backend = backend
        self.base_iri = base_iri
        """The IRI under which records, harvest activities and blank-node data sets are
        minted."""

    @property
    def location(self) -> str:
        """The store's folder or the server's URL."""
        return self._backend.location

    @property
    def remote(self) -> bool:
        """Whether the store is a SPARQL server."""
        return isinstance(self._backend, Remote)

    def __enter__(self) -> CatalogStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the store."""
        self._backend.close()

    # -- harvest -------------------------------------------------------------------------

    def add(self, files: Iterable[str | Path]) -> HarvestReport:
        """Harvest DCAT files (Turtle, RDF/XML, JSON-LD, N-Triples; folders and glob
        patterns are expanded): every ``dcat:Dataset`` goes, with its catalogue record, into
        the named graph of its identifier, replacing an older copy. A file that cannot be
        read is a ``failed`` entry of the report, a data set that cannot enter the
        catalogue a ``skipped`` one; the other files are still harvested."""
        clock = time.perf_counter()
        run = str(uuid.uuid4())
        harvest = Harvest(
            iri=URIRef(f"{self.base_iri}catalog/harvest/{run}"),
            agent=URIRef(f"{self.base_iri}catalog/agent/cdinterop"),
            started=_now(),
        )
        paths = harvest_files(files)
        entries: list[HarvestEntry] = []
        for path in paths:
            entries.extend(self._add_file(path, harvest))
        activity = activity_triples(harvest, _now(), len(paths))
        self._backend.replace_graphs({harvest_graph(run): to_oxigraph(activity, "harvest")})
        return HarvestReport(
            tuple(entries), str(harvest.iri), len(paths), time.perf_counter() - clock
        )

    def _add_file(self, path: Path, harvest: Harvest) -> list[HarvestEntry]:
        name = str(path)
        try:
            source = _source_file(path)
            graph = read_graph(path)
        except ReadError as exc:
            return [HarvestEntry(name, "failed", reason=exc.reason)]
        found, unusable = describe(graph, f"{self.base_iri}catalog/")
        entries = [HarvestEntry(name, "skipped", dataset=u.node, reason=u.reason) for u in unusable]
        if not found and not unusable:
            return [HarvestEntry(name, "skipped", reason="the file describes no dcat:Dataset")]
        issued = self._issued([d.identifier for d in found])
        pending: dict[str, builtins.list[ox.Triple]] = {}
        for description in found:
            entry, triples = self._prepare(name, description, source, harvest, issued)
            entries.append(entry)
            if triples is not None:
                pending[dataset_graph(description.identifier)] = triples
        self._backend.replace_graphs(pending)
        return entries

    def _prepare(
        self,
        name: str,
        description: Description,
        source: SourceFile,
        harvest: Harvest,
        issued: dict[str, datetime | None],
    ) -> tuple[HarvestEntry, builtins.list[ox.Triple] | None]:
        """The outcome for one data set, and the triples of its graph unless skipped."""
        identifier, graph = description.identifier, description.graph
        skipped = HarvestEntry(name, "skipped", identifier, str(description.node))
        normalise(graph)
        wrong = problems(graph)
        if wrong:
            more = f"; and {len(wrong) - 5} more" if len(wrong) > 5 else ""
            return replace(skipped, reason="; ".join(wrong[:5]) + more), None
        key = dataset_graph(identifier)
        record = record_triples(
            identifier,
            description.node,
            base_iri=self.base_iri,
            source=source,
            harvest=harvest,
            issued=issued.get(key),
        )
        try:
            triples = to_oxigraph(itertools.chain(graph, record), name)
        except ReadError as exc:
            return replace(skipped, reason=exc.reason), None
        outcome: Outcome = "replaced" if key in issued else "added"
        issued.setdefault(key, harvest.started)
        return replace(skipped, outcome=outcome), triples

    def _issued(self, identifiers: list[str]) -> dict[str, datetime | None]:
        """When each of these data sets was first listed, for those already in the store."""
        if not identifiers:
            return {}
        values = " ".join(f"<{dataset_graph(i)}>" for i in dict.fromkeys(identifiers))
        answer = result_of(self._backend.query(_ISSUED % values))
        found: dict[str, datetime | None] = {}
        for graph, issued in answer.rows:
            try:
                found[str(graph)] = datetime.fromisoformat(str(issued))
            except ValueError:
                found[str(graph)] = None
        return found

    # -- reading -------------------------------------------------------------------------

    def list(self) -> tuple[CatalogEntry, ...]:
        """Every data set of the store, sorted by identifier."""
        answer = result_of(self._backend.query(_LIST % _literal(DATASET_GRAPH)))
        grouped: dict[str, list[dict[str, str | None]]] = {}
        for row, record in zip(answer.rows, answer.records(), strict=True):
            title = row[answer.variables.index("title")]
            record["lang"] = getattr(title, "language", None)
            grouped.setdefault(str(record["id"]), []).append(record)
        return tuple(_entry(rows) for _key, rows in sorted(grouped.items()))

    def query(self, sparql: str) -> QueryResult:
        """Run a read-only SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE). In the
        embedded store the default graph is the union of all graphs; name a graph with
        ``GRAPH`` to look at one data set. The usual prefixes (``dcat:``, ``dct:``,
        ``foaf:``, ``prov:``, ``skos:``, ``xsd:``, ...) are declared. An update is refused (a
        [`ReadError`][cdinterop.errors.ReadError]): the query endpoint runs queries only."""
        return result_of(self._backend.query(prologue() + sparql))

    def description(self, identifier: str) -> Graph:
        """The named graph of one data set (its description and catalogue record) as an
        ``rdflib.Graph``; empty when the store has no such data set."""
        triples = restore_datatypes(self._backend.graph(dataset_graph(identifier)))
        return rdflib_graph(triples)

    def remove(self, identifiers: Iterable[str]) -> None:
        """Remove these data sets (their descriptions and records) from the store."""
        self._backend.drop_graphs(dataset_graph(i) for i in identifiers)

    def clear(self) -> None:
        """Remove every data set and harvest activity (one SPARQL update)."""
        answer = result_of(self._backend.query(_GRAPHS % _literal(GRAPH_PREFIX)))
        names = [str(row[0]) for row in answer.rows]
        if names:
            self._backend.update(";\n".join(f"DROP SILENT GRAPH <{n}>" for n in names))

    def __len__(self) -> int:
        """How many data sets the store holds."""
        answer = result_of(self._backend.query(_GRAPHS % _literal(DATASET_GRAPH)))
        return len(answer.rows)

    # -- export --------------------------------------------------------------------------

    def to_graph(self, catalog: Catalog | None = None) -> Graph:
        """The whole catalogue (see [`export()`][cdinterop.catalog.CatalogStore.export]) as an
        ``rdflib.Graph``: handy for SHACL; ``export()`` is faster for files."""
        from cdinterop.catalog._export import catalogue_triples

        triples = catalogue_triples(self._backend, catalog, self._records(), self.base_iri)
        return rdflib_graph(triples)

    def export(
        self, target: str | Path, catalog: Catalog | None = None, *, format: str | None = None
    ) -> Path:
        """Write one DCAT-AP 3.0.1 catalogue of every data set to ``target`` atomically: a
        ``dcat:Catalog`` (``catalog``'s title, description and publisher; a default
        "Citizen Data Commons" without one) with ``dcat:dataset`` and ``dcat:record`` for
        each, the descriptions, the records and the harvest activities. The format follows
        the suffix (``.ttl``, ``.nt``, ``.rdf``/``.xml``, ``.jsonld``) unless ``format``
        (``turtle``, ``nt``, ``xml``, ``json-ld``) is given. Returns the path."""
        from cdinterop.catalog._export import catalogue_triples, write_triples

        triples = catalogue_triples(self._backend, catalog, self._records(), self.base_iri)
        return write_triples(triples, Path(target), format)

    def _records(self) -> builtins.list[tuple[str, str]]:
        answer = result_of(self._backend.query(_RECORDS % _literal(DATASET_GRAPH)))
        return sorted((str(ds), str(record)) for ds, record in answer.rows)


def _preferred(rows: list[dict[str, str | None]]) -> str | None:
    """The English title, else an untagged one, else the first."""
    titled = sorted((r for r in rows if r["title"] is not None), key=lambda r: str(r["title"]))
    for wanted in ("en", None):
        for row in titled:
            if (row["lang"] or None) == wanted or (wanted and str(row["lang"]).startswith("en-")):
                return row["title"]
    return titled[0]["title"] if titled else None


def _entry(rows: list[dict[str, str | None]]) -> CatalogEntry:
    first = rows[0]
    names = sorted({r["name"] for r in rows if r["name"]})
    return CatalogEntry(
        identifier=str(first["id"]),
        dataset=str(first["ds"]),
        title=_preferred(rows),
        publisher=names[0] if names else first["pub"],
        source=str(first["file"]),
        sha256=first["sha"],
        harvested=str(first["modified"]),
        listed=str(first["issued"]),
    )


def open_store(
    location: str | Path | None = None,
    *,
    read_only: bool = False,
    base_iri: str = DEFAULT_BASE_IRI,
    endpoints: Endpoints | None = None,
    timeout: float = 60.0,
) -> CatalogStore:
    """Open a catalogue store: a folder (an embedded Oxigraph store, created on first
    write) or the URL of a SPARQL 1.1 server (``http://host:port``; the query, update and
    graph store endpoints default to Oxigraph's ``/query``, ``/update`` and ``/store``, or
    pass ``endpoints``). Without a location: ``$CDINTEROP_CATALOG_STORE``, else the folder
    ``catalog-store`` in the working directory. ``read_only`` opens an embedded store for
    reading (it must exist), so that several processes may read it. A server that does not
    answer is reported by the first call that needs it."""
    chosen = str(location) if location is not None else os.environ.get(STORE_ENV) or DEFAULT_STORE
    if chosen.startswith(("http://", "https://")):
        return CatalogStore(Remote(chosen, endpoints=endpoints, timeout=timeout), base_iri=base_iri)
    if "://" in chosen:
        raise CdinteropError(
            f"cannot open the catalogue store {chosen}: use a folder or an http(s):// URL"
        )
    return CatalogStore(Embedded(chosen, read_only=read_only), base_iri=base_iri)
