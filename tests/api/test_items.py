"""Items: the FeatureCollection, paging, bbox and datetime filters, and one feature by id."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from itertools import pairwise
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.api.checks import get_geojson, ids, links_by_rel, page_through
from tests.api.seed import (
    GENT_SITES,
    KOUTER,
    MECHELEN_SITE,
    OBSERVATIONS,
    SITES,
    observation_id,
    observation_times,
)

SITES_ITEMS = "/collections/parking-sites/items"
OBSERVATIONS_ITEMS = "/collections/parking-observations/items"
GENT_BBOX = "3.70,51.00,3.80,51.10"
MECHELEN_BBOX = "4.40,51.00,4.55,51.10"
RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")


def test_items_are_a_geojson_feature_collection(client: TestClient) -> None:
    body = get_geojson(client, SITES_ITEMS)
    assert body["type"] == "FeatureCollection"
    assert set(ids(body)) == SITES
    assert body["numberMatched"] == body["numberReturned"] == 3
    assert RFC3339_UTC.fullmatch(body["timeStamp"])
    links = links_by_rel(body)
    assert links["self"] == {"href": f"http://testserver{SITES_ITEMS}", "rel": "self",
                             "type": "application/geo+json"}
    assert links["collection"]["href"] == "http://testserver/collections/parking-sites"
    assert "next" not in links and "prev" not in links
    kouter = next(f for f in body["features"] if f["id"] == KOUTER)
    assert kouter["type"] == "Feature"
    assert kouter["geometry"]["type"] == "Point"
    assert kouter["geometry"]["coordinates"] == pytest.approx([3.7236, 51.0503])  # lon, lat
    properties = kouter["properties"]
    assert properties["name"] == "Kouter"
    assert properties["city"] == "Gent"
    assert (properties["capacity"], properties["vacant"]) == (262, 14)
    assert properties["observed_at"] == "2026-11-20T09:14:58Z"


def test_observation_properties_are_the_declared_columns(client: TestClient) -> None:
    feature = client.get(f"{OBSERVATIONS_ITEMS}/{observation_id(MECHELEN_SITE, _at(9, 30))}")
    properties = feature.json()["properties"]
    assert set(properties) == {
        "site_id", "name", "observed_at", "capacity", "vacant", "occupied", "occupancy",
        "status", "opening_status", "trend", "derived",
    }
    assert properties["site_id"] == MECHELEN_SITE
    assert properties["observed_at"] == "2026-11-20T09:30:00Z"
    assert (properties["vacant"], properties["occupied"]) == (45, 255)


def test_limit_defaults_to_ten(client: TestClient) -> None:
    body = get_geojson(client, OBSERVATIONS_ITEMS)
    assert body["numberReturned"] == len(body["features"]) == 10
    assert body["numberMatched"] == len(OBSERVATIONS) == 27
    next_href = links_by_rel(body)["next"]["href"]
    assert next_href.startswith(f"http://testserver{OBSERVATIONS_ITEMS}?cursor=")


def test_limit_up_to_the_maximum_returns_everything(client: TestClient) -> None:
    body = get_geojson(client, f"{OBSERVATIONS_ITEMS}?limit=10000")
    assert set(ids(body)) == OBSERVATIONS
    assert body["numberReturned"] == body["numberMatched"] == 27
    assert "next" not in links_by_rel(body)


@pytest.mark.parametrize("limit", [1, 4, 10, 26, 27])
def test_next_links_page_through_all_features_once_in_id_order(
    client: TestClient, limit: int
) -> None:
    pages = page_through(client, f"{OBSERVATIONS_ITEMS}?limit={limit}")
    seen = [feature_id for page in pages for feature_id in ids(page)]
    assert len(seen) == len(set(seen)) == 27
    assert set(seen) == OBSERVATIONS
    assert seen == _all_ids(client, OBSERVATIONS_ITEMS)
    assert len(pages) == -(-27 // limit)
    for page in pages:
        assert page["numberMatched"] == 27
        assert page["numberReturned"] == len(page["features"]) <= limit


def _all_ids(client: TestClient, items: str) -> list[str]:
    """Every id in the one order of the backend (ids are ordered by its collation)."""
    return ids(get_geojson(client, f"{items}?limit=10000"))


def test_prev_links_lead_back(client: TestClient) -> None:
    pages = page_through(client, f"{OBSERVATIONS_ITEMS}?limit=4")
    assert "prev" not in links_by_rel(pages[0])
    for previous, page in pairwise(pages):
        back = get_geojson(client, links_by_rel(page)["prev"]["href"])
        assert ids(back) == ids(previous)
    everything = _all_ids(client, OBSERVATIONS_ITEMS)
    tail = get_geojson(client, f"{OBSERVATIONS_ITEMS}?limit=10&offset=5")
    back = get_geojson(client, links_by_rel(tail)["prev"]["href"])
    assert ids(back) == everything[:5]  # the rows before the page, however it was reached


def test_paging_links_keep_the_other_parameters(client: TestClient) -> None:
    query = f"bbox={GENT_BBOX}&datetime=2026-11-20T08:00:00Z/..&limit=5"
    pages = page_through(client, f"{OBSERVATIONS_ITEMS}?{query}")
    gent = [i for i in _all_ids(client, OBSERVATIONS_ITEMS) if not i.startswith("mechelen")]
    assert len(gent) == 26
    assert [feature_id for page in pages for feature_id in ids(page)] == gent
    next_link = links_by_rel(pages[0])["next"]
    assert next_link["type"] == "application/geo+json"
    params = dict(parse_qsl(urlsplit(next_link["href"]).query))
    assert params.pop("cursor")
    assert params == {"bbox": GENT_BBOX, "datetime": "2026-11-20T08:00:00Z/..", "limit": "5"}
    prev_params = dict(parse_qsl(urlsplit(links_by_rel(pages[1])["prev"]["href"]).query))
    assert prev_params.pop("cursor")
    assert prev_params == {"bbox": GENT_BBOX, "datetime": "2026-11-20T08:00:00Z/..", "limit": "5"}


@pytest.mark.parametrize(
    ("bbox", "expected"),
    [
        (GENT_BBOX, GENT_SITES),
        (MECHELEN_BBOX, {MECHELEN_SITE}),
        ("3.0,50.5,5.0,51.5", SITES),
        ("3.70,51.00,0,3.80,51.10,100", GENT_SITES),  # with heights
        ("3.7230,51.0500,3.7240,51.0510", {KOUTER}),  # a box around one car park
        ("2.5,49.5,2.6,49.6", set()),
    ],
)
def test_bbox_returns_exactly_the_sites_inside(
    client: TestClient, bbox: str, expected: set[str]
) -> None:
    body = get_geojson(client, f"{SITES_ITEMS}?bbox={bbox}")
    assert set(ids(body)) == expected
    assert body["numberMatched"] == len(expected)


def test_bbox_filters_observations_through_their_site(client: TestClient) -> None:
    body = get_geojson(client, f"{OBSERVATIONS_ITEMS}?bbox={MECHELEN_BBOX}")
    assert ids(body) == [observation_id(MECHELEN_SITE, _at(9, 30))]


def _at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 11, 20, hour, minute, second, tzinfo=UTC)


def _observations_between(start: datetime | None, end: datetime | None) -> set[str]:
    return {
        feature_id for feature_id, when in observation_times().items()
        if (start is None or when >= start) and (end is None or when <= end)
    }


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2026-11-20T09:30:00Z", _at(9, 30), _at(9, 30)),  # instant
        ("2026-11-20T10:30:00+01:00", _at(9, 30), _at(9, 30)),  # instant with an offset
        ("2026-11-20T08:10:00.000Z", _at(8, 10), _at(8, 10)),
        ("2026-11-20T08:00:00Z/2026-11-20T08:10:00Z", _at(8, 0), _at(8, 10)),  # inclusive
        ("../2026-11-20T08:05:00Z", None, _at(8, 5)),
        ("/2026-11-20T08:05:00Z", None, _at(8, 5)),
        ("2026-11-20T09:15:00Z/..", _at(9, 15), None),
        ("2026-11-20T09:15:00Z/", _at(9, 15), None),
        ("2026-11-20T09:30:01Z/..", _at(9, 30, 1), None),  # nothing after the last
    ],
)
def test_datetime_filters_observations(
    client: TestClient, value: str, start: datetime | None, end: datetime | None
) -> None:
    expected = _observations_between(start, end)
    body = get_geojson(client, f"{OBSERVATIONS_ITEMS}?datetime={quote(value)}&limit=100")
    assert set(ids(body)) == expected
    assert body["numberMatched"] == len(expected)


def test_datetime_instant_counts(client: TestClient) -> None:
    body = get_geojson(client, f"{OBSERVATIONS_ITEMS}?datetime=2026-11-20T08:10:00Z")
    assert set(ids(body)) == {observation_id(site, _at(8, 10)) for site in GENT_SITES}
    interval = get_geojson(
        client, f"{OBSERVATIONS_ITEMS}?datetime=2026-11-20T08:00:00Z/2026-11-20T08:10:00Z"
    )
    assert interval["numberMatched"] == 6  # 08:00, 08:05, 08:10 for both Gent car parks


def test_an_unencoded_plus_in_an_offset_is_understood(client: TestClient) -> None:
    body = get_geojson(client, f"{OBSERVATIONS_ITEMS}?datetime=2026-11-20T10:30:00+01:00")
    assert ids(body) == [observation_id(MECHELEN_SITE, _at(9, 30))]


def test_datetime_filters_sites_on_their_latest_observation(client: TestClient) -> None:
    body = get_geojson(client, f"{SITES_ITEMS}?datetime=2026-11-20T09:15:00Z/..")
    assert set(ids(body)) == {MECHELEN_SITE, "gent:parking-sint-pietersplein"}


@pytest.mark.parametrize("feature_id", sorted(SITES))
def test_site_by_id_round_trips(client: TestClient, feature_id: str) -> None:
    for path in (feature_id, quote(feature_id, safe="")):  # ':' as is and as %3A
        feature = get_geojson(client, f"{SITES_ITEMS}/{path}")
        assert feature["type"] == "Feature"
        assert feature["id"] == feature_id
        links = links_by_rel(feature)
        assert links["self"]["href"] == f"http://testserver{SITES_ITEMS}/{feature_id}"
        assert links["collection"]["href"] == "http://testserver/collections/parking-sites"
        assert get_geojson(client, links["self"]["href"])["id"] == feature_id


def test_every_observation_round_trips_by_id(client: TestClient) -> None:
    everything = get_geojson(client, f"{OBSERVATIONS_ITEMS}?limit=100")["features"]
    for listed in everything:
        feature_id = listed["id"]
        assert ":" in feature_id and "@" in feature_id
        for path in (feature_id, quote(feature_id, safe="")):  # as is, and %3A / %40
            feature = get_geojson(client, f"{OBSERVATIONS_ITEMS}/{path}")
            assert feature["id"] == feature_id
            assert feature["properties"] == listed["properties"]
            assert feature["geometry"] == listed["geometry"]
