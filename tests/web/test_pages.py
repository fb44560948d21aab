"""The pages without a browser: language, labels, headers, links, errors."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.web.routes import content_security_policy
from api.web.settings import WebSettings
from core.pilot import Registry
from core.settings import ApiSettings, DatabaseSettings
from tests.databases import sqlite_url

PAGES = ("/web/map", "/web/dashboard", "/web/supplier", "/web/quarantine?source=gent-bays")


@pytest.fixture(scope="module")
def client(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    database = DatabaseSettings(database_url=sqlite_url(tmp_path_factory.mktemp("web-pages")))
    with TestClient(create_app(ApiSettings(), database, registry)) as client:
        yield client


class Controls(HTMLParser):
    """Collects the form controls of a page, the ids labels point at, and <html lang>."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        elif tag == "label" and values.get("for"):
            self.labelled.add(str(values["for"]))
        elif tag in ("input", "select", "textarea") and values.get("type") != "hidden":
            self.controls.append(values)


def parse(html: str) -> Controls:
    parser = Controls()
    parser.feed(html)
    return parser


def page(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_pages_are_in_the_asked_language_with_every_control_labelled(
    client: TestClient, path: str, lang: str
) -> None:
    response = client.get(page(path, lang))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == lang
    found = parse(response.text)
    assert found.lang == lang
    assert found.controls, "every page has controls"
    unlabelled = [c for c in found.controls if c.get("id") not in found.labelled]
    assert unlabelled == []
    other = "en" if lang == "nl" else "nl"
    assert f'hreflang="{other}" lang="{other}"' in response.text


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("en-GB,en;q=0.9", "en"), ("nl-BE", "nl"), ("fr, en;q=0.5", "en"), ("fr", "nl"), ("", "nl")],
)
def test_without_lang_the_browser_language_decides(
    client: TestClient, accept: str, expected: str
) -> None:
    response = client.get("/web/map", headers={"Accept-Language": accept})
    assert parse(response.text).lang == expected
    assert response.headers["cache-control"] == "private, no-cache"  # no shared cache mixes them


def test_pages_allow_no_script_or_style_from_elsewhere(client: TestClient) -> None:
    policy = client.get("/web/map").headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy


def test_the_policy_follows_the_tile_setting() -> None:
    subdomains = WebSettings(web_tile_url="https://{s}.tiles.example/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://*.tiles.example;" in content_security_policy(subdomains)
    no_tiles = WebSettings(web_tile_url="")
    assert no_tiles.tile_origin() is None
    assert "img-src 'self' data:;" in content_security_policy(no_tiles)


def test_the_tile_url_reaches_the_page_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, registry: Registry, tmp_path: Path
) -> None:
    monkeypatch.setenv("STADSPULS_WEB_TILE_URL", "https://tiles.example/{z}/{x}/{y}.png")
    database = DatabaseSettings(database_url=sqlite_url(tmp_path))
    with TestClient(create_app(ApiSettings(), database, registry)) as client:
        html = client.get("/web/map").text
    assert '"tileUrl": "https://tiles.example/{z}/{x}/{y}.png"' in html


def test_the_supplier_page_offers_every_pilot_and_posts_to_the_validation_service(
    client: TestClient, registry: Registry
) -> None:
    html = client.get("/web/supplier").text
    for pilot in registry:
        assert f'<option value="{pilot.id}">' in html
    assert 'action="/validate?f=html"' in html and 'enctype="multipart/form-data"' in html


def test_web_root_redirects_to_the_map_keeping_the_language(client: TestClient) -> None:
    response = client.get("/web/?lang=en", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/web/map?lang=en"


def test_errors_under_web_stay_problem_json(client: TestClient) -> None:
    missing = client.get("/web/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    no_source = client.get("/web/quarantine")
    assert no_source.status_code == 400
    assert no_source.headers["content-type"] == "application/problem+json"


def test_page_input_is_escaped(client: TestClient) -> None:
    html = client.get("/web/quarantine", params={"source": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_pages_are_not_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/web")]


def test_static_assets_and_palette_are_served(client: TestClient) -> None:
    assets = ("js/map.js", "css/web.css", "vendor/leaflet/leaflet.js", "vendor/leaflet/LICENSE")
    for path in (f"/web/static/{asset}" for asset in assets):
        assert client.get(path).status_code == 200, path
    css = client.get("/web/palette.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "--sp-crowding-very-busy: #a40e26;" in css.text
