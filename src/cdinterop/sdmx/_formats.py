"""The registry of SDMX data formats cdinterop writes (and reads back).

Each [`DataFormat`][cdinterop.sdmx.DataFormat] names a format, says what it is and how to write it;
readers recognise the format from the content
([`cdinterop.sdmx.sniff_format()`][cdinterop.sdmx.sniff_format]).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from cdinterop.model import CitizenDataset
from cdinterop.sdmx._data_csv import write_csv
from cdinterop.sdmx._data_json import JsonVersion, json_problem, write_json
from cdinterop.sdmx._data_xml import write_generic, write_structure_specific

__all__ = ["FORMATS", "DataFormat"]


@dataclass(frozen=True)
class DataFormat:
    """An SDMX data format: its name, description, file extension and writer."""

    name: str
    """Short name used in the API and on the command line."""
    description: str
    """What the format is."""
    extension: str
    """File extension, with the dot."""
    media_type: str
    """IANA media type."""
    sdmx_version: str
    """SDMX version of the structure messages the format goes with (``2.1`` or ``3.0``):
    the key of ``STRUCTURE_FILES`` for the structure written beside it. SDMX-JSON 1.0 is
    SDMX 2.1's, 2.0.0 SDMX 3.0's; 2.1.0 is SDMX 3.1's, and goes with the 3.0 structure
    message (cdinterop writes no SDMX-ML 3.1 structures; 3.1 reads 3.0's)."""
    write: Callable[[CitizenDataset, Any], None]
    """Writer: ``write(dataset, path_or_binary_stream)``."""
    needs_time_dimension: bool = False
    """Whether the layout needs a time dimension (time series)."""
    single_measure: bool = False
    """Whether the format carries exactly one measure, OBS_VALUE."""
    attributes_on_rows: bool = False
    """Whether data-set attributes ride on observation rows (so an empty data set cannot
    carry their values), as in SDMX-CSV."""

    def supports(self, dataset: CitizenDataset) -> bool:
        """Whether this format can carry ``dataset`` without loss."""
        s = dataset.structure
        if self.needs_time_dimension and s.time_dimension is None:
            return False
        if self.attributes_on_rows and len(dataset.observations) == 0 and dataset.attribute_values:
            return False
        return not (
            self.single_measure and (len(s.measures) != 1 or s.measures[0].id != "OBS_VALUE")
        )


@dataclass(frozen=True)
class _JsonFormat(DataFormat):
    """An SDMX-JSON format: some data sets do not fit 1.0 (see `json_problem()`)."""

    json_version: str = "2.0"

    def supports(self, dataset: CitizenDataset) -> bool:
        """Whether this format can carry ``dataset`` without loss."""
        return super().supports(dataset) and json_problem(dataset, self.json_version) is None


def _json(version: JsonVersion, sdmx_version: str, **flags: Any) -> DataFormat:
    return _JsonFormat(
        f"json{version.replace('.', '')}",
        f"SDMX-JSON {version} data, flat (AllDimensions)",
        ".json",
        f"application/vnd.sdmx.data+json;version={version}.0",
        sdmx_version,
        partial(write_json, version=version),
        json_version=version,
        **flags,
    )


_XML21 = "application/vnd.sdmx.structurespecificdata+xml;version=2.1"
_XML30 = "application/vnd.sdmx.data+xml;version=3.0.0"
FORMATS: dict[str, DataFormat] = {
    f.name: f
    for f in (
        DataFormat("ml21-ss", "SDMX-ML 2.1 structure-specific data, flat (AllDimensions)",
                   ".xml", _XML21, "2.1", partial(write_structure_specific, version="2.1"),
                   single_measure=True),
        DataFormat("ml21-ss-ts", "SDMX-ML 2.1 structure-specific data, time series", ".xml",
                   _XML21, "2.1",
                   partial(write_structure_specific, version="2.1",
                           dimension_at_observation="TIME_PERIOD"),
                   needs_time_dimension=True, single_measure=True),
        DataFormat("ml21-generic", "SDMX-ML 2.1 generic data", ".xml",
                   "application/vnd.sdmx.genericdata+xml;version=2.1", "2.1", write_generic,
                   single_measure=True),
        DataFormat("ml30-ss", "SDMX-ML 3.0 structure-specific data, flat (AllDimensions)",
                   ".xml", _XML30, "3.0", partial(write_structure_specific, version="3.0")),
        DataFormat("ml30-ss-ts", "SDMX-ML 3.0 structure-specific data, time series", ".xml",
                   _XML30, "3.0",
                   partial(write_structure_specific, version="3.0",
                           dimension_at_observation="TIME_PERIOD"),
                   needs_time_dimension=True),
        DataFormat("csv10", "SDMX-CSV 1.0", ".csv", "application/vnd.sdmx.data+csv;version=1.0.0",
                   "2.1", partial(write_csv, version="1.0"), single_measure=True,
                   attributes_on_rows=True),
        DataFormat("csv20", "SDMX-CSV 2.0", ".csv", "application/vnd.sdmx.data+csv;version=2.0.0",
                   "3.0", partial(write_csv, version="2.0"), attributes_on_rows=True),
        _json("1.0", "2.1", single_measure=True),
        _json("2.0", "3.0"),
        _json("2.1", "3.0"),
    )
}  # fmt: skip
"""Every data format, by name."""
