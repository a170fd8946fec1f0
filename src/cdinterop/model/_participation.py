"""Participation and consent, after the UN Copenhagen Framework on Citizen Data.

The framework defines citizen data by who initiates an initiative and how deeply citizens
take part along the data value chain; it asks for informed consent and clear permitted
uses. These models record both, so that an NSO can judge whether data qualifies as citizen
data and what it may be used for.
"""

from __future__ import annotations

import datetime as dt
from enum import IntEnum, StrEnum

from pydantic import AnyUrl, Field, model_validator

from cdinterop.errors import Problem, RuleViolations
from cdinterop.model._base import LocalId, Model, MultilingualText, SdmxId

__all__ = [
    "Consent",
    "ConsentBasis",
    "ConsentMethod",
    "EngagementLevel",
    "InitiatorType",
    "Participation",
    "PermittedUse",
    "Population",
    "ValueChainStage",
    "Withdrawal",
]


class InitiatorType(StrEnum):
    """Who initiated the data initiative (Copenhagen Framework)."""

    INDIVIDUAL = "individual"
    COMMUNITY = "community"
    CIVIL_SOCIETY_ORGANISATION = "civil_society_organisation"
    ACADEMIA = "academia"
    GOVERNMENT_WITH_COMMUNITY_ENGAGEMENT = "government_with_community_engagement"


class EngagementLevel(IntEnum):
    """The framework's five-level participation ladder; levels 4 and 5 count as
    sufficient participation for citizen data."""

    INFORMATION = 1
    """One-way information to citizens; no input into data production."""
    CONSULTATION = 2
    """Citizens' views are invited, with no assurance they are taken into account."""
    LIMITED_PARTICIPATION = 3
    """Conciliatory: citizens take part in some steps, decisions stay with others."""
    COLLABORATION = 4
    """Citizens and institutions share decisions on the data."""
    CITIZEN_LED = 5
    """Citizens initiate and control the data initiative."""


class ValueChainStage(StrEnum):
    """Stages of the data value chain that citizens took part in."""

    DESIGN = "design"
    COLLECTION = "collection"
    PROCESSING = "processing"
    ANALYSIS = "analysis"
    DISSEMINATION = "dissemination"
    USE = "use"


class Population(Model):
    """A population group the data speaks for (e.g. persons with disabilities)."""

    id: SdmxId
    """Identifier of the group."""
    name: MultilingualText
    """Name of the group."""
    description: MultilingualText | None = None
    """Who belongs to the group and why it matters (e.g. left behind by official surveys)."""
    estimated_size: int | None = Field(default=None, ge=0)
    """Estimated number of people in the group, if known."""


class Participation(Model):
    """How citizens took part in the data set (Copenhagen Framework on Citizen Data)."""

    initiator: InitiatorType
    """Who initiated the initiative."""
    initiator_agent: LocalId | None = None
    """Id of the initiating agent (in provenance), if recorded."""
    engagement_level: EngagementLevel
    """Level on the framework's five-level participation ladder (1-5)."""
    stages: tuple[ValueChainStage, ...] = Field(min_length=1)
    """Stages of the value chain in which citizens took part."""
    populations: tuple[Population, ...] = ()
    """The populations the data speaks for."""
    participants: int | None = Field(default=None, ge=0)
    """Number of citizens who took part (collectors, respondents, co-designers)."""
    description: MultilingualText | None = None
    """How participation worked in practice."""

    @model_validator(mode="after")
    def _stages_unique(self) -> Participation:
        if len(set(self.stages)) != len(self.stages):
            raise RuleViolations([Problem("stages", "each stage may be listed once")])
        if len({p.id for p in self.populations}) != len(self.populations):
            raise RuleViolations([Problem("populations", "ids must be unique")])
        return self

    @property
    def is_citizen_data(self) -> bool:
        """Whether participation meets the framework's bar for citizen data: citizens
        took part at least in design or collection, at engagement level 4 or 5 (whoever
        initiated; a government initiative qualifies through community engagement)."""
        stages_ok = ValueChainStage.DESIGN in self.stages or (
            ValueChainStage.COLLECTION in self.stages
        )
        return stages_ok and self.engagement_level >= EngagementLevel.COLLABORATION


class ConsentBasis(StrEnum):
    """Legal or ethical basis on which personal data were processed."""

    INFORMED_CONSENT = "informed_consent"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTEREST = "legitimate_interest"
    LEGAL_OBLIGATION = "legal_obligation"
    NO_PERSONAL_DATA = "no_personal_data"


class ConsentMethod(StrEnum):
    """How consent was recorded."""

    WRITTEN = "written"
    ORAL = "oral"
    ELECTRONIC = "electronic"
    NOT_APPLICABLE = "not_applicable"


class PermittedUse(StrEnum):
    """Uses the contributors agreed to."""

    STATISTICAL_PRODUCTION = "statistical_production"
    PUBLICATION = "publication"
    SHARING_WITH_NSO = "sharing_with_nso"
    RESEARCH = "research"
    ADVOCACY = "advocacy"


class Withdrawal(Model):
    """How contributors can withdraw consent, and how many have."""

    possible: bool
    """Whether contributors can withdraw."""
    procedure: str | None = None
    """How to withdraw."""
    contact: AnyUrl | None = None
    """Where to ask (URL or ``mailto:``)."""
    withdrawn: int = Field(default=0, ge=0)
    """Number of contributors who withdrew; their records are not in the data."""


class Consent(Model):
    """Consent under which the data were collected and may be used."""

    obtained: bool
    """Whether consent was obtained from the people the data are about or from."""
    basis: ConsentBasis
    """Basis for processing."""
    method: ConsentMethod = ConsentMethod.NOT_APPLICABLE
    """How consent was recorded; ``not_applicable`` when none was sought."""
    date: dt.date | None = None
    """When consent was collected (or the end of collection)."""
    permitted_uses: tuple[PermittedUse, ...] = ()
    """Uses the contributors agreed to."""
    withdrawal: Withdrawal | None = None
    """Withdrawal arrangements."""
    notes: MultilingualText | None = None
    """Anything else a user of the data must know about consent."""

    @model_validator(mode="after")
    def _coherent(self) -> Consent:
        if self.basis is ConsentBasis.INFORMED_CONSENT and not self.obtained:
            raise ValueError("basis is informed_consent but consent was not obtained")
        if self.obtained and self.method is ConsentMethod.NOT_APPLICABLE:
            raise ValueError("consent was obtained: say how (written, oral or electronic)")
        if len(set(self.permitted_uses)) != len(self.permitted_uses):
            raise RuleViolations([Problem("permitted_uses", "each use may be listed once")])
        return self
