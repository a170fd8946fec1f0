"""SDMX REST queries read from a request's path and query string, without the web framework.

Data queries (SDMX REST 2.x and 1.x)::

    /data/{context}/{agencyID}/{resourceID}/{version}/{key}?c[DIM]=...&updatedAfter=...
    /data/{flowRef}/{key}/{providerRef}?startPeriod=...&endPeriod=...&detail=...

Structure queries::

    /structure/{type}/{agencyID}/{resourceID}/{version}?references=...&detail=...
    /{type}/{agencyID}/{resourceID}/{version}?references=...&detail=...        (1.x)

Missing trailing parts are wildcards. ``*`` and ``all`` match everything; a version of
``~``, ``latest`` or ``+`` is the latest (every served artefact is final, so the latest
stable one too); parts may list several values separated by ``,``. A key is positional
(``A.KE+UG..F``): ``.`` separates the dimensions in the order of the DSD, ``+`` lists
alternatives, an empty or ``*`` part matches every code, and missing trailing parts too;
several keys may be given separated by ``,``.

Every syntax problem is a [`ServiceError`][cdinterop.serve.ServiceError] with the SDMX code 140
(HTTP 400); a feature of the standard that is not implemented is code 501.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import unquote

from cdinterop.model import Period, parse_period
from cdinterop.serve._errors import NOT_IMPLEMENTED, SYNTAX_ERROR, ServiceError

__all__ = [
    "DATA_CONTEXTS",
    "OPERATORS",
    "ComponentFilter",
    "DataQuery",
    "KeyFilter",
    "Selector",
    "StructureQuery",
    "parse_data_query",
    "parse_query_string",
    "parse_structure_query",
]

MAX_PARAMETERS = 200
"""How many query parameters a request may carry."""
MAX_VALUES = 1_000
"""How many values (keys, codes, versions ...) one part of a query may list."""

DATA_CONTEXTS = frozenset({"dataflow", "datastructure", "provisionagreement", "*"})
"""The contexts of SDMX REST 2.x data queries."""
OPERATORS = frozenset({"eq", "ne", "lt", "le", "gt", "ge", "co", "nc", "sw", "ew"})
"""The operators of ``c[COMPONENT]=op:value`` filters."""
T = TypeVar("T")

_ALL = frozenset({"*", "all"})
_LATEST = frozenset({"~", "latest", "+"})
_ID = re.compile(r"^[A-Za-z0-9_@$\-]+$")
_AGENCY = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*(\.[A-Za-z][A-Za-z0-9_\-]*)*$")
_VERSION = re.compile(r"^[0-9]+(\.[0-9]+){0,2}(-[A-Za-z0-9.]+)?$")
_COMPONENT = re.compile(r"^c\[([A-Za-z0-9_@$\-]+)\]$")
_DETAIL_V1 = frozenset({"full", "dataonly", "serieskeysonly", "nodata"})
_UNSUPPORTED = {
    "sort": "sorting the observations (sort=)",
    "asOf": "data as they were at a past time (asOf=)",
    "reportingYearStartDay": "reporting years that do not start on 1 January",
}
STRUCTURE_DETAILS = frozenset(
    {
        "full",
        "allstubs",
        "referencestubs",
        "allcompletestubs",
        "referencecompletestubs",
        "referencepartial",
        "raw",
    }
)
STRUCTURE_REFERENCES = frozenset(
    {"none", "parents", "parentsandsiblings", "ancestors", "children", "descendants", "all"}
)


def version_order(version: str) -> tuple[tuple[int, ...], bool, str]:
    """A sort key of versions: numbers compared as numbers (``1.10`` after ``1.9``),
    a release after its pre-releases (``1.0.0`` after ``1.0.0-draft``)."""
    release, _, suffix = version.partition("-")
    numbers = tuple(int(p) if p.isdigit() else 0 for p in release.split("."))
    return numbers + (0,) * (3 - len(numbers)), not suffix, suffix


def _syntax(message: str) -> ServiceError:
    return ServiceError(SYNTAX_ERROR, message)


def parse_query_string(raw: str) -> list[tuple[str, str]]:
    """The parameters of a raw query string, percent-decoded but with ``+`` kept (SDMX
    uses it as an operator, not as a space)."""
    pairs: list[tuple[str, str]] = []
    for part in raw.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        pairs.append((unquote(name), unquote(value).replace(" ", "+")))
        if len(pairs) > MAX_PARAMETERS:
            raise _syntax(f"more than {MAX_PARAMETERS} query parameters")
    return pairs


def _values(text: str, what: str) -> list[str]:
    values = [v.strip() for v in text.split(",")]
    if len(values) > MAX_VALUES:
        raise _syntax(f"more than {MAX_VALUES} values for the {what}")
    return values


@dataclass(frozen=True)
class Selector:
    """Which maintainable artefacts a query names: agencies, ids and versions (``None``
    matches any), and whether only the latest version of each is wanted."""

    agencies: frozenset[str] | None = None
    ids: frozenset[str] | None = None
    versions: frozenset[str] | None = None
    latest: bool = False

    def names(self, agency: str, id: str) -> bool:
        """Whether the agency and id of an artefact are named (any version)."""
        return (self.agencies is None or agency in self.agencies) and (
            self.ids is None or id in self.ids
        )

    def pick(self, artefacts: Iterable[T], key: Callable[[T], tuple[str, str, str]]) -> list[T]:
        """The artefacts named, in their order; ``key`` gives an artefact's agency, id and
        version. With ``latest``, the latest version of each agency and id is added to
        the exact ``versions`` (or is all there is when none is given)."""
        named = [a for a in artefacts if self.names(*key(a)[:2])]
        chosen: set[int] = set()
        if self.latest:
            chosen.update(_latest_indices(named, key))
        if self.versions is not None:
            chosen.update(i for i, a in enumerate(named) if key(a)[2] in self.versions)
        elif not self.latest:
            chosen.update(range(len(named)))
        return [a for i, a in enumerate(named) if i in chosen]

    @classmethod
    def parse(
        cls, agency: str | None, id: str | None, version: str | None, *, default_version: str
    ) -> Selector:
        """The selector of the path parts ``agency``, ``id`` and ``version`` (``None``:
        left out of the path)."""
        agencies = cls._part(agency, "agency", _AGENCY)
        ids = cls._part(id, "resource id", _ID)
        tokens = _values(version if version not in (None, "") else default_version, "version")
        if any(token in _ALL for token in tokens):
            return cls(agencies, ids, None, False)
        exact = {_exact_version(token) for token in tokens if token not in _LATEST}
        latest = any(token in _LATEST for token in tokens)
        return cls(agencies, ids, frozenset(exact) if exact else None, latest)

    @staticmethod
    def _part(text: str | None, what: str, pattern: re.Pattern[str]) -> frozenset[str] | None:
        if text in (None, "") or text in _ALL:
            return None
        assert text is not None
        values = _values(text, what)
        if any(v in _ALL for v in values):
            return None
        for value in values:
            if not pattern.match(value):
                raise _syntax(f"{value!r} is not an SDMX {what}")
        return frozenset(values)


def _latest_indices(
    artefacts: Sequence[T], key: Callable[[T], tuple[str, str, str]]
) -> Iterable[int]:
    """The index of the latest version of each agency and id among ``artefacts`` (the
    first one of equal versions)."""
    best: dict[tuple[str, str], int] = {}
    for index, artefact in enumerate(artefacts):
        agency, id, version = key(artefact)
        current = best.get((agency, id))
        if current is None or version_order(version) > version_order(key(artefacts[current])[2]):
            best[(agency, id)] = index
    return best.values()


def _exact_version(token: str) -> str:
    """``token``, checked to be an exact version (a 501 for a semantic wildcard)."""
    if "+" in token or "*" in token:
        raise ServiceError(NOT_IMPLEMENTED, f"semantic version wildcards such as {token!r}")
    if not _VERSION.match(token):
        raise _syntax(f"{token!r} is not a version (e.g. 1.0, 1.0.0, ~, *)")
    return token


@dataclass(frozen=True)
class KeyFilter:
    """One positional key: for each dimension of the DSD (in order), the codes it may
    have, or ``None`` for any."""

    parts: tuple[frozenset[str] | None, ...]

    @classmethod
    def parse(cls, text: str) -> KeyFilter:
        """Read ``A.KE+UG..F`` (the dimensions are counted later, against the DSD)."""
        parts: list[frozenset[str] | None] = []
        for part in text.split("."):
            if part in ("", "*"):
                parts.append(None)
                continue
            codes = part.split("+")
            if len(codes) > MAX_VALUES:
                raise _syntax(f"more than {MAX_VALUES} codes in one part of the key {text!r}")
            for code in codes:
                if not _ID.match(code):
                    raise _syntax(f"{code!r} in the key {text!r} is not an SDMX code")
            parts.append(frozenset(codes))
        return cls(tuple(parts))


@dataclass(frozen=True)
class ComponentFilter:
    """A ``c[COMPONENT]=...`` filter: alternatives (``,``) of conditions that must all
    hold (``+``), each an operator and a value."""

    component: str
    alternatives: tuple[tuple[tuple[str, str], ...], ...]

    @classmethod
    def parse(cls, component: str, text: str) -> ComponentFilter:
        """Read ``A,ge:2020+le:2022`` for ``component``."""
        alternatives = []
        for alternative in _values(text, f"filter on {component}"):
            conditions = []
            for term in alternative.split("+"):
                op, sep, value = term.partition(":")
                if not sep or op not in OPERATORS:
                    op, value = "eq", term
                if value == "":
                    raise _syntax(f"an empty value in c[{component}]={text}")
                conditions.append((op, value))
            alternatives.append(tuple(conditions))
        return cls(component, tuple(alternatives))


def _period(name: str, text: str) -> Period:
    try:
        return parse_period(text)
    except ValueError:
        raise _syntax(
            f"{name}={text!r} is not an SDMX time period (e.g. 2024, 2024-Q1, 2024-M03, "
            "2024-03, 2024-03-15)"
        ) from None


def _positive(name: str, text: str, *, zero: bool = False) -> int:
    if not text.isdigit() or (int(text) == 0 and not zero):
        raise _syntax(f"{name}={text!r} is not a {'non-negative' if zero else 'positive'} integer")
    return int(text)


def _datetime(name: str, text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _syntax(f"{name}={text!r} is not an ISO 8601 date-time") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class DataQuery:
    """A data query: which data sets (``flow``), which observations (keys, component
    filters, periods, first/last N per series, offset and limit), which columns
    (``attributes``, ``measures``) and how they are laid out (``dimension_at_observation``,
    ``format``)."""

    api: str
    """``"v2"`` (SDMX REST 2.x paths) or ``"v1"``."""
    context: str
    """``dataflow``, ``datastructure``, ``provisionagreement`` or ``*``."""
    flow: Selector
    keys: tuple[KeyFilter, ...] = ()
    """Alternative keys (none: every observation)."""
    filters: tuple[ComponentFilter, ...] = ()
    start_period: Period | None = None
    end_period: Period | None = None
    updated_after: datetime | None = None
    first_n: int | None = None
    last_n: int | None = None
    offset: int = 0
    limit: int | None = None
    dimension_at_observation: str | None = None
    attributes: tuple[str, ...] = ("dsd",)
    measures: tuple[str, ...] = ("all",)
    format: str | None = None
    """The ``format=`` parameter, if given."""
    provider: str | None = None
    """The data provider of a 1.x query, if one is named."""
    cache_key: tuple[object, ...] = field(default=(), compare=False)
    """What identifies the query's answer (for the response cache)."""


