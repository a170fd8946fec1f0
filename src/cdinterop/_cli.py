"""The ``cdinterop`` command line: a thin Typer app over the library.

Exit codes: 0 success / valid, 1 invalid input (validation problems), 2 unreadable input,
bad usage or a missing optional dependency (the message names the extra to install), 3
internal error. Bad input never shows a traceback; ``--debug`` shows one for internal
errors.

Start-up stays quick (``cdinterop --help`` loads neither pydantic, pyarrow, sdmx1 nor
rdflib): the library is imported inside each command, never at the top of this module.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from cdinterop._cli_audit import audit_command
from cdinterop._cli_catalog import catalog_app
from cdinterop._cli_serve import serve_command
from cdinterop._version import __version__
from cdinterop.errors import (
    CdinteropError,
    InvalidDatasetError,
    Issue,
    MissingExtraError,
    ReadError,
    WriteError,
)

if TYPE_CHECKING:
    from cdinterop.aggregate import AggregationReport
    from cdinterop.convert import ConvertResult
    from cdinterop.ingest import IngestSpec
    from cdinterop.limits import Limits

__all__ = ["app", "main"]

app = typer.Typer(
    name="cdinterop",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
schema_app = typer.Typer(
    help="JSON Schemas of the models and specs, and the cdi: RDF vocabulary and shapes.",
    no_args_is_help=True,
)
app.add_typer(schema_app, name="schema")
sdmx_app = typer.Typer(
    help="SDMX: write a data set as SDMX-ML / SDMX-CSV, read it back, conform it to a DSD.",
    no_args_is_help=True,
)
app.add_typer(sdmx_app, name="sdmx")
datapackage_app = typer.Typer(
    help="Frictionless Data Package (v2): write a data set as a package, read one back.",
    no_args_is_help=True,
)
app.add_typer(datapackage_app, name="datapackage")
dcat_app = typer.Typer(
    help="DCAT-AP 3 RDF: describe data sets and catalogues (Turtle, JSON-LD, RDF/XML, N-Triples).",
    no_args_is_help=True,
)
app.add_typer(dcat_app, name="dcat")
app.add_typer(catalog_app, name="catalog")
app.command("serve")(serve_command)
app.command("audit")(audit_command)

out = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE, EXIT_INTERNAL = 0, 1, 2, 3


_Paths = TypeVar("_Paths", Path | None, list[Path] | None)


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
    """Carry citizen data to official statistics: validate, convert and describe data sets.

    The main job turns a raw KoboToolbox / ODK export into SDMX, a Data Package and a DCAT
    description, with disclosure control and provenance:

        cdinterop convert SUBMISSION -m SPEC.yaml -o OUT

    Run [bold]cdinterop COMMAND --help[/] for a command's options and an example. Exit
    codes: 0 done or valid, 1 invalid data, 2 unusable input or options, 3 internal error
    (add --debug to see its traceback).

    Readers refuse inputs beyond documented limits (bytes, rows, columns, cells, nesting,
    triples, seconds; see cdinterop.limits); raise one with --limit NAME=VALUE anywhere on
    the command line, e.g. --limit rows=1e9 or --limit bytes=4GiB.
    """


def _input_path(value: _Paths) -> _Paths:
    """Typer callback of every input path: refuse FIFOs, devices, sockets and files under
    /dev, /proc and /sys before anything opens them (exit 2), so that reading never waits
    on a pipe forever or reads an endless device."""
    from cdinterop._files import check_input

    for path in value if isinstance(value, list) else [value] if value is not None else []:
        try:
            check_input(path)
        except ReadError as exc:
            raise typer.BadParameter(f"{exc.source}: {exc.reason}") from None
    return value


def _not_an_input(output: Path, *inputs: Path | None) -> None:
    """Refuse (a ``WriteError``, exit 2) an output that is one of the command's inputs,
    which writing would destroy before (or while) it is read."""
    for source in inputs:
        if source is not None and output.exists() and source.exists() and output.samefile(source):
            raise WriteError(f"cannot write {output}: it is the input {source}; choose another -o")


def _empty_output(argv: list[str]) -> bool:
    """Whether ``argv`` gives ``-o``/``--output`` an empty value (which a path would read
    as the current folder)."""
    for index, arg in enumerate(argv):
        if arg in ("-o", "--output") and index + 1 < len(argv) and not argv[index + 1].strip():
            return True
        if arg.startswith(("--output=", "-o=")) and not arg.partition("=")[2].strip():
            return True
    return False


def _warn_formulas(data: str, column: str, count: int, row: int) -> None:
    """A warning line for text values of a column that begin with a formula character."""
    from rich.markup import escape

    values, them = ("value begins", "it") if count == 1 else ("values begin", "them")
    err.print(
        f"[yellow]![/] {count:,} text {values} with =, +, -, @, tab or CR in "
        f"{escape(column)} of the {data}, first at row {row}: a spreadsheet may run {them} "
        "as formulas (the data files keep them exact; rejects.csv is neutralised)"
    )


def _missing_extra(exc: MissingExtraError) -> typer.Exit:
    """One line naming the extra to install (exit 2), for a feature whose optional
    dependency is not installed."""
    from rich.markup import escape

    err.print(f"[bold red]✗[/] {escape(str(exc))}", soft_wrap=True)
    return typer.Exit(EXIT_UNREADABLE)


_WHERE = re.compile(r" \(line \d+, column \d+(?: of [^)]*)?\)$")


def _short(text: str, limit: int = 140) -> str:
    """``text`` cut to ``limit`` characters; a closing "(line L, column C)" is kept whole."""
    if len(text) <= limit:
        return text
    where = _WHERE.search(text)
    tail = where.group(0) if where else ""
    body = text[: len(text) - len(tail)]
    return body[: max(limit - len(tail) - 1, 40)] + "…" + tail


def _report_issues(path: Path, issues: list[Issue], max_shown: int) -> None:
    """A summary per kind of problem, then the first ``max_shown`` problems in detail."""
    groups: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in issues:
        groups[(issue.code, issue.component or "")].append(issue)
    err.print(f"[bold red]✗ {path}[/]: {len(issues)} problem(s) of {len(groups)} kind(s)")
    summary = Table(title="by kind", show_header=True, header_style="bold")
    for column in ("problem", "component", "count", "first rows / places", "example"):
        summary.add_column(column, overflow="fold")
    kinds = sorted(groups.items(), key=lambda g: -len(g[1]))
    for (code, component), members in kinds[:max_shown]:  # a bounded table, however many
        places = [str(i.row) if i.row is not None else i.location for i in members[:5]]
        more = ", …" if len(members) > 5 else ""
        example = members[0]
        summary.add_row(
            code,
            component,
            str(len(members)),
            ", ".join(places) + more,
            _short(example.message + ("" if example.value is None else f" ({example.value!r})")),
        )
    err.print(summary)
    if len(kinds) > max_shown:
        err.print(f"… and {len(kinds) - max_shown} more kinds (--json for all)")
    details = Table(title=f"first {min(max_shown, len(issues))}", header_style="bold")
    for column in ("row", "component", "problem", "value", "location"):
        details.add_column(column, overflow="fold")
    for issue in issues[:max_shown]:
        details.add_row(
            "" if issue.row is None else str(issue.row),
            issue.component or "",
            f"{_short(issue.message)} [dim]({issue.code})[/]",
            "" if issue.value is None else _short(repr(issue.value), 40),
            issue.location,
        )
    err.print(details)
    if len(issues) > max_shown:
        err.print(
            f"… and {len(issues) - max_shown} more (--max-issues N to list more, --json for all)"
        )


def _report_advice(path: Path, kind: str, issues: list[Issue], max_shown: int) -> None:
    """A valid file with SHACL warnings or infos: say so, then list the first ones."""
    out.print(f"[bold green]✓ {path}[/] ({kind}): valid, with {len(issues)} warning(s) or note(s)")
    details = Table(title=f"first {min(max_shown, len(issues))}", header_style="bold")
    for column in ("severity", "problem", "value", "location"):
        details.add_column(column, overflow="fold")
    for issue in issues[:max_shown]:
        details.add_row(
            issue.code.removeprefix("shacl-"),
            _short(issue.message),
            "" if issue.value is None else _short(repr(issue.value), 40),
            issue.location,
        )
    out.print(details)
    if len(issues) > max_shown:
        out.print(
            f"… and {len(issues) - max_shown} more (--max-issues N to list more, --json for all)"
        )


class Engine(StrEnum):
    """Where ``convert`` runs (``--engine``)."""

    LOCAL = "local"
    DASK = "dask"


class VersionMismatch(StrEnum):
    """What SDMX data that refer to another version of their structure give."""

    warn = "warn"
    error = "error"
    ignore = "ignore"


VersionMismatchOption = Annotated[
    VersionMismatch,
    typer.Option(
        "--version-mismatch",
        help="SDMX data that refer to another version of their structure's DSD or "
        "dataflow: warn (default), error, or ignore.",
    ),
]

_REMOTE_STRUCTURE = (
    " It may also be the SDMX URN of a DSD or dataflow (urn:sdmx:...=AGENCY:ID(VERSION)) or "
    "an SDMX REST URL: fetched from the registry (--registry) and cached."
)


def _structure_input(value: str | None) -> str | None:
    """Typer callback of every ``--structure``: an SDMX URN or http(s) URL stays as it is
    (fetched later); anything else is an input path, checked as ``_input_path`` does."""
    if value is None or _is_remote(value):
        return value
    _input_path(Path(value))
    return value


def _is_remote(value: str) -> bool:
    from cdinterop.sdmx._internal import is_remote

    return is_remote(value)


def _structure_file(value: str | None) -> Path | None:
    """The path ``--structure`` names, ``None`` for none or a URN or URL."""
    return None if value is None or _is_remote(value) else Path(value)


def _registry_setting(name: str) -> Callable[[typer.Context, object], object]:
    """Typer callback of ``--registry``, ``--offline`` and ``--refresh``: the setting holds
    for the whole command (``cdinterop.sdmx.registry_options``, ended with the command)."""

    def callback(ctx: typer.Context, value: object) -> object:
        if value not in (None, False):
            from cdinterop.sdmx import registry_options

            ctx.with_resource(registry_options(**{name: value}))  # type: ignore[arg-type]
        return value

    return callback


RegistryOption = Annotated[
    str | None,
    typer.Option(
        "--registry",
        metavar="URL",
        help="SDMX registry (its REST base URL) that structures named by URN are fetched "
        "from; SDMX-REST 2 paths when it ends in /v2 or /3.0 (default: $CDINTEROP_REGISTRY, "
        "else the SDMX Global Registry https://registry.sdmx.org/sdmx/v2).",
        callback=_registry_setting("registry"),
    ),
]
OfflineOption = Annotated[
    bool,
    typer.Option(
        "--offline",
        help="Take structures named by URN or URL from the cache only, never the network "
        "(also CDINTEROP_OFFLINE=1).",
        callback=_registry_setting("offline"),
    ),
]
RefreshOption = Annotated[
    bool,
    typer.Option(
        "--refresh",
        help="Fetch structures named by URN or URL again even when the cache has a copy.",
        callback=_registry_setting("refresh"),
    ),
]


@app.command()
def validate(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A data set (JSON), a Data Package, SDMX-ML / SDMX-CSV data, or an RDF "
            "(DCAT) description: Turtle, JSON-LD, RDF/XML or N-Triples.",
            callback=_input_path,
        ),
    ],
    structure: Annotated[
        str | None,
        typer.Option(
            "--structure",
            "-s",
            metavar="STRUCTURE",
            help="SDMX structure message for SDMX data (default: one beside the data file)."
            + _REMOTE_STRUCTURE,
            callback=_structure_input,
        ),
    ] = None,
    shapes: Annotated[
        list[Path] | None,
        typer.Option(
            "--shapes",
            metavar="SHAPES",
            help="SHACL shapes file to check RDF against, besides cdinterop's own shapes "
            "(repeatable), e.g. the official DCAT-AP dcat-ap-SHACL.ttl. RDF files only.",
            callback=_input_path,
        ),
    ] = None,
    max_issues: Annotated[
        int,
        typer.Option(
            "--max-issues", metavar="N", min=1, help="How many problems to list in detail."
        ),
    ] = 20,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON on standard output.")
    ] = False,
    version_mismatch: VersionMismatchOption = VersionMismatch.warn,
    registry: RegistryOption = None,
    offline: OfflineOption = False,
    refresh: RefreshOption = False,
) -> None:
    """Check a file: a data set (JSON), SDMX data or structure, a Data Package or DCAT.

    Checks metadata rules, references and every observation; for SDMX-ML also the official
    XSDs and the schema the DSD implies; for RDF the SHACL shapes (cdinterop's own and any
    --shapes) and that a cdinterop data set reads back.

    SDMX data must refer to the structure they are checked with: another DSD or dataflow
    is the one problem reported; another version of it is a warning (--version-mismatch
    error makes it a problem, ignore says nothing), and so is a dataflow the structure
    message does not define (the data are checked with its DSD).

    Exits 0 when valid, 1 when invalid, 2 when the file (or a shapes file) cannot be read,
    is of a kind it does not check (rejects.csv, summary.json) or --shapes is given for a
    file that is not RDF. SHACL warnings are listed but do not make a file invalid; only
    violations do. Text values of the data that begin with a formula character (=, +, @,
    tab, CR; - unless a number) are a warning too: a spreadsheet may run them. The
    official DCAT-AP shapes (dcat-ap-SHACL.ttl) are published by SEMIC with DCAT-AP
    3.0.1; cdinterop does not ship them.

    Examples:

        cdinterop validate examples/marine-litter-ghana/dataset.json
        cdinterop validate out/sdmx/data-ml21-ss.xml --structure out/sdmx/structure-2.1.xml
        cdinterop validate out/services/dataset.ttl --shapes dcat-ap-SHACL.ttl
    """
    from collections import Counter

    from cdinterop.checking import (
        RDF_KIND,
        UnsupportedFileError,
        check_file,
        checker_for,
        failures,
    )
    from cdinterop.dcat._internal import summarize

    def unreadable(reason: str, source: object = path, verb: str = "cannot read") -> typer.Exit:
        if as_json:
            report = {"path": str(path), "readable": False, "error": reason}
            out.print_json(json.dumps(report))
        err.print(f"[bold red]✗ {verb} {source}[/]: {reason}")
        return typer.Exit(EXIT_UNREADABLE)

    try:
        checker = checker_for(path)
        if shapes and not checker.uses_shapes:
            if as_json:
                error = f"--shapes applies to RDF files only; this is a {checker.name}"
                out.print_json(json.dumps({"path": str(path), "readable": True, "error": error}))
            err.print(
                f"[bold red]✗ --shapes applies to RDF files only[/]; {path} is a {checker.name}"
            )
            raise typer.Exit(EXIT_UNREADABLE)
        kind, issues = check_file(
            path,
            structure=structure,
            shapes=tuple(shapes or ()),
            version_mismatch=version_mismatch.value,
        )
    except MissingExtraError as exc:
        if as_json:
            missing = {"path": str(path), "readable": True, "error": str(exc), "extra": exc.extra}
            out.print_json(json.dumps(missing))
        raise _missing_extra(exc) from None
    except UnsupportedFileError as exc:
        raise unreadable(exc.reason, exc.source, verb="cannot check") from None
    except ReadError as exc:
        raise unreadable(exc.reason, exc.source) from None
    failing = failures(issues)
    summary = summarize(issues) if kind == RDF_KIND else None
    if as_json:
        report: dict[str, object] = {
            "path": str(path),
            "kind": kind,
            "readable": True,
            "valid": not failing,
            "counts": dict(Counter(issue.code for issue in issues)),
            "issues": [issue.to_dict() for issue in issues],
        }
        if summary is not None:
            report["shacl"] = {**summary.to_dict(), "text": str(summary)}
        out.print_json(json.dumps(report, default=str))
    elif failing:
        _report_issues(path, issues, max_issues)
    elif issues:
        _report_advice(path, kind, issues, max_issues)
    else:
        out.print(f"[bold green]✓ {path}[/] ({kind}): valid")
    if summary is not None and not as_json:
        (err if failing else out).print(f"SHACL: {summary}")
    raise typer.Exit(EXIT_INVALID if failing else EXIT_OK)


@schema_app.command("export")
def schema_export(
    directory: Annotated[
        Path, typer.Argument(metavar="DIRECTORY", help="Folder to write the JSON Schemas to.")
    ],
) -> None:
    """Write the JSON Schemas, the cdi: vocabulary and its SHACL shapes to DIRECTORY.

    One <name>.schema.json per model and spec (data set, data structure, codelist, ingest
    and conformance mappings, aggregation, Data Package extension), plus cdi-vocabulary.ttl
    and cdi-shapes.ttl. The repository's schemas/ folder is this command's output.

    Example:

        cdinterop schema export schemas/
    """
    from cdinterop.schemas import export_schemas

    for written in export_schemas(directory):
        out.print(f"wrote {written}")


@contextlib.contextmanager
def _user_errors(path: Path, *, invalid: int = EXIT_INVALID) -> Iterator[None]:
    """Turn cdinterop errors into a readable report and the documented exit code;
    ``invalid`` is the code for invalid content (2 for a spec: it cannot be used)."""

    try:
        yield
    except InvalidDatasetError as exc:
        _report_issues(path, list(exc.issues), 20)
        raise typer.Exit(invalid) from None
    except MissingExtraError as exc:
        raise _missing_extra(exc) from None
    except ReadError as exc:
        err.print(f"[bold red]✗ cannot read {exc.source}[/]: {exc.reason}")
        raise typer.Exit(EXIT_UNREADABLE) from None
    except CdinteropError as exc:
        err.print(f"[bold red]✗ {exc}[/]")
        raise typer.Exit(EXIT_UNREADABLE) from None


# Options that `ingest` and `convert` share.
OutputFolder = Annotated[
    Path, typer.Option("--output", "-o", metavar="FOLDER", help="Folder for the outputs.")
]
KeyOption = Annotated[
    str | None,
    typer.Option(
        "--key",
        metavar="KEY",
        help="Where the pseudonymisation key is: env:VARIABLE or file:PATH "
        "(default: the spec's privacy.key).",
    ),
]
MaxRejectedOption = Annotated[
    float | None,
    typer.Option(
        "--max-rejected",
        metavar="SHARE",
        min=0,
        max=1,
        help="Fail when more than this share of the rows is rejected, e.g. 0.05 "
        "(default: the spec's max_rejected).",
    ),
]
SummaryJson = Annotated[
    bool, typer.Option("--json", help="Print the summary as JSON on standard output.")
]


def _submission_files(values: list[Path]) -> list[Path]:
    """The files that SUBMISSION... names (files, folders, glob patterns), each checked as
    an input; exit 2 with the reason when one cannot be used."""
    from cdinterop.ingest import submission_files

    try:
        files = submission_files(values)
    except ReadError as exc:
        err.print(f"[bold red]✗ {exc.source}[/]: {exc.reason}")
        raise typer.Exit(EXIT_UNREADABLE) from None
    try:
        _input_path(files)
    except typer.BadParameter as exc:
        err.print(f"[bold red]✗ {exc}[/]")
        raise typer.Exit(EXIT_UNREADABLE) from None
    return files


def _names(files: list[Path]) -> str:
    """The names of the submission files, the first three and how many more."""
    shown = ", ".join(f.name for f in files[:3])
    return shown if len(files) <= 3 else f"{shown} and {len(files) - 3:,} more"


def _check_paths(source: Path, output: Path) -> None:
    """Exit 2 with a plain message when the input is a folder or the output a file."""
    if source.is_dir():
        err.print(f"[bold red]✗ {source}[/] is a folder: give the submission file")
        raise typer.Exit(EXIT_UNREADABLE)
    if output.exists() and not output.is_dir():
        err.print(f"[bold red]✗ {output}[/] is a file: --output names a folder")
        raise typer.Exit(EXIT_UNREADABLE)


def _ingest_spec(submission: Path, output: Path, mapping: Path) -> IngestSpec:
    """The first steps ``ingest`` and ``convert`` share: paths of the right kind, and the
    spec loaded (a spec that cannot be used exits 2, like an unusable file)."""
    from cdinterop.ingest import IngestSpec
    from cdinterop.mapping import load_spec

    _check_paths(submission, output)
    with _user_errors(mapping, invalid=EXIT_UNREADABLE):
        return load_spec(mapping, IngestSpec)


def _key(source: str | None) -> bytes | None:
    """The pseudonymisation key named by ``--key``; exit 2 with a message (never the key)
    when it cannot be read."""
    if source is None:
        return None
    from cdinterop.ingest import load_key

    try:
        return load_key(source)
    except ValueError as exc:
        err.print(f"[bold red]✗ --key {source}[/]: {exc}")
        raise typer.Exit(EXIT_UNREADABLE) from None


@contextlib.contextmanager
def _placeholder_key() -> Iterator[None]:
    """Print one warning line (the run goes on) when the pseudonymisation key read inside
    the block is a placeholder from the documentation (a ``PlaceholderKeyWarning`` of
    ``cdinterop.ingest.load_key``); other warnings are passed on as they came."""
    import warnings

    from rich.markup import escape

    from cdinterop.ingest import PlaceholderKeyWarning

    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PlaceholderKeyWarning)
            yield
    finally:
        placeholder = [w for w in caught if issubclass(w.category, PlaceholderKeyWarning)]
        for other in caught:
            if not issubclass(other.category, PlaceholderKeyWarning):
                warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
        if placeholder:
            err.print(f"[yellow]![/] {escape(str(placeholder[0].message))}", soft_wrap=True)


@app.command("ingest")
def ingest_command(
    submissions: Annotated[
        list[Path],
        typer.Argument(
            metavar="SUBMISSION...",
            help="A KoboToolbox / ODK Central export or plain CSV, XLSX or JSON submissions; "
            "several files, a folder or a glob pattern ('exports/*.csv') are read as one "
            "submission.",
        ),
    ],
    mapping: Annotated[
        Path,
        typer.Option(
            "--mapping",
            "-m",
            metavar="SPEC",
            help="The ingest mapping spec (YAML).",
            callback=_input_path,
        ),
    ],
    output: OutputFolder,
    key: KeyOption = None,
    max_rejected: MaxRejectedOption = None,
    no_datapackage: Annotated[
        bool, typer.Option("--no-datapackage", help="Write dataset.json only, no Data Package.")
    ] = False,
    parquet: Annotated[
        bool,
        typer.Option("--parquet", help="Also write the unit records as records.parquet."),
    ] = False,
    as_json: SummaryJson = False,
) -> None:
    """Ingest raw submissions into validated unit records with a declarative mapping spec.

    Writes dataset.json, datapackage/, rejects.csv (row, column, value, reason, code) and
    summary.json into the output folder. Every row read is accepted, filtered by a named
    rule or rejected. In rejects.csv a text cell that begins with =, +, -, @, tab or CR
    gets a ' in front so that a spreadsheet does not run it as a formula (plain negative
    numbers excepted); text values of the data that begin so are kept exact, with a
    warning. With --parquet the unit records are also written as records.parquet (typed
    columns, for pandas, polars, DuckDB or Spark). Exits 0 on success, 1 when more rows are
    rejected than allowed (rejects.csv and summary.json are still written), 2 when the file
    or the spec cannot be used.

    Several exports (files, a folder, a glob pattern) are read as one submission:
    de-duplicated and checked across files, each a source of the provenance, with a source
    column in rejects.csv and per-file counts in summary.json.

    Example:

        export CDINTEROP_PSEUDONYM_KEY=a-long-secret-key
        cdinterop ingest examples/public-services-satisfaction/submissions-kobo.csv \\
            -m mappings/services-survey-kobo.yaml -o out/ingest
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from cdinterop.ingest import IngestError, ingest, write_outputs

    files = _submission_files(submissions)
    submission = files[0]
    spec = _ingest_spec(submission, output, mapping)
    failed = False
    with _placeholder_key(), _user_errors(submission):
        secret = _key(key)
        size = sum(f.stat().st_size for f in files if f.is_file())
        with Progress(
            SpinnerColumn(),
            TextColumn("[bold]ingesting[/] {task.description}"),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=size < 1_000_000 or as_json,
        ) as progress:
            task = progress.add_task(_names(files), total=None)
            try:
                result = ingest(
                    files,
                    spec,
                    key=secret,
                    max_rejected=max_rejected,
                    progress=lambda rows: progress.update(task, completed=rows),
                )
            except IngestError as exc:
                if exc.result is None:
                    raise
                result, failed = exc.result, True
                err.print(f"[bold red]✗ {exc}[/]")
        written = write_outputs(
            result, output, datapackage=not no_datapackage, parquet=parquet, failed=failed
        )
    if not failed:
        from cdinterop._formulas import formula_text

        for found in formula_text(result.dataset.observations.table):
            _warn_formulas("unit records", found.column, found.count, found.row)
    summary = result.summary
    if as_json:
        out.print_json(json.dumps({**summary.to_dict(), "failed": failed}))
    else:
        table = Table(title=f"{_names(files)} → {output}", show_header=False)
        table.add_row("rows read", f"{summary.rows_read:,}")
        table.add_row("accepted", f"[green]{summary.accepted:,}[/]")
        table.add_row("filtered", f"{summary.filtered:,}")
        for rule, n in summary.filtered_by_rule.items():
            table.add_row(f"  by {rule}", f"{n:,}")
        table.add_row("rejected", f"[red]{summary.rejected:,}[/]" if summary.rejected else "0")
        for column, n in summary.rejected_by_column.items():
            table.add_row(f"  in {column}", f"{n:,}")
        table.add_row("written", ", ".join(p.name for p in written))
        out.print(table)
    if failed:
        raise typer.Exit(EXIT_INVALID)
    if summary.accepted == 0 and summary.rows_read:
        err.print(
            "[yellow]![/] no row was accepted: check the row filters and the rejects "
            "(KoboToolbox validation statuses read as approved, not_approved, on_hold)"
        )


