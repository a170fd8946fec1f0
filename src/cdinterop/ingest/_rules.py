"""The per-batch steps of an ingest run: the spec resolved against the file's columns,
the row filters, the privacy steps and the component rules (see `cdinterop.ingest._run`)."""

from __future__ import annotations

import contextvars
import difflib
import queue
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.errors import Issue
from cdinterop.ingest._rejects import Rejects
from cdinterop.ingest._results import IngestError
from cdinterop.ingest._sources import SourceInfo, SourceOptions
from cdinterop.ingest._sources.base import Layout, Submission, short_names
from cdinterop.ingest._spec import ComponentRule, IngestSpec, IngestUnmapped
from cdinterop.ingest._transforms import (
    Band,
    Transformed,
    coarsen_to_grid,
    compile_expression,
    load_key,
    parse_geopoint,
    pseudonymise,
    to_bands,
    to_period,
)
from cdinterop.mapping import UnmappedPolicy, filter_mask, fixed_values, map_values
from cdinterop.mapping._internal import scalar_text

ROW = "_row"
"""The column the readers add: the row's number in the source file."""


@dataclass
class Plan:
    """The spec resolved against the file's columns."""

    spec: IngestSpec
    names: dict[str, str]
    expressions: dict[str, Any]
    key: bytes | None
    shown: frozenset[str] = frozenset()
    """The file's columns whose values rejects may show: those read by a component
    (``from`` or an expression) and published as they are or through a rule, i.e. not
    dropped, pseudonymised or coarsened; every other column stays out of the rejects."""

    def value_of(self, column: str, values: pa.Array) -> pa.Array | None:
        """``values`` of the file's ``column`` if rejects may show them, else ``None``."""
        return values if column in self.shown else None


def _shown_columns(
    spec: IngestSpec, names: dict[str, str], expressions: dict[str, Any]
) -> frozenset[str]:
    """The file's columns whose values a reject may show (see `Plan.shown`)."""
    privacy = spec.privacy
    private = {names.get(c, c) for c in (*privacy.drop, *privacy.pseudonymise, *privacy.geopoints)}
    read = {names[r.source] for r in spec.components.values() if r.source is not None}
    for expression in expressions.values():
        read |= set(expression.columns)
    return frozenset(read - private)


def resolve(spec: IngestSpec, submission: Submission, key: bytes | None) -> Plan:
    """Map every column the spec names to a column of the file (full or Kobo short
    name); unknown columns are one clear error listing them and what the file has.

    Uses the submission's columns, not its `info`, which would wait
    for the SHA-256 of the whole file before the first batch is read."""
    wanted = _wanted_columns(spec)
    file_columns = _file_columns(submission)
    columns = sorted(file_columns)
    file_name = Path(submission.path).name
    names, unknown = _matched_columns(wanted, file_columns, file_name)
    expressions = _compiled_expressions(spec, columns, unknown)
    if unknown:
        raise _misfit(spec, submission, unknown, none_found=bool(wanted) and not names)
    if spec.privacy.pseudonymise and key is None:
        key = _spec_key(spec.privacy.key)
    return Plan(spec, names, expressions, key, _shown_columns(spec, names, expressions))


def _wanted_columns(spec: IngestSpec) -> dict[str, str]:
    """Every column the spec names, with where the spec first names it."""
    wanted: dict[str, str] = {}
    named = (*_filter_columns(spec), *_privacy_columns(spec), *_component_columns(spec))
    for name, where in named:
        wanted.setdefault(name, where)
    return wanted


def _filter_columns(spec: IngestSpec) -> Iterator[tuple[str, str]]:
    """The columns of the row filters and of the de-duplication key, with where named."""
    for row_filter in spec.rows:
        part = "keep" if row_filter.keep is not None else "drop"
        for column in row_filter.conditions:
            yield column, f"rows.{row_filter.name}.{part}"
    if spec.deduplicate is not None:
        for column in spec.deduplicate.key:
            yield column, "deduplicate.key"


def _privacy_columns(spec: IngestSpec) -> Iterator[tuple[str, str]]:
    """The columns the privacy steps drop, pseudonymise, coarsen or take areas from."""
    privacy = spec.privacy
    yield from ((column, "privacy.drop") for column in privacy.drop)
    yield from ((column, "privacy.pseudonymise") for column in privacy.pseudonymise)
    yield from ((column, "privacy.geopoints") for column in privacy.geopoints)
    for column, coarsening in privacy.geopoints.items():
        if coarsening.area is not None:
            yield coarsening.area, f"privacy.geopoints.{column}.area"


