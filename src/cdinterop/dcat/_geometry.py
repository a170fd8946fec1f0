"""Geometries of ``dct:Location`` nodes: WKT and GeoJSON literals to the model's WKT, bounding
boxes and centroids.

GeoSPARQL literals carry a geometry as WKT (``gsp:wktLiteral``, optionally preceded by the IRI
of its coordinate reference system) or GeoJSON (``gsp:geoJSONLiteral``). The model keeps WKT
([`AreaExtent.geometry`][cdinterop.model.AreaExtent]); a GeoJSON geometry is turned into the
same WKT. Bounding boxes (``dcat:bbox``) and centroids (``dcat:centroid``) are read only in
longitude/latitude (no reference system, or OGC CRS84), since another one would need a
coordinate transformation.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from rdflib import Literal

from cdinterop.model._internal import WKT_PATTERN

__all__ = ["CRS84", "box_of", "geometry_text", "point_of"]

CRS84 = (
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "http://www.opengis.net/def/crs/OGC/0/CRS84",
)
"""IRIs of the longitude/latitude reference system GeoSPARQL assumes by default."""

_GEOJSON_DATATYPE = "http://www.opengis.net/ont/geosparql#geoJSONLiteral"
_WKT_START = re.compile(r"^\s*(<[^<>\s]+>\s+)?([A-Za-z]+)")
_NUMBER = r"[+\-]?(\d+(\.\d*)?|\.\d+)([eE][+\-]?\d+)?"
_PAIR = re.compile(rf"({_NUMBER})\s+({_NUMBER})")
_CRS = re.compile(r"^\s*<([^<>\s]+)>\s+")


def geometry_text(literal: Literal) -> tuple[str | None, str | None]:
    """The WKT of a WKT or GeoJSON literal, and a note on how it was changed (``None`` when
    it is kept as given); ``(None, reason)`` when it is neither."""
    text = str(literal).strip()
    if str(literal.datatype or "") == _GEOJSON_DATATYPE or text.startswith("{"):
        wkt = _geojson_wkt(text)
        if wkt is None:
            return None, "not a GeoJSON point, line or polygon geometry"
        return wkt, f"GeoJSON read as WKT {_short(wkt)!r}"
    match = _WKT_START.match(text)
    if match is None:
        return None, "not a WKT or GeoJSON geometry"
    start, end = match.span(2)
    upper = text[:start] + text[start:end].upper() + text[end:]
    if not re.match(WKT_PATTERN, upper):
        return None, "not a WKT geometry the model can hold"
    return upper, None if upper == text else f"read as {_short(upper)!r}"


def _crs_ok(text: str) -> bool:
    match = _CRS.match(text)
    return match is None or match.group(1) in CRS84


def _pairs(text: str) -> list[tuple[float, float]]:
    body = _CRS.sub("", text)
    return [(float(m.group(1)), float(m.group(5))) for m in _PAIR.finditer(body)]


def box_of(text: str) -> tuple[float, float, float, float] | None:
    """``(west, south, east, north)`` of a longitude/latitude WKT geometry (its envelope), or
    ``None`` (another reference system, no coordinates, out of range)."""
    if not _crs_ok(text):
        return None
    pairs = _pairs(text)
    if not pairs:
        return None
    lons = [lon for lon, _ in pairs]
    lats = [lat for _, lat in pairs]
    box = (min(lons), min(lats), max(lons), max(lats))
    if not all(math.isfinite(v) for v in box):
        return None
    if not (-180 <= box[0] <= box[2] <= 180 and -90 <= box[1] <= box[3] <= 90):
        return None
    return box


def point_of(text: str) -> tuple[float, float] | None:
    """Longitude and latitude of a WKT ``POINT``, or ``None``."""
    if not _crs_ok(text) or not re.match(r"^\s*(<[^<>\s]+>\s+)?POINT\s*\(", text, re.I):
        return None
    pairs = _pairs(text)
    if len(pairs) != 1:
        return None
    lon, lat = pairs[0]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return lon, lat


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _num(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("not a finite number")
    return str(value) if isinstance(value, int) else repr(value)


def _position(p: Any) -> str:
    if not isinstance(p, list) or len(p) < 2:
        raise ValueError("not a position")
    return " ".join(_num(v) for v in p[:2])


def _line(points: Any) -> str:
    if not isinstance(points, list):
        raise ValueError("not a list of positions")
    return "(" + ",".join(_position(p) for p in points) + ")"


def _polygon(rings: Any) -> str:
    if not isinstance(rings, list):
        raise ValueError("not a list of rings")
    return "(" + ",".join(_line(r) for r in rings) + ")"


def _point(c: Any) -> str:
    return f"({_position(c)})"


def _multi(write: Callable[[Any], str]) -> Callable[[Any], str]:
    def many(c: Any) -> str:
        if not isinstance(c, list):
            raise ValueError("not a list")
        return "(" + ",".join(write(x) for x in c) + ")"

    return many


_GEOJSON_WKT: dict[str, tuple[str, Callable[[Any], str]]] = {
    "Point": ("POINT", _point),
    "LineString": ("LINESTRING", _line),
    "Polygon": ("POLYGON", _polygon),
    "MultiPoint": ("MULTIPOINT", _multi(_point)),
    "MultiLineString": ("MULTILINESTRING", _multi(_line)),
    "MultiPolygon": ("MULTIPOLYGON", _multi(_polygon)),
}


def _geojson_wkt(text: str) -> str | None:
    try:
        data = json.loads(text)
        kind, write = _GEOJSON_WKT[data["type"]]
        return f"{kind}{write(data['coordinates'])}"
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
