"""Reference areas: ISO 3166-1 (alpha-2, alpha-3, numeric = UN M49 country codes),
ISO 3166-2 subdivisions (from ``pycountry``) and the UN M49 geographic regions."""

from __future__ import annotations

from enum import StrEnum
from functools import cache

import pycountry
from pydantic import Field, model_validator

from cdinterop.model._base import Model

__all__ = ["M49_REGIONS", "AreaExtent", "AreaScheme", "area_scheme", "is_area_code"]


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


class AreaExtent(Model):
    """Where an area of the spatial coverage lies: its bounding box and centroid in WGS 84
    longitude/latitude degrees (``dcat:bbox``, ``dcat:centroid`` of a ``dct:Location``).

    A box whose ``west`` is greater than its ``east`` crosses the antimeridian. The
    centroid defaults to the middle of the box.
    """

    west: float = Field(ge=-180, le=180)
    """Westernmost longitude."""
    south: float = Field(ge=-90, le=90)
    """Southernmost latitude."""
    east: float = Field(ge=-180, le=180)
    """Easternmost longitude."""
    north: float = Field(ge=-90, le=90)
    """Northernmost latitude."""
    centroid: tuple[float, float] | None = None
    """Longitude and latitude of the centre; the middle of the box (to 1e-7 degrees) when
    not given."""

    @model_validator(mode="after")
    def _ordered(self) -> AreaExtent:
        if self.south > self.north:
            raise ValueError(f"south {self.south} is north of north {self.north}")
        if self.centroid is None:
            east = self.east if self.west <= self.east else self.east + 360
            lon = (self.west + east) / 2
            lon = lon - 360 if lon > 180 else lon
            # rounded to 1e-7 degrees (about 1 cm), so that 7.925 is not 7.925000000000001
            centre = (round(lon, 7), round((self.south + self.north) / 2, 7))
            self.__dict__["centroid"] = centre
        else:
            lon, lat = self.centroid
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError(f"centroid {self.centroid} is not a longitude/latitude pair")
        return self
