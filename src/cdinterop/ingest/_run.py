"""The ingest run: a submission file and an [`IngestSpec`][cdinterop.ingest.IngestSpec] in,
validated unit records, rejects and a summary out.

Per record batch (streamed from `cdinterop.ingest._sources`; the reader's batches
are joined into tables of up to ``batch_rows`` rows, read, trimmed to the columns the
spec uses and filtered in a background thread while the previous table is processed):

1. the spec's row filters, in order, on the values as received (rows leave as *filtered*,
   counted per rule);
2. privacy steps on the source columns: drop, pseudonymise (keyed hash), coarsen geopoints
   (a geopoint that cannot be read rejects its row; the rejects never show the location);
3. one rule per component (value maps, bands, periods, expressions, fixed values); a row
   whose value fails any rule leaves as *rejected*, with its row number, the column, the
   value and the reason (every failing column of a row is listed, not only the first);
4. the structure's checks on the rows that remain (types, codes, facets, periods): failing
   rows are rejected too.

After the last batch, duplicates by the spec's ``deduplicate`` key are filtered, rows
whose series key and period repeat an earlier row are rejected, and the unit records
become a [`CitizenDataset`][cdinterop.model.CitizenDataset] whose provenance gains the source file
(size, SHA-256, form version), the privacy steps and the ingest activity (spec id and
version, cdinterop version, row counts). Every row read is accepted, filtered or rejected:
``rows_read == accepted + filtered + rejected`` always holds.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import difflib
import queue
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdinterop import limits
from cdinterop._version import __version__
from cdinterop.errors import CdinteropError, Issue
from cdinterop.ingest._sources import SourceInfo, SourceOptions, open_submission
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
from cdinterop.mapping import UnmappedPolicy, filter_mask, fixed_values, load_spec, map_values
from cdinterop.mapping._internal import scalar_text
from cdinterop.model import (
    Activity,
    ActivityType,
    Checksum,
    CitizenDataset,
    Observations,
    Quality,
    QualityMeasurement,
    Source,
)
from cdinterop.model._internal import CDINTEROP_AGENT_ID, cdinterop_agents, free_id
from cdinterop.quality import RowCounts, measure_unit_records, rejected_by_reason

__all__ = ["REJECT_COLUMNS", "IngestError", "IngestResult", "IngestSummary", "ingest"]

ROW = "_row"
"""The column the readers add: the row's number in the source file."""
REJECT_COLUMNS = ("row", "column", "value", "reason", "code")
"""Columns of the rejects table (and of ``rejects.csv``); ``code`` is the reject's kind, an
[`IssueCode`][cdinterop.issue_codes.IssueCode]."""
_REJECTS_SCHEMA = pa.schema(
    [(name, pa.int64() if name == "row" else pa.string()) for name in REJECT_COLUMNS]
)


class IngestError(CdinteropError):
    """The spec does not fit the submission (an unknown column), or too many rows were
    rejected (``max_rejected``; then ``result`` holds the run's rejects and summary)."""

    def __init__(self, message: str, result: IngestResult | None = None) -> None:
        super().__init__(message)
        self.result = result


IngestError.__module__ = "cdinterop.ingest"  # tracebacks show the public name


