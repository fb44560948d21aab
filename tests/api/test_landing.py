"""Landing page, conformance, the OpenAPI document and the app factory."""

from __future__ import annotations

from pathlib import Path

import openapi_spec_validator
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openapi_spec_validator.validation import OpenAPIV30SpecValidator

from api.app import create_app
from core.pilot import Registry
from core.settings import DatabaseSettings
from tests.api.checks import links_by_rel
from tests.api.conftest import api_settings

FEATURES = "http://www.opengis.net/spec/ogcapi-features-{}/1.0/conf/{}"
CONFORMANCE = {
    FEATURES.format(1, "core"),
    FEATURES.format(1, "geojson"),
    FEATURES.format(1, "html"),
    FEATURES.format(1, "oas30"),
    FEATURES.format(2, "crs"),
    FEATURES.format(3, "queryables"),
    FEATURES.format(3, "queryables-query-parameters"),
    FEATURES.format(3, "filter"),
    FEATURES.format(3, "features-filter"),
    *(
        f"http://www.opengis.net/spec/cql2/1.0/conf/{name}"
        for name in (
            "cql2-text", "cql2-json", "basic-cql2", "advanced-comparison-operators",
            "basic-spatial-functions", "basic-spatial-functions-plus", "spatial-functions",
            "temporal-functions",
        )
    ),
}


def test_landing_page_links_to_every_part_of_the_api(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["title"] == "Stadspuls test API"
    links = links_by_rel(body)
    assert links["self"]["href"] == "http://testserver/"
    assert links["service-desc"] == {
        "href": "http://testserver/openapi.json",
        "rel": "service-desc",
        "type": "application/vnd.oai.openapi+json;version=3.0",
        "title": links["service-desc"]["title"],
    }
    assert (links["service-doc"]["href"], links["service-doc"]["type"]) == (
        "http://testserver/docs", "text/html",
    )
    assert links["conformance"]["href"] == "http://testserver/conformance"
    assert links["data"]["href"] == "http://testserver/collections"
    for rel in ("service-desc", "service-doc", "conformance", "data"):
        assert client.get(links[rel]["href"]).status_code == 200, rel


def test_conformance_declares_parts_1_2_3_and_cql2(client: TestClient) -> None:
    response = client.get("/conformance")
    assert response.status_code == 200
    assert set(response.json()["conformsTo"]) == CONFORMANCE


def test_openapi_document_is_valid_openapi_3_0(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"] == "3.0.3"
    openapi_spec_validator.validate(document, cls=OpenAPIV30SpecValidator)
    items = document["paths"]["/collections/{collectionId}/items"]["get"]
    parameters = {p["name"]: p for p in items["parameters"]}
    assert set(parameters) == {
        "collectionId", "bbox", "bbox-crs", "datetime", "limit", "offset", "cursor", "crs",
        "filter", "filter-lang", "filter-crs", "sortby", "properties", "skipGeometry", "f",
        "csv-geometry",
    }
    assert "http://www.opengis.net/def/crs/EPSG/0/31370" in parameters["crs"]["schema"]["enum"]
    item = document["paths"]["/collections/{collectionId}/items/{featureId}"]["get"]
    assert {p["name"] for p in item["parameters"]} >= {"crs", "f", "properties"}
    assert parameters["limit"]["schema"] == {
        "type": "integer", "minimum": 1, "maximum": 10_000, "default": 10,
    }
    assert set(items["responses"]["200"]["content"]) == {
        "application/geo+json", "application/json", "text/csv", "application/ld+json",
        "text/html",
    }
    assert "406" in items["responses"]
    assert "422" not in items["responses"]
    assert "application/problem+json" in items["responses"]["400"]["content"]


def test_links_use_the_public_url_when_set(
    seeded_database_url: str, registry: Registry
) -> None:
    app = create_app(
        api_settings(public_url="https://data.example.org/stadspuls/"),
        DatabaseSettings(database_url=seeded_database_url),
        registry,
    )
    with TestClient(app) as client:
        links = links_by_rel(client.get("/").json())
        assert links["self"]["href"] == "https://data.example.org/stadspuls/"
        assert links["data"]["href"] == "https://data.example.org/stadspuls/collections"
        items = client.get("/collections/parking-sites/items?limit=1").json()
        assert links_by_rel(items)["next"]["href"].startswith(
            "https://data.example.org/stadspuls/collections/parking-sites/items?limit=1&cursor="
        )


def test_app_factory_opens_nothing_until_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STADSPULS_DATABASE_URL", f"sqlite:///{tmp_path / 'lazy.db'}")
    from api.asgi import app_factory

    app = app_factory()
    assert isinstance(app, FastAPI)
    assert not (tmp_path / "lazy.db").exists()
    assert not hasattr(app.state, "engine")
