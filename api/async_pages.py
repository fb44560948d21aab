"""GeoJSON pages read on the event loop, through the async connections of :mod:`api.pg_reads`.

With PostgreSQL writing the features (:mod:`api.feature_sql`) and a bbox page costing it
little (:mod:`api.group_walk`), what was left of a page's cost in the server was fixed: the hop
to the thread pool and back and SQLAlchemy's work per execution, a fifth of the server's CPU
for a bbox page. The page's logic stays in one place, :meth:`api.features.FeatureSource.
page_steps`; this module only runs its statements: each compiled once to the driver's SQL and
executed on an async connection, without leaving the event loop.

Only statements that need nothing from SQLAlchemy at execution run this way: no parameter
converted on the way in, no column converted on the way out, no parameter expanded into the
SQL (see :func:`_plain`). A statement that does (a datetime filter, a sort by time) runs on a
SQLAlchemy connection in the thread pool, as every statement did before; the page is the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, Engine
from starlette.concurrency import run_in_threadpool

from api import group_walk
from api.features import Counting, FeaturePage, FeatureSource, read_only
from api.params import ItemsQuery
from api.pg_reads import AsyncReads
from api.statement_cache import StatementCache

#: Compiled SQL by statement: (the statement, its SQL, its fixed parameters; ``None``: not
#: plain). The statement is kept in the value: alive, its id cannot be another's while cached.
_COMPILED: StatementCache[tuple[sa.Select[Any], str | None, dict[str, Any]]] = StatementCache()


async def fetch_page(
    reads: AsyncReads,
    engine: Engine,
    source: FeatureSource,
    query: ItemsQuery,
    counting: Counting,
) -> FeaturePage:
    """The page :meth:`FeatureSource.fetch_page` would read, read from the event loop."""
    bytewise = group_walk.known_bytewise(engine)
    if bytewise is None and source.collection.group_walk is not None:
        row = await reads.fetch_one(group_walk.COLLATION_SQL, {})
        assert row is not None  # the current database is always in pg_database
        bytewise = group_walk.remember_collation(engine, row)
    steps = source.page_steps(query, counting, bytewise=lambda: bool(bytewise))
    try:
        statement, values = next(steps)
        while True:
            rows = await _rows(reads, engine, statement, values)
            statement, values = steps.send(rows)
    except StopIteration as done:
        page: FeaturePage = done.value
        return page


async def _rows(
    reads: AsyncReads, engine: Engine, statement: sa.Select[Any], values: dict[str, Any]
) -> list[Sequence[Any]]:
    sql, fixed = _compiled(statement, engine.dialect)
    if sql is None:
        return await run_in_threadpool(_rows_in_thread, engine, statement, values)
    return list(await reads.fetch_all(sql, {**fixed, **values}))


def _rows_in_thread(
    engine: Engine, statement: sa.Select[Any], values: dict[str, Any]
) -> list[Sequence[Any]]:
    with read_only(engine) as conn:
        return list(conn.execute(statement, values).all())


def _compiled(statement: sa.Select[Any], dialect: Dialect) -> tuple[str | None, dict[str, Any]]:
    def build() -> tuple[sa.Select[Any], str | None, dict[str, Any]]:
        compiled = statement.compile(dialect=dialect)
        if not _plain(compiled, dialect):
            return statement, None, {}
        return statement, compiled.string, dict(compiled.params)

    _kept, sql, fixed = _COMPILED.get((id(statement), dialect.name), build)
    return sql, fixed


def _plain(compiled: sa.sql.compiler.Compiled, dialect: Dialect) -> bool:
    """Whether the driver may run the SQL with the parameters as they are and its rows are
    what SQLAlchemy would return."""
    assert isinstance(compiled, sa.sql.compiler.SQLCompiler)
    if compiled._bind_processors or "POSTCOMPILE" in compiled.string:
        return False
    try:
        return all(
            column[3]._cached_result_processor(dialect, None) is None
            for column in compiled._result_columns
        )
    except sa.exc.InvalidRequestError:  # Numeric: its conversion depends on the column's
        return False  # type in the result (psycopg's numeric or float), unknown here
    except TypeError:  # the same, raised while SQLAlchemy words that error
        return False
