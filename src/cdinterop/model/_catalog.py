"""A catalogue of citizen data sets (``dcat:Catalog``): what a portal, an NSO's citizen
data hub or the Citizen Data Commons publishes about the data sets it lists."""

from __future__ import annotations

from datetime import date
from typing import Any, Self

from pydantic import AnyUrl, Field, model_validator

from cdinterop.errors import Problem, RuleViolations
from cdinterop.model._base import (
    LanguageTag,
    LocalId,
    Model,
    MultilingualText,
    SpdxLicenceId,
    validated_copy,
    without_added_fields,
)
from cdinterop.model._dataset import CitizenDataset
from cdinterop.model._provenance import Agent, AgentKind

__all__ = ["Catalog"]


class Catalog(Model):
    """A catalogue: its own description, its publisher and the data sets it lists.

    The data sets keep their own metadata, provenance and context; the catalogue adds who
    publishes the list and where it lives. Data set ids are unique within a catalogue.
    """

    id: LocalId
    """Identifier of the catalogue."""
    title: MultilingualText
    """Title, e.g. ``{"en": "Citizen data of the Ghana Statistical Service"}``."""
    description: MultilingualText
    """What the catalogue lists and for whom."""
    publisher: Agent
    """Who publishes the catalogue (an organisation or a person, not software)."""
    homepage: AnyUrl | None = None
    """Web page of the catalogue (``foaf:homepage``)."""
    languages: tuple[LanguageTag, ...] = ()
    """Languages of the catalogue's metadata."""
    licence: SpdxLicenceId | None = None
    """Licence of the catalogue's metadata (SPDX id)."""
    issued: date | None = None
    """Date the catalogue was first published."""
    modified: date | None = None
    """Date of the last change to the catalogue."""
    datasets: tuple[CitizenDataset, ...] = Field(default=(), repr=False)
    """The data sets listed (their observations are not part of a DCAT description)."""

    @model_validator(mode="after")
    def _consistent(self) -> Catalog:
        problems: list[Problem] = []
        if self.publisher.kind is AgentKind.SOFTWARE:
            problems.append(Problem("publisher", "a software agent cannot publish a catalogue"))
        seen: dict[str, int] = {}
        for i, ds in enumerate(self.datasets):
            if ds.id in seen:
                problems.append(
                    Problem(
                        f"datasets[{i}]", f"id {ds.id!r} is already used by datasets[{seen[ds.id]}]"
                    )
                )
            seen.setdefault(ds.id, i)
        if self.issued and self.modified and self.issued > self.modified:
            problems.append(Problem("", f"issued {self.issued} is after modified {self.modified}"))
        if problems:
            raise RuleViolations(problems)
        return self

    def replace(self, **changes: Any) -> Self:
        """Return a validated copy, of the same class, with the given fields replaced;
        problems raise [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError] with
        located issues."""
        return validated_copy(self, changes, f"catalogue {self.id}")

    def without_added_fields(self) -> Catalog:
        """This catalogue, and its data sets, as cdinterop's own classes: the fields that
        subclasses add are left out, on purpose (see
        [`CitizenDataset.without_added_fields()`][cdinterop.model.CitizenDataset.without_added_fields])."""
        stripped = without_added_fields(self)
        assert isinstance(stripped, Catalog)
        return stripped
