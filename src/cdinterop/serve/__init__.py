"""``cdinterop serve``: an SDMX REST data and structure service over converted outputs.

The output folders of ``cdinterop convert`` (each holds ``dataset.json``) are loaded once;
the service answers SDMX REST 2.x and 1.x data and structure queries from them, in every
SDMX format cdinterop writes (negotiated by ``Accept`` or ``format=``), filters the
observations by key, component and period, and describes the data sets in DCAT-AP at
``/catalog``::

    from cdinterop import serve
    app = serve.create_app(["out/services", "out/marine"])   # a Starlette application
    serve.run(["out/services"], host="127.0.0.1", port=8000)  # until Ctrl-C

The web framework (Starlette) and server (uvicorn) come with the ``serve`` extra; without
it [`create_app()`][cdinterop.serve.create_app] and [`run()`][cdinterop.serve.run] raise a
[`MissingExtraError`][cdinterop.errors.MissingExtraError] naming it. The query logic
([`Service`][cdinterop.serve.Service]) needs neither.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cdinterop._extras import require
from cdinterop.model import Catalog
from cdinterop.serve._catalogue import (
    ServedCatalogue,
    ServedDataset,
    load_catalogue,
    load_dataset,
)
from cdinterop.serve._errors import ServiceError
from cdinterop.serve._service import Answer, Service

__all__ = [
    "Answer",
    "ServedCatalogue",
    "ServedDataset",
    "Service",
    "ServiceError",
    "create_app",
    "load_catalogue",
    "load_dataset",
    "make_server",
    "run",
]

_PURPOSE = "serving SDMX REST (cdinterop serve)"


def create_app(
    outputs: Iterable[str | Path] | ServedCatalogue | Service,
    *,
    base_url: str | None = None,
    catalog: Catalog | None = None,
    base_iri: str | None = None,
) -> Any:
    """The Starlette application serving ``outputs`` (output folders, a loaded
    catalogue or a service). ``base_url`` is the service's public address for the links
    of the DCAT description (default: the address of each request), ``catalog`` the
    catalogue's own metadata, ``base_iri`` the namespace of the identifiers it mints."""
    require("starlette", extra="serve", purpose=_PURPOSE)
    from cdinterop.serve._app import build_app

    if isinstance(outputs, Service):
        service = outputs
    else:
        catalogue = outputs if isinstance(outputs, ServedCatalogue) else load_catalogue(outputs)
        service = Service(catalogue, base_url=base_url, catalog=catalog, base_iri=base_iri)
    return build_app(service)


def make_server(
    app: Any, *, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info"
) -> Any:
    """A ``uvicorn.Server`` running ``app`` (its ``run()`` blocks until SIGINT or SIGTERM,
    or until ``should_exit`` is set from another thread)."""
    from cdinterop.serve._server import make_server as _make_server

    return _make_server(app, host=host, port=port, log_level=log_level)


def run(
    outputs: Iterable[str | Path],
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    base_url: str | None = None,
    catalog: Catalog | None = None,
) -> None:
    """Serve ``outputs`` on ``host``:``port`` until interrupted (SIGINT or SIGTERM stop it
    gracefully)."""
    require("uvicorn", extra="serve", purpose=_PURPOSE)
    make_server(create_app(outputs, base_url=base_url, catalog=catalog), host=host, port=port).run()
