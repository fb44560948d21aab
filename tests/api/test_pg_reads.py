"""The event loop's own PostgreSQL connections for one-feature reads (:mod:`api.pg_reads`)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from api.pg_reads import AsyncReads
from tests.databases import postgis_database

pytestmark = pytest.mark.postgis


@pytest.fixture(scope="module")
def conninfo() -> Iterator[str]:
    with postgis_database() as url:
        yield make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_row_or_none(conninfo: str) -> None:
    async def scenario() -> None:
        reads = AsyncReads(conninfo, size=2)
        assert await reads.fetch_one("SELECT %(a)s::int + 1", {"a": 41}) == (42,)
        assert await reads.fetch_one("SELECT 1 WHERE false", {}) is None
        await reads.close()

    asyncio.run(scenario())


def test_concurrent_reads_share_at_most_size_connections(conninfo: str) -> None:
    async def scenario() -> None:
        reads = AsyncReads(conninfo, size=2)
        rows = await asyncio.gather(*(
            reads.fetch_one("SELECT pg_sleep(0.01), %(n)s::int", {"n": n}) for n in range(12)
        ))
        assert [row[1] for row in rows if row is not None] == list(range(12))
        assert reads.open_connections == 2
        await reads.close()

    asyncio.run(scenario())


def test_a_failed_statement_keeps_the_connection(conninfo: str) -> None:
    async def scenario() -> None:
        reads = AsyncReads(conninfo, size=1)
        with pytest.raises(psycopg.errors.UndefinedTable):
            await reads.fetch_one("SELECT * FROM no_such_table", {})
        assert await reads.fetch_one("SELECT 1", {}) == (1,)
        assert reads.open_connections == 1
        await reads.close()

    asyncio.run(scenario())


def test_a_connection_the_server_closed_is_replaced_without_an_error(conninfo: str) -> None:
    """After a PostgreSQL restart every kept connection is dead; the read still succeeds."""

    async def scenario() -> None:
        reads = AsyncReads(conninfo, size=1)
        first = await reads.fetch_one("SELECT pg_backend_pid()", {})
        assert first is not None
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (first[0],))
        second = await reads.fetch_one("SELECT pg_backend_pid()", {})
        assert second is not None and second[0] != first[0]
        assert reads.open_connections == 1
        await reads.close()

    asyncio.run(scenario())


def test_an_unreachable_server_raises_and_frees_the_slot() -> None:
    async def scenario() -> None:
        reads = AsyncReads("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2", size=1)
        for _ in range(2):  # the failed connect did not use up the only slot
            with pytest.raises(psycopg.OperationalError):
                await reads.fetch_one("SELECT 1", {})
        assert reads.open_connections == 0

    asyncio.run(scenario())
