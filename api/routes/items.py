"""Features: ``/collections/{collectionId}/items`` (filtered, sorted, paged) and one item by id.

Both answer in the negotiated format (:mod:`api.formats`) and the requested CRS, with the
``Content-Crs`` header of Part 2, ``Link`` headers for paging and a ``Cache-Control`` that
follows the collection's update interval.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response

from api import encoders
from api.crs import CRS84, parse_crs
from api.dependencies import (
    CatalogueDep,
    CollectionDep,
    EngineDep,
    FeatureIdPath,
    ItemsQueryDep,
    RegistryDep,
    SettingsDep,
)
from api.features import Counting, FeaturePage, FeatureSource, read_only, rfc3339
from api.formats import CSV, FEATURE_FORMATS, JSONLD, Format, negotiate
from api.linked_data import context
from api.links import href, link
from api.openapi_params import item_openapi_parameters, items_openapi_parameters
from api.params import ITEM_PARAMETERS, ItemsQuery, parse_boolean, parse_names
from api.responses import GEOJSON, JSON, problem_responses
from core.db import is_postgres
from core.errors import InvalidParameter
from core.pilot import Collection
from core.settings import ApiSettings

#: A datetime filter that ends this long ago asks for history that no longer changes.
SETTLED_AFTER = timedelta(days=1)


def get_items(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    collection: CollectionDep,
    catalogue: CatalogueDep,
    registry: RegistryDep,
    query: ItemsQueryDep,
) -> Response:
    """A page of the collection's features, filtered, sorted and in the requested CRS."""
    output = negotiate(query_format(request), request.headers.get("accept"), FEATURE_FORMATS)
    csv_mode = encoders.csv_geometry_mode(request.query_params.get("csv-geometry"))
    source = FeatureSource(
        collection,
        postgres=is_postgres(engine),
        crs=query.crs,
        geometry_form="shapely" if output is CSV else "geojson",
        select=query.select,
        skip_geometry=query.skip_geometry,
    )
    counting = Counting(settings.api_number_matched, settings.api_number_matched_cap)
    with read_only(engine) as conn:
        page = source.fetch_page(conn, query, counting)
    links = _page_links(request, settings, collection, page)
    headers = {
        "Content-Crs": query.crs.header,
        "Cache-Control": cache_control(settings, collection, query),
    }
    paging = [f'<{item["href"]}>; rel="{item["rel"]}"' for item in links[2:]]
    if paging:
        headers["Link"] = ", ".join(paging)
    if output is CSV:
        body = encoders.csv_bytes(
            page.features, source.properties, query.crs, mode=csv_mode,
            with_geometry=not query.skip_geometry,
        )
        return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
    document: dict[str, Any] = {"type": "FeatureCollection", "features": page.features}
    if page.number_matched is not None:
        document["numberMatched"] = page.number_matched
    document["numberReturned"] = len(page.features)
    document["timeStamp"] = rfc3339(datetime.now(UTC))
    document["links"] = links
    return _json_response(request, settings, catalogue, registry, collection, source,
                          document, output, headers)


def get_item(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    collection: CollectionDep,
    catalogue: CatalogueDep,
    registry: RegistryDep,
    feature_id: FeatureIdPath,
) -> Response:
    """One feature by its id, in the requested CRS and format."""
    given = _single(request)
    output = negotiate(given.get("f"), request.headers.get("accept"), FEATURE_FORMATS)
    crs = parse_crs(given["crs"], "crs") if "crs" in given else CRS84
    source = FeatureSource(
        collection,
        postgres=is_postgres(engine),
        crs=crs,
        geometry_form="shapely" if output is CSV else "geojson",
        select=parse_names(given["properties"], "properties") if "properties" in given else None,
        skip_geometry=parse_boolean(given.get("skipGeometry", "false"), "skipGeometry"),
    )
    with read_only(engine) as conn:
        feature = source.fetch_feature(conn, feature_id)
    headers = {
        "Content-Crs": crs.header,
        "Cache-Control": f"public, max-age={max_age(settings, collection)}",
    }
    if output is CSV:
        mode = encoders.csv_geometry_mode(given.get("csv-geometry"))
        body = encoders.csv_bytes(
            [feature], source.properties, crs, mode=mode, with_geometry=not source.skip_geometry
        )
        return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
    here = ("collections", collection.id)
    feature["links"] = [
        link(href(request, settings, *here, "items", feature_id), "self", GEOJSON),
        link(href(request, settings, *here), "collection", JSON, collection.title),
    ]
    return _json_response(request, settings, catalogue, registry, collection, source,
                          feature, output, headers)


