"""Provenance: who and what produced a data set, and how (a subset of W3C PROV-O).

Agents (persons — pseudonymous by default —, organisations, software), their attributed
roles, the activities that touched the data (collection, validation, cleaning,
pseudonymisation, aggregation, disclosure control, conversion, publication) and the source
entities they used or generated, with checksums.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import AnyUrl, EmailStr, Field, model_validator

from cdinterop.errors import Problem, RuleViolations
from cdinterop.model._base import LocalId, Model, MultilingualText

__all__ = [
    "CDINTEROP_AGENT_ID",
    "Activity",
    "ActivityType",
    "Agent",
    "AgentKind",
    "Attribution",
    "Checksum",
    "ChecksumAlgorithm",
    "OrganisationType",
    "Provenance",
    "Role",
    "Source",
    "cdinterop_agents",
    "free_id",
]

CDINTEROP_AGENT_ID = "CDINTEROP"
"""Id of the software agent cdinterop records for the steps it performs."""


class AgentKind(StrEnum):
    """The PROV-O agent subclass: ``prov:Person``, ``prov:Organization``, ``prov:SoftwareAgent``."""

    PERSON = "person"
    ORGANISATION = "organisation"
    SOFTWARE = "software"


class OrganisationType(StrEnum):
    """Kind of organisation, aligned with the EU ADMS publisher-type vocabulary."""

    COMMUNITY_GROUP = "community_group"
    CIVIL_SOCIETY_ORGANISATION = "civil_society_organisation"
    NON_PROFIT = "non_profit"
    ACADEMIA = "academia"
    NATIONAL_STATISTICAL_OFFICE = "national_statistical_office"
    NATIONAL_AUTHORITY = "national_authority"
    REGIONAL_AUTHORITY = "regional_authority"
    LOCAL_AUTHORITY = "local_authority"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    COMPANY = "company"


class Role(StrEnum):
    """Role of an agent towards the data set (DataCite / ISO 19115 role codes)."""

    CREATOR = "creator"
    CONTRIBUTOR = "contributor"
    PUBLISHER = "publisher"
    DATA_COLLECTOR = "data_collector"
    DATA_CURATOR = "data_curator"
    DATA_MANAGER = "data_manager"
    DISTRIBUTOR = "distributor"
    FUNDER = "funder"
    RIGHTS_HOLDER = "rights_holder"
    POINT_OF_CONTACT = "point_of_contact"
    PROCESSOR = "processor"
    ORIGINATOR = "originator"
    CUSTODIAN = "custodian"
    PRINCIPAL_INVESTIGATOR = "principal_investigator"
    PROJECT_LEADER = "project_leader"
    SPONSOR = "sponsor"
    QUALITY_ASSESSOR = "quality_assessor"


class Agent(Model):
    """Someone or something that bears responsibility (``prov:Agent``, ``foaf:Agent``).

    Persons are pseudonymous by default: give them a stable pseudonym as ``name`` (e.g.
    ``volunteer-017``) and set ``pseudonymous=False`` only with their consent.
    """

    id: LocalId
    """Identifier of the agent within the data set, referenced by other parts."""
    kind: AgentKind
    """Person, organisation or software."""
    name: str = Field(min_length=1)
    """Name of the organisation or software; pseudonym of a person unless consented."""
    pseudonymous: bool = True
    """For persons: whether ``name`` is a pseudonym (the default). Set it to ``False`` for
    organisations and software, which are named openly (cdinterop does for the agents it
    creates)."""
    organisation_type: OrganisationType | None = None
    """For organisations: what kind of organisation it is."""
    homepage: AnyUrl | None = None
    """Web page of the organisation or software."""
    email: EmailStr | None = None
    """Contact e-mail (organisations; persons only with consent)."""
    identifier: str | None = None
    """A persistent identifier, e.g. ROR or ORCID IRI, or software package name."""
    version: str | None = None
    """For software: the version that acted."""
    acted_on_behalf_of: LocalId | None = None
    """Id of the agent this one acted for (``prov:actedOnBehalfOf``)."""

    @model_validator(mode="after")
    def _kind_specific(self) -> Agent:
        if self.organisation_type is not None and self.kind is not AgentKind.ORGANISATION:
            raise ValueError("organisation_type applies to organisations only")
        if self.version is not None and self.kind is not AgentKind.SOFTWARE:
            raise ValueError("version applies to software agents only")
        if self.kind is AgentKind.PERSON and self.pseudonymous and self.email is not None:
            raise ValueError(
                "a pseudonymous person must not carry an e-mail address "
                "(set pseudonymous=False only with the person's consent)"
            )
        if self.acted_on_behalf_of == self.id:
            raise ValueError("an agent cannot act on behalf of itself")
        return self


class Attribution(Model):
    """An agent's role towards the data set (``prov:qualifiedAttribution``, ``dcat:hadRole``)."""

    agent: LocalId
    """Id of the agent."""
    role: Role
    """The role the agent played."""


class ChecksumAlgorithm(StrEnum):
    """Checksum algorithms (SPDX ``checksumAlgorithm`` names in lower case)."""

    SHA256 = "sha256"
    SHA512 = "sha512"
    SHA1 = "sha1"
    MD5 = "md5"


