"""A NUL character anywhere in the URL is a 400 problem on every backend, never a 500
(PostgreSQL cannot compare text holding one; schemathesis found it on GET /sources)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.checks import assert_problem


@pytest.mark.parametrize(
    "url",
    [
        "/sources?city=a%00b",
        "/collections/parking-sites/items/gent%00kouter",
        "/collections/parking-sites/items?filter=name%20%3D%20%27%00%27",
        "/collections/parking-sites/items?datetime=2026-11-20T00:00:00Z%00",
    ],
)
def test_nul_characters_are_refused(client: TestClient, url: str) -> None:
    body = assert_problem(client.get(url), 400)
    assert "NUL" in body["detail"]


def test_urls_without_nul_are_untouched(client: TestClient) -> None:
    assert client.get("/collections/parking-sites/items?filter=name%20%3D%20%27Kouter%27").json()[
        "numberReturned"
    ] == 1
