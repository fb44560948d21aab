"""Bbox pages found group by group (api.group_walk) equal the pages found without the walk.

Every page forwards and backwards, in both id directions and with an offset, is compared with
the same collection declared without its group walk (so the bounded page or the key-order walk
finds it). The statements actually run are recorded, to prove which way each page was found.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, event, make_url

from api import features, group_walk
from api.features import Counting, read_only
from core.pilot import Collection, Registry
from core.storage import table_of
from pilots.parking.models import ParkingObservation
from pilots.parking.stores import observation_id
from tests.api.pages import every_page, read_page
from tests.api.seed import GENT_SITES, KOUTER, observation_times
from tests.api.test_bounded_pages import GENT_BBOX
from tests.databases import postgis_database

pytestmark = pytest.mark.postgis


@pytest.fixture(scope="module")
def api_database_url(postgis_database_url: str) -> str:
    """PostGIS only (overrides the conftest's two backends): SQLite has no ``LATERAL``, and
    its pages are the bounded ones tested in test_bounded_pages.py."""
    return postgis_database_url


@pytest.fixture(scope="module")
def engine(seeded_engine: Engine) -> Engine:
    return seeded_engine


@pytest.fixture(scope="module")
def observations(registry: Registry) -> Collection:
    collections = registry.get("parking").collections
    found = next(c for c in collections if c.id == "parking-observations")
    assert found.group_walk is not None
    return found


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL of every statement run on ``engine`` while the test runs."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def _walked(statements: list[str]) -> bool:
    return any("JOIN LATERAL" in sql for sql in statements)


QUERIES = [
    [("bbox", GENT_BBOX), ("limit", "4")],
    [("bbox", GENT_BBOX), ("limit", "5"), ("sortby", "-id")],
    [("bbox", GENT_BBOX), ("limit", "3"), ("datetime", "2026-11-20T08:10:00Z/..")],
    [("bbox", GENT_BBOX), ("limit", "3"), ("filter", "vacant >= 0")],
]


@pytest.mark.parametrize("params", QUERIES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p))
def test_pages_found_group_by_group_are_the_pages(
    engine: Engine, observations: Collection, params: list[tuple[str, str]],
    statements: list[str],
) -> None:
    walked = every_page(engine, observations, params)
    assert _walked(statements)
    without = dataclasses.replace(observations, group_walk=None)
    statements.clear()
    plain = every_page(engine, without, params)
    assert not _walked(statements)
    assert [p.features for p in walked] == [p.features for p in plain]
    assert [(p.next_cursor, p.prev_cursor) for p in walked] == [
        (p.next_cursor, p.prev_cursor) for p in plain
    ]
    assert len(walked) > 2  # several pages: cursors in both directions were followed


def test_an_offset_page_is_the_same(engine: Engine, observations: Collection) -> None:
    without = dataclasses.replace(observations, group_walk=None)
    for offset in ("0", "3", "7", "1000"):
        params = [("bbox", GENT_BBOX), ("limit", "4"), ("offset", offset)]
        assert read_page(engine, observations, params).features == (
            read_page(engine, without, params).features
        )


def test_the_page_holds_the_observations_of_the_sites_inside(
    engine: Engine, observations: Collection
) -> None:
    gent = {i for i in observation_times() if i.split("@")[0] in GENT_SITES}
    page = read_page(engine, observations, [("bbox", GENT_BBOX), ("limit", "1000")])
    assert [f["id"] for f in page.features] == sorted(gent)
    assert page.number_matched == len(gent)  # the first page holds them all: counted for free


def test_number_matched_is_exact_only_when_asked(
    engine: Engine, observations: Collection
) -> None:
    gent = {i for i in observation_times() if i.split("@")[0] in GENT_SITES}
    params = [("bbox", GENT_BBOX), ("limit", "2")]
    assert read_page(engine, observations, params, Counting("exact")).number_matched == len(gent)
    assert read_page(engine, observations, params, Counting("capped")).number_matched is None
    assert read_page(engine, observations, params, Counting("off")).number_matched is None


def test_too_many_groups_for_the_budget_take_the_bounded_page(
    engine: Engine, observations: Collection, statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    params = [("bbox", GENT_BBOX), ("limit", "4")]
    walked = read_page(engine, observations, params)
    monkeypatch.setattr(features, "BOUND", 4)  # two sites x (4 + 1) rows are more than that
    statements.clear()
    bounded = read_page(engine, observations, params)
    assert _walked(statements)  # tried, found no row, then ...
    assert any("WITH matches AS MATERIALIZED" in sql for sql in statements)  # ... bounded
    assert bounded.features == walked.features


def test_a_bbox_without_sites_is_empty(engine: Engine, observations: Collection) -> None:
    page = read_page(engine, observations, [("bbox", "5.0,50.0,5.1,50.1")])
    assert (page.features, page.number_matched, page.next_cursor) == ([], 0, None)


def test_no_walk_where_text_does_not_sort_bytewise(
    engine: Engine, observations: Collection, statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(group_walk._BYTEWISE, engine, False)
    page = read_page(engine, observations, [("bbox", GENT_BBOX), ("limit", "4")])
    assert not _walked(statements)
    assert len(page.features) == 4


def test_the_collation_is_read_from_the_database(engine: Engine) -> None:
    """The test databases are created from a C.UTF-8 template; an ICU database is not bytewise."""
    with read_only(engine) as conn:
        collation = conn.execute(sa.text(
            "SELECT datcollate FROM pg_database WHERE datname = current_database()"
        )).scalar_one()
        assert group_walk.compares_bytewise(conn) is (collation in group_walk.BYTEWISE_COLLATIONS)
    with postgis_database() as url:
        dsn = make_url(url).set(drivername="postgresql", database="postgres")
        name = f"stadspuls_icu_{make_url(url).database}"[:60]
        with psycopg.connect(dsn.render_as_string(hide_password=False), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 '
                          "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
        icu = sa.create_engine(make_url(url).set(database=name))
        try:
            with icu.connect() as conn:
                assert group_walk.compares_bytewise(conn) is False
        finally:
            icu.dispose()
            with psycopg.connect(dsn.render_as_string(hide_password=False),
                                 autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{name}"')


def test_ids_of_years_before_1000_do_not_sort_like_times_and_still_page_right(
    engine: Engine, observations: Collection
) -> None:
    """``{site}@{time}`` writes the year 999 with three digits, so its id sorts after every
    later year's: the walk sorts such rows by id apart (GroupWalk.ordered_from)."""
    table = table_of(ParkingObservation)
    ancient = [datetime(999, 1, 1, tzinfo=UTC), datetime(999, 6, 1, 12, tzinfo=UTC),
               datetime(99, 1, 1, tzinfo=UTC)]
    with engine.begin() as conn:
        template = dict(conn.execute(
            sa.select(table).where(table.c.site_id == KOUTER).limit(1)
        ).mappings().one())
        conn.execute(table.insert(), [
            {**template, "id": observation_id(KOUTER, when), "observed_at": when}
            for when in ancient
        ])
    try:
        without = dataclasses.replace(observations, group_walk=None)
        for params in ([("bbox", GENT_BBOX), ("limit", "5")],
                       [("bbox", GENT_BBOX), ("limit", "4"), ("sortby", "-id")]):
            walked = every_page(engine, observations, params)
            plain = every_page(engine, without, params)
            assert [p.features for p in walked] == [p.features for p in plain]
            ids = [f["id"] for p in walked[: len(walked) // 2] for f in p.features]
            assert {observation_id(KOUTER, when) for when in ancient} <= set(ids)
    finally:
        with engine.begin() as conn:
            conn.execute(table.delete().where(table.c.observed_at < datetime(1000, 1, 1,
                                                                             tzinfo=UTC)))
