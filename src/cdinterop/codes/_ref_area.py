"""Reference areas: ISO 3166-1 country codelists, ISO 3166-2 subdivisions, UN M49 regions.

The country and subdivision data come from ``pycountry`` (English ISO short names, e.g. "Bolivia,
Plurinational State of"); the M49 regions from
[`cdinterop.model.M49_REGIONS`][cdinterop.model.M49_REGIONS]. For countries the ISO 3166-1 numeric
code *is* the UN M49 code, always written with three digits (``"004"`` for Afghanistan).

* [`ref_area_codelist()`][cdinterop.codes.ref_area_codelist] builds a ``REF_AREA`` codelist in one
  scheme (alpha-2, alpha-3 or M49), optionally with the ISO 3166-2 subdivisions of some countries
  and, for M49, the world, continental and sub-regional aggregates.
* [`subdivisions()`][cdinterop.codes.subdivisions] gives the ISO 3166-2 subdivisions of one country.
* [`to_alpha2()`][cdinterop.codes.to_alpha2], [`to_alpha3()`][cdinterop.codes.to_alpha3] and
  [`to_m49()`][cdinterop.codes.to_m49] convert between schemes;
  [`area_name()`][cdinterop.codes.area_name] names any country, subdivision or M49 region.

Codelists are built on first use and cached: importing this module does not load the ``pycountry``
databases. [`REF_AREA`][cdinterop.codes.REF_AREA] (the alpha-3 country list, the scheme the SDMX
Global DSD for SDGs and most international data sets use for countries) is built lazily on first
access too. The codelists' agency is the maintainer of the code system (``ISO`` for alpha codes,
``UNSD`` for M49) and their version is the ``pycountry`` release the data come from, so a structure
records which edition of ISO 3166 it used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import NamedTuple

from cdinterop.errors import CdinteropError
from cdinterop.model import M49_REGIONS, AreaScheme, Code, Codelist

__all__ = [
    "REF_AREA",
    "UnknownAreaError",
    "area_name",
    "ref_area_codelist",
    "subdivisions",
    "to_alpha2",
    "to_alpha3",
    "to_m49",
]


class UnknownAreaError(CdinteropError, KeyError):
    """A code that is not a reference area (or not one of the kind asked for).

    A [`CdinteropError`][cdinterop.errors.CdinteropError], like every error cdinterop raises
    on purpose, and also a ``KeyError`` (as it was before it was a ``CdinteropError``), so
    ``except KeyError`` keeps working; its message reads cleanly when printed.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


UnknownAreaError.__module__ = "cdinterop.codes"  # tracebacks show the public name


class _Country(NamedTuple):
    alpha2: str
    alpha3: str
    m49: str
    name: str


class _Subdivision(NamedTuple):
    code: str
    country: str
    name: str
    parent: str | None


_M49_REGION_PARENTS: dict[str, str] = {
    "002": "001",
    "019": "001",
    "142": "001",
    "150": "001",
    "009": "001",
    "015": "002",
    "202": "002",
    "014": "202",
    "017": "202",
    "018": "202",
    "011": "202",
    "419": "019",
    "021": "019",
    "029": "419",
    "013": "419",
    "005": "419",
    "143": "142",
    "030": "142",
    "035": "142",
    "034": "142",
    "145": "142",
    "151": "150",
    "154": "150",
    "830": "154",
    "039": "150",
    "155": "150",
    "053": "009",
    "054": "009",
    "057": "009",
    "061": "009",
}
"""Parent of each M49 region in the UN M49 hierarchy (world > continent > sub-region)."""

_VERSION_PATTERN = re.compile(r"^[0-9]+(\.[0-9]+){0,2}$")


@cache
def _data_version() -> str:
    try:
        found = version("pycountry")
    except PackageNotFoundError:  # pragma: no cover - pycountry is a dependency
        return "1.0"
    return found if _VERSION_PATTERN.match(found) else "1.0"


@cache
def _countries() -> tuple[_Country, ...]:
    import pycountry

    return tuple(
        _Country(c.alpha_2, c.alpha_3, c.numeric, c.name)
        for c in sorted(pycountry.countries, key=lambda c: c.alpha_2)
    )


@cache
def _country_index() -> dict[str, _Country]:
    index: dict[str, _Country] = {}
    for country in _countries():
        index[country.alpha2] = country
        index[country.alpha3] = country
        index[country.m49] = country
    return index


@cache
def _subdivision_index() -> dict[str, _Subdivision]:
    import pycountry

    items = sorted(pycountry.subdivisions, key=lambda s: s.code)
    codes = {s.code for s in items}
    index: dict[str, _Subdivision] = {}
    for s in items:
        parent = getattr(s, "parent_code", None)
        index[s.code] = _Subdivision(
            code=s.code,
            country=s.country_code,
            name=s.name,
            parent=parent if parent in codes and parent != s.code else None,
        )
    return index


@cache
def _subdivisions_by_country() -> dict[str, tuple[_Subdivision, ...]]:
    grouped: dict[str, list[_Subdivision]] = {}
    for sub in _subdivision_index().values():
        grouped.setdefault(sub.country, []).append(sub)
    return {country: tuple(subs) for country, subs in grouped.items()}


