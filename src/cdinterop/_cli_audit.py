"""``cdinterop audit``: attack the suppressed cells of a published output, on the command line.

Exit codes: 0 when no suppressed cell is determined and none is narrower than its sliding
protection level, 1 when some is (the table lists them), 2 for a folder that is not a
cdinterop output.

The library is imported inside the command, so that ``cdinterop --help`` stays quick.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cdinterop.errors import CdinteropError, ReadError

if TYPE_CHECKING:
    from cdinterop.aggregate import AuditReport

__all__ = ["audit_command"]

out = Console()
err = Console(stderr=True)

EXIT_DISCLOSED = 1
EXIT_UNREADABLE = 2


def audit_command(
    outdir: Annotated[
        Path,
        typer.Argument(
            metavar="OUTDIR",
            help="The output folder of a run (convert or aggregate), or its dataset.json.",
        ),
    ],
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the report, every suppressed cell's interval, as JSON."),
    ] = False,
    show: Annotated[
        int,
        typer.Option(help="Cells listed in the table (the narrowest intervals first).", min=0),
    ] = 10,
) -> None:
    """Attack the suppressed cells of a published data set with linear programs.

    For every suppressed cell, the smallest and largest value it can take given every
    published value, every total (each total is the sum of its children along one
    dimension) and that each written cell holds at least one record. Reports the cells
    whose value is determined exactly and the sensitive cells narrowed below the sliding
    protection level, and compares with what the data set's disclosure record says its own
    audit found. Exits 1 when some cell is disclosed, 2 when OUTDIR is not an output.

    Example:

        cdinterop audit out/services
    """
    from cdinterop.aggregate import audit_output

    try:
        report = audit_output(outdir)
    except ReadError as exc:
        err.print(
            f"[bold red]✗ cannot read {escape(exc.source)}[/]: {escape(exc.reason)}",
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_UNREADABLE) from None
    except CdinteropError as exc:
        err.print(f"[bold red]✗[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    if as_json:
        out.print_json(json.dumps(report.to_dict()))
    else:
        _print(report, show)
    if not report.ok:
        raise typer.Exit(EXIT_DISCLOSED)


def _print(report: AuditReport, show: int) -> None:
    a = report.audit
    mark = "[bold green]✓[/]" if report.ok else "[bold red]✗[/]"
    out.print(
        f"{mark} {escape(report.dataset)}: {a.cells} suppressed cells attacked in "
        f"{report.seconds:.2f} s: {a.exact} determined exactly, {a.narrower_than_sliding} "
        "narrower than the sliding protection level"
    )
    for problem in report.problems:
        out.print(f"[bold red]✗[/] {escape(problem)}")
    for note in report.notes:
        out.print(f"  [dim]note:[/] {escape(note)}", soft_wrap=True)
    if report.recorded is not None:
        r = report.recorded
        out.print(
            f"  the record's own audit (with the true values): {r.exact} exact, "
            f"{r.inside_protection or 0} sensitive cells inside their protection range"
        )
    if not report.intervals or show == 0:
        return
    table = Table(title="Narrowest intervals")
    for name in ("cell", "component", "lower", "upper"):
        table.add_column(name)
    ranked = sorted(report.intervals, key=lambda c: c.upper - c.lower)
    for cell in ranked[:show]:
        upper = "∞" if math.isinf(cell.upper) else f"{cell.upper:g}"
        key = " / ".join(cell.key.values())
        table.add_row(escape(key), cell.component, f"{cell.lower:g}", upper)
    out.print(table)