def _unused_base_iri(base_iri: str | None, outputs: list[str]) -> None:
    """A warning line when --base-iri is given but no chosen output mints identifiers."""
    from cdinterop.formats import formats

    if base_iri is not None and not any("base_iri" in f.options for f in formats(outputs)):
        err.print(
            "[yellow]![/] --base-iri is used by the outputs that mint identifiers (dcat); "
            f"--to {','.join(outputs)} has none, so it changes nothing"
        )


@app.command("init")
def init_command(
    submission: Annotated[
        Path,
        typer.Argument(
            metavar="SUBMISSION",
            help="A raw submission: KoboToolbox / ODK export, CSV, XLSX, JSON.",
            callback=_input_path,
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="SPEC", help="The spec (YAML) to write.")
    ],
    form: Annotated[
        Path | None,
        typer.Option(
            "--form",
            metavar="FORM",
            help="The XLSForm (KoboToolbox / ODK form definition, .xlsx) of the submission.",
            callback=_input_path,
        ),
    ] = None,
    structure: Annotated[
        str | None,
        typer.Option(
            "--structure",
            "-s",
            metavar="STRUCTURE",
            help="An SDMX structure (DSD) whose codelists the values are matched to."
            + _REMOTE_STRUCTURE,
            callback=_structure_input,
        ),
    ] = None,
    registry: RegistryOption = None,
    offline: OfflineOption = False,
    refresh: RefreshOption = False,
) -> None:
    """Draft a mapping spec for a submission, to review and then run with convert.

    Profiles each column (type, distinct values, blanks), reads the form's questions and
    choice lists with their labels in every language, and proposes column -> concept and
    value -> code matches (built-in codelists such as SEX, AGE, DISABILITY_STATUS and ISO
    3166-2 areas, or the given structure's), each with a score and REVIEW in a YAML
    comment. The draft runs as it is: cdinterop convert SUBMISSION -m SPEC -o OUT.
    Exits 0 when written, 2 when a file cannot be read or the draft extra is missing.

    Example:

        cdinterop init examples/public-services-satisfaction/submissions-kobo.csv \\
            --form examples/public-services-satisfaction/form.xlsx -o out/services-draft.yaml
    """
    from cdinterop.draft import draft_spec

    if submission.is_dir():
        err.print(f"[bold red]✗ {submission}[/] is a folder: give the submission file")
        raise typer.Exit(EXIT_UNREADABLE)
    if output.is_dir():
        err.print(f"[bold red]✗ {output}[/] is a folder: -o names the spec file to write")
        raise typer.Exit(EXIT_UNREADABLE)
    with _user_errors(submission, invalid=EXIT_UNREADABLE):
        _not_an_input(output, submission, form, _structure_file(structure))
        draft = draft_spec(submission, form=form, structure=structure)
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(draft.text, encoding="utf-8")
        except OSError as exc:
            raise WriteError(f"cannot write {output}: {exc.strerror or exc}") from None
    review = sum(1 for match in draft.matches if match.value is not None)
    out.print(f"wrote {output}: {review} value matches and the column matches to review")


