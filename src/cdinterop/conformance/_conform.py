"""Conformance: map a data set onto an SDMX data structure it did not define.

The main case is the global SDG DSD ``IAEG-SDGs:SDG``: a citizen data set with its own
dimensions and codes is carried onto the SDG dimensions and codelists by a declarative
[`ConformanceSpec`][cdinterop.mapping.ConformanceSpec] (YAML, see ``mappings/``)::

    from cdinterop.conformance import conform
    sdg = conform(ds, "IAEG-SDGs_SDG_1.0_structure.xml",
                  "mappings/services-satisfaction-to-sdg.yaml")

What is checked, and reported all at once as a
[`ConformanceError`][cdinterop.conformance.ConformanceError] (an
[`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError]) with located issues:

* the spec's ``structure`` reference matches the target (``structure-mismatch``);
* every rule names a target component (``unknown-component``) and every source column it
  reads exists (``unknown-column``); every target dimension, the time dimension, the
  measures and every mandatory attribute have a rule (``missing-component``);
* fixed values, map values and defaults of coded components are codes of the target's
  codelists, and values passed through unchanged too (``unknown-code``, naming the code
  and the codelist); other fixed values have the component's type (``wrong-value``);
* source values with no map entry under policy ``error`` (``unmapped-value``);
* a source dimension that no rule carries must be reduced to one value by row filters
  (``unmapped-dimension``): otherwise its values would collapse onto the same target key;
* data-set-level target attributes taken ``from`` a column need one value
  (``not-single-valued``);
* then the target model's own checks of the conformed observations (types, duplicate keys,
  mandatory values, periods), with the source row of each problem.

The conformed data set keeps the source's metadata, participation, consent, quality and disclosure
(its record's relations and contributor count carried onto the target's dimensions and codes
where they still hold, see ``_disclosure.py``);
takes the target's structure; and ends its provenance with a ``conversion`` activity (mapping id and
version, rows in and out, rows dropped per reason) run by the cdinterop software agent.
[`conform_with_report()`][cdinterop.conformance.conform_with_report] also returns the
[`ConformanceReport`][cdinterop.conformance.ConformanceReport] (the counts, which add up:
rows in = rows out + rows dropped).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ValidationError

from cdinterop._version import __version__
from cdinterop.conformance._disclosure import conformed_disclosure
from cdinterop.errors import InvalidDatasetError, Issue, issues_from_pydantic
from cdinterop.mapping import (
    ConformanceSpec,
    DropCount,
    MappingResult,
    UnmappedPolicy,
    ValueRule,
    apply_rules,
    load_conformance_spec,
)
from cdinterop.mapping._internal import scalar_text, value_counts
from cdinterop.model import (
    Activity,
    ActivityType,
    Agent,
    AgentKind,
    AttachmentLevel,
    Checksum,
    CitizenDataset,
    Component,
    DataStructure,
    Dimension,
    Measure,
    Observations,
    Source,
    TimeDimension,
    Usage,
    ValueType,
    parse_period,
)
from cdinterop.model._internal import check_value, recorded_totals
from cdinterop.sdmx import read_structure
from cdinterop.sdmx._internal import fetch, is_remote

__all__ = [
    "SOFTWARE_AGENT_ID",
    "ConformanceError",
    "ConformanceReport",
    "ConformanceResult",
    "conform",
    "conform_with_report",
]

SOFTWARE_AGENT_ID = "CDINTEROP"
"""Id of the cdinterop software agent in the provenance record."""

_LOCATION = "mapping"
_TEXT_TYPES = (ValueType.STRING, ValueType.URI, ValueType.DATE, ValueType.DATETIME)


@dataclass(frozen=True, slots=True)
class ConformanceReport:
    """What a conformance run did: rows in, out and dropped (per reason), and problems."""

    mapping: str
    """Mapping id and version, e.g. ``services-satisfaction-to-sdg 1.0``."""
    source: str
    """The source data set, as ``AGENCY:ID(VERSION)``."""
    target: str
    """The target structure, as ``AGENCY:ID(VERSION)``."""
    rows_in: int
    """Observations of the source."""
    rows_out: int
    """Observations of the conformed data set (when the run failed: the rows that passed
    the filters and maps)."""
    dropped: tuple[DropCount, ...] = ()
    """Rows dropped per row filter and per unmapped value, in the order applied."""
    not_carried: tuple[str, ...] = ()
    """Source columns no rule carries into the target (filtered-on columns included)."""
    issues: tuple[Issue, ...] = field(default=())
    """Every problem found (empty on success)."""

    @property
    def rows_dropped(self) -> int:
        """Rows dropped in all; ``rows_in == rows_out + rows_dropped`` on success."""
        return sum(d.rows for d in self.dropped)

    @property
    def ok(self) -> bool:
        """Whether the run succeeded."""
        return not self.issues

    def summary(self) -> str:
        """A readable multi-line account of the run."""
        out = "rows out" if self.ok else "rows kept"
        lines = [
            f"conformance of {self.source} to {self.target} with mapping {self.mapping}",
            f"  rows in: {self.rows_in}, {out}: {self.rows_out}, rows dropped: {self.rows_dropped}",
        ]
        lines += [f"    {d}" for d in self.dropped if d.rows]
        if self.not_carried:
            lines.append(f"  source columns not carried over: {', '.join(self.not_carried)}")
        if self.issues:
            n = len(self.issues)
            lines.append(f"  not conformed, {n} problem{'s' if n != 1 else ''}:")
            lines += [f"    - {issue}" for issue in self.issues]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-friendly dict."""
        return {
            "mapping": self.mapping,
            "source": self.source,
            "target": self.target,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "rows_dropped": self.rows_dropped,
            "dropped": [d.to_dict() for d in self.dropped],
            "not_carried": list(self.not_carried),
            "issues": [i.to_dict() for i in self.issues],
        }


