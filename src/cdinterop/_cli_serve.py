"""``cdinterop serve``: the SDMX REST service over output folders, on the command line.

Exit codes follow the rest of the command line: 0 when stopped (Ctrl-C or SIGTERM, after
the requests in flight), 2 for a folder that is not a cdinterop output, an unreadable
catalogue description, a port that cannot be bound or a missing ``serve`` extra.

The library is imported inside the command, so that ``cdinterop --help`` stays quick.
"""

from __future__ import annotations

import contextlib
import signal
import socket
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from cdinterop.errors import CdinteropError, InvalidDatasetError, MissingExtraError, ReadError

__all__ = ["serve_command"]

out = Console()
err = Console(stderr=True)

EXIT_UNREADABLE = 2


class LogLevel(StrEnum):
    """How much the server logs (``--log-level``)."""

    debug = "debug"
    info = "info"
    warning = "warning"
    error = "error"


class _Stopped(Exception):
    """SIGTERM arrived: the server has stopped gracefully."""


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Turn cdinterop errors into one readable line and exit 2."""
    try:
        yield
    except ReadError as exc:
        err.print(
            f"[bold red]✗ cannot read {escape(exc.source)}[/]: {escape(exc.reason)}", soft_wrap=True
        )
        raise typer.Exit(EXIT_UNREADABLE) from None
    except MissingExtraError as exc:
        err.print(f"[bold red]✗[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    except InvalidDatasetError as exc:
        reasons = "; ".join(f"{i.location}: {i.message}" for i in exc.issues[:5])
        err.print(f"[bold red]✗[/] {escape(reasons)}", soft_wrap=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    except CdinteropError as exc:
        err.print(f"[bold red]✗[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(EXIT_UNREADABLE) from None


def _check_port(host: str, port: int) -> None:
    """Refuse (exit 2) a port the server could not bind, before loading anything else."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        err.print(f"[bold red]✗ --host {escape(host)}[/]: {escape(str(exc))}")
        raise typer.Exit(EXIT_UNREADABLE) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            err.print(
                f"[bold red]✗ cannot listen on {escape(host)}:{port}[/]: {escape(str(exc))} "
                "(choose another --port or --host)"
            )
            raise typer.Exit(EXIT_UNREADABLE) from None


def _summary(service: Any, base: str) -> None:
    """One line per served dataflow (not a table: the lines go to logs whole)."""
    out.print(f"[bold]serving {len(service.catalogue)} data set(s) at {base}[/]")
    for served in service.catalogue:
        out.print(
            f"  {served.agency}:{served.id}({served.version})  "
            f"{len(served.dataset.observations):,} observations  from {escape(str(served.folder))}",
            soft_wrap=True,
            highlight=False,
        )


def _sigterm(signum: int, frame: Any) -> None:
    raise _Stopped


def serve_command(
    outdirs: Annotated[
        list[Path],
        typer.Argument(
            metavar="OUTDIR...",
            help="Output folders of cdinterop convert (each holds dataset.json).",
        ),
    ],
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            help="Public address of the service, for the links of the DCAT description "
            "(default: the address each request was made to).",
        ),
    ] = None,
    catalog: Annotated[
        Path | None,
        typer.Option(
            "--catalog",
            metavar="CATALOG",
            help="The catalogue's own description (YAML or JSON, as for cdinterop dcat "
            "catalog): id, title, description, publisher ...",
        ),
    ] = None,
    log_level: Annotated[
        LogLevel,
        typer.Option(
            "--log-level",
            help="What the server logs: info shows every request, warning only problems.",
            case_sensitive=False,
        ),
    ] = LogLevel.info,
    check: Annotated[
        bool,
        typer.Option("--check", help="Load the folders, list what would be served, and exit."),
    ] = False,
) -> None:
    """Serve output folders as an SDMX REST service (data, structures, DCAT).

    Answers SDMX REST 2.x queries (/data/dataflow/AGENCY/ID/VERSION/KEY?c[DIM]=...,
    /structure/TYPE/AGENCY/ID/VERSION?references=...) and 1.x ones
    (/data/AGENCY,ID,VERSION/KEY?startPeriod=...&endPeriod=..., /dataflow/..., /codelist/...)
    in every SDMX format cdinterop writes, chosen by the Accept header or format=
    (e.g. format=csv20). The DCAT-AP description of the data sets is at /catalog
    (Turtle, JSON-LD, RDF/XML or N-Triples); / lists the dataflows. Ctrl-C or SIGTERM stop
    the server after the requests in flight. Needs the serve extra.

    Serve the outputs of two conversions on http://127.0.0.1:8000 until stopped, and ask
    for the annual data of women in Kenya as SDMX-CSV 2.0:

        cdinterop serve out/services out/marine --port 8000
        curl 'http://127.0.0.1:8000/data/dataflow/KE.SAUTI/DF_SERVICE_SATISFACTION_KE/1.0/A.KE.F?format=csv20'

    --check loads the folders, lists what would be served and exits.

    Example:

        cdinterop serve out/services --check
    """
    from cdinterop import serve
    from cdinterop.mapping import load_spec
    from cdinterop.model import Catalog

    with _errors():
        description = load_spec(catalog, Catalog) if catalog is not None else None
        if not check:
            _check_port(host, port)
        catalogue = serve.load_catalogue(outdirs)
        service = serve.Service(catalogue, base_url=base_url, catalog=description)
        base = base_url or f"http://{host}:{port}"
        _summary(service, base)
        out.print(
            f"  data: {base}/data, structures ({', '.join(service.pools)}): {base}/structure, "
            f"DCAT: {base}/catalog",
            soft_wrap=True,
            highlight=False,
        )
        if check:
            return
        app = serve.create_app(service)
        server = serve.make_server(app, host=host, port=port, log_level=log_level.value)
    previous = signal.signal(signal.SIGTERM, _sigterm)
    try:
        server.run()
    except (KeyboardInterrupt, _Stopped):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    out.print("[bold]stopped[/]")
