"""Items of a collection: SQL built around the collection's query, and feature records.

Filters, order and paging wrap ``collection.query()`` as a subquery, with bound parameters
only. On PostGIS spatial filters run on the GIST-indexed geometry and, for GeoJSON, PostGIS
transforms and writes each geometry itself; on SQLite the bbox columns narrow the candidates,
shapely decides exactly (see :mod:`api.spatial`) and shapely writes the geometry.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import sqlalchemy as sa
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy.dialects.postgresql import JSON as PG_JSON
from sqlalchemy.engine import Connection, Dialect, Engine

from api import bounded, feature_sql, group_walk, page_statements, paging, values
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


#: The one-feature statements, the same compiled to SQL text, and the name of their bound id.
BY_ID: StatementCache[sa.Select[Any]] = StatementCache()
BY_ID_SQL: StatementCache[tuple[str, dict[str, Any]]] = StatementCache()
FEATURE_ID = "feature_id"

#: At most this many matches are sorted apart from the key order when counting is not capped
#: (see :mod:`api.bounded`); capped counting uses its cap. Also the most keys a group walk
#: reads (:mod:`api.group_walk`).
BOUND = 10_000


@dataclass(frozen=True)
class Counting:
    """How ``numberMatched`` is found: ``exact`` always counts, ``off`` never, and ``capped``
    counts up to ``cap`` matches and omits the number above that."""

    mode: Literal["exact", "capped", "off"] = "capped"
    cap: int = 10_000


@dataclass(frozen=True)
class FeaturePage:
    """A page's features as dicts or, from a source in ``text`` mode, as GeoJSON ``texts``
    (and ``features`` empty)."""

    features: list[dict[str, Any]]
    number_matched: int | None
    next_cursor: str | None
    prev_cursor: str | None
    texts: list[str] | None = None

    @property
    def returned(self) -> int:
        return len(self.texts) if self.texts is not None else len(self.features)


#: What :meth:`FeatureSource.page_steps` yields (a statement and its values), is sent (the
#: statement's rows) and returns.
PageSteps = Generator[tuple[sa.Select[Any], dict[str, Any]], list[Sequence[Any]], FeaturePage]


@dataclass(frozen=True)
class Probe:
    """What the group walk or the bounded page found: the page's rows (``None``: too many
    matches, walk the key order instead) and ``numberMatched``, final when ``counted``."""

    rows: list[Sequence[Any]] | None
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
        text: bool = False,
    ) -> None:
        """``text``: on PostGIS, for GeoJSON, have PostgreSQL write each feature's JSON text
        (:mod:`api.feature_sql`); :attr:`text` says whether it could."""
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
        self._converters = _converters(self.source, self.properties)
        self._feature_sql = None
        if text and postgres and geometry_form == "geojson":
            self._feature_sql = feature_sql.items_feature_text(
                self.source, collection.id_column, collection.geometry_column, crs,
                skip_geometry, self.properties,
            )
        self.text = self._feature_sql is not None
        #: How many leading columns of a row make the feature (the rest are paging keys).
        self.width = 2 if self.text else 2 + len(self.properties)

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

    def _bbox(
        self, bbox: BBox, crs: Crs, spatial: SpatialSql | None = None
    ) -> sa.ColumnElement[bool]:
        """In CRS84 the corners are bound per request (:mod:`api.page_statements`).
        ``spatial``: the columns to test, the collection's unless given."""
        spatial = spatial or self.spatial
        if crs.is_storage:
            return spatial.intersects_box(*page_statements.bound_bbox())
        corners = (bbox.minx, bbox.miny, bbox.maxx, bbox.maxy)
        return spatial.relate("s_intersects", box_to_storage(corners, crs))

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
        return sa.cast(feature_sql.geojson(self.geometry, self.crs), PG_JSON)

    def _columns(self) -> list[sa.ColumnElement[Any]]:
        if self._feature_sql is not None:
            return [self.id, self._feature_sql.label("__feature")]
        properties = [self.source.c[name] for name in self.properties]
        return [self.id, self._geometry_column().label("__geometry"), *properties]

    def page_statement(
        self,
        conditions: Sequence[sa.ColumnElement[bool]],
        keys: Sequence[paging.Key],
        cursor: paging.Cursor | None,
    ) -> sa.Select[Any]:
        """One row more than the page holds, so whether there is more needs no count; the
        limit and offset are bound (:mod:`api.page_statements`)."""
        backwards = cursor is not None and cursor.backwards
        where = list(conditions)
        if cursor is not None:
            where.append(paging.beyond(keys, cursor))
        key_columns = [key.column.label(f"__key{k}") for k, key in enumerate(keys)]
        statement = sa.select(*self._columns(), *key_columns).where(*where)
        statement = statement.order_by(*paging.order_by(keys, backwards=backwards))
        rows, offset = page_statements.bound_rows()
        return statement.limit(rows).offset(offset)

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
        return BY_ID.get(self._shape(), lambda: sa.select(*self._columns()).where(
            self.id == sa.bindparam(FEATURE_ID, type_=self.id.type)
        ))

    def by_id_sql(self, dialect: Dialect) -> tuple[str, dict[str, Any]]:
        """:meth:`_by_id` as the driver's SQL text and parameters (set :data:`FEATURE_ID`
        in a copy), for reading without SQLAlchemy's per-execution work (:mod:`api.pg_reads`).

        Only for statements whose parameters need no bind processing: the id column's type
        is a plain string or integer (which is what the fast path is offered for).
        """
        def build() -> tuple[str, dict[str, Any]]:
            compiled = self._by_id().compile(dialect=dialect)
            return str(compiled), dict(compiled.params)

        return BY_ID_SQL.get((self._shape(), dialect.name), build)

    def plain_id(self, dialect: Dialect) -> bool:
        """Whether the id binds as it is, a string without conversion (see :meth:`by_id_sql`)."""
        type_ = self.id.type
        return (
            isinstance(getattr(type_, "impl_instance", type_), sa.String)
            and type_.bind_processor(dialect) is None
        )

    def _shape(self) -> tuple[Any, ...]:
        """What the one-feature statement depends on."""
        return (self.collection.query, self.collection.id_column,
                self.collection.geometry_column, self.properties, self.postgres, self.crs,
                self.geometry_form, self.skip_geometry, self.text)

    # -- execution ---------------------------------------------------------------------------

    def fetch_page(
        self, conn: Connection, query: ItemsQuery, counting: Counting = Counting()
    ) -> FeaturePage:
        """The page, read on ``conn`` (see :meth:`page_steps`)."""
        steps = self.page_steps(
            query, counting, bytewise=lambda: group_walk.compares_bytewise(conn)
        )
        try:
            statement, values = next(steps)
            while True:
                statement, values = steps.send(list(conn.execute(statement, values).all()))
        except StopIteration as done:
            page: FeaturePage = done.value
            return page

    def page_steps(
        self, query: ItemsQuery, counting: Counting, bytewise: Callable[[], bool]
    ) -> PageSteps:
        """The statements that find the page, one at a time, and then the page.

        A generator that yields ``(statement, values)`` and is sent the rows each returns (as
        sequences, the columns in the statement's order), so the same logic runs on a
        SQLAlchemy connection in a thread (:meth:`fetch_page`) and on the event loop's own
        connections (:mod:`api.async_pages`). ``bytewise`` says whether the database compares
        text byte by byte; it is asked only when a group walk could find the page.
        """
        keys = self.keys(query)
        page = query.page
        cursor = None if page.cursor is None else paging.decode(page.cursor, keys, query.sortby)
        first_page = cursor is None and page.offset == 0
        bound = counting.cap if counting.mode == "capped" else BOUND
        values = page_statements.bound_values(query)
        statements = page_statements.Statements(
            page_statements.shape_key(self._shape(), query, cursor, bound)
        )
        built: list[list[sa.ColumnElement[bool]]] = []

        def conditions() -> list[sa.ColumnElement[bool]]:
            if not built:
                built.append(self.filters(query))
            return built[0]

        probe = None
        if self._walks(query, keys) and bytewise():
            walked = yield statements.get(f"groups-{counting.mode}", lambda: self._walk_statement(
                query, conditions(), keys[0], cursor, counting,
            )), {**values, group_walk.BUDGET: BOUND}
            probe = _walked(walked, counting, first_page, page.limit)
        if probe is None and filtered(query):
            probed = yield statements.get("probe", lambda: bounded.page_statement(
                self._columns(), self.source, self.id, conditions(), keys,
                rows_offset=page_statements.bound_rows(), cursor=cursor, bound=bound,
            )), values
            probe = _probed(probed, first_page, counting, bound)
        rows = probe.rows if probe is not None else None
        if rows is None:
            rows = yield statements.get(
                "walk", lambda: self.page_statement(conditions(), keys, cursor)
            ), values
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        backwards = cursor is not None and cursor.backwards
        if backwards:
            rows.reverse()
        width = self.width

        def token(row: Sequence[Any], back: bool) -> str:
            return paging.encode(row[width : width + len(keys)], backwards=back,
                                 sortby=query.sortby)

        after = rows and (more if not backwards else True)
        before = rows and ((cursor is not None or page.offset > 0) if not backwards else more)
        if probe is not None and probe.counted:
            matched = probe.matched
        elif counting.mode == "off":
            matched = None
        elif first_page and not more:
            matched = len(rows)  # the whole result is on this page: counted for free
        else:
            cap = None if counting.mode == "exact" else counting.cap
            counted = yield statements.get(
                f"count{cap}", lambda: self.count_statement(conditions(), cap)
            ), values
            matched = int(counted[0][0])
            matched = None if cap is not None and matched > cap else matched
        return FeaturePage(
            features=[] if self.text else [self.render(row[:width]) for row in rows],
            number_matched=None if counting.mode == "off" else matched,
            next_cursor=token(rows[-1], False) if after else None,
            prev_cursor=token(rows[0], True) if before else None,
            texts=[row[1] for row in rows] if self.text else None,
        )

    def _walks(self, query: ItemsQuery, keys: Sequence[paging.Key]) -> bool:
        """Whether a group walk (:mod:`api.group_walk`) may find this page."""
        return (
            self.postgres
            and self.collection.group_walk is not None
            and query.bbox is not None
            and len(keys) == 1
        )

    def _walk_statement(
        self,
        query: ItemsQuery,
        conditions: Sequence[sa.ColumnElement[bool]],
        key: paging.Key,
        cursor: paging.Cursor | None,
        counting: Counting,
    ) -> sa.Select[Any]:
        walk = self.collection.group_walk
        assert walk is not None and query.bbox is not None  # see _walks
        groups = group_walk.groups_subquery(walk)
        spatial = SpatialSql(
            groups.c[self.collection.geometry_column],
            tuple(groups.c[name] for name in self.collection.bbox_columns),  # type: ignore[arg-type]
            postgres=True,
        )
        return group_walk.page_statement(
            self._columns(), self.source, key, walk,
            self._bbox(query.bbox, query.bbox_crs, spatial), conditions,
            rows_offset=page_statements.bound_rows(), cursor=cursor,
            count=self.count_statement(conditions, None) if counting.mode == "exact" else None,
        )

    def fetch_feature(self, conn: Connection, feature_id: str) -> dict[str, Any]:
        return self.render(self._feature_row(conn, feature_id))

    def fetch_feature_text(self, conn: Connection, feature_id: str) -> str:
        """The feature's GeoJSON text, written by PostgreSQL (a source in ``text`` mode)."""
        return str(self._feature_row(conn, feature_id)[1])

    def _feature_row(self, conn: Connection, feature_id: str) -> Sequence[Any]:
        row = conn.execute(self._by_id(), {FEATURE_ID: feature_id}).first()
        if row is None:
            raise self.not_found(feature_id)
        return row

    def not_found(self, feature_id: str) -> NotFound:
        return NotFound(f"the collection '{self.collection.id}' has no feature '{feature_id}'")

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
def _converters(
    source: sa.Subquery, properties: tuple[str, ...]
) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """The properties whose values need converting to JSON, and how (see :mod:`api.values`)."""
    return tuple(
        (name, convert) for name in properties
        if (convert := values.converter(source.c[name].type)) is not None
    )


