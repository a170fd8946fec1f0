"""The ingest mapping spec: how raw submissions become validated unit records.

An [`IngestSpec`][cdinterop.ingest.IngestSpec] is a YAML document (JSON Schema:
``schemas/ingest-mapping.schema.json``) that extends the generic
[`MappingSpec`][cdinterop.mapping.MappingSpec] (identity, named row filters, the unmapped-value
policy) with what ingesting needs::

    id: services-survey-kobo
    version: "1.0"
    source: {layout: kobo-csv}
    rows:
      - name: not-approved
        keep: {_validation_status: [approved]}
    deduplicate: {name: duplicate-submission, key: [_uuid]}
    privacy:
      drop: [respondent_phone]
      pseudonymise: [_uuid]
    structure: {...}               # the unit-record DataStructure, inline
    components:
      RESPONDENT: {from: _uuid}
      SEX: {from: gender, map: {Female: F, woman: F, "2": F, Male: M, man: M, "1": M}}
      AGE: {from: age, bands: {Y18T29: [18, 29], Y30T44: [30, 44], Y_GE45: [45, null]}}
      TIME_PERIOD: {from: _submission_time, period: M}
      SATISFIED: {expression: "1 if satisfaction in ('satisfied', 'very_satisfied') else 0"}
    dataset: {id: DF_SERVICES_UNIT, agency: SAUTI, title: {en: ...}, licence: CC-BY-4.0}

Values a map does not know are rejected by default (``unmapped: reject``): the row goes to
the rejects file with its row number, column, value and reason. The spec's id and version
go into the provenance of every data set it produces. An optional ``aggregation`` section
([`AggregationSpec`][cdinterop.aggregate.AggregationSpec]) says how ``cdinterop convert`` turns
the unit records into indicators; the spec model of the aggregate layer is imported here
so that one YAML document carries both steps.
"""

from __future__ import annotations

import codecs
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from cdinterop.aggregate import (
    AggregationSpec,
    DimensionRule,
    MeasureSpec,
    ProportionMeasure,
    SpecStructure,
    Unpivot,
)
from cdinterop.errors import InvalidDatasetError, Problem, RuleViolations, issues_from_pydantic
from cdinterop.mapping import MappingSpec, ValueRule
from cdinterop.mapping._internal import not_one_of, scalar_text
from cdinterop.model import (
    AttachmentLevel,
    CitizenDataset,
    DataStructure,
    Model,
    NCNameId,
    SdmxId,
    Usage,
)

__all__ = [
    "ComponentRule",
    "Deduplicate",
    "GeoCoarsening",
    "IngestSpec",
    "IngestUnmapped",
    "PeriodFrequency",
    "PrivacySpec",
    "SourceSpec",
]

SourceLayout = Literal[
    "auto", "kobo-csv", "kobo-xlsx", "kobo-json", "odk-csv", "csv", "xlsx", "json"
]
"""Layouts a submission file can have (``auto``: detected from suffix and header)."""
PeriodFrequency = Literal["A", "S", "Q", "M", "W", "D"]
"""SDMX frequency of the reporting period a date becomes."""


class IngestUnmapped(StrEnum):
    """What to do with a value a map has no entry for, when ingesting."""

    REJECT = "reject"
    """Reject the row: it goes to the rejects file with the column, value and reason."""
    KEEP = "keep"
    """Pass the value through unchanged (the structure's checks may still reject it)."""


