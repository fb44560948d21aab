"""Part 3, filtering with CQL2 (text and JSON) on both backends, and its errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from pyproj import Transformer

from core.pilot import Registry
from tests.api.checks import assert_problem, get_geojson, ids, page_through
from tests.api.seed import GENT_SITES, KOUTER, MECHELEN_SITE, SITES, observation_times

SITES_ITEMS = "/collections/parking-sites/items"
OBSERVATIONS_ITEMS = "/collections/parking-observations/items"
SINT_PIETERS = "gent:parking-sint-pietersplein"
GENT_SQUARE = "POLYGON((3.7 51.0, 3.8 51.0, 3.8 51.1, 3.7 51.1, 3.7 51.0))"
KOUTER_POINT = "POINT(3.7236 51.0503)"


def _filtered(client: TestClient, items: str, cql: str, *extra: str) -> set[str]:
    query = "&".join((f"filter={quote(cql)}", "limit=1000", *extra))
    return set(ids(get_geojson(client, f"{items}?{query}")))


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ("status = 'almostFull'", {KOUTER, MECHELEN_SITE}),
        ("vacant < 50", {KOUTER, MECHELEN_SITE}),
        ("vacant >= 45 AND vacant <= 288", {SINT_PIETERS, MECHELEN_SITE}),
        ("vacant <> 14", {SINT_PIETERS, MECHELEN_SITE}),
        ("occupancy > 84.5", {KOUTER, MECHELEN_SITE}),
        ("14 = vacant", {KOUTER}),  # a literal on the left
        ("NOT status = 'almostFull'", {SINT_PIETERS}),
        ("status = 'full' OR name = 'Kouter'", {KOUTER}),
        ("(vacant < 20 OR vacant > 200) AND city = 'Gent'", GENT_SITES),
        ("name LIKE 'K%'", {KOUTER}),
        ("name LIKE 'k%'", set()),  # LIKE is case-sensitive on both backends
        ("name LIKE '%Markt'", {MECHELEN_SITE}),
        ("name LIKE 'Kout_r'", {KOUTER}),
        ("name NOT LIKE 'K%'", {SINT_PIETERS, MECHELEN_SITE}),
        ("city IN ('Gent', 'Brugge')", GENT_SITES),
        ("vacant IN (14, 45)", {KOUTER, MECHELEN_SITE}),
        ("status NOT IN ('almostFull')", {SINT_PIETERS}),
        ("vacant BETWEEN 14 AND 45", {KOUTER, MECHELEN_SITE}),  # inclusive
        ("vacant NOT BETWEEN 14 AND 45", {SINT_PIETERS}),
        ("city IS NULL", {MECHELEN_SITE}),
        ("city IS NOT NULL", GENT_SITES),
        ("TRUE", SITES),
        ("FALSE", set()),
        ('"vacant" < 20', {KOUTER}),  # a quoted property name
        ("status = 'almostFull' and not (vacant > 20)", {KOUTER}),  # keywords in any case
    ],
)
def test_text_comparisons_logic_like_in_between_null(
    client: TestClient, cql: str, expected: set[str]
) -> None:
    assert _filtered(client, SITES_ITEMS, cql) == expected


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        (f"S_INTERSECTS(geometry, {GENT_SQUARE})", GENT_SITES),
        ("S_INTERSECTS(geometry, BBOX(4.4, 51.0, 4.55, 51.1))", {MECHELEN_SITE}),
        (f"S_INTERSECTS(geometry, {KOUTER_POINT})", {KOUTER}),
        (f"S_EQUALS(geometry, {KOUTER_POINT})", {KOUTER}),
        (f"S_WITHIN(geometry, {GENT_SQUARE})", GENT_SITES),
        (f"S_CONTAINS({GENT_SQUARE}, geometry)", GENT_SITES),  # the literal first
        (f"S_DISJOINT(geometry, {GENT_SQUARE})", {MECHELEN_SITE}),
        (f"NOT S_INTERSECTS(geometry, {GENT_SQUARE})", {MECHELEN_SITE}),
        ("S_TOUCHES(geometry, LINESTRING(3.7236 51.0503, 3.73 51.06))", {KOUTER}),
        (
            "S_INTERSECTS(geometry, MULTIPOINT((3.7236 51.0503), (4.479 51.028)))",
            {KOUTER, MECHELEN_SITE},
        ),
        # Kouter and Sint-Pietersplein are about 860 m apart, Mechelen about 53 km away
        (f"S_DWITHIN(geometry, {KOUTER_POINT}, 500, meters)", {KOUTER}),
        (f"S_DWITHIN(geometry, {KOUTER_POINT}, 1000, meters)", GENT_SITES),
        (f"S_DWITHIN(geometry, {KOUTER_POINT}, 1.5, kilometers)", GENT_SITES),
        (f"S_DWITHIN(geometry, {KOUTER_POINT}, 60000)", SITES),
        (f"S_INTERSECTS(geometry, {GENT_SQUARE}) AND vacant > 100", {SINT_PIETERS}),
    ],
)
def test_spatial_functions(client: TestClient, cql: str, expected: set[str]) -> None:
    assert _filtered(client, SITES_ITEMS, cql) == expected


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ("T_INTERSECTS(observed_at, INTERVAL('2026-11-20T09:15:00Z', '..'))",
         {SINT_PIETERS, MECHELEN_SITE}),
        ("T_DURING(observed_at, INTERVAL('2026-11-20T09:00:00Z', '2026-11-20T09:20:00Z'))",
         GENT_SITES),
        ("T_AFTER(observed_at, TIMESTAMP('2026-11-20T09:15:00Z'))", {SINT_PIETERS, MECHELEN_SITE}),
        ("T_BEFORE(observed_at, TIMESTAMP('2026-11-20T09:15:00Z'))", {KOUTER}),
        ("T_EQUALS(observed_at, TIMESTAMP('2026-11-20T10:30:00+01:00'))", {MECHELEN_SITE}),
        ("T_INTERSECTS(observed_at, DATE('2026-11-20'))", SITES),  # the whole UTC day
        ("T_INTERSECTS(observed_at, DATE('2026-11-21'))", set()),
        ("T_DISJOINT(observed_at, INTERVAL('..', '2026-11-20T09:15:00Z'))",
         {SINT_PIETERS, MECHELEN_SITE}),
        ("observed_at > TIMESTAMP('2026-11-20T09:15:00Z')", {SINT_PIETERS, MECHELEN_SITE}),
        ("observed_at BETWEEN TIMESTAMP('2026-11-20T09:14:00Z') AND "
         "TIMESTAMP('2026-11-20T09:15:00Z')", {KOUTER}),
    ],
)
def test_temporal_functions(client: TestClient, cql: str, expected: set[str]) -> None:
    assert _filtered(client, SITES_ITEMS, cql) == expected


def _at(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 20, hour, minute, tzinfo=UTC)


def test_t_during_on_the_history_matches_the_data(client: TestClient) -> None:
    cql = "T_DURING(observed_at, INTERVAL('2026-11-20T08:10:00Z', '2026-11-20T08:30:00Z'))"
    expected = {i for i, t in observation_times().items() if _at(8, 10) < t < _at(8, 30)}
    assert len(expected) == 6
    assert _filtered(client, OBSERVATIONS_ITEMS, cql) == expected


def test_filter_combines_with_bbox_datetime_and_paging(client: TestClient) -> None:
    cql = "vacant < 250 AND site_id LIKE 'gent:%'"
    query = (
        f"filter={quote(cql)}&bbox=3.70,51.00,3.80,51.10&datetime=2026-11-20T08:15:00Z/..&limit=3"
    )
    pages = page_through(client, f"{OBSERVATIONS_ITEMS}?{query}")
    seen = [feature_id for page in pages for feature_id in ids(page)]
    everything = get_geojson(client, f"{OBSERVATIONS_ITEMS}?limit=1000")["features"]
    expected = {
        f["id"] for f in everything
        if f["properties"]["vacant"] < 250 and f["id"].startswith("gent:")
        and f["properties"]["observed_at"] >= "2026-11-20T08:15:00Z"
    }
    assert expected and len(seen) == len(set(seen))
    assert set(seen) == expected


def _json(cql: dict[str, object]) -> str:
    return f"filter-lang=cql2-json&filter={quote(json.dumps(cql))}"


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ({"op": "=", "args": [{"property": "status"}, "almostFull"]}, {KOUTER, MECHELEN_SITE}),
        ({"op": "and", "args": [
            {"op": ">", "args": [{"property": "vacant"}, 10]},
            {"op": "<", "args": [{"property": "occupancy"}, 90]},
        ]}, {SINT_PIETERS, MECHELEN_SITE}),
        ({"op": "not", "args": [{"op": "isNull", "args": [{"property": "city"}]}]}, GENT_SITES),
        ({"op": "like", "args": [{"property": "name"}, "Sint-%"]}, {SINT_PIETERS}),
        ({"op": "in", "args": [{"property": "vacant"}, [14, 288]]}, GENT_SITES),
        ({"op": "between", "args": [{"property": "occupancy"}, 80, 90]}, {MECHELEN_SITE}),
        ({"op": "s_intersects", "args": [
            {"property": "geometry"},
            {"type": "Polygon", "coordinates": [
                [[3.7, 51.0], [3.8, 51.0], [3.8, 51.1], [3.7, 51.1], [3.7, 51.0]]]},
        ]}, GENT_SITES),
        ({"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [4.4, 51, 4.6, 51.1]}]},
         {MECHELEN_SITE}),
        ({"op": "s_dwithin", "args": [
            {"property": "geometry"}, {"type": "Point", "coordinates": [3.7236, 51.0503]}, 500,
            "meters",
        ]}, {KOUTER}),
        ({"op": "t_intersects", "args": [
            {"property": "observed_at"}, {"interval": ["2026-11-20T09:15:00Z", ".."]},
        ]}, {SINT_PIETERS, MECHELEN_SITE}),
        ({"op": "t_before", "args": [
            {"property": "observed_at"}, {"timestamp": "2026-11-20T09:15:00Z"},
        ]}, {KOUTER}),
        (True, SITES),
    ],
)
def test_json_encoding(client: TestClient, cql: object, expected: set[str]) -> None:
    body = get_geojson(client, f"{SITES_ITEMS}?{_json(cql)}")  # type: ignore[arg-type]
    assert set(ids(body)) == expected


def test_filter_crs_reads_literals_in_that_crs(client: TestClient) -> None:
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:31370", always_xy=True).transform(
        3.7236, 51.0503
    )
    square = f"POLYGON(({x-50} {y-50}, {x+50} {y-50}, {x+50} {y+50}, {x-50} {y+50}, {x-50} {y-50}))"
    crs = "http://www.opengis.net/def/crs/EPSG/0/31370"
    cql = f"S_INTERSECTS(geometry, {square})"
    assert _filtered(client, SITES_ITEMS, cql, f"filter-crs={crs}") == {KOUTER}
    # EPSG:4326 literals are latitude first
    lat_lon = "S_INTERSECTS(geometry, POINT(51.0503 3.7236))"
    crs_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
    assert _filtered(client, SITES_ITEMS, lat_lon, f"filter-crs={crs_4326}") == {KOUTER}


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("filter=" + quote("colour = 'red'"), "colour"),
        ("filter=" + quote("uri = 'x'"), "uri"),  # a property, but not a queryable
        ("filter=" + quote("vacant = 'many'"), "number"),
        ("filter=" + quote("name LIKE 5"), "LIKE"),
        ("filter=" + quote("vacant LIKE '1%'"), "LIKE"),
        ("filter=" + quote("observed_at > DATE('2026-11-20')"), "date"),
        ("filter=" + quote("S_INTERSECTS(name, POINT(1 2))"), "S_INTERSECTS"),
        ("filter=" + quote("T_DURING(name, INTERVAL('..', '..'))"), "name"),
        ("filter=" + quote("status ="), "position"),
        ("filter=" + quote("status = 'full' status"), "position"),
        ("filter=" + quote("S_INTERSECTS(geometry, POINT(1))"), "WKT"),
        ("filter=" + quote("S_DWITHIN(geometry, POINT(1 2), 5, furlongs)"), "furlongs"),
        ("filter=" + quote("observed_at > TIMESTAMP('yesterday')"), "yesterday"),
        ("filter=" + quote("(" * 200 + "TRUE" + ")" * 200), "deeply"),
        ("filter=" + quote("name = 'a' # 1"), "#"),
        ("filter-lang=cql2-json&filter=" + quote("{"), "JSON"),
        ("filter-lang=cql2-json&filter=" + quote('{"op": "~", "args": [1, 2]}'), "~"),
        ("filter-lang=cql2-json&filter=" + quote('{"op": "=", "args": [1]}'), "2 arguments"),
        ("filter-lang=cql2-json&filter=" + quote('{"op": "s_intersects", "args": '
                                                 '[{"property": "geometry"}, {"type": "Point"}]}'),
         "GeoJSON"),
        ("filter=", "empty"),
    ],
)
def test_invalid_filters_are_400s_naming_the_problem(
    client: TestClient, query: str, named: str
) -> None:
    body = assert_problem(client.get(f"{SITES_ITEMS}?{query}"), 400, "filter")
    assert named in body["detail"]


def test_filter_helpers_need_a_filter(client: TestClient) -> None:
    assert_problem(client.get(f"{SITES_ITEMS}?filter-lang=cql2-text"), 400, "filter-lang")
    assert_problem(client.get(f"{SITES_ITEMS}?filter=TRUE&filter-lang=ecql"), 400, "filter-lang")
    body = assert_problem(client.get(f"{SITES_ITEMS}?filter=TRUE&filter-crs=EPSG:2"), 400,
                          "filter-crs")
    assert "EPSG:2" in body["detail"]


def test_literals_are_bound_never_spliced(client: TestClient) -> None:
    hostile = "name = 'x'' OR ''1''=''1' OR vacant = 14"
    assert _filtered(client, SITES_ITEMS, hostile) == {KOUTER}
    assert _filtered(client, SITES_ITEMS, "name = 'Kouter''; DROP TABLE parking_site; --'") == set()
    assert len(ids(get_geojson(client, SITES_ITEMS))) == 3


def test_every_queryable_of_every_collection_filters_and_sorts(
    client: TestClient, registry: Registry
) -> None:
    """A contract over every registered pilot: each queryable works in a filter and sortby."""
    for pilot in registry:
        for collection in pilot.collections:
            items = f"/collections/{collection.id}/items"
            schema = client.get(f"/collections/{collection.id}/queryables").json()
            for name, definition in schema["properties"].items():
                if name == "geometry":
                    cql = "S_INTERSECTS(geometry, BBOX(2.5, 49.5, 6.4, 51.5))"
                else:
                    cql = f'"{name}" IS NULL OR NOT "{name}" IS NULL'
                    response = client.get(f"{items}?sortby=-{name}&limit=2")
                    assert response.status_code == 200, (collection.id, name, response.text)
                response = client.get(f"{items}?filter={quote(cql)}&crs=EPSG:31370&limit=2")
                assert response.status_code == 200, (collection.id, name, response.text)
                assert definition.get("type") or definition.get("format")
