"""Reads on PostgreSQL from the event loop: a few async psycopg connections.

A feature by id is the API's cheapest request, so fixed costs decide its speed: the hop to
the thread pool and back, and SQLAlchemy's per-execution work (connection checkout, cache
key, result processing) cost more CPU than PostgreSQL spends finding the row. The route runs
the statement SQLAlchemy compiled once (:meth:`api.features.FeatureSource.by_id_sql`) on one
of these connections instead, without leaving the event loop. GeoJSON pages do the same
(:mod:`api.async_pages`).

Connections are opened when first needed, in autocommit (a read needs no transaction), in
the loop that serves the requests, and kept up to ``size``; a request that finds none idle
and the limit reached waits for one. A connection that fails (the server restarted, the
network dropped) is thrown away and the read retried once on a new one, so one stale
connection never surfaces as an error. The lifespan closes them.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping
from typing import Any

import psycopg

Row = tuple[Any, ...]


class AsyncReads:
    def __init__(self, conninfo: str, size: int) -> None:
        self._conninfo = conninfo
        self._size = size
        self._idle: list[psycopg.AsyncConnection[Row]] = []
        self._open = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def fetch_one(self, sql: str, params: Mapping[str, Any]) -> Row | None:
        """The first row of ``sql``, or ``None``; retried once when the connection fails."""
        rows = await self._fetch(sql, params, every=False)
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Mapping[str, Any]) -> list[Row]:
        """Every row of ``sql`` (a page: at most a few thousand); retried like one row."""
        return await self._fetch(sql, params, every=True)

    async def _fetch(self, sql: str, params: Mapping[str, Any], *, every: bool) -> list[Row]:
        for attempt in (1, 2):
            conn, fresh = await self._acquire()
            try:
                cursor = await conn.execute(sql, params)
                if every:
                    rows = await cursor.fetchall()
                else:
                    row = await cursor.fetchone()
                    rows = [] if row is None else [row]
            except psycopg.OperationalError:
                self._discard(conn)
                if fresh or attempt == 2:
                    raise
                continue
            except psycopg.Error:
                self._release(conn)  # a failed statement leaves an autocommit connection usable
                raise
            except BaseException:  # cancelled mid-statement: its state is unknown
                self._discard(conn)
                raise
            self._release(conn)
            return rows
        raise AssertionError("unreachable")  # pragma: no cover

    @property
    def open_connections(self) -> int:
        return self._open

    async def close(self) -> None:
        while self._idle:
            await self._idle.pop().close()
        self._open = 0

    async def _acquire(self) -> tuple[psycopg.AsyncConnection[Row], bool]:
        while True:
            if self._idle:
                return self._idle.pop(), False
            if self._open < self._size:
                self._open += 1
                try:
                    conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
                except BaseException:
                    self._open -= 1
                    self._wake()
                    raise
                return conn, True
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                if waiter.done() and not waiter.cancelled():
                    self._wake()  # woken, then cancelled: pass the wake-up on
                else:
                    waiter.cancel()
                raise

    def _release(self, conn: psycopg.AsyncConnection[Row]) -> None:
        self._idle.append(conn)
        self._wake()

    def _discard(self, conn: psycopg.AsyncConnection[Row]) -> None:
        conn.pgconn.finish()  # closes the socket now; nothing to wait for
        self._open -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