class ConformanceError(InvalidDatasetError):
    """A data set could not be conformed: ``issues`` lists every problem, ``report`` the
    counts of the run as far as it went."""

    def __init__(self, issues: tuple[Issue, ...], *, report: ConformanceReport) -> None:
        self.report = report
        super().__init__(
            issues,
            context=f"conformance of {report.source} to {report.target} "
            f"with mapping {report.mapping}",
        )


ConformanceError.__module__ = "cdinterop.sdmx"  # tracebacks show the public name


@dataclass(frozen=True, slots=True)
class ConformanceResult:
    """A conformed data set and the report of the run."""

    dataset: CitizenDataset
    """The conformed data set."""
    report: ConformanceReport
    """Rows in, out and dropped."""


def _label(agency: str, id: str, version: str) -> str:
    return f"{agency}:{id}({version})"


def _structure_label(structure: DataStructure) -> str:
    return _label(structure.agency, structure.id, structure.version)


def _unique_id(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}_{n}"
    return candidate


def _file_source(path: Path, wanted_id: str, title: str, media_type: str) -> dict[str, Any]:
    return {
        "id": wanted_id,
        "title": title,
        "path": path.name,
        "media_type": media_type,
        "size": path.stat().st_size,
        "checksum": Checksum.of_file(path),
    }


# -- static checks of the spec against the target --------------------------------------------


def _code_issue(
    location: str, component: str, value: Any, structure: DataStructure, codelist_id: str
) -> Issue:
    codelist = structure.codelist(codelist_id)
    where = f"{codelist.agency}:{codelist.id}({codelist.version}), {len(codelist)} codes"
    close = difflib.get_close_matches(scalar_text(value), sorted(codelist.code_ids), 3, 0.85)
    hint = f"; close codes: {', '.join(close)}" if close else ""
    return Issue(
        location,
        "unknown-code",
        f"{value!r} is not a code of {codelist.id} ({where}), the codelist of {component} "
        f"in {_structure_label(structure)}{hint}",
        value,
        component=component,
    )


def _check_fixed(
    location: str, component: Component, value: Any, structure: DataStructure
) -> list[Issue]:
    if isinstance(component, TimeDimension):
        try:
            parse_period(scalar_text(value))
        except ValueError as exc:
            return [Issue(location, "wrong-value", str(exc), value, component=component.id)]
        return []
    if component.codelist is not None:
        if scalar_text(value) in structure.codelist(component.codelist):
            return []
        return [_code_issue(location, component.id, value, structure, component.codelist)]
    return [
        Issue(location, "wrong-value", message, value, component=component.id)
        for message in check_value(component, structure, _typed(component, value))
    ]


