"""SDMX names derived from a data structure: its URN, the namespace of its DSD-specific
schema and the ``structureID`` that ties a data set to the message header."""

from __future__ import annotations

from typing import Final

from cdinterop.model import DataStructure

__all__ = ["ALL_DIMENSIONS", "ncname", "structure_ref_id", "structure_urn", "target_namespace"]

ALL_DIMENSIONS: Final = "AllDimensions"
"""``dimensionAtObservation`` of the flat (cross-sectional) layout."""
_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure="


def structure_urn(structure: DataStructure) -> str:
    """The URN of the DSD, e.g. ``urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=
    IAEG-SDGs:SDG(1.0)``."""
    return f"{_URN}{structure.agency}:{structure.id}({structure.version})"


def target_namespace(
    structure: DataStructure, dimension_at_observation: str = ALL_DIMENSIONS
) -> str:
    """The namespace of the DSD-specific schema: ``[DSD URN]:ObsLevelDim:[dimension]``.

    The same in SDMX-ML 2.1 and 3.0; it is the value of the header's ``namespace`` and of
    the prefix that the DataSet's ``xsi:type`` uses.
    """
    return f"{structure_urn(structure)}:ObsLevelDim:{dimension_at_observation}"


def ncname(text: str) -> str:
    """``text`` made into an XML NCName (other characters become ``_``)."""
    chars = [c if c.isalnum() or c in "._-" else "_" for c in text]
    if not chars or not (chars[0].isalpha() or chars[0] == "_"):
        chars.insert(0, "_")
    return "".join(chars)


def structure_ref_id(structure: DataStructure) -> str:
    """The conventional header ``structureID`` (``AGENCY_ID_VERSION``, dots as ``_``).

    ``structureID`` is an ``xs:ID``; characters an XML name cannot hold become ``_``.
    """
    return ncname(f"{structure.agency}_{structure.id}_{structure.version}".replace(".", "_"))
