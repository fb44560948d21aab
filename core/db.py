"""Engines for the two supported backends: PostgreSQL + PostGIS (production) and SQLite (embedded).

SQLite gets the few spatial functions the API needs registered on every connection, implemented
with shapely, so the same SQL text can filter exactly on both backends: ``sp_intersects_bbox``
for ``bbox``, ``sp_relate`` for the CQL2 spatial functions and ``sp_dwithin`` for distances in
metres. The API narrows the candidates with the bbox columns first, so these run on few rows.
"""

from __future__ import annotations

import json
import sqlite3
from functools import lru_cache
from typing import Any

import numpy as np
import orjson
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from core.idle_ping import ping_when_idle


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgis"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url``; SQLite connections get pragmas and spatial functions.

    ``pool_size``/``max_overflow`` size the PostgreSQL pool; SQLite keeps SQLAlchemy's pool.
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        for pool_option in ("pool_size", "max_overflow"):  # not every SQLite pool has them
            kwargs.pop(pool_option, None)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _prepare_sqlite)
        return engine
    kwargs.setdefault("json_deserializer", load_json)
    engine = create_engine(url, **kwargs)
    ping_when_idle(engine)
    return engine


def load_json(text: str | bytes) -> Any:
    """JSON from PostgreSQL (geometries the API has PostGIS write, JSONB columns), by orjson.

    A page of a thousand features reads two JSON values per row; orjson parses them about ten
    times faster than the standard library. It refuses integers beyond 64 bits, which JSONB
    may hold (raw supplier payloads): those fall back to the standard library, as before.
    """
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def _prepare_sqlite(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    """WAL for concurrent readers while ingesting; spatial predicates for exact bbox filtering."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    dbapi_connection.create_function("sp_intersects_bbox", 5, _intersects_bbox, deterministic=True)
    dbapi_connection.create_function("sp_relate", 3, _relate, deterministic=True)
    dbapi_connection.create_function("sp_dwithin", 3, _dwithin, deterministic=True)


def _intersects_bbox(wkb: bytes | None, minx: float, miny: float, maxx: float, maxy: float) -> int:
    if wkb is None:
        return 0
    return int(shapely.intersects(shapely.from_wkb(wkb), box(minx, miny, maxx, maxy)))


#: The binary predicates ``sp_relate`` evaluates, by the name the API passes.
_PREDICATES = {
    "intersects": shapely.intersects,
    "equals": shapely.equals,
    "disjoint": shapely.disjoint,
    "touches": shapely.touches,
    "within": shapely.within,
    "overlaps": shapely.overlaps,
    "crosses": shapely.crosses,
    "contains": shapely.contains,
}


@lru_cache(maxsize=64)
def _literal(wkb: bytes) -> BaseGeometry:
    """The filter's geometry, parsed once per query rather than once per row, and prepared."""
    geometry = shapely.from_wkb(wkb)
    shapely.prepare(geometry)
    return geometry


def _relate(predicate: str, wkb: bytes | None, literal: bytes) -> int | None:
    """``predicate(row geometry, literal)``; NULL for a row without geometry, as in PostGIS."""
    if wkb is None:
        return None
    return int(_PREDICATES[predicate](shapely.from_wkb(wkb), _literal(literal)))


@lru_cache(maxsize=64)
def _local_metres(literal: bytes) -> tuple[Transformer, BaseGeometry]:
    """An azimuthal equidistant projection centred on the literal: true distances from it."""
    centre = _literal(literal).representative_point()
    local = CRS.from_proj4(
        f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m +no_defs"
    )
    transformer = Transformer.from_crs(CRS.from_epsg(4326), local, always_xy=True)
    return transformer, _project(_literal(literal), transformer)


def _project(geometry: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    def xy(coordinates: Any) -> Any:
        x, y = transformer.transform(coordinates[:, 0], coordinates[:, 1])
        return np.column_stack((x, y))

    return shapely.transform(geometry, xy)


def _dwithin(wkb: bytes | None, literal: bytes, metres: float) -> int | None:
    """Whether the row geometry lies within ``metres`` of the literal (geodesic within 0.1 %)."""
    if wkb is None:
        return None
    transformer, target = _local_metres(literal)
    geometry = _project(shapely.from_wkb(wkb), transformer)
    return int(shapely.dwithin(geometry, target, metres))
