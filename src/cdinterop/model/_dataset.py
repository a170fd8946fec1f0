"""The citizen data set: metadata, structure, observations and their context.

[`CitizenDataset`][cdinterop.model.CitizenDataset] is what every format package reads and writes. It
is validated as a whole at construction: metadata fields, references between its parts (publisher,
assessor, initiator are agents of the provenance record) and every observation against the
structure. Observation problems are raised together as an
[`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError].

The data set never changes once built: the observation table is cast to the structure's
types while the fields are validated, and [`replace()`][cdinterop.model.CitizenDataset.replace]
makes a validated copy of the same class (a subclass stays a subclass).
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Any, Self

from pydantic import (
    AnyUrl,
    EmailStr,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from cdinterop.errors import (
    InvalidDatasetError,
    Issue,
    Problem,
    RuleViolations,
    issues_from_pydantic,
)
from cdinterop.model._areas import AreaExtent, is_area_code
from cdinterop.model._base import (
    SDMX_ID_PATTERN,
    AgencyId,
    LanguageTag,
    LocalId,
    Model,
    MultilingualText,
    SdmxId,
    SpdxLicenceId,
    VersionString,
    validated_copy,
    without_added_fields,
)
from cdinterop.model._checks import check_value
from cdinterop.model._distribution import Distribution
from cdinterop.model._observations import Observations
from cdinterop.model._participation import Consent, Participation
from cdinterop.model._periods import TimePeriod, parse_period
from cdinterop.model._provenance import (
    Activity,
    Agent,
    AgentKind,
    Attribution,
    Provenance,
    Source,
)
from cdinterop.model._quality import DisclosureControl, Quality
from cdinterop.model._structure import AttachmentLevel, DataStructure, Usage, ValueType

__all__ = [
    "AccessRights",
    "CitizenDataset",
    "ContactPoint",
    "DateRange",
    "Frequency",
    "ReferencePeriod",
    "Theme",
    "ThemeScheme",
]


class AccessRights(StrEnum):
    """Access rights (EU access-right vocabulary: PUBLIC, RESTRICTED, NON_PUBLIC)."""

    PUBLIC = "public"
    RESTRICTED = "restricted"
    NON_PUBLIC = "non_public"


class Frequency(StrEnum):
    """How often the data set is updated or observed (SDMX CL_FREQ codes)."""

    ANNUAL = "A"
    HALF_YEARLY = "S"
    QUARTERLY = "Q"
    MONTHLY = "M"
    WEEKLY = "W"
    DAILY = "D"
    BUSINESS_DAILY = "B"
    HOURLY = "H"
    MINUTELY = "N"


class ThemeScheme(StrEnum):
    """Vocabularies a theme can come from."""

    SDG_GOAL = "sdg_goal"
    SDG_TARGET = "sdg_target"
    SDG_INDICATOR = "sdg_indicator"
    EU_DATA_THEME = "eu_data_theme"


_GOAL = r"(1[0-7]|[1-9])"
_TARGET = rf"{_GOAL}\.([1-9][0-9]?|[a-z])"
_THEME_PATTERNS = {
    ThemeScheme.SDG_GOAL: re.compile(rf"^{_GOAL}$"),
    ThemeScheme.SDG_TARGET: re.compile(rf"^{_TARGET}$"),
    ThemeScheme.SDG_INDICATOR: re.compile(rf"^{_TARGET}\.[1-9][0-9]?[a-z]?$"),
    ThemeScheme.EU_DATA_THEME: re.compile(
        r"^(AGRI|ECON|EDUC|ENER|ENVI|GOVE|HEAL|INTR|JUST|REGI|SOCI|TECH|TRAN|OP_DATPRO)$"
    ),
}
_THEME_EXAMPLES = {
    ThemeScheme.SDG_GOAL: "14",
    ThemeScheme.SDG_TARGET: "14.1",
    ThemeScheme.SDG_INDICATOR: "14.1.1 or 14.1.1b",
    ThemeScheme.EU_DATA_THEME: "ENVI",
}


class Theme(Model):
    """A theme of the data set: an SDG goal, target or indicator, or an EU data theme."""

    scheme: ThemeScheme
    """The vocabulary the code comes from."""
    code: str
    """The code in that vocabulary, e.g. ``14.1.1b`` or ``ENVI``."""
    label: MultilingualText | None = None
    """Label of the theme."""

    @model_validator(mode="after")
    def _code_fits_scheme(self) -> Theme:
        if not _THEME_PATTERNS[self.scheme].match(self.code):
            raise ValueError(
                f"{self.code!r} is not a {self.scheme.value.replace('_', ' ')} code "
                f"(e.g. {_THEME_EXAMPLES[self.scheme]})"
            )
        return self


class ContactPoint(Model):
    """Where users send questions about the data (``dcat:contactPoint``, ``vcard:Kind``)."""

    name: str = Field(min_length=1)
    """Name of the contact (a desk or role rather than a person where possible)."""
    email: EmailStr | None = None
    """E-mail address."""
    url: AnyUrl | None = None
    """Contact web page."""

    @model_validator(mode="after")
    def _reachable(self) -> ContactPoint:
        if self.email is None and self.url is None:
            raise ValueError("a contact point needs an email or a url")
        return self


class DateRange(Model):
    """A period between two dates, both included (``dct:PeriodOfTime``)."""

    start: date | None = None
    """First day covered."""
    end: date | None = None
    """Last day covered."""

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.start is None and self.end is None:
            raise ValueError("a date range needs a start, an end or both")
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class ReferencePeriod(Model):
    """The period the statistics refer to, as SDMX time periods (e.g. 2022 to 2024-Q2)."""

    start: TimePeriod
    """First period, e.g. ``2022`` or ``2024-Q1``."""
    end: TimePeriod
    """Last period, e.g. ``2024`` or ``2024-Q4``."""

    @model_validator(mode="after")
    def _ordered(self) -> ReferencePeriod:
        if parse_period(self.start).start > parse_period(self.end).start:
            raise ValueError(f"start {self.start!r} is after end {self.end!r}")
        return self


AttributeValue = str | int | float | bool
_PYTHON_TYPES: dict[ValueType, type | tuple[type, ...]] = {
    ValueType.STRING: str,
    ValueType.URI: str,
    ValueType.DATE: str,
    ValueType.DATETIME: str,
    ValueType.INTEGER: int,
    ValueType.DECIMAL: (int, float),
    ValueType.BOOLEAN: bool,
}


class CitizenDataset(Model):
    """A citizen data set with its metadata, structure, observations and context."""

    id: SdmxId
    """Identifier of the data set (also the SDMX dataflow id)."""
    agency: AgencyId
    """Agency that maintains the data set's SDMX artefacts (e.g. the CSO or the NSO)."""
    version: VersionString = "1.0"
    """Version of the data set."""
    title: MultilingualText
    """Title (``dct:title``)."""
    description: MultilingualText | None = None
    """Description (``dct:description``)."""
    keywords: dict[LanguageTag, tuple[str, ...]] = Field(default_factory=dict)
    """Keywords per language (``dcat:keyword``)."""
    themes: tuple[Theme, ...] = ()
    """SDG goals, targets, indicators and EU data themes (``dcat:theme``)."""
    languages: tuple[LanguageTag, ...] = ()
    """Languages of the data and metadata (``dct:language``)."""
    licence: SpdxLicenceId | None = None
    """Licence, as an SPDX id (``dct:license``); ``None`` only when the source states none."""
    access_rights: AccessRights = AccessRights.PUBLIC
    """Access rights (``dct:accessRights``)."""
    publisher: LocalId | None = None
    """Id of the publishing agent in the provenance record (``dct:publisher``)."""
    contact_point: ContactPoint | None = None
    """Contact point (``dcat:contactPoint``)."""
    landing_page: AnyUrl | None = None
    """Web page of the data set (``dcat:landingPage``)."""
    temporal_coverage: DateRange | None = None
    """Dates the data cover (``dct:temporal``)."""
    spatial_coverage: tuple[str, ...] = ()
    """Reference areas covered: ISO 3166-1 alpha-2/alpha-3, UN M49 or ISO 3166-2 codes."""
    area_extents: dict[str, AreaExtent] = Field(default_factory=dict)
    """Bounding box, centroid and geometry of areas of ``spatial_coverage``, keyed by area
    code; and of places the data cover that have no area code (a location given only by its
    polygon), keyed by a local id that is not an area code."""
    reference_period: ReferencePeriod | None = None
    """Periods the statistics refer to."""
    frequency: Frequency | None = None
    """Frequency of the data (``dct:accrualPeriodicity``, SDMX FREQ)."""
    issued: date | None = None
    """Date of first publication (``dct:issued``)."""
    modified: date | None = None
    """Date of the last change (``dct:modified``)."""
    citation: str | None = None
    """How to cite the data set."""
    distributions: tuple[Distribution, ...] = ()
    """The files in which the data set is published (``dcat:Distribution``)."""
    structure: DataStructure
    """The data structure the observations follow."""
    attribute_values: dict[str, AttributeValue] = Field(default_factory=dict)
    """Values of the structure's data-set-level attributes, by attribute id."""
    observations: Observations = Field(default_factory=Observations)
    """The observation table (checked against ``structure`` at construction)."""
    provenance: Provenance = Provenance()
    """Agents, attributions, activities and sources."""
    participation: Participation | None = None
    """How citizens took part (Copenhagen Framework)."""
    consent: Consent | None = None
    """Consent under which data were collected."""
    quality: Quality | None = None
    """Quality assessment and measurements."""
    disclosure: DisclosureControl | None = None
    """Disclosure control applied."""

    @field_validator("spatial_coverage")
    @classmethod
    def _known_areas(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [(i, code) for i, code in enumerate(value) if not is_area_code(code)]
        if unknown:
            raise RuleViolations(
                Problem(f"[{i}]", f"not an ISO 3166 or UN M49 area code: {code!r}")
                for i, code in unknown
            )
        return value

    @field_validator("keywords")
    @classmethod
    def _keywords_not_blank(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for lang, words in value.items():
            if any(not w.strip() for w in words):
                raise ValueError(f"keywords[{lang!r}] contains an empty keyword")
        return value

    @field_validator("observations")
    @classmethod
    def _conformed(cls, value: Observations, info: ValidationInfo) -> Observations:
        """The table cast to the structure's column types and order: a new table, so the
        data set is never changed once built. A table with problems is kept as given;
        `_consistent()` reports them once the metadata have passed their own rules."""
        structure = info.data.get("structure")
        if not isinstance(structure, DataStructure):  # the structure failed: reported
            return value
        conformed, issues = value.conform(structure)
        return value if issues else conformed

    @model_validator(mode="after")
    def _consistent(self) -> CitizenDataset:
        problems = self._reference_problems() + self._attribute_value_problems()
        problems += [
            Problem(f"area_extents.{code}", "not an area of spatial_coverage")
            for code in self.area_extents
            if code not in self.spatial_coverage and is_area_code(code)
        ]
        problems += [
            Problem(
                f"area_extents.{key}",
                "a place without an area code needs a local id (letters, digits, _ @ $ -)",
            )
            for key in self.area_extents
            if not is_area_code(key) and not re.match(SDMX_ID_PATTERN, key)
        ]
        ids = [d.id for d in self.distributions]
        problems += [
            Problem(f"distributions[{i}]", f"id {d!r} is used twice")
            for i, d in enumerate(ids)
            if d in ids[:i]
        ]
        if self.issued and self.modified and self.issued > self.modified:
            problems.append(Problem("", f"issued {self.issued} is after modified {self.modified}"))
        if problems:
            raise RuleViolations(problems)
        # at once when `_conformed()` conformed the table to this structure; else its problems
        _, issues = self.observations.conform(self.structure)
        if issues:
            raise InvalidDatasetError(issues, context=f"observations of {self.id}")
        return self

    def _reference_problems(self) -> list[Problem]:
        agents = {a.id: a for a in self.provenance.agents}
        problems: list[Problem] = []
        refs: list[tuple[str, str | None]] = [("publisher", self.publisher)]
        if self.participation is not None:
            refs.append(("participation.initiator_agent", self.participation.initiator_agent))
        if self.quality is not None and self.quality.assessment is not None:
            refs.append(("quality.assessment.assessor", self.quality.assessment.assessor))
        for location, ref in refs:
            if ref is not None and ref not in agents:
                problems.append(Problem(location, f"{ref!r} is not an agent of provenance.agents"))
        if self.publisher in agents and agents[self.publisher].kind is AgentKind.SOFTWARE:
            problems.append(Problem("publisher", "a software agent cannot be the publisher"))
        return problems

    def _attribute_value_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        level = {a.id: a for a in self.structure.attributes}
        for attr_id, value in self.attribute_values.items():
            attr = level.get(attr_id)
            if attr is None or attr.attachment is not AttachmentLevel.DATASET:
                problems.append(
                    Problem(
                        f"attribute_values.{attr_id}",
                        "not a data-set-level attribute of the structure",
                    )
                )
                continue
            expected = str if attr.codelist else _PYTHON_TYPES[attr.value_type]
            if not isinstance(value, expected) or (
                isinstance(value, bool) and expected is not bool
            ):
                problems.append(
                    Problem(
                        f"attribute_values.{attr_id}",
                        f"{value!r} is not of type {attr.value_type.value}",
                    )
                )
                continue
            for message in check_value(attr, self.structure, value):
                problems.append(Problem(f"attribute_values.{attr_id}", f"{message}"))
        for attr in self.structure.attributes:
            if (
                len(self.observations) > 0  # a structure without data needs no values yet
                and attr.attachment is AttachmentLevel.DATASET
                and attr.usage is Usage.MANDATORY
                and attr.id not in self.attribute_values
            ):
                problems.append(
                    Problem(f"attribute_values.{attr.id}", "mandatory attribute has no value")
                )
        return problems

    # -- derived views -----------------------------------------------------------------
    @property
    def contributors(self) -> tuple[tuple[Agent, Attribution], ...]:
        """Each attributed agent with its role."""
        return tuple((self.provenance.agent(a.agent), a) for a in self.provenance.attributions)

    def issues(self) -> list[Issue]:
        """Observation problems (always empty for a constructed data set; for symmetry)."""
        return self.observations.check(self.structure)

    # -- functional updates ------------------------------------------------------------
    def replace(self, **changes: Any) -> Self:
        """Return a validated copy, of the same class, with the given fields replaced.

        Every problem of the copy (a field, a rule, an observation) raises
        [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError] with located issues."""
        return validated_copy(self, changes, f"data set {self.id}")

    def with_activity(
        self,
        activity: Activity,
        *,
        agents: tuple[Agent, ...] = (),
        sources: tuple[Source, ...] = (),
    ) -> Self:
        """Return a copy whose provenance ends with ``activity`` (new agents/sources added);
        problems raise [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError] as
        [`replace()`][cdinterop.model.CitizenDataset.replace] does."""
        try:
            provenance = self.provenance.with_activity(activity, agents=agents, sources=sources)
        except ValidationError as exc:
            issues = issues_from_pydantic(exc, "provenance")
            raise InvalidDatasetError(issues, context=f"data set {self.id}") from None
        return self.replace(provenance=provenance)

    def without_added_fields(self) -> CitizenDataset:
        """This data set as cdinterop's own classes: the fields that subclasses add (to the
        data set or to one of its parts) are left out, on purpose, where
        [`cdinterop.model.added_fields()`][cdinterop.model.added_fields] finds them. What the
        exchange formats, which have no place for them, accept; the data set itself when
        there are none."""
        stripped = without_added_fields(self)
        assert isinstance(stripped, CitizenDataset)
        return stripped
