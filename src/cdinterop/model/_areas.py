"""Reference areas: ISO 3166-1 (alpha-2, alpha-3, numeric = UN M49 country codes),
ISO 3166-2 subdivisions (from ``pycountry``) and the UN M49 geographic regions."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from cdinterop.model._base import Model

__all__ = [
    "M49_REGIONS",
    "WKT_PATTERN",
    "AreaCode",
    "AreaExtent",
    "AreaScheme",
    "area_scheme",
    "is_area_code",
]


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


def _check_area_code(code: str) -> str:
    if not is_area_code(code):
        raise ValueError(f"{code!r} is not an ISO 3166 or UN M49 area code")
    return code


AreaCode = Annotated[str, AfterValidator(_check_area_code)]
"""A reference-area code: ISO 3166-1 alpha-2 (``GH``) or alpha-3 (``GHA``), a UN M49 code
(``288``, or a region such as ``002``) or an ISO 3166-2 subdivision (``GH-AA``); see
[`area_scheme()`][cdinterop.model.area_scheme]."""


WKT_PATTERN = (
    r"^(<[^<>\s]+>\s+)?"
    r"(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON|GEOMETRYCOLLECTION)"
    r"(\s+(Z|M|ZM))?\s*(EMPTY|\([A-Za-z0-9\s.,()+\-]*\))$"
)
"""A WKT geometry as GeoSPARQL writes it (``gsp:wktLiteral``): an optional coordinate
reference system IRI in angle brackets, then the geometry, e.g.
``POLYGON((-0.3 5.5,-0.1 5.5,-0.1 5.7,-0.3 5.5))``."""


class AreaExtent(Model):
    """Where an area of the spatial coverage lies (a ``dct:Location``): its bounding box
    and centroid in WGS 84 longitude/latitude degrees (``dcat:bbox``, ``dcat:centroid``)
    and its geometry, e.g. the polygon of a city (``locn:geometry``).

    Each part is optional, but an extent has at least one. The four sides of the box go
    together; a box whose ``west`` is greater than its ``east`` crosses the antimeridian.
    With a box, the centroid defaults to the middle of the box.
    """

    west: float | None = Field(default=None, ge=-180, le=180)
    """Westernmost longitude."""
    south: float | None = Field(default=None, ge=-90, le=90)
    """Southernmost latitude."""
    east: float | None = Field(default=None, ge=-180, le=180)
    """Easternmost longitude."""
    north: float | None = Field(default=None, ge=-90, le=90)
    """Northernmost latitude."""
    centroid: tuple[float, float] | None = None
    """Longitude and latitude of the centre; with a box and no centroid given, the middle
    of the box (to 1e-7 degrees)."""
    geometry: str | None = Field(
        default=None,
        pattern=WKT_PATTERN,
        examples=["POLYGON((-0.3 5.5,-0.1 5.5,-0.1 5.7,-0.3 5.5))"],
    )
    """The area's geometry as WKT (a GeoSPARQL ``wktLiteral``: longitude before latitude
    unless a coordinate reference system IRI before it says otherwise), kept as given."""

    @field_validator("centroid")
    @classmethod
    def _centroid_of_box(
        cls, value: tuple[float, float] | None, info: ValidationInfo
    ) -> tuple[float, float] | None:
        """The middle of the box when no centroid is given (set while the fields are
        validated: the model never changes once built)."""
        sides = [info.data.get(side) for side in ("west", "south", "east", "north")]
        box = [float(side) for side in sides if isinstance(side, float | int)]
        if value is not None or len(box) < len(sides):
            return value  # a centroid given, or no complete box (a side missing or invalid)
        west, south, east, north = box
        east = east if west <= east else east + 360
        lon = (west + east) / 2
        lon = lon - 360 if lon > 180 else lon
        # rounded to 1e-7 degrees (about 1 cm), so that 7.925 is not 7.925000000000001
        return (round(lon, 7), round((south + north) / 2, 7))

    @property
    def box(self) -> tuple[float, float, float, float] | None:
        """``(west, south, east, north)``, or ``None`` without a box."""
        if self.west is None or self.south is None or self.east is None or self.north is None:
            return None
        return (self.west, self.south, self.east, self.north)

    @model_validator(mode="after")
    def _ordered(self) -> AreaExtent:
        sides = (self.west, self.south, self.east, self.north)
        box = self.box
        if box is None and any(side is not None for side in sides):
            raise ValueError("west, south, east and north go together: give all four or none")
        if box is None and self.centroid is None and self.geometry is None:
            raise ValueError("an extent needs a bounding box, a centroid or a geometry")
        if box is not None:
            _, south, _, north = box
            if south > north:
                raise ValueError(f"south {south} is north of north {north}")
        if self.centroid is not None:
            lon, lat = self.centroid
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError(f"centroid {self.centroid} is not a longitude/latitude pair")
        return self
