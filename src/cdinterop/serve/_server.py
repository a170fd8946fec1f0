"""Running the application with uvicorn: one process, stopped gracefully by SIGINT or
SIGTERM (requests in flight finish, within a few seconds)."""

from __future__ import annotations

from typing import Any

from cdinterop._extras import require

__all__ = ["GRACEFUL_SECONDS", "make_server"]

GRACEFUL_SECONDS = 5
"""How long a stopping server waits for requests in flight."""


def make_server(app: Any, *, host: str, port: int, log_level: str = "info") -> Any:
    """A ``uvicorn.Server`` for ``app`` on ``host``:``port`` (call ``run()``; set
    ``should_exit`` to stop it from another thread)."""
    uvicorn = require("uvicorn", extra="serve", purpose="serving SDMX REST (cdinterop serve)")
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        server_header=False,
        lifespan="off",
    )
    return uvicorn.Server(config)
