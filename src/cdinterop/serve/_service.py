"""The SDMX REST service without its web framework: a query in, an answer out.

[`Service`][cdinterop.serve.Service] answers data, structure and catalogue queries from the
loaded output folders: it parses the query, picks the data sets, filters their
observation tables, negotiates the representation and writes it with cdinterop's own
writers. Answers up to [`CACHE_ITEM_BYTES`][cdinterop.serve._service.CACHE_ITEM_BYTES] are
kept in a bounded cache (the data never change while the service runs); larger ones are
written to a temporary file (in memory up to a few MiB, then on disk) and streamed.
"""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from cdinterop.model import Catalog, CitizenDataset
from cdinterop.sdmx import DataFormat
from cdinterop.serve._catalogue import ServedCatalogue, ServedDataset
from cdinterop.serve._dcat import RDF_OFFERS, RDF_WORDS, describe_service, render_catalog
from cdinterop.serve._errors import NO_RESULTS, NOT_ACCEPTABLE, NOT_IMPLEMENTED, ServiceError
from cdinterop.serve._filter import select
from cdinterop.serve._formats import choose_data_format, choose_structure_version
from cdinterop.serve._negotiate import negotiate
from cdinterop.serve._query import (
    DataQuery,
    Selector,
    parse_data_query,
    parse_query_string,
    parse_structure_query,
)
from cdinterop.serve._structures import StructurePool, build_pools

__all__ = ["CACHE_BYTES", "CACHE_ITEM_BYTES", "Answer", "Service"]

CACHE_BYTES = 64 * 1024 * 1024
"""How many bytes of answers the service keeps in memory."""
CACHE_ITEM_BYTES = 4 * 1024 * 1024
"""The largest answer kept in the cache (larger ones are written for each request)."""
SPOOL_BYTES = 8 * 1024 * 1024
"""An answer being written stays in memory up to this size, then goes to a temporary file."""
CHUNK_BYTES = 256 * 1024
"""The size of the chunks a large answer is streamed in."""


@dataclass
class Answer:
    """A successful answer: its body (bytes, or a temporary file to stream and close) and
    media type."""

    media_type: str
    body: bytes = b""
    stream: IO[bytes] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def chunks(self) -> Iterator[bytes]:
        """The body in chunks (closing the temporary file at the end)."""
        if self.stream is None:
            yield self.body
            return
        try:
            self.stream.seek(0)
            while chunk := self.stream.read(CHUNK_BYTES):
                yield chunk
        finally:
            self.stream.close()


