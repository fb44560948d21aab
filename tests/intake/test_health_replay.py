"""Source health, the quarantine browser, and replay after a fix: nothing rejected is lost."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from core.ingest.files import FileJob, process_file
from core.ingest.messages import MessageRouter
from core.intake.jobs import create_job, get_job, new_job_folder
from core.intake.replay import replay_quarantine
from core.pilot import Registry
from core.runtime import open_database
from core.settings import DatabaseSettings, IntakeSettings
from core.sources import Source, add_source, get_source, update_source
from tests.api.conftest import api_settings
from tests.intake.conftest import Actors
from tests.intake.payloads import body, good_batch, observation, site

JSON = {"Content-Type": "application/json"}


def _push(client: TestClient, actors: Actors, content: bytes) -> dict[str, object]:
    response = client.post(
        "/sources/garages/observations",
        headers={**actors.headers("supplier"), **JSON},
        content=content,
    )
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def test_health_counts_records_rejections_and_reasons(
    app_client: TestClient, actors: Actors
) -> None:
    assert app_client.get("/sources/garages/health").json()["last_record_at"] is None
    _push(app_client, actors, body(site(), observation(naive=True), observation(vacant=-3)))
    health = app_client.get("/sources/garages/health?hours=2").json()
    assert health["records"] == 1 and health["quarantined"] == 2
    assert health["quarantine_rate"] == round(2 / 3, 4)
    assert health["records_per_hour"] == 0.5
    assert {reason["rule"] for reason in health["top_reasons"]} == {"core.timezone", "core.minimum"}
    assert datetime.fromisoformat(health["last_record_at"]) <= datetime.now(UTC)
    assert sum(hour["records"] for hour in health["hourly"]) == 1
    assert app_client.get("/sources/bays/health").json()["records"] == 0


def test_quarantine_browser_filters_by_rule_and_pages(
    app_client: TestClient, actors: Actors
) -> None:
    headers = actors.headers("supplier")
    _push(
        app_client,
        actors,
        body(
            site(),
            *(observation(naive=True, minutes_ago=m) for m in (1, 2, 3)),
            observation(vacant=-1),
        ),
    )
    page = app_client.get(
        "/sources/garages/quarantine?rule=core.timezone&limit=2", headers=headers
    ).json()
    assert page["numberMatched"] == 3 and page["numberReturned"] == 2
    assert page["links"][0]["rel"] == "next" and "offset=2" in page["links"][0]["href"]
    record = page["records"][0]
    assert record["reasons"][0]["rule"] == "core.timezone" and '"observed_at"' in record["raw"]
    rest = app_client.get(page["links"][0]["href"], headers=headers).json()
    assert rest["numberReturned"] == 1 and rest["links"] == []
    prefix = app_client.get("/sources/garages/quarantine?rule=core.time", headers=headers).json()
    assert prefix["numberMatched"] == 0  # a rule id is matched whole
    everything = app_client.get("/sources/garages/quarantine", headers=headers).json()
    assert everything["numberMatched"] == 4


def test_replay_after_declaring_the_time_zone_stores_what_was_rejected(
    app_client: TestClient, actors: Actors
) -> None:
    supplier = actors.headers("supplier")
    _push(app_client, actors, body(site(), observation(naive=True), observation(vacant=999)))
    before = app_client.get("/collections/parking-observations/items").json()
    assert before["numberReturned"] == 0
    fixed = app_client.patch(
        "/sources/garages", headers=actors.headers("admin"), json={"timezone": "Europe/Brussels"}
    )
    assert fixed.status_code == 200
    replayed = app_client.post("/sources/garages/quarantine/replay", headers=supplier).json()
    assert replayed == {
        "attempted": 2,
        "resolved": 1,
        "still_quarantined": 1,
        "not_replayable": 0,
        "files": ["push.json"],
    }
    after = app_client.get("/collections/parking-observations/items").json()
    assert after["numberReturned"] == 1
    open_records = app_client.get("/sources/garages/quarantine", headers=supplier).json()
    assert [r["reasons"][0]["rule"] for r in open_records["records"]] == [
        "parking.vacant-within-capacity"
    ]
    assert open_records["records"][0]["replayed_at"] is not None
    kept = app_client.get("/sources/garages/quarantine?resolved=true", headers=supplier).json()
    assert kept["numberMatched"] == 2
    assert sum(1 for r in kept["records"] if r["resolved_at"]) == 1


def test_replay_of_one_rule_leaves_the_others(app_client: TestClient, actors: Actors) -> None:
    _push(app_client, actors, body(site(), observation(naive=True), observation(vacant=999)))
    replayed = app_client.post(
        "/sources/garages/quarantine/replay",
        headers=actors.headers("supplier"),
        json={"rule": "parking.vacant-within-capacity"},
    ).json()
    assert replayed["attempted"] == 1 and replayed["still_quarantined"] == 1


def test_mqtt_messages_replay_through_the_worker_path(
    database_url: str, registry: Registry, tmp_path: Path
) -> None:
    engine = open_database(DatabaseSettings(database_url=database_url), registry)
    try:
        source = add_source(engine, registry, Source(id="feed", pilot="parking", format="json"))
        router = MessageRouter(registry, engine, [source])

        class Message:
            topic = "stadspuls/parking/feed/P1"
            payload = body(site(), observation(naive=True))
            received_at = datetime.now(UTC)
            qos, mid, retain = 1, 1, False

        router.handle_batch([Message()])()
        local = tmp_path / "local.json"
        local.write_bytes(body(observation(site_id="P1", naive=True)))
        process_file(
            registry.get("parking"),
            registry.get("parking").adapter("json"),
            FileJob(local, "feed"),
            engine,
            dry_run=False,
        )
        still = replay_quarantine(engine, registry, get_source(engine, "feed"))
        assert (still.attempted, still.still_quarantined, still.not_replayable) == (2, 1, 1)
        fixed = update_source(engine, registry, "feed", {"timezone": "Europe/Brussels"})
        replayed = replay_quarantine(engine, registry, fixed)
        assert (replayed.resolved, replayed.not_replayable) == (1, 1)
    finally:
        engine.dispose()


def test_a_job_cut_off_by_a_stop_runs_at_the_next_start(
    database_url: str, registry: Registry, tmp_path: Path
) -> None:
    engine = open_database(DatabaseSettings(database_url=database_url), registry)
    try:
        source = add_source(
            engine, registry, Source(id="garages", pilot="parking", format="json", city="gent")
        )
        job_id, folder = new_job_folder(tmp_path / "uploads")
        path = folder / "batch.json"
        path.write_bytes(good_batch())
        create_job(engine, job_id, source, path, None)
        intake = IntakeSettings(upload_dir=str(tmp_path / "uploads"))
        app = create_app(
            api_settings(), DatabaseSettings(database_url=database_url), registry, intake
        )
        with TestClient(app):
            deadline = time.monotonic() + 30
            while get_job(engine, job_id).status != "done" and time.monotonic() < deadline:
                time.sleep(0.05)
        job = get_job(engine, job_id)
        assert job.status == "done" and job.summary is not None
        assert job.summary["inserted"] == 3
    finally:
        engine.dispose()
