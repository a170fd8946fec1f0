"""HTTP content negotiation for SDMX media types (``Accept`` with q-values, versions and
wildcards, and the ``format=`` query parameter).

An *offer* is a media type the service can answer with, and what to write for it; the
offers come in the service's order of preference (the first is the default when the
client says nothing). [`negotiate()`][cdinterop.serve._negotiate.negotiate] picks the
offer with the highest quality the ``Accept`` header gives it, then the most specific
range that named it, then the service's preference (RFC 9110, section 12.5.1).

SDMX media types carry a ``version`` parameter: ``version=2.1`` and ``version=2.1.0``
are the same, ``version=3.0.0+`` accepts any 3.x from 3.0.0 on (SDMX semantic
versioning); a range without ``version`` accepts every version. ``application/xml``,
``text/xml``, ``text/csv`` and ``application/json`` accept the SDMX types of their syntax
(``+xml``, ``+csv``, ``+json``). Other parameters must match, or be the value the
format has by default (SDMX-CSV ``labels=id``, ``timeFormat=original``, ``keys=none``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from cdinterop.serve._errors import NOT_ACCEPTABLE, ServiceError

__all__ = ["MediaRange", "Offer", "negotiate", "parse_accept", "parse_media_type"]

T = TypeVar("T")

MAX_RANGES = 64
"""How many media ranges of an ``Accept`` header are read (the rest are ignored)."""

_DEFAULT_PARAMETERS = {"labels": "id", "timeformat": "original", "keys": "none", "charset": ""}
"""Parameters an SDMX media type has by default (a range may name them)."""
_SYNTAX_ALIASES = {
    "application/xml": "+xml",
    "text/xml": "+xml",
    "text/csv": "+csv",
    "application/csv": "+csv",
    "application/json": "+json",
    "text/json": "+json",
}
_TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")


def parse_media_type(text: str) -> tuple[str, dict[str, str]]:
    """``(type/subtype, parameters)`` of a media type, lower-cased (parameter values keep
    their case, quotes are removed)."""
    main, *parts = text.split(";")
    params: dict[str, str] = {}
    for part in parts:
        name, sep, value = part.partition("=")
        if sep:
            params[name.strip().lower()] = value.strip().strip('"')
    return main.strip().lower(), params


@dataclass(frozen=True)
class MediaRange:
    """One media range of an ``Accept`` header."""

    media_type: str
    """``type/subtype``, possibly ``type/*`` or ``*/*``, lower-cased."""
    params: dict[str, str] = field(default_factory=dict)
    """Parameters other than ``q``."""
    q: float = 1.0
    """Quality, from 0 (not acceptable) to 1."""


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header, in order (empty for none). Malformed
    ranges are ignored; ``q`` values outside 0..1 are clamped."""
    ranges: list[MediaRange] = []
    for item in (header or "").split(",")[:MAX_RANGES]:
        if not item.strip():
            continue
        media_type, params = parse_media_type(item)
        kind, slash, sub = media_type.partition("/")
        if not slash or not _TOKEN.match(kind) or not _TOKEN.match(sub):
            continue
        q = 1.0
        if "q" in params:
            try:
                q = min(max(float(params.pop("q")), 0.0), 1.0)
            except ValueError:
                q = 0.0
        ranges.append(MediaRange(media_type, params, q))
    return ranges


def _version_tuple(text: str) -> tuple[int, ...] | None:
    parts = text.split(".")
    if not all(p.isdigit() for p in parts) or len(parts) > 3:
        return None
    numbers = [int(p) for p in parts]
    return tuple(numbers + [0] * (3 - len(numbers)))


def _version_matches(wanted: str, offered: str) -> bool:
    """Whether the ``version`` of a range accepts that of an offer (``2.1`` = ``2.1.0``;
    ``3.0.0+``: 3.0.0 or a later 3.x)."""
    have = _version_tuple(offered)
    if have is None:
        return wanted == offered
    if wanted.endswith("+"):
        floor = _version_tuple(wanted[:-1])
        return floor is not None and have[0] == floor[0] and have >= floor
    return _version_tuple(wanted) == have


@dataclass(frozen=True)
class Offer(Generic[T]):
    """A media type the service can answer with, and what it writes then."""

    media_type: str
    """The full media type, with its parameters (e.g. ``version=2.1``)."""
    value: T
    """What to write for it (a data format, a structure version ...)."""

    @property
    def parsed(self) -> tuple[str, dict[str, str]]:
        """``(type/subtype, parameters)``."""
        return parse_media_type(self.media_type)


def _parameter_matches(name: str, wanted: str, params: dict[str, str]) -> bool:
    """Whether the parameter ``name=wanted`` of a range accepts an offer's ``params``
    (``charset`` is always accepted, the other parameters compare case-insensitively,
    with an SDMX type's defaults)."""
    if name == "version":
        return _version_matches(wanted, params.get("version", ""))
    if name == "charset":
        return True
    have = params.get(name, _DEFAULT_PARAMETERS.get(name))
    return have is not None and have.lower() == wanted.lower()


def _specificity(media_range: MediaRange, offer: Offer[T]) -> int | None:
    """How specifically ``media_range`` names ``offer`` (higher is more specific), or
    ``None`` when it does not accept it."""
    offered, params = offer.parsed
    if media_range.media_type == "*/*":
        return 0
    kind, _, sub = media_range.media_type.partition("/")
    if sub == "*":
        return 1 if offered.split("/")[0] == kind else None
    suffix = _SYNTAX_ALIASES.get(media_range.media_type)
    if suffix is not None and offered != media_range.media_type:
        return 2 if offered.endswith(suffix) else None
    if offered != media_range.media_type:
        return None
    if not all(_parameter_matches(n, w, params) for n, w in media_range.params.items()):
        return None
    return 3 + len(media_range.params)


def _rank(
    ranges: Sequence[MediaRange], offer: Offer[T], index: int
) -> tuple[float, int, int] | None:
    """How much the ranges want the offer at ``index``: the quality of the most specific
    range that names it, that specificity and the service's preference; ``None`` when no
    range accepts it (or its quality is 0)."""
    matches = [(spec, r.q) for r in ranges if (spec := _specificity(r, offer)) is not None]
    if not matches:
        return None
    specificity, q = max(matches)  # the most specific range decides the quality
    if q <= 0:
        return None
    return (q, specificity, -index)


def negotiate(accept: str | None, offers: Sequence[Offer[T]]) -> Offer[T]:
    """The offer an ``Accept`` header prefers (the first offer when it names none, or
    is absent); a [`ServiceError`][cdinterop.serve.ServiceError] (406) when it accepts
    none of them."""
    if not offers:
        raise ServiceError(NOT_ACCEPTABLE, "this resource has no representation to offer")
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    best: tuple[float, int, int] | None = None
    chosen: Offer[T] | None = None
    for index, offer in enumerate(offers):
        rank = _rank(ranges, offer, index)
        if rank is not None and (best is None or rank > best):
            best, chosen = rank, offer
    if chosen is None:
        available = ", ".join(dict.fromkeys(o.media_type for o in offers))
        raise ServiceError(
            NOT_ACCEPTABLE, f"no representation matches Accept: {accept}; available: {available}"
        )
    return chosen
