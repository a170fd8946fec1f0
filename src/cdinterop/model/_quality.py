"""Quality assessment (after the UN NQAF dimensions, expressed with W3C DQV) and
statistical disclosure control."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from cdinterop.errors import Problem, RuleViolations
from cdinterop.model._base import LocalId, Model, MultilingualText, NCNameId, SdmxId

__all__ = [
    "DimensionScore",
    "DisclosureAudit",
    "DisclosureControl",
    "DisclosureMethod",
    "DisclosureRule",
    "EthicsCheck",
    "ProtectionLevels",
    "Quality",
    "QualityAssessment",
    "QualityDimension",
    "QualityMeasurement",
    "QualityVerdict",
]


class QualityDimension(StrEnum):
    """Quality dimensions of official statistics (UN NQAF / ESS QAF)."""

    RELEVANCE = "relevance"
    ACCURACY_AND_RELIABILITY = "accuracy_and_reliability"
    TIMELINESS_AND_PUNCTUALITY = "timeliness_and_punctuality"
    ACCESSIBILITY_AND_CLARITY = "accessibility_and_clarity"
    INTERPRETABILITY = "interpretability"
    COHERENCE_AND_COMPARABILITY = "coherence_and_comparability"


class QualityVerdict(StrEnum):
    """Outcome of an assessment: may the data feed official statistics?"""

    FIT_FOR_OFFICIAL_STATISTICS = "fit_for_official_statistics"
    FIT_WITH_CAVEATS = "fit_with_caveats"
    EXPERIMENTAL = "experimental"
    NOT_FIT = "not_fit"


class DimensionScore(Model):
    """Score of the data set on one quality dimension (a ``dqv:QualityMeasurement``)."""

    dimension: QualityDimension
    """The dimension assessed."""
    score: float = Field(ge=0, le=1)
    """Degree to which the dimension is met, from 0 (not at all) to 1 (fully)."""
    notes: MultilingualText | None = None
    """Evidence and reasoning behind the score."""


class EthicsCheck(Model):
    """One ethical check made before use (do no harm, privacy, community benefit ...)."""

    id: SdmxId
    """Identifier of the check, e.g. ``DO_NO_HARM``."""
    label: MultilingualText
    """What was checked."""
    passed: bool
    """Whether the check passed."""
    notes: MultilingualText | None = None
    """Findings."""


class QualityAssessment(Model):
    """An assessment of the data set against named quality dimensions."""

    framework: str = "UN NQAF"
    """Quality framework followed."""
    dimensions: tuple[DimensionScore, ...] = Field(min_length=1)
    """Scores per dimension, each dimension at most once."""
    ethics_checks: tuple[EthicsCheck, ...] = ()
    """Ethics checks made."""
    assessor: LocalId
    """Id of the agent (in provenance) who assessed."""
    date: dt.date
    """Date of the assessment."""
    verdict: QualityVerdict
    """Overall verdict."""
    summary: MultilingualText | None = None
    """Summary of findings and caveats."""

    @model_validator(mode="after")
    def _unique_and_consistent(self) -> QualityAssessment:
        dims = [d.dimension for d in self.dimensions]
        if len(set(dims)) != len(dims):
            raise RuleViolations(
                [Problem("dimensions", "each quality dimension may be scored once")]
            )
        if len({c.id for c in self.ethics_checks}) != len(self.ethics_checks):
            raise RuleViolations([Problem("ethics_checks", "ids must be unique")])
        failed = [c.id for c in self.ethics_checks if not c.passed]
        if failed and self.verdict is QualityVerdict.FIT_FOR_OFFICIAL_STATISTICS:
            raise ValueError(
                f"verdict fit_for_official_statistics despite failed ethics checks: {failed}"
            )
        return self


class QualityMeasurement(Model):
    """A measured value of a quality metric (``dqv:QualityMeasurement``).

    Runs compute the metrics of the catalogue ([`QualityMetric`][cdinterop.model.QualityMetric],
    defined in [`METRICS`][cdinterop.model.METRICS]); other metric ids may be typed in."""

    metric: SdmxId
    """Metric id, e.g. ``COMPLETENESS`` or ``REJECTED_ROW_SHARE`` (see
    [`QualityMetric`][cdinterop.model.QualityMetric] for those cdinterop computes)."""
    value: float | int | bool | str
    """The measured value."""
    unit: str | None = None
    """Unit of the value, e.g. ``percent``."""
    dimension: QualityDimension | None = None
    """The quality dimension the metric informs."""
    computed_at: dt.datetime | None = None
    """When the value was computed."""
    component: NCNameId | None = None
    """The component the value is about (e.g. the dimension whose code coverage it is)."""
    qualifier: str | None = Field(default=None, min_length=1)
    """What else the value is about: the reject reason, the filter rule or the level it
    counts (e.g. ``unmapped-value``, ``duplicate-submission``, ``subdivision``)."""


class Quality(Model):
    """Quality information: an assessment and metric measurements."""

    assessment: QualityAssessment | None = None
    """The latest quality assessment."""
    measurements: tuple[QualityMeasurement, ...] = ()
    """Metric measurements (DQV)."""


class DisclosureMethod(StrEnum):
    """Statistical disclosure control method."""

    NONE = "none"
    CELL_SUPPRESSION = "cell_suppression"
    ROUNDING = "rounding"
    NOISE = "noise"
    AGGREGATION = "aggregation"


class DisclosureRule(Model):
    """One primary sensitivity rule: the threshold rule, the p% rule or the (n, k) rule."""

    rule: Literal["threshold", "p_percent", "nk"]
    """``threshold`` (fewer than ``k`` contributors), ``p_percent`` (the total minus the
    largest ``n + 1`` contributions is less than ``p`` % of the largest) or ``nk`` (the
    ``n`` largest contributions exceed ``k`` % of the total)."""
    measure: NCNameId | None = None
    """The magnitude the dominance rule is applied to (none for the threshold rule)."""
    k: float | None = Field(default=None, gt=0)
    """The threshold (minimum contributors) or the (n, k) rule's percentage."""
    p: float | None = Field(default=None, gt=0)
    """The p% rule's percentage."""
    n: int | None = Field(default=None, ge=1)
    """The size of the coalition (p%: the intruders besides the respondent; (n, k): the
    largest contributors)."""
    cells: int = Field(default=0, ge=0)
    """Cells the rule found sensitive."""