def _normalise(code: str | int) -> str:
    if isinstance(code, bool) or not isinstance(code, (str, int)):
        raise UnknownAreaError(f"{code!r} is not a reference-area code")
    if isinstance(code, int):
        if code < 0:
            raise UnknownAreaError(f"{code!r} is not a reference-area code")
        return f"{code:03d}"
    text = code.strip().upper()
    if text.isdigit() and len(text) < 3:
        text = text.zfill(3)
    return text


def _country(code: str | int) -> _Country:
    key = _normalise(code)
    country = _country_index().get(key)
    if country is not None:
        return country
    if key in M49_REGIONS:
        raise UnknownAreaError(
            f"{code!r} is the UN M49 region {M49_REGIONS[key]!r}, not a country: "
            "regions have only M49 codes"
        )
    sub = _subdivision_index().get(key)
    if sub is not None:
        raise UnknownAreaError(
            f"{code!r} is an ISO 3166-2 subdivision of {_country(sub.country).name} "
            f"({sub.name}), not a country"
        )
    raise UnknownAreaError(
        f"{code!r} is not an ISO 3166-1 country code (alpha-2 such as 'GH', alpha-3 such as "
        "'GHA' or numeric/M49 such as '288')"
    )


def to_alpha2(code: str | int) -> str:
    """The ISO 3166-1 alpha-2 code of a country given by any of its codes.

    ``to_alpha2("GHA")``, ``to_alpha2("288")`` and ``to_alpha2(288)`` are ``"GH"``. Input is
    case-insensitive and numeric codes may lack leading zeros. Raises
    [`UnknownAreaError`][cdinterop.codes.UnknownAreaError] (a ``KeyError``) for M49 regions,
    subdivisions and unknown codes.
    """
    return _country(code).alpha2


def to_alpha3(code: str | int) -> str:
    """The ISO 3166-1 alpha-3 code of a country given by any of its codes.

    ``to_alpha3("GH")`` is ``"GHA"``. Raises [`UnknownAreaError`][cdinterop.codes.UnknownAreaError]
    (a ``KeyError``) for M49 regions, subdivisions and unknown codes.
    """
    return _country(code).alpha3


def to_m49(code: str | int) -> str:
    """The three-digit UN M49 code of a country (its ISO 3166-1 numeric code) or region.

    ``to_m49("GHA")`` is ``"288"``, ``to_m49("AF")`` is ``"004"`` and ``to_m49(2)`` (Africa) is
    ``"002"``. Raises [`UnknownAreaError`][cdinterop.codes.UnknownAreaError] (a ``KeyError``) for
    subdivisions and unknown codes.
    """
    key = _normalise(code)
    if key in M49_REGIONS:
        return key
    return _country(code).m49


def area_name(code: str | int) -> str:
    """The English name of a country (any code), ISO 3166-2 subdivision or M49 region.

    ``area_name("GH")`` is ``"Ghana"``, ``area_name("GH-AA")`` is ``"Greater Accra"`` and
    ``area_name("002")`` is ``"Africa"``. Raises
    [`UnknownAreaError`][cdinterop.codes.UnknownAreaError] (a ``KeyError``) for unknown codes.
    """
    key = _normalise(code)
    if key in M49_REGIONS:
        return M49_REGIONS[key]
    country = _country_index().get(key)
    if country is not None:
        return country.name
    sub = _subdivision_index().get(key)
    if sub is not None:
        return sub.name
    raise UnknownAreaError(
        f"{code!r} is not a country, ISO 3166-2 subdivision or UN M49 region code"
    )


def _country_subdivisions(country: _Country) -> tuple[_Subdivision, ...]:
    subs = _subdivisions_by_country().get(country.alpha2, ())
    if not subs:
        raise ValueError(f"{country.name} ({country.alpha2}) has no ISO 3166-2 subdivisions")
    return subs


def _subdivision_code(sub: _Subdivision, country_code: str | None) -> Code:
    return Code(id=sub.code, name={"en": sub.name}, parent=sub.parent or country_code)


@cache
def _subdivisions(alpha2: str) -> Codelist:
    country = _country(alpha2)
    subs = _country_subdivisions(country)
    return Codelist(
        id=f"CL_SUBDIVISIONS_{country.alpha2}",
        agency="ISO",
        version=_data_version(),
        name={"en": f"Subdivisions of {country.name} (ISO 3166-2)"},
        description={
            "en": f"ISO 3166-2 subdivisions of {country.name}, from pycountry "
            f"{_data_version()}; a subdivision's parent is the subdivision containing it."
        },
        codes=tuple(_subdivision_code(sub, None) for sub in subs),
    )


