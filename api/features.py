"""Items of a collection: SQL built around the collection's query, and GeoJSON rendering.

Filters, order and paging wrap ``collection.query()`` as a subquery, with bound parameters
only. On PostGIS the bbox filter is ``ST_Intersects`` with an envelope (so the GIST index is
used) and PostGIS writes each geometry as GeoJSON; on SQLite the bbox columns narrow the
candidates and ``sp_intersects_bbox`` (shapely) decides exactly, and shapely writes GeoJSON.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy.dialects.postgresql import JSON as PG_JSON
from sqlalchemy.engine import Connection

from api.params import BBox, ItemsQuery, Page, TimeFilter
from core.errors import InvalidParameter, NotFound
from core.geometry_type import SRID
from core.pilot import Collection


@dataclass(frozen=True)
class FeaturePage:
    features: list[dict[str, Any]]
    number_matched: int
    has_more: bool


class FeatureSource:
    """Statements over one collection for one backend (``postgres`` or SQLite)."""

    def __init__(self, collection: Collection, *, postgres: bool) -> None:
        self.collection = collection
        self.postgres = postgres
        self.source = collection.query().subquery("items")
        self.id = self.source.c[collection.id_column]
        self.geometry = self.source.c[collection.geometry_column]

    # -- filters -----------------------------------------------------------------------------

    def filters(self, query: ItemsQuery) -> list[sa.ColumnElement[bool]]:
        conditions: list[sa.ColumnElement[bool]] = []
        if query.bbox is not None:
            conditions += self._bbox(query.bbox)
        if query.time is not None:
            conditions += self._time(query.time)
        conditions += [self.source.c[name] == value for name, value in query.properties]
        return conditions

    def _bbox(self, bbox: BBox) -> list[sa.ColumnElement[bool]]:
        corners = (bbox.minx, bbox.miny, bbox.maxx, bbox.maxy)
        if self.postgres:
            # a bare function call as the condition, so the planner can use the GIST index
            envelope = sa.func.ST_MakeEnvelope(*corners, SRID)
            return [sa.func.ST_Intersects(self.geometry, envelope, type_=sa.Boolean)]
        minx, miny, maxx, maxy = (self.source.c[name] for name in self.collection.bbox_columns)
        return [
            minx <= bbox.maxx,
            maxx >= bbox.minx,
            miny <= bbox.maxy,
            maxy >= bbox.miny,
            sa.func.sp_intersects_bbox(self.geometry, *corners) == 1,
        ]

    def _time(self, time: TimeFilter) -> list[sa.ColumnElement[bool]]:
        name = self.collection.datetime_column
        if name is None:
            raise InvalidParameter(
                "datetime", f"the collection '{self.collection.id}' has no time to filter on"
            )
        column = self.source.c[name]
        if time.is_instant:
            return [column == time.start]
        conditions: list[sa.ColumnElement[bool]] = []
        if time.start is not None:
            conditions.append(column >= time.start)
        if time.end is not None:
            conditions.append(column <= time.end)
        return conditions

    # -- statements --------------------------------------------------------------------------

    def _columns(self) -> list[sa.ColumnElement[Any]]:
        if self.postgres:
            geometry: sa.ColumnElement[Any] = sa.cast(sa.func.ST_AsGeoJSON(self.geometry), PG_JSON)
        else:
            geometry = self.geometry
        properties = [self.source.c[name] for name in self.collection.properties]
        return [self.id, geometry.label("__geometry"), *properties]

    def page_statement(
        self, conditions: Sequence[sa.ColumnElement[bool]], page: Page
    ) -> sa.Select[Any]:
        """One row more than the page holds, so ``has_more`` needs no count (keyset-ready)."""
        statement = sa.select(*self._columns()).where(*conditions).order_by(self.id)
        return statement.limit(page.limit + 1).offset(page.offset)

    def count_statement(self, conditions: Sequence[sa.ColumnElement[bool]]) -> sa.Select[Any]:
        return sa.select(sa.func.count()).select_from(self.source).where(*conditions)

    def feature_statement(self, feature_id: str) -> sa.Select[Any]:
        return sa.select(*self._columns()).where(self.id == feature_id)

    # -- execution ---------------------------------------------------------------------------

    def fetch_page(self, conn: Connection, query: ItemsQuery) -> FeaturePage:
        conditions = self.filters(query)
        rows = conn.execute(self.page_statement(conditions, query.page)).all()
        has_more = len(rows) > query.page.limit
        features = [self.render(row) for row in rows[: query.page.limit]]
        matched = conn.execute(self.count_statement(conditions)).scalar_one()
        return FeaturePage(features, int(matched), has_more)

    def fetch_feature(self, conn: Connection, feature_id: str) -> dict[str, Any]:
        row = conn.execute(self.feature_statement(feature_id)).first()
        if row is None:
            raise NotFound(f"the collection '{self.collection.id}' has no feature '{feature_id}'")
        return self.render(row)

    def render(self, row: Sequence[Any]) -> dict[str, Any]:
        """A GeoJSON feature from ``(id, geometry, *properties)``."""
        geometry = row[1]
        if isinstance(geometry, BaseGeometry):
            geometry = None if geometry.is_empty else mapping(geometry)
        return {
            "type": "Feature",
            "id": row[0],
            "geometry": geometry,
            "properties": {
                name: json_value(value)
                for name, value in zip(self.collection.properties, row[2:], strict=True)
            },
        }


def rfc3339(value: datetime) -> str:
    """UTC with a 'Z'; a naive value is taken to be UTC already (the storage convention)."""
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return utc.isoformat().replace("+00:00", "Z")


def json_value(value: Any) -> Any:
    """A database value as JSON: RFC 3339 times, finite numbers (NaN/∞ become null)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return json_value(float(value))
    if isinstance(value, list | dict):
        return value
    return str(value)