@app.command("convert")
def convert_command(
    submissions: Annotated[
        list[Path],
        typer.Argument(
            metavar="SUBMISSION...",
            help="Raw submissions: KoboToolbox / ODK exports, CSV, XLSX, JSON; several files, "
            "a folder or a glob pattern ('exports/*.csv') are read as one submission.",
        ),
    ],
    mapping: Annotated[
        Path,
        typer.Option(
            "--mapping",
            "-m",
            metavar="SPEC",
            help="The mapping spec (YAML) with its aggregation.",
            callback=_input_path,
        ),
    ],
    output: OutputFolder,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="OUTPUTS",
            help="Outputs to write, comma-separated: sdmx, datapackage, dcat, model, or a "
            "format a plugin adds.",
        ),
    ] = "sdmx,datapackage,dcat",
    structure: Annotated[
        str | None,
        typer.Option(
            "--structure",
            "-s",
            metavar="STRUCTURE",
            help="External DSD (SDMX structure) to conform to." + _REMOTE_STRUCTURE,
            callback=_structure_input,
        ),
    ] = None,
    conform_map: Annotated[
        Path | None,
        typer.Option(
            "--conform",
            metavar="SPEC",
            help="Conformance mapping (YAML) for --structure.",
            callback=_input_path,
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            help="Where the files will be published: the download URLs of the distributions "
            "in the DCAT description (default: the data set's landing page).",
        ),
    ] = None,
    base_iri: Annotated[
        str | None,
        typer.Option(
            "--base-iri",
            metavar="IRI",
            help="The namespace of the identifiers the DCAT description mints for the data "
            "set, its distributions, agents and activities: an http or https IRI, e.g. "
            "https://data.example.org/ (default: https://example.org/cdinterop/). Not where "
            "the files are: that is --base-url.",
        ),
    ] = None,
    key: KeyOption = None,
    max_rejected: MaxRejectedOption = None,
    as_json: SummaryJson = False,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="Where to run: local (this process) or dask (a Dask cluster: --scheduler, or "
            "two local worker processes; needs the dask extra and a spec with an "
            "aggregation). The outputs are the same.",
        ),
    ] = Engine.LOCAL,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            help="Address of the Dask scheduler (tcp://host:8786) for --engine dask; the "
            "workers must see the submission files at the same paths.",
        ),
    ] = None,
    partition_bytes: Annotated[
        int | None,
        typer.Option(
            "--partition-bytes",
            metavar="N",
            help="For --engine dask: bytes per partition of a large CSV file (default 64 MiB).",
        ),
    ] = None,
    registry: RegistryOption = None,
    offline: OfflineOption = False,
    refresh: RefreshOption = False,
) -> None:
    """Convert a raw submission to SDMX, a Data Package and DCAT in one go (the main job).

    Ingests, aggregates with disclosure control, optionally conforms to an external DSD,
    and writes every output with dataset.json, rejects.csv and summary.json (files with
    SHA-256). In rejects.csv a text cell that begins with =, +, -, @, tab or CR gets a '
    in front (plain negative numbers excepted); text values of the data that begin so are
    kept exact, with a warning.

    Nothing half-written is left behind: the outputs appear together or not at all, and
    replace those of an earlier run in the folder (after too many rejects, only
    rejects.csv and summary.json are left). Exits 0 on success, 1 when too many rows are
    rejected or the data break a rule (e.g. no row is left to aggregate), 2 when a file,
    an option or the spec cannot be used.

    Two addresses: --base-url is where the files will be published (the distributions'
    download URLs), --base-iri the namespace of the DCAT identifiers (the data set's IRI
    and the others'); they may differ.

    Several exports (files, a folder, a glob pattern) are read as one submission, in name
    order: de-duplicated across files, each file a source of the provenance, rejects.csv
    with a source column and summary.json with each file's counts. The unit records are
    aggregated as they are read, so memory does not grow with the size of the files.

    With --engine dask the same run goes over a Dask cluster: large CSV files are read
    in byte ranges by the workers, each aggregates its part, the client merges the cells
    and runs disclosure control and the writers; the outputs are those of the local
    engine, file for file.

    Example:

        export CDINTEROP_PSEUDONYM_KEY=a-long-secret-key
        cdinterop convert examples/public-services-satisfaction/submissions-kobo.csv \\
            -m mappings/services-survey-kobo.yaml -o out/services \\
            --base-iri https://data.example.org/services/
    """
    from cdinterop.convert import convert

    _check_base_iri(base_iri)  # an option, checked before any file is read
    files = _submission_files(submissions)
    submission = files[0]
    spec = _ingest_spec(submission, output, mapping)
    outputs = _convert_outputs(to, structure, conform_map)
    _unused_base_iri(base_iri, outputs)
    _check_engine(engine, spec, scheduler, partition_bytes)
    with _placeholder_key(), _user_errors(submission):
        secret = _key(key)
        with err.status("converting") as status, _convert_errors(output):
            result = convert(
                files,
                spec,
                output,
                to=outputs,
                structure=structure,
                conform=conform_map,
                base_url=base_url,
                base_iri=base_iri,
                key=secret,
                max_rejected=max_rejected,
                progress=lambda line: status.update(line),
                engine=engine.value,
                scheduler=scheduler,
                partition_bytes=partition_bytes,
            )
    _convert_warnings(result, base_url)
    if as_json:
        out.print_json(json.dumps(result.summary.to_dict()))
        return
    names = submission.name if len(files) == 1 else f"{len(files)} submission files"
    out.print(_convert_table(f"{names} → {output}", result))


