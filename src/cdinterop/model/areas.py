"""Reference areas: ISO 3166-1 (alpha-2, alpha-3, numeric = UN M49 country codes),
ISO 3166-2 subdivisions (from ``pycountry``) and the UN M49 geographic regions."""

from __future__ import annotations

from enum import StrEnum
from functools import cache

import pycountry

__all__ = ["M49_REGIONS", "AreaScheme", "area_scheme", "is_area_code"]


class AreaScheme(StrEnum):
    """Which code system a reference-area code belongs to."""

    ALPHA2 = "alpha2"
    ALPHA3 = "alpha3"
    M49 = "m49"
    SUBDIVISION = "subdivision"


M49_REGIONS: dict[str, str] = {
    "001": "World",
    "002": "Africa",
    "015": "Northern Africa",
    "202": "Sub-Saharan Africa",
    "014": "Eastern Africa",
    "017": "Middle Africa",
    "018": "Southern Africa",
    "011": "Western Africa",
    "019": "Americas",
    "419": "Latin America and the Caribbean",
    "029": "Caribbean",
    "013": "Central America",
    "005": "South America",
    "021": "Northern America",
    "142": "Asia",
    "143": "Central Asia",
    "030": "Eastern Asia",
    "035": "South-eastern Asia",
    "034": "Southern Asia",
    "145": "Western Asia",
    "150": "Europe",
    "151": "Eastern Europe",
    "154": "Northern Europe",
    "830": "Channel Islands",
    "039": "Southern Europe",
    "155": "Western Europe",
    "009": "Oceania",
    "053": "Australia and New Zealand",
    "054": "Melanesia",
    "057": "Micronesia",
    "061": "Polynesia",
}
"""UN M49 world, continental and sub-regional codes with their English names."""


@cache
def _index() -> dict[str, AreaScheme]:
    index: dict[str, AreaScheme] = {}
    for country in pycountry.countries:
        index[country.alpha_2] = AreaScheme.ALPHA2
        index[country.alpha_3] = AreaScheme.ALPHA3
        index[country.numeric] = AreaScheme.M49
    for code in M49_REGIONS:
        index[code] = AreaScheme.M49
    for subdivision in pycountry.subdivisions:
        index[subdivision.code] = AreaScheme.SUBDIVISION
    return index


def area_scheme(code: str) -> AreaScheme | None:
    """The scheme of a reference-area code, or ``None`` if it is in none of them."""
    return _index().get(code)


def is_area_code(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1/-2 or UN M49 reference-area code."""
    return code in _index()
