"""What the service answers with: data formats (from the registry
[`cdinterop.sdmx.FORMATS`][cdinterop.sdmx.FORMATS], grouped by media type) and structure
message versions, in the order SDMX REST prefers them, and the ``format=`` parameter.

Every data format of the registry is offered under its ``media_type``, so a format added
there (SDMX-JSON, say) is served without a change here. Formats that share a media type
differ in layout (SDMX-ML structure-specific data flat or as time series):
``dimensionAtObservation`` chooses between them (``TIME_PERIOD``, the default when the DSD
has a time dimension, as SDMX REST says; ``AllDimensions`` for the flat layout). The
SDMX-ML 2.1 time-series media types (``structurespecifictimeseriesdata``,
``generictimeseriesdata``) ask for the time-series layout of their format.
"""

from __future__ import annotations

from collections.abc import Sequence

from cdinterop import sdmx
from cdinterop.model import CitizenDataset
from cdinterop.sdmx import DataFormat
from cdinterop.serve._errors import (
    NOT_ACCEPTABLE,
    NOT_IMPLEMENTED,
    SEMANTIC_ERROR,
    ServiceError,
)
from cdinterop.serve._negotiate import Offer, negotiate, parse_media_type
from cdinterop.serve._structures import STRUCTURE_MEDIA_TYPES

__all__ = [
    "choose_data_format",
    "choose_structure_version",
    "data_offers",
    "media_key",
    "structure_offers",
]

_SS21 = "application/vnd.sdmx.structurespecificdata+xml;version=2.1"
_GEN21 = "application/vnd.sdmx.genericdata+xml;version=2.1"
LAYOUT_ALIASES = {
    "application/vnd.sdmx.structurespecifictimeseriesdata+xml;version=2.1": ("ml21-ss-ts",),
    "application/vnd.sdmx.generictimeseriesdata+xml;version=2.1": ("ml21-generic",),
}
"""Media types of SDMX-ML 2.1 layouts that name one format of the registry."""

PREFERENCE = {
    "v2": [
        "application/vnd.sdmx.data+json;version=2.0.0",
        "application/vnd.sdmx.data+xml;version=3.0.0",
        "application/vnd.sdmx.data+csv;version=2.0.0",
        "application/vnd.sdmx.data+json;version=2.1.0",
        _SS21,
        _GEN21,
        "application/vnd.sdmx.data+csv;version=1.0.0",
        "application/vnd.sdmx.data+json;version=1.0.0",
    ],
    "v1": [
        _GEN21,
        _SS21,
        "application/vnd.sdmx.data+csv;version=1.0.0",
        "application/vnd.sdmx.data+json;version=1.0.0",
        "application/vnd.sdmx.data+xml;version=3.0.0",
        "application/vnd.sdmx.data+csv;version=2.0.0",
        "application/vnd.sdmx.data+json;version=2.0.0",
    ],
}
"""Data media types by preference: the first one available is the default (SDMX REST 2.x
defaults to SDMX-JSON 2.0.0, 1.x to SDMX-ML 2.1 generic data)."""
STRUCTURE_PREFERENCE = {
    "v2": ["json-2.0", "3.0", "2.1", "json-2.1"],
    "v1": ["2.1", "3.0", "json-2.0", "json-2.1"],
}
"""Structure message versions by preference (the first one available is the default)."""
SYNTAX_WORDS = {
    "xml": "application/xml",
    "sdmx-ml": "application/xml",
    "csv": "text/csv",
    "sdmx-csv": "text/csv",
    "csvfile": "text/csv",
    "json": "application/json",
    "sdmx-json": "application/json",
    "jsondata": "application/json",
    "genericdata": _GEN21,
    "structurespecificdata": _SS21,
}
"""Words of the ``format=`` parameter that stand for a media range."""


def media_key(media_type: str) -> str:
    """A media type with its ``version`` only, as compared (``version=2.1`` kept as is)."""
    main, params = parse_media_type(media_type)
    return f"{main};version={params['version']}" if "version" in params else main


def data_offers(dataset: CitizenDataset, api: str) -> list[Offer[tuple[DataFormat, ...]]]:
    """The data media types ``dataset`` can be written in, each with the formats of the
    registry that write it, in the preferred order of the ``api`` (``v1`` or ``v2``)."""
    groups: dict[str, list[DataFormat]] = {}
    labels: dict[str, str] = {}
    for fmt in sdmx.FORMATS.values():
        if fmt.supports(dataset):
            key = media_key(fmt.media_type)
            groups.setdefault(key, []).append(fmt)
            labels.setdefault(key, fmt.media_type)
    offers = [Offer(labels[key], tuple(formats)) for key, formats in groups.items()]
    for media_type, names in LAYOUT_ALIASES.items():
        formats = tuple(
            sdmx.FORMATS[n]
            for n in names
            if n in sdmx.FORMATS and sdmx.FORMATS[n].supports(dataset)
        )
        if formats:
            offers.append(Offer(media_type, formats))
    order = [media_key(m) for m in PREFERENCE[api]]

    def rank(offer: Offer[tuple[DataFormat, ...]]) -> int:
        key = media_key(offer.media_type)
        return order.index(key) if key in order else len(order)

    return sorted(offers, key=rank)