def _check_base_iri(base_iri: str | None) -> None:
    """Exit 2 with the reason when ``--base-iri`` is given and is not a usable namespace."""
    if base_iri is None:
        return
    from rich.markup import escape

    from cdinterop.convert import ConvertError, check_request

    try:
        check_request(["dcat"], None, None, base_iri=base_iri)
    except ConvertError as exc:
        err.print(f"[bold red]✗ --base-iri[/]: {escape(str(exc))}")
        raise typer.Exit(EXIT_UNREADABLE) from None


def _check_engine(
    engine: Engine, spec: IngestSpec, scheduler: str | None, partition_bytes: int | None
) -> None:
    """Exit 2 with the reason when the engine options do not fit (or the spec cannot run on
    the engine)."""
    from rich.markup import escape

    from cdinterop.convert import ConvertError, check_engine

    try:
        check_engine(engine.value, spec, scheduler=scheduler, partition_bytes=partition_bytes)
    except ConvertError as exc:
        err.print(f"[bold red]✗ --engine {engine.value}[/]: {escape(str(exc))}")
        raise typer.Exit(EXIT_UNREADABLE) from None


def _convert_outputs(to: str, structure: str | None, conform_map: Path | None) -> list[str]:
    """The outputs ``--to`` names; exit 2 when one is unknown, none is given, or only one of
    ``--structure`` and ``--conform`` is."""
    from cdinterop.convert import ConvertError, check_request, writable_outputs

    outputs = [part.strip() for part in to.split(",") if part.strip()]
    try:
        check_request(outputs, structure, conform_map)
    except ConvertError:  # the same checks, said in the command line's words
        known = writable_outputs()
        if set(outputs) - set(known) or not outputs:
            err.print(f"[bold red]✗ --to {to}[/]: choose from {', '.join(known)}")
        else:
            err.print("[bold red]✗ --structure and --conform go together[/]: give both or neither")
        raise typer.Exit(EXIT_UNREADABLE) from None
    return outputs