@dataclass(frozen=True)
class IngestSummary:
    """The counts of an ingest run; ``rows_read == accepted + filtered + rejected``."""

    source: str
    """The submission file's name."""
    layout: str
    """The layout it was read as."""
    sha256: str
    """SHA-256 of the file's bytes."""
    spec_id: str
    """Id of the mapping spec."""
    spec_version: str
    """Version of the mapping spec."""
    rows_read: int
    """Records in the file (not counting the header)."""
    accepted: int
    """Rows that became unit records."""
    filtered: int
    """Rows left out by a named rule (row filters, de-duplication)."""
    rejected: int
    """Rows that could not be read or mapped, or failed the structure's checks."""
    filtered_by_rule: dict[str, int] = field(default_factory=dict)
    """Filtered rows per rule name."""
    rejected_by_column: dict[str, int] = field(default_factory=dict)
    """Rejected rows per column at fault (a row may count under several columns)."""
    seconds: float = 0.0
    """Wall-clock time of the run."""
    quality: tuple[QualityMeasurement, ...] = ()
    """The quality measurements of the run (`cdinterop.quality`), also in the data set's
    ``quality.measurements``. The JSON form leaves out their ``computed_at`` (the start of
    the run, in the data set), so that two runs on the same file give the same counts."""

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data (``summary.json``)."""
        data = {
            "source": self.source,
            "layout": self.layout,
            "sha256": self.sha256,
            "spec": {"id": self.spec_id, "version": self.spec_version},
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "filtered": self.filtered,
            "rejected": self.rejected,
            "filtered_by_rule": dict(self.filtered_by_rule),
            "rejected_by_column": dict(self.rejected_by_column),
            "seconds": round(self.seconds, 3),
        }
        if self.quality:
            data["quality"] = [
                m.model_dump(mode="json", exclude_none=True, exclude={"computed_at"})
                for m in self.quality
            ]
        return data


@dataclass(frozen=True)
class IngestResult:
    """What [`ingest()`][cdinterop.ingest.ingest] returns."""

    dataset: CitizenDataset
    """The unit records with the spec's metadata and the extended provenance."""
    rejects: pa.Table
    """One line per rejected (row, column): ``row``, ``column``, ``value``, ``reason``, ``code``."""
    summary: IngestSummary
    """The counts."""


class _Rejects:
    """Collects reject lines and the set of rejected source rows."""

    def __init__(self) -> None:
        self.tables: list[pa.Table] = []
        self.rows: set[int] = set()
        self.columns: dict[str, set[int]] = {}

    def add(
        self, rows: pa.Array, column: str, values: pa.Array | None, reasons: pa.Array, *, code: str
    ) -> None:
        if len(rows) == 0:
            return
        text = values if values is not None else pa.nulls(len(rows), pa.string())
        if not pa.types.is_string(text.type):
            text = pc.cast(text, pa.string())
        text = _shortened(text)
        self.tables.append(
            pa.table(
                [
                    rows.cast(pa.int64()),
                    pa.repeat(column, len(rows)),
                    text,
                    reasons,
                    pa.repeat(pa.scalar(code, pa.string()), len(rows)),
                ],
                schema=_REJECTS_SCHEMA,
            )
        )
        new = set(rows.to_pylist())
        self.rows |= new
        self.columns.setdefault(column, set()).update(new)

    @property
    def by_column(self) -> Counter[str]:
        """Rejected rows per column at fault (a row counts once per column)."""
        return Counter({column: len(rows) for column, rows in self.columns.items()})

    def table(self) -> pa.Table:
        if not self.tables:
            return _REJECTS_SCHEMA.empty_table()
        return pa.concat_tables(self.tables).sort_by(
            [("row", "ascending"), ("column", "ascending")]
        )


_SHOWN_CHARS = 200
"""A value longer than this is shown in the rejects by its start and ``…``."""


def _shortened(values: pa.Array) -> pa.Array:
    """``values`` with every text longer than `_SHOWN_CHARS` cut to its start and ``…``."""
    long = pc.fill_null(pc.greater(pc.utf8_length(values), _SHOWN_CHARS), False)
    if not pc.any(long).as_py():
        return values
    start = pc.utf8_slice_codeunits(values, 0, _SHOWN_CHARS)
    cut = pc.binary_join_element_wise(start, pa.scalar("…"), "")
    return pc.if_else(long, cut, values)


@dataclass
class _Plan:
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
    """The file's columns whose values a reject may show (see `_Plan.shown`)."""
    privacy = spec.privacy
    private = {names.get(c, c) for c in (*privacy.drop, *privacy.pseudonymise, *privacy.geopoints)}
    read = {names[r.source] for r in spec.components.values() if r.source is not None}
    for expression in expressions.values():
        read |= set(expression.columns)
    return frozenset(read - private)


def _resolve(spec: IngestSpec, submission: Submission, key: bytes | None) -> _Plan:
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
    return _Plan(spec, names, expressions, key, _shown_columns(spec, names, expressions))


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


def _privacy(batch: pa.Table, plan: _Plan, rejects: _Rejects) -> tuple[pa.Table, pa.Array]:
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


def _apply(rule: ComponentRule, cid: str, batch: pa.Table, plan: _Plan) -> Transformed:
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