class SourceSpec(Model):
    """How to read the submission file."""

    layout: SourceLayout = "auto"
    """Layout of the file: a KoboToolbox or ODK Central export, or plain CSV/XLSX/JSON."""
    encoding: str | None = None
    """Text encoding, e.g. ``latin-1``; detected (UTF-8 with or without BOM, UTF-16) if not set."""
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    """CSV delimiter; sniffed (``,`` ``;`` tab ``|``) if not set."""
    sheet: str | None = None
    """XLSX sheet name (default: the first sheet)."""
    header_row: int = Field(default=1, ge=1)
    """Line (CSV) or row (XLSX) of the header, 1-based."""
    limits: dict[str, int | float | str] = Field(default_factory=dict)
    """Reader limits for this submission, ``{NAME: VALUE}`` (``rows``, ``columns``,
    ``field_bytes``, ``nesting``, ``bytes``, ...; see `cdinterop.limits`), e.g.
    ``{rows: 500000000, field_bytes: 64MiB}``; the other limits stay as they are."""

    @field_validator("encoding")
    @classmethod
    def _text_encoding(cls, value: str | None) -> str | None:
        return None if value is None else text_encoding(value)

    @field_validator("limits")
    @classmethod
    def _known_limits(cls, value: dict[str, int | float | str]) -> dict[str, int | float | str]:
        from cdinterop.limits import DEFAULTS, parse_assignment

        DEFAULTS.replace(**dict.fromkeys(value, 1))  # unknown names
        numbers = dict(
            parse_assignment(
                f"{name}={amount:g}" if isinstance(amount, float) else f"{name}={amount}"
            )
            for name, amount in value.items()
        )
        DEFAULTS.replace(**numbers)
        return dict(numbers)

    def limit_values(self) -> dict[str, int | float]:
        """``limits`` as numbers, ready for ``cdinterop.limits.use(**...)``."""
        return {name: amount for name, amount in self.limits.items() if not isinstance(amount, str)}


def text_encoding(name: str) -> str:
    """``name`` when it is a text encoding Python knows (``cp1252``, ``latin-1``, ``utf-16``);
    a ``ValueError`` otherwise, also for codecs that are not text encodings (``base64``,
    ``rot13``, ``zip``)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ValueError(f"unknown encoding {name!r}") from None
    if not getattr(info, "_is_text_encoding", True):
        raise ValueError(
            f"{name!r} is not a text encoding but a {info.name} codec: give the "
            "encoding the file's text is saved in, e.g. utf-8, cp1252 or latin-1"
        )
    return name


class Deduplicate(Model):
    """Keep one submission per key (e.g. Kobo's ``_uuid``); the others are filtered."""

    name: SdmxId = "duplicate"
    """Name of the rule, used in the filtered counts."""
    key: tuple[str, ...] = Field(min_length=1)
    """Source columns that identify a submission."""
    keep: Literal["first", "last"] = "first"
    """Which of the duplicates to keep, in file order."""


class GeoCoarsening(Model):
    """How a geopoint column (``lat lon [alt [precision]]``) is coarsened before anything
    else sees it: to the centre of a grid cell, or replaced by an administrative area."""

    grid: float | None = Field(default=None, gt=0, le=10)
    """Cell size in degrees (e.g. ``0.1``, about 11 km); the point becomes the cell centre."""
    area: str | None = None
    """Source column holding the administrative area to use instead of the point."""

    @model_validator(mode="after")
    def _one_way(self) -> GeoCoarsening:
        if (self.grid is None) == (self.area is None):
            raise ValueError("coarsen a geopoint either to a 'grid' or to an 'area' column")
        return self


class PrivacySpec(Model):
    """Privacy steps applied to the source columns right after reading, before filters and
    mapping: nothing downstream (outputs, rejects, summaries) sees what they remove."""

    drop: tuple[str, ...] = ()
    """Source columns removed at once (names, phone numbers, free text)."""
    pseudonymise: tuple[str, ...] = ()
    """Source columns replaced by a keyed hash (HMAC-SHA256); equal inputs stay equal."""
    key: str = "env:CDINTEROP_PSEUDONYM_KEY"
    """Where the pseudonymisation key is read: ``env:VARIABLE`` or ``file:PATH``. The key
    itself never appears in the spec or in any output."""
    geopoints: dict[str, GeoCoarsening] = Field(default_factory=dict)
    """Geopoint columns and how each is coarsened."""

    @model_validator(mode="after")
    def _disjoint(self) -> PrivacySpec:
        both = sorted(set(self.drop) & (set(self.pseudonymise) | set(self.geopoints)))
        if both:
            raise ValueError(f"{', '.join(both)}: a dropped column cannot also be transformed")
        if not self.key.startswith(("env:", "file:")):
            raise ValueError("key must be 'env:VARIABLE' or 'file:PATH', never the key itself")
        return self


def _bounds(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): tuple(v) if isinstance(v, list) else v for k, v in value.items()}
    return value


