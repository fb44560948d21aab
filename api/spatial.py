"""Spatial predicates in SQL for both backends, with a literal geometry as a bound parameter.

PostGIS evaluates them natively on the GIST-indexed geometry column; distances use
``geography`` (metres on the spheroid). SQLite first narrows the candidates with the collection's
bbox columns (plain comparisons) and then calls shapely through the functions ``core.db``
registers on every SQLite connection (``sp_relate``, ``sp_dwithin``), so only rows whose boxes
overlap the literal's box are decoded. Literals are always CRS84 (lon/lat) here.
"""

from __future__ import annotations

import math

import shapely
import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry

from core.geometry_type import SRID

#: A bbox corner coordinate: a number, or SQL that yields one (a bound parameter).
Coordinate = float | sa.ColumnElement[float]

#: CQL2 function → (PostGIS function, sp_relate predicate); every one but disjoint implies
#: that the two bounding boxes overlap, which is what lets SQLite prefilter on them.
RELATIONS = {
    "s_intersects": ("ST_Intersects", "intersects"),
    "s_equals": ("ST_Equals", "equals"),
    "s_disjoint": ("ST_Disjoint", "disjoint"),
    "s_touches": ("ST_Touches", "touches"),
    "s_within": ("ST_Within", "within"),
    "s_overlaps": ("ST_Overlaps", "overlaps"),
    "s_crosses": ("ST_Crosses", "crosses"),
    "s_contains": ("ST_Contains", "contains"),
}
#: Metres per degree of latitude, rounded down, so a degree margin computed from it is wide.
_METRES_PER_DEGREE = 110_000.0


class SpatialSql:
    """Predicates on one geometry column and its bbox columns."""

    def __init__(
        self,
        geometry: sa.ColumnElement[object],
        bbox: tuple[
            sa.ColumnElement[float],
            sa.ColumnElement[float],
            sa.ColumnElement[float],
            sa.ColumnElement[float],
        ],
        *,
        postgres: bool,
    ) -> None:
        self.geometry = geometry
        self.bbox = bbox
        self.postgres = postgres

    def intersects_box(
        self, minx: Coordinate, miny: Coordinate, maxx: Coordinate, maxy: Coordinate
    ) -> sa.ColumnElement[bool]:
        """The ``bbox`` parameter in CRS84: an envelope PostGIS indexes, the boxes on SQLite.

        The corners are numbers or SQL (bound parameters, see :mod:`api.page_statements`).
        """
        if self.postgres:
            envelope = sa.func.ST_MakeEnvelope(minx, miny, maxx, maxy, SRID)
            return sa.func.ST_Intersects(self.geometry, envelope, type_=sa.Boolean)
        return sa.and_(
            *self._boxes_overlap((minx, miny, maxx, maxy)),
            sa.func.sp_intersects_bbox(self.geometry, minx, miny, maxx, maxy) == 1,
        )

    def relate(self, function: str, literal: BaseGeometry) -> sa.ColumnElement[bool]:
        """``function(geometry column, literal)`` for a CQL2 spatial function name."""
        postgis, predicate = RELATIONS[function]
        if self.postgres:
            native: sa.ColumnElement[bool] = getattr(sa.func, postgis)(
                self.geometry, _postgis(literal), type_=sa.Boolean
            )
            return native
        exact = sa.func.sp_relate(predicate, self.geometry, _wkb(literal)) == 1
        if function == "s_disjoint":
            return exact
        return sa.and_(*self._boxes_overlap(literal.bounds), exact)

    def within_distance(self, literal: BaseGeometry, metres: float) -> sa.ColumnElement[bool]:
        """Whether the geometry lies within ``metres`` of ``literal`` (geodesic distance)."""
        near = expand_degrees(literal.bounds, metres)
        if self.postgres:
            envelope = sa.func.ST_MakeEnvelope(*near, SRID)
            geodesic = sa.func.ST_DWithin(
                sa.cast(self.geometry, _Geography()),
                sa.cast(_postgis(literal), _Geography()),
                metres,
                type_=sa.Boolean,
            )
            near_box = sa.func.ST_Intersects(self.geometry, envelope, type_=sa.Boolean)
            return sa.and_(near_box, geodesic)
        exact = sa.func.sp_dwithin(self.geometry, _wkb(literal), metres) == 1
        return sa.and_(*self._boxes_overlap(near), exact)

    def _boxes_overlap(
        self, bounds: tuple[Coordinate, Coordinate, Coordinate, Coordinate]
    ) -> list[sa.ColumnElement[bool]]:
        minx, miny, maxx, maxy = self.bbox
        return [minx <= bounds[2], maxx >= bounds[0], miny <= bounds[3], maxy >= bounds[1]]


def expand_degrees(
    bounds: tuple[float, float, float, float], metres: float
) -> tuple[float, float, float, float]:
    """``bounds`` grown by at least ``metres`` on every side, in degrees (a safe prefilter)."""
    minx, miny, maxx, maxy = bounds
    dlat = metres / _METRES_PER_DEGREE
    widest = min(max(abs(miny - dlat), abs(maxy + dlat)), 89.0)
    dlon = min(metres / (_METRES_PER_DEGREE * math.cos(math.radians(widest))), 360.0)
    return (minx - dlon, max(miny - dlat, -90.0), maxx + dlon, min(maxy + dlat, 90.0))


def _wkb(geometry: BaseGeometry) -> bytes:
    return bytes(shapely.to_wkb(geometry))


def _postgis(geometry: BaseGeometry) -> sa.ColumnElement[object]:
    text = shapely.to_wkt(geometry, rounding_precision=-1)
    return sa.func.ST_GeomFromText(sa.literal(text, sa.String()), SRID)


class _Geography(sa.types.UserDefinedType[object]):
    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "geography"
