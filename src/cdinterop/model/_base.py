"""Shared building blocks of the model: the frozen base class and the validated scalar types.

Identifiers follow the SDMX 2.1/3.0 patterns, language tags are checked against the IANA
subtag registry (through ``langcodes``), licences against the SPDX licence list (through
``license-expression``).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "AgencyId",
    "LanguageTag",
    "LocalId",
    "Model",
    "MultilingualText",
    "NCNameId",
    "SdmxId",
    "SpdxLicenceId",
    "VersionString",
    "check_language_tag",
    "check_spdx_licence",
    "text_in",
]

SDMX_ID_PATTERN = r"^[A-Za-z0-9_@$\-]+$"
"""SDMX ``IDType``: codes and maintainable ids (``_T``, ``Y15T24``, ``SDG_14_1_1``)."""
NCNAME_ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]*$"
"""SDMX ``NCNameIDType``: component and concept ids, usable as XML attribute names."""
AGENCY_ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]*(\.[A-Za-z][A-Za-z0-9_\-]*)*$"
"""SDMX ``NestedNCNameIDType``: agency ids such as ``IAEG-SDGs`` or ``GH.GSS``."""
VERSION_PATTERN = r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)){0,2}$"
"""A version such as ``1.0`` or ``1.2.0``: valid in SDMX 2.1 and SDMX 3.0 alike."""


class Model(BaseModel):
    """Base of every cdinterop model: immutable, strict about unknown fields, documented.

    Field descriptions come from the attribute docstrings and flow into the JSON Schemas.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        use_attribute_docstrings=True,
        validate_default=True,
        str_strip_whitespace=False,
    )


SdmxId = Annotated[str, StringConstraints(pattern=SDMX_ID_PATTERN, min_length=1)]
"""SDMX identifier (IDType): letters, digits, ``_ @ $ -``."""
NCNameId = Annotated[str, StringConstraints(pattern=NCNAME_ID_PATTERN, min_length=1)]
"""SDMX component identifier (NCNameIDType): starts with a letter."""
AgencyId = Annotated[str, StringConstraints(pattern=AGENCY_ID_PATTERN, min_length=1)]
"""SDMX agency identifier, possibly nested with dots (e.g. ``GH.GSS``)."""
VersionString = Annotated[str, StringConstraints(pattern=VERSION_PATTERN, min_length=1)]
"""Version number such as ``1.0`` or ``1.2.0``."""
LocalId = SdmxId
"""Identifier of an object within this data set, referenced from elsewhere in it."""


@cache
def _licensing() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


_OPEN_DATA_COMMONS = re.compile(r"^ODC-", re.IGNORECASE)
"""The ``ODC-`` prefix the Open Definition licence list (and so Frictionless and CKAN) puts on
Open Data Commons ids that SPDX lists without it (``ODC-PDDL-1.0`` is SPDX ``PDDL-1.0``,
``ODC-ODbL-1.0`` is ``ODbL-1.0``; ``ODC-BY-1.0`` keeps it as ``ODC-By-1.0``)."""
_OPEN_DATA_COMMONS_SPDX = re.compile(r"^(PDDL|ODbL|ODC-By)-\d")
"""The SPDX ids of the Open Data Commons licences (any version)."""


def _spdx_key(value: str) -> str | None:
    """The SPDX list's spelling of a single licence id, or ``None``."""
    try:
        parsed = _licensing().parse(value, validate=True, strict=True)
    except Exception:  # license_expression raises its own ExpressionError family
        return None
    key = getattr(parsed, "key", None)
    if not isinstance(key, str) or key.startswith("LicenseRef-"):
        return None
    return key


def check_spdx_licence(value: str) -> str:
    """Return the canonical SPDX licence id for ``value`` or raise ``ValueError``.

    A single licence id is expected (``CC-BY-4.0``, ``ODbL-1.0``), not an expression;
    the case is normalised to the SPDX list's spelling, deprecated SPDX ids become their
    successors (``GPL-3.0`` → ``GPL-3.0-only``), and the Open Definition ids of the Open
    Data Commons licences become their SPDX ids (``ODC-PDDL-1.0`` → ``PDDL-1.0``). The
    SPDX list is the one the ``license-expression`` package ships.
    """
    if not value or value.strip() != value or " " in value:
        raise ValueError(f"{value!r} is not an SPDX licence id (e.g. 'CC-BY-4.0')")
    candidates = [value]
    if _OPEN_DATA_COMMONS.match(value):
        candidates.append(_OPEN_DATA_COMMONS.sub("", value))
    for candidate in candidates:
        key = _spdx_key(candidate)
        if key is not None and (candidate == value or _OPEN_DATA_COMMONS_SPDX.match(key)):
            return key
    raise ValueError(f"{value!r} is not a licence id on the SPDX licence list")


_BCP47_SHAPE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


@cache
def check_language_tag(value: str) -> str:
    """Return ``value`` if it is a valid BCP 47 language tag, else raise ``ValueError``.

    Well-formedness and registered subtags are checked with ``langcodes`` (IANA registry),
    so ``en``, ``fr-CA``, ``ak-GH`` and ``tw`` pass while ``xx`` or ``en_GB`` do not.
    """
    import langcodes

    if not _BCP47_SHAPE.match(value) or not langcodes.tag_is_valid(value):
        raise ValueError(f"{value!r} is not a valid BCP 47 language tag (e.g. 'en', 'fr-CA')")
    return _canonical_case(value)


def _canonical_case(tag: str) -> str:
    """BCP 47 case conventions: ``en``, ``zh-Hant-TW``, ``es-419``, ``x-private`` lower."""
    parts = tag.split("-")
    out = [parts[0].lower()]
    singleton = False
    for part in parts[1:]:
        if singleton or len(part) == 1:
            singleton = True
            out.append(part.lower())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


SpdxLicenceId = Annotated[str, AfterValidator(check_spdx_licence), Field(examples=["CC-BY-4.0"])]
"""SPDX licence identifier, e.g. ``CC-BY-4.0``."""
LanguageTag = Annotated[str, AfterValidator(check_language_tag), Field(examples=["en"])]
"""BCP 47 language tag, e.g. ``en`` or ``fr-CA``."""


def _check_multilingual(value: dict[str, str]) -> dict[str, str]:
    if not value:
        raise ValueError("at least one language is required, e.g. {'en': '...'}")
    for lang, text in value.items():
        if not text.strip():
            raise ValueError(f"the {lang!r} text is empty")
    return value


MultilingualText = Annotated[
    dict[LanguageTag, str],
    AfterValidator(_check_multilingual),
    Field(
        examples=[{"en": "Plastic litter on beaches", "fr": "Déchets plastiques sur les plages"}]
    ),
]
"""Text in one or more languages, keyed by BCP 47 tag."""


def text_in(text: dict[str, str] | None, language: str = "en") -> str | None:
    """Pick the text in ``language``, else its base language, else the first one given."""
    if not text:
        return None
    if language in text:
        return text[language]
    base = language.split("-")[0]
    for lang, value in text.items():
        if lang.split("-")[0] == base:
            return value
    return next(iter(text.values()))