@contextlib.contextmanager
def _convert_errors(output: Path) -> Iterator[None]:
    """Exit with a message when converting fails: 2 when the spec or key cannot be used, 1
    when the data break a rule or too many rows are rejected (rejects.csv and summary.json
    are then in ``output``)."""
    from cdinterop.convert import ConvertError
    from cdinterop.ingest import IngestError

    try:
        yield
    except IngestError as exc:
        err.print(f"[bold red]✗ {exc}[/]")
        if exc.result is not None:
            err.print(f"  rejects.csv and summary.json are in {output}")
        # too many rejects: the data; no result: the spec or key cannot be used
        raise typer.Exit(EXIT_UNREADABLE if exc.result is None else EXIT_INVALID) from None
    except ConvertError as exc:  # the data: e.g. no unit record left to aggregate
        err.print(f"[bold red]✗ {exc}[/]")
        raise typer.Exit(EXIT_INVALID) from None


def _convert_warnings(result: ConvertResult, base_url: str | None) -> None:
    """The warning lines of a conversion that went through: distributions with file: URLs,
    SDMX files left out, data cells that look like spreadsheet formulas."""
    if base_url is None and result.dataset.landing_page is None:
        err.print(
            "[yellow]![/] no --base-url and no landing page in the spec: the DCAT "
            "distributions point to this folder (file: URLs); pass --base-url with the "
            "address the files will be published at"
        )
    summary = result.summary
    for name, why in summary.sdmx_left_out.items():
        err.print(f"[yellow]![/] sdmx/{name} not written: {why}")
    for found in summary.formula_text:
        _warn_formulas(found.data, found.column, found.count, found.row)


