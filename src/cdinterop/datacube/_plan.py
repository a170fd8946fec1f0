"""How each component of a structure is written: its property, role, range and the
form of its values (a code's IRI, a typed literal, an SDMX time period)."""

from __future__ import annotations

from dataclasses import dataclass

from cdinterop.datacube._iris import CubeIris
from cdinterop.datacube._vocab import XSD
from cdinterop.model import (
    Attribute,
    DataStructure,
    Dimension,
    Measure,
    TimeDimension,
    Usage,
    ValueType,
)

__all__ = ["DATATYPES", "MISSING_MEASURE", "ComponentPlan", "plan"]

DATATYPES: dict[ValueType, str] = {
    ValueType.STRING: XSD + "string",
    ValueType.INTEGER: XSD + "integer",
    ValueType.DECIMAL: XSD + "double",
    ValueType.BOOLEAN: XSD + "boolean",
    ValueType.DATE: XSD + "date",
    ValueType.DATETIME: XSD + "dateTime",
    ValueType.URI: XSD + "anyURI",
}
"""The XSD datatype of the values of each value type (decimals are Arrow doubles)."""

MISSING_MEASURE = f'"NaN"^^<{XSD}double>'
"""A measure without a value: the Data Cube wants every measure on every observation
(IC-14), so a missing one is written as SDMX writes it, ``NaN`` (an ``xsd:double``)."""


@dataclass(frozen=True, slots=True)
class ComponentPlan:
    """How one component is written."""

    id: str
    """The component id (and column name)."""
    role: str
    """``dimension``, ``attribute`` or ``measure``."""
    property: str
    """The IRI of its component property."""
    code_prefix: str | None
    """For a coded component, what the (percent-encoded) code is appended to."""
    datatype: str
    """The datatype of its literals (``xsd:string`` for codes and time periods)."""
    time: bool = False
    """Whether it is the time dimension (values are SDMX time-period strings)."""
    dataset_level: bool = False
    """Whether it is a data-set attribute (its value is on the ``qb:DataSet``)."""
    conditional_measure: bool = False
    """Whether it is a measure whose value may be missing (``NaN`` then)."""


def _component(
    structure: DataStructure, iris: CubeIris, component: Dimension | Attribute | Measure, role: str
) -> ComponentPlan:
    prefix = None
    if component.codelist is not None:
        prefix = iris.code_prefix(structure.codelist(component.codelist))
    return ComponentPlan(
        id=component.id,
        role=role,
        property=iris.property(component.id),
        code_prefix=prefix,
        datatype=DATATYPES[component.value_type],
        dataset_level=isinstance(component, Attribute) and component.attachment == "dataset",
        conditional_measure=isinstance(component, Measure) and component.usage is Usage.CONDITIONAL,
    )


def plan(structure: DataStructure, iris: CubeIris) -> list[ComponentPlan]:
    """Every component in key order: dimensions, time dimension, measures, attributes."""
    plans = [_component(structure, iris, d, "dimension") for d in structure.dimensions]
    time: TimeDimension | None = structure.time_dimension
    if time is not None:
        plans.append(
            ComponentPlan(time.id, "dimension", iris.property(time.id), None, XSD + "string", True)
        )
    plans += [_component(structure, iris, m, "measure") for m in structure.measures]
    plans += [_component(structure, iris, a, "attribute") for a in structure.attributes]
    return plans
