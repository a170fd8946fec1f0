"""Quality assessment (after the UN NQAF dimensions, expressed with W3C DQV) and
statistical disclosure control."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, model_validator

from cdinterop.errors import Problem, RuleViolations
from cdinterop.model._base import LocalId, Model, MultilingualText, NCNameId, SdmxId

__all__ = [
    "DimensionScore",
    "DisclosureControl",
    "DisclosureMethod",
    "EthicsCheck",
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