def _convert_table(title: str, result: ConvertResult) -> Table:
    """The summary of a conversion as a table: rows, cells, values left out, files."""
    summary = result.summary
    counts = summary.ingest
    table = Table(title=title, show_header=False)
    table.add_row("rows read", f"{counts.rows_read:,}")
    table.add_row(
        "accepted / filtered / rejected",
        f"{counts.accepted:,} / {counts.filtered:,} / {counts.rejected:,}",
    )
    if summary.aggregate is not None:
        _aggregate_rows(table, summary.aggregate)
    table.add_row("files", f"{len(result.files)} (see summary.json for SHA-256)")
    return table


def _aggregate_rows(table: Table, agg: AggregationReport) -> None:
    """The rows of the convert summary table about the aggregated cells."""
    if agg.indicators == 1:
        table.add_row("cells published", f"{agg.published:,} of {agg.cells:,}")
    else:  # several indicators per cell: say both
        table.add_row(
            "cells published",
            f"{agg.cells_published:,} of {agg.cells:,} ({agg.indicators} indicators: "
            f"{agg.published:,} of {agg.observations:,} observations)",
        )
    table.add_row(
        "cells suppressed",
        f"{agg.primary_suppressed:,} primary, {agg.secondary_suppressed:,} secondary",
    )
    left_out = {column: n for column, n in agg.null_values.items() if n}
    if left_out:  # blank answers are null: out of that indicator's denominator
        table.add_row(
            "no value, left out",
            ", ".join(f"{n:,} in {column}" for column, n in left_out.items()),
        )


