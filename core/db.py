"""Engines for the two supported backends: PostgreSQL + PostGIS (production) and SQLite (embedded).

SQLite gets the few spatial functions the API needs registered on every connection, implemented
with shapely, so the same SQL text can filter exactly on both backends.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import shapely
from shapely.geometry import box
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgis"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url``; SQLite connections get pragmas and spatial functions."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _prepare_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


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


def _intersects_bbox(wkb: bytes | None, minx: float, miny: float, maxx: float, maxy: float) -> int:
    if wkb is None:
        return 0
    return int(shapely.intersects(shapely.from_wkb(wkb), box(minx, miny, maxx, maxy)))