class ProtectionLevels(Model):
    """The interval protection required of every sensitive cell (as in tau-ARGUS)."""

    upper: float = Field(ge=0)
    """Upper protection level as a share of the threshold: an attacker must not be able to
    exclude any value up to ``x + ceil(upper * k)`` (x: the true value)."""
    lower: float = Field(ge=0)
    """Lower protection level as a share of the threshold: no value down to
    ``x - min(ceil(lower * k), x - 1)`` may be excluded (a cell holds at least one record)."""
    sliding: float = Field(default=0, ge=0)
    """Sliding protection level as a share of the threshold: the attacker's interval must be
    at least ``ceil(sliding * k)`` wide."""
    capped: int = Field(default=0, ge=0)
    """Levels lowered to what suppressing every cell of the table would allow."""


class DisclosureAudit(Model):
    """What an attacker who solves linear programs learns about the suppressed cells."""

    attacker: str = Field(min_length=1)
    """The attack: what is minimised and maximised, with which solver."""
    a_priori: str = Field(min_length=1)
    """What the attacker is assumed to know besides the published values and relations."""
    cells: int = Field(ge=0)
    """Suppressed cells attacked."""
    exact: int = Field(ge=0)
    """Suppressed cells whose value the attack determines exactly."""
    inside_protection: int | None = Field(default=None, ge=0)
    """Sensitive cells whose feasible interval lies inside their protection range (needs
    the true values; none when they were not known to the audit)."""
    narrower_than_sliding: int = Field(default=0, ge=0)
    """Sensitive cells whose feasible interval is narrower than the sliding level."""
    complete: bool = True
    """Whether every suppressed cell was attacked."""


class DisclosureControl(Model):
    """Statistical disclosure control applied before publication (UN FPOS principle 6)."""

    method: DisclosureMethod
    """The method applied."""
    threshold: int | None = Field(default=None, ge=1)
    """Minimum number of contributors per published cell (k)."""
    cells_suppressed: int = Field(default=0, ge=0)
    """Cells suppressed because they fell below the threshold (primary suppression)."""
    secondary_suppression: bool = False
    """Whether secondary suppression protected suppressed cells from recovery by
    subtraction from totals."""
    secondary_cells_suppressed: int = Field(default=0, ge=0)
    """Further cells suppressed by secondary suppression."""
    rules: tuple[DisclosureRule, ...] = ()
    """The primary sensitivity rules applied (threshold, p%, (n, k))."""
    totals: dict[NCNameId, SdmxId] = Field(default_factory=dict)
    """The totalled dimensions and their total codes: the additive relations of the table
    (each total cell is the sum of its children along one dimension)."""
    nested: dict[NCNameId, NCNameId] = Field(default_factory=dict)
    """Hierarchies, child dimension → parent dimension (no child detail under a parent
    total)."""
    contributor_count: NCNameId | None = None
    """The component that publishes each cell's contributor count, the quantity the
    threshold rule and its protection levels are about (none when it is not published)."""
    protection: ProtectionLevels | None = None
    """The interval protection required of sensitive cells (none: exact protection only)."""
    secondary_method: Literal["simple", "heuristic", "optimal"] | None = None
    """How secondary cells were chosen: ``simple`` (no total with a lone suppressed cell,
    then a rank audit), ``heuristic`` (attacked and repaired until protected) or
    ``optimal`` (a mixed-integer program)."""
    cost: Literal["cells", "value"] | None = None
    """What the choice of secondary cells minimised: their number or their total value."""
    solver: str | None = Field(default=None, min_length=1)
    """The solver used (name and version)."""
    solver_status: Literal["optimal", "time_limit", "heuristic"] | None = None
    """``optimal`` (proved within ``mip_gap``), ``time_limit`` (the best protected pattern
    found in the time allowed) or ``heuristic`` (the optimisation was not run)."""
    lower_bound: float | None = Field(default=None, ge=0)
    """A proven lower bound on the cost of any protected pattern of secondary cells."""
    mip_gap: float | None = Field(default=None, ge=0)
    """Relative gap between the cost of the pattern chosen and ``lower_bound``."""
    information_loss: float | None = Field(default=None, ge=0)
    """The total value of the suppressed cells (the count or magnitude the pattern hides)."""
    audit: DisclosureAudit | None = None
    """The linear-programming attack on the published table and what it found."""
    notes: MultilingualText | None = None
    """Anything else about the protection applied."""

    @model_validator(mode="after")
    def _coherent(self) -> DisclosureControl:
        if self.method is DisclosureMethod.CELL_SUPPRESSION and self.threshold is None:
            raise ValueError("cell suppression needs a threshold (minimum cell count)")
        if self.method is DisclosureMethod.NONE and (
            self.cells_suppressed or self.secondary_cells_suppressed
        ):
            raise ValueError("method is none but cells are counted as suppressed")
        if self.secondary_cells_suppressed and not self.secondary_suppression:
            raise ValueError("secondary cells are counted but secondary_suppression is false")
        return self