@app.command("report")
def report_command(
    outdir: Annotated[
        Path,
        typer.Argument(
            metavar="OUTDIR",
            help="The output folder of a run (convert), with its summary.json.",
        ),
    ],
    charts: Annotated[
        bool | None,
        typer.Option(
            "--charts/--no-charts",
            help="--charts: draw the charts (needs the report extra, matplotlib); "
            "--no-charts: the tables only. Default: charts when matplotlib is installed.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write report.html in the output folder of a run: a page a person can open offline.

    It shows the flow of rows (read, accepted, filtered by rule, rejected by reason), the
    quality measurements, the sample against the population with the calibration weights,
    the published indicator with its intervals and a map-like table of the suppressed
    cells, each when the run's summary.json and dataset.json have its data. One file: its
    charts are inline SVG, it has no script and makes no request. Exits 2 when the folder
    has no summary.json.

    Example:

        cdinterop report out/services
    """
    from cdinterop.report import write_report

    with _user_errors(outdir / "dataset.json"):
        written = write_report(outdir, charts=charts)
    out.print(f"wrote {written}")


@sdmx_app.command("write")
def sdmx_write(
    dataset: Annotated[
        Path,
        typer.Argument(
            metavar="DATASET", help="A cdinterop data set (JSON).", callback=_input_path
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FOLDER", help="Folder to write into.")
    ],
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="Data format(s) to write (repeatable; default: every format that can "
            "carry the data set). Formats: ml21-ss, ml21-ss-ts, ml21-generic, ml30-ss, "
            "ml30-ss-ts, csv10, csv20.",
        ),
    ] = None,
) -> None:
    """Write the structure messages (SDMX-ML 2.1 and 3.0, SDMX-JSON 2.0 and 2.1) and the
    data in every SDMX format.

    Formats: ml21-ss (SDMX-ML 2.1 structure-specific, flat), ml21-ss-ts (2.1
    structure-specific, time series), ml21-generic (2.1 generic), ml30-ss / ml30-ss-ts
    (SDMX-ML 3.0 structure-specific), csv10 (SDMX-CSV 1.0), csv20 (SDMX-CSV 2.0).

    Example:

        cdinterop sdmx write examples/marine-litter-ghana/dataset.json -o out/sdmx
    """
    from rich.progress import Progress

    from cdinterop import load, sdmx

    with _user_errors(dataset):
        ds = load(dataset)
        planned = sdmx.planned_files(ds, formats or None)
    table = Table(title=f"SDMX written to {output}", header_style="bold")
    for column in ("file", "size", "what"):
        table.add_column(column)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("writing SDMX", total=len(planned))
        with _user_errors(dataset):
            written = sdmx.write_all(
                ds, output, formats=formats or None, on_written=lambda _: progress.advance(task)
            )
    for path in written:  # the files appear together, once the last one is written
        fmt = sdmx.FORMATS.get(path.stem.removeprefix("data-"))
        what = fmt.description if fmt else "structure message (codelists, concepts, DSD, dataflow)"
        table.add_row(path.name, f"{path.stat().st_size:,} B", what)
    out.print(table)
    for name, why in sdmx.left_out(ds).items():
        err.print(f"[yellow]![/] {name} not written: {why}")


@sdmx_app.command("read")
def sdmx_read(
    data: Annotated[
        Path, typer.Argument(metavar="DATA", help="SDMX-ML or SDMX-CSV data.", callback=_input_path)
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="Data set JSON to write.")
    ],
    structure: Annotated[
        str | None,
        typer.Option(
            "--structure",
            "-s",
            metavar="STRUCTURE",
            help="Structure message (default: beside the data)." + _REMOTE_STRUCTURE,
            callback=_structure_input,
        ),
    ] = None,
    version_mismatch: VersionMismatchOption = VersionMismatch.warn,
    registry: RegistryOption = None,
    offline: OfflineOption = False,
    refresh: RefreshOption = False,
) -> None:
    """Read SDMX data (with its structure message) into a cdinterop data set (JSON).

    The structure message is looked for beside the data (structure-2.1.xml,
    structure-3.0.xml, structure-2.0.json or structure-2.1.json, as written by cdinterop
    sdmx write) unless --structure names one (SDMX-ML or SDMX-JSON).
    The data must refer to that structure (its DSD, or its dataflow): another one is an
    error; another version of it a warning, unless --version-mismatch says otherwise.

    Example:

        cdinterop sdmx read out/sdmx/data-csv20.csv -o dataset.json
    """
    import warnings

    from cdinterop import save, sdmx

    with _user_errors(data), warnings.catch_warnings(record=True) as caught:
        _not_an_input(output, data, _structure_file(structure))
        warnings.simplefilter("always", sdmx.StructureReferenceWarning)
        ds = sdmx.read(data, structure=structure, version_mismatch=version_mismatch.value)
        save(ds, output)
    for warning in caught:
        if isinstance(warning.message, sdmx.StructureReferenceWarning):
            err.print(f"[bold yellow]⚠[/] {warning.message}")
    out.print(f"[bold green]✓[/] {len(ds.observations):,} observations read from {data} → {output}")


@sdmx_app.command("conform")
def sdmx_conform(
    dataset: Annotated[
        Path,
        typer.Argument(
            metavar="DATASET", help="A cdinterop data set (JSON).", callback=_input_path
        ),
    ],
    structure: Annotated[
        str,
        typer.Option(
            "--structure",
            "-s",
            metavar="STRUCTURE",
            help="Target SDMX structure message (DSD)." + _REMOTE_STRUCTURE,
            callback=_structure_input,
        ),
    ],
    mapping: Annotated[
        Path,
        typer.Option(
            "--mapping",
            "-m",
            metavar="SPEC",
            help="Conformance mapping (YAML).",
            callback=_input_path,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FOLDER", help="Folder for the conformed data set and SDMX."
        ),
    ],
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="SDMX data format(s) to write (repeatable; default: every format).",
        ),
    ] = None,
    registry: RegistryOption = None,
    offline: OfflineOption = False,
    refresh: RefreshOption = False,
) -> None:
    """Conform a data set to an external DSD (e.g. the global SDG DSD) with a mapping.

    Writes the conformed data set (dataset.json) and its SDMX forms into the output folder,
    and prints how many rows were kept and why the others were dropped.

    Example:

        cdinterop sdmx conform examples/public-services-satisfaction/dataset.json \\
            -s IAEG-SDGs_SDG_1.0_structure.xml \\
            -m mappings/services-satisfaction-to-sdg.yaml -o out/sdg
    """
    from cdinterop import load, save, sdmx
    from cdinterop._publish import publish
    from cdinterop.conformance import ConformanceError, conform_with_report

    with _user_errors(dataset):
        source = load(dataset)
        # the folder is locked from here; dataset.json and the SDMX files appear together
        with publish(output, ("dataset.json", *sdmx._owned_files())) as staging:
            try:
                result = conform_with_report(source, structure, mapping)
            except ConformanceError as exc:
                err.print(exc.report.summary())
                raise
            written = sdmx.planned_files(result.dataset, formats or None)
            save(result.dataset, staging / "dataset.json")
            sdmx._write_files(result.dataset, staging, written, lambda _: None)
    out.print(result.report.summary())
    out.print(f"[bold green]✓[/] wrote dataset.json and {len(written)} SDMX files to {output}")


@datapackage_app.command("write")
def datapackage_write(
    dataset: Annotated[
        Path,
        typer.Argument(
            metavar="DATASET", help="A cdinterop data set (JSON).", callback=_input_path
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="PATH", help="Folder to create, or a path ending in .zip."
        ),
    ],
) -> None:
    """Write a data set as a Data Package v2 (a folder or a .zip).

    The package holds datapackage.json, observations.csv and one CSV per codelist, with the
    metadata the Data Package standard has no place for in cdinterop:* properties.

    Example:

        cdinterop datapackage write examples/marine-litter-ghana/dataset.json \\
            -o out/marine-litter.zip
    """
    from cdinterop import datapackage, load

    with _user_errors(dataset):
        ds = load(dataset)
        with err.status(f"writing {len(ds.observations):,} observations"):
            datapackage.write(ds, output)
    out.print(f"[bold green]✓[/] Data Package written to {output}")


@datapackage_app.command("read")
def datapackage_read(
    package: Annotated[
        Path,
        typer.Argument(
            metavar="PACKAGE",
            help="A package folder, its datapackage.json, or a .zip.",
            callback=_input_path,
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="Data set JSON to write.")
    ],
    resource: Annotated[
        str | None,
        typer.Option(
            "--resource",
            "-r",
            metavar="NAME",
            help="The table resource holding the observations; needed when a package has "
            "several tables and none is named observations.",
        ),
    ] = None,
) -> None:
    """Read a Data Package (ours or any other) into a cdinterop data set (JSON).

    A package with several tables needs --resource: without it the command stops and
    lists the tables with their row counts.

    Example:

        cdinterop datapackage read out/marine-litter.zip -o dataset.json
        cdinterop datapackage read out/marine-litter.zip --resource observations \\
            -o dataset.json
    """
    from cdinterop import datapackage, save

    with _user_errors(package):
        _not_an_input(output, package)
        ds = datapackage.read(package, resource=resource)
        save(ds, output)
    out.print(
        f"[bold green]✓[/] {len(ds.observations):,} observations read from {package} → {output}"
    )


RdfOutput = Annotated[
    Path,
    typer.Option(
        "--output", "-o", metavar="FILE", help="RDF file to write (.ttl, .jsonld, .rdf, .nt)."
    ),
]
RdfFormat = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="turtle, json-ld, xml or nt (default: from the file suffix).",
    ),
]
BaseIri = Annotated[
    str | None,
    typer.Option(
        "--base-iri",
        metavar="IRI",
        help="Base IRI under which the catalogue, data sets, agents and activities are minted.",
    ),
]


@dcat_app.command("write")
def dcat_write(
    dataset: Annotated[
        Path,
        typer.Argument(
            metavar="DATASET", help="A cdinterop data set (JSON).", callback=_input_path
        ),
    ],
    output: RdfOutput,
    rdf_format: RdfFormat = None,
    base_iri: BaseIri = None,
) -> None:
    """Describe a data set in DCAT-AP 3 (metadata only, no observations).

    The description carries PROV-O provenance, DQV quality, StatDCAT-AP dimensions and
    attributes, and participation, consent and disclosure control in the cdi: vocabulary.
    The syntax follows the file suffix unless --format is given.

    Example:

        cdinterop dcat write examples/marine-litter-ghana/dataset.json \\
            -o out/marine-litter.ttl --base-iri https://data.example.org/
    """
    from cdinterop import dcat, load

    with _user_errors(dataset):
        _not_an_input(output, dataset)
        ds = load(dataset)
        written = dcat.write(
            ds, output, format=rdf_format, base_iri=base_iri or dcat.DEFAULT_BASE_IRI
        )
    out.print(f"[bold green]✓[/] DCAT description written to {written}")


@dcat_app.command("catalog")
def dcat_catalog(
    catalog: Annotated[
        Path,
        typer.Argument(
            metavar="CATALOG",
            help="The catalogue's own description (YAML or JSON): id, title, description, "
            "publisher, homepage, languages, licence, issued, modified.",
            callback=_input_path,
        ),
    ],
    datasets: Annotated[
        list[Path],
        typer.Argument(
            metavar="DATASETS", help="The data sets it lists (JSON).", callback=_input_path
        ),
    ],
    output: RdfOutput,
    rdf_format: RdfFormat = None,
    base_iri: BaseIri = None,
) -> None:
    """Describe a catalogue of data sets in DCAT-AP 3.

    Writes a dcat:Catalog with its publisher, theme taxonomies and spatial coverage, and one
    dcat:Dataset per data set listed.

    Example:

        cdinterop dcat catalog examples/catalog.yaml examples/*/dataset.json \\
            -o out/catalog.ttl
    """

    from cdinterop import dcat, load
    from cdinterop.mapping import load_spec
    from cdinterop.model import Catalog

    with _user_errors(catalog):
        _not_an_input(output, catalog, *datasets)
        description = load_spec(catalog, Catalog)
    loaded = []
    for path in datasets:
        with _user_errors(path):
            loaded.append(load(path))
    with _user_errors(catalog):
        try:
            full = description.replace(datasets=tuple(loaded))
        except InvalidDatasetError as exc:
            reasons = "; ".join(f"{i.location}: {i.message}" for i in exc.issues)
            raise WriteError(f"the data sets do not form a catalogue: {reasons}") from None
        written = dcat.write(
            full, output, format=rdf_format, base_iri=base_iri or dcat.DEFAULT_BASE_IRI
        )
    out.print(
        f"[bold green]✓[/] catalogue {full.id} with {len(loaded)} data set(s) written to {written}"
    )


@dcat_app.command("read")
def dcat_read(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="SOURCE",
            help="A DCAT description of one data set (any RDF syntax).",
            callback=_input_path,
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="Data set JSON to write.")
    ],
    structure: Annotated[
        str | None,
        typer.Option(
            "--structure",
            "-s",
            metavar="STRUCTURE",
            help="SDMX structure message giving the data structure of a data set that "
            "cdinterop did not write and that names none (no stat:dimension)." + _REMOTE_STRUCTURE,
            callback=_structure_input,
        ),
    ] = None,
    registry: RegistryOption = None,
    offline: OfflineOption = False,
    refresh: RefreshOption = False,
) -> None:
    """Read a DCAT description back into a data set without observations.

    Descriptions that cdinterop wrote come back exactly. Others (a portal's DCAT-AP) are
    read tolerantly, and what cannot be represented is listed in the provenance.

    Example:

        cdinterop dcat read out/marine-litter.ttl -o metadata.json
    """
    from cdinterop import dcat, save

    with _user_errors(source):
        _not_an_input(output, source, _structure_file(structure))
        dsd = None
        if structure is not None:
            from cdinterop import sdmx

            dsd = sdmx.read_structure(structure).structure
        ds = dcat.read(source, structure=dsd)
        save(ds, output)
    out.print(f"[bold green]✓[/] {ds.id} read from {source} → {output}")


def _limits_from_argv(argv: list[str]) -> Limits:
    """Take every ``--limit NAME=VALUE`` (or ``--limit=NAME=VALUE``) out of ``argv``, where
    it stands, and return the limits they set (the defaults for the others)."""
    from cdinterop import limits

    changes: dict[str, int | float] = {}
    index = 1
    while index < len(argv):
        arg = argv[index]
        if arg == "--limit":
            if index + 1 >= len(argv):
                raise ValueError("give NAME=VALUE after --limit, e.g. --limit rows=1e9")
            name, value = limits.parse_assignment(argv[index + 1])
            del argv[index : index + 2]
        elif arg.startswith("--limit="):
            name, value = limits.parse_assignment(arg.removeprefix("--limit="))
            del argv[index]
        elif arg == "--":
            break
        else:
            index += 1
            continue
        changes[name] = value
    return limits.current().replace(**changes)


def main() -> None:
    """Entry point of the ``cdinterop`` console script."""
    import sys

    from cdinterop import limits

    debug = "--debug" in sys.argv
    if debug:
        sys.argv.remove("--debug")
    if _empty_output(sys.argv):
        err.print("[bold red]✗ --output[/]: the output path is empty; name a file or folder")
        raise SystemExit(EXIT_UNREADABLE)
    try:
        chosen = _limits_from_argv(sys.argv)
    except ValueError as exc:
        err.print(f"[bold red]✗ --limit[/]: {exc}")
        raise SystemExit(EXIT_UNREADABLE) from None
    try:
        with limits.use(chosen):
            app()
    except MissingExtraError as exc:
        _missing_extra(exc)
        raise SystemExit(EXIT_UNREADABLE) from None
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
