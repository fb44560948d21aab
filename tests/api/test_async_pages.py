"""Pages read on the event loop (api.async_pages) are the pages read in a thread.

The same page logic (``FeatureSource.page_steps``) runs on both; what differs is how each
statement is executed. Every query below is read both ways, first page and the ones after,
and must give the same texts, counts and cursors. Statements SQLAlchemy must convert values
for (a datetime filter) still run, in the thread pool.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Engine

from api import async_pages
from api.features import Counting, FeaturePage, FeatureSource, read_only
from api.pg_reads import AsyncReads
from core.pilot import Collection, Registry
from tests.api.pages import features_query
from tests.api.test_bounded_pages import GENT_BBOX

pytestmark = pytest.mark.postgis

QUERIES = [
    ("parking-observations", [("bbox", GENT_BBOX), ("limit", "3")]),
    ("parking-observations", [("bbox", GENT_BBOX), ("limit", "3"), ("sortby", "-id")]),
    ("parking-observations", [("limit", "4")]),
    ("parking-observations", [("filter", "vacant >= 0 AND status <> 'full'"), ("limit", "4")]),
    ("parking-observations", [("datetime", "2026-11-20T08:10:00Z/.."), ("limit", "4")]),
    ("parking-observations", [("sortby", "-occupancy"), ("limit", "5")]),
    ("parking-sites", [("bbox", GENT_BBOX)]),
    ("parking-sites", [("limit", "1"), ("skipGeometry", "true")]),
]


@pytest.fixture(scope="module")
def api_database_url(postgis_database_url: str) -> str:
    """PostGIS only: the event loop's reads exist only there (overrides the conftest)."""
    return postgis_database_url


@pytest.fixture(scope="module")
def engine(seeded_engine: Engine) -> Engine:
    return seeded_engine


def _collection(registry: Registry, collection_id: str) -> Collection:
    return registry.collections()[collection_id][1]


def _pages_in_thread(
    engine: Engine, collection: Collection, params: list[tuple[str, str]], counting: Counting
) -> list[FeaturePage]:
    pages: list[FeaturePage] = []
    cursor: list[tuple[str, str]] = []
    source = FeatureSource(collection, postgres=True, text=True)
    while len(pages) < 20:
        with read_only(engine) as conn:
            pages.append(source.fetch_page(conn, features_query(collection, params + cursor),
                                           counting))
        if pages[-1].next_cursor is None:
            return pages
        cursor = [("cursor", pages[-1].next_cursor)]
    raise AssertionError("more pages than the seed holds")


async def _pages_on_loop(
    engine: Engine, collection: Collection, params: list[tuple[str, str]], counting: Counting
) -> list[FeaturePage]:
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    reads = AsyncReads(conninfo, 2)
    source = FeatureSource(collection, postgres=True, text=True)
    pages: list[FeaturePage] = []
    cursor: list[tuple[str, str]] = []
    try:
        while len(pages) < 20:
            query = features_query(collection, params + cursor)
            pages.append(await async_pages.fetch_page(reads, engine, source, query, counting))
            if pages[-1].next_cursor is None:
                return pages
            cursor = [("cursor", pages[-1].next_cursor)]
        raise AssertionError("more pages than the seed holds")
    finally:
        await reads.close()


@pytest.mark.parametrize("counting", [Counting(), Counting("exact")], ids=["capped", "exact"])
@pytest.mark.parametrize("collection_id, params", QUERIES,
                         ids=lambda v: v if isinstance(v, str) else "&".join(map("=".join, v)))
def test_pages_on_the_event_loop_are_the_pages_in_a_thread(
    engine: Engine, registry: Registry, collection_id: str, params: list[tuple[str, str]],
    counting: Counting,
) -> None:
    collection = _collection(registry, collection_id)
    in_thread = _pages_in_thread(engine, collection, params, counting)
    on_loop = asyncio.run(_pages_on_loop(engine, collection, params, counting))
    assert [p.texts for p in on_loop] == [p.texts for p in in_thread]
    assert [(p.number_matched, p.next_cursor, p.prev_cursor) for p in on_loop] == [
        (p.number_matched, p.next_cursor, p.prev_cursor) for p in in_thread
    ]
    assert in_thread[0].texts  # every query matches something in the seed


def test_statements_that_need_sqlalchemy_run_in_the_thread_pool(
    engine: Engine, registry: Registry
) -> None:
    collection = _collection(registry, "parking-observations")
    source = FeatureSource(collection, postgres=True, text=True)

    def first_statement(params: list[tuple[str, str]]) -> object:
        steps = source.page_steps(features_query(collection, params), Counting(),
                                  bytewise=lambda: True)
        statement, _ = next(steps)
        return statement

    bbox = first_statement([("bbox", GENT_BBOX)])
    window = first_statement([("datetime", "2026-11-20T08:10:00Z/..")])
    assert async_pages._compiled(bbox, engine.dialect)[0] is not None  # type: ignore[arg-type]
    assert async_pages._compiled(window, engine.dialect)[0] is None  # type: ignore[arg-type]