def _typed(component: Component, value: Any) -> Any:
    """A spec value in the Python type the model expects for ``component``."""
    if value is None or isinstance(component, TimeDimension):
        return None if value is None else scalar_text(value)
    if component.codelist is not None or component.value_type in _TEXT_TYPES:
        return scalar_text(value)
    return value


def _static_issues(
    spec: ConformanceSpec, structure: DataStructure
) -> tuple[list[Issue], dict[str, set[str]]]:
    """Problems of the spec that need no data; and, per component, the codes reported."""
    reported: dict[str, set[str]] = {}
    issues = _structure_mismatch(spec, structure)
    components = {c.id: c for c in structure.components}
    for cid, rule in spec.components.items():
        component = components.get(cid)
        if component is None:
            issues.append(_unknown_component(cid, structure, components))
            continue
        found = _rule_issues(f"{_LOCATION}.components.{cid}", component, rule, structure)
        issues += [issue for issue, _ in found]
        reported[cid] = {code for _, code in found}
    issues += _missing_components(spec, structure)
    return issues, reported


def _structure_mismatch(spec: ConformanceSpec, structure: DataStructure) -> list[Issue]:
    """The spec names another structure than the target."""
    ref = spec.structure
    if ref is None or (
        ref.agency == structure.agency
        and ref.id == structure.id
        and (ref.version is None or ref.version == structure.version)
    ):
        return []
    target = _structure_label(structure)
    return [
        Issue(
            f"{_LOCATION}.structure",
            "structure-mismatch",
            f"the mapping is written for {ref}, not for {target}",
            str(ref),
        )
    ]


def _unknown_component(
    cid: str, structure: DataStructure, components: Mapping[str, Component]
) -> Issue:
    """A rule for a component the target does not have."""
    return Issue(
        f"{_LOCATION}.components.{cid}",
        "unknown-component",
        f"{cid} is not a component of {_structure_label(structure)} "
        f"(its components: {', '.join(components)})",
        cid,
    )


def _rule_issues(
    where: str, component: Component, rule: ValueRule, structure: DataStructure
) -> list[tuple[Issue, str]]:
    """The problems of one component's rule, each with the code (text) it reports: a fixed
    value of the wrong type or outside the codelist; map values and a default outside it."""
    if rule.value is not None:
        fixed = scalar_text(rule.value)
        return [(i, fixed) for i in _check_fixed(where, component, rule.value, structure)]
    codelist_id = getattr(component, "codelist", None)
    if codelist_id is None:
        return []
    codelist = structure.codelist(codelist_id)
    targets = [(f"{where}.map.{k}", v) for k, v in (rule.map or {}).items()]
    targets.append((f"{where}.default", rule.default))
    return [
        (_code_issue(location, component.id, value, structure, codelist_id), scalar_text(value))
        for location, value in targets
        if value is not None and scalar_text(value) not in codelist
    ]


def _missing_components(spec: ConformanceSpec, structure: DataStructure) -> list[Issue]:
    """Dimensions, the time dimension, measures and mandatory attributes without a rule."""
    target = _structure_label(structure)
    issues = []
    for component in structure.components:
        required = (
            isinstance(component, Dimension | TimeDimension | Measure)
            or component.usage is Usage.MANDATORY
        )
        if required and component.id not in spec.components:
            kind = type(component).__name__.lower().replace("timedimension", "time dimension")
            issues.append(
                Issue(
                    f"{_LOCATION}.components.{component.id}",
                    "missing-component",
                    f"{component.id} ({'mandatory ' if kind == 'attribute' else ''}{kind} of "
                    f"{target}) has no rule: give it a fixed value or a source column",
                    component=component.id,
                )
            )
    return issues


# -- checks on the mapped data --------------------------------------------------------------


