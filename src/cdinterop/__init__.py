"""cdinterop: citizen data, typed and carried to SDMX, Frictionless and DCAT intact.

The top level offers the data set model, JSON load/save and the error types::

    import cdinterop
    ds = cdinterop.load("examples/marine-litter-ghana/dataset.json")
    cdinterop.save(ds, "copy.json")

The model and JSON names are imported on first use (``import cdinterop`` alone loads
neither pydantic nor pyarrow), so the command line starts quickly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cdinterop._lazy import LazyNames
from cdinterop._version import __version__
from cdinterop.errors import CdinteropError, InvalidDatasetError, Issue, ReadError, WriteError

if TYPE_CHECKING:
    from cdinterop.model import CitizenDataset, DataStructure, Observations
    from cdinterop.model._internal import check_json, dumps, load, loads, save

__all__ = [
    "CdinteropError",
    "CitizenDataset",
    "DataStructure",
    "InvalidDatasetError",
    "Issue",
    "Observations",
    "ReadError",
    "WriteError",
    "__version__",
    "check_json",
    "dumps",
    "load",
    "loads",
    "save",
]

_LAZY = LazyNames(
    __name__,
    {
        "CitizenDataset": "cdinterop.model",
        "DataStructure": "cdinterop.model",
        "Observations": "cdinterop.model",
        "check_json": "cdinterop.model._internal",
        "dumps": "cdinterop.model._internal",
        "load": "cdinterop.model._internal",
        "loads": "cdinterop.model._internal",
        "save": "cdinterop.model._internal",
    },
    __all__,
)
"""The names imported on first use, with the module that defines them."""


def __getattr__(name: str) -> Any:
    return _LAZY.get(name)


def __dir__() -> list[str]:
    return _LAZY.names()
