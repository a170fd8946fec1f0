"""The web application: Starlette routes over the [`Service`][cdinterop.serve.Service].

Routes (every one answers ``GET`` and ``HEAD``):

- ``/data/...``: data queries, SDMX REST 2.x (``/data/dataflow/AGENCY/ID/VERSION/KEY``)
  and 1.x (``/data/AGENCY,ID,VERSION/KEY``);
- ``/structure/{type}/...``: structure queries (2.x); ``/{type}/...`` for ``dataflow``,
  ``datastructure``, ``codelist``, ``conceptscheme``, ``contentconstraint`` and ``structure``
  (1.x);
- ``/schema/{context}/AGENCY/ID/VERSION``: the structures of a dataflow or DSD
  (``references=all``), for clients that ask for a schema as a structure message;
- ``/catalog`` (and ``/.well-known/dcat``): the DCAT-AP description of the served data
  sets;
- ``/``: a JSON index of the dataflows and their links.

Failures are SDMX error messages (SDMX-ML 2.1 ``mes:Error``, or JSON when the client
asks for JSON) with the HTTP status SDMX REST gives them; responses are compressed when
the client accepts gzip.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from cdinterop.serve._errors import (
    ERROR_MEDIA_TYPES,
    INTERNAL_ERROR,
    NO_RESULTS,
    SYNTAX_ERROR,
    ServiceError,
    error_body,
)
from cdinterop.serve._negotiate import parse_accept
from cdinterop.serve._service import Answer, Service

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

__all__ = ["V1_STRUCTURE_TYPES", "build_app"]

log = logging.getLogger("cdinterop.serve")

V1_STRUCTURE_TYPES = (
    "dataflow",
    "datastructure",
    "codelist",
    "conceptscheme",
    "contentconstraint",
    "structure",
)
"""Artefact types answered at the root of the path, as SDMX REST 1.x has them."""
GZIP_LEVEL = 5
"""How hard answers are compressed for clients that accept gzip (zlib's level: 5 costs a
third of the default 9's time for a few per cent more bytes)."""


def _error_kind(request: Request) -> str:
    wanted = request.query_params.get("format", "").lower()
    if "json" in wanted:
        return "json"
    for media_range in sorted(parse_accept(request.headers.get("accept")), key=lambda r: -r.q):
        if "json" in media_range.media_type:
            return "json"
        if "xml" in media_range.media_type or media_range.media_type in ("*/*", "text/csv"):
            return "xml"
    return "xml"


def _error_response(request: Request, error: ServiceError) -> Response:
    from starlette.responses import Response

    kind = _error_kind(request)
    return Response(
        error_body(error, kind),
        status_code=error.status,
        media_type=ERROR_MEDIA_TYPES[kind],
        headers={"Vary": "Accept"},
    )


def _response(answer: Answer) -> Response:
    from starlette.concurrency import iterate_in_threadpool
    from starlette.responses import Response, StreamingResponse

    if answer.stream is None:
        return Response(answer.body, media_type=answer.media_type, headers=answer.headers)
    return StreamingResponse(
        iterate_in_threadpool(answer.chunks()), media_type=answer.media_type, headers=answer.headers
    )


def _segments(request: Request) -> list[str]:
    rest = str(request.path_params.get("rest", ""))
    return rest.split("/") if rest else []


def _guarded(compute: Callable[[Request], Answer]) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint that runs ``compute`` in a worker thread and turns its errors into SDMX
    error messages."""

    from starlette.concurrency import run_in_threadpool

    async def endpoint(request: Request) -> Response:
        try:
            answer = await run_in_threadpool(compute, request)
        except ServiceError as exc:
            return _error_response(request, exc)
        except Exception:
            log.exception("internal error answering %s", request.url)
            error = ServiceError(INTERNAL_ERROR, "the service failed to answer; see its log")
            return _error_response(request, error)
        return _response(answer)

    return endpoint


def build_app(service: Service, *, cors: bool = True) -> Starlette:
    """The Starlette application of ``service`` (Starlette is imported here, when the
    ``serve`` extra has been checked)."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    def accept(request: Request) -> str | None:
        return request.headers.get("accept")

    def data(request: Request) -> Answer:
        return service.data(_segments(request), request.url.query, accept(request))

    def structure(request: Request) -> Answer:
        parts = _segments(request)
        if not parts or not parts[0]:
            raise ServiceError(SYNTAX_ERROR, "name an artefact type: /structure/{type}/...")
        return service.structure(parts[0], parts[1:], request.url.query, accept(request))

    def v1_structure(artefact_type: str) -> Callable[[Request], Answer]:
        def compute(request: Request) -> Answer:
            return service.structure(
                artefact_type, _segments(request), request.url.query, accept(request), api="v1"
            )

        return compute

    def schema(request: Request) -> Answer:
        parts = _segments(request)
        if len(parts) < 4 or parts[0] not in ("dataflow", "datastructure", "provisionagreement"):
            raise ServiceError(
                SYNTAX_ERROR, "a schema query is /schema/{context}/{agency}/{id}/{version}"
            )
        return service.structure(
            parts[0], parts[1:4], request.url.query, accept(request), references="all"
        )

    def catalog(request: Request) -> Answer:
        return service.catalogue_description(
            str(request.base_url), request.url.query, accept(request)
        )

    async def index(request: Request) -> Response:
        return JSONResponse(service.index(str(request.base_url)))

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        if status == 404:
            error = ServiceError(NO_RESULTS, f"no resource at {request.url.path}")
        else:
            error = ServiceError(SYNTAX_ERROR, str(getattr(exc, "detail", exc)))
        response = _error_response(request, error)
        response.status_code = status
        return response

    routes = [
        Route("/", index),
        Route("/catalog", _guarded(catalog)),
        Route("/.well-known/dcat", _guarded(catalog)),
        Route("/data", _guarded(data)),
        Route("/data/{rest:path}", _guarded(data)),
        Route("/structure", _guarded(structure)),
        Route("/structure/{rest:path}", _guarded(structure)),
        Route("/schema/{rest:path}", _guarded(schema)),
    ]
    for artefact_type in V1_STRUCTURE_TYPES:
        endpoint = _guarded(v1_structure(artefact_type))
        routes += [
            Route(f"/{artefact_type}", endpoint),
            Route(f"/{artefact_type}/{{rest:path}}", endpoint),
        ]
    middleware = [Middleware(GZipMiddleware, minimum_size=1024, compresslevel=GZIP_LEVEL)]
    if cors:
        middleware.append(
            Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD"])
        )
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: not_found},
    )
    app.state.service = service
    return app