def _mapped(rule: ComponentRule, cid: str, source: pa.ChunkedArray, plan: _Plan) -> Transformed:
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


def _filter_rows(batch: pa.Table, plan: _Plan, filtered: Counter[str]) -> pa.Table:
    """The spec's row filters, in order, on the values as received (nothing filtered is
    written); the rows each one leaves out are counted under its name."""
    for row_filter in plan.spec.rows:
        conditions = {plan.names[c]: v for c, v in row_filter.conditions.items()}
        hit = filter_mask(batch, conditions)
        keep = hit if row_filter.keep is not None else pc.invert(hit)
        filtered[row_filter.name] += batch.num_rows - int(pc.sum(keep).as_py() or 0)
        batch = batch.filter(keep)
    return batch


def _process(batch: pa.Table, plan: _Plan, rejects: _Rejects) -> tuple[pa.Table, pa.Table]:
    """One batch (already filtered by `_filter_rows()`) through privacy and rules:
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
    plan: _Plan,
    rejects: _Rejects,
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


def _read_columns(rule: ComponentRule, cid: str, plan: _Plan) -> list[tuple[str, str]]:
    """The file's columns a rule reads, as (file column, name in the spec); for an
    expression, every column it reads (``("", cid)`` when it reads none)."""
    if rule.source is not None:
        return [(plan.names[rule.source], rule.source)]
    if rule.expression is not None:
        read = list(plan.expressions[cid].columns)
        if read:
            return [(column, column) for column in read]
    return [("", cid)]


def _hidden_reason(cid: str, names: list[str], plan: _Plan, n: int) -> pa.Array:
    """The reason of a reject that reads a pseudonymised or coarsened column: what failed,
    without the values (nor anything made from them)."""
    privacy = plan.spec.privacy
    hows = [
        f"{name} is {'pseudonymised' if name in privacy.pseudonymise else 'coarsened'}"
        for name in names
    ]
    reason = f"{cid}: the rule fails on a value that is not shown ({', '.join(hows)})"
    return pa.repeat(pa.scalar(reason, pa.string()), n)


def _deduplicate(records: pa.Table, keys: pa.Table, plan: _Plan) -> tuple[pa.Table, int]:
    """Keep one record per dedup key (first or last in file order); records with an
    empty key cell cannot be compared and are all kept."""
    dedup = plan.spec.deduplicate
    if dedup is None or records.num_rows == 0:
        return records, 0
    columns = [_text(keys.column(i)) for i in range(keys.num_columns)]
    key = columns[0] if len(columns) == 1 else pc.binary_join_element_wise(*columns, "\x1f")
    encoded = pc.dictionary_encode(key)  # one integer per distinct key; nulls stay null
    valid = pc.is_valid(encoded).to_numpy(zero_copy_only=False)
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    if dedup.keep == "last":
        codes = codes[::-1]
    _unique, first = np.unique(codes, return_index=True)
    keep = np.zeros(len(codes), dtype=bool)
    keep[first] = True
    if dedup.keep == "last":
        keep = keep[::-1]
    keep |= ~valid
    if keep.all():  # no duplicates: the records as they are
        return records, 0
    kept = records.filter(pa.array(keep))
    return kept, records.num_rows - kept.num_rows


_ROW_REFERENCE = re.compile(r"\brow (\d+)\b")


def _reject_issues(
    issues: list[Issue],
    rows: pa.Array,
    rejects: _Rejects,
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


def _visible_components(plan: _Plan) -> frozenset[str]:
    """Components whose values a reject may show: made only from columns it may show
    (fixed values too)."""
    visible = set()
    for cid, rule in plan.spec.components.items():
        read = [column for column, _name in _read_columns(rule, cid, plan) if column]
        if all(column in plan.shown for column in read):
            visible.add(cid)
    return frozenset(visible)


_DONE = object()


def _needed(plan: _Plan, columns: Iterable[str]) -> list[str]:
    """The columns of the file a run reads (in file order): those the spec names, those
    its expressions read, and ``_row``; the others are left out right after reading."""
    wanted = set(plan.names.values()) | {ROW}
    for expression in plan.expressions.values():
        wanted |= set(expression.columns)
    return [name for name in columns if name in wanted]


def _prepared(
    batches: Iterator[pa.RecordBatch],
    plan: _Plan,
    columns: list[str],
    rows: int,
    filtered: Counter[str],
) -> Iterator[pa.Table]:
    """The reader's batches (one per parsed block, a few thousand rows) joined into
    tables of at most ``rows`` rows with only the ``columns`` a run reads, one chunk per
    column, and filtered by the spec's row filters. Every rule then runs once per
    ``rows`` rows rather than once per block, and memory stays bounded by ``rows``. Runs
    in the reader thread of `_prefetch()` (Arrow work, mostly without the GIL)."""
    group: list[pa.RecordBatch] = []
    count = 0

    def joined() -> pa.Table:
        table = _filter_rows(pa.Table.from_batches(group).select(columns), plan, filtered)
        return table.combine_chunks()

    for batch in batches:
        if group and count + batch.num_rows > rows:
            yield joined()
            group, count = [], 0
        group.append(batch)
        count += batch.num_rows
    if group:
        yield joined()


def _prefetch(batches: Iterator[pa.Table], depth: int = 2) -> Iterator[pa.Table]:
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


def ingest(
    submission: str | Path,
    spec: IngestSpec | str | Path,
    *,
    key: bytes | None = None,
    options: SourceOptions | None = None,
    max_rejected: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestResult:
    """Ingest the submission file ``submission`` with ``spec`` (an
    [`IngestSpec`][cdinterop.ingest.IngestSpec] or the path of its YAML file).

    ``key`` is the pseudonymisation key (default: read from ``spec.privacy.key``); ``options``
    override the spec's source options and ``max_rejected`` its ``max_rejected``; ``progress`` is
    called with the rows read so far after each batch. Raises
    [`ReadError`][cdinterop.errors.ReadError] for an unreadable file and
    [`IngestError`][cdinterop.ingest.IngestError] when the spec names columns the file lacks or more
    than ``max_rejected`` of the rows are rejected (the error carries the result).
    """
    started = dt.datetime.now(dt.UTC)
    if not isinstance(spec, IngestSpec):
        spec = load_spec(spec, IngestSpec)
    tally = _Tally()
    read = _read(submission, spec, options or _source_options(spec), key, tally, progress)
    records = _without_duplicates(read, tally)
    conformed = _conformed(records, read.plan, tally)
    summary = _summary(submission, spec, read, conformed.num_rows, tally, started)
    dataset = _dataset(spec, conformed, read.info, summary, started)
    rejects = tally.rejects.table()
    summary, dataset = _measured(summary, dataset, rejects, spec, started)
    result = IngestResult(dataset, rejects, summary)
    _refuse_too_many_rejected(result, spec.max_rejected if max_rejected is None else max_rejected)
    return result


@dataclass
class _Tally:
    """Where the rows that do not become unit records go: the rejects, and the count of
    filtered rows per rule."""

    rejects: _Rejects = field(default_factory=_Rejects)
    filtered: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class _Read:
    """What reading the submission gave: the records that passed every rule (with
    ``_row``), their de-duplication keys, the rows read and the source's description."""

    plan: _Plan
    records: pa.Table
    keys: pa.Table
    rows_read: int
    info: SourceInfo


