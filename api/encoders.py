"""Feature documents written as bytes: GeoJSON/JSON (orjson), CSV and JSON-LD.

The route builds one GeoJSON-shaped document; each encoder only changes how it is written, so
every format carries the same features, properties and paging.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
from shapely.geometry.base import BaseGeometry

from api.crs import Crs
from core.errors import InvalidParameter

CSV_GEOMETRY = ("wkt", "xy")


def json_bytes(document: Any) -> bytes:
    return orjson.dumps(document)


def csv_geometry_mode(value: str | None) -> str:
    mode = (value or "wkt").strip().lower()
    if mode not in CSV_GEOMETRY:
        raise InvalidParameter("csv-geometry", f"'{value}' is not one of {', '.join(CSV_GEOMETRY)}")
    return mode


def axis_names(crs: Crs) -> tuple[str, str]:
    """Column names of the coordinate columns, in the CRS's axis order."""
    if crs.geographic:
        return ("lat", "lon") if crs.lat_first else ("lon", "lat")
    return ("x", "y")


def csv_bytes(
    features: Sequence[Mapping[str, Any]],
    properties: Sequence[str],
    crs: Crs,
    *,
    mode: str,
    with_geometry: bool = True,
) -> bytes:
    """One row per feature: id, geometry (WKT, or one point's two coordinates), properties.

    In ``xy`` mode a line or polygon is represented by a point on its surface, so every row
    has a position a spreadsheet can plot.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    geometry_columns: list[str] = []
    if with_geometry:
        geometry_columns = ["geometry"] if mode == "wkt" else list(axis_names(crs))
    writer.writerow(["id", *geometry_columns, *properties])
    for feature in features:
        geometry = feature["geometry"]
        cells: list[Any] = [feature["id"]]
        if with_geometry:
            cells += _geometry_cells(geometry, mode)
        cells += [_cell(feature["properties"].get(name)) for name in properties]
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8")


def _geometry_cells(geometry: BaseGeometry | None, mode: str) -> list[Any]:
    if geometry is None:
        return [""] if mode == "wkt" else ["", ""]
    if mode == "wkt":
        return [geometry.wkt]
    point = geometry if geometry.geom_type == "Point" else geometry.representative_point()
    return [point.x, point.y]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return value


def jsonld_document(
    document: dict[str, Any], context: dict[str, Any], uri_of: Callable[[str], str]
) -> dict[str, Any]:
    """The GeoJSON document as JSON-LD: the pilot's context, each feature named by its URI."""
    def feature(item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "id": uri_of(str(item["id"]))}

    if document.get("type") == "FeatureCollection":
        body = {**document, "features": [feature(item) for item in document["features"]]}
    else:
        body = feature(document)
    return {"@context": context, **body}
