"""Shared building blocks of the model: the frozen base class, the validated scalar types
and what the library does with subclasses of its models.

Identifiers follow the SDMX 2.1/3.0 patterns, language tags are checked against the IANA
subtag registry (through ``langcodes``), licences against the SPDX licence list (through
``license-expression``).

A tool may subclass a model to add fields of its own.
[`added_fields()`][cdinterop.model.added_fields] lists them, wherever they are in a model (the
data set itself or one of its parts), and
[`refuse_added_fields()`][cdinterop.model.refuse_added_fields] is the one check every exchange
format's writer makes: a format with no place for those fields refuses to write them rather
than drop them without a word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, TypeVar, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from cdinterop.errors import InvalidDatasetError, WriteError, issues_from_pydantic

__all__ = [
    "AddedFields",
    "AgencyId",
    "LanguageTag",
    "LocalId",
    "Model",
    "MultilingualText",
    "NCNameId",
    "SdmxId",
    "SpdxLicenceId",
    "VersionString",
    "added_fields",
    "check_language_tag",
    "check_spdx_licence",
    "refuse_added_fields",
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


# -- subclasses of the models -------------------------------------------------------------

ModelT = TypeVar("ModelT", bound=BaseModel)


def validated_copy(model: ModelT, changes: Mapping[str, Any], context: str) -> ModelT:
    """A copy of ``model``, of its own class (a subclass stays a subclass), with ``changes``
    applied and everything validated again; a problem raises
    [`InvalidDatasetError`][cdinterop.errors.InvalidDatasetError] with located issues
    (``context`` names what was changed, e.g. ``data set SURVEY``)."""
    data = {**model.__dict__, **(model.__pydantic_extra__ or {}), **changes}
    try:
        return type(model).model_validate(data)
    except ValidationError as exc:
        raise InvalidDatasetError(issues_from_pydantic(exc), context=context) from None


@dataclass(frozen=True, slots=True)
class AddedFields:
    """The fields that a subclass of one of cdinterop's models adds, at one place of a model
    (see [`added_fields()`][cdinterop.model.added_fields])."""

    location: str
    """Where the model is: ``(root)`` or a dotted path such as ``provenance.agents[1]``."""
    model: type[BaseModel]
    """The subclass."""
    base: type[BaseModel]
    """The cdinterop model it extends (the nearest one among its bases)."""
    fields: tuple[str, ...]
    """The names it adds: fields it declares, then values a subclass that allows extra
    values holds."""

    def __str__(self) -> str:
        where = "" if self.location == "(root)" else f"{self.location}: "
        names = ", ".join(self.fields)
        return (
            f"{where}{self.model.__module__}.{self.model.__qualname__} adds {names} "
            f"to {self.base.__name__}"
        )


@cache
def _cdinterop_base(cls: type[BaseModel]) -> type[BaseModel] | None:
    """The nearest class among ``cls`` and its bases that cdinterop defines."""
    for klass in cls.__mro__:
        if klass.__module__.startswith("cdinterop.") and issubclass(klass, BaseModel):
            return klass
    return None


@cache
def _declared_beyond(cls: type[BaseModel], base: type[BaseModel]) -> tuple[str, ...]:
    return tuple(name for name in cls.model_fields if name not in base.model_fields)


def _may_hold_models(annotation: Any) -> bool:
    """Whether a field of this type can hold a model (or any value at all)."""
    if annotation is Any or annotation is object:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_may_hold_models(arg) for arg in get_args(annotation))


@cache
def _fields_with_models(base: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``base`` whose values may hold models: the only ones searched."""
    return tuple(
        name for name, info in base.model_fields.items() if _may_hold_models(info.annotation)
    )


_Path = tuple[Any, str | int] | None
"""Where a value sits: ``(parent path, part)``, the root ``None`` (built into text only for
the fields a subclass adds)."""


def _location(path: _Path) -> str:
    parts: list[str | int] = []
    while path is not None:
        path, part = path
        parts.append(part)
    text = "(root)"
    for part in reversed(parts):
        if isinstance(part, int):
            text = f"[{part}]" if text == "(root)" else f"{text}[{part}]"
        elif text == "(root)":
            text = part
        else:
            text = f"{text}{part}" if part.startswith("[") else f"{text}.{part}"
    return text