def _check_dimension(dataset: CitizenDataset, dimension: str | None) -> None:
    """A 400 when ``dimensionAtObservation`` names no dimension of the structure."""
    if dimension not in (None, "AllDimensions", *dataset.structure.key_ids):
        raise ServiceError(
            SEMANTIC_ERROR,
            f"dimensionAtObservation={dimension}: the data structure has no dimension of that "
            f"id (it has {', '.join(dataset.structure.key_ids)})",
        )


def _wants_series(
    formats: Sequence[DataFormat], dataset: CitizenDataset, dimension: str | None
) -> bool | None:
    """Whether ``dimension`` asks for the time-series layout (``None``: any layout will
    do, for SDMX-CSV); a 501 for a cross-sectional layout."""
    time = dataset.structure.time_dimension
    if dimension is None:
        return time is not None
    if dimension == "AllDimensions":
        return False
    if time is not None and dimension == time.id:
        return True
    if all(parse_media_type(f.media_type)[0].endswith("+csv") for f in formats):
        return None  # SDMX-CSV is flat whatever the dimension at observation
    raise ServiceError(
        NOT_IMPLEMENTED,
        f"dimensionAtObservation={dimension}: cross-sectional layouts are not written "
        "(use TIME_PERIOD or AllDimensions)",
    )


def _layout(
    formats: Sequence[DataFormat], dataset: CitizenDataset, dimension: str | None
) -> DataFormat:
    """The format among ``formats`` (which share a media type) with the layout
    ``dimensionAtObservation`` asks for."""
    _check_dimension(dataset, dimension)
    series = _wants_series(formats, dataset, dimension)
    if series is None:
        return formats[0]
    if series and dataset.structure.time_dimension is None:
        series = False
    wanted = [f for f in formats if f.needs_time_dimension == series]
    return (wanted or list(formats))[0]


def choose_data_format(
    dataset: CitizenDataset,
    api: str,
    accept: str | None,
    format_parameter: str | None,
    dimension_at_observation: str | None,
) -> DataFormat:
    """The data format to answer with: the ``format=`` parameter (a format name of the
    registry such as ``csv20``, a word such as ``csv``, ``xml``, ``json``, ``genericdata``,
    or a media type), else the ``Accept`` header; a 406 when nothing fits."""
    offers = data_offers(dataset, api)
    if format_parameter:
        fmt = sdmx.FORMATS.get(format_parameter)
        if fmt is not None:
            if not fmt.supports(dataset):
                raise ServiceError(
                    NOT_ACCEPTABLE, f"format={format_parameter} cannot carry this data set"
                )
            return fmt
        accept = SYNTAX_WORDS.get(format_parameter.lower())
        if accept is None and "/" in format_parameter:
            accept = format_parameter
        if accept is None:
            names = ", ".join(
                [*(f for f in sdmx.FORMATS if sdmx.FORMATS[f].supports(dataset)), *SYNTAX_WORDS]
            )
            raise ServiceError(
                NOT_ACCEPTABLE, f"format={format_parameter} is not offered; use one of {names}"
            )
    chosen = negotiate(accept, offers)
    return _layout(chosen.value, dataset, dimension_at_observation)


def structure_offers(versions: Sequence[str], api: str) -> list[Offer[str]]:
    """The structure media types of the available message ``versions``, preferred first."""
    return [Offer(STRUCTURE_MEDIA_TYPES[v], v) for v in STRUCTURE_PREFERENCE[api] if v in versions]


def choose_structure_version(
    versions: Sequence[str], api: str, accept: str | None, format_parameter: str | None
) -> str:
    """The structure message version to answer with (``format=``: a version such as
    ``2.1``, ``3.0``, ``json-2.0``, a word ``xml`` or ``json``, or a media type; else the
    ``Accept`` header); a 406 when nothing fits."""
    offers = structure_offers(versions, api)
    if format_parameter:
        if format_parameter in versions:
            return format_parameter
        accept = SYNTAX_WORDS.get(format_parameter.lower())
        if accept is None and "/" in format_parameter:
            accept = format_parameter
        if accept is None or accept in (_GEN21, _SS21):
            raise ServiceError(
                NOT_ACCEPTABLE,
                f"format={format_parameter} is not offered for structures; use one of "
                f"{', '.join([*versions, 'xml', 'json'])}",
            )
    return negotiate(accept, offers).value
