"""Features: ``/collections/{collectionId}/items`` (filtered, paged) and one item by id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request

from api.dependencies import CollectionDep, EngineDep, FeatureIdPath, ItemsQueryDep, SettingsDep
from api.features import FeaturePage, FeatureSource, rfc3339
from api.links import href, link
from api.params import ItemsQuery, items_openapi_parameters
from api.responses import GEOJSON, JSON, GeoJSONResponse, problem_responses
from core.db import is_postgres
from core.pilot import Collection
from core.settings import ApiSettings


def get_items(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    collection: CollectionDep,
    query: ItemsQueryDep,
) -> GeoJSONResponse:
    """A page of the collection's features in id order, filtered by bbox and datetime."""
    source = FeatureSource(collection, postgres=is_postgres(engine))
    with engine.connect() as conn:
        page = source.fetch_page(conn, query)
    return GeoJSONResponse(
        {
            "type": "FeatureCollection",
            "features": page.features,
            "numberMatched": page.number_matched,
            "numberReturned": len(page.features),
            "timeStamp": rfc3339(datetime.now(UTC)),
            "links": _page_links(request, settings, collection, query, page),
        }
    )


def get_item(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    collection: CollectionDep,
    feature_id: FeatureIdPath,
) -> GeoJSONResponse:
    """One feature by its id."""
    source = FeatureSource(collection, postgres=is_postgres(engine))
    with engine.connect() as conn:
        feature = source.fetch_feature(conn, feature_id)
    here = ("collections", collection.id)
    feature["links"] = [
        link(href(request, settings, *here, "items", feature_id), "self", GEOJSON),
        link(href(request, settings, *here), "collection", JSON, collection.title),
    ]
    return GeoJSONResponse(feature)


def _page_links(
    request: Request,
    settings: ApiSettings,
    collection: Collection,
    query: ItemsQuery,
    page: FeaturePage,
) -> list[dict[str, Any]]:
    """self, collection, and next/prev that keep every other query parameter as given."""
    items = ("collections", collection.id, "items")
    given = request.query_params.multi_items()
    links = [
        link(href(request, settings, *items, query=given), "self", GEOJSON),
        link(href(request, settings, *items[:2]), "collection", JSON, collection.title),
    ]
    limit, offset = query.page.limit, query.page.offset
    if page.has_more:
        after = _with_offset(given, offset + limit)
        links.append(
            link(href(request, settings, *items, query=after), "next", GEOJSON, "Next page")
        )
    if offset > 0:
        before = _with_offset(given, max(offset - limit, 0))
        links.append(
            link(href(request, settings, *items, query=before), "prev", GEOJSON, "Previous page")
        )
    return links


def _with_offset(params: list[tuple[str, str]], offset: int) -> list[tuple[str, str]]:
    """``params`` with ``offset`` set, as the last pair; ``offset=0`` is left out."""
    kept = [(key, value) for key, value in params if key != "offset"]
    return kept if offset == 0 else [*kept, ("offset", str(offset))]


def router(settings: ApiSettings) -> APIRouter:
    routes = APIRouter(tags=["Data"])
    routes.add_api_route(
        "/collections/{collectionId}/items",
        get_items,
        methods=["GET"],
        summary="The features of a collection",
        operation_id="getFeatures",
        response_class=GeoJSONResponse,
        responses=problem_responses(400, 404),
        openapi_extra={"parameters": items_openapi_parameters(settings)},
    )
    routes.add_api_route(
        "/collections/{collectionId}/items/{featureId}",
        get_item,
        methods=["GET"],
        summary="One feature",
        operation_id="getFeature",
        response_class=GeoJSONResponse,
        responses=problem_responses(404),
    )
    return routes
