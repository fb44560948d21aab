"""Assertions shared by the API tests."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

GEOJSON = "application/geo+json"


def assert_problem(
    response: httpx.Response, status: int, parameter: str | None = None
) -> dict[str, Any]:
    """An RFC 9457 problem with ``status`` (naming ``parameter``), and never a traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    assert "Traceback" not in response.text
    if parameter is not None:
        assert body["parameter"] == parameter
        assert parameter in body["detail"]
    return body


def links_by_rel(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The first link of each relation (the JSON one comes first); a relation may repeat only
    in another media type (items in GeoJSON and HTML, alternates, downloads)."""
    links = document["links"]
    kinds = [(link["rel"], link["type"]) for link in links]
    assert len(set(kinds)) == len(kinds), f"duplicate links in {links}"
    by_rel: dict[str, dict[str, Any]] = {}
    for link in links:
        by_rel.setdefault(link["rel"], link)
    return by_rel


def alternates(document: dict[str, Any]) -> dict[str, str]:
    """The ``alternate`` links of a document: media type → href."""
    return {link["type"]: link["href"] for link in document["links"] if link["rel"] == "alternate"}


def get_geojson(client: TestClient, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == GEOJSON
    body: dict[str, Any] = response.json()
    return body


def page_through(client: TestClient, url: str) -> list[dict[str, Any]]:
    """Every page from ``url`` on, following ``next``; returns the pages."""
    pages = [get_geojson(client, url)]
    while "next" in links_by_rel(pages[-1]):
        pages.append(get_geojson(client, links_by_rel(pages[-1])["next"]["href"]))
        assert len(pages) < 100, "paging does not end"
    return pages


def ids(collection: dict[str, Any]) -> list[str]:
    return [feature["id"] for feature in collection["features"]]
