"""Layer 2: built-in codelists, ready to put in a :class:`~cdinterop.model.DataStructure`.

* :mod:`cdinterop.codes.cross_domain`: the SDMX cross-domain and SDG Global DSD codelists
  (:data:`SEX`, :data:`AGE`, :data:`OBS_STATUS`, :data:`CONF_STATUS`, :data:`UNIT_MULT`,
  :data:`FREQ`, :data:`NATURE`, :data:`URBANISATION`, :data:`DISABILITY_STATUS`) and the
  age-band helpers (:func:`age_band`, :func:`parse_age_code`, :func:`age_codelist`).
* :mod:`cdinterop.codes.ref_area`: reference areas from ``pycountry`` and UN M49
  (:func:`ref_area_codelist`, :func:`subdivisions`, :data:`REF_AREA`) and code conversion
  (:func:`to_alpha2`, :func:`to_alpha3`, :func:`to_m49`, :func:`area_name`).

Only :mod:`cdinterop.model` is imported. The small cross-domain lists are built at import;
the ``pycountry``-based lists are built on first use, :data:`REF_AREA` included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdinterop.codes.cross_domain import (
    AGE,
    CONF_STATUS,
    CROSS_DOMAIN_CODELISTS,
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
from cdinterop.codes.ref_area import (
    UnknownAreaError,
    area_name,
    ref_area_codelist,
    subdivisions,
    to_alpha2,
    to_alpha3,
    to_m49,
)

if TYPE_CHECKING:
    from cdinterop.model.structure import Codelist

__all__ = [
    "AGE",
    "CONF_STATUS",
    "CROSS_DOMAIN_CODELISTS",
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
    """Build :data:`REF_AREA` on first access (PEP 562), keeping the import cheap."""
    if name == "REF_AREA":
        from cdinterop.codes import ref_area

        return ref_area.REF_AREA
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), "REF_AREA"])


REF_AREA: Codelist
"""The ISO 3166-1 alpha-3 country codelist, built on first access (see
:func:`ref_area_codelist`)."""