def _passthrough_issues(
    spec: ConformanceSpec,
    structure: DataStructure,
    result: MappingResult,
    reported: Mapping[str, set[str]],
) -> list[Issue]:
    """Codes that reach a coded target component unchanged but are not in its codelist."""
    issues: list[Issue] = []
    for cid, rule in spec.components.items():
        if rule.value is not None or cid not in result.table.column_names:
            continue
        if rule.map is not None and (rule.unmapped or spec.unmapped) is not UnmappedPolicy.KEEP:
            continue  # every value is a map value or the default, checked statically
        try:
            codelist = structure.codelist_of(cid)
        except KeyError:
            continue
        if codelist is None:
            continue
        for value, rows in value_counts(result.table.column(cid)).items():
            if value is None or scalar_text(value) in codelist:
                continue
            if scalar_text(value) in reported.get(cid, set()):
                continue
            issue = _code_issue(f"{_LOCATION}.components.{cid}", cid, value, structure, codelist.id)
            message = f"{issue.message}; it comes unchanged from source {rule.source} ({rows} rows)"
            issues.append(Issue(issue.location, issue.code, message, value, component=cid))
    return issues


def _unmapped_dimension_issues(
    source: CitizenDataset, spec: ConformanceSpec, result: MappingResult
) -> list[Issue]:
    """Source key columns that no rule carries and that still vary in the kept rows."""
    carried = {rule.source for rule in spec.components.values() if rule.source is not None}
    table = source.observations.table
    issues: list[Issue] = []
    for key in source.structure.key_ids:
        if key in carried or key not in table.column_names:
            continue
        kept = table.column(key).take(result.source_rows)
        values = sorted(str(v) for v in pc.unique(kept).to_pylist())
        if len(values) > 1:
            shown = ", ".join(values[:10]) + (" ..." if len(values) > 10 else "")
            issues.append(
                Issue(
                    f"{_LOCATION}.components",
                    "unmapped-dimension",
                    f"source dimension {key} is carried by no rule but has {len(values)} values "
                    f"in the kept rows ({shown}): their observations would share target keys. "
                    f"Map {key} onto a target component, or keep one value with a row filter "
                    f"(rows: [{{name: ..., keep: {{{key}: [{values[0]}]}}}}])",
                    key,
                    component=key,
                )
            )
    return issues


def _dataset_attributes(
    spec: ConformanceSpec, structure: DataStructure, result: MappingResult
) -> tuple[dict[str, Any], list[Issue]]:
    """Values of the target's data-set-level attributes, from their rules."""
    values: dict[str, Any] = {}
    issues: list[Issue] = []
    for attribute in structure.attributes:
        rule: ValueRule | None = spec.components.get(attribute.id)
        if attribute.attachment is not AttachmentLevel.DATASET or rule is None:
            continue
        if rule.value is not None:
            values[attribute.id] = _typed(attribute, rule.value)
            continue
        if attribute.id not in result.table.column_names:
            continue
        distinct = [
            v for v in pc.unique(result.table.column(attribute.id)).to_pylist() if v is not None
        ]
        if len(distinct) == 1:
            values[attribute.id] = _typed(attribute, distinct[0])
        elif len(distinct) > 1:
            shown = ", ".join(map(repr, distinct[:10]))
            issues.append(
                Issue(
                    f"{_LOCATION}.components.{attribute.id}",
                    "not-single-valued",
                    f"{attribute.id} is a data-set-level attribute but its source "
                    f"{rule.source} has {len(distinct)} values in the kept rows ({shown})",
                    component=attribute.id,
                )
            )
    return values, issues


def _observation_table(structure: DataStructure, result: MappingResult) -> pa.Table:
    dataset_level = {a.id for a in structure.attributes if a.attachment is AttachmentLevel.DATASET}
    names = [n for n in result.table.column_names if n not in dataset_level]
    return result.table.select(names)


def _with_source_rows(issues: tuple[Issue, ...], source_rows: pa.Array) -> list[Issue]:
    """Observation issues of the conformed table, with the source row of each."""
    rows = source_rows.to_pylist()
    out = []
    for issue in issues:
        if issue.row is not None and 0 <= issue.row < len(rows):
            message = f"{issue.message} (source row {rows[issue.row]})"
            issue = Issue(
                issue.location, issue.code, message, issue.value, issue.row, issue.component
            )
        out.append(issue)
    return out