def _walked(
    rows: list[Sequence[Any]], counting: Counting, first_page: bool, limit: int
) -> Probe | None:
    """A bbox page found group by group; ``None``: no row, so either no match or too many
    groups to walk (see :mod:`api.group_walk`): the bounded page tells which.

    Counting every match would cost as much as the page again, so only ``exact`` counting
    does; ``capped`` gives the number only when this first page holds every match."""
    if not rows:
        return None
    if counting.mode == "exact":
        matched: int | None = int(rows[0][-1])  # group_walk.MATCHED, the last column
    elif counting.mode == "capped" and first_page and len(rows) <= limit:
        matched = len(rows)
    else:
        matched = None
    return Probe(rows, matched, counted=True)


def _probed(rows: list[Sequence[Any]], first_page: bool, counting: Counting, bound: int) -> Probe:
    """A filtered page the way :mod:`api.bounded` finds it."""
    if not rows:
        if first_page:
            return Probe(rows, 0, counted=True)  # not a single match
        # Past the end of the matches, or of the first bound + 1 of many: no row says
        # which, so walk the key order (and count apart if asked).
        return Probe(None, None, counted=False)
    matched = int(rows[0][-1])  # bounded.MATCHED, the last column
    if matched <= bound:
        return Probe(rows, matched, counted=True)
    # Too many to sort apart: walk the key order. Capped counting omits the number now.
    return Probe(None, None, counted=counting.mode != "exact")


def filtered(query: ItemsQuery) -> bool:
    """Whether :meth:`FeatureSource.filters` has any condition for this query."""
    return (query.bbox is not None or query.time is not None or bool(query.equals)
            or query.filter is not None)


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
