"""``cdinterop catalog``: the Citizen Data Commons catalogue store on the command line.

Every command takes ``--store PATH_OR_URL``: a folder (an embedded Oxigraph store) or the URL
of a SPARQL 1.1 server; without it, ``$CDINTEROP_CATALOG_STORE``, else ``./catalog-store``.
Exit codes follow the rest of the command line: 0 done, 1 some data sets were skipped (they
break DCAT-AP 3), 2 an unreadable file, an unusable store or server, or bad usage.

The library is imported inside each command, so that ``cdinterop --help`` stays quick.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cdinterop.errors import CdinteropError, ReadError

if TYPE_CHECKING:
    from cdinterop.catalog import CatalogStore, HarvestReport, QueryResult

__all__ = ["catalog_app"]

catalog_app = typer.Typer(
    help="The Citizen Data Commons: harvest DCAT files into one store, list, query, export.",
    no_args_is_help=True,
)

out = Console()
err = Console(stderr=True)

EXIT_SKIPPED, EXIT_UNREADABLE = 1, 2


class OutputFormat(StrEnum):
    """How ``list`` and ``query`` print their answer."""

    table = "table"
    json = "json"
    csv = "csv"


StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="PATH_OR_URL",
        envvar="CDINTEROP_CATALOG_STORE",
        show_envvar=True,
        help="The store: a folder (embedded Oxigraph) or a SPARQL 1.1 server's URL, "
        "e.g. http://127.0.0.1:7878 (default: ./catalog-store).",
    ),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="Print a table, JSON or CSV.", case_sensitive=False),
]


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Turn cdinterop errors into one readable line and exit 2."""
    try:
        yield
    except ReadError as exc:
        message = f"[bold red]✗ cannot read {escape(exc.source)}[/]: {escape(exc.reason)}"
        err.print(message, soft_wrap=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    except CdinteropError as exc:
        err.print(f"[bold red]✗[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(EXIT_UNREADABLE) from None


@contextlib.contextmanager
def _opened(store: str | None, *, read_only: bool) -> Iterator[CatalogStore]:
    """The store, opened and released, with errors reported."""
    from cdinterop.catalog import open_store

    with _errors(), open_store(store, read_only=read_only) as opened:
        yield opened


@catalog_app.command("add")
def catalog_add(
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...",
            help="DCAT files (Turtle, RDF/XML, JSON-LD, N-Triples), folders (every RDF file "
            "below them) or glob patterns.",
        ),
    ],
    store: StoreOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON on standard output.")
    ] = False,
) -> None:
    """Harvest DCAT files into the catalogue store.

    Every dcat:Dataset goes into its own named graph with a harvest record (a
    dcat:CatalogRecord naming the source file, its SHA-256 and the harvest). A data set
    is known by its dct:identifier: harvested again, it replaces its older copy. Data sets
    that break DCAT-AP 3 (no title, a distribution without an address, ...) are skipped
    with the reason (exit 1); unreadable files are reported (exit 2) and the others are
    still harvested.

    Example:

        cdinterop catalog add out/marine-litter.ttl out/catalog.ttl --store out/catalog-store
    """
    with _opened(store, read_only=False) as opened:
        with _errors():
            report = opened.add(files)
        location = opened.location
    if as_json:
        out.print_json(json.dumps(report.to_dict()))
    else:
        _print_report(report, location)
    if report.failed:
        raise typer.Exit(EXIT_UNREADABLE)
    if report.skipped:
        raise typer.Exit(EXIT_SKIPPED)


def _print_report(report: HarvestReport, location: str) -> None:
    table = Table(title="harvest", show_header=True, header_style="bold")
    for column in ("file", "data set", "outcome", "reason"):
        table.add_column(column, overflow="fold")
    colours = {"added": "green", "replaced": "cyan", "skipped": "yellow", "failed": "red"}
    for entry in report.entries:
        colour = colours[entry.outcome]
        table.add_row(
            escape(entry.file),
            escape(entry.identifier or entry.dataset or ""),
            f"[{colour}]{entry.outcome}[/]",
            escape(entry.reason),
        )
    out.print(table)
    mark = "[bold green]✓[/]" if report.ok and not report.skipped else "[bold yellow]![/]"
    out.print(
        f"{mark} {len(report.added)} added, {len(report.replaced)} replaced, "
        f"{len(report.skipped)} skipped, {len(report.failed)} file(s) unreadable "
        f"({report.files} file(s), {report.seconds:.2f} s) → {escape(location)}"
    )