class ComponentRule(ValueRule):
    """How one component of the unit records is made: a fixed ``value``, a source column
    (``from``) passed unchanged or through a ``map``, numeric ``bands`` or a reporting
    ``period``, or an ``expression`` over several columns."""

    bands: dict[str, tuple[float | None, float | None]] | None = None
    """Numeric bands, code to ``[min, max]`` (both inclusive, whole numbers; ``null`` for an
    open side), e.g. ``{Y18T29: [18, 29], Y_GE65: [65, null]}``."""
    period: PeriodFrequency | None = None
    """Turn a date or timestamp into the reporting period of this frequency."""
    date_formats: tuple[str, ...] | None = None
    """strptime formats tried for ``period`` (default: ISO dates and Kobo/ODK timestamps)."""
    expression: str | None = Field(default=None, min_length=1, max_length=10_000)
    """An expression over source columns, e.g. ``number(q1) + number(q2)``."""
    unmapped: IngestUnmapped | None = None  # type: ignore[assignment]
    """Policy for source values missing from ``map``; the spec's ``unmapped`` if not set."""

    @field_validator("bands", mode="before")
    @classmethod
    def _bands_as_pairs(cls, value: Any) -> Any:
        return _bounds(value)

    @field_validator("expression")
    @classmethod
    def _expression_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            check_expression(value)
        return value

    @model_validator(mode="after")
    def _one_source(self) -> ComponentRule:  # replaces ValueRule's check
        sources = [self.value is not None, self.source is not None, self.expression is not None]
        if sum(sources) != 1:
            raise ValueError(
                "give exactly one of a fixed 'value', a source column 'from' or an 'expression'"
            )
        transforms = [n for n in ("map", "bands", "period") if getattr(self, n) is not None]
        if len(transforms) > 1:
            raise ValueError(
                f"use one of 'map', 'bands' and 'period', not {' and '.join(transforms)}"
            )
        if transforms and self.source is None:
            raise ValueError(f"'{transforms[0]}' applies to values taken 'from' a source column")
        if self.value is not None and self.default is not None:
            raise ValueError("'default' applies to values taken from the source")
        if self.unmapped is not None and self.map is None:
            raise ValueError("'unmapped' applies to a 'map' only")
        if self.date_formats is not None and self.period is None:
            raise ValueError("'date_formats' applies to 'period' only")
        if self.bands is not None:
            from cdinterop.ingest._transforms.bands import Band, check_bands

            check_bands(Band(code, low, high) for code, (low, high) in self.bands.items())
        return self