def _source_options(spec: IngestSpec) -> SourceOptions:
    """The reader options the spec's ``source`` section gives."""
    source_spec = spec.source
    return SourceOptions(
        layout=Layout(source_spec.layout),
        encoding=source_spec.encoding,
        delimiter=source_spec.delimiter,
        sheet=source_spec.sheet,
        header_row=source_spec.header_row,
    )


def _read(
    submission: str | Path,
    spec: IngestSpec,
    opts: SourceOptions,
    key: bytes | None,
    tally: _Tally,
    progress: Callable[[int], None] | None,
) -> _Read:
    """Read the submission under the spec's reader limits, batch by batch through the
    row filters, privacy steps and component rules (see the module docs); the records
    the reader could not read are rejected."""
    parts: list[pa.Table] = []
    key_parts: list[pa.Table] = []
    chosen = limits.current().replace(**spec.source.limit_values())
    with limits.use(chosen), open_submission(submission, opts) as opened:
        plan = _resolve(spec, opened, key)
        needed = _needed(plan, opened.schema.names)
        tables = _prepared(opened.batches(), plan, needed, opts.batch_rows, tally.filtered)
        for batch in _prefetch(tables):
            records, keys = _process(batch, plan, tally.rejects)
            parts.append(records)
            key_parts.append(keys)
            if progress is not None:
                progress(opened.rows_read)
        _reject_problems(opened.problems(), tally.rejects, plan)
        rows_read = opened.rows_read
        info = _private_form_version(opened.info, opened, plan)
    records = pa.concat_tables(parts) if parts else pa.table({})
    keys = pa.concat_tables(key_parts) if key_parts and spec.deduplicate else pa.table({})
    return _Read(plan, records, keys, rows_read, info)