_HEX_LENGTH = {"sha256": 64, "sha512": 128, "sha1": 40, "md5": 32}


class Checksum(Model):
    """A checksum of a file's bytes (``spdx:Checksum``)."""

    algorithm: ChecksumAlgorithm = ChecksumAlgorithm.SHA256
    """The hash algorithm."""
    value: str
    """Lower-case hexadecimal digest."""

    @model_validator(mode="after")
    def _hex_of_right_length(self) -> Checksum:
        n = _HEX_LENGTH[self.algorithm.value]
        if not re.fullmatch(rf"[0-9a-f]{{{n}}}", self.value):
            raise ValueError(
                f"a {self.algorithm.value} checksum is {n} lower-case hexadecimal digits"
            )
        return self

    @classmethod
    def of_file(
        cls, path: str | Path, algorithm: ChecksumAlgorithm = ChecksumAlgorithm.SHA256
    ) -> Checksum:
        """Compute the checksum of a file, reading it in blocks."""
        digest = hashlib.new(algorithm.value)
        with Path(path).open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return cls(algorithm=algorithm, value=digest.hexdigest())


class Source(Model):
    """An entity used or generated by an activity (``prov:Entity``): a submission file,
    a form definition, intermediate unit records."""

    id: LocalId
    """Identifier of the entity, referenced by activities."""
    title: str = Field(min_length=1)
    """Human-readable title, e.g. the file name."""
    description: str | None = None
    """What the entity is."""
    path: str | None = None
    """File name or path as received (no directories that reveal personal data)."""
    url: AnyUrl | None = None
    """Where the entity can be retrieved."""
    media_type: str | None = Field(default=None, pattern=r"^[a-z]+/[A-Za-z0-9.+\-]+$")
    """IANA media type, e.g. ``text/csv``."""
    size: int | None = Field(default=None, ge=0)
    """Size in bytes."""
    checksum: Checksum | None = None
    """Checksum of the bytes."""
    version: str | None = None
    """Version of the entity, e.g. the form version of a KoboToolbox export."""
    created: datetime | None = None
    """When the entity was created or exported."""


class ActivityType(StrEnum):
    """What an activity did to the data."""

    COLLECTION = "collection"
    INGESTION = "ingestion"
    VALIDATION = "validation"
    CLEANING = "cleaning"
    PSEUDONYMISATION = "pseudonymisation"
    AGGREGATION = "aggregation"
    DISCLOSURE_CONTROL = "disclosure_control"
    QUALITY_ASSESSMENT = "quality_assessment"
    CONVERSION = "conversion"
    PUBLICATION = "publication"


class Activity(Model):
    """Something that happened to the data (``prov:Activity``)."""

    id: LocalId
    """Identifier of the activity."""
    type: ActivityType
    """What kind of step it was."""
    label: str = Field(min_length=1)
    """Short description of what was done."""
    description: MultilingualText | None = None
    """Longer account of the activity."""
    started_at: datetime | None = None
    """When it started (``prov:startedAtTime``)."""
    ended_at: datetime | None = None
    """When it ended (``prov:endedAtTime``)."""
    agents: tuple[LocalId, ...] = ()
    """Ids of the agents associated with it (``prov:wasAssociatedWith``)."""
    used: tuple[LocalId, ...] = ()
    """Ids of the entities it used (``prov:used``)."""
    generated: tuple[LocalId, ...] = ()
    """Ids of the entities it generated (``prov:generated``)."""
    method: str | None = None
    """The method or procedure followed, e.g. a protocol name or mapping spec id."""
    software: LocalId | None = None
    """Id of the software agent that ran it (its version is on the agent)."""
    rows_in: int | None = Field(default=None, ge=0)
    """Rows that went in."""
    rows_out: int | None = Field(default=None, ge=0)
    """Rows that came out."""
    parameters: dict[str, str | int | float | bool] = Field(default_factory=dict)
    """Further parameters of the step (thresholds, spec versions ...)."""

    @model_validator(mode="after")
    def _times_ordered(self) -> Activity:
        if self.started_at and self.ended_at:
            if (self.started_at.tzinfo is None) != (self.ended_at.tzinfo is None):
                raise ValueError("started_at and ended_at must both have a time zone or neither")
            if self.started_at > self.ended_at:
                raise ValueError(
                    f"started_at {self.started_at.isoformat()} is after "
                    f"ended_at {self.ended_at.isoformat()}"
                )
        return self


