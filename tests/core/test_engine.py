"""The engine: pool sized from the settings, autocommit reads, and JSON read by orjson."""

from __future__ import annotations

import time

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from api.features import items_subquery, read_only, rfc3339
from core import idle_ping
from core.db import load_json, make_engine
from core.pilot import Registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from tests.databases import postgis_database


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


@pytest.mark.postgis
def test_an_idle_connection_that_died_is_replaced_before_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with postgis_database() as url:
        engine = make_engine(url, pool_size=1, max_overflow=0)
        try:
            first = _backend(engine)
            _terminate(url, first)
            monkeypatch.setattr(idle_ping, "PING_AFTER_IDLE", 0.0)  # "idle long enough"
            second = _backend(engine)  # pinged, found dead, replaced: no error
            assert second != first
            _terminate(url, second)
            monkeypatch.setattr(idle_ping, "PING_AFTER_IDLE", 3600.0)  # just used: no ping
            with pytest.raises(sa.exc.OperationalError):
                _backend(engine)  # the cost of not pinging busy connections: one failure
            assert _backend(engine) not in (first, second)  # and then a fresh one
        finally:
            engine.dispose()


def _backend(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(url: str, pid: int) -> None:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _ in range(100):  # until the server process is gone
            gone = admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,))
            if gone.fetchone() is None:
                return
            time.sleep(0.05)
