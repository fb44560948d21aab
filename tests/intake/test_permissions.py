"""Who may write what: anonymous, a supplier, another supplier, the city admin, another city's
admin, against every write endpoint (and the owner-only quarantine reads)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.intake.conftest import Actors
from tests.intake.payloads import good_batch

JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Setup:
    job: str  # a job of source "garages"
    key: str  # id of a gent supplier key


Call = Callable[[TestClient, dict[str, str], Setup], httpx.Response]

OPERATIONS: dict[str, Call] = {
    "create source": lambda c, h, s: c.post(
        "/sources",
        headers=h,
        json={"id": "new", "pilot": "parking", "format": "json", "city": "gent"},
    ),
    "change source": lambda c, h, s: c.patch(
        "/sources/garages", headers=h, json={"timezone": "Europe/Brussels"}
    ),
    "remove source": lambda c, h, s: c.delete("/sources/garages", headers=h),
    "upload file": lambda c, h, s: c.post(
        "/sources/garages/files",
        headers=h,
        files={"file": ("batch.json", good_batch(), "application/json")},
    ),
    "push observations": lambda c, h, s: c.post(
        "/sources/garages/observations", headers={**h, **JSON}, content=good_batch()
    ),
    "browse quarantine": lambda c, h, s: c.get("/sources/garages/quarantine", headers=h),
    "replay quarantine": lambda c, h, s: c.post("/sources/garages/quarantine/replay", headers=h),
    "read job": lambda c, h, s: c.get(f"/jobs/{s.job}", headers=h),
    "issue key": lambda c, h, s: c.post(
        "/keys", headers=h, json={"role": "supplier", "sources": ["garages"]}
    ),
    "list keys": lambda c, h, s: c.get("/keys", headers=h),
    "revoke key": lambda c, h, s: c.delete(f"/keys/{s.key}", headers=h),
}

# expected status per operation for: supplier, other_supplier, admin, other_admin
EXPECTED: dict[str, tuple[int, int, int, int]] = {
    "create source": (403, 403, 201, 403),
    "change source": (403, 403, 200, 403),
    "remove source": (403, 403, 204, 403),
    "upload file": (202, 403, 202, 403),
    "push observations": (200, 403, 200, 403),
    "browse quarantine": (200, 403, 200, 403),
    "replay quarantine": (200, 403, 200, 403),
    "read job": (200, 403, 200, 403),
    "issue key": (403, 403, 201, 403),
    "list keys": (403, 403, 200, 200),
    "revoke key": (403, 403, 200, 403),
}
ACTORS = ("supplier", "other_supplier", "admin", "other_admin")


def _setup(client: TestClient, actors: Actors) -> Setup:
    pushed = client.post(
        "/sources/garages/observations",
        headers={**actors.headers("admin"), **JSON},
        content=good_batch(),
    )
    issued = client.post(
        "/keys", headers=actors.headers("admin"), json={"role": "supplier", "sources": ["bays"]}
    )
    assert pushed.status_code == 200 and issued.status_code == 201
    return Setup(job=pushed.json()["id"], key=issued.json()["id"])


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_anonymous_writes_are_refused_with_401(
    app_client: TestClient, actors: Actors, operation: str
) -> None:
    setup = _setup(app_client, actors)
    response = OPERATIONS[operation](app_client, {}, setup)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("actor", ACTORS)
def test_permission_matrix(
    app_client: TestClient, actors: Actors, operation: str, actor: str
) -> None:
    setup = _setup(app_client, actors)
    response = OPERATIONS[operation](app_client, actors.headers(actor), setup)
    expected = EXPECTED[operation][ACTORS.index(actor)]
    assert response.status_code == expected, response.text
    if expected == 403:
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert problem["status"] == 403 and problem["detail"]


def test_a_revoked_or_malformed_key_is_401(app_client: TestClient, actors: Actors) -> None:
    own = app_client.post(
        "/keys",
        headers=actors.headers("admin"),
        json={"role": "supplier", "sources": ["garages"], "label": "acme"},
    )
    secret = own.json()["key"]
    assert own.json()["label"] == "acme" and own.json()["sources"] == ["garages"]
    before = app_client.get("/sources/garages/quarantine", headers={"X-API-Key": secret})
    assert before.status_code == 200
    revoked = app_client.delete(f"/keys/{own.json()['id']}", headers=actors.headers("admin"))
    assert revoked.json()["revoked_at"] is not None
    after = app_client.get("/sources/garages/quarantine", headers={"X-API-Key": secret})
    assert after.status_code == 401 and "revoked" in after.json()["detail"]
    for bad in ("nonsense", secret[:-2] + "xx", ""):
        response = app_client.get("/sources/garages/quarantine", headers={"X-API-Key": bad})
        assert response.status_code == 401, bad


def test_a_bearer_token_works_like_the_header(app_client: TestClient, actors: Actors) -> None:
    response = app_client.get(
        "/sources/garages/quarantine", headers={"Authorization": f"Bearer {actors.supplier}"}
    )
    assert response.status_code == 200
    assert response.json()["numberMatched"] == 0
    assert response.headers["cache-control"] == "private, no-store"


def test_listed_keys_never_show_secrets(app_client: TestClient, actors: Actors) -> None:
    listed = app_client.get("/keys", headers=actors.headers("admin")).json()["keys"]
    assert {key["role"] for key in listed} == {"city-admin", "supplier"}
    assert all(key["city"] == "gent" for key in listed)
    assert all("key" not in key and "secret_hash" not in key for key in listed)


def test_reading_sources_and_health_needs_no_key(app_client: TestClient, actors: Actors) -> None:
    listed = app_client.get("/sources").json()["sources"]
    assert {source["id"] for source in listed} == {"garages", "bays"}
    assert app_client.get("/sources?city=antwerpen").json()["sources"] == []
    assert app_client.get("/sources/garages/health").status_code == 200
    assert app_client.get("/sources/nope").status_code == 404
