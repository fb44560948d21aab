"""HTTP: ETag and Last-Modified on every GET, 304s, Cache-Control, CORS, gzip, Link headers."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from fastapi.testclient import TestClient

from tests.api.checks import links_by_rel
from tests.api.seed import KOUTER

SITES_ITEMS = "/collections/parking-sites/items"
GETS = [
    "/",
    "/conformance",
    "/openapi.json",
    "/collections",
    "/collections/parking-sites",
    "/collections/parking-sites/queryables",
    SITES_ITEMS,
    f"{SITES_ITEMS}?f=csv",
    f"{SITES_ITEMS}/{KOUTER}",
]


@pytest.mark.parametrize("path", GETS)
def test_every_get_has_validators_and_answers_304(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    etag, modified = response.headers["etag"], response.headers["last-modified"]
    assert etag.startswith('W/"')
    assert parsedate_to_datetime(modified).tzinfo is not None
    assert "max-age=" in response.headers["cache-control"]
    again = client.get(path, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    since = client.get(path, headers={"if-modified-since": modified})
    assert since.status_code == 304


def test_a_changed_representation_is_not_a_304(client: TestClient) -> None:
    etag = client.get(f"{SITES_ITEMS}?limit=1").headers["etag"]
    other = client.get(f"{SITES_ITEMS}?limit=2", headers={"if-none-match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag
    stale = client.get(SITES_ITEMS, headers={"if-none-match": 'W/"something-else"'})
    assert stale.status_code == 200
    modified = parsedate_to_datetime(client.get(SITES_ITEMS).headers["last-modified"])
    earlier = format_datetime(modified - timedelta(seconds=1), usegmt=True)
    assert client.get(SITES_ITEMS, headers={"if-modified-since": earlier}).status_code == 200


def test_formats_have_their_own_etags(client: TestClient) -> None:
    geojson = client.get(SITES_ITEMS).headers["etag"]
    csv = client.get(SITES_ITEMS, headers={"accept": "text/csv"}).headers["etag"]
    assert geojson != csv
    response = client.get(SITES_ITEMS)
    assert "Accept" in response.headers["vary"]


def test_errors_carry_no_validators(client: TestClient) -> None:
    response = client.get("/collections/nope")
    assert response.status_code == 404
    assert "etag" not in response.headers


def test_cache_control_live_and_settled_history(client: TestClient) -> None:
    live = client.get(SITES_ITEMS).headers["cache-control"]
    assert live == "public, max-age=60"
    history = client.get(
        "/collections/parking-observations/items?datetime=../2020-01-01T00:00:00Z"
    ).headers["cache-control"]
    assert history == "public, max-age=86400"


def test_cors_allows_get_from_any_origin(client: TestClient) -> None:
    response = client.get(SITES_ITEMS, headers={"origin": "https://app.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = response.headers["access-control-expose-headers"].lower()
    assert "etag" in exposed and "link" in exposed and "content-crs" in exposed
    preflight = client.options(
        SITES_ITEMS,
        headers={"origin": "https://app.example", "access-control-request-method": "GET"},
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["access-control-allow-methods"]


def test_gzip_when_the_client_accepts_it(client: TestClient) -> None:
    response = client.get(
        "/collections/parking-observations/items?limit=27", headers={"accept-encoding": "gzip"}
    )
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["numberReturned"] == 27  # httpx decompresses it


def test_link_headers_for_paging(client: TestClient) -> None:
    response = client.get(f"{SITES_ITEMS}?limit=1")
    body_links = links_by_rel(response.json())
    header = response.headers["link"]
    assert f'<{body_links["next"]["href"]}>; rel="next"' in header
    second = client.get(body_links["next"]["href"])
    assert 'rel="prev"' in second.headers["link"] and 'rel="next"' in second.headers["link"]
