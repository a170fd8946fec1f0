"""What a cube carries of a data structure: the structure [`read()`][cdinterop.datacube.read]
gives back for one [`write()`][cdinterop.datacube.write] was given."""

from __future__ import annotations

from typing import Any

from cdinterop.model import (
    AttachmentLevel,
    Attribute,
    Codelist,
    Concept,
    DataStructure,
    Dimension,
    Measure,
    TimeDimension,
)

__all__ = ["carried_structure"]


def _codelist(codelist: Codelist) -> Codelist:
    codes = tuple(code.model_copy(update={"annotations": ()}) for code in codelist.codes)
    return codelist.model_copy(
        update={"codes": codes, "annotations": (), "uri": None, "partial": False, "final": False}
    )


def _concept(concept: Concept) -> Concept:
    return concept.model_copy(update={"annotations": (), "codelist": None, "text_type": None})


def _references(structure: DataStructure, component: Any) -> dict[str, Any]:
    concept = structure.concept(component.concept_id).ref
    out: dict[str, Any] = {"concept": None if concept == component.id else concept}
    codelist = getattr(component, "codelist", None)
    if codelist is not None:
        ref = structure.codelist(codelist).ref
        twins = [c for c in structure.codelists if c.id == structure.codelist(codelist).id]
        out["codelist"] = twins[0].id if len(twins) == 1 else ref
    return out


def _component(structure: DataStructure, component: Any) -> Any:
    common = {"id": component.id, **_references(structure, component)}
    if isinstance(component, TimeDimension):
        return TimeDimension(**common)
    if common.get("codelist") is None:
        common["value_type"] = component.value_type
    if isinstance(component, Dimension):
        return Dimension(**common)
    if isinstance(component, Measure):
        return Measure(**common)
    dataset = component.attachment is AttachmentLevel.DATASET
    return Attribute(
        **common,
        usage=component.usage,
        attachment=AttachmentLevel.DATASET if dataset else AttachmentLevel.OBSERVATION,
    )


def carried_structure(structure: DataStructure) -> DataStructure:
    """``structure`` reduced to what a Data Cube carries of it, as
    [`read()`][cdinterop.datacube.read] returns it.

    Left out: annotations, groups, content constraints, ``uri``/``final``/``partial``
    flags, component roles and facets, a concept's core representation, the relationship
    of series and observation attributes (both become observation attributes, their
    values on every observation), the usage of measures (conditional) and the value type
    of the time dimension (its values are SDMX time periods as strings). A component's
    concept is given as ``None`` when it is the component's id, and a code list by its id
    unless another list shares it."""
    return DataStructure(
        id=structure.id,
        agency=structure.agency,
        version=structure.version,
        name=structure.name,
        description=structure.description,
        concepts=[_concept(c) for c in structure.concepts],
        concept_schemes=[
            s.model_copy(
                update={
                    "annotations": (),
                    "uri": None,
                    "partial": False,
                    "final": False,
                    "external": False,
                }
            )
            for s in structure.concept_schemes
        ],
        codelists=[_codelist(c) for c in structure.codelists],
        dimensions=[_component(structure, d) for d in structure.dimensions],
        time_dimension=(
            _component(structure, structure.time_dimension) if structure.time_dimension else None
        ),
        attributes=[_component(structure, a) for a in structure.attributes],
        measures=[_component(structure, m) for m in structure.measures],
    )
