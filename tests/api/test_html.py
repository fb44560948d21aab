"""HTML pages: negotiation, escaping, the same links as the JSON, and server-side SVG maps.

Besides the usual test data, one parking site carries hostile text (markup, quotes, a
``javascript:`` address) and two crowding locations are a line and a polygon with a hole, so the
maps draw every kind of shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import lxml.html
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from shapely.geometry import LineString, Point, Polygon

from api.app import create_app
from api.pages.svg_map import HEIGHT, WIDTH, MapFeature, svg_map
from core.pilot import Registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from core.storage import table_of
from pilots.crowding.models import CrowdingLocation
from pilots.parking.models import ParkingSite
from tests.api.checks import alternates, assert_problem
from tests.api.conftest import api_settings
from tests.api.seed import KOUTER, SITES, seed

EVIL = "test:evil-site"
EVIL_NAME = '<script>alert("x")</script>'
EVIL_ADDRESS = "Markt & Co \"quoted\" 'single' </td></tr>"
EVIL_URI = "https://example.org/a?b=1&c=<2>"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SITES_ITEMS = "/collections/parking-sites/items"
PAGES = [
    "/",
    "/conformance",
    "/collections",
    "/collections/parking-sites",
    "/collections/parking-sites/queryables",
    SITES_ITEMS,
    f"{SITES_ITEMS}/{KOUTER}",
    "/collections/crowding-locations/items",
]


def _add_shapes(url: str, registry: Registry) -> None:
    engine = open_database(DatabaseSettings(database_url=url), registry)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    point = Point(3.7250, 51.0540)
    line = LineString([(3.7215, 51.0546), (3.7222, 51.0551), (3.7230, 51.0549)])
    outer = [(3.7240, 51.0530), (3.7260, 51.0530), (3.7260, 51.0545), (3.7240, 51.0545)]
    hole = [(3.7245, 51.0535), (3.7250, 51.0535), (3.7250, 51.0540)]
    square = Polygon(outer, [hole])

    def box(geometry: Any) -> dict[str, float]:
        minx, miny, maxx, maxy = geometry.bounds
        return {"minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy}

    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(table_of(ParkingSite)), [{
                "id": EVIL, "source": "test", "native_id": "evil", "name": EVIL_NAME,
                "address": EVIL_ADDRESS, "url": "javascript:alert(1)", "uri": EVIL_URI,
                "geometry": point, **box(point), "derived": [], "updated_at": now,
            }])
            conn.execute(sa.insert(table_of(CrowdingLocation)), [
                {"id": f"test:{kind}", "source": "test", "native_id": kind, "kind": kind,
                 "name": kind, "geometry": shape, **box(shape), "derived": [],
                 "updated_at": now}
                for kind, shape in (("line", line), ("zone", square))
            ])
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def html_client(
    api_database_url: str, registry: Registry, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    engine = open_database(DatabaseSettings(database_url=api_database_url), registry)
    try:
        seed(registry.get("parking"), engine, tmp_path_factory.mktemp("html-seed"))
    finally:
        engine.dispose()
    _add_shapes(api_database_url, registry)
    app = create_app(api_settings(), DatabaseSettings(database_url=api_database_url), registry)
    with TestClient(app) as client:
        yield client


def _page(client: TestClient, url: str, **headers: str) -> Any:
    response = client.get(url, headers={"accept": BROWSER, **headers})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    return lxml.html.fromstring(response.text)


@pytest.mark.parametrize("url", PAGES)
def test_every_resource_has_an_accessible_self_contained_page(
    html_client: TestClient, url: str
) -> None:
    page = _page(html_client, url)
    assert page.get("lang") == "en"
    assert len(page.xpath("//h1")) == 1
    assert page.xpath("//title")[0].text
    assert page.xpath("//nav[@aria-label='Breadcrumb']")
    assert page.xpath("//main")
    assert not page.xpath("//script | //img | //iframe | //link[@rel='stylesheet']")
    assert not page.xpath("//*[@src]")  # nothing loaded from anywhere
    for table in page.xpath("//table"):
        assert table.xpath("./caption")
        assert all(th.get("scope") in ("col", "row") for th in table.xpath(".//th"))
    for svg in page.xpath("//svg"):
        assert svg.get("role") == "img" and svg.xpath("./title")


def test_f_html_and_browser_accept_choose_html_json_stays_the_default(
    html_client: TestClient,
) -> None:
    for url in PAGES:
        assert html_client.get(url).headers["content-type"] != "text/html; charset=utf-8"
        by_f = html_client.get(f"{url}{'&' if '?' in url else '?'}f=html")
        assert by_f.headers["content-type"] == "text/html; charset=utf-8"
    landing = html_client.get("/", headers={"accept": "image/png"})
    assert landing.headers["content-type"] == "application/json"  # metadata is lenient
    schema = html_client.get(
        "/collections/parking-sites/queryables", headers={"accept": "application/schema+json"}
    )
    assert schema.headers["content-type"] == "application/schema+json"
    assert_problem(html_client.get("/collections?f=xml"), 400, "f")
    assert_problem(html_client.get("/collections/nope?f=html"), 404)


def test_data_is_escaped_everywhere(html_client: TestClient) -> None:
    for url in (f"{SITES_ITEMS}?f=html", f"{SITES_ITEMS}/{EVIL}?f=html"):
        text = html_client.get(url).text
        assert "<script" not in text
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
        assert "Markt &amp; Co &quot;quoted&quot; &#x27;single&#x27; &lt;/td&gt;" in text
        page = lxml.html.fromstring(text)
        hrefs = page.xpath("//@href")
        assert not [href for href in hrefs if href.startswith("javascript:")]
        assert EVIL_URI in hrefs  # a web address is a link, its & and < escaped in the source
        assert 'href="https://example.org/a?b=1&amp;c=&lt;2&gt;"' in text
    evil = lxml.html.fromstring(html_client.get(f"{SITES_ITEMS}/{EVIL}?f=html").text)
    cells = {
        row.xpath("./th")[0].text_content(): row.xpath("./td")[0].text_content()
        for row in evil.xpath("//table[caption='Properties']/tbody/tr")
    }
    assert cells["name"] == EVIL_NAME and cells["address"] == EVIL_ADDRESS
    assert cells["url"] == "javascript:alert(1)"  # shown as text, not linked
    assert cells["vacant"] == "null"


def _hrefs(page: Any) -> set[str]:
    return set(page.xpath("//a/@href"))


def test_items_page_has_the_links_of_the_json_and_pages_on(html_client: TestClient) -> None:
    document = html_client.get(f"{SITES_ITEMS}?limit=2").json()
    page = _page(html_client, f"{SITES_ITEMS}?limit=2")
    json_links = {link["href"] for link in document["links"]}
    html_links = _hrefs(page)
    # the same links, except the page's self and its own format
    assert json_links - {f"http://testserver{SITES_ITEMS}?limit=2&f=html"} <= html_links
    head = {(link.get("type"), link.get("href")) for link in page.xpath("//head/link")}
    assert {kind for kind, _ in head} == {
        "application/geo+json", "application/json", "text/csv", "application/ld+json"
    }
    [next_link] = page.xpath("//nav[@aria-label='Pages']//a[text()='Next page']")[:1]
    following = _page(html_client, next_link.get("href"))
    ids = [th.text_content() for th in following.xpath("//table[caption='Features']/tbody//th")]
    first = [th.text_content() for th in page.xpath("//table[caption='Features']/tbody//th")]
    assert len(first) == 2 and ids and not set(ids) & set(first)
    assert following.xpath("//nav[@aria-label='Pages']//a[text()='Previous page']")


def test_json_documents_link_to_every_other_format(html_client: TestClient) -> None:
    items = html_client.get(SITES_ITEMS).json()
    assert set(alternates(items)) == {
        "application/json", "text/csv", "application/ld+json", "text/html"
    }
    assert alternates(items)["text/html"] == f"http://testserver{SITES_ITEMS}?f=html"
    feature = html_client.get(f"{SITES_ITEMS}/{KOUTER}?f=jsonld").json()
    assert set(alternates(feature)) == {
        "application/geo+json", "application/json", "text/csv", "text/html"
    }
    assert alternates(html_client.get("/").json()) == {"text/html": "http://testserver/?f=html"}
    assert alternates(html_client.get("/conformance").json()) == {
        "text/html": "http://testserver/conformance?f=html"
    }
    collection = html_client.get("/collections/parking-sites").json()
    enclosures = {
        link["type"]: link["href"] for link in collection["links"] if link["rel"] == "enclosure"
    }
    assert enclosures == {
        "application/flatgeobuf":
            "http://testserver/collections/parking-sites/download?f=flatgeobuf",
        "application/vnd.apache.parquet":
            "http://testserver/collections/parking-sites/download?f=geoparquet",
    }
    history = [link for link in feature["links"] if link["rel"] == "related"]
    assert [link["type"] for link in history] == ["application/json", "text/csv"]
    assert html_client.get(history[0]["href"]).status_code == 200


def _shapes(page: Any) -> dict[str, int]:
    [svg] = page.xpath("//svg")
    return {
        kind: len(svg.xpath(f".//g[@class='feature']//{kind}"))
        for kind in ("circle", "polyline", "path")
    } | {"extent": len(svg.xpath(".//rect[@class='extent']"))}


def test_maps_draw_each_feature_and_the_extent(html_client: TestClient) -> None:
    items = _page(html_client, SITES_ITEMS)
    assert _shapes(items) == {"circle": len(SITES) + 1, "polyline": 0, "path": 0, "extent": 1}
    features = items.xpath("//svg//g[@class='feature']")
    assert {g.xpath("./a/title")[0].text for g in features} == {*SITES, EVIL}
    assert all(g.xpath("./a/@href")[0].endswith("?f=html") for g in features)
    item = _page(html_client, f"{SITES_ITEMS}/{KOUTER}")
    assert _shapes(item) == {"circle": 1, "polyline": 0, "path": 0, "extent": 0}
    crowding = _page(html_client, "/collections/crowding-locations/items")
    assert _shapes(crowding) == {"circle": 0, "polyline": 1, "path": 1, "extent": 1}
    [path] = crowding.xpath("//svg//path")
    assert path.get("d").count("M") == 2  # the outer ring and the hole
    collection = _page(html_client, "/collections/parking-sites")
    assert _shapes(collection) == {"circle": len(SITES) + 1, "polyline": 0, "path": 0,
                                   "extent": 1}
    no_geometry = _page(html_client, f"{SITES_ITEMS}?skipGeometry=true")
    assert _shapes(no_geometry)["circle"] == 0


def test_conformance_and_queryables_pages(html_client: TestClient) -> None:
    conformance = _page(html_client, "/conformance")
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html" in _hrefs(conformance)
    assert "http://testserver/conformance?f=json" in _hrefs(conformance)
    queryables = _page(html_client, "/collections/parking-sites/queryables")
    names = {th.text_content() for th in queryables.xpath("//tbody//th")}
    assert {"geometry", "observed_at", "vacant", "status"} <= names


def test_html_pages_have_validators(html_client: TestClient) -> None:
    response = html_client.get(f"{SITES_ITEMS}?f=html")
    etag = response.headers["etag"]
    assert html_client.get(f"{SITES_ITEMS}?f=html").headers["etag"] == etag
    assert html_client.get(f"{SITES_ITEMS}?f=html", headers={"if-none-match": etag}).status_code \
        == 304
    assert html_client.get(SITES_ITEMS).headers["etag"] != etag
    assert response.headers["content-crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"


def test_svg_projection_keeps_shapes_inside_the_view_and_north_up() -> None:
    south, north = MapFeature("s", {"type": "Point", "coordinates": [4.0, 50.0]}), MapFeature(
        "n", {"type": "Point", "coordinates": [4.1, 51.0]}
    )
    svg = lxml.html.fromstring(svg_map([south, north], label="two <points>"))
    assert svg.xpath("./title")[0].text == "two <points>"
    circles = svg.xpath(".//circle")
    (sx, sy), (nx, ny) = ((float(c.get("cx")), float(c.get("cy"))) for c in circles)
    assert ny < sy and nx > sx  # north is up, east is right
    assert all(0 <= x <= WIDTH and 0 <= y <= HEIGHT for x, y in ((sx, sy), (nx, ny)))
    assert svg_map([MapFeature("empty", None)], label="nothing") == ""