def _without_duplicates(read: _Read, tally: _Tally) -> pa.Table:
    """The records without the duplicates by the spec's key, counted as filtered under
    the de-duplication rule's name."""
    records, duplicates = _deduplicate(read.records, read.keys, read.plan)
    dedup = read.plan.spec.deduplicate
    if duplicates and dedup is not None:
        tally.filtered[dedup.name] += duplicates
    return records


def _conformed(records: pa.Table, plan: _Plan, tally: _Tally) -> Observations:
    """The records as observations conformed to the structure; the rows that break it
    are rejected (under the file column each component comes from) and left out."""
    spec = plan.spec
    rows = records.column(ROW).combine_chunks() if records.num_rows else pa.array([], pa.int64())
    unit = records.drop_columns([ROW]) if ROW in records.column_names else records
    # Conformed without issues, the observations remember the structure object, and the
    # data set built from them later does not check them a second time.
    conformed, issues = Observations.from_arrow(unit).conform(spec.structure)
    if not issues:
        return conformed
    sources = {c: r.source for c, r in spec.components.items() if r.source is not None}
    _reject_issues(issues, rows, tally.rejects, sources, _visible_components(plan))
    bad = pa.array(sorted({i.row for i in issues if i.row is not None}), pa.int64())
    mask = pc.invert(pc.is_in(pa.array(range(unit.num_rows), pa.int64()), value_set=bad))
    return Observations.from_arrow(conformed.table.filter(mask))  # checked again


def _summary(
    submission: str | Path,
    spec: IngestSpec,
    read: _Read,
    accepted: int,
    tally: _Tally,
    started: dt.datetime,
) -> IngestSummary:
    """The counts of the run, which must add up."""
    filtered, rejects = tally.filtered, tally.rejects
    summary = IngestSummary(
        source=Path(submission).name,
        layout=str(read.info.layout),
        sha256=read.info.sha256,
        spec_id=spec.id,
        spec_version=spec.version,
        rows_read=read.rows_read,
        accepted=accepted,
        filtered=sum(filtered.values()),
        rejected=len(rejects.rows),
        filtered_by_rule={name: n for name, n in filtered.items() if n},
        rejected_by_column=dict(rejects.by_column.most_common()),
        seconds=(dt.datetime.now(dt.UTC) - started).total_seconds(),
    )
    if summary.rows_read != summary.accepted + summary.filtered + summary.rejected:
        raise IngestError(  # pragma: no cover - a bug, never the user's input
            f"row counts do not add up: {summary.to_dict()}"
        )
    return summary


def _measured(
    summary: IngestSummary,
    dataset: CitizenDataset,
    rejects: pa.Table,
    spec: IngestSpec,
    started: dt.datetime,
) -> tuple[IngestSummary, CitizenDataset]:
    """The summary and the data set with the run's quality measurements (`cdinterop.quality`);
    the data set keeps the measurements the spec typed in before them."""
    counts = RowCounts(
        rows_read=summary.rows_read,
        rejected=summary.rejected,
        rejected_by_reason=rejected_by_reason(rejects),
        filtered_by_rule=summary.filtered_by_rule,
        duplicate_rule=spec.deduplicate.name if spec.deduplicate is not None else None,
    )
    measured = tuple(measure_unit_records(dataset, counts, computed_at=started))
    quality = dataset.quality or Quality()
    typed = quality.measurements
    dataset = dataset.replace(quality=quality.model_copy(update={"measurements": typed + measured}))
    return replace(summary, quality=measured), dataset