class Provenance(Model):
    """The provenance record of a data set: agents, attributions, activities, sources."""

    agents: tuple[Agent, ...] = ()
    """Every agent referred to anywhere in the data set."""
    attributions: tuple[Attribution, ...] = ()
    """Roles of agents towards the data set (creators, contributors, funders ...)."""
    activities: tuple[Activity, ...] = ()
    """Activities, in the order they happened."""
    sources: tuple[Source, ...] = ()
    """Entities used or generated by the activities."""
    statement: MultilingualText | None = None
    """A free-text provenance statement (``dct:provenance``)."""

    @model_validator(mode="after")
    def _references_resolve(self) -> Provenance:
        problems: list[Problem] = []
        agent_ids = self._unique("agents", [a.id for a in self.agents], problems)
        source_ids = self._unique("sources", [s.id for s in self.sources], problems)
        self._unique("activities", [a.id for a in self.activities], problems)
        problems.extend(self._agent_reference_problems(agent_ids))
        for i, activity in enumerate(self.activities):
            problems.extend(self._activity_problems(i, activity, agent_ids, source_ids))
        if problems:
            raise RuleViolations(problems)
        return self

    def _agent_reference_problems(self, agent_ids: set[str]) -> list[Problem]:
        """Unknown agents named by agents (``acted_on_behalf_of``) and attributions."""
        problems: list[Problem] = []
        for i, agent in enumerate(self.agents):
            if agent.acted_on_behalf_of and agent.acted_on_behalf_of not in agent_ids:
                problems.append(
                    Problem(
                        f"agents[{i}].acted_on_behalf_of",
                        f"unknown agent {agent.acted_on_behalf_of!r}",
                    )
                )
        for i, attribution in enumerate(self.attributions):
            if attribution.agent not in agent_ids:
                problems.append(
                    Problem(f"attributions[{i}].agent", f"unknown agent {attribution.agent!r}")
                )
        return problems

    def _activity_problems(
        self, i: int, activity: Activity, agent_ids: set[str], source_ids: set[str]
    ) -> list[Problem]:
        """Unknown agents and sources of activity ``i``, and software that is no software."""
        problems = [
            Problem(f"activities[{i}].agents", f"unknown agent {ref!r}")
            for ref in activity.agents
            if ref not in agent_ids
        ]
        software = self._software_problem(i, activity)
        if software is not None:
            problems.append(software)
        for field in ("used", "generated"):
            problems.extend(
                Problem(f"activities[{i}].{field}", f"unknown source {ref!r}")
                for ref in getattr(activity, field)
                if ref not in source_ids
            )
        return problems

    def _software_problem(self, i: int, activity: Activity) -> Problem | None:
        """What is wrong with the software of activity ``i``: unknown, or not software."""
        if activity.software is None:
            return None
        software = next((a for a in self.agents if a.id == activity.software), None)
        if software is None:
            return Problem(f"activities[{i}].software", f"unknown agent {activity.software!r}")
        if software.kind is not AgentKind.SOFTWARE:
            return Problem(f"activities[{i}].software", f"agent {software.id!r} is not software")
        return None

    @staticmethod
    def _unique(kind: str, ids: list[str], problems: list[Problem]) -> set[str]:
        seen: set[str] = set()
        for i, value in enumerate(ids):
            if value in seen:
                problems.append(Problem(f"{kind}[{i}]", f"id {value!r} is used twice"))
            seen.add(value)
        return seen

    def agent(self, agent_id: str) -> Agent:
        """Return the agent with this id; ``KeyError`` if there is none."""
        for agent in self.agents:
            if agent.id == agent_id:
                return agent
        raise KeyError(f"no agent {agent_id!r}")

    def with_activity(
        self,
        activity: Activity,
        *,
        agents: tuple[Agent, ...] = (),
        sources: tuple[Source, ...] = (),
    ) -> Self:
        """Return a copy with ``activity`` appended, adding any new agents and sources."""
        known_agents = {a.id for a in self.agents}
        known_sources = {s.id for s in self.sources}
        return type(self).model_validate(
            {
                **self.__dict__,
                "agents": self.agents + tuple(a for a in agents if a.id not in known_agents),
                "sources": self.sources + tuple(s for s in sources if s.id not in known_sources),
                "activities": (*self.activities, activity),
            }
        )


def recorded_totals(provenance: Provenance) -> dict[str, str]:
    """The totalled dimensions the aggregation activity names (its ``totals`` parameter),
    each with the total code ``_T``: the relations of an output written before its
    disclosure record carried them (empty when there is no such activity)."""
    for activity in provenance.activities:
        if activity.type is ActivityType.AGGREGATION:
            names = str((activity.parameters or {}).get("totals", "none"))
            if names != "none":
                return {name: "_T" for name in names.split(",")}
    return {}


def cdinterop_agents(provenance: Provenance) -> tuple[Agent, ...]:
    """The cdinterop software agent (this version), unless ``provenance`` has it already:
    what a step that cdinterop performs adds to the agents."""
    if any(agent.id == CDINTEROP_AGENT_ID for agent in provenance.agents):
        return ()
    from cdinterop._version import __version__

    agent = Agent(
        id=CDINTEROP_AGENT_ID,
        kind=AgentKind.SOFTWARE,
        pseudonymous=False,
        name="cdinterop",
        identifier="pypi:cdinterop",
        version=__version__,
    )
    return (agent,)


def free_id(stem: str, taken: Iterable[str]) -> str:
    """``stem``, or ``stem_2``, ``stem_3`` ... : the first id not in ``taken``."""
    used = set(taken)
    candidate, n = stem, 2
    while candidate in used:
        candidate, n = f"{stem}_{n}", n + 1
    return candidate
