"""Uploads and pushes go through the same pipeline as everything else; bad bodies are clear
4xx problems, bad content ends in quarantine with its reasons, nothing is lost."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.intake.conftest import PUSH_LIMIT, UPLOAD_LIMIT, Actors
from tests.intake.payloads import body, good_batch, observation, site

JSON = {"Content-Type": "application/json"}


def _finished(client: TestClient, headers: dict[str, str], job: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state: dict[str, Any] = client.get(f"/jobs/{job}", headers=headers).json()
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"job {job} did not finish: {state}")


def _upload(client: TestClient, headers: dict[str, str], name: str, content: bytes) -> Any:
    return client.post(
        "/sources/garages/files", headers=headers, files={"file": (name, content, "text/plain")}
    )


def test_an_upload_is_processed_in_the_background_and_reported(
    app_client: TestClient, actors: Actors, tmp_path: Path
) -> None:
    headers = actors.headers("supplier")
    batch = body(site(), observation(), observation(vacant=500, minutes_ago=7))
    accepted = _upload(app_client, headers, "../../etc/my batch.json", batch)
    assert accepted.status_code == 202
    assert accepted.headers["location"].endswith(f"/jobs/{accepted.json()['job']}")
    job = _finished(app_client, headers, accepted.json()["job"])
    assert job["status"] == "done" and job["filename"] == "my batch.json"
    assert job["summary"]["read"] == 3 and job["summary"]["quarantined"] == 1
    assert job["summary"]["inserted"] == 2  # the site and one observation
    assert job["report"]["invalid"] == 1
    [problem] = job["report"]["problems"]
    assert problem["rule"] == "parking.vacant-within-capacity" and problem["position"] == 3
    kept = list((tmp_path / "uploads").rglob("my batch.json"))
    assert len(kept) == 1 and kept[0].read_bytes() == batch  # kept for a replay
    items = app_client.get("/collections/parking-observations/items").json()
    assert items["numberReturned"] == 1


def test_an_upload_over_the_limit_is_413_and_leaves_nothing(
    app_client: TestClient, actors: Actors, tmp_path: Path
) -> None:
    response = _upload(
        app_client, actors.headers("supplier"), "big.json", b"[" + b" " * UPLOAD_LIMIT + b"]"
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "limit" in response.json()["detail"]
    assert not any((tmp_path / "uploads").rglob("*.json"))


def test_an_upload_that_is_not_multipart_is_415(app_client: TestClient, actors: Actors) -> None:
    response = app_client.post(
        "/sources/garages/files",
        headers={**actors.headers("supplier"), **JSON},
        content=good_batch(),
    )
    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["detail"]


def test_a_form_without_a_file_part_is_400(app_client: TestClient, actors: Actors) -> None:
    response = app_client.post(
        "/sources/garages/files",
        headers=actors.headers("supplier"),
        files={"attachment": ("batch.json", good_batch(), "application/json")},
    )
    assert response.status_code == 400 and response.json()["parameter"] == "file"


def test_a_truncated_file_fails_its_job_and_is_kept_in_quarantine(
    app_client: TestClient, actors: Actors
) -> None:
    headers = actors.headers("supplier")
    accepted = _upload(app_client, headers, "cut.json", good_batch()[:-15])
    job = _finished(app_client, headers, accepted.json()["job"])
    assert job["status"] == "failed" and "invalid JSON" in job["error"]
    assert job["report"]["problems"][0]["rule"] == "core.unreadable"
    quarantined = app_client.get("/sources/garages/quarantine", headers=headers).json()
    assert quarantined["numberMatched"] == 1
    assert quarantined["records"][0]["raw"] == good_batch()[:-15].decode()


def test_a_file_of_the_wrong_type_is_reported_unreadable(
    app_client: TestClient, actors: Actors
) -> None:
    headers = actors.headers("supplier")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    job = _finished(
        app_client, headers, _upload(app_client, headers, "photo.png", png).json()["job"]
    )
    assert job["status"] == "failed"
    assert job["report"]["problems"][0]["rule"] == "core.unreadable"


def test_a_push_is_processed_at_once(app_client: TestClient, actors: Actors) -> None:
    pushed = app_client.post(
        "/sources/garages/observations",
        headers={**actors.headers("supplier"), **JSON},
        content=body(site(), observation(), observation(vacant="many", minutes_ago=3)),
    )
    assert pushed.status_code == 200
    result = pushed.json()
    assert result["status"] == "done"
    assert result["summary"]["read"] == 3 and result["summary"]["quarantined"] == 1
    assert result["report"]["problems"][0]["rule"] == "core.datatype"


def test_push_limits_and_media_type(app_client: TestClient, actors: Actors) -> None:
    headers = actors.headers("supplier")
    too_big = app_client.post(
        "/sources/garages/observations",
        headers={**headers, **JSON},
        content=b"[" + b" " * PUSH_LIMIT + b"]",
    )
    assert too_big.status_code == 413
    as_text = app_client.post(
        "/sources/garages/observations",
        headers={**headers, "Content-Type": "text/plain"},
        content=good_batch(),
    )
    assert as_text.status_code == 415


def test_a_source_that_takes_no_files_says_so(app_client: TestClient, actors: Actors) -> None:
    admin = actors.headers("admin")
    changed = app_client.patch("/sources/garages", headers=admin, json={"delivery": ["mqtt"]})
    assert changed.status_code == 200 and changed.json()["delivery"] == ["mqtt"]
    refused = _upload(app_client, actors.headers("supplier"), "batch.json", good_batch())
    assert refused.status_code == 409
    assert "does not take file deliveries" in refused.json()["detail"]
    pushed = app_client.post(
        "/sources/garages/observations",
        headers={**actors.headers("supplier"), **JSON},
        content=good_batch(),
    )
    assert pushed.status_code == 409


def test_source_registry_over_http(app_client: TestClient, actors: Actors) -> None:
    admin = actors.headers("admin")
    created = app_client.post(
        "/sources",
        headers=admin,
        json={
            "id": "counters",
            "pilot": "crowding",
            "format": "telraam",
            "supplier": "telraam",
            "licence": "CC-BY-4.0",
            "timezone": "Europe/Brussels",
        },
    )
    assert created.status_code == 201, created.text
    document = created.json()
    assert document["city"] == "gent" and document["licence"] == "CC-BY-4.0"
    assert document["topic"] == "stadspuls/crowding/counters/#"
    assert document["delivery"] == ["mqtt", "file", "push"]
    assert created.headers["location"].endswith("/sources/counters")
    again = app_client.post(
        "/sources", headers=admin, json={"id": "counters", "pilot": "crowding", "format": "telraam"}
    )
    assert again.status_code == 409
    bad_format = app_client.post(
        "/sources", headers=admin, json={"id": "x", "pilot": "crowding", "format": "nope"}
    )
    assert bad_format.status_code == 400 and "nope" in bad_format.json()["detail"]
    unknown_field = app_client.patch("/sources/counters", headers=admin, json={"pilot": "parking"})
    assert unknown_field.status_code == 400
    moved = app_client.patch("/sources/counters", headers=admin, json={"city": "antwerpen"})
    assert moved.status_code == 403
    changed = app_client.patch("/sources/counters", headers=admin, json={"crs": "EPSG:31370"})
    assert changed.json()["crs"] == "EPSG:31370" and changed.json()["updated_at"] is not None
    assert app_client.delete("/sources/counters", headers=admin).status_code == 204
    assert app_client.get("/sources/counters").status_code == 404