def _keys(text: str | None) -> tuple[KeyFilter, ...]:
    if text in (None, "", "*", "all"):
        return ()
    assert text is not None
    return tuple(KeyFilter.parse(k) for k in _values(text, "key"))


def _path_parts(segments: Sequence[str]) -> list[str]:
    """The parts of a path, without trailing empty ones."""
    parts = list(segments)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _v2_data_path(parts: list[str], fields: dict[str, object]) -> str | None:
    """Read ``{context}/{agency}/{id}/{version}/{key}`` into ``fields``; the key."""
    context, agency, id, version, key = [*parts, None, None, None, None, None][:5]
    fields["context"] = context or "*"
    fields["flow"] = Selector.parse(agency, id, version, default_version="~")
    return key


def _v1_data_path(parts: list[str], fields: dict[str, object]) -> str | None:
    """Read ``{flowRef}/{key}/{providerRef}`` into ``fields``; the key."""
    if len(parts) > 3:
        raise _syntax("a 1.x data query is /data/{flowRef}/{key}/{providerRef}")
    flow_ref, key, provider = [*parts, None, None][:3]
    assert flow_ref is not None
    pieces = flow_ref.split(",")
    if len(pieces) > 3:
        raise _syntax(f"the flowRef {flow_ref!r} is AGENCY,ID,VERSION at most")
    agency, id, version = (
        ["all", pieces[0], "latest"] if len(pieces) == 1 else [*pieces, "latest"][:3]
    )
    fields["context"] = "dataflow"
    fields["flow"] = Selector.parse(agency, id, version, default_version="latest")
    if provider not in (None, "", "all", "*"):
        fields["provider"] = provider
    return key


