"""Formats by f= and Accept: GeoJSON, JSON, CSV (WKT or xy), JSON-LD and HTML; 406 and 400."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from pyld import jsonld

from tests.api.checks import assert_problem, get_geojson, ids
from tests.api.seed import KOUTER, SITES

SITES_ITEMS = "/collections/parking-sites/items"


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("query", "accept", "media_type"),
    [
        ("", None, "application/geo+json"),
        ("", "*/*", "application/geo+json"),
        ("?f=geojson", None, "application/geo+json"),
        ("?f=json", None, "application/json"),
        ("", "application/json", "application/json"),
        ("", "text/csv", "text/csv; charset=utf-8"),
        ("", "application/ld+json", "application/ld+json"),
        ("", "text/html;q=0.9, application/ld+json;q=0.5", "text/html; charset=utf-8"),
        ("", "text/html;q=0.4, application/ld+json;q=0.5", "application/ld+json"),
        ("?f=html", None, "text/html; charset=utf-8"),
        ("", "text/csv;q=0.2, application/geo+json", "application/geo+json"),
        ("?f=csv", "application/geo+json", "text/csv; charset=utf-8"),  # f wins
    ],
)
def test_format_by_f_or_accept(
    client: TestClient, query: str, accept: str | None, media_type: str
) -> None:
    headers = {"accept": accept} if accept else {}
    response = client.get(f"{SITES_ITEMS}{query}", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media_type


def test_json_is_the_same_document_as_geojson(client: TestClient) -> None:
    as_json = client.get(f"{SITES_ITEMS}?f=json").json()
    as_geojson = get_geojson(client, SITES_ITEMS)
    assert as_json["features"] == as_geojson["features"]


def test_csv_with_a_wkt_column(client: TestClient) -> None:
    response = client.get(f"{SITES_ITEMS}?f=csv&properties=name,vacant,free_parking,derived")
    rows = _csv(response.text)
    assert list(rows[0]) == ["id", "geometry", "name", "vacant", "free_parking", "derived"]
    assert {row["id"] for row in rows} == SITES
    kouter = next(row for row in rows if row["id"] == KOUTER)
    assert kouter["geometry"] == "POINT (3.7236 51.0503)"
    assert (kouter["name"], kouter["vacant"], kouter["free_parking"]) == ("Kouter", "14", "false")
    assert kouter["derived"] == '["occupied","status"]'


def test_csv_with_coordinate_columns_in_any_crs(client: TestClient) -> None:
    rows = _csv(client.get(f"{SITES_ITEMS}?f=csv&csv-geometry=xy&properties=name").text)
    assert list(rows[0]) == ["id", "lon", "lat", "name"]
    kouter = next(row for row in rows if row["id"] == KOUTER)
    assert (float(kouter["lon"]), float(kouter["lat"])) == pytest.approx((3.7236, 51.0503))
    crs = "http://www.opengis.net/def/crs/EPSG/0/4326"
    rows = _csv(client.get(f"{SITES_ITEMS}?f=csv&csv-geometry=xy&crs={crs}").text)
    assert list(rows[0])[:3] == ["id", "lat", "lon"]
    kouter = next(row for row in rows if row["id"] == KOUTER)
    assert float(kouter["lat"]) == pytest.approx(51.0503)
    crs = "http://www.opengis.net/def/crs/EPSG/0/31370"
    rows = _csv(client.get(f"{SITES_ITEMS}?f=csv&csv-geometry=xy&crs={crs}").text)
    assert list(rows[0])[:3] == ["id", "x", "y"]


def test_csv_of_one_feature_and_without_geometry(client: TestClient) -> None:
    rows = _csv(client.get(f"{SITES_ITEMS}/{KOUTER}?f=csv&properties=vacant").text)
    assert rows == [{"id": KOUTER, "geometry": "POINT (3.7236 51.0503)", "vacant": "14"}]
    rows = _csv(client.get(f"{SITES_ITEMS}?f=csv&skipGeometry=true&properties=vacant").text)
    assert list(rows[0]) == ["id", "vacant"]


def test_jsonld_maps_terms_to_the_handbook_references(client: TestClient) -> None:
    response = client.get(f"{SITES_ITEMS}?f=jsonld")
    assert response.headers["content-type"] == "application/ld+json"
    document = response.json()
    expanded = jsonld.expand(document)
    features = expanded[0]["https://purl.org/geojson/vocab#features"]
    by_id = {node["@id"]: node for node in features}
    uri = f"http://testserver{SITES_ITEMS}/{KOUTER}"
    assert set(by_id) == {f"http://testserver{SITES_ITEMS}/{site}" for site in SITES}
    kouter = by_id[uri]
    vacant = "http://datex2.eu/schema/3/parking#ParkingOccupancy.parkingNumberOfVacantSpaces"
    assert kouter[vacant][0]["@value"] == 14
    assert kouter["https://data.vlaanderen.be/ns/parkeren#capaciteit"][0]["@value"] == 262
    origin_time = "http://datex2.eu/schema/3/parking#ParkingRecordStatus.parkingStatusOriginTime"
    observed = kouter[origin_time][0]
    assert observed["@type"] == "http://www.w3.org/2001/XMLSchema#dateTime"
    geometry = kouter["https://purl.org/geojson/vocab#geometry"][0]
    assert geometry["@type"] == "@json"
    assert geometry["@value"]["coordinates"] == pytest.approx([3.7236, 51.0503])


def test_jsonld_of_one_feature_names_it_by_its_uri(client: TestClient) -> None:
    document = client.get(f"{SITES_ITEMS}/{KOUTER}?f=jsonld").json()
    assert document["id"] == f"http://testserver{SITES_ITEMS}/{KOUTER}"
    assert document["@context"]["vacant"]["@id"].startswith("http://datex2.eu/")
    [node] = jsonld.expand(document)
    assert node["@id"] == document["id"]


def test_unacceptable_accept_is_a_406_problem(client: TestClient) -> None:
    body = assert_problem(client.get(SITES_ITEMS, headers={"accept": "image/png"}), 406)
    assert "application/geo+json" in body["detail"]


def test_unknown_f_is_a_400_naming_it(client: TestClient) -> None:
    assert_problem(client.get(f"{SITES_ITEMS}?f=xml"), 400, "f")
    assert_problem(client.get(f"{SITES_ITEMS}/{KOUTER}?f=xml"), 400, "f")
    assert_problem(client.get(f"{SITES_ITEMS}?f=csv&csv-geometry=dms"), 400, "csv-geometry")
    assert_problem(client.get(f"{SITES_ITEMS}/{KOUTER}?colour=red"), 400, "colour")


def test_paging_links_keep_the_format(client: TestClient) -> None:
    body = client.get(f"{SITES_ITEMS}?f=jsonld&limit=1").json()
    next_link = next(item for item in body["links"] if item["rel"] == "next")
    assert next_link["type"] == "application/ld+json"
    assert "f=jsonld" in next_link["href"]
    assert ids(client.get(next_link["href"]).json()) != []
