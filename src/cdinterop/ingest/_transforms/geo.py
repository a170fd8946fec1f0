"""Geopoints from Kobo/ODK text, and their coarsening to grid cells.

A geopoint cell is ``"lat lon [alt [precision]]"`` separated by white space, in decimal
degrees (WGS 84), metres and metres: ``"5.6037 -0.1870 12 5"``. `parse_geopoint()`
splits and checks it (latitude within -90..90, longitude within -180..180, precision not
negative); a failed row has null in every part and a reason.

`coarsen_to_grid()` replaces precise positions by grid cells so that they never leave
the ingest step. Cells are aligned on the equator and the Greenwich meridian and floor
aligned: a cell is named after its south-west corner, as ``N05.60_W000.20`` (hemisphere
letter, zero-padded degrees with as many decimals as the cell size has; ``N`` and ``E``
for zero). The cell centres are returned too, for maps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from cdinterop.ingest._transforms.numbers import parse_numbers
from cdinterop.ingest._transforms.result import (
    ArrayLike,
    array,
    first_reason,
    joined,
    mostly_distinct,
    null_where,
    quoted,
    reason_where,
    text,
)
from cdinterop.mapping._internal import as_text

__all__ = ["GeoPoints", "GridCells", "coarsen_to_grid", "parse_geopoint"]

_NAMES = {"lat": "latitude", "lon": "longitude", "alt": "altitude", "precision": "precision"}
NOT_A_GEOPOINT = "not a geopoint (expected 'latitude longitude [altitude [precision]]')"


@dataclass(frozen=True)
class GeoPoints:
    """The parts of a geopoint column (float64, null where empty or failed)."""

    lat: pa.Array
    """Latitude in decimal degrees."""
    lon: pa.Array
    """Longitude in decimal degrees."""
    alt: pa.Array
    """Altitude in metres (null when not given)."""
    precision: pa.Array
    """Precision (accuracy radius) in metres (null when not given)."""
    failed: pa.Array
    """Boolean mask, true where the row failed."""
    reasons: pa.Array | None
    """Reason per failed row (null elsewhere), ``None`` if no row failed."""


def _reason_for(
    name: str, bad: pa.Array, part: Callable[[], pa.Array], reveal: bool
) -> pa.Array | None:
    if not reveal:
        return reason_where(bad, f"the {name} is not a number")
    return reason_where(bad, lambda: joined(f"{name} ", quoted(part()), " is not a number"))


def parse_geopoint(column: ArrayLike, *, reveal: bool = True) -> GeoPoints:
    """Split and check Kobo/ODK geopoint text (see the module docs). With ``reveal``
    false the reasons never quote the text (a location that must not leave the ingest
    step, even in a rejects file). A column that repeats its points (fixed sites, blank
    cells) is parsed once per distinct text."""
    values = array(as_text(column))
    if mostly_distinct(values):
        return _parsed(text(values), reveal)
    encoded = pc.dictionary_encode(values)  # nulls stay null (in the indices)
    return _taken(_parsed(text(encoded.dictionary), reveal), encoded.indices)


def _taken(points: GeoPoints, indices: pa.Array) -> GeoPoints:
    """The parsed distinct points ``points`` taken back per row by ``indices``."""
    return GeoPoints(
        pc.take(points.lat, indices),
        pc.take(points.lon, indices),
        pc.take(points.alt, indices),
        pc.take(points.precision, indices),
        pc.fill_null(pc.take(points.failed, indices), False),
        None if points.reasons is None else pc.take(points.reasons, indices),
    )


def _parsed(values: pa.Array, reveal: bool) -> GeoPoints:
    """`parse_geopoint()` of trimmed text (nulls for blanks), value by value."""
    tokens = pc.ascii_split_whitespace(values)
    count = pc.list_value_length(tokens)
    shaped = pc.fill_null(pc.and_(pc.greater_equal(count, 2), pc.less_equal(count, 4)), False)
    wrong_shape = pc.and_(pc.is_valid(values), pc.invert(shaped))
    flat = pc.list_flatten(tokens)
    starts = tokens.offsets[:-1]

    # every token is parsed once; the four parts are then taken from the parsed tokens
    parsed, bad_token = parse_numbers(flat) if len(flat) else (flat, flat)

    def index_of(k: int) -> pa.Array:
        present = pc.and_(shaped, pc.greater(count, k))
        return pc.if_else(present, pc.add(starts, k), pa.scalar(None, starts.type))

    def take(source: pa.Array, index: pa.Array, kind: pa.DataType) -> pa.Array:
        return pc.take(source, index) if len(flat) else pa.nulls(len(values), kind)

    indices: dict[str, pa.Array] = {}
    raws: dict[str, pa.Array] = {}

    def raw(name: str) -> pa.Array:
        """The part's text, taken only when a reason shows it."""
        if name not in raws:
            raws[name] = take(flat, indices[name], pa.string())
        return raws[name]

    def number(k: int, name: str) -> tuple[pa.Array, pa.Array | None]:
        index = indices[name] = index_of(k)
        numbers = take(parsed, index, pa.float64())
        bad = pc.fill_null(take(bad_token, index, pa.bool_()), False)
        return numbers, _reason_for(_NAMES[name], bad, lambda: raw(name), reveal)

    lat, lat_bad = number(0, "lat")
    lon, lon_bad = number(1, "lon")
    alt, alt_bad = number(2, "alt")
    precision, precision_bad = number(3, "precision")
    lat_out = pc.fill_null(pc.greater(pc.abs(lat), 90), False)
    lon_out = pc.fill_null(pc.greater(pc.abs(lon), 180), False)
    precision_out = pc.fill_null(pc.less(precision, 0), False)
    reasons = first_reason(
        reason_where(wrong_shape, NOT_A_GEOPOINT),
        lat_bad,
        lon_bad,
        reason_where(lat_out, _outside("latitude", "-90..90", lambda: raw("lat"), reveal)),
        reason_where(lon_out, _outside("longitude", "-180..180", lambda: raw("lon"), reveal)),
        alt_bad,
        precision_bad,
        reason_where(precision_out, "precision is negative"),
    )
    if reasons is None:
        ok = pa.repeat(pa.scalar(False), len(values))
        return GeoPoints(lat, lon, alt, precision, ok, None)
    failed = pc.is_valid(reasons)
    return GeoPoints(
        null_where(lat, failed),
        null_where(lon, failed),
        null_where(alt, failed),
        null_where(precision, failed),
        failed,
        reasons,
    )


