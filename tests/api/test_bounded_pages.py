"""Filtered pages found by sorting the matches apart (api.bounded) equal the key-order walk.

Each query runs twice on the seeded data of both backends: with a cap above its matches, so
the page comes from the fenced statement, and with cap 0, so the probe finds "too many" and
the page comes from walking the key order. Pages, cursors and their order must be identical
whichever way they were found, forwards and backwards, and ``numberMatched`` exact where it
is given.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from api import features
from api.features import Counting, FeaturePage
from core.pilot import Collection, Registry
from tests.api.pages import every_page, read_page
from tests.api.seed import GENT_SITES, KOUTER, OBSERVATIONS, observation_times

GENT_BBOX = "3.70,51.00,3.80,51.10"
QUERIES = [
    [("bbox", GENT_BBOX)],
    [("bbox", GENT_BBOX), ("sortby", "-vacant")],
    [("filter", "vacant < 400")],
    [("filter", "vacant >= 0"), ("sortby", "observed_at,-site_id")],
    [("datetime", "2026-11-20T08:10:00Z/.."), ("sortby", "-occupancy")],
    [("site_id", KOUTER)],
]


@pytest.fixture(scope="module")
def observations(registry: Registry) -> Collection:
    collections = registry.get("parking").collections
    return next(c for c in collections if c.id == "parking-observations")


def _ids(pages: list[FeaturePage]) -> list[list[str]]:
    return [[feature["id"] for feature in page.features] for page in pages]


@pytest.mark.parametrize("params", QUERIES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p))
def test_sorted_apart_and_walked_pages_are_the_same(
    seeded_engine: Engine, observations: Collection, params: list[tuple[str, str]]
) -> None:
    paged = [*params, ("limit", "4")]
    apart = every_page(seeded_engine, observations, paged, Counting("capped", cap=10_000))
    walked = every_page(seeded_engine, observations, paged, Counting("capped", cap=0))
    assert _ids(apart) == _ids(walked)
    assert [page.features for page in apart] == [page.features for page in walked]
    assert [(p.next_cursor, p.prev_cursor) for p in apart] == [
        (p.next_cursor, p.prev_cursor) for p in walked
    ]
    everything = read_page(
        seeded_engine, observations, [*params, ("limit", "1000")], Counting("off")
    )
    forwards = [i for page in _ids(apart)[: len(apart) // 2] for i in page]
    assert forwards == [feature["id"] for feature in everything.features]
    assert len(forwards) > 4  # more than one page, so the cursors were exercised
    # numberMatched: exact when sorted apart, left out above the cap, on every page. A bbox
    # page on PostGIS is found group by group (api.group_walk), which counts only when asked
    # to count exactly: tests/api/test_group_walk.py.
    group_walked = seeded_engine.dialect.name == "postgresql" and [k for k, _ in params] == ["bbox"]
    assert {page.number_matched for page in apart} == ({None} if group_walked else {len(forwards)})
    assert {page.number_matched for page in walked} == {None}


def test_a_bbox_page_holds_the_observations_of_the_sites_inside(
    seeded_engine: Engine, observations: Collection
) -> None:
    params = [("bbox", GENT_BBOX), ("limit", "1000")]
    page = read_page(seeded_engine, observations, params, Counting())
    gent = {i for i, site in _sites(observation_times()).items() if site in GENT_SITES}
    assert {feature["id"] for feature in page.features} == gent
    assert page.number_matched == len(gent)
    assert all(feature["geometry"]["type"] == "Point" for feature in page.features)


def _sites(times: dict[str, Any]) -> dict[str, str]:
    return {observation_id: observation_id.split("@")[0] for observation_id in times}


def test_exact_counting_counts_apart_when_there_are_more_than_the_bound(
    seeded_engine: Engine, observations: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = [("filter", "vacant >= 0"), ("limit", "3")]
    below = read_page(seeded_engine, observations, params, Counting("exact"))
    monkeypatch.setattr(features, "BOUND", 2)
    above = read_page(seeded_engine, observations, params, Counting("exact"))
    assert below.number_matched == above.number_matched == len(OBSERVATIONS)
    assert [f["id"] for f in below.features] == [f["id"] for f in above.features]
    assert read_page(seeded_engine, observations, params, Counting("off")).number_matched is None


def test_no_match_and_a_cursor_past_the_end(
    seeded_engine: Engine, observations: Collection
) -> None:
    nothing = read_page(seeded_engine, observations, [("filter", "vacant < -1")], Counting())
    assert (nothing.features, nothing.number_matched) == ([], 0)
    assert nothing.next_cursor is None and nothing.prev_cursor is None
    last = read_page(seeded_engine, observations,
                 [("filter", "vacant >= 0"), ("sortby", "-id"), ("limit", "1")], Counting())
    cursor = features.paging.encode([last.features[0]["id"]], backwards=False, sortby=())
    past = read_page(seeded_engine, observations, [("filter", "vacant >= 0"), ("cursor", cursor)],
                 Counting())
    assert past.features == []
    assert past.number_matched == len(OBSERVATIONS)  # counted apart: the page had no row