def _component_columns(spec: IngestSpec) -> Iterator[tuple[str, str]]:
    """The columns the components take their values ``from``."""
    for cid, rule in spec.components.items():
        if rule.source is not None:
            yield rule.source, f"components.{cid}.from"


def _file_columns(submission: Submission) -> dict[str, str]:
    """Every name a column of the file answers to (its full name, or the Kobo short name
    without its groups) → the column's name in the file; full names win."""
    columns_of_file = submission.columns
    shortened = short_names(columns_of_file, submission.group_separator)
    short = {s: full for full, s in shortened.items()}
    return {**short, **{name: name for name in columns_of_file}}


def _matched_columns(
    wanted: dict[str, str], file_columns: dict[str, str], file_name: str
) -> tuple[dict[str, str], list[str]]:
    """The file's column of each wanted name, and a line for each name the file lacks."""
    names: dict[str, str] = {}
    unknown: list[str] = []
    columns = sorted(file_columns)
    for name, where in wanted.items():
        if name in file_columns:
            names[name] = file_columns[name]
        else:
            hint = _did_you_mean(name, columns)
            unknown.append(f"{where}: no column {name!r} in {file_name}{hint}")
    return names, unknown


def _compiled_expressions(
    spec: IngestSpec, columns: list[str], unknown: list[str]
) -> dict[str, Any]:
    """The components' expressions, compiled; one line in ``unknown`` for each that fails."""
    expressions: dict[str, Any] = {}
    for cid, rule in spec.components.items():
        if rule.expression is not None:
            try:
                expressions[cid] = compile_expression(rule.expression, columns=columns)
            except ValueError as exc:
                unknown.append(f"components.{cid}.expression: {exc}")
    return expressions


def _misfit(
    spec: IngestSpec, submission: Submission, unknown: list[str], *, none_found: bool
) -> IngestError:
    """The error for a spec that names columns the file lacks (or expressions that do not
    compile), showing the file's header; when not one column was found, the advice to
    set the header row."""
    file_name = Path(submission.path).name
    own = submission.file_columns
    more = " …" if len(own) > 40 else ""
    has = ", ".join(own[:40]) + more
    if none_found:  # not one column found: the header is likely elsewhere
        row = spec.source.header_row
        return IngestError(
            f"none of the columns the spec names is in the header of {file_name} "
            f"(line {row}: {has}); if the header is on another line, set "
            f"source.header_row in the spec (now {row})"
        )
    return IngestError(
        f"the spec does not fit {file_name}: {'; '.join(unknown)} (the file has: {has})"
    )


