"""Built-in codelists, ready to put in a [`DataStructure`][cdinterop.model.DataStructure], and
helpers for age bands and area codes::

    from cdinterop import codes
    [c.id for c in codes.SEX.codes]                    # ['F', 'M', '_T', '_O', '_U', '_Z']
    codes.age_band(18, 29), codes.age_band(65, None)   # ('Y18T29', 'Y_GE65')
    ages = codes.age_codelist(["Y18T29", "Y_GE65"])    # CL_AGE, names in en and fr
    codes.to_alpha3("KE"), codes.to_m49("KEN"), codes.area_name("KEN")  # ('KEN', '404', 'Kenya')

The package holds:

* the SDMX cross-domain and SDG Global DSD codelists ([`SEX`][cdinterop.codes.SEX],
  [`AGE`][cdinterop.codes.AGE], [`OBS_STATUS`][cdinterop.codes.OBS_STATUS],
  [`CONF_STATUS`][cdinterop.codes.CONF_STATUS], [`UNIT_MULT`][cdinterop.codes.UNIT_MULT],
  [`FREQ`][cdinterop.codes.FREQ], [`NATURE`][cdinterop.codes.NATURE],
  [`URBANISATION`][cdinterop.codes.URBANISATION],
  [`DISABILITY_STATUS`][cdinterop.codes.DISABILITY_STATUS]), the cross-domain concepts
  ([`CROSS_DOMAIN_CONCEPTS`][cdinterop.codes.CROSS_DOMAIN_CONCEPTS]) and the age-band helpers
  ([`age_band()`][cdinterop.codes.age_band], [`parse_age_code()`][cdinterop.codes.parse_age_code],
  [`age_codelist()`][cdinterop.codes.age_codelist]).
* reference areas from ``pycountry`` and UN M49
  ([`ref_area_codelist()`][cdinterop.codes.ref_area_codelist],
  [`subdivisions()`][cdinterop.codes.subdivisions], [`REF_AREA`][cdinterop.codes.REF_AREA]) and code
  conversion ([`to_alpha2()`][cdinterop.codes.to_alpha2],
  [`to_alpha3()`][cdinterop.codes.to_alpha3], [`to_m49()`][cdinterop.codes.to_m49],
  [`area_name()`][cdinterop.codes.area_name]).

Only [`cdinterop.model`][cdinterop.model] is imported. The small cross-domain lists are built at
import; the ``pycountry``-based lists are built on first use, [`REF_AREA`][cdinterop.codes.REF_AREA]
included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdinterop.codes._cross_domain import (
    AGE,
    CONF_STATUS,
    CROSS_DOMAIN_CODELISTS,
    CROSS_DOMAIN_CONCEPTS,
    DISABILITY_STATUS,
    FREQ,
    NATURE,
    OBS_STATUS,
    SEX,
    UNIT_MULT,
    URBANISATION,
    age_band,
    age_codelist,
    age_name,
    is_age_code,
    parse_age_code,
)
from cdinterop.codes._ref_area import (
    UnknownAreaError,
    area_name,
    ref_area_codelist,
    subdivisions,
    to_alpha2,
    to_alpha3,
    to_m49,
)

if TYPE_CHECKING:
    from cdinterop.model import Codelist

__all__ = [
    "AGE",
    "CONF_STATUS",
    "CROSS_DOMAIN_CODELISTS",
    "CROSS_DOMAIN_CONCEPTS",
    "DISABILITY_STATUS",
    "FREQ",
    "NATURE",
    "OBS_STATUS",
    "REF_AREA",
    "SEX",
    "UNIT_MULT",
    "URBANISATION",
    "UnknownAreaError",
    "age_band",
    "age_codelist",
    "age_name",
    "area_name",
    "is_age_code",
    "parse_age_code",
    "ref_area_codelist",
    "subdivisions",
    "to_alpha2",
    "to_alpha3",
    "to_m49",
]


def __getattr__(name: str) -> Codelist:
    """Build [`REF_AREA`][cdinterop.codes.REF_AREA] on first access (PEP 562), keeping the import
    cheap."""
    if name == "REF_AREA":
        from cdinterop.codes import _ref_area as ref_area

        return ref_area.REF_AREA
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), "REF_AREA"])


REF_AREA: Codelist
"""The ISO 3166-1 alpha-3 country codelist, built on first access (see
``ref_area_codelist()``)."""
