"""Part 2, CRS by reference: crs, bbox-crs, Content-Crs, metadata; on both backends."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pyproj import Transformer

from tests.api.checks import assert_problem, get_geojson, ids
from tests.api.seed import GENT_SITES, KOUTER, MECHELEN_SITE, SITES

SITES_ITEMS = "/collections/parking-sites/items"
OGC = "http://www.opengis.net/def/crs/"
CRS84 = f"{OGC}OGC/1.3/CRS84"
KOUTER_LONLAT = (3.7236, 51.0503)


def _epsg(code: int) -> str:
    return f"{OGC}EPSG/0/{code}"


def _projected(code: int, lon: float, lat: float) -> tuple[float, float]:
    x, y = Transformer.from_crs("EPSG:4326", f"EPSG:{code}", always_xy=True).transform(lon, lat)
    return x, y


def _kouter(body: dict[str, object]) -> list[float]:
    features = body["features"]
    assert isinstance(features, list)
    [kouter] = [f for f in features if f["id"] == KOUTER]
    coordinates: list[float] = kouter["geometry"]["coordinates"]
    return coordinates


def test_default_is_crs84_and_says_so(client: TestClient) -> None:
    response = client.get(SITES_ITEMS)
    assert response.headers["content-crs"] == f"<{CRS84}>"
    assert _kouter(response.json()) == pytest.approx(KOUTER_LONLAT)


def test_epsg_4326_is_latitude_first(client: TestClient) -> None:
    response = client.get(f"{SITES_ITEMS}?crs={_epsg(4326)}")
    assert response.status_code == 200
    assert response.headers["content-crs"] == f"<{_epsg(4326)}>"
    assert _kouter(response.json()) == pytest.approx(KOUTER_LONLAT[::-1])


@pytest.mark.parametrize("code", [3857, 31370, 3812])
def test_projected_crs_are_metres_easting_first(client: TestClient, code: int) -> None:
    response = client.get(f"{SITES_ITEMS}?crs={_epsg(code)}")
    assert response.status_code == 200
    assert response.headers["content-crs"] == f"<{_epsg(code)}>"
    assert _kouter(response.json()) == pytest.approx(_projected(code, *KOUTER_LONLAT), abs=0.01)


def test_one_feature_in_another_crs(client: TestClient) -> None:
    response = client.get(f"{SITES_ITEMS}/{KOUTER}?crs={_epsg(31370)}")
    assert response.status_code == 200
    assert response.headers["content-crs"] == f"<{_epsg(31370)}>"
    coordinates = response.json()["geometry"]["coordinates"]
    assert coordinates == pytest.approx(_projected(31370, *KOUTER_LONLAT), abs=0.01)


def test_bbox_crs_4326_takes_latitude_first(client: TestClient) -> None:
    body = get_geojson(client, f"{SITES_ITEMS}?bbox=51.00,3.70,51.10,3.80&bbox-crs={_epsg(4326)}")
    assert set(ids(body)) == GENT_SITES
    # the same numbers read as CRS84 lon/lat are a box in the Indian Ocean
    assert ids(get_geojson(client, f"{SITES_ITEMS}?bbox=51.00,3.70,51.10,3.80")) == []


@pytest.mark.parametrize("code", [3857, 31370, 3812])
def test_bbox_in_metres_finds_the_feature_inside(client: TestClient, code: int) -> None:
    x, y = _projected(code, *KOUTER_LONLAT)
    box = f"{x - 100},{y - 100},{x + 100},{y + 100}"
    body = get_geojson(client, f"{SITES_ITEMS}?bbox={box}&bbox-crs={_epsg(code)}")
    assert ids(body) == [KOUTER]


def test_bbox_crs_and_crs_combine(client: TestClient) -> None:
    x, y = _projected(31370, 4.479, 51.028)
    box = f"{x - 500},{y - 500},{x + 500},{y + 500}"
    query = f"bbox={box}&bbox-crs={_epsg(31370)}&crs={_epsg(3857)}"
    body = get_geojson(client, f"{SITES_ITEMS}?{query}")
    assert ids(body) == [MECHELEN_SITE]
    coordinates = body["features"][0]["geometry"]["coordinates"]
    assert coordinates == pytest.approx(_projected(3857, 4.479, 51.028), abs=0.01)


def test_short_crs_spellings_are_understood(client: TestClient) -> None:
    response = client.get(f"{SITES_ITEMS}?crs=EPSG:3812")
    assert response.headers["content-crs"] == f"<{_epsg(3812)}>"
    assert set(ids(response.json())) == SITES


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        (f"crs={_epsg(28992)}", "crs"),
        ("crs=EPSG:2154", "crs"),
        (f"bbox=1,2,3,4&bbox-crs={_epsg(32631)}", "bbox-crs"),
        (f"bbox-crs={_epsg(3857)}", "bbox-crs"),  # without a bbox
        (f"bbox=100,95,200,300&bbox-crs={_epsg(4326)}", "bbox"),  # latitude 100
    ],
)
def test_unsupported_or_misused_crs_is_a_400_naming_it(
    client: TestClient, query: str, parameter: str
) -> None:
    body = assert_problem(client.get(f"{SITES_ITEMS}?{query}"), 400, parameter)
    if parameter == "crs":
        assert query.split("=", 1)[1] in body["detail"]


def test_single_feature_refuses_an_unsupported_crs(client: TestClient) -> None:
    assert_problem(client.get(f"{SITES_ITEMS}/{KOUTER}?crs={_epsg(28992)}"), 400, "crs")