_CONTAINERS = (tuple, list, dict)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the search needs of a model class: its cdinterop base, the fields the class
    declares beyond it, and the base's fields that may hold models."""

    base: type[BaseModel]
    declared: tuple[str, ...]
    fields: tuple[str, ...]


_PLANS: dict[type, _Plan | None] = {}


def _plan(cls: type[BaseModel]) -> _Plan | None:
    """The class's `_Plan` (``None`` for a model that is not cdinterop's), made once."""
    if cls not in _PLANS:
        base = _cdinterop_base(cls)
        _PLANS[cls] = (
            None
            if base is None
            else _Plan(base, _declared_beyond(cls, base), _fields_with_models(base))
        )
    return _PLANS[cls]


def _collect(value: Any, path: _Path, found: list[AddedFields], clean: set[int]) -> bool:
    """Append to ``found`` the fields subclasses add in ``value``; whether it has none.
    ``clean`` holds the ids of the models already searched and found clean, so that a part
    several data sets share (one structure, one agent) is searched once."""
    if isinstance(value, BaseModel):
        if id(value) in clean:
            return True
        cls = type(value)
        plan = _plan(cls)
        if plan is None:  # a model of the tool's own, held in a field a subclass added
            return True
        extra = value.__pydantic_extra__
        names = plan.declared + tuple(extra) if extra else plan.declared
        ok = not names
        if names:
            found.append(AddedFields(_location(path), cls, plan.base, names))
        fields = value.__dict__
        for name in plan.fields:
            item = fields.get(name)
            if item is None or (type(item) in _CONTAINERS and not item):
                continue  # nothing to search (most optional parts and annotations)
            ok = _collect(item, (path, name), found, clean) and ok
        if ok:
            clean.add(id(value))
        return ok
    ok = True
    if isinstance(value, tuple | list):
        for i, item in enumerate(value):
            if item is not None and not isinstance(item, str):
                ok = _collect(item, (path, i), found, clean) and ok
    elif isinstance(value, dict):
        for key, item in value.items():
            if item is not None and not isinstance(item, str):
                ok = _collect(item, (path, str(key)), found, clean) and ok
    return ok


def added_fields(model: BaseModel) -> tuple[AddedFields, ...]:
    """The fields that subclasses add anywhere in ``model``: on the model itself and on each
    of its parts (a subclass of ``Agent`` in the provenance, say), in the order the fields
    come; empty when every part is one of cdinterop's own classes.

    Only the fields of cdinterop's models are searched: the value of a field a subclass
    adds is the tool's own business. The observation table is not a model and has no
    fields to add."""
    found: list[AddedFields] = []
    _collect(model, None, found, set())
    return tuple(found)


def refuse_added_fields(model: BaseModel, writer: str) -> None:
    """Raise [`WriteError`][cdinterop.errors.WriteError] when subclasses add fields anywhere in
    ``model`` (see [`added_fields()`][cdinterop.model.added_fields]): what a writer with no
    place for them calls first, so that they are never left out without a word. ``writer``
    names the output in the message, e.g. ``"a Data Package"``.

    The message names each subclass and its fields, and the two ways on: the model's own
    JSON ([`cdinterop.save`][cdinterop.save]) keeps them, and ``without_added_fields()``
    (on [`CitizenDataset`][cdinterop.model.CitizenDataset] and
    [`Catalog`][cdinterop.model.Catalog]) leaves them out on purpose."""
    found = added_fields(model)
    if found:
        listed = "; ".join(str(f) for f in found)
        raise WriteError(
            f"{writer} has no place for the fields that subclasses add: {listed}. Save the "
            "model's JSON (cdinterop.save) to keep them, or write without_added_fields() of "
            "the data set to leave them out"
        )


def without_added_fields(model: BaseModel) -> BaseModel:
    """``model`` rebuilt from cdinterop's own classes, the fields subclasses add left out
    (validated again); ``model`` itself when no subclass adds any."""
    if not added_fields(model):
        return model
    base = _cdinterop_base(type(model))
    assert base is not None  # added_fields() found something, so model is one of ours
    data = {name: _stripped(model.__dict__[name]) for name in base.model_fields}
    return base.model_validate(data)


def _stripped(value: Any) -> Any:
    if isinstance(value, BaseModel) and _cdinterop_base(type(value)) is not None:
        return without_added_fields(value)
    if isinstance(value, tuple | list):
        return type(value)(_stripped(item) for item in value)
    if isinstance(value, dict):
        return {key: _stripped(item) for key, item in value.items()}
    return value
