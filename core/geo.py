"""Coordinate reference systems: parse what suppliers declare, reproject to EPSG:4326, sanity-check.

Flemish suppliers deliver WGS84, Lambert 72 (EPSG:31370) or Lambert 2008 (EPSG:3812). A file
with Lambert metres but no declared CRS is the most common mistake, so it is detected (values
outside the longitude/latitude range) and reported as such rather than as "outside Belgium".
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import CRS, Transformer
from shapely import transform
from shapely.geometry.base import BaseGeometry

from core.errors import InvalidCrs

WGS84 = "EPSG:4326"
SUPPORTED_CRS = ("EPSG:4326", "EPSG:31370", "EPSG:3812", "EPSG:3857", "OGC:CRS84")

#: Belgium's bounding box in lon/lat with a small margin (coastal waters, border bays).
BELGIUM_BOUNDS = (2.38, 49.45, 6.55, 51.56)

_ALIASES = {
    "CRS84": "OGC:CRS84",
    "WGS84": "EPSG:4326",
    "LAMBERT72": "EPSG:31370",
    "LAMBERT2008": "EPSG:3812",
}


def parse_crs(text: str) -> str:
    """Normalise ``EPSG:31370``, ``31370``, an OGC CRS URI or an alias to ``AUTH:CODE``."""
    candidate = text.strip()
    upper = candidate.upper().replace(" ", "")
    if upper in _ALIASES:
        return _ALIASES[upper]
    if upper.isdigit():
        candidate = f"EPSG:{upper}"
    elif "/DEF/CRS/" in upper:
        authority, _version, code = candidate.rstrip("/").split("/")[-3:]
        candidate = f"{authority.upper()}:{code}"
    elif upper.startswith("URN:OGC:DEF:CRS:"):
        parts = candidate.split(":")
        candidate = f"{parts[4].upper()}:{parts[-1]}"
    normalised = candidate.upper()
    if normalised not in SUPPORTED_CRS:
        raise InvalidCrs(f"unsupported CRS '{text}'; use one of {', '.join(SUPPORTED_CRS)}")
    return normalised


@lru_cache(maxsize=16)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(
        CRS.from_user_input(source), CRS.from_user_input(target), always_xy=True
    )


def reproject(geometry: BaseGeometry, source_crs: str, target_crs: str) -> BaseGeometry:
    """``geometry`` (x/east first) from ``source_crs`` to ``target_crs``."""
    transformer = _transformer(source_crs, target_crs)
    return transform(
        geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


def to_wgs84(geometry: BaseGeometry, source_crs: str) -> BaseGeometry:
    """Reproject ``geometry`` from ``source_crs`` to lon/lat."""
    if source_crs in (WGS84, "OGC:CRS84"):
        return geometry
    return reproject(geometry, source_crs, WGS84)


def looks_projected(geometry: BaseGeometry) -> bool:
    """True when coordinates cannot be longitude/latitude (metres of a projected CRS)."""
    minx, miny, maxx, maxy = geometry.bounds
    return bool(minx < -180 or maxx > 180 or miny < -90 or maxy > 90)


def inside_belgium(geometry: BaseGeometry) -> bool:
    minx, miny, maxx, maxy = geometry.bounds
    bminx, bminy, bmaxx, bmaxy = BELGIUM_BOUNDS
    return bool(minx >= bminx and maxx <= bmaxx and miny >= bminy and maxy <= bmaxy)


METRIC_CRS = "EPSG:3812"  # Lambert 2008: metres, conformal over all of Belgium


def metric_area(geometry: BaseGeometry) -> float:
    """The area in square metres of a lon/lat geometry, computed in Lambert 2008."""
    return float(reproject(geometry, WGS84, METRIC_CRS).area)
