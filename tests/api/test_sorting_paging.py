"""sortby, properties, skipGeometry, keyset paging (also while the table changes), numberMatched."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from core.pilot import Registry
from core.settings import DatabaseSettings
from core.storage import table_of
from pilots.parking.models import ParkingObservation
from tests.api.checks import assert_problem, get_geojson, ids, links_by_rel, page_through
from tests.api.conftest import api_settings
from tests.api.seed import KOUTER, MECHELEN_SITE, OBSERVATIONS, SITES

SITES_ITEMS = "/collections/parking-sites/items"
OBSERVATIONS_ITEMS = "/collections/parking-observations/items"
SINT_PIETERS = "gent:parking-sint-pietersplein"


def _everything(client: TestClient) -> list[dict[str, object]]:
    features: list[dict[str, object]] = get_geojson(
        client, f"{OBSERVATIONS_ITEMS}?limit=1000"
    )["features"]
    return features


def test_sortby_orders_by_the_property_then_the_id(client: TestClient) -> None:
    assert ids(get_geojson(client, f"{SITES_ITEMS}?sortby=vacant")) == [
        KOUTER, MECHELEN_SITE, SINT_PIETERS,
    ]
    assert ids(get_geojson(client, f"{SITES_ITEMS}?sortby=-vacant")) == [
        SINT_PIETERS, MECHELEN_SITE, KOUTER,
    ]
    assert ids(get_geojson(client, f"{SITES_ITEMS}?sortby=%2Bobserved_at")) == [
        KOUTER, SINT_PIETERS, MECHELEN_SITE,
    ]


def test_sortby_puts_nulls_last_both_ways(client: TestClient) -> None:
    ascending = ids(get_geojson(client, f"{SITES_ITEMS}?sortby=city,-vacant"))
    descending = ids(get_geojson(client, f"{SITES_ITEMS}?sortby=-city,-vacant"))
    assert ascending == [SINT_PIETERS, KOUTER, MECHELEN_SITE]  # Mechelen has no city
    assert descending == [SINT_PIETERS, KOUTER, MECHELEN_SITE]


@pytest.mark.parametrize("sortby", ["-observed_at", "vacant", "-occupancy,site_id", "status"])
@pytest.mark.parametrize("limit", [1, 4, 7])
def test_sorted_pages_follow_the_sort_and_meet_exactly(
    client: TestClient, sortby: str, limit: int
) -> None:
    everything = get_geojson(client, f"{OBSERVATIONS_ITEMS}?sortby={sortby}&limit=1000")
    pages = page_through(client, f"{OBSERVATIONS_ITEMS}?sortby={sortby}&limit={limit}")
    seen = [feature_id for page in pages for feature_id in ids(page)]
    assert seen == ids(everything)
    assert set(seen) == OBSERVATIONS
    key = sortby.split(",")[0].lstrip("-")
    values = [f["properties"][key] for f in everything["features"]]
    present = [value for value in values if value is not None]
    assert present == sorted(present, reverse=sortby.startswith("-"))
    assert values[len(present):] == [None] * (len(values) - len(present))  # nulls last


def test_prev_links_walk_back_through_a_sorted_result(client: TestClient) -> None:
    pages = page_through(client, f"{OBSERVATIONS_ITEMS}?sortby=-vacant&limit=5")
    for earlier, later in itertools.pairwise(pages):
        back = get_geojson(client, links_by_rel(later)["prev"]["href"])
        assert ids(back) == ids(earlier)
        assert get_geojson(client, links_by_rel(back)["next"]["href"])["features"] == later[
            "features"
        ]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("sortby=colour", "sortby"),
        ("sortby=derived", "sortby"),  # a property, but not sortable
        ("sortby=geometry", "sortby"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=e30", "cursor"),  # base64 of {}
        ("properties=vacant,colour", "properties"),
        ("skipGeometry=1", "skipGeometry"),
    ],
)
def test_bad_sort_select_and_cursor_are_400s(
    client: TestClient, query: str, parameter: str
) -> None:
    assert_problem(client.get(f"{OBSERVATIONS_ITEMS}?{query}"), 400, parameter)


def test_a_cursor_only_fits_its_own_sort_order(client: TestClient) -> None:
    first = get_geojson(client, f"{OBSERVATIONS_ITEMS}?sortby=vacant&limit=2")
    cursor = links_by_rel(first)["next"]["href"].split("cursor=")[1]
    body = assert_problem(client.get(f"{OBSERVATIONS_ITEMS}?sortby=status&cursor={cursor}"),
                          400, "cursor")
    assert "sortby" in body["detail"]


def test_a_tampered_cursor_is_a_400_not_a_database_error(client: TestClient) -> None:
    import base64
    import json

    token = base64.urlsafe_b64encode(
        json.dumps({"k": [{"t": "yesterday"}, 5], "b": False, "s": "-observed_at"}).encode()
    ).decode()
    assert_problem(client.get(f"{OBSERVATIONS_ITEMS}?sortby=-observed_at&cursor={token}"),
                   400, "cursor")
    wrong_type = base64.urlsafe_b64encode(
        json.dumps({"k": [["a list"]], "b": False, "s": ""}).encode()
    ).decode()
    assert_problem(client.get(f"{OBSERVATIONS_ITEMS}?cursor={wrong_type}"), 400, "cursor")


def test_properties_selects_and_orders_the_properties(client: TestClient) -> None:
    body = get_geojson(client, f"{SITES_ITEMS}?properties=vacant,name")
    for feature in body["features"]:
        assert list(feature["properties"]) == ["vacant", "name"]
        assert feature["geometry"]["type"] == "Point"
    empty = get_geojson(client, f"{SITES_ITEMS}/{KOUTER}?properties=")
    assert empty["properties"] == {}


def test_skip_geometry_leaves_it_out(client: TestClient) -> None:
    body = get_geojson(client, f"{SITES_ITEMS}?skipGeometry=true&properties=name")
    assert {f["id"] for f in body["features"]} == SITES
    assert all(f["geometry"] is None for f in body["features"])
    one = get_geojson(client, f"{SITES_ITEMS}/{KOUTER}?skipGeometry=true")
    assert one["geometry"] is None and one["properties"]["name"] == "Kouter"


def test_keyset_pages_neither_repeat_nor_skip_when_rows_change(client: TestClient) -> None:
    """A row before the page boundary disappears between two page requests: with offset
    paging the next page would skip a row; the cursor continues right after the last one."""
    everything = ids(get_geojson(client, f"{OBSERVATIONS_ITEMS}?limit=1000"))
    first = get_geojson(client, f"{OBSERVATIONS_ITEMS}?limit=5")
    engine = client.app.state.engine  # type: ignore[attr-defined]
    victim = ids(first)[0]
    table = table_of(ParkingObservation)
    with engine.begin() as conn:
        row = dict(conn.execute(sa.select(table).where(table.c.id == victim)).mappings().one())
        conn.execute(sa.delete(table).where(table.c.id == victim))
    try:
        second = get_geojson(client, links_by_rel(first)["next"]["href"])
        assert ids(second) == everything[5:10]
    finally:
        with engine.begin() as conn:
            conn.execute(sa.insert(table).values(**row))
    assert ids(get_geojson(client, f"{OBSERVATIONS_ITEMS}?limit=1000")) == everything


@pytest.fixture(scope="module")
def counting_clients(
    seeded_database_url: str, registry: Registry
) -> Iterator[dict[str, TestClient]]:
    """One app per numberMatched mode, on the seeded database."""
    modes = {"exact": 10_000, "capped": 20, "off": 10_000}
    clients: dict[str, TestClient] = {}
    try:
        for mode, cap in modes.items():
            settings = api_settings().model_copy(
                update={"api_number_matched": mode, "api_number_matched_cap": cap}
            )
            app = create_app(settings, DatabaseSettings(database_url=seeded_database_url),
                             registry)
            clients[mode] = TestClient(app)
            clients[mode].__enter__()
        yield clients
    finally:
        for client in clients.values():
            client.__exit__(None, None, None)


def test_number_matched_modes(counting_clients: dict[str, TestClient]) -> None:
    exact = get_geojson(counting_clients["exact"], f"{OBSERVATIONS_ITEMS}?limit=2")
    assert exact["numberMatched"] == 27
    capped = get_geojson(counting_clients["capped"], f"{OBSERVATIONS_ITEMS}?limit=2")
    assert "numberMatched" not in capped  # 27 matches, more than the cap of 20
    few = get_geojson(
        counting_clients["capped"], f"{OBSERVATIONS_ITEMS}?limit=2&filter={quote('vacant > 250')}"
    )
    assert few["numberMatched"] == sum(
        1 for f in _everything(counting_clients["exact"]) if f["properties"]["vacant"] > 250
    )
    off = get_geojson(counting_clients["off"], f"{OBSERVATIONS_ITEMS}?limit=2")
    assert "numberMatched" not in off and off["numberReturned"] == 2
