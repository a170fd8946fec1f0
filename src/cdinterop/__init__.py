"""cdinterop: citizen data, typed and carried to SDMX, Frictionless and DCAT intact.

The top level offers the data set model, JSON load/save and the error types::

    import cdinterop
    ds = cdinterop.load("examples/marine-litter-ghana/dataset.json")
    cdinterop.save(ds, "copy.json")
"""

from cdinterop._version import __version__
from cdinterop.errors import CdinteropError, InvalidDatasetError, Issue, ReadError, WriteError
from cdinterop.model import CitizenDataset, DataStructure, Observations
from cdinterop.model._jsonio import check_json, dumps, load, loads, save

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