# -- provenance ------------------------------------------------------------------------------


def _software_agent(dataset: CitizenDataset) -> tuple[str, tuple[Agent, ...]]:
    """The id of the cdinterop software agent, and the agent to add if it is new."""
    agents = {a.id: a for a in dataset.provenance.agents}
    existing = agents.get(SOFTWARE_AGENT_ID)
    if existing is not None and existing.kind is AgentKind.SOFTWARE:
        return existing.id, ()
    agent_id = _unique_id(SOFTWARE_AGENT_ID, set(agents))
    agent = Agent(
        id=agent_id,
        kind=AgentKind.SOFTWARE,
        pseudonymous=False,
        name="cdinterop",
        version=__version__,
        identifier="cdinterop",
    )
    return agent_id, (agent,)


def _sources(
    dataset: CitizenDataset,
    spec: ConformanceSpec,
    mapping_path: Path | None,
    structure: DataStructure,
    structure_path: Path | None,
    structure_url: str | None = None,
) -> tuple[Source, ...]:
    taken = {s.id for s in dataset.provenance.sources}
    mapping_id = _unique_id(f"MAPPING_{spec.id}", taken)
    taken.add(mapping_id)
    mapping: dict[str, Any] = {
        "id": mapping_id,
        "title": f"Conformance mapping {spec.id} {spec.version}",
        "version": spec.version,
    }
    if mapping_path is not None:
        mapping.update(_file_source(mapping_path, mapping_id, mapping["title"], "application/yaml"))
    label = _structure_label(structure)
    structure_id = _unique_id(f"DSD_{structure.agency}_{structure.id}".replace(".", "_"), taken)
    target: dict[str, Any] = {
        "id": structure_id,
        "title": f"Data structure {label}",
        "version": structure.version,
    }
    if structure_path is not None:
        target.update(
            _file_source(structure_path, structure_id, target["title"], "application/xml")
        )
    if structure_url is not None:  # fetched from a registry: where, not the cached copy
        target.pop("path", None)
        target["url"] = structure_url
    return Source.model_validate(mapping), Source.model_validate(target)


def _activity(
    dataset: CitizenDataset,
    spec: ConformanceSpec,
    structure: DataStructure,
    result: MappingResult,
    started: datetime,
    software: str,
    used: tuple[str, ...],
) -> Activity:
    taken = {a.id for a in dataset.provenance.activities}
    parameters: dict[str, str | int | float | bool] = {
        "mapping": spec.id,
        "mapping_version": spec.version,
        "target_structure": _structure_label(structure),
        "rows_dropped": result.rows_dropped,
    }
    for drop in result.dropped:
        if drop.reason == "row-filter":
            parameters[f"dropped.row-filter.{drop.where}"] = drop.rows
        else:
            parameters[f"dropped.unmapped.{drop.where}.{drop.value}"] = drop.rows
    return Activity(
        id=_unique_id("CONFORM", taken),
        type=ActivityType.CONVERSION,
        label=f"Conformed to {_structure_label(structure)} with mapping {spec.id} {spec.version}",
        started_at=started,
        ended_at=datetime.now(UTC),
        agents=(software,),
        used=used,
        method=f"cdinterop.conformance with mapping spec {spec.id} {spec.version}",
        software=software,
        rows_in=result.rows_in,
        rows_out=result.rows_out,
        parameters=parameters,
    )


# -- the verbs -------------------------------------------------------------------------------


def _resolve_target(
    target: CitizenDataset | DataStructure | str | Path,
) -> tuple[DataStructure, Path | None, str | None]:
    """The target structure, the file it was read from and the URL it was fetched from."""
    if isinstance(target, DataStructure):
        return target, None, None
    if isinstance(target, CitizenDataset):
        return target.structure, None, None
    if is_remote(target):  # an SDMX URN or URL: read (fetched), then its cached copy
        structure = read_structure(str(target)).structure
        fetched = fetch(str(target))
        return structure, fetched.path, fetched.url
    return read_structure(Path(target)).structure, Path(target), None


def _resolve_mapping(mapping: ConformanceSpec | str | Path) -> tuple[ConformanceSpec, Path | None]:
    if isinstance(mapping, ConformanceSpec):
        return mapping, None
    return load_conformance_spec(mapping), Path(mapping)