def _dataset_fields(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("expected the data set's metadata as a mapping")
    refused = sorted({"structure", "observations"} & set(value))
    if refused:
        raise ValueError(f"{', '.join(refused)}: set by the ingest run, not in 'dataset'")
    return value


DatasetFields = Annotated[
    dict[str, Any],
    PlainValidator(_dataset_fields),
    WithJsonSchema(
        {
            "type": "object",
            "description": "Fields of a CitizenDataset (citizen-dataset.schema.json) other than "
            "structure and observations: id, agency, title, publisher, licence, "
            "participation, consent, provenance agents, ...",
        }
    ),
]
"""The data set's metadata in a spec: CitizenDataset fields without structure/observations."""


class IngestSpec(MappingSpec):
    """A declarative ingest: source layout, row filters, de-duplication, privacy steps,
    the unit-record structure, one rule per component, and the data set's metadata."""

    source: SourceSpec = SourceSpec()
    """How to read the submission file."""
    deduplicate: Deduplicate | None = None
    """Keep one submission per key; the others are filtered under this rule's name."""
    privacy: PrivacySpec = PrivacySpec()
    """Columns dropped, pseudonymised or coarsened right after reading."""
    structure: SpecStructure
    """The structure of the unit records (typically a record-id dimension and the
    characteristics as dimensions, attributes or measures)."""
    components: dict[NCNameId, ComponentRule] = Field(min_length=1)
    """One rule per component of ``structure``, by component id."""
    dataset: DatasetFields
    """The data set's metadata (title, publisher, licence, participation, consent, ...)."""
    unmapped: IngestUnmapped = IngestUnmapped.REJECT  # type: ignore[assignment]
    """Default policy for values a map has no entry for: ``reject`` (default) or ``keep``."""
    max_rejected: float | None = Field(default=None, ge=0, le=1)
    """Fail the run when more than this share of the rows read is rejected (e.g. ``0.05``)."""
    aggregation: AggregationSpec | None = None
    """How ``cdinterop convert`` turns the unit records into indicator observations, with disclosure
    control (``cdinterop.aggregate``); ``cdinterop ingest`` ignores it."""

    @model_validator(mode="after")
    def _covers_structure(self) -> IngestSpec:
        structure = self.structure
        known = [c.id for c in structure.components]
        problems = [
            Problem(
                f"components.{cid}",
                not_one_of(
                    cid, f"a component of the structure {structure.id}", known, "components"
                ),
            )
            for cid in self.components
            if cid not in known
        ]
        needed = [d.id for d in structure.dimensions] + [m.id for m in structure.measures]
        if structure.time_dimension is not None:
            needed.append(structure.time_dimension.id)
        needed += [
            a.id
            for a in structure.attributes
            if a.usage is Usage.MANDATORY and a.attachment is not AttachmentLevel.DATASET
        ]
        problems += [
            Problem(f"components.{cid}", "a rule is needed")
            for cid in needed
            if cid not in self.components
        ]
        problems += _component_code_problems(self)
        problems += _aggregation_reference_problems(self)
        if problems:
            raise RuleViolations(problems)
        try:
            CitizenDataset.model_validate({**self.dataset, "structure": structure})
        except InvalidDatasetError as exc:  # pragma: no cover - no observations to check
            raise RuleViolations(
                _below_dataset(i.location, i.message) for i in exc.issues
            ) from None
        except ValidationError as exc:
            raise RuleViolations(_dataset_problems(exc)) from None
        except ValueError as exc:  # pragma: no cover - pydantic wraps what validators raise
            raise RuleViolations([Problem("dataset", str(exc))]) from None
        return self


def check_expression(text: str) -> None:
    """Compile an expression whose columns are not known yet (they are the submission's):
    every name it reads counts as a column, so what is left to refuse is what no
    submission can fix: bad syntax, a part of Python the language lacks, an unknown
    function (with the closest one and the list of functions), wrong arguments.
    Raises ``ValueError`` with the problem and its place in the expression."""
    from cdinterop.ingest._transforms.expressions import ExpressionError, compile_expression

    try:
        compile_expression(text, columns=_expression_names(text))
    except ExpressionError as exc:
        raise ValueError(f"{exc.message} (character {exc.offset + 1} of the expression)") from None


def _expression_names(text: str) -> set[str]:
    """The names an expression may read as columns: bare names (backticks resolved) and
    ``col("...")`` arguments; empty when the text does not parse (compiling it then
    reports why)."""
    import ast

    from cdinterop.ingest._transforms.expressions import _prepare

    try:
        prepared, quoted = _prepare(text)
        tree = ast.parse(f"({prepared}\n)", mode="eval")
    except (ValueError, SyntaxError, RecursionError, MemoryError):
        return set()
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in called:
            names.add(quoted.get(node.id, node.id))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "col"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def _component_code_problems(spec: IngestSpec) -> list[Problem]:
    """Codes a component rule gives (its fixed ``value``, ``default``, the targets of its
    ``map``, its ``bands``) that are not codes of the component's codelist."""
    structure = spec.structure
    known = {c.id for c in structure.components}
    problems: list[Problem] = []
    for cid, rule in spec.components.items():
        codelist = structure.codelist_of(cid) if cid in known else None
        if codelist is None:
            continue
        given: list[tuple[str, Any]] = [("value", rule.value), ("default", rule.default)]
        given += [(f"map.{source}", target) for source, target in (rule.map or {}).items()]
        given += [(f"bands.{code}", code) for code in rule.bands or {}]
        codes = [c.id for c in codelist.codes]
        problems += [
            Problem(
                f"components.{cid}.{where}",
                not_one_of(scalar_text(code), f"a code of {codelist.id}", codes, "codes"),
            )
            for where, code in given
            if code is not None and scalar_text(code) not in codelist
        ]
    return problems


def _aggregation_reference_problems(spec: IngestSpec) -> list[Problem]:
    """Unit-record columns the ``aggregation`` section names that the unit records lack
    (dimensions' ``from``, measure columns, ``weight``, ``contributors``, ``unpivot``
    columns), and values it compares with a coded column that are not codes of it."""
    aggregation = spec.aggregation
    if aggregation is None:
        return []
    structure = spec.structure
    references = _AggregationReferences(
        structure, [c for c in structure.column_ids if c in spec.components]
    )
    if aggregation.unpivot is not None:
        references.check_unpivot(aggregation.unpivot)
    for dimension, rule in aggregation.dimensions.items():
        references.check_dimension(dimension, rule)
    for where, measure in _aggregation_measures(aggregation).items():
        references.check_measure(where, measure)
    references.check_column("weight", aggregation.weight)
    references.check_column("contributors", aggregation.contributors)
    return references.problems


def _aggregation_measures(aggregation: AggregationSpec) -> dict[str, MeasureSpec]:
    """The measures of an aggregation by their place in it: ``measure``, or each
    ``indicators.measures.CODE`` when it has indicators."""
    if aggregation.indicators is not None:
        return {
            f"indicators.measures.{code}": m for code, m in aggregation.indicators.measures.items()
        }
    return {"measure": aggregation.measure} if aggregation.measure is not None else {}


class _AggregationReferences:
    """The problems of the unit-record columns and codes an ``aggregation`` section names,
    collected in the order they are checked."""

    def __init__(self, structure: DataStructure, columns: list[str]) -> None:
        self.structure = structure
        self.columns = columns
        """The columns the aggregation can read (after ``unpivot``, once it is checked)."""
        self.problems: list[Problem] = []

    def check_column(self, where: str, name: str | None) -> bool:
        """Whether ``name`` is given and a column; a problem at ``aggregation.where`` when it
        is given and is not one."""
        if name is None or name in self.columns:
            return name is not None
        what = "a column of the unit records"
        self.problems.append(
            Problem(f"aggregation.{where}", not_one_of(name, what, self.columns, "columns"))
        )
        return False

    def check_codes(self, where: str, name: str, values: list[tuple[str, Any]]) -> None:
        """A problem for each value (``(key, value)``, at ``aggregation.where`` + key) that
        is not a code of the column ``name`` when that column is coded."""
        if name not in self.structure.column_ids:
            return
        codelist = self.structure.codelist_of(name)
        if codelist is None:
            return
        ids = [c.id for c in codelist.codes]
        self.problems.extend(
            Problem(
                f"aggregation.{where}{key}",
                not_one_of(scalar_text(value), f"a code of {codelist.id} ({name})", ids, "codes"),
            )
            for key, value in values
            if scalar_text(value) not in codelist
        )

    def check_unpivot(self, unpivot: Unpivot) -> None:
        """The value columns unpivoted; after them, the aggregation reads the code and value
        columns in their place."""
        for name in unpivot.columns:
            self.check_column(f"unpivot.columns.{name}", name)
        self.columns = [c for c in self.columns if c not in unpivot.columns] + [
            unpivot.code,
            unpivot.value,
        ]

    def check_dimension(self, dimension: str, rule: DimensionRule) -> None:
        """The column a dimension is taken ``from`` and the source values of its ``map``."""
        source = rule.source
        if self.check_column(f"dimensions.{dimension}.from", source) and source is not None:
            mapped = [(f".{value}", value) for value in rule.map or {}]
            self.check_codes(f"dimensions.{dimension}.map", source, mapped)

    def check_measure(self, where: str, measure: MeasureSpec) -> None:
        """The columns a measure reads and, for a proportion, the values it counts."""
        for field in ("column", "numerator", "denominator"):
            self.check_column(f"{where}.{field}", getattr(measure, field, None))
        if isinstance(measure, ProportionMeasure) and measure.column in self.columns:
            listed = [(f"[{i}]", v) for i, v in enumerate(measure.values)]
            self.check_codes(f"{where}.values", measure.column, listed)


def _dataset_problems(exc: ValidationError) -> list[Problem]:
    """Each problem of the data set's metadata, located below ``dataset``."""
    return [_below_dataset(issue.location, issue.message) for issue in issues_from_pydantic(exc)]


def _below_dataset(location: str, message: str) -> Problem:
    """A problem of the spec's ``dataset`` section at ``location`` in the data set."""
    where = "dataset" if location == "(root)" else f"dataset.{location}"
    return Problem(where, message)
