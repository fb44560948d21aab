"""The engine: pool sized from the settings, autocommit reads, and JSON read by orjson."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Engine

from api.features import items_subquery, read_only, rfc3339
from core.db import load_json
from core.pilot import Registry
from core.runtime import open_database
from core.settings import DatabaseSettings


def test_the_pool_keeps_as_many_connections_as_configured(
    database_url: str, registry: Registry
) -> None:
    settings = DatabaseSettings(database_url=database_url, pool_size=7, pool_max_overflow=2)
    engine = open_database(settings, registry)
    try:
        if engine.dialect.name == "postgresql":
            assert (engine.pool.size(), engine.pool._max_overflow) == (7, 2)  # type: ignore[attr-defined]
        with engine.connect() as conn:  # SQLite keeps SQLAlchemy's own pool, and works
            assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


def test_read_only_connections_run_without_a_transaction(engine: Engine) -> None:
    with read_only(engine) as conn:
        assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
        assert _autocommit(conn)
    with engine.connect() as conn:  # the pooled connection went back as it was
        assert not _autocommit(conn)


def _autocommit(conn: sa.Connection) -> bool:
    """What the driver itself says: psycopg's flag, or sqlite3 without implicit BEGIN."""
    driver = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        return bool(driver.autocommit)  # type: ignore[union-attr]
    return driver.isolation_level is None  # type: ignore[union-attr]


def test_json_from_postgresql_reads_like_the_standard_library(engine: Engine) -> None:
    assert load_json('{"a": [1, 2.5, "x", null, true]}') == {"a": [1, 2.5, "x", None, True]}
    assert load_json(b"[1]") == [1]
    huge = 2**70  # orjson stops at 64 bits; the fallback keeps the value
    assert load_json(f'{{"n": {huge}}}') == {"n": huge}
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            value = conn.execute(sa.text("SELECT CAST('{\"b\": [3, 4.25]}' AS jsonb)")).scalar()
            typed = conn.execute(
                sa.select(sa.cast(sa.literal('{"c": 1}'), sa.JSON))
            ).scalar_one()
        assert value == {"b": [3, 4.25]}
        assert typed == {"c": 1}


def test_the_items_subquery_is_built_once_per_query_function() -> None:
    def query() -> sa.Select[tuple[int]]:
        return sa.select(sa.literal(1).label("id"))

    first = items_subquery(query)
    assert items_subquery(query) is first
    assert list(first.c.keys()) == ["id"]


def test_rfc3339_of_utc_values_with_and_without_fractions() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    assert rfc3339(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    assert rfc3339(datetime(2026, 1, 2, 3, 4, 5, 120, tzinfo=UTC)) == (
        "2026-01-02T03:04:05.000120Z"
    )
    assert rfc3339(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05Z"
    plus_two = timezone(timedelta(hours=2))
    assert rfc3339(datetime(2026, 1, 2, 3, 4, 5, tzinfo=plus_two)) == "2026-01-02T01:04:05Z"