def _outside(
    name: str, bounds: str, part: Callable[[], pa.Array], reveal: bool
) -> str | Callable[[], pa.Array]:
    if not reveal:
        return f"the {name} is outside {bounds}"
    return lambda: joined(f"{name} ", part(), f" is outside {bounds}")


@dataclass(frozen=True)
class GridCells:
    """Grid cells of positions: ids and centres (null where the position is null)."""

    cell: pa.Array
    """Cell id (its south-west corner), e.g. ``N05.60_W000.20``."""
    lat: pa.Array
    """Latitude of the cell centre."""
    lon: pa.Array
    """Longitude of the cell centre."""


def _decimals(cell_degrees: float) -> int:
    exponent = Decimal(repr(cell_degrees)).normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _axis(
    values: pa.Array,
    cell: float,
    limit: float,
    letters: tuple[str, str],
    width: int,
    places: int,
    labels: bool = True,
) -> tuple[pa.Array | None, pa.Array]:
    """Cell index -> (corner label or ``None`` without ``labels``, centre) along one axis."""
    # The top edge (90 N, 180 E) belongs to the last cell; a small epsilon keeps values on
    # a cell edge (5.65 / 0.05 = 112.999...) in the cell they start.
    clipped = pc.min_element_wise(values, limit - cell / 2, skip_nulls=False)
    index = pc.floor(pc.add(pc.divide(clipped, cell), 1e-9))
    centre = pc.round(pc.multiply(pc.add(index, 0.5), cell), places + 1)
    if not labels:
        return None, centre
    scale = 10**places
    units = pc.multiply(index, round(cell * scale)).cast(pa.int64())
    magnitude = pc.abs(units)
    whole = pc.divide(magnitude, scale).cast(pa.string())
    label = pc.utf8_lpad(whole, width, "0")
    if places:
        remainder = pc.subtract(magnitude, pc.multiply(pc.divide(magnitude, scale), scale))
        fraction = pc.utf8_lpad(remainder.cast(pa.string()), places, "0")
        label = joined(label, ".", fraction)
    hemisphere = pc.if_else(pc.less(units, 0), letters[1], letters[0])
    return joined(hemisphere, label), centre


def coarsen_to_grid(
    lat: ArrayLike, lon: ArrayLike, cell_degrees: float, *, labels: bool = True
) -> GridCells:
    """The grid cell of each position (see the module docs for cell ids).

    ``cell_degrees`` is the cell size in degrees (e.g. ``0.05``, about 5.5 km at the
    equator), from 0.000001 to 10, with at most 6 decimals. Without ``labels`` only the
    centres are computed (``cell`` is all null), which is faster.
    """
    if isinstance(cell_degrees, bool) or not isinstance(cell_degrees, int | float):
        raise ValueError(f"cell size must be a number of degrees, not {cell_degrees!r}")
    if not (math.isfinite(cell_degrees) and 1e-6 <= cell_degrees <= 10):
        raise ValueError(f"cell size {cell_degrees!r} degrees is not within 0.000001 to 10")
    places = _decimals(float(cell_degrees))
    if places > 6:
        raise ValueError(f"cell size {cell_degrees!r} has more than 6 decimals")
    lats = array(lat).cast(pa.float64())
    lons = array(lon).cast(pa.float64())
    size = float(cell_degrees)
    lat_label, lat_centre = _axis(lats, size, 90.0, ("N", "S"), 2, places, labels)
    lon_label, lon_centre = _axis(lons, size, 180.0, ("E", "W"), 3, places, labels)
    missing = pc.or_(pc.is_null(lats), pc.is_null(lons))
    if lat_label is None or lon_label is None:
        cells = pa.nulls(len(lats), pa.string())
    else:
        cells = joined(lat_label, "_", lon_label)
    return GridCells(
        cells,
        null_where(lat_centre, missing),
        null_where(lon_centre, missing),
    )