def _non_negative(name: str, text: str) -> int:
    """The value of a parameter that is a count from 0 (``offset``)."""
    return _positive(name, text, zero=True)


def _dimension_id(name: str, text: str) -> str:
    """The value of ``dimensionAtObservation``, checked to be an id."""
    if not _ID.match(text):
        raise _syntax(f"{name}={text!r} is not a dimension id")
    return text


def _value_list(name: str, text: str) -> tuple[str, ...]:
    """The ``,``-separated values of a parameter (``attributes``, ``measures``)."""
    return tuple(_values(text, name))


def _data_detail(name: str, text: str) -> str:
    """The ``detail`` of a data query, checked."""
    if text not in _DETAIL_V1:
        raise _syntax(f"{name}={text!r}; use one of {', '.join(sorted(_DETAIL_V1))}")
    return text


def _include_history(name: str, text: str) -> None:
    """Check ``includeHistory`` (a 501 for ``true``: earlier versions are not kept)."""
    if text.lower() not in ("true", "false"):
        raise _syntax(f"{name}={text!r} is not true or false")
    if text.lower() == "true":
        raise ServiceError(NOT_IMPLEMENTED, "earlier versions of the data (includeHistory)")


def _text(name: str, text: str) -> str:
    """The value of a parameter taken as it is (``format``)."""
    return text


