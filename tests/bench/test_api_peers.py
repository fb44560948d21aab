"""The peers benchmark's own logic: its bbox, wrk's output, pygeoapi's configuration.

No server is started and no time is asserted on; ``python -m bench.api_peers`` is the run.
"""

from __future__ import annotations

import math

from bench.api_peers import queries, representative, square_km_bbox
from bench.peers.data import AREA, PEER_VIEW
from bench.peers.load import Measured, parse
from bench.peers.servers import pygeoapi_config

WRK = """Running 10s test @ http://127.0.0.1:1/collections/x/items?limit=100
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    21.05ms   10.14ms 158.34ms   90.01%
  Latency Distribution
     50%  850.00us
     75%   22.10ms
     90%   30.01ms
     99%    1.20s
  7570 requests in 10.01s, 281.55MB read
  Socket errors: connect 0, read 0, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:    756.24
Transfer/sec:     28.12MB
"""


def test_the_bbox_is_one_square_kilometre_inside_the_area() -> None:
    minx, miny, maxx, maxy = square_km_bbox()
    lat = math.radians((miny + maxy) / 2)
    width_km = (maxx - minx) * 111.320 * math.cos(lat)
    height_km = (maxy - miny) * 110.574
    assert abs(width_km * height_km - 1.0) < 0.01
    assert AREA[0] < minx < maxx < AREA[2] and AREA[1] < miny < maxy < AREA[3]


def test_the_four_queries_use_the_same_paths_on_every_server() -> None:
    found = {query.key: query.path for query in queries("bench:p1@2026-11-02T00:15:00Z")}
    assert found["b"] == "/items?limit=1000"
    assert found["c"] == "/items/bench:p1@2026-11-02T00:15:00Z"
    assert found["d"] == "/items?filter=vacant%20%3C%2010&limit=100"
    assert found["a"].startswith("/items?bbox=") and found["a"].endswith("&limit=100")
    assert [query.key for query in queries(None)] == ["a", "b", "d"]


def test_wrk_output_is_read_with_its_units_and_errors() -> None:
    measured = parse(WRK, server_cpu=3.0, database_cpu=1.5)
    assert measured.requests == 7570
    assert measured.per_second == 756.24
    assert measured.p50_ms == 0.85
    assert measured.p99_ms == 1200.0
    assert measured.errors == 5
    assert math.isclose(measured.server_cpu_ms, 3000 / 7570)
    assert math.isclose(measured.database_cpu_ms, 1500 / 7570)


def test_the_representative_round_is_the_median_one() -> None:
    runs = [Measured(1, rate, 1.0, rate, 0, 0.0, 0.0) for rate in (30.0, 10.0, 20.0)]
    assert representative(runs).per_second == 20.0
    assert representative(runs[:2]).per_second == 10.0  # of two, the slower


def test_pygeoapi_serves_the_peer_view_from_postgresql() -> None:
    config = pygeoapi_config({"host": "127.0.0.1", "port": "5432", "dbname": "d",
                              "user": "u", "password": ""})
    provider = config["resources"][PEER_VIEW]["providers"][0]  # type: ignore[index]
    assert provider["name"] == "PostgreSQL"
    assert (provider["table"], provider["id_field"], provider["geom_field"]) == (
        PEER_VIEW, "id", "geom"
    )
    assert provider["data"]["dbname"] == "d"
