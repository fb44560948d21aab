"""Collection metadata: ``/collections``, ``/collections/{collectionId}`` and its queryables."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from api import queryables
from api.alternates import alternate_links, html_page_url, label, self_link
from api.catalogue import Extent
from api.crs import supported_uris
from api.dependencies import CatalogueDep, CollectionDep, EngineDep, SettingsDep
from api.downloads import DOWNLOAD_FORMATS
from api.features import Counting, FeatureSource, rfc3339
from api.formats import HTML as HTML_FORMAT
from api.formats import JSON as JSON_FORMAT
from api.formats import METADATA_FORMATS, Format, negotiate_metadata
from api.links import href, licence_link, link
from api.pages.layout import html_response
from api.pages.resources import collection_page, collections_page, queryables_page
from api.pages.svg_map import MapFeature
from api.params import ItemsQuery, Page
from api.responses import (
    GEOJSON,
    HTML,
    JSON_OR_HTML,
    SCHEMA_JSON,
    SchemaJSONResponse,
    problem_responses,
)
from core.db import is_postgres
from core.pilot import Collection
from core.settings import ApiSettings

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
ENCLOSURE = "enclosure"
#: How many features the map of a collection's HTML page shows besides its extent.
MAP_SAMPLE = 100


def list_collections(
    request: Request, settings: SettingsDep, catalogue: CatalogueDep, engine: EngineDep
) -> Response:
    """Every published collection, with its extent and links."""
    output = negotiate_metadata(request.query_params.get("f"), request.headers.get("accept"))
    here = ("collections",)
    document = {
        "collections": [
            describe(request, settings, c, catalogue.extent(engine, c)) for c in catalogue
        ],
        "links": [
            self_link(request, settings, here, METADATA_FORMATS, output),
            *alternate_links(request, settings, here, METADATA_FORMATS, output),
        ],
    }
    if output is HTML_FORMAT:
        return html_response(collections_page(document, html_page_url(request, settings)))
    return JSONResponse(document)


def get_collection(
    request: Request,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    engine: EngineDep,
    collection: CollectionDep,
) -> Response:
    """One collection: what it holds, where and when, and the link to its items."""
    output = negotiate_metadata(request.query_params.get("f"), request.headers.get("accept"))
    extent = catalogue.extent(engine, collection)
    document = describe(request, settings, collection, extent, output)
    if output is HTML_FORMAT:
        sample = map_sample(engine, collection)
        return html_response(
            collection_page(document, sample, html_page_url(request, settings))
        )
    return JSONResponse(document)


def map_sample(engine: Engine, collection: Collection) -> list[MapFeature]:
    """The first features of the collection (by id, without properties) for its page's map."""
    source = FeatureSource(collection, postgres=is_postgres(engine), select=())
    query = ItemsQuery(bbox=None, time=None, page=Page(limit=MAP_SAMPLE))
    with engine.connect() as conn:
        page = source.fetch_page(conn, query, Counting("off"))
    return [MapFeature(str(f["id"]), f["geometry"]) for f in page.features]


def get_queryables(
    request: Request, settings: SettingsDep, collection: CollectionDep
) -> Response:
    """The properties of the collection's features that can be queried, as a JSON Schema."""
    output = negotiate_metadata(request.query_params.get("f"), request.headers.get("accept"))
    schema_id = href(request, settings, "collections", collection.id, "queryables")
    schema = queryables.schema(collection, schema_id)
    if output is HTML_FORMAT:
        url = html_page_url(request, settings)
        return html_response(queryables_page(schema, collection.id, collection.title, url))
    return SchemaJSONResponse(schema)


def describe(
    request: Request,
    settings: ApiSettings,
    collection: Collection,
    extent: Extent,
    output: Format = JSON_FORMAT,
) -> dict[str, Any]:
    """The OGC collection document, with links to its items, downloads and other formats."""
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
        self_link(request, settings, here, METADATA_FORMATS, output, collection.title),
        *alternate_links(request, settings, here, METADATA_FORMATS, output),
        link(
            href(request, settings, *here, "items"),
            "items",
            GEOJSON,
            f"{collection.title} (GeoJSON)",
        ),
        link(
            href(request, settings, *here, "items", query=[("f", "html")]),
            "items",
            HTML,
            f"{collection.title} (HTML)",
        ),
        *(
            link(
                href(request, settings, *here, "download", query=[("f", fmt.key)]),
                ENCLOSURE,
                fmt.media_type,
                f"The whole collection as {label(fmt)}",
            )
            for fmt in DOWNLOAD_FORMATS
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
        responses={**JSON_OR_HTML, **problem_responses()},
    )
    routes.add_api_route(
        "/collections/{collectionId}",
        get_collection,
        methods=["GET"],
        summary="One feature collection",
        operation_id="describeCollection",
        response_class=JSONResponse,
        responses={**JSON_OR_HTML, **problem_responses(404)},
    )
    routes.add_api_route(
        "/collections/{collectionId}/queryables",
        get_queryables,
        methods=["GET"],
        summary="The queryable properties of a collection",
        operation_id="getQueryables",
        response_class=SchemaJSONResponse,
        responses={
            200: {
                "description": "The queryables as a JSON Schema, or as an HTML page.",
                "content": {
                    SCHEMA_JSON: {"schema": {"type": "object"}},
                    HTML: {"schema": {"type": "string"}},
                },
            },
            **problem_responses(404),
        },
    )
    return routes
