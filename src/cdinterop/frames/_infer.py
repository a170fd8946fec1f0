"""What each column of a frame becomes: concept, codelist or value type, and why."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop import codes
from cdinterop.frames._errors import FrameError
from cdinterop.model import AreaScheme, Code, Codelist, ValueType

__all__ = ["ComponentInference", "Role"]

Role = Literal["dimension", "time", "measure", "attribute"]
"""The part a column plays in the data set."""


_AREA_IDS = frozenset({"REF_AREA", "COUNTERPART_AREA", "AREA", "COUNTRY", "GEO"})
"""Column ids whose codes are looked up among the ISO 3166 / UN M49 areas."""

_AREA_SCHEMES = (
    (AreaScheme.ALPHA3, "ISO 3166-1 alpha-3"),
    (AreaScheme.ALPHA2, "ISO 3166-1 alpha-2"),
    (AreaScheme.M49, "UN M49"),
)
_CODE_ID = re.compile(r"^[A-Za-z0-9_@$\-]+$")
_NOT_CODE_CHARS = re.compile(r"[^A-Za-z0-9_@$\-]+")


@dataclass(frozen=True)
class ComponentInference:
    """What [`from_frame()`][cdinterop.frames.from_frame] made of one column, and why."""

    column: str
    """The column of the frame."""
    component: str
    """The component it became (the time column is ``TIME_PERIOD``, the measure
    ``OBS_VALUE``; every other component keeps the column's name)."""
    role: Role
    """``dimension``, ``time``, ``measure`` or ``attribute``."""
    concept: str
    """Id of the concept created for the component (the component id)."""
    concept_name: str
    """English name given to the concept."""
    codelist: str | None
    """The codelist of a coded component, as ``AGENCY:ID(VERSION)``; ``None`` otherwise."""
    value_type: str
    """The value type: ``ValueType`` for measures and uncoded attributes, the SDMX time
    value type for the time dimension, ``string`` for coded components."""
    reason: str
    """Why this codelist or type was chosen, in words."""
    recoded: Mapping[str, str] = field(default_factory=dict)
    """Values that were not valid SDMX code ids, with the code each one became (its name
    in the codelist is the original value)."""

    def __str__(self) -> str:
        kind = f"codelist {self.codelist}" if self.codelist else self.value_type
        return f"{self.column} -> {self.component} ({self.role}, {kind}): {self.reason}"


def concept_name(component_id: str) -> str:
    """The English name of a concept: the SDMX name where there is one, else the id
    in words (``water_source`` -> ``Water source``)."""
    known = codes.CROSS_DOMAIN_CONCEPTS.get(component_id.upper())
    if known is not None:
        return known.name["en"]
    words = re.sub(r"[_\-]+", " ", component_id).strip()
    if words.isupper():
        words = words.lower()
    return words[:1].upper() + words[1:]


def distinct_text(column: pa.ChunkedArray) -> list[str]:
    """The distinct non-null values of a column as text, in order of first appearance."""
    values = pc.unique(column.drop_null())
    return [_text(v) for v in values.to_pylist()]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column as strings (integers without a decimal point, dates in ISO 8601)."""
    kind = column.type
    if pa.types.is_string(kind):
        return column
    if pa.types.is_floating(kind):
        values = [None if v is None else _text(v) for v in column.to_pylist()]
        return pa.chunked_array([pa.array(values, type=pa.string())])
    if pa.types.is_timestamp(kind):
        return pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
    if pa.types.is_boolean(kind):
        return pc.if_else(column, "true", "false").cast(pa.string())
    return column.cast(pa.string())


@dataclass(frozen=True)
class Coding:
    """The codelist chosen for a coded column, with the reason and any recoding."""

    codelist: Codelist
    reason: str
    recoded: dict[str, str]


def builtin_coding(component_id: str, values: list[str]) -> Coding | None:
    """The built-in SDMX cross-domain codelist named after the component, when every value
    is one of its codes."""
    builtin = codes.CROSS_DOMAIN_CODELISTS.get(f"CL_{component_id.upper()}")
    if builtin is None:
        return None
    missing = [v for v in values if v not in builtin]
    if missing:
        return None
    return Coding(
        builtin,
        f"all {len(values)} distinct values are codes of the SDMX cross-domain codelist "
        f"{builtin.id}",
        {},
    )


def _not_in_builtin(component_id: str, values: list[str]) -> str:
    builtin = codes.CROSS_DOMAIN_CODELISTS.get(f"CL_{component_id.upper()}")
    if builtin is None:
        return ""
    missing = [v for v in values if v not in builtin]
    shown = ", ".join(map(repr, missing[:5])) + (" ..." if len(missing) > 5 else "")
    return f" ({shown} not in the SDMX codelist {builtin.id})"


def area_coding(values: list[str]) -> Coding | None:
    """The ISO 3166-1 (alpha-3, alpha-2) or UN M49 country codelist holding every value."""
    for scheme, label in _AREA_SCHEMES:
        codelist = codes.ref_area_codelist(scheme)
        if all(v in codelist for v in values):
            return Coding(
                codelist,
                f"all {len(values)} distinct values are {label} codes ({codelist.agency} "
                f"{codelist.id}, pycountry {codelist.version})",
                {},
            )
    return None


def code_coding(component_id: str, values: list[str], agency: str) -> Coding:
    """A coded column's codelist: the built-in one (SDMX cross-domain, ISO 3166 areas) where
    every value fits, else one built from the distinct values, owned by ``agency``."""
    found = builtin_coding(component_id, values)
    if found is not None:
        return found
    upper = component_id.upper()
    if upper == "AGE" and values and all(codes.is_age_code(v) for v in values):
        age = codes.age_codelist(values, agency=agency, sort=True)
        return Coding(
            age,
            f"all {len(values)} distinct values are SDMX age codes, not all in SDMX CL_AGE: "
            f"CL_AGE of {agency} with generated labels",
            {},
        )
    if upper in _AREA_IDS:
        found = area_coding(values)
        if found is not None:
            return found
    return own_coding(component_id, values, agency, why=_not_in_builtin(component_id, values))


def own_coding(component_id: str, values: list[str], agency: str, *, why: str = "") -> Coding:
    """A codelist ``CL_<ID>`` of ``agency`` with one code per distinct value, named by the
    value. When a value is not a valid code id, every value becomes a code made of its
    letters and digits in upper case (``Piped water`` -> ``PIPED_WATER``)."""
    recoded: dict[str, str] = {}
    if not all(_CODE_ID.match(v) for v in values):  # then every value, for one style
        taken: set[str] = set()
        for value in values:
            base = _NOT_CODE_CHARS.sub("_", value.strip()).strip("_").upper() or "CODE"
            code, n = base, 2
            while code in taken or (code in values and code != value):
                code, n = f"{base}_{n}", n + 1
            taken.add(code)
            recoded[value] = code
    codelist_id = "CL_" + _NOT_CODE_CHARS.sub("_", component_id.upper())
    listed = tuple(Code(id=recoded.get(v, v), name={"en": v}) for v in values)
    if not listed:
        raise FrameError(f"column {component_id!r} has no values to make codes of")
    codelist = Codelist(
        id=codelist_id,
        agency=agency,
        name={"en": concept_name(component_id)},
        description={"en": f"The values of column {component_id} (built by from_frame)."},
        codes=listed,
    )
    reason = f"{len(values)} distinct values{why}: {codelist_id} of {agency} built from them"
    if recoded:
        reason += f"; {len(recoded)} values that are not code ids were recoded"
    return Coding(codelist, reason, recoded)


def value_type_of(kind: pa.DataType) -> ValueType | None:
    """The model's value type for an Arrow type; ``None`` for types it has none for."""
    if pa.types.is_integer(kind):
        return ValueType.INTEGER
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return ValueType.DECIMAL
    if pa.types.is_boolean(kind):
        return ValueType.BOOLEAN
    if pa.types.is_date(kind):
        return ValueType.DATE
    if pa.types.is_timestamp(kind):
        return ValueType.DATETIME
    if pa.types.is_string(kind):
        return ValueType.STRING
    return None
