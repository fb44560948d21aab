"""Items of a collection: SQL built around the collection's query, and feature records.

Filters, order and paging wrap ``collection.query()`` as a subquery, with bound parameters
only. On PostGIS spatial filters run on the GIST-indexed geometry and, for GeoJSON, PostGIS
transforms and writes each geometry itself; on SQLite the bbox columns narrow the candidates,
shapely decides exactly (see :mod:`api.spatial`) and shapely writes the geometry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import sqlalchemy as sa
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy.dialects.postgresql import JSON as PG_JSON
from sqlalchemy.engine import Connection, Engine

from api import bounded, paging, values
from api.cql2.sql import QUERYABLE_KINDS, FilterContext, to_sql
from api.crs import CRS84, Crs, box_to_storage, from_storage
from api.params import BBox, ItemsQuery, TimeFilter
from api.queryables import GEOMETRY, queryable_types, sortables
from api.spatial import SpatialSql
from api.statement_cache import StatementCache
from api.values import json_value as json_value  # re-exported: routes import them from here
from api.values import rfc3339 as rfc3339
from core.errors import InvalidParameter, NotFound
from core.pilot import Collection

#: ``geojson``: geometry as a GeoJSON object (written by PostGIS where it can);
#: ``shapely``: a shapely geometry in the output CRS, for formats that write their own.
GeometryForm = Literal["geojson", "shapely"]


#: The one-feature statements, and the name of their bound id.
BY_ID = StatementCache()
FEATURE_ID = "feature_id"

#: At most this many matches are sorted apart from the key order when counting is not capped
#: (see :mod:`api.bounded`); capped counting uses its cap.
BOUND = 10_000


@dataclass(frozen=True)
class Counting:
    """How ``numberMatched`` is found: ``exact`` always counts, ``off`` never, and ``capped``
    counts up to ``cap`` matches and omits the number above that."""

    mode: Literal["exact", "capped", "off"] = "capped"
    cap: int = 10_000


@dataclass(frozen=True)
class FeaturePage:
    features: list[dict[str, Any]]
    number_matched: int | None
    next_cursor: str | None
    prev_cursor: str | None


@dataclass(frozen=True)
class Probe:
    """What :meth:`FeatureSource._probe` found: the page's rows (``None``: too many matches,
    walk the key order instead) and ``numberMatched``, final when ``counted``."""

    rows: list[Any] | None
    matched: int | None
    counted: bool


class FeatureSource:
    """Statements over one collection for one backend (``postgres`` or SQLite)."""

    def __init__(
        self,
        collection: Collection,
        *,
        postgres: bool,
        crs: Crs = CRS84,
        geometry_form: GeometryForm = "geojson",
        select: Sequence[str] | None = None,
        skip_geometry: bool = False,
    ) -> None:
        self.collection = collection
        self.postgres = postgres
        self.crs = crs
        self.geometry_form = geometry_form
        self.skip_geometry = skip_geometry
        self.source = items_subquery(collection.query)
        self.id = self.source.c[collection.id_column]
        self.geometry = self.source.c[collection.geometry_column]
        bbox = tuple(self.source.c[name] for name in collection.bbox_columns)
        self.spatial = SpatialSql(self.geometry, bbox, postgres=postgres)  # type: ignore[arg-type]
        self.properties = self._selected(select)
        self._converters = [
            (name, convert) for name in self.properties
            if (convert := values.converter(self.source.c[name].type)) is not None
        ]

    def _selected(self, select: Sequence[str] | None) -> tuple[str, ...]:
        if select is None:
            return self.collection.properties
        unknown = [name for name in select if name not in self.collection.properties]
        if unknown:
            known = ", ".join(self.collection.properties)
            raise InvalidParameter(
                "properties", f"unknown property '{unknown[0]}'; the properties are {known}"
            )
        return tuple(select)

    # -- filters -----------------------------------------------------------------------------

    def filters(self, query: ItemsQuery) -> list[sa.ColumnElement[bool]]:
        conditions: list[sa.ColumnElement[bool]] = []
        if query.bbox is not None:
            conditions.append(self._bbox(query.bbox, query.bbox_crs))
        if query.time is not None:
            conditions += self._time(query.time)
        conditions += [self.source.c[name] == value for name, value in query.equals]
        if query.filter is not None:
            context = FilterContext(
                columns=self._queryable_columns(),
                kinds={
                    name: QUERYABLE_KINDS.get(kind, "string")
                    for name, kind in queryable_types(self.collection).items()
                },
                spatial=self.spatial,
                crs=query.filter.crs,
                postgres=self.postgres,
            )
            conditions.append(to_sql(query.filter.predicate, context))
        return conditions

    def _queryable_columns(self) -> dict[str, sa.ColumnElement[Any]]:
        return {
            name: self.geometry if name == GEOMETRY else self.source.c[name]
            for name in queryable_types(self.collection)
        }

    def _bbox(self, bbox: BBox, crs: Crs) -> sa.ColumnElement[bool]:
        corners = (bbox.minx, bbox.miny, bbox.maxx, bbox.maxy)
        if crs.is_storage:
            return self.spatial.intersects_box(*corners)
        return self.spatial.relate("s_intersects", box_to_storage(corners, crs))

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

    # -- order -------------------------------------------------------------------------------

    def keys(self, query: ItemsQuery) -> list[paging.Key]:
        allowed = sortables(self.collection)
        keys = []
        for sort in query.sortby:
            if sort.name not in allowed:
                raise InvalidParameter(
                    "sortby", f"cannot sort by '{sort.name}'; sortable are {', '.join(allowed)}"
                )
            if sort.name == self.collection.id_column:
                keys.append(paging.Key(self.id, sort.descending, nullable=False))
                return keys  # the id is unique: nothing after it can matter
            keys.append(paging.Key(self.source.c[sort.name], sort.descending))
        return [*keys, paging.Key(self.id, nullable=False)]

    # -- statements --------------------------------------------------------------------------

    def _geometry_column(self) -> sa.ColumnElement[Any]:
        if self.skip_geometry:
            return sa.null()
        if not (self.postgres and self.geometry_form == "geojson"):
            return self.geometry
        geometry: sa.ColumnElement[Any] = self.geometry
        if self.crs.srid != CRS84.srid:
            geometry = sa.func.ST_Transform(geometry, self.crs.srid)
        if self.crs.lat_first:
            geometry = sa.func.ST_FlipCoordinates(geometry)
        return sa.cast(sa.func.ST_AsGeoJSON(geometry, 9, 0), PG_JSON)

    def _columns(self) -> list[sa.ColumnElement[Any]]:
        properties = [self.source.c[name] for name in self.properties]
        return [self.id, self._geometry_column().label("__geometry"), *properties]

    def page_statement(
        self,
        conditions: Sequence[sa.ColumnElement[bool]],
        keys: Sequence[paging.Key],
        limit: int,
        offset: int,
        cursor: paging.Cursor | None,
    ) -> sa.Select[Any]:
        """One row more than the page holds, so whether there is more needs no count."""
        backwards = cursor is not None and cursor.backwards
        where = list(conditions)
        if cursor is not None:
            where.append(paging.beyond(keys, cursor))
        key_columns = [key.column.label(f"__key{k}") for k, key in enumerate(keys)]
        statement = sa.select(*self._columns(), *key_columns).where(*where)
        statement = statement.order_by(*paging.order_by(keys, backwards=backwards))
        return statement.limit(limit + 1).offset(offset)

    def count_statement(
        self, conditions: Sequence[sa.ColumnElement[bool]], cap: int | None
    ) -> sa.Select[Any]:
        if cap is None:
            return sa.select(sa.func.count()).select_from(self.source).where(*conditions)
        capped = sa.select(sa.literal(1)).select_from(self.source).where(*conditions)
        return sa.select(sa.func.count()).select_from(capped.limit(cap + 1).subquery())

    def feature_statement(self, feature_id: str) -> sa.Select[Any]:
        return sa.select(*self._columns()).where(self.id == feature_id)

    def _by_id(self) -> sa.Select[Any]:
        """:meth:`feature_statement` with the id bound at execution, built once per shape."""
        shape = (self.collection.query, self.collection.id_column,
                 self.collection.geometry_column, self.properties, self.postgres, self.crs,
                 self.geometry_form, self.skip_geometry)
        return BY_ID.get(shape, lambda: sa.select(*self._columns()).where(
            self.id == sa.bindparam(FEATURE_ID, type_=self.id.type)
        ))

    # -- execution ---------------------------------------------------------------------------

    def fetch_page(
        self, conn: Connection, query: ItemsQuery, counting: Counting = Counting()
    ) -> FeaturePage:
        conditions = self.filters(query)
        keys = self.keys(query)
        page = query.page
        cursor = None if page.cursor is None else paging.decode(page.cursor, keys, query.sortby)
        first_page = cursor is None and page.offset == 0
        probe = self._probe(conn, conditions, keys, query, cursor, counting)
        rows = probe.rows if probe is not None else None
        if rows is None:
            statement = self.page_statement(conditions, keys, page.limit, page.offset, cursor)
            rows = list(conn.execute(statement).all())
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        backwards = cursor is not None and cursor.backwards
        if backwards:
            rows.reverse()
        width = 2 + len(self.properties)

        def token(row: Sequence[Any], back: bool) -> str:
            return paging.encode(row[width : width + len(keys)], backwards=back,
                                 sortby=query.sortby)

        after = rows and (more if not backwards else True)
        before = rows and ((cursor is not None or page.offset > 0) if not backwards else more)
        if probe is not None and probe.counted:
            matched = probe.matched
        else:
            matched = self._count(conn, conditions, counting, len(rows), more, first_page)
        return FeaturePage(
            features=[self.render(row[:width]) for row in rows],
            number_matched=None if counting.mode == "off" else matched,
            next_cursor=token(rows[-1], False) if after else None,
            prev_cursor=token(rows[0], True) if before else None,
        )

    def _probe(
        self,
        conn: Connection,
        conditions: Sequence[sa.ColumnElement[bool]],
        keys: Sequence[paging.Key],
        query: ItemsQuery,
        cursor: paging.Cursor | None,
        counting: Counting,
    ) -> Probe | None:
        """A filtered page the way :mod:`api.bounded` finds it; ``None`` without a filter."""
        if not conditions:
            return None
        bound = counting.cap if counting.mode == "capped" else BOUND
        statement = bounded.page_statement(
            self._columns(), self.source, self.id, conditions, keys,
            limit=query.page.limit, offset=query.page.offset, cursor=cursor, bound=bound,
        )
        rows = list(conn.execute(statement).all())
        if not rows:
            if cursor is None and query.page.offset == 0:
                return Probe(rows, 0, counted=True)  # not a single match
            # Past the end of the matches, or of the first bound + 1 of many: no row says
            # which, so walk the key order (and count apart if asked).
            return Probe(None, None, counted=False)
        matched = int(rows[0]._mapping[bounded.MATCHED])
        if matched <= bound:
            return Probe(rows, matched, counted=True)
        # Too many to sort apart: walk the key order. Capped counting omits the number now.
        return Probe(None, None, counted=counting.mode != "exact")

    def _count(
        self,
        conn: Connection,
        conditions: Sequence[sa.ColumnElement[bool]],
        counting: Counting,
        returned: int,
        more: bool,
        first_page: bool,
    ) -> int | None:
        if counting.mode == "off":
            return None
        if first_page and not more:
            return returned  # the whole result is on this page: counted for free
        cap = None if counting.mode == "exact" else counting.cap
        matched = int(conn.execute(self.count_statement(conditions, cap)).scalar_one())
        return None if cap is not None and matched > cap else matched

    def fetch_feature(self, conn: Connection, feature_id: str) -> dict[str, Any]:
        row = conn.execute(self._by_id(), {FEATURE_ID: feature_id}).first()
        if row is None:
            raise NotFound(f"the collection '{self.collection.id}' has no feature '{feature_id}'")
        return self.render(row)

    def render(self, row: Sequence[Any]) -> dict[str, Any]:
        """A GeoJSON-shaped feature from ``(id, geometry, *properties)``.

        In the ``shapely`` form the geometry stays a shapely object (in the output CRS).
        """
        geometry = row[1]
        if isinstance(geometry, BaseGeometry):
            if geometry.is_empty:
                geometry = None
            else:
                geometry = from_storage(geometry, self.crs)
                if self.geometry_form == "geojson":
                    geometry = mapping(geometry)
        return {
            "type": "Feature",
            "id": row[0],
            "geometry": geometry,
            "properties": self._properties(row),
        }

    def _properties(self, row: Sequence[Any]) -> dict[str, Any]:
        """Values as JSON: most columns already are, only the others are converted."""
        properties = dict(zip(self.properties, row[2:], strict=True))
        for name, convert in self._converters:
            value = properties[name]
            if value is not None:
                properties[name] = convert(value)
        return properties


@lru_cache(maxsize=256)
def items_subquery(query: Callable[[], sa.Select[Any]]) -> sa.Subquery:
    """A collection's query as the ``items`` subquery, built once per query function.

    Building it (and its column collection) cost more than running a one-feature request.
    Core constructs are immutable once built; ``.c`` is filled here, before the subquery is
    shared between request threads, so no thread ever fills it lazily under another's feet.
    """
    subquery = query().subquery("items")
    _ = subquery.c
    return subquery


def read_only(engine: Engine) -> Connection:
    """A connection for one request that only reads, in autocommit mode.

    Without a transaction to open and roll back, a page costs one round trip per statement
    rather than BEGIN + statements + ROLLBACK. A read-only request loses nothing: under READ
    COMMITTED each statement had its own snapshot anyway, and a page and its count come from
    a single statement where that matters (:mod:`api.bounded`).
    """
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")
