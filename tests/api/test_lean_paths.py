"""The cheap paths of the hot requests keep the documented behaviour.

Page statements kept by shape bind each request's own bbox, limit and offset; a feature by id
on PostGIS is read on the event loop's connections; both are dispatched without the router
and answer as the routes did; CORS and gzip skip their work only when
they have none; links quote as ``urlencode`` does; a serving process freezes its start-up
objects out of the garbage collector's way.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.hot_routes import HotRoutes, route_path
from api.links import query_string
from api.middleware import with_vary
from api.page_statements import PAGES
from core.pilot import Registry
from core.settings import DatabaseSettings
from tests.api.checks import links_by_rel
from tests.api.conftest import api_settings
from tests.api.seed import KOUTER
from tests.databases import sqlite_url

OBSERVATIONS = "/collections/parking-observations/items"
SITES = "/collections/parking-sites/items"
#: Around Ghent's centre, and a box that holds only part of it.
WIDE = "3.6,50.9,3.9,51.2"
NARROW = "3.7200,51.0500,3.7260,51.0560"


def ids(client: TestClient, path: str) -> tuple[list[Any], Any]:
    document = client.get(path).json()
    return [feature["id"] for feature in document["features"]], document.get("numberMatched")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (f"{SITES}?bbox={WIDE}", f"{SITES}?bbox={NARROW}"),
        (f"{SITES}?bbox={NARROW}", f"{SITES}?bbox={WIDE}"),
        (f"{OBSERVATIONS}?bbox={WIDE}&limit=5", f"{OBSERVATIONS}?bbox={WIDE}&limit=2&offset=3"),
        (f"{OBSERVATIONS}?limit=4", f"{OBSERVATIONS}?limit=3&offset=2"),
        (f"{OBSERVATIONS}?bbox={NARROW}&limit=1", f"{OBSERVATIONS}?bbox={WIDE}&limit=50"),
    ],
)
def test_a_kept_statement_binds_the_new_requests_values(
    client: TestClient, first: str, second: str
) -> None:
    PAGES.clear()
    expected = ids(client, second)  # built for this very request
    PAGES.clear()
    client.get(first)
    kept = len(PAGES)
    assert kept > 0
    assert ids(client, second) == expected
    assert len(PAGES) == kept  # the second request built nothing


def test_the_narrow_box_really_is_narrower(client: TestClient) -> None:
    """Guards the test above: the two boxes select different features."""
    wide, _ = ids(client, f"{SITES}?bbox={WIDE}")
    narrow, _ = ids(client, f"{SITES}?bbox={NARROW}")
    assert narrow and set(narrow) < set(wide)


def test_pages_after_a_cursor_are_not_kept(client: TestClient) -> None:
    first = client.get(f"{OBSERVATIONS}?limit=2").json()
    kept = len(PAGES)
    after = client.get(links_by_rel(first)["next"]["href"])
    assert after.status_code == 200 and after.json()["features"]
    assert len(PAGES) == kept


def test_a_feature_on_postgis_is_read_on_the_event_loop(client: TestClient) -> None:
    response = client.get(f"{SITES}/{KOUTER}")
    assert response.status_code == 200
    reads = client.app.state.reads  # type: ignore[attr-defined]
    if client.app.state.engine.dialect.name == "postgresql":  # type: ignore[attr-defined]
        assert reads is not None and reads.open_connections >= 1
    else:
        assert reads is None
    missing = client.get(f"{SITES}/no-such-site")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def vary(response: Any) -> list[str]:
    return [part.strip() for part in response.headers.get("vary", "").split(",") if part]


@pytest.mark.parametrize("path", [f"{SITES}/{KOUTER}", f"{SITES}?limit=3", "/nowhere"])
def test_cors_headers_with_and_without_an_origin(client: TestClient, path: str) -> None:
    plain = client.get(path, headers={"accept-encoding": "identity"})
    assert "access-control-allow-origin" not in plain.headers
    assert vary(plain).count("Origin") == 1
    crossing = client.get(path, headers={"origin": "https://app.example"})
    assert crossing.headers["access-control-allow-origin"] == "*"
    assert "etag" in crossing.headers["access-control-expose-headers"].lower()
    assert "Origin" not in vary(crossing)
    assert crossing.status_code == plain.status_code


def test_vary_names_what_the_response_depends_on(client: TestClient) -> None:
    """Once each when uncompressed (Starlette's gzip appended a second Accept-Encoding even
    to pages it did not compress; it still does to those it compresses)."""
    identity = client.get(f"{OBSERVATIONS}?limit=50", headers={"accept-encoding": "identity"})
    assert sorted(vary(identity)) == ["Accept", "Accept-Encoding", "Origin"]
    zipped = client.get(f"{OBSERVATIONS}?limit=50", headers={"accept-encoding": "gzip"})
    assert set(vary(zipped)) == {"Accept", "Accept-Encoding", "Origin"}


def test_no_gzip_unless_accepted(client: TestClient) -> None:
    plain = client.get(f"{OBSERVATIONS}?limit=50", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    zipped = client.get(f"{OBSERVATIONS}?limit=50", headers={"accept-encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.json()["features"] == plain.json()["features"]


def test_with_vary_joins_into_one_header() -> None:
    assert with_vary([], b"Origin") == [(b"vary", b"Origin")]
    assert with_vary([(b"Vary", b"Accept"), (b"x", b"1"), (b"vary", b"Accept-Encoding")],
                     b"Origin") == [(b"x", b"1"), (b"vary", b"Accept, Accept-Encoding, Origin")]


@pytest.mark.parametrize(
    "params",
    [
        [("f", "json")],
        [("bbox", "3.7,51.0,3.8,51.1"), ("limit", "10")],
        [("filter", "name LIKE 'Kouter%' AND vacant < 10"), ("crs", "http://x/y?z=1#w")],
        [("datetime", "2026-11-20T08:00:00Z/.."), ("ünïcode", "☃ & = ?")],
        [("cursor", "a" * 300), ("x", "")],
        [("n", 5)],
        [(b"raw", b"by tes&")],
    ],
)
def test_query_strings_are_written_as_urlencode_writes_them(params: list[Any]) -> None:
    assert query_string(params) == urlencode(params, quote_via=quote, safe=",:")


def test_a_serving_process_freezes_its_start_up_objects(registry: Registry, tmp_path: Any) -> None:
    app = create_app(api_settings(), DatabaseSettings(database_url=sqlite_url(tmp_path)),
                     registry, freeze_gc=True)
    try:
        with TestClient(app) as client:
            assert gc.get_freeze_count() > 0
            assert client.get("/").status_code == 200
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/collections/parking-sites/items"),
        ("GET", "/collections/parking-sites/items/"),
        ("GET", "/collections/parking-sites/items/x/history"),
        ("GET", "/collections/parking-sites"),
        ("OPTIONS", "/collections/parking-sites/items"),
    ],
)
def test_other_requests_go_on_to_the_router(method: str, path: str) -> None:
    seen: list[str] = []

    async def router(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["path"])

    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
    asyncio.run(HotRoutes(router)(scope, _never, _never))
    assert seen == [path]


async def _never(*_: Any) -> Any:
    raise AssertionError("not called")


def test_the_route_path_is_below_the_root_path() -> None:
    assert route_path({"path": "/api/collections/a/items", "root_path": "/api"}) == (
        "/collections/a/items"
    )
    assert route_path({"path": "/apix/collections", "root_path": "/api"}) == "/apix/collections"
    assert route_path({"path": "/collections", "root_path": ""}) == "/collections"


def test_the_shortcut_answers_as_the_routes_did(client: TestClient) -> None:
    get = client.get(f"{SITES}/{KOUTER}", headers={"accept-encoding": "identity"})
    head = client.head(f"{SITES}/{KOUTER}", headers={"accept-encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-type"] == get.headers["content-type"] == "application/geo+json"
    unknown = client.get("/collections/nope/items")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    invalid = client.get(f"{SITES}?limit=zero")
    assert invalid.status_code == 400 and invalid.json()["parameter"] == "limit"
    assert client.post(SITES).status_code == 405


def test_stadspuls_serve_builds_a_freezing_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """``stadspuls serve`` and ``demo`` are serving processes too, like the uvicorn factory."""
    import uvicorn

    import api.app
    from core.cli.serving import _run
    from core.settings import ApiSettings

    built: list[dict[str, Any]] = []
    monkeypatch.setattr(api.app, "create_app", lambda *args, **kwargs: built.append(kwargs))
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    _run(ApiSettings(), DatabaseSettings())
    assert built == [{"freeze_gc": True}]