class _Cache:
    """A least-recently-used cache of answers, bounded in bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[tuple[Any, ...], tuple[str, bytes]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> tuple[str, bytes] | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], media_type: str, body: bytes) -> None:
        if len(body) > min(CACHE_ITEM_BYTES, self.limit):
            return
        with self.lock:
            if key in self.items:
                return
            self.items[key] = (media_type, body)
            self.size += len(body)
            while self.size > self.limit:
                _, (_, old) = self.items.popitem(last=False)
                self.size -= len(old)


class Service:
    """Answers SDMX REST queries over a [`ServedCatalogue`][cdinterop.serve.ServedCatalogue].

    ``base_url`` fixes the service's public address for the links of the DCAT
    description (default: the address each request was made to); ``catalog`` gives the
    catalogue's own metadata; ``base_iri`` is the namespace of the identifiers the DCAT
    description mints (default: cdinterop's)."""

    def __init__(
        self,
        catalogue: ServedCatalogue,
        *,
        base_url: str | None = None,
        catalog: Catalog | None = None,
        base_iri: str | None = None,
        cache_bytes: int = CACHE_BYTES,
    ) -> None:
        self.catalogue = catalogue
        self.base_url = base_url.rstrip("/") if base_url else None
        self.catalog = catalog
        self.base_iri = base_iri
        self.pools: dict[str, StructurePool] = build_pools(catalogue)
        self._cache = _Cache(cache_bytes)

    # -- data ------------------------------------------------------------------------
    def _flows(self, context: str, selector: Selector) -> list[ServedDataset]:
        served = list(self.catalogue)
        if context == "dataflow":
            return selector.pick(served, key=lambda s: s.flow_key)
        if context == "datastructure":
            return selector.pick(served, key=lambda s: s.structure_key)
        if context == "*":
            flows = selector.pick(served, key=lambda s: s.flow_key)
            structures = selector.pick(served, key=lambda s: s.structure_key)
            return [s for s in served if s in flows or s in structures]
        return []  # provision agreements: none are served

    def data(self, segments: Sequence[str], query_string: str, accept: str | None) -> Answer:
        """Answer a data query (``segments``: the path after ``/data``)."""
        query = parse_data_query(segments, parse_query_string(query_string))
        flows = self._flows(query.context, query.flow)
        if not flows:
            raise ServiceError(NO_RESULTS, f"no {_context_name(query.context)} matches the query")
        if query.provider is not None:
            raise ServiceError(NO_RESULTS, f"no data from the data provider {query.provider}")
        fmt = choose_data_format(
            flows[0].dataset, query.api, accept, query.format, query.dimension_at_observation
        )
        key = ("data", tuple(s.flow_key for s in flows), query.cache_key, fmt.name)
        cached = self._cache.get(key)
        if cached is not None:
            return Answer(cached[0], cached[1], headers=_vary())
        selected = _select_one(flows, query)
        if not fmt.supports(selected):
            raise ServiceError(NOT_ACCEPTABLE, f"{fmt.description} cannot carry this selection")
        return self._write(fmt, selected, key)

    def _write(self, fmt: DataFormat, selected: CitizenDataset, key: tuple[Any, ...]) -> Answer:
        """Write the data in ``fmt``: kept in the cache under ``key`` when small enough, else
        a temporary file to stream."""
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        try:
            fmt.write(selected, spool)
            size = spool.tell()
            if size <= CACHE_ITEM_BYTES:
                spool.seek(0)
                body = spool.read()
                spool.close()
                self._cache.put(key, fmt.media_type, body)
                return Answer(fmt.media_type, body, headers=_vary())
        except BaseException:
            spool.close()
            raise
        return Answer(fmt.media_type, stream=spool, headers=_vary())

    # -- structures ------------------------------------------------------------------
    def structure(
        self,
        artefact_type: str,
        segments: Sequence[str],
        query_string: str,
        accept: str | None,
        *,
        api: str = "v2",
        references: str = "none",
    ) -> Answer:
        """Answer a structure query for ``artefact_type`` (``segments``: the path after
        it); ``references`` is the default of the parameter (``all`` for a 1.x query of a
        dataflow or DSD, as sdmx1 expects)."""
        query = parse_structure_query(
            artefact_type,
            segments,
            parse_query_string(query_string),
            api=api,
            references=references,
        )
        version = choose_structure_version(list(self.pools), api, accept, query.format)
        pool = self.pools[version]
        key = ("structure", version, query.cache_key)
        cached = self._cache.get(key)
        media_type = _structure_media_type(version)
        if cached is not None:
            return Answer(cached[0], cached[1], headers=_vary())
        body = pool.render(pool.select(query))
        self._cache.put(key, media_type, body)
        return Answer(media_type, body, headers=_vary())

    # -- the DCAT catalogue ----------------------------------------------------------
    def catalogue_description(
        self, request_base: str, query_string: str, accept: str | None
    ) -> Answer:
        """The DCAT description of the served data sets (Turtle, JSON-LD, RDF/XML or
        N-Triples); links point at ``base_url``, else at ``request_base``."""
        base = self.base_url or request_base.rstrip("/")
        wanted = dict(parse_query_string(query_string)).get("format")
        if wanted:
            rdf_format = RDF_WORDS.get(wanted.lower())
            if rdf_format is None:
                offer = next((o for o in RDF_OFFERS if o.media_type == wanted), None)
                if offer is None:
                    raise ServiceError(
                        NOT_ACCEPTABLE,
                        f"format={wanted} is not offered; use one of {', '.join(RDF_WORDS)}",
                    )
                rdf_format = offer.value
        else:
            rdf_format = negotiate(accept, RDF_OFFERS).value
        media_type = next(o.media_type for o in RDF_OFFERS if o.value == rdf_format)
        key = ("catalog", base, rdf_format)
        cached = self._cache.get(key)
        if cached is not None:
            return Answer(cached[0], cached[1], headers=_vary())
        description = describe_service(self.catalogue, base, self.catalog)
        body = render_catalog(description, rdf_format, self.base_iri)
        self._cache.put(key, media_type, body)
        return Answer(media_type, body, headers=_vary())

    # -- the index -------------------------------------------------------------------
    def index(self, request_base: str) -> dict[str, Any]:
        """A JSON description of the service: its data sets and where to query them."""
        base = self.base_url or request_base.rstrip("/")
        flows = []
        for served in self.catalogue:
            ds = served.dataset
            path = f"{ds.agency}/{ds.id}/{ds.version}"
            flows.append(
                {
                    "agency": ds.agency,
                    "id": ds.id,
                    "version": ds.version,
                    "title": ds.title,
                    "observations": len(ds.observations),
                    "folder": served.folder.name,
                    "data": f"{base}/data/dataflow/{path}",
                    "structure": f"{base}/structure/dataflow/{path}?references=all",
                }
            )
        return {
            "service": "cdinterop SDMX REST",
            "catalog": f"{base}/catalog",
            "structure_versions": list(self.pools),
            "dataflows": flows,
        }


def _select_one(flows: Sequence[ServedDataset], query: DataQuery) -> CitizenDataset:
    """What the query selects of the one data set of ``flows`` it selects observations
    of; the last 404 when it selects none, a 501 when several data sets have some."""
    found = []
    last: ServiceError | None = None
    for served in flows:
        try:
            found.append((served, select(served.dataset, query, served.updated)))
        except ServiceError as exc:
            if exc.code != NO_RESULTS:
                raise
            last = exc
    if not found:
        assert last is not None
        raise last
    if len(found) > 1:
        names = ", ".join(f"{s.agency}:{s.id}({s.version})" for s, _ in found)
        raise ServiceError(
            NOT_IMPLEMENTED, f"data of several dataflows in one message ({names}); name one"
        )
    return found[0][1]


def _vary() -> dict[str, str]:
    return {"Vary": "Accept"}


def _context_name(context: str) -> str:
    return {
        "dataflow": "dataflow",
        "datastructure": "data structure",
        "provisionagreement": "provision agreement",
    }.get(context, "dataflow or data structure")


def _structure_media_type(version: str) -> str:
    from cdinterop.serve._structures import STRUCTURE_MEDIA_TYPES

    return STRUCTURE_MEDIA_TYPES[version]