_DATA_PARAMETERS: dict[str, tuple[str | None, Callable[[str, str], object]]] = {
    "startPeriod": ("start_period", _period),
    "endPeriod": ("end_period", _period),
    "updatedAfter": ("updated_after", _datetime),
    "firstNObservations": ("first_n", _positive),
    "lastNObservations": ("last_n", _positive),
    "offset": ("offset", _non_negative),
    "limit": ("limit", _positive),
    "dimensionAtObservation": ("dimension_at_observation", _dimension_id),
    "attributes": ("attributes", _value_list),
    "measures": ("measures", _value_list),
    "detail": ("detail", _data_detail),
    "includeHistory": (None, _include_history),
    "format": ("format", _text),
}
"""The parameters of data queries other than ``c[...]``: the field each sets (``detail``
is read afterwards; ``None``: none) and the function that reads (and checks) its value."""


def _data_parameters(
    api: str, parameters: Iterable[tuple[str, str]], fields: dict[str, object]
) -> None:
    """Read the query parameters of a data query into ``fields`` (``filters``, the
    ``detail`` asked for, and the fields of `DataQuery`); unknown parameters are ignored."""
    filters: list[ComponentFilter] = []
    seen: set[str] = set()
    fields["detail"] = "full"
    for name, value in parameters:
        component = _COMPONENT.match(name)
        if component:
            if api == "v1":
                raise _syntax("c[...] filters belong to SDMX REST 2.x paths (/data/dataflow/...)")
            if component.group(1) in seen:
                raise _syntax(f"c[{component.group(1)}] is given twice")
            seen.add(component.group(1))
            filters.append(ComponentFilter.parse(component.group(1), value))
        elif name in _DATA_PARAMETERS:
            field_name, read = _DATA_PARAMETERS[name]
            parsed = read(name, value)
            if field_name is not None:
                fields[field_name] = parsed
        elif name in _UNSUPPORTED:
            raise ServiceError(NOT_IMPLEMENTED, _UNSUPPORTED[name])
    fields["filters"] = tuple(filters)


def _apply_detail(fields: dict[str, object]) -> None:
    """Turn the ``detail`` read into ``fields`` into what it means for the query."""
    detail = fields.pop("detail")
    if detail in ("serieskeysonly", "nodata"):
        raise ServiceError(NOT_IMPLEMENTED, f"detail={detail}: series without observations")
    if detail == "dataonly":
        fields["attributes"] = ("none",)


