"""The type of a ``structure`` field in a spec: references to built-in codelists and to
SDMX structure files expanded (see ``cdinterop.mapping``), files read by the SDMX reader."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cdinterop.mapping import structure_field

if TYPE_CHECKING:
    from cdinterop.model import DataStructure

__all__ = ["SpecStructure", "read_structure_file"]


def read_structure_file(path: Path | str, dataflow: str | None) -> DataStructure:
    """The data structure of an SDMX structure message (SDMX-ML 2.1 or 3.0): of its dataflow
    ``dataflow``, or of its only one. A ``str`` SDMX URN or URL is fetched (see
    [`cdinterop.sdmx.fetch_structure`][cdinterop.sdmx.fetch_structure])."""
    from cdinterop import sdmx  # a spec that names a structure file reads SDMX, others do not

    return sdmx.read_structure(path, dataflow=dataflow).structure


SpecStructure = structure_field(read_structure_file)
"""A [`DataStructure`][cdinterop.model.DataStructure] written in a spec, with references to
built-in codelists, ISO 3166 areas and the components and codelists of SDMX structure
files (see ``docs/mapping-reference.md``)."""