def conform_with_report(
    dataset: CitizenDataset,
    target: CitizenDataset | DataStructure | str | Path,
    mapping: ConformanceSpec | str | Path,
) -> ConformanceResult:
    """Conform ``dataset`` to ``target`` with ``mapping``; return the data set and report.

    ``target`` is a data structure, a data set (its structure is used), the path of an SDMX
    structure message, or a ``str`` SDMX URN or URL of one (fetched, see
    [`cdinterop.sdmx.fetch_structure`][cdinterop.sdmx.fetch_structure]; the provenance records
    the URL); ``mapping`` a [`ConformanceSpec`][cdinterop.mapping.ConformanceSpec] or
    the path of its YAML file. Raises
    [`ConformanceError`][cdinterop.conformance.ConformanceError] listing every problem (with
    the report).
    """
    started = datetime.now(UTC)
    structure, structure_path, structure_url = _resolve_target(target)
    spec, mapping_path = _resolve_mapping(mapping)
    source_label = _label(dataset.agency, dataset.id, dataset.version)
    target_label = _structure_label(structure)

    issues, reported = _static_issues(spec, structure)
    result = apply_rules(
        dataset.observations.table,
        spec.components,
        filters=spec.rows,
        unmapped=spec.unmapped,
        constants=dict(dataset.attribute_values),
        rules_location=f"{_LOCATION}.components",
        filters_location=f"{_LOCATION}.rows",
    )
    issues += result.issues
    issues += _passthrough_issues(spec, structure, result, reported)
    issues += _unmapped_dimension_issues(dataset, spec, result)
    attribute_values, attribute_issues = _dataset_attributes(spec, structure, result)
    issues += attribute_issues

    carried = {rule.source for rule in spec.components.values() if rule.source is not None}
    not_carried = tuple(c for c in dataset.observations.column_names if c not in carried)
    report = ConformanceReport(
        mapping=f"{spec.id} {spec.version}",
        source=source_label,
        target=target_label,
        rows_in=result.rows_in,
        rows_out=result.rows_out,
        dropped=result.dropped,
        not_carried=not_carried,
        issues=tuple(issues),
    )
    if issues:
        raise ConformanceError(tuple(issues), report=report)

    software, new_agents = _software_agent(dataset)
    sources = _sources(dataset, spec, mapping_path, structure, structure_path, structure_url)
    activity = _activity(
        dataset, spec, structure, result, started, software, tuple(s.id for s in sources)
    )
    provenance = dataset.provenance.with_activity(activity, agents=new_agents, sources=sources)
    changes: dict[str, Any] = {
        "id": spec.output.id or dataset.id,
        "agency": spec.output.agency or dataset.agency,
        "version": spec.output.version or dataset.version,
        "structure": structure,
        "attribute_values": attribute_values,
        "observations": Observations(_observation_table(structure, result)),
        "provenance": provenance,
    }
    if dataset.disclosure is not None:
        changes["disclosure"] = conformed_disclosure(
            dataset.disclosure,
            dataset.observations.table,
            list(dataset.structure.key_ids),
            spec.components,
            structure,
            result.table,
            result.source_rows,
            recorded_totals(dataset.provenance),
        )
    try:
        conformed = dataset.replace(**changes)
    except InvalidDatasetError as exc:
        found = tuple(_with_source_rows(exc.issues, result.source_rows))
        failed = replace(report, issues=found)
        raise ConformanceError(found, report=failed) from None
    except ValidationError as exc:
        found = tuple(issues_from_pydantic(exc, prefix="conformed"))
        failed = replace(report, issues=found)
        raise ConformanceError(found, report=failed) from None
    return ConformanceResult(conformed, report)


def conform(
    dataset: CitizenDataset,
    target: CitizenDataset | DataStructure | str | Path,
    mapping: ConformanceSpec | str | Path,
) -> CitizenDataset:
    """Conform ``dataset`` to ``target`` with ``mapping`` (see
    [`conform_with_report()`][cdinterop.conformance.conform_with_report])."""
    return conform_with_report(dataset, target, mapping).dataset