def _refuse_too_many_rejected(result: IngestResult, limit: float | None) -> None:
    """An [`IngestError`][cdinterop.ingest.IngestError] carrying ``result`` when more than
    ``limit`` (a share) of the rows read were rejected."""
    rows_read, rejected = result.summary.rows_read, result.summary.rejected
    if limit is not None and rows_read and rejected / rows_read > limit:
        raise IngestError(
            f"{rejected} of {rows_read} rows rejected ({rejected / rows_read:.1%}), more than "
            f"the {limit:.1%} allowed (max_rejected); see the rejects for why",
            result,
        )


def _reject_problems(problems: list[Issue], rejects: _Rejects, plan: _Plan) -> None:
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


def _private_form_version(info: SourceInfo, opened: Submission, plan: _Plan) -> SourceInfo:
    """``info`` without the form version when the spec drops or pseudonymises the column
    it comes from (the provenance would publish it)."""
    column = opened.form_version_column
    privacy = plan.spec.privacy
    private = {plan.names.get(c, c) for c in (*privacy.drop, *privacy.pseudonymise)}
    if column is None or column not in private or info.form_version is None:
        return info
    return replace(info, form_version=None)


def _dataset(
    spec: IngestSpec,
    records: Observations,
    info: SourceInfo,
    summary: IngestSummary,
    started: dt.datetime,
) -> CitizenDataset:
    """The unit records with the spec's metadata and the provenance of this run."""
    base = CitizenDataset.model_validate({**spec.dataset, "structure": spec.structure})
    provenance = base.provenance
    agents = cdinterop_agents(provenance)
    sources: tuple[Source, ...] = ()
    source_id = free_id("SUBMISSION", {s.id for s in provenance.sources})
    source = Source(
        id=source_id,
        title=Path(info.path).name,
        description=f"{info.layout} export as received",
        path=Path(info.path).name,
        size=info.size,
        checksum=Checksum(value=info.sha256),
        version=info.form_version,
    )
    ended = dt.datetime.now(dt.UTC)
    steps = _privacy_steps(spec)
    ds = base
    taken = {a.id for a in provenance.activities}
    if steps:
        ds = ds.with_activity(
            Activity(
                id=free_id("PSEUDONYMISE", taken),
                type=ActivityType.PSEUDONYMISATION,
                label="; ".join(steps),
                started_at=started,
                ended_at=ended,
                agents=(CDINTEROP_AGENT_ID,),
                used=(source_id,),
                software=CDINTEROP_AGENT_ID,
                parameters={"key": spec.privacy.key} if spec.privacy.pseudonymise else {},
            ),
            agents=agents,
            sources=(source,),
        )
        agents, sources = (), ()
    else:
        sources = (source,)
    ds = ds.with_activity(
        Activity(
            id=free_id("INGEST", taken),
            type=ActivityType.INGESTION,
            label=f"ingest {Path(info.path).name} with mapping spec {spec.id} {spec.version}",
            started_at=started,
            ended_at=ended,
            agents=(CDINTEROP_AGENT_ID,),
            used=(source_id,),
            method=f"mapping spec {spec.id} version {spec.version}",
            software=CDINTEROP_AGENT_ID,
            rows_in=summary.rows_read,
            rows_out=summary.accepted,
            parameters={
                "spec": spec.id,
                "spec_version": spec.version,
                "cdinterop": __version__,
                "rows_read": summary.rows_read,
                "accepted": summary.accepted,
                "filtered": summary.filtered,
                "rejected": summary.rejected,
            },
        ),
        agents=agents,
        sources=sources,
    )
    return ds.replace(observations=records)


def _privacy_steps(spec: IngestSpec) -> list[str]:
    privacy = spec.privacy
    steps = []
    if privacy.drop:
        steps.append(f"dropped {', '.join(privacy.drop)}")
    if privacy.pseudonymise:
        steps.append(f"pseudonymised {', '.join(privacy.pseudonymise)} (HMAC-SHA256, keyed)")
    for name, coarsening in privacy.geopoints.items():
        how = f"a {coarsening.grid}° grid" if coarsening.grid else f"the area in {coarsening.area}"
        steps.append(f"coarsened {name} to {how}")
    return steps