def _did_you_mean(name: str, columns: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the column closest to an unknown ``name``, or ``""``."""
    close = difflib.get_close_matches(name, columns, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _spec_key(source: str) -> bytes:
    """The pseudonymisation key named by the spec's ``privacy.key``; an
    [`IngestError`][cdinterop.ingest.IngestError] saying why it cannot be used (never the key)."""
    try:
        return load_key(source)
    except ValueError as exc:
        reason = str(exc)
        repeated = f"the pseudonymisation key ({source}) "
        if reason.startswith(repeated):
            reason = "it " + reason.removeprefix(repeated)
        raise IngestError(
            f"the pseudonymisation key (privacy.key: {source}) cannot be used: {reason}"
        ) from None


def _text(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    return array if pa.types.is_string(array.type) else pc.cast(array, pa.string())


def _privacy(batch: pa.Table, plan: Plan, rejects: Rejects) -> tuple[pa.Table, pa.Array]:
    """Drop, pseudonymise and coarsen; return the batch and the mask of rows whose geopoint
    cannot be read (rejected, without the precise location in the rejects)."""
    privacy = plan.spec.privacy
    failed = pa.repeat(pa.scalar(False), batch.num_rows)
    for name in privacy.drop:
        batch = batch.drop_columns([plan.names[name]])
    for name in privacy.pseudonymise:
        column = plan.names[name]
        assert plan.key is not None
        hashed = pseudonymise(batch.column(column), plan.key)
        batch = batch.set_column(batch.schema.get_field_index(column), column, hashed)
    for name, coarsening in privacy.geopoints.items():
        column = plan.names[name]
        points = parse_geopoint(batch.column(column), reveal=False)
        if points.reasons is not None:
            rows = pc.filter(batch.column(ROW), points.failed)
            reasons = pc.filter(points.reasons, points.failed)
            rejects.add(_text(rows), name, None, reasons, code="not-a-geopoint")
            failed = pc.or_(failed, points.failed)
        if coarsening.grid is not None:
            cells = coarsen_to_grid(points.lat, points.lon, coarsening.grid, labels=False)
            lat = pc.cast(cells.lat, pa.string())
            lon = pc.cast(cells.lon, pa.string())
            coarse = pc.binary_join_element_wise(lat, lon, " ")
        else:
            assert coarsening.area is not None
            coarse = _text(batch.column(plan.names[coarsening.area]))
        batch = batch.set_column(batch.schema.get_field_index(column), column, coarse)
    return batch, failed


def _apply(rule: ComponentRule, cid: str, batch: pa.Table, plan: Plan) -> Transformed:
    """The component's column for ``batch``, with its failed rows."""
    if rule.value is not None:
        return Transformed.ok(fixed_values(rule.value, batch.num_rows))
    if rule.expression is not None:
        return plan.expressions[cid].evaluate(batch)  # type: ignore[no-any-return]
    assert rule.source is not None
    source = batch.column(plan.names[rule.source])
    if rule.map is not None:
        return _mapped(rule, cid, source, plan)
    return _with_default(_converted(rule, source, rule.source), rule, source)


def _mapped(rule: ComponentRule, cid: str, source: pa.ChunkedArray, plan: Plan) -> Transformed:
    """A source column through the rule's value map; with the ``reject`` policy, the
    values the map lacks fail their rows."""
    assert rule.map is not None
    policy = rule.unmapped or plan.spec.unmapped
    mapped = map_values(
        source,
        rule.map,
        unmapped=UnmappedPolicy.KEEP if policy is IngestUnmapped.KEEP else UnmappedPolicy.DROP,
        default=rule.default,
    )
    failed = mapped.unmapped.combine_chunks()
    if policy is not IngestUnmapped.REJECT or not pc.any(failed).as_py():
        return Transformed(mapped.values, pa.repeat(pa.scalar(False), len(source)), None)
    reasons = pc.if_else(
        failed,
        pc.binary_join_element_wise(
            pa.scalar("'"),
            _text(source),
            pa.scalar(f"' is not in the value map of {cid}"),
            "",
        ),
        pa.scalar(None, pa.string()),
    )
    return Transformed(mapped.values, failed, reasons)


def _converted(rule: ComponentRule, source: pa.ChunkedArray, label: str) -> Transformed:
    """A source column (named ``label`` in the spec) in bands, as periods, or as it is."""
    if rule.bands is not None:
        bands = [Band(code, low, high) for code, (low, high) in rule.bands.items()]
        return to_bands(source, bands, label=label)
    if rule.period is not None:
        options = {"formats": rule.date_formats} if rule.date_formats else {}
        return to_period(source, rule.period, **options)
    return Transformed.ok(source)


def _with_default(result: Transformed, rule: ComponentRule, source: pa.ChunkedArray) -> Transformed:
    """``result`` with the rule's default where the source value is null."""
    if rule.default is None:
        return result
    values = result.values
    default = pa.scalar(rule.default)
    if pa.types.is_string(values.type) or pa.types.is_null(values.type):
        default = pa.scalar(scalar_text(rule.default), pa.string())
    elif not default.type.equals(values.type):
        default = default.cast(values.type)
    filled = pc.if_else(pc.is_null(source), default, values)
    return Transformed(filled, result.failed, result.reasons)


def filter_rows(batch: pa.Table, plan: Plan, filtered: Counter[str]) -> pa.Table:
    """The spec's row filters, in order, on the values as received (nothing filtered is
    written); the rows each one leaves out are counted under its name."""
    for row_filter in plan.spec.rows:
        conditions = {plan.names[c]: v for c, v in row_filter.conditions.items()}
        hit = filter_mask(batch, conditions)
        keep = hit if row_filter.keep is not None else pc.invert(hit)
        filtered[row_filter.name] += batch.num_rows - int(pc.sum(keep).as_py() or 0)
        batch = batch.filter(keep)
    return batch


def process(batch: pa.Table, plan: Plan, rejects: Rejects) -> tuple[pa.Table, pa.Table]:
    """One batch (already filtered by `filter_rows()`) through privacy and rules:
    (unit-record columns with ``_row``, the dedup key columns)."""
    spec = plan.spec
    batch, unreadable = _privacy(batch, plan, rejects)
    columns: dict[str, pa.Array | pa.ChunkedArray] = {}
    failed = unreadable
    for cid, rule in spec.components.items():
        result = _apply(rule, cid, batch, plan)
        columns[cid] = result.values
        if result.reasons is not None and pc.any(result.failed).as_py():
            _reject_failed(result, rule, cid, batch, plan, rejects)
            failed = pc.or_(failed, result.failed)
    keep = pc.invert(failed)
    records = pa.table({**columns, ROW: batch.column(ROW)}).filter(keep)
    key_names = [plan.names[c] for c in spec.deduplicate.key] if spec.deduplicate else []
    keys = batch.select(key_names).filter(keep) if key_names else pa.table({})
    return records, keys


def _reject_failed(
    result: Transformed,
    rule: ComponentRule,
    cid: str,
    batch: pa.Table,
    plan: Plan,
    rejects: Rejects,
) -> None:
    """Reject the rows a component's rule failed on, under each file column it reads,
    with the value where a reject may show it and the reason (a reason that would tell
    a private value is replaced by what failed)."""
    assert result.reasons is not None
    mask = result.failed
    rows = _text(pc.filter(batch.column(ROW), mask))
    reasons = _text(pc.filter(result.reasons, mask))
    read = _read_columns(rule, cid, plan)
    hidden = [name for column, name in read if column and column not in plan.shown]
    if hidden:
        why = _hidden_reason(cid, hidden, plan, len(rows))
    elif rule.expression is not None:
        why = pc.binary_join_element_wise(pa.scalar(f"{cid}: "), reasons, "")
    else:
        why = reasons
    for column, name in read:
        shown = plan.value_of(column, batch.column(column)) if column else None
        value = None if shown is None else _text(pc.filter(shown, mask))
        rejects.add(rows, name, value, why, code=_reject_code(rule))


def _reject_code(rule: ComponentRule) -> str:
    """The code of the rejects of a rule that fails (see `cdinterop.issue_codes`)."""
    if rule.expression is not None:
        return "expression-rule"
    if rule.map is not None:
        return "unmapped-value"
    return "band-rule" if rule.bands is not None else "period-rule"


def _read_columns(rule: ComponentRule, cid: str, plan: Plan) -> list[tuple[str, str]]:
    """The file's columns a rule reads, as (file column, name in the spec); for an
    expression, every column it reads (``("", cid)`` when it reads none)."""
    if rule.source is not None:
        return [(plan.names[rule.source], rule.source)]
    if rule.expression is not None:
        read = list(plan.expressions[cid].columns)
        if read:
            return [(column, column) for column in read]
    return [("", cid)]


def _hidden_reason(cid: str, names: list[str], plan: Plan, n: int) -> pa.Array:
    """The reason of a reject that reads a pseudonymised or coarsened column: what failed,
    without the values (nor anything made from them)."""
    privacy = plan.spec.privacy
    hows = [
        f"{name} is {'pseudonymised' if name in privacy.pseudonymise else 'coarsened'}"
        for name in names
    ]
    reason = f"{cid}: the rule fails on a value that is not shown ({', '.join(hows)})"
    return pa.repeat(pa.scalar(reason, pa.string()), n)


_ROW_REFERENCE = re.compile(r"\brow (\d+)\b")


def reject_issues(
    issues: list[Issue],
    rows: pa.Array,
    rejects: Rejects,
    columns: dict[str, str],
    visible: frozenset[str] = frozenset(),
) -> None:
    """Reject the rows of the structure's issues under the file's column a component comes
    from (``columns``: component id → source column; the component id when it has none);
    positions in the records table that a message names ("already used by row 25") become
    the rows of the source file. Only the values of the components in ``visible`` are
    shown (those made from columns a reject may show)."""

    def source_row(match: re.Match[str]) -> str:
        position = int(match[1])
        return f"row {rows[position].as_py()}" if position < len(rows) else match[0]

    for issue in issues:
        if issue.row is None:
            raise IngestError(f"the unit records do not fit the structure: {issue}")
        shown = issue.value is not None and issue.component in visible
        value = str(issue.value) if shown else None
        rejects.add(
            pa.array([rows[issue.row].as_py()], pa.int64()),
            columns.get(issue.component, issue.component) if issue.component else "(key)",
            pa.array([value], pa.string()),
            pa.array([_ROW_REFERENCE.sub(source_row, issue.message)], pa.string()),
            code=issue.code,
        )


def visible_components(plan: Plan) -> frozenset[str]:
    """Components whose values a reject may show: made only from columns it may show
    (fixed values too)."""
    visible = set()
    for cid, rule in plan.spec.components.items():
        read = [column for column, _name in _read_columns(rule, cid, plan) if column]
        if all(column in plan.shown for column in read):
            visible.add(cid)
    return frozenset(visible)


_DONE = object()


def needed_columns(plan: Plan, columns: Iterable[str]) -> list[str]:
    """The columns of the file a run reads (in file order): those the spec names, those
    its expressions read, and ``_row``; the others are left out right after reading."""
    wanted = set(plan.names.values()) | {ROW}
    for expression in plan.expressions.values():
        wanted |= set(expression.columns)
    return [name for name in columns if name in wanted]


def prepared_tables(
    batches: Iterator[pa.RecordBatch],
    plan: Plan,
    columns: list[str],
    rows: int,
    filtered: Counter[str],
) -> Iterator[pa.Table]:
    """The reader's batches (one per parsed block, a few thousand rows) joined into
    tables of at most ``rows`` rows with only the ``columns`` a run reads, one chunk per
    column, and filtered by the spec's row filters. Every rule then runs once per
    ``rows`` rows rather than once per block, and memory stays bounded by ``rows``. Runs
    in the reader thread of `prefetch()` (Arrow work, mostly without the GIL)."""
    group: list[pa.RecordBatch] = []
    count = 0

    def joined() -> pa.Table:
        table = filter_rows(pa.Table.from_batches(group).select(columns), plan, filtered)
        return table.combine_chunks()

    for batch in batches:
        if group and count + batch.num_rows > rows:
            yield joined()
            group, count = [], 0
        group.append(batch)
        count += batch.num_rows
    if group:
        yield joined()


def prefetch(batches: Iterator[pa.Table], depth: int = 2) -> Iterator[pa.Table]:
    """Read the next batches in a background thread while this one is processed (pyarrow
    parses with the GIL released), keeping at most ``depth`` batches waiting so memory
    stays bounded; an error of the reader is raised here, in the caller's thread."""
    waiting: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        waiting.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            waiting.put(_DONE)
        except BaseException as exc:  # handed over to the consumer
            waiting.put(exc)

    context = contextvars.copy_context()  # the reader limits in force (cdinterop.limits)
    worker = threading.Thread(
        target=context.run, args=(produce,), name="cdinterop-ingest-reader", daemon=True
    )
    worker.start()
    try:
        while True:
            item = waiting.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                waiting.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.05)


