"""What the API itself returns, read with plain HTTP: the reference the clients are held to."""

from __future__ import annotations

from typing import Any

import httpx

PAGE = 1000


def all_features(
    base: str, collection_id: str, bbox: tuple[float, float, float, float] | None = None
) -> list[dict[str, Any]]:
    """Every feature of a collection (optionally within ``bbox``), following ``next`` links."""
    params: dict[str, str | int] = {"limit": PAGE}
    if bbox is not None:
        params["bbox"] = ",".join(str(value) for value in bbox)
    url: str | None = f"{base}/collections/{collection_id}/items"
    features: list[dict[str, Any]] = []
    with httpx.Client(timeout=60) as client:
        while url is not None:
            response = client.get(url, params=params)
            assert response.status_code == 200, response.text
            body = response.json()
            features += body["features"]
            url = next((ln["href"] for ln in body["links"] if ln["rel"] == "next"), None)
            params = {}  # the next link carries every parameter
    return features


def a_bbox_around_the_first_feature(
    features: list[dict[str, Any]],
) -> tuple[float, float, float, float]:
    """A small box around the first feature's geometry: a bbox that selects part of the data."""
    coordinates = list(_positions(features[0]["geometry"]["coordinates"]))
    xs = [x for x, _ in coordinates]
    ys = [y for _, y in coordinates]
    margin = 0.0005
    return (min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin)


def _positions(coordinates: Any) -> Any:
    if coordinates and isinstance(coordinates[0], int | float):
        yield coordinates[0], coordinates[1]
        return
    for part in coordinates:
        yield from _positions(part)
