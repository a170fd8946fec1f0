"""The ``cdinterop`` command line: a thin Typer app over the library.

Exit codes: 0 success / valid, 1 invalid input (validation problems), 2 unreadable input
or bad usage, 3 internal error. Bad input never shows a traceback; ``--debug`` shows one
for internal errors.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cdinterop._version import __version__
from cdinterop.errors import CdinteropError, Issue, ReadError

__all__ = ["app", "main"]

app = typer.Typer(
    name="cdinterop",
    help="Carry citizen data to official statistics: validate, convert and describe data sets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
schema_app = typer.Typer(help="JSON Schemas of the cdinterop models.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")

out = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE, EXIT_INTERNAL = 0, 1, 2, 3


def _version(value: bool) -> None:
    if value:
        out.print(f"cdinterop {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Carry citizen data to official statistics: validate, convert and describe data sets."""


def _report_issues(path: Path, issues: list[Issue], max_shown: int) -> None:
    counts = Counter(issue.code for issue in issues)
    summary = ", ".join(f"{n} {code}" for code, n in counts.most_common())
    err.print(f"[bold red]✗ {path}[/]: {len(issues)} problem(s) — {summary}")
    table = Table(show_header=True, header_style="bold", show_lines=False)
    for column in ("row", "component", "problem", "value", "location"):
        table.add_column(column, overflow="fold")
    for issue in issues[:max_shown]:
        table.add_row(
            "" if issue.row is None else str(issue.row),
            issue.component or "",
            f"{issue.message} [dim]({issue.code})[/]",
            "" if issue.value is None else repr(issue.value),
            issue.location,
        )
    err.print(table)
    if len(issues) > max_shown:
        err.print(f"… and {len(issues) - max_shown} more (use --max-issues to show more)")


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="A cdinterop data set (JSON).")],
    max_issues: Annotated[
        int, typer.Option("--max-issues", min=1, help="How many problems to list.")
    ] = 50,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON on standard output.")
    ] = False,
) -> None:
    """Check a data set: metadata rules, references and every observation.

    Exits 0 when valid, 1 when invalid, 2 when the file cannot be read.

    Example: [bold]cdinterop validate examples/marine-litter-ghana/dataset.json[/]
    """
    from cdinterop.model.jsonio import check_json

    try:
        issues = check_json(path)
    except ReadError as exc:
        if as_json:
            out.print_json(json.dumps({"path": str(path), "readable": False, "error": exc.reason}))
        err.print(f"[bold red]✗ cannot read {path}[/]: {exc.reason}")
        raise typer.Exit(EXIT_UNREADABLE) from None
    if as_json:
        report = {
            "path": str(path),
            "readable": True,
            "valid": not issues,
            "issues": [issue.to_dict() for issue in issues],
        }
        out.print_json(json.dumps(report, default=str))
    elif issues:
        _report_issues(path, issues, max_issues)
    else:
        out.print(f"[bold green]✓ {path}[/]: valid")
    raise typer.Exit(EXIT_INVALID if issues else EXIT_OK)


@schema_app.command("export")
def schema_export(
    directory: Annotated[Path, typer.Argument(help="Folder to write the JSON Schemas to.")],
) -> None:
    """Write the JSON Schemas of the models to DIRECTORY (regenerates ``schemas/``).

    Example: [bold]cdinterop schema export schemas/[/]
    """
    from cdinterop.schemas import export_schemas

    for written in export_schemas(directory):
        out.print(f"wrote {written}")


def main() -> None:
    """Entry point of the ``cdinterop`` console script."""
    import sys

    debug = "--debug" in sys.argv
    if debug:
        sys.argv.remove("--debug")
    try:
        app()
    except CdinteropError as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise SystemExit(EXIT_UNREADABLE) from None
    except Exception as exc:  # the last line of defence: no traceback for users
        if debug:
            raise
        err.print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {exc}\n"
            "This is a bug in cdinterop; run again with --debug for the traceback."
        )
        raise SystemExit(EXIT_INTERNAL) from None
