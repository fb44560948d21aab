"""Crowding counts in the canonical form: rules, derived area, privacy screen, storage."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from core.ingest.files import FileJob, process_file
from core.pilot import Registry
from tests.conftest import FIXTURES

CANONICAL = FIXTURES / "crowding" / "canonical.jsonl"


def rows(engine: Engine, sql: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(sa.text(sql))]


def test_canonical_counts_are_checked_against_the_handbook(
    engine: Engine, registry: Registry
) -> None:
    crowding = registry.get("crowding")
    summary = process_file(crowding, crowding.adapter("json"), FileJob(CANONICAL, "gent"),
                           engine, dry_run=False)
    assert (summary.read, summary.valid, summary.quarantined) == (12, 5, 7)
    by_position = {r["position"]: r["rules"]
                   for r in rows(engine, "SELECT position, rules FROM quarantine")}
    assert by_position == {
        6: "crowding.interval-aligned",
        7: "crowding.interval-length",
        8: "crowding.start-before-end",
        9: "crowding.direction-for-lines",
        10: "core.personal-data",
        11: "core.personal-data",
        12: "crowding.geometry-fits-kind",
    }
    presence = rows(engine, "SELECT start, coverage, statistic FROM crowding_observation "
                            "WHERE characteristic = 'presence'")
    assert len(presence) == 1
    assert presence[0]["coverage"] == pytest.approx(0.6667)
    assert str(presence[0]["start"]).startswith("2026-11-20 13:00:00")  # +01:00 stored as UTC


def test_a_zone_gets_its_area_in_square_metres(engine: Engine, registry: Registry) -> None:
    crowding = registry.get("crowding")
    process_file(crowding, crowding.adapter("json"), FileJob(CANONICAL, "gent"), engine,
                 dry_run=False)
    zone = rows(engine, "SELECT area, derived FROM crowding_location WHERE id = 'gent:grote-markt'")
    # 0.002° of longitude x 0.001° of latitude at 51.05° N: about 140 m x 111 m
    assert zone[0]["area"] == pytest.approx(15_600, rel=0.01)
    derived = zone[0]["derived"]
    assert (json.loads(derived) if isinstance(derived, str) else derived) == ["area"]


def test_personal_data_is_refused_and_never_kept(engine: Engine, registry: Registry) -> None:
    crowding = registry.get("crowding")
    process_file(crowding, crowding.adapter("json"), FileJob(CANONICAL, "gent"), engine,
                 dry_run=False)
    kept = rows(engine, "SELECT raw, reasons FROM quarantine WHERE rules = 'core.personal-data' "
                        "ORDER BY position")
    assert len(kept) == 2
    for row in kept:
        assert row["raw"].startswith("(not kept: personal data; sha256 of the content ")
        assert "AA:BB" not in row["raw"] and "a4:5e" not in row["raw"]
    reasons = [json.loads(r["reasons"]) if isinstance(r["reasons"], str) else r["reasons"]
               for r in kept]
    assert "field '$.mac_address'" in reasons[0][0]["message"]
    assert "field '$.sensor.last_seen[0]'" in reasons[1][0]["message"]
    assert all(reason[0]["found"] is None for reason in reasons)  # the value is not repeated


def test_density_is_presence_per_square_metre_of_the_zone(
    engine: Engine, registry: Registry
) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from core.settings import ApiSettings, DatabaseSettings

    crowding = registry.get("crowding")
    process_file(crowding, crowding.adapter("json"), FileJob(CANONICAL, "gent"), engine,
                 dry_run=False)
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(ApiSettings(), DatabaseSettings(database_url=url))) as client:
        items = client.get("/collections/crowding-observations/items",
                           params={"limit": 100}).json()["features"]
    by_characteristic = {f["properties"]["characteristic"]: f["properties"] for f in items}
    presence = by_characteristic["presence"]
    area = rows(engine, "SELECT area FROM crowding_location WHERE id = 'gent:grote-markt'")
    assert presence["density"] == pytest.approx(420 / area[0]["area"])
    assert by_characteristic["passages"]["density"] is None


def test_counts_are_filtered_by_their_queryables(engine: Engine, registry: Registry) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from core.settings import ApiSettings, DatabaseSettings

    crowding = registry.get("crowding")
    process_file(crowding, crowding.adapter("json"), FileJob(CANONICAL, "gent"), engine,
                 dry_run=False)
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(ApiSettings(), DatabaseSettings(database_url=url))) as client:
        path = "/collections/crowding-observations/items"
        outgoing = client.get(path, params={"characteristic": "passages", "direction": "out"})
        line = client.get(path, params={"location_id": "gent:veldstraat-line"})
        big = client.get(path, params={"value": "420"})
        wrong = client.get(path, params={"value": "many"})
        unknown = client.get(path, params={"colour": "red"})
    assert [f["properties"]["value"] for f in outgoing.json()["features"]] == [288]
    assert line.json()["numberMatched"] == 2
    assert [f["properties"]["characteristic"] for f in big.json()["features"]] == ["presence"]
    assert wrong.status_code == 400 and wrong.json()["parameter"] == "value"
    assert unknown.status_code == 400 and "location_id" in unknown.json()["detail"]
