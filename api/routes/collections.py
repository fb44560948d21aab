"""Collection metadata: ``/collections``, ``/collections/{collectionId}`` and its queryables."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api import queryables
from api.catalogue import Extent
from api.crs import supported_uris
from api.dependencies import CatalogueDep, CollectionDep, EngineDep, SettingsDep
from api.features import rfc3339
from api.links import href, licence_link, link
from api.responses import GEOJSON, JSON, SCHEMA_JSON, SchemaJSONResponse, problem_responses
from core.pilot import Collection
from core.settings import ApiSettings

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"

def list_collections(
    request: Request, settings: SettingsDep, catalogue: CatalogueDep, engine: EngineDep
) -> JSONResponse:
    """Every published collection, with its extent and links."""
    return JSONResponse(
        {
            "collections": [
                describe(request, settings, c, catalogue.extent(engine, c)) for c in catalogue
            ],
            "links": [link(href(request, settings, "collections"), "self", JSON)],
        }
    )


def get_collection(
    request: Request,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    engine: EngineDep,
    collection: CollectionDep,
) -> JSONResponse:
    """One collection: what it holds, where and when, and the link to its items."""
    return JSONResponse(
        describe(request, settings, collection, catalogue.extent(engine, collection))
    )


def get_queryables(
    request: Request, settings: SettingsDep, collection: CollectionDep
) -> SchemaJSONResponse:
    """The properties of the collection's features that can be queried, as a JSON Schema."""
    schema_id = href(request, settings, "collections", collection.id, "queryables")
    return SchemaJSONResponse(queryables.schema(collection, schema_id))


def describe(
    request: Request, settings: ApiSettings, collection: Collection, extent: Extent
) -> dict[str, Any]:
    """The OGC collection document."""
    here = ("collections", collection.id)
    body: dict[str, Any] = {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "keywords": list(collection.keywords),
        "itemType": "feature",
        "crs": supported_uris(),
        "storageCrs": CRS84,
    }
    described = _extent(extent)
    if described:
        body["extent"] = described
    body["links"] = [
        link(href(request, settings, *here), "self", JSON, collection.title),
        link(
            href(request, settings, *here, "items"),
            "items",
            GEOJSON,
            f"{collection.title} (GeoJSON)",
        ),
        link(
            href(request, settings, *here, "queryables"),
            QUERYABLES_REL,
            SCHEMA_JSON,
            "Queryable properties",
        ),
        licence_link(collection.licence),
    ]
    return body


def _extent(extent: Extent) -> dict[str, Any]:
    described: dict[str, Any] = {}
    if extent.bbox is not None:
        described["spatial"] = {"bbox": [list(extent.bbox)], "crs": CRS84}
    if extent.interval is not None:
        start, end = extent.interval
        interval = [None if t is None else rfc3339(t) for t in (start, end)]
        described["temporal"] = {"interval": [interval], "trs": GREGORIAN}
    return described


def router() -> APIRouter:
    routes = APIRouter(tags=["Data"])
    routes.add_api_route(
        "/collections",
        list_collections,
        methods=["GET"],
        summary="The feature collections",
        operation_id="getCollections",
        response_class=JSONResponse,
        responses=problem_responses(),
    )
    routes.add_api_route(
        "/collections/{collectionId}",
        get_collection,
        methods=["GET"],
        summary="One feature collection",
        operation_id="describeCollection",
        response_class=JSONResponse,
        responses=problem_responses(404),
    )
    routes.add_api_route(
        "/collections/{collectionId}/queryables",
        get_queryables,
        methods=["GET"],
        summary="The queryable properties of a collection",
        operation_id="getQueryables",
        response_class=SchemaJSONResponse,
        responses=problem_responses(404),
    )
    return routes
