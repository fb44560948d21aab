"""Every error is application/problem+json: bad parameters name themselves, 404s, 405, 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from core.pilot import Registry
from core.settings import DatabaseSettings
from tests.api.checks import assert_problem
from tests.api.conftest import api_settings

ITEMS = "/collections/parking-observations/items"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=10001", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("limit=2.5", "limit"),
        ("limit=", "limit"),
        ("limit=5&limit=6", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=1,2,3,4,5", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=4.5,51,3.7,51.1", "bbox"),  # minx > maxx
        ("bbox=3.7,51.1,4.5,51", "bbox"),  # miny > maxy
        ("bbox=3.7,51,4.5,nan", "bbox"),
        ("bbox=3.7,91,4.5,95", "bbox"),
        ("bbox=", "bbox"),
        ("datetime=yesterday", "datetime"),
        ("datetime=2026-11-20", "datetime"),  # a date, not a date-time
        ("datetime=2026-11-20T09:30:00", "datetime"),  # no time zone
        ("datetime=2026-13-20T09:30:00Z", "datetime"),
        ("datetime=../..", "datetime"),
        ("datetime=/", "datetime"),
        ("datetime=2026-11-21T00:00:00Z/2026-11-20T00:00:00Z", "datetime"),  # reversed
        ("datetime=2026-11-20T00:00:00Z/2026-11-21T00:00:00Z/2026-11-22T00:00:00Z", "datetime"),
        ("colour=red", "colour"),
    ],
)
def test_invalid_parameters_are_400_problems_naming_the_parameter(
    client: TestClient, query: str, parameter: str
) -> None:
    assert_problem(client.get(f"{ITEMS}?{query}"), 400, parameter)


def test_unknown_feature_is_a_404_problem(client: TestClient) -> None:
    body = assert_problem(client.get(f"{ITEMS}/gent:nowhere@20261120T000000Z"), 404)
    assert "gent:nowhere@20261120T000000Z" in body["detail"]
    assert body["instance"] == f"{ITEMS}/gent:nowhere@20261120T000000Z"


def test_unknown_route_is_a_404_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/no/such/route"), 404)
    assert body["title"] == "Not Found"


def test_wrong_method_is_a_405_problem(client: TestClient) -> None:
    response = client.post("/collections")
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


@pytest.fixture(scope="module")
def fragile_app(seeded_database_url: str, registry: Registry) -> Iterator[TestClient]:
    """The app with two extra routes: one that fails, one with a typed query parameter."""
    app: FastAPI = create_app(
        api_settings(), DatabaseSettings(database_url=seeded_database_url), registry
    )

    def boom() -> None:
        raise RuntimeError("secret internals")

    def typed(n: int) -> dict[str, int]:
        return {"n": n}

    app.add_api_route("/boom", boom)
    app.add_api_route("/typed", typed)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_unexpected_errors_are_500_problems_without_internals(fragile_app: TestClient) -> None:
    response = fragile_app.get("/boom")
    body = assert_problem(response, 500)
    assert "secret internals" not in response.text
    assert body["title"] == "Internal Server Error"


def test_framework_validation_errors_are_400_problems(fragile_app: TestClient) -> None:
    assert_problem(fragile_app.get("/typed?n=abc"), 400, "n")
    assert_problem(fragile_app.get("/typed"), 400, "n")
