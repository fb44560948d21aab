"""GDAL's OGC API - Features driver (OAPIF, through pyogrio) reads every collection.

GDAL discovers the API from its landing page, pages through items by their ``next`` links and
sends a bbox as a server-side filter; what it reads must be what the API serves as GeoJSON:
the same feature ids, the same scalar properties and the same geometries.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pyogrio
import shapely
from shapely.geometry import shape

from tests.clients.api_reads import a_bbox_around_the_first_feature, all_features


def read_with_gdal(
    base: str, collection_id: str, bbox: tuple[float, float, float, float] | None = None
) -> pd.DataFrame:
    frame = pyogrio.read_dataframe(f"OAPIF:{base}", layer=collection_id, bbox=bbox)
    assert frame["id"].is_unique
    return frame.set_index("id")


def assert_same_features(
    gdal: pd.DataFrame, api: list[dict[str, Any]], collection_id: str
) -> None:
    assert set(gdal.index) == {feature["id"] for feature in api}, collection_id
    for feature in api:
        row = gdal.loc[feature["id"]]
        expected = shape(feature["geometry"])
        assert shapely.equals_exact(row["geometry"], expected, tolerance=1e-9), feature["id"]
        for name, value in feature["properties"].items():
            if value is None or isinstance(value, list | dict):
                continue  # nested values are JSON in GDAL's columns; nulls may be NaN or None
            assert_same_value(row[name], value, gdal[name].dtype, f"{feature['id']}.{name}")


def assert_same_value(read: Any, served: Any, dtype: Any, where: str) -> None:
    if pd.api.types.is_datetime64_any_dtype(dtype):
        # GDAL keeps milliseconds and its rounding is not exactly half-up (.131499 s came back
        # as .132), so the same instant may differ by a hair over half a millisecond.
        gap = abs(pd.Timestamp(read) - pd.Timestamp(served))
        assert gap < pd.Timedelta(milliseconds=1), where
    elif isinstance(served, bool):
        assert bool(read) is served, where
    elif isinstance(served, int | float):
        assert math.isclose(float(read), float(served), rel_tol=1e-9), where
    else:
        assert str(read) == served, where


def test_gdal_lists_every_collection_as_a_layer(live_url: str, collection_ids: list[str]) -> None:
    layers = pyogrio.list_layers(f"OAPIF:{live_url}")
    assert sorted(name for name, _ in layers) == sorted(collection_ids)


def test_gdal_reads_every_collection_as_the_api_serves_it(
    live_url: str, collection_ids: list[str]
) -> None:
    for collection_id in collection_ids:
        served = all_features(live_url, collection_id)
        assert served, f"the live data has no {collection_id}: seed it"
        assert_same_features(read_with_gdal(live_url, collection_id), served, collection_id)


def test_gdal_reads_within_a_bbox_what_the_api_serves_for_it(
    live_url: str, collection_ids: list[str]
) -> None:
    for collection_id in collection_ids:
        bbox = a_bbox_around_the_first_feature(all_features(live_url, collection_id))
        served = all_features(live_url, collection_id, bbox)
        assert served, collection_id
        assert_same_features(read_with_gdal(live_url, collection_id, bbox), served, collection_id)
