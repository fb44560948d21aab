"""The query parameters of the feature endpoints as OpenAPI 3.0 parameter objects.

Kept beside :mod:`api.params` (which parses them) so the document clients read and the
parser the server runs describe the same parameters.
"""

from __future__ import annotations

from typing import Any

from api.cql2 import LANGUAGES
from api.crs import CRS84, supported_uris
from api.formats import FEATURE_FORMATS
from core.settings import ApiSettings


def _query(
    name: str, description: str, schema: dict[str, Any], **more: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        **more,
    }


def _crs(name: str, description: str) -> dict[str, Any]:
    schema = {"type": "string", "format": "uri", "enum": supported_uris(), "default": CRS84.uri}
    return _query(name, description, schema, style="form", explode=False)


def _output() -> list[dict[str, Any]]:
    """Parameters every feature response takes: CRS, format, property selection."""
    return [
        _crs("crs", "The CRS of the coordinates in the response (Part 2); default CRS84."),
        _query(
            "f",
            "The format: geojson (default), json, csv, jsonld or html; overrides Accept.",
            {"type": "string", "enum": [f.key for f in FEATURE_FORMATS]},
        ),
        _query(
            "properties",
            "Only these properties, comma-separated (in the order given).",
            {"type": "array", "items": {"type": "string"}},
            style="form",
            explode=False,
        ),
        _query(
            "skipGeometry",
            "Leave out the geometry.",
            {"type": "boolean", "default": False},
        ),
        _query(
            "csv-geometry",
            "With f=csv: 'wkt' (one WKT column, default) or 'xy' (two coordinate columns; a "
            "point on the surface of lines and polygons).",
            {"type": "string", "enum": ["wkt", "xy"], "default": "wkt"},
        ),
    ]


def item_openapi_parameters() -> list[dict[str, Any]]:
    return _output()


def items_openapi_parameters(settings: ApiSettings) -> list[dict[str, Any]]:
    """The OGC parameter definitions (OpenAPI 3.0), with this server's limit default/maximum."""
    return [
        _query(
            "bbox",
            "Only features whose geometry intersects this box: minx,miny,maxx,maxy (or 6 "
            "numbers with heights), in bbox-crs (default CRS84 longitude/latitude).",
            {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
            style="form",
            explode=False,
        ),
        _crs("bbox-crs", "The CRS of bbox (Part 2); EPSG:4326 boxes are lat/lon."),
        _query(
            "datetime",
            "An RFC 3339 instant (2026-11-20T09:30:00Z) or an inclusive interval "
            "(a/b, ../b, a/..).",
            {"type": "string"},
            style="form",
            explode=False,
        ),
        _query(
            "filter",
            "A CQL2 filter on the queryables (see /collections/{collectionId}/queryables), "
            "e.g. status = 'full' AND S_INTERSECTS(geometry, POINT(3.72 51.05)).",
            {"type": "string"},
        ),
        _query(
            "filter-lang",
            "The encoding of filter.",
            {"type": "string", "enum": list(LANGUAGES), "default": LANGUAGES[0]},
        ),
        _crs("filter-crs", "The CRS of geometry literals in filter; default CRS84."),
        _query(
            "sortby",
            "Sort keys, comma-separated; '-' before a name sorts descending. The id breaks "
            "ties.",
            {"type": "array", "items": {"type": "string"}},
            style="form",
            explode=False,
        ),
        _query(
            "limit",
            "The number of features per page.",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": settings.max_limit,
                "default": settings.default_limit,
            },
            style="form",
            explode=False,
        ),
        _query(
            "cursor",
            "Where the page starts: the opaque token of a next or prev link.",
            {"type": "string"},
        ),
        _query(
            "offset",
            "How many features to skip (after the cursor, if any); prefer the next link.",
            {"type": "integer", "minimum": 0, "default": 0},
        ),
        *_output(),
    ]