def _json_response(
    request: Request,
    settings: ApiSettings,
    catalogue: CatalogueDep,
    registry: RegistryDep,
    collection: Collection,
    source: FeatureSource,
    document: dict[str, Any],
    output: Format,
    headers: dict[str, str],
) -> Response:
    if output is JSONLD:
        handbook = registry.get(catalogue.pilot_of(collection.id)).handbook
        items = ("collections", collection.id, "items")
        document = encoders.jsonld_document(
            document,
            context(handbook, source.properties),
            lambda feature_id: href(request, settings, *items, feature_id),
        )
    headers["ETag"] = weak_etag(
        {key: value for key, value in document.items() if key != "timeStamp"}, output
    )
    return Response(encoders.json_bytes(document), media_type=output.media_type, headers=headers)


def weak_etag(document: dict[str, Any], output: Format) -> str:
    """A validator that ignores ``timeStamp``: a page served again is the same page."""
    digest = hashlib.blake2b(encoders.json_bytes(document), digest_size=16)
    digest.update(output.media_type.encode())
    return f'W/"{digest.hexdigest()}"'


def query_format(request: Request) -> str | None:
    return request.query_params.get("f")


def _single(request: Request) -> dict[str, str]:
    given: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key not in ITEM_PARAMETERS:
            known = ", ".join(ITEM_PARAMETERS)
            raise InvalidParameter(key, f"unknown query parameter; this endpoint takes {known}")
        if key in given:
            raise InvalidParameter(key, "given more than once")
        given[key] = value
    return given


def max_age(settings: ApiSettings, collection: Collection) -> int:
    interval = collection.update_interval
    return settings.api_max_age if interval is None else interval


def cache_control(settings: ApiSettings, collection: Collection, query: ItemsQuery) -> str:
    """Live data for as long as it does not change; a window that closed long ago, for long."""
    end = query.time.end if query.time is not None else None
    if end is not None and end < datetime.now(UTC) - SETTLED_AFTER:
        return f"public, max-age={settings.api_history_max_age}"
    return f"public, max-age={max_age(settings, collection)}"


def _page_links(
    request: Request, settings: ApiSettings, collection: Collection, page: FeaturePage
) -> list[dict[str, Any]]:
    """self, collection, and next/prev that keep every other query parameter as given."""
    items = ("collections", collection.id, "items")
    given = request.query_params.multi_items()
    media_type = _link_type(request)
    links = [
        link(href(request, settings, *items, query=given), "self", media_type),
        link(href(request, settings, *items[:2]), "collection", JSON, collection.title),
    ]
    kept = [(key, value) for key, value in given if key not in ("cursor", "offset")]
    if page.next_cursor is not None:
        after = [*kept, ("cursor", page.next_cursor)]
        links.append(link(href(request, settings, *items, query=after), "next", media_type,
                          "Next page"))
    if page.prev_cursor is not None:
        before = [*kept, ("cursor", page.prev_cursor)]
        links.append(link(href(request, settings, *items, query=before), "prev", media_type,
                          "Previous page"))
    return links


def _link_type(request: Request) -> str:
    f = query_format(request)
    for candidate in FEATURE_FORMATS:
        if f is not None and candidate.key == f.strip().lower():
            return candidate.media_type
    return GEOJSON


def _success(description: str) -> dict[int | str, dict[str, Any]]:
    """The 200 response in each format the endpoints negotiate."""
    return {
        200: {
            "description": description,
            "content": {
                "application/geo+json": {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/ld+json": {"schema": {"type": "object"}},
            },
        }
    }


def router(settings: ApiSettings) -> APIRouter:
    routes = APIRouter(tags=["Data"])
    routes.add_api_route(
        "/collections/{collectionId}/items",
        get_items,
        methods=["GET"],
        summary="The features of a collection",
        operation_id="getFeatures",
        response_class=Response,
        responses={
            **_success("A page of features, with paging links."),
            **problem_responses(400, 404, 406),
        },
        openapi_extra={"parameters": items_openapi_parameters(settings)},
    )
    routes.add_api_route(
        "/collections/{collectionId}/items/{featureId}",
        get_item,
        methods=["GET"],
        summary="One feature",
        operation_id="getFeature",
        response_class=Response,
        responses={**_success("The feature."), **problem_responses(400, 404, 406)},
        openapi_extra={"parameters": item_openapi_parameters()},
    )
    return routes

