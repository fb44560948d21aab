"""Collection metadata: the list, one collection with its extent, and queryables."""

from __future__ import annotations

import jsonschema
import pytest
from fastapi.testclient import TestClient

from tests.api.checks import assert_problem, links_by_rel

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
SUPPORTED_CRS = [CRS84, *(f"{EPSG}{code}" for code in (4326, 3857, 31370, 3812))]
PARKING = ("parking-sites", "parking-observations")


def test_collections_lists_both_parking_collections(client: TestClient) -> None:
    response = client.get("/collections")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    listed = {collection["id"]: collection for collection in body["collections"]}
    assert set(PARKING) <= set(listed)
    assert links_by_rel(body)["self"]["href"] == "http://testserver/collections"
    assert listed["parking-sites"] == client.get("/collections/parking-sites").json()


@pytest.mark.parametrize("collection_id", PARKING)
def test_collection_metadata_and_links(client: TestClient, collection_id: str) -> None:
    response = client.get(f"/collections/{collection_id}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["id"] == collection_id
    assert body["title"] and body["description"]
    assert body["itemType"] == "feature"
    assert body["crs"] == SUPPORTED_CRS
    assert body["storageCrs"] == CRS84
    assert "parking" in body["keywords"]
    links = links_by_rel(body)
    base = f"http://testserver/collections/{collection_id}"
    assert (links["self"]["href"], links["self"]["type"]) == (base, "application/json")
    assert (links["items"]["href"], links["items"]["type"]) == (
        f"{base}/items", "application/geo+json",
    )
    assert links["license"]["href"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    queryables = links["http://www.opengis.net/def/rel/ogc/1.0/queryables"]
    assert (queryables["href"], queryables["type"]) == (
        f"{base}/queryables", "application/schema+json",
    )


@pytest.mark.parametrize(
    ("collection_id", "interval"),
    [
        ("parking-sites", ["2026-11-20T09:14:58Z", "2026-11-20T09:30:00Z"]),
        ("parking-observations", ["2026-11-20T08:00:00Z", "2026-11-20T09:30:00Z"]),
    ],
)
def test_extent_is_computed_from_the_data(
    client: TestClient, collection_id: str, interval: list[str]
) -> None:
    extent = client.get(f"/collections/{collection_id}").json()["extent"]
    assert extent["spatial"]["crs"] == CRS84
    [bbox] = extent["spatial"]["bbox"]
    # Kouter (3.7236, 51.0503) is west- and northmost, Mechelen (4.4790, 51.0280) east/southmost
    assert bbox == pytest.approx([3.7236, 51.0280, 4.4790, 51.0503])
    assert extent["temporal"]["interval"] == [interval]


def test_queryables_are_a_json_schema_of_the_declared_properties(client: TestClient) -> None:
    response = client.get("/collections/parking-sites/queryables")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    schema = response.json()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "http://testserver/collections/parking-sites/queryables"
    assert schema["type"] == "object"
    properties = schema["properties"]
    assert {name: properties[name]["type"] for name in
            ("name", "type", "city", "status", "vacant", "occupancy")} == {
        "name": "string", "type": "string", "city": "string",
        "status": "string", "vacant": "integer", "occupancy": "number",
    }
    assert properties["observed_at"]["type"] == "string"
    assert properties["observed_at"]["format"] == "date-time"
    assert properties["observed_at"]["x-ogc-role"] == "primary-instant"
    assert properties["geometry"]["format"] == "geometry-any"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("suffix", ["", "/queryables", "/items", "/items/gent:parking-kouter"])
def test_unknown_collection_is_a_404_problem(client: TestClient, suffix: str) -> None:
    body = assert_problem(client.get(f"/collections/no-such-thing{suffix}"), 404)
    assert "no-such-thing" in body["detail"]
