"""What a collection lets clients filter and sort on, and its JSON Schema (Part 3 queryables).

The queryables are the geometry (``geometry``), the collection's time column and the
properties the pilot declares as queryable; the same names are the sortables (except the
geometry) plus the feature id. Keeping filter, sort and the published schema on one list
means a client can never be told a property is queryable that the server then refuses.
"""

from __future__ import annotations

from typing import Any

from core.pilot import Collection

GEOMETRY = "geometry"

#: How a pilot's queryable type names read in JSON Schema.
SCHEMA_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date-time": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
}


def queryable_types(collection: Collection) -> dict[str, str]:
    """Queryable name → its type name (``geometry``, ``date-time`` or the pilot's own)."""
    types: dict[str, str] = {GEOMETRY: "geometry"}
    if collection.datetime_column is not None:
        types[collection.datetime_column] = "date-time"
    types.update(collection.queryables)
    return types


def sortables(collection: Collection) -> tuple[str, ...]:
    names = [name for name in queryable_types(collection) if name != GEOMETRY]
    return (collection.id_column, *(name for name in names if name != collection.id_column))


def schema(collection: Collection, schema_id: str) -> dict[str, Any]:
    """The queryables as a JSON Schema (2020-12), as OGC API - Features Part 3 publishes them."""
    properties: dict[str, Any] = {}
    for name, kind in queryable_types(collection).items():
        if kind == "geometry":
            properties[name] = {
                "title": "Geometry",
                "description": "The feature's geometry; use it in spatial functions.",
                "format": "geometry-any",
                "x-ogc-role": "primary-geometry",
            }
        elif name == collection.datetime_column:
            properties[name] = {
                "title": name,
                "type": "string",
                "format": "date-time",
                "x-ogc-role": "primary-instant",
            }
        else:
            properties[name] = {"title": name, **SCHEMA_TYPES.get(kind, {"type": kind})}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "type": "object",
        "title": collection.title,
        "properties": properties,
        "additionalProperties": False,
    }
