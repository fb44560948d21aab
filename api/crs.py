"""OGC API - Features Part 2: the coordinate reference systems the API serves and accepts.

Storage is lon/lat on WGS 84 (CRS84), so every other CRS is a transformation on the way out
(``crs``) or on the way in (``bbox-crs``, ``filter-crs``). Each CRS is named by its OGC URI;
EPSG:4326 keeps its authority axis order (latitude first), as Part 2 requires, while CRS84 and
the projected systems are easting/x first.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from core.errors import InvalidParameter
from core.geo import reproject


@dataclass(frozen=True)
class Crs:
    """One supported CRS: its URI, the EPSG code pyproj and PostGIS know it by, axis order."""

    uri: str
    code: str
    srid: int
    #: True when the CRS's first axis is northing/latitude (EPSG:4326), so x and y swap.
    lat_first: bool = False
    geographic: bool = False

    @property
    def is_storage(self) -> bool:
        """Coordinates come out of storage as they are (CRS84 is the storage CRS)."""
        return self.uri == CRS84.uri

    @property
    def header(self) -> str:
        """The value of the ``Content-Crs`` response header."""
        return f"<{self.uri}>"


CRS84 = Crs(
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84", 4326, geographic=True
)
EPSG_4326 = Crs(
    "http://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:4326", 4326, lat_first=True,
    geographic=True,
)
SUPPORTED: tuple[Crs, ...] = (
    CRS84,
    EPSG_4326,
    Crs("http://www.opengis.net/def/crs/EPSG/0/3857", "EPSG:3857", 3857),
    Crs("http://www.opengis.net/def/crs/EPSG/0/31370", "EPSG:31370", 31370),
    Crs("http://www.opengis.net/def/crs/EPSG/0/3812", "EPSG:3812", 3812),
)
_BY_URI = {crs.uri: crs for crs in SUPPORTED}
#: Other spellings clients send: ``EPSG:3857``, ``[EPSG:3857]`` (safe CURIE), ``https://``.
_BY_ALIAS = {
    **{crs.code.lower(): crs for crs in SUPPORTED},
    **{f"[{crs.code.lower()}]": crs for crs in SUPPORTED},
    **{crs.uri.replace("http://", "https://").lower(): crs for crs in SUPPORTED},
    **{crs.uri.lower(): crs for crs in SUPPORTED},
}


def supported_uris() -> list[str]:
    return [crs.uri for crs in SUPPORTED]


def parse_crs(value: str, parameter: str) -> Crs:
    """The supported CRS named by ``value``; anything else is a 400 naming the parameter."""
    text = value.strip()
    crs = _BY_URI.get(text) or _BY_ALIAS.get(text.lower())
    if crs is None:
        raise InvalidParameter(
            parameter,
            f"the CRS '{value}' is not supported; use one of {', '.join(supported_uris())}",
        )
    return crs


def to_storage(geometry: BaseGeometry, crs: Crs) -> BaseGeometry:
    """A geometry given in ``crs`` (in that CRS's axis order) as CRS84 lon/lat."""
    if crs.lat_first:
        geometry = swap_xy(geometry)
    if crs.srid == CRS84.srid:
        return geometry
    return reproject(geometry, crs.code, CRS84.code)


def from_storage(geometry: BaseGeometry, crs: Crs) -> BaseGeometry:
    """A CRS84 geometry in ``crs``, in that CRS's axis order."""
    if crs.srid != CRS84.srid:
        geometry = reproject(geometry, CRS84.code, crs.code)
    return swap_xy(geometry) if crs.lat_first else geometry


def swap_xy(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geometry, lambda xy: xy[:, ::-1])


def box_to_storage(corners: tuple[float, float, float, float], crs: Crs) -> BaseGeometry:
    """The area of a ``bbox`` given in ``crs`` as a CRS84 polygon.

    A rectangle in Lambert metres is not a rectangle in lon/lat, so its edges are densified
    before reprojection; the result is what the spatial filter tests against, not its envelope.
    """
    first_min, second_min, first_max, second_max = corners
    if crs.lat_first:  # EPSG:4326 boxes are minLat,minLon,maxLat,maxLon
        area = box(second_min, first_min, second_max, first_max)
        return area
    area = box(first_min, second_min, first_max, second_max)
    if crs.srid == CRS84.srid:
        return area
    span = max(first_max - first_min, second_max - second_min)
    densified = shapely.segmentize(area, span / 32) if span > 0 else area
    return reproject(densified, crs.code, CRS84.code)
