"""Feature history: buckets and aggregates against hand-computed values, on both backends.

The data is written straight into the tables, so every value below can be checked by hand:
one parking site observed around the night Brussels leaves summer time (2026-10-25, 01:00 UTC)
and one crowding location with two directions of passages, a crowding level and an event
without a value (neither of which is a number to aggregate).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from shapely.geometry import LineString, Point

from api.app import create_app
from core.pilot import Registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from core.storage import table_of
from pilots.crowding.models import CrowdingLocation, CrowdingObservation
from pilots.parking.models import ParkingObservation, ParkingSite
from tests.api.checks import assert_problem
from tests.api.conftest import api_settings

SITE = "test:dst-garage"
LOCATION = "test:korenmarkt-line"
SITE_HISTORY = f"/collections/parking-sites/items/{SITE}/history"
LOCATION_HISTORY = f"/collections/crowding-locations/items/{LOCATION}/history"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


#: (time, vacant, occupied, occupancy) of the site. Brussels goes from 03:00 CEST back to
#: 02:00 CET at 2026-10-25T01:00Z: a local-time day would be 25 hours long, a UTC day is not.
PARKING = [
    ("2026-10-24T23:50:00Z", 10, 90, 0.90),
    ("2026-10-25T00:05:00Z", 20, 80, 0.80),
    ("2026-10-25T00:10:00Z", 30, 70, 0.70),
    ("2026-10-25T00:59:59Z", 40, 60, 0.60),
    ("2026-10-25T01:00:00Z", 50, None, 0.50),
    ("2026-10-25T01:14:00Z", None, 45, 0.55),
    ("2026-10-25T23:59:59Z", 5, 95, 0.95),
    ("2026-10-26T00:00:00Z", 7, 93, 0.93),
]
#: (start, direction, value) of 5-minute passages counts at the location.
PASSAGES = [
    ("2026-10-25T00:00:00Z", "in", 4.0),
    ("2026-10-25T00:05:00Z", "in", 6.0),
    ("2026-10-25T00:20:00Z", "in", 1.0),
    ("2026-10-25T00:05:00Z", "out", 3.0),
]


def _seed(url: str, registry: Registry) -> None:
    engine = open_database(DatabaseSettings(database_url=url), registry)
    now = datetime(2026, 10, 26, tzinfo=UTC)
    point, line = Point(3.7245, 51.0543), LineString([(3.7215, 51.0546), (3.7222, 51.0551)])
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(table_of(ParkingSite)), [{
                "id": SITE, "source": "test", "native_id": "dst-garage", "name": "DST <garage>",
                "geometry": point, "minx": point.x, "miny": point.y, "maxx": point.x,
                "maxy": point.y, "derived": [], "updated_at": now,
            }])
            conn.execute(sa.insert(table_of(ParkingObservation)), [
                {"id": f"{SITE}@{when}", "site_id": SITE, "source": "test",
                 "observed_at": utc(when), "vacant": vacant, "occupied": occupied,
                 "occupancy": occupancy, "derived": [], "received_at": now}
                for when, vacant, occupied, occupancy in PARKING
            ])
            minx, miny, maxx, maxy = line.bounds
            conn.execute(sa.insert(table_of(CrowdingLocation)), [{
                "id": LOCATION, "source": "test", "native_id": "korenmarkt", "kind": "line",
                "geometry": line, "minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy,
                "derived": [], "updated_at": now,
            }])
            counts = [
                {"start": utc(start), "end": utc(start) + timedelta(minutes=5),
                 "characteristic": "passages", "count_type": "interval", "value": value,
                 "unit": "persons", "direction": direction}
                for start, direction, value in PASSAGES
            ]
            counts += [
                {"start": utc("2026-10-25T00:10:00Z"), "end": None, "characteristic": "passages",
                 "count_type": "event", "value": None, "unit": None, "direction": "in"},
                {"start": utc("2026-10-25T00:10:00Z"), "end": utc("2026-10-25T00:15:00Z"),
                 "characteristic": "crowding-level", "count_type": "interval", "value": 3.0,
                 "unit": None, "direction": None},
            ]
            conn.execute(sa.insert(table_of(CrowdingObservation)), [
                {**count, "id": f"{LOCATION}#{k}", "location_id": LOCATION, "source": "test",
                 "derived": [], "received_at": now}
                for k, count in enumerate(counts)
            ])
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def history_client(api_database_url: str, registry: Registry) -> Iterator[TestClient]:
    _seed(api_database_url, registry)
    app = create_app(api_settings(), DatabaseSettings(database_url=api_database_url), registry)
    with TestClient(app) as client:
        yield client


def _parts(url: str) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(url)
    assert parts.netloc == "testserver"
    return unquote(parts.path), parse_qsl(parts.query)


def _buckets(client: TestClient, url: str) -> list[dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    [series] = response.json()["series"]
    buckets: list[dict[str, Any]] = series["buckets"]
    return buckets


def _vacant(buckets: list[dict[str, Any]]) -> list[tuple[str, int, Any]]:
    return [(b["start"][11:16], b["observations"], b["values"]["vacant"]) for b in buckets]


WINDOW = "datetime=2026-10-25T00:00:00Z/2026-10-25T02:00:00Z"


@pytest.mark.parametrize(
    ("agg", "expected"),
    [
        # 00:00 holds 20, 30, 40; 01:00 holds 50 and a missing vacant (ignored, but counted)
        ("mean", [("00:00", 3, 30), ("01:00", 2, 50)]),
        ("min", [("00:00", 3, 20), ("01:00", 2, 50)]),
        ("max", [("00:00", 3, 40), ("01:00", 2, 50)]),
        ("sum", [("00:00", 3, 90), ("01:00", 2, 50)]),
        # the newest non-null: 00:59:59 → 40; at 01:14 vacant is missing, so 01:00's 50
        ("last", [("00:00", 3, 40), ("01:00", 2, 50)]),
    ],
)
def test_hourly_buckets_for_each_aggregation(
    history_client: TestClient, agg: str, expected: list[tuple[str, int, float]]
) -> None:
    buckets = _buckets(history_client, f"{SITE_HISTORY}?{WINDOW}&interval=1h&agg={agg}")
    assert _vacant(buckets) == [(t, n, pytest.approx(v)) for t, n, v in expected]
    assert [b["end"][11:16] for b in buckets] == ["01:00", "02:00"]


def test_every_measure_is_aggregated(history_client: TestClient) -> None:
    buckets = _buckets(history_client, f"{SITE_HISTORY}?{WINDOW}&interval=1h&agg=last")
    assert buckets[1]["values"] == {"vacant": 50, "occupied": 45, "occupancy": pytest.approx(0.55)}
    mean = _buckets(history_client, f"{SITE_HISTORY}?{WINDOW}&interval=1h&agg=mean")
    assert mean[0]["values"]["occupancy"] == pytest.approx(0.70)
    assert mean[1]["values"]["occupied"] == pytest.approx(45)  # the only value in the bucket


def test_quarter_hours_are_dense_with_explicit_nulls(history_client: TestClient) -> None:
    buckets = _buckets(history_client, f"{SITE_HISTORY}?{WINDOW}&interval=15m&agg=sum")
    assert _vacant(buckets) == [
        ("00:00", 2, 50), ("00:15", 0, None), ("00:30", 0, None), ("00:45", 1, 40),
        ("01:00", 2, 50), ("01:15", 0, None), ("01:30", 0, None), ("01:45", 0, None),
    ]


def test_days_are_utc_days_across_the_dst_change(history_client: TestClient) -> None:
    url = f"{SITE_HISTORY}?datetime=2026-10-24T00:00:00Z/2026-10-26T00:00:01Z&interval=1d"
    buckets = _buckets(history_client, f"{url}&agg=sum")
    assert [(b["start"], b["end"]) for b in buckets] == [
        ("2026-10-24T00:00:00Z", "2026-10-25T00:00:00Z"),
        ("2026-10-25T00:00:00Z", "2026-10-26T00:00:00Z"),
        ("2026-10-26T00:00:00Z", "2026-10-27T00:00:00Z"),
    ]
    # 25 October (a 25-hour day in Brussels) holds 20+30+40+50+5; 23:59:59 stays in it
    assert _vacant(buckets) == [("00:00", 1, 10), ("00:00", 6, 145), ("00:00", 1, 7)]
    last = _buckets(history_client, f"{url}&agg=last")
    assert [b["values"]["vacant"] for b in last] == [10, 5, 7]


def test_the_window_is_widened_to_whole_buckets(history_client: TestClient) -> None:
    body = history_client.get(
        f"{SITE_HISTORY}?datetime=2026-10-25T00:07:00Z/2026-10-25T00:50:00Z&interval=1h"
    ).json()
    assert body["datetime"] == "2026-10-25T00:00:00Z/2026-10-25T01:00:00Z"
    assert _vacant(body["series"][0]["buckets"]) == [("00:00", 3, pytest.approx(30))]
    instant = f"{SITE_HISTORY}?datetime=2026-10-25T01:05:00Z&interval=15m"
    assert _vacant(_buckets(history_client, instant)) == [("01:00", 2, 50)]


def test_series_keep_directions_apart_and_leave_labels_out(history_client: TestClient) -> None:
    response = history_client.get(
        f"{LOCATION_HISTORY}?datetime=2026-10-25T00:00:00Z/2026-10-25T00:30:00Z"
        "&interval=15m&agg=sum"
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["measures"] == ["value"]
    assert body["seriesColumns"] == ["characteristic", "unit", "statistic", "modality", "direction"]
    summary = {
        series["key"]["direction"]: [
            (b["observations"], b["values"]["value"]) for b in series["buckets"]
        ]
        for series in body["series"]
    }
    assert summary == {"in": [(2, 10.0), (1, 1.0)], "out": [(1, 3.0), (0, None)]}
    assert {series["key"]["characteristic"] for series in body["series"]} == {"passages"}


def test_csv_has_one_row_per_series_and_bucket(history_client: TestClient) -> None:
    response = history_client.get(
        f"{LOCATION_HISTORY}?datetime=2026-10-25T00:00:00Z/2026-10-25T00:30:00Z"
        "&interval=15m&agg=max&f=csv"
    )
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["direction"], r["start"], r["observations"], r["value"]) for r in rows] == [
        ("in", "2026-10-25T00:00:00Z", "2", "6.0"),
        ("in", "2026-10-25T00:15:00Z", "1", "1.0"),
        ("out", "2026-10-25T00:00:00Z", "1", "3.0"),
        ("out", "2026-10-25T00:15:00Z", "0", ""),
    ]
    by_accept = history_client.get(
        f"{LOCATION_HISTORY}?datetime=2026-10-25T00:00:00Z", headers={"accept": "text/csv"}
    )
    assert by_accept.headers["content-type"] == "text/csv; charset=utf-8"


def test_links_and_long_caching_of_a_closed_window(history_client: TestClient) -> None:
    response = history_client.get(f"{SITE_HISTORY}?{WINDOW}&interval=1h")
    assert response.headers["cache-control"] == "public, max-age=86400"
    links = {(item["rel"], item["type"]): item["href"] for item in response.json()["links"]}
    window = ("datetime", "2026-10-25T00:00:00Z/2026-10-25T02:00:00Z")
    self_link = links[("self", "application/json")]
    assert _parts(self_link) == (SITE_HISTORY, [("interval", "1h"), window])
    assert _parts(links[("alternate", "text/csv")]) == (
        SITE_HISTORY, [("interval", "1h"), window, ("f", "csv")]
    )
    assert _parts(links[("prev", "application/json")])[1] == [
        ("interval", "1h"), ("datetime", "2026-10-24T22:00:00Z/2026-10-25T00:00:00Z")
    ]
    assert _parts(links[("next", "application/json")])[1] == [
        ("interval", "1h"), ("datetime", "2026-10-25T02:00:00Z/2026-10-25T04:00:00Z")
    ]
    assert links[("related", "application/geo+json")] == (
        f"http://testserver/collections/parking-sites/items/{SITE}"
    )
    assert history_client.get(links[("prev", "application/json")]).status_code == 200
    live = history_client.get(f"{SITE_HISTORY}?datetime=2026-10-25T00:00:00Z/..&interval=1d")
    assert live.headers["cache-control"] == "public, max-age=60"
    assert live.headers["etag"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("interval=2h", "interval"),
        ("agg=median", "agg"),
        ("datetime=yesterday", "datetime"),
        ("datetime=../2026-10-25T00:00:00Z", "datetime"),
        ("datetime=2026-10-26T00:00:00Z/2026-10-25T00:00:00Z", "datetime"),
        ("datetime=2000-01-01T00:00:00Z/2026-01-01T00:00:00Z&interval=15m", "datetime"),
        ("f=geojson", "f"),
        ("limit=10", "limit"),
        ("agg=sum&agg=max", "agg"),
    ],
)
def test_parameter_errors_are_400_problems_naming_them(
    history_client: TestClient, query: str, parameter: str
) -> None:
    assert_problem(history_client.get(f"{SITE_HISTORY}?{query}"), 400, parameter)


def test_unknown_feature_and_collection_without_history_are_404s(
    history_client: TestClient,
) -> None:
    body = assert_problem(
        history_client.get("/collections/parking-sites/items/test:nowhere/history"), 404
    )
    assert "test:nowhere" in body["detail"]
    body = assert_problem(
        history_client.get("/collections/parking-observations/items/x/history"), 404
    )
    assert "has no history" in body["detail"] and "parking-sites" in body["detail"]
    assert_problem(history_client.get("/collections/nope/items/x/history"), 404)
    assert_problem(history_client.get(SITE_HISTORY, headers={"accept": "image/png"}), 406)


def test_openapi_documents_the_history(history_client: TestClient) -> None:
    document = history_client.get("/openapi.json").json()
    operation = document["paths"]["/collections/{collectionId}/items/{featureId}/history"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert names == {"collectionId", "featureId", "datetime", "interval", "agg", "f"}