def subdivisions(country: str | int) -> Codelist:
    """The ISO 3166-2 subdivisions of a country as a codelist (id ``CL_SUBDIVISIONS_GH``).

    ``country`` is any of the country's codes. Codes are the full ISO 3166-2 codes (``GH-AA``
    Greater Accra); where ISO nests subdivisions (e.g. ``GB-BRC`` in ``GB-ENG``) the parent is set.
    Raises [`UnknownAreaError`][cdinterop.codes.UnknownAreaError] (a ``KeyError``) for an unknown
    country and ``ValueError`` for a country without subdivisions.
    """
    return _subdivisions(_country(country).alpha2)


_SCHEME_LABELS: dict[AreaScheme, str] = {
    AreaScheme.ALPHA2: "ISO 3166-1 alpha-2",
    AreaScheme.ALPHA3: "ISO 3166-1 alpha-3",
    AreaScheme.M49: "UN M49",
}


def _scheme_code(country: _Country, scheme: AreaScheme) -> str:
    if scheme is AreaScheme.ALPHA2:
        return country.alpha2
    if scheme is AreaScheme.ALPHA3:
        return country.alpha3
    return country.m49


@cache
def _build(scheme: AreaScheme, subdivision_countries: tuple[str, ...], regions: bool) -> Codelist:
    codes: list[Code] = []
    if regions:
        codes.extend(
            Code(
                id=code,
                name={"en": name},
                parent=parent if (parent := _M49_REGION_PARENTS.get(code)) in M49_REGIONS else None,
            )
            for code, name in M49_REGIONS.items()
        )
    countries = sorted(_countries(), key=lambda c: _scheme_code(c, scheme))
    codes.extend(Code(id=_scheme_code(c, scheme), name={"en": c.name}) for c in countries)
    for alpha2 in subdivision_countries:
        country = _country(alpha2)
        country_code = _scheme_code(country, scheme)
        codes.extend(_subdivision_code(sub, country_code) for sub in _country_subdivisions(country))

    label = _SCHEME_LABELS[scheme]
    parts = [f"Countries and territories of ISO 3166-1, coded {label}"]
    if regions:
        parts.append("UN M49 world, continental and sub-regional aggregates")
    if subdivision_countries:
        parts.append(f"ISO 3166-2 subdivisions of {', '.join(subdivision_countries)}")
    return Codelist(
        id=f"CL_AREA_{scheme.name}",
        agency="UNSD" if scheme is AreaScheme.M49 else "ISO",
        version=_data_version(),
        name={"en": f"Reference area ({label})"},
        description={"en": "; ".join(parts) + f" (from pycountry {_data_version()})."},
        codes=tuple(codes),
    )


def ref_area_codelist(
    scheme: AreaScheme | str = AreaScheme.ALPHA3,
    *,
    subdivisions_of: str | Iterable[str] | None = None,
    regions: bool = False,
) -> Codelist:
    """A ``REF_AREA`` codelist of all ISO 3166-1 countries and territories in one scheme.

    The id is ``CL_AREA_ALPHA2``, ``CL_AREA_ALPHA3`` or ``CL_AREA_M49``; names are the
    English ISO short names. Options:

    * ``subdivisions_of``: one country or several (any of their codes); their ISO 3166-2
      subdivisions are added after the countries, with the country (coded in ``scheme``)
      as parent, or the containing subdivision where ISO nests them. ``"GH"`` adds
      ``GH-AA`` Greater Accra and the other regions of Ghana.
    * ``regions``: add the UN M49 world, continental and sub-regional aggregates
      (``001`` World, ``002`` Africa …) first, each with its parent region. Only for the M49
      scheme: regions have no alpha codes. Countries are not linked to their regions.

    Results are cached. Raises ``ValueError`` for the subdivision scheme (use
    [`subdivisions()`][cdinterop.codes.subdivisions]), for ``regions`` outside M49 and for a country
    without subdivisions; [`UnknownAreaError`][cdinterop.codes.UnknownAreaError] (a ``KeyError``)
    for an unknown country.
    """
    scheme = AreaScheme(scheme)
    if scheme is AreaScheme.SUBDIVISION:
        raise ValueError(
            "a REF_AREA codelist is coded alpha2, alpha3 or m49; for the subdivisions of a "
            "country use subdivisions(country) or subdivisions_of=..."
        )
    if regions and scheme is not AreaScheme.M49:
        raise ValueError(
            f"UN M49 regions have only numeric codes; use scheme=AreaScheme.M49 instead of "
            f"{scheme.value!r} to include them"
        )
    if subdivisions_of is None:
        wanted: Iterable[str] = ()
    elif isinstance(subdivisions_of, str):
        wanted = (subdivisions_of,)
    else:
        wanted = subdivisions_of
    alpha2s = tuple(dict.fromkeys(to_alpha2(code) for code in wanted))
    return _build(scheme, alpha2s, regions)


def __getattr__(name: str) -> Codelist:
    """Build [`REF_AREA`][cdinterop.codes.REF_AREA] on first access (PEP 562), keeping the import
    cheap."""
    if name == "REF_AREA":
        return ref_area_codelist(AreaScheme.ALPHA3)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), "REF_AREA"])


REF_AREA: Codelist
"""The ISO 3166-1 alpha-3 country codelist (``ref_area_codelist()``), built on first access."""
