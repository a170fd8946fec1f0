"""SDMX identity: references to maintainable artefacts and annotations.

SDMX identifies a maintainable artefact (codelist, concept scheme, data structure, dataflow,
constraint) by its maintenance agency, its id and its version; two artefacts with the same id
from different agencies, or in different versions, are different artefacts. In the model a
reference is written as SDMX writes it in URNs, ``AGENCY:ID(VERSION)``
(``IAEG-SDGs:CL_SEX(1.1)``); an item of a scheme adds ``.ITEM``
(``IAEG-SDGs:SDG_CONCEPTS(1.0).SEX``).

[`Annotation`][cdinterop.model.Annotation] is SDMX's extension point on every identifiable
artefact: the model keeps the annotations of structures it reads, so that structures other
agencies publish are written back unchanged.
"""

from __future__ import annotations

import re
from typing import Annotated, NamedTuple

from pydantic import StringConstraints

from cdinterop.model._base import (
    AGENCY_ID_PATTERN,
    NCNAME_ID_PATTERN,
    SDMX_ID_PATTERN,
    VERSION_PATTERN,
    Model,
    MultilingualText,
)

__all__ = [
    "Annotation",
    "ArtefactRef",
    "ConceptRef",
    "ConceptRoleRef",
    "MaintainableRef",
    "ParsedRef",
    "format_ref",
    "parse_ref",
]

_AGENCY = AGENCY_ID_PATTERN.strip("^$")
_ID = SDMX_ID_PATTERN.strip("^$")
_NCNAME = NCNAME_ID_PATTERN.strip("^$")
_VERSION = r"[0-9A-Za-z][0-9A-Za-z.+\-]*"
MAINTAINABLE_REF_PATTERN = rf"^(?P<agency>{_AGENCY}):(?P<id>{_ID})\((?P<version>{_VERSION})\)$"
"""``AGENCY:ID(VERSION)``, the maintainable part of an SDMX URN."""
_REF = re.compile(MAINTAINABLE_REF_PATTERN)
_ITEM_REF = re.compile(MAINTAINABLE_REF_PATTERN.removesuffix("$") + rf"\.(?P<item>{_ID})$")
_VERSION_RE = re.compile(VERSION_PATTERN)

MaintainableRef = Annotated[str, StringConstraints(pattern=MAINTAINABLE_REF_PATTERN)]
"""A reference to a maintainable artefact: ``AGENCY:ID(VERSION)``."""
ArtefactRef = Annotated[
    str, StringConstraints(pattern=rf"^{_ID}$|{MAINTAINABLE_REF_PATTERN}", min_length=1)
]
"""A reference from a component to a codelist: the codelist's id when it is the only
codelist of the structure with that id, else ``AGENCY:ID(VERSION)``."""
ConceptRef = Annotated[
    str,
    StringConstraints(
        pattern=rf"{NCNAME_ID_PATTERN}|^{MAINTAINABLE_REF_PATTERN.strip('^$')}\.{_NCNAME}$",
        min_length=1,
    ),
]
"""A reference to a concept: its id when it is in the structure's own scheme or the only
concept with that id, else ``AGENCY:SCHEME(VERSION).ID``."""
ConceptRoleRef = Annotated[
    str,
    StringConstraints(pattern=rf"^{MAINTAINABLE_REF_PATTERN.strip('^$')}\.{_NCNAME}$"),
]
"""A concept role: the full reference of the concept that defines the role,
``AGENCY:SCHEME(VERSION).ID`` (e.g. ``SDMX:COMPONENT_ROLES(1.0).COUNT``); the scheme need
not be in the structure."""


class ParsedRef(NamedTuple):
    """The parts of an ``AGENCY:ID(VERSION)[.ITEM]`` reference."""

    agency: str
    id: str
    version: str
    item: str | None = None


def parse_ref(text: str) -> ParsedRef | None:
    """The parts of ``AGENCY:ID(VERSION)`` or ``AGENCY:ID(VERSION).ITEM``; ``None`` for a
    bare id."""
    match = _REF.match(text) or _ITEM_REF.match(text)
    if match is None:
        return None
    groups = match.groupdict()
    return ParsedRef(groups["agency"], groups["id"], groups["version"], groups.get("item"))


def format_ref(agency: str, id_: str, version: str, item: str | None = None) -> str:
    """``AGENCY:ID(VERSION)``, with ``.ITEM`` when an item is given."""
    return f"{agency}:{id_}({version})" + (f".{item}" if item else "")


class Annotation(Model):
    """An SDMX annotation: a typed, titled or plain note on an artefact, kept as read."""

    id: str | None = None
    """Identifier of the annotation (rarely used)."""
    title: str | None = None
    """``AnnotationTitle``: a short title, often used as a key (``IndicatorCode``)."""
    type: str | None = None
    """``AnnotationType``: what kind of note this is (``NOTE``, ``FULL_NAME``, ...)."""
    url: str | None = None
    """``AnnotationURL``: a link to more information."""
    text: MultilingualText | None = None
    """``AnnotationText`` in each language."""
    value: str | None = None
    """``AnnotationValue`` (SDMX 3.0): a non-localised value."""


Annotations = tuple[Annotation, ...]
"""The annotations of an artefact, in document order."""