def parse_data_query(segments: Sequence[str], parameters: Iterable[tuple[str, str]]) -> DataQuery:
    """The data query of the path after ``/data`` (``segments``) and the query string.

    The path is read as SDMX REST 2.x when its first part is a context (``dataflow``,
    ``datastructure``, ``provisionagreement`` or ``*``), else as 1.x (``flowRef``)."""
    parts = _path_parts(segments)
    if len(parts) > 5:
        raise _syntax("too many path parts after /data")
    fields: dict[str, object] = {}
    if not parts or parts[0] in DATA_CONTEXTS:
        api = "v2"
        key = _v2_data_path(parts, fields)
    else:
        api = "v1"
        key = _v1_data_path(parts, fields)
    fields["keys"] = _keys(key)
    _data_parameters(api, parameters, fields)
    _apply_detail(fields)
    canonical = tuple(sorted((n, v) for n, v in parameters))
    return DataQuery(api=api, cache_key=(api, tuple(parts), canonical), **fields)  # type: ignore[arg-type]


@dataclass(frozen=True)
class StructureQuery:
    """A structure query: artefact types (``None``: every type), the artefacts named,
    which references to add and how much detail."""

    types: frozenset[str] | None
    selector: Selector
    references: str = "none"
    detail: str = "full"
    format: str | None = None
    api: str = "v2"
    cache_key: tuple[object, ...] = field(default=(), compare=False)


_ALL_TYPES = frozenset({"*", "all", "structure"})


def _structure_path(segments: Sequence[str]) -> list[str]:
    """The parts of a structure query's path after the type, checked (an item query is
    a 501)."""
    parts = _path_parts(segments)
    if len(parts) > 4:
        raise _syntax("a structure query is /structure/{type}/{agency}/{id}/{version}/{item}")
    if len(parts) == 4 and parts[3] not in _ALL:
        raise ServiceError(NOT_IMPLEMENTED, "queries for items of item schemes (itemID)")
    return parts


def _structure_detail(value: str) -> str:
    """The ``detail`` of a structure query, checked."""
    if value not in STRUCTURE_DETAILS:
        raise _syntax(f"detail={value!r}; use one of {', '.join(sorted(STRUCTURE_DETAILS))}")
    return value


def _structure_parameters(
    given: Sequence[tuple[str, str]], settings: dict[str, str | None]
) -> None:
    """Read ``references``, ``detail`` and ``format`` into ``settings`` (a 501 for
    ``asOf``; other parameters are ignored)."""
    for name, value in given:
        if name == "references":
            settings["references"] = value
        elif name == "detail":
            settings["detail"] = _structure_detail(value)
        elif name == "format":
            settings["format"] = value
        elif name == "asOf":
            raise ServiceError(NOT_IMPLEMENTED, "structures as they were at a past time (asOf=)")


def _check_references(references: str) -> None:
    """A 400 unless every value of ``references`` is a keyword or an artefact type."""
    for reference in references.split(","):
        if reference not in STRUCTURE_REFERENCES and not _ID.match(reference):
            raise _syntax(f"references={references!r} is not a references value")


def parse_structure_query(
    type_: str,
    segments: Sequence[str],
    parameters: Iterable[tuple[str, str]],
    *,
    api: str = "v2",
    references: str = "none",
) -> StructureQuery:
    """The structure query for artefact type ``type_`` (``dataflow``, ``codelist``, ``*``
    ...), the path parts after it (``agency/id/version[/item]``) and the query string;
    ``references`` is the default of the ``references`` parameter."""
    parts = _structure_path(segments)
    agency, id, version = (parts + [None] * 3)[:3]
    selector = Selector.parse(agency, id, version, default_version="~")
    types = None if type_ in _ALL_TYPES else frozenset(_values(type_, "artefact type"))
    given = list(parameters)
    settings: dict[str, str | None] = {"references": references, "detail": "full", "format": None}
    _structure_parameters(given, settings)
    references = str(settings["references"])
    _check_references(references)
    canonical = tuple(sorted(given))
    return StructureQuery(
        types,
        selector,
        references,
        str(settings["detail"]),
        settings["format"],
        api,
        cache_key=(api, type_, tuple(parts), canonical, references),
    )
