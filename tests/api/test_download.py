"""Bulk downloads: FlatGeobuf and GeoParquet read back hold exactly the API's items."""

from __future__ import annotations

import io
import json
import math
from datetime import UTC
from pathlib import Path
from typing import Any

import geopandas
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest
from fastapi.testclient import TestClient

from tests.api.checks import assert_problem, get_geojson

FORMATS = {
    "flatgeobuf": ("application/flatgeobuf", ".fgb"),
    "geoparquet": ("application/vnd.apache.parquet", ".parquet"),
}
COLLECTIONS = ("parking-sites", "parking-observations")


def _download(client: TestClient, collection_id: str, f: str, tmp_path: Path) -> Path:
    url = f"/collections/{collection_id}/download?f={f}"
    response = client.get(url, headers={"accept-encoding": "identity"})
    assert response.status_code == 200, response.text
    media_type, suffix = FORMATS[f]
    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{collection_id}{suffix}"'
    )
    assert int(response.headers["content-length"]) == len(response.content)
    path = tmp_path / f"{collection_id}{suffix}"
    path.write_bytes(response.content)
    return path


def _read(path: Path) -> geopandas.GeoDataFrame:
    if path.suffix == ".fgb":
        return pyogrio.read_dataframe(path)
    return geopandas.read_parquet(path)


def _plain(value: Any) -> Any:
    """A value read from the file as the GeoJSON writes it."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_convert(UTC).isoformat().replace("+00:00", "Z")
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _same(from_file: Any, from_api: Any) -> bool:
    if isinstance(from_api, list | dict):
        return isinstance(from_file, str) and json.loads(from_file) == from_api
    if isinstance(from_api, float) or isinstance(from_file, float):
        return from_file is not None and from_api is not None and math.isclose(
            from_file, from_api
        )
    return bool(from_file == from_api)


@pytest.mark.parametrize("f", FORMATS)
@pytest.mark.parametrize("collection_id", COLLECTIONS)
def test_download_round_trips_to_the_items(
    client: TestClient, tmp_path: Path, collection_id: str, f: str
) -> None:
    frame = _read(_download(client, collection_id, f, tmp_path))
    items = get_geojson(client, f"/collections/{collection_id}/items?limit=10000")["features"]
    assert len(items) > 2
    assert sorted(frame["id"]) == sorted(item["id"] for item in items)
    properties = list(items[0]["properties"])
    assert list(frame.columns) == ["id", *properties, "geometry"]
    rows = {row["id"]: row for row in frame.to_dict("records")}
    for item in items:
        row = rows[item["id"]]
        assert list(row["geometry"].coords[0]) == pytest.approx(item["geometry"]["coordinates"])
        for name, expected in item["properties"].items():
            found = _plain(row[name])
            if expected is None:
                assert found is None, (item["id"], name, found)
            else:
                assert _same(found, expected), (item["id"], name, found, expected)


def test_geoparquet_metadata_says_crs84_wkb_points_and_the_bbox(
    client: TestClient, tmp_path: Path
) -> None:
    path = _download(client, "parking-sites", "geoparquet", tmp_path)
    geo = json.loads(pq.read_metadata(path).metadata[b"geo"])
    assert geo["primary_column"] == "geometry" and geo["version"].startswith("1.")
    column = geo["columns"]["geometry"]
    assert column["encoding"] == "WKB"
    assert column["geometry_types"] == ["Point"]
    assert column["bbox"] == pytest.approx([3.7236, 51.0280, 4.4790, 51.0503])
    assert "crs" not in column  # absent means OGC:CRS84
    assert geopandas.read_parquet(path).crs.to_string() == "OGC:CRS84"


def test_flatgeobuf_has_a_spatial_index_and_crs84(client: TestClient, tmp_path: Path) -> None:
    path = _download(client, "parking-sites", "flatgeobuf", tmp_path)
    info = pyogrio.read_info(path)
    assert info["features"] == 3
    assert info["capabilities"]["fast_spatial_filter"]
    assert "CRS84" in info["crs"]
    kouter = pyogrio.read_dataframe(path, bbox=(3.72, 51.05, 3.73, 51.06))
    assert list(kouter["id"]) == ["gent:parking-kouter"]


def test_an_empty_collection_is_an_empty_file(client: TestClient) -> None:
    for f in FORMATS:
        response = client.get(f"/collections/crowding-observations/download?f={f}")
        assert response.status_code == 200, response.text
        if f == "geoparquet":
            table = pq.read_table(io.BytesIO(response.content))
            assert table.num_rows == 0 and "location_id" in table.column_names


def test_caching_validators_and_format_by_accept(client: TestClient) -> None:
    url = "/collections/parking-sites/download"
    first = client.get(url)
    assert first.headers["content-type"] == "application/flatgeobuf"  # the default
    assert first.headers["cache-control"] == "public, max-age=60"
    etag = first.headers["etag"]
    assert client.get(url).headers["etag"] == etag  # same data, same bytes
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    parquet = client.get(url, headers={"accept": "application/vnd.apache.parquet"})
    assert parquet.headers["content-type"] == "application/vnd.apache.parquet"
    assert parquet.headers["etag"] != etag
    assert "content-encoding" not in client.get(
        f"{url}?f=geoparquet", headers={"accept-encoding": "gzip"}
    ).headers


def test_download_errors_are_problems(client: TestClient) -> None:
    assert_problem(client.get("/collections/parking-sites/download?f=shapefile"), 400, "f")
    assert_problem(client.get("/collections/parking-sites/download?limit=5"), 400, "limit")
    assert_problem(
        client.get("/collections/parking-sites/download?f=geoparquet&f=flatgeobuf"), 400, "f"
    )
    assert_problem(
        client.get("/collections/parking-sites/download", headers={"accept": "text/csv"}), 406
    )
    assert_problem(client.get("/collections/nope/download"), 404)