def source_options(spec: IngestSpec) -> SourceOptions:
    """The reader options the spec's ``source`` section gives."""
    source_spec = spec.source
    return SourceOptions(
        layout=Layout(source_spec.layout),
        encoding=source_spec.encoding,
        delimiter=source_spec.delimiter,
        sheet=source_spec.sheet,
        header_row=source_spec.header_row,
    )


def reject_problems(problems: list[Issue], rejects: Rejects, plan: Plan) -> None:
    """Reject the records the reader could not read: their line and what is wrong, under
    ``(record)`` or the column at fault. The reader's value is shown only when it is the
    text of one cell of a column a reject may show (a formula without a result); never
    the text of a record, which may hold columns the spec drops or pseudonymises."""
    for n, problem in enumerate(problems):
        row = problem.row if problem.row is not None else -(n + 1)
        column = problem.component or "(record)"
        value = problem.value if isinstance(problem.value, str) else None
        rejects.add(
            pa.array([row], pa.int64()),
            column,
            pa.array([value if column in plan.shown else None], pa.string()),
            pa.array([problem.message], pa.string()),
            code=problem.code,
        )


def private_form_version(info: SourceInfo, opened: Submission, plan: Plan) -> SourceInfo:
    """``info`` without the form version when the spec drops or pseudonymises the column
    it comes from (the provenance would publish it)."""
    column = opened.form_version_column
    privacy = plan.spec.privacy
    private = {plan.names.get(c, c) for c in (*privacy.drop, *privacy.pseudonymise)}
    if column is None or column not in private or info.form_version is None:
        return info
    return replace(info, form_version=None)
