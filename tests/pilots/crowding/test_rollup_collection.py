"""The crowding-rollups collection on both backends: levels per hour, stable ids, filters."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from core.ingest.files import FileJob, process_file
from core.pilot import Registry
from core.settings import ApiSettings, DatabaseSettings
from pilots.crowding.demo.generate import HOURS, ZONES

ITEMS = "/collections/crowding-rollups/items"


def test_the_demo_zones_get_a_level_for_every_hour(
    engine: Engine, database_url: str, registry: Registry
) -> None:
    crowding = registry.get("crowding")
    (demo,) = crowding.demo_files
    process_file(crowding, crowding.adapter(demo.format_id), FileJob(demo.path, demo.source),
                 engine, dry_run=False)  # fmt: skip
    with TestClient(create_app(ApiSettings(), DatabaseSettings(database_url=database_url),
                               registry)) as client:  # fmt: skip
        zone = client.get(ITEMS, params={"location_id": "gent-zones:korenmarkt",
                                         "interval_minutes": 60, "limit": 1000}).json()  # fmt: skip
        midday = client.get(ITEMS, params={"datetime": "2026-11-20T12:00:00Z",
                                           "interval_minutes": 60}).json()  # fmt: skip
        one = client.get(f"{ITEMS}/{midday['features'][0]['id']}")
    assert len(zone["features"]) == HOURS
    assert all(f["properties"]["level_rule"] == "density-los-fruin" for f in zone["features"])
    assert {f["properties"]["level"] for f in zone["features"]} == {
        "calm", "normal", "busy", "very-busy"}  # fmt: skip
    by_location = {f["properties"]["location_id"]: f for f in midday["features"]}
    assert len(by_location) == len(ZONES) + 1  # the zones and the counting line
    korenmarkt = by_location["gent-zones:korenmarkt"]
    assert korenmarkt["id"] == "gent-zones:korenmarkt@20261120T120000Z~60~presence~people~mean~~~~"
    assert korenmarkt["geometry"]["type"] == "Polygon"
    assert by_location["gent-zones:veldstraat"]["properties"]["level"] is None  # one week only
    assert one.status_code == 200
    assert one.json()["id"] == midday["features"][0]["id"]


def test_the_demo_sample_is_what_its_generator_writes(registry: Registry) -> None:
    from pilots.crowding.demo.generate import records

    (demo,) = registry.get("crowding").demo_files
    lines = demo.path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records()