@catalog_app.command("list")
def catalog_list(
    store: StoreOption = None, output_format: FormatOption = OutputFormat.table
) -> None:
    """List the data sets of the catalogue store.

    One line per data set: identifier, title, publisher, the file it was harvested from and
    when it was last harvested.

    Example:

        cdinterop catalog list --store out/catalog-store
    """
    with _opened(store, read_only=True) as opened, _errors():
        entries = opened.list()
    rows = [e.__dict__ for e in entries]
    if output_format is OutputFormat.json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    if output_format is OutputFormat.csv:
        _print_csv(list(rows[0]) if rows else [], [list(r.values()) for r in rows])
        return
    table = Table(title=f"{len(entries)} data set(s)", show_header=True, header_style="bold")
    for column in ("identifier", "title", "publisher", "source", "harvested"):
        table.add_column(column, overflow="fold")
    for e in entries:
        table.add_row(
            *(escape(v or "") for v in (e.identifier, e.title, e.publisher)),
            escape(e.source),
            e.harvested,
        )
    out.print(table)


def _print_csv(header: list[str], rows: list[list[str | None]]) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    out.file.write(buffer.getvalue())


def _query_text(query: str) -> str:
    """The query itself, or the text of the file that ``@file.rq`` names."""
    if not query.startswith("@"):
        return query
    from cdinterop._files import check_input

    path = Path(query[1:])
    check_input(path)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReadError(str(path), getattr(exc, "strerror", None) or str(exc)) from None


@catalog_app.command("query")
def catalog_query(
    query: Annotated[
        str,
        typer.Argument(
            metavar="SPARQL",
            help="A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE), or @FILE.rq to read "
            "it from a file. The prefixes dcat, dct, foaf, prov, skos, ... are declared.",
        ),
    ],
    store: StoreOption = None,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Run a read-only SPARQL query over the catalogue store.

    The default graph is the union of every data set's graph (in the embedded store; on a
    server, what the server makes it). A SELECT prints a table (or JSON, CSV), an ASK
    true or false, a CONSTRUCT or DESCRIBE Turtle. Updates are refused.

    Example:

        cdinterop catalog query 'SELECT $title WHERE { $d a dcat:Dataset ; dct:title $title }' \\
            --store out/catalog-store
    """
    with _errors():
        text = _query_text(query)
    with _opened(store, read_only=True) as opened, _errors():
        result = opened.query(text)
    _print_result(result, output_format)


def _print_result(result: QueryResult, output_format: OutputFormat) -> None:
    if output_format is OutputFormat.json:
        out.file.write(result.to_json() + "\n")
    elif output_format is OutputFormat.csv:
        out.file.write(result.to_csv())
    elif result.form == "ask":
        out.print("true" if result.boolean else "false")
    elif result.form == "graph":
        assert result.graph is not None
        out.file.write(result.graph.serialize(format="turtle"))
    else:
        table = Table(title=f"{len(result.rows)} row(s)", show_header=True, header_style="bold")
        for name in result.variables:
            table.add_column(name, overflow="fold")
        for record in result.records():
            table.add_row(*(escape(v or "") for v in record.values()))
        out.print(table)


@catalog_app.command("export")
def catalog_export(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="The catalogue to write (.ttl, .nt, .rdf, .jsonld).",
        ),
    ],
    store: StoreOption = None,
    catalog: Annotated[
        Path | None,
        typer.Option(
            "--catalog",
            metavar="CATALOG",
            help="The catalogue's own description (YAML or JSON: id, title, description, "
            "publisher, ...), as for cdinterop dcat catalog (default: the Citizen Data Commons).",
        ),
    ] = None,
    rdf_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="turtle, nt, xml or json-ld (default: from the suffix).",
        ),
    ] = None,
) -> None:
    """Export the whole store as one DCAT-AP 3.0.1 catalogue.

    A dcat:Catalog with its title, description and publisher, with dcat:dataset and
    dcat:record for every data set, their descriptions, records and harvest activities,
    written atomically. It passes the official DCAT-AP 3.0.1 SHACL shapes.

    Example:

        cdinterop catalog export -o out/commons.ttl --store out/catalog-store \\
            --catalog examples/catalog.yaml
    """
    description = None
    if catalog is not None:
        from cdinterop.mapping import load_spec
        from cdinterop.model import Catalog

        with _errors():
            description = load_spec(catalog, Catalog)
    with _opened(store, read_only=True) as opened, _errors():
        count = len(opened)
        written = opened.export(output, description, format=rdf_format)
    out.print(
        f"[bold green]✓[/] catalogue of {count} data set(s) written to {escape(str(written))}"
    )
