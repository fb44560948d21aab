"""Features: ``/collections/{collectionId}/items`` (filtered, sorted, paged) and one item by id.

Both answer in the negotiated format (:mod:`api.formats`) and the requested CRS, with the
``Content-Crs`` header of Part 2, ``Link`` headers for paging and a ``Cache-Control`` that
follows the collection's update interval.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from fastapi import APIRouter, Request, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from api import async_pages, encoders, geojson_text
from api.alternates import alternate_links, html_page_url, label
from api.cache_policy import max_age, window_cache_control
from api.catalogue import Catalogue
from api.crs import CRS84, Crs, parse_crs
from api.dependencies import CollectionIdPath, FeatureIdPath
from api.features import FEATURE_ID, Counting, FeaturePage, FeatureSource, read_only, rfc3339
from api.formats import CSV, FEATURE_FORMATS, GEOJSON, HTML, JSONLD, Format, negotiate
from api.formats import JSON as JSON_FORMAT
from api.linked_data import context
from api.links import href, link
from api.openapi_params import item_openapi_parameters, items_openapi_parameters
from api.pages.layout import html_response
from api.pages.resources import item_page, items_page
from api.params import (
    ITEM_PARAMETERS,
    ItemsQuery,
    parse_boolean,
    parse_items_query,
    parse_names,
)
from api.pg_reads import AsyncReads
from api.responses import JSON, problem_responses
from core.db import is_postgres
from core.errors import InvalidParameter
from core.pilot import Collection, Registry
from core.settings import ApiSettings


async def get_items(request: Request, collection_id: CollectionIdPath) -> Response:
    """A page of the collection's features, filtered, sorted and in the requested CRS.

    Takes only the request and the path: FastAPI resolving a dependency per part of the
    state cost a bbox page more than building its links (see :func:`_state`). GeoJSON on
    PostGIS is read from the event loop (:mod:`api.async_pages`); everything else in the
    thread pool.
    """
    items = _items_request(request, collection_id)
    reads: AsyncReads | None = getattr(request.app.state, "reads", None)
    if reads is None or not items.source.text:
        return await run_in_threadpool(_items_response, request, items, None)
    page = await async_pages.fetch_page(
        reads, items.engine, items.source, items.query, items.counting
    )
    return _items_response(request, items, page)


@dataclass(frozen=True)
class _ItemsRequest:
    """What a request for items asks for, parsed and checked."""

    settings: ApiSettings
    engine: Engine
    catalogue: Catalogue
    collection: Collection
    query: ItemsQuery
    output: Format
    crs: Crs
    source: FeatureSource
    counting: Counting


def _items_request(request: Request, collection_id: str) -> _ItemsRequest:
    settings, engine, catalogue = _state(request)
    collection = catalogue.get(collection_id)
    query = parse_items_query(request.query_params.multi_items(), settings, collection.queryables)
    output = negotiate(query_format(request), request.headers.get("accept"), FEATURE_FORMATS)
    crs = CRS84 if output is HTML else query.crs  # the page's map is drawn from lon/lat
    source = FeatureSource(
        collection,
        postgres=is_postgres(engine),
        crs=crs,
        geometry_form="shapely" if output is CSV else "geojson",
        select=query.select,
        skip_geometry=query.skip_geometry,
        text=output in TEXT_FORMATS,
    )
    counting = Counting(settings.api_number_matched, settings.api_number_matched_cap)
    return _ItemsRequest(settings, engine, catalogue, collection, query, output, crs, source,
                         counting)


def _items_response(request: Request, items: _ItemsRequest, page: FeaturePage | None) -> Response:
    """The response for ``page``; without one, read it first (then call in a thread)."""
    settings, engine, catalogue = items.settings, items.engine, items.catalogue
    collection, query, output, crs, source = (
        items.collection, items.query, items.output, items.crs, items.source
    )
    csv_mode = encoders.csv_geometry_mode(request.query_params.get("csv-geometry"))
    if page is None:
        with read_only(engine) as conn:
            page = source.fetch_page(conn, query, items.counting)
    links = _page_links(request, settings, collection, page, output)
    headers = {
        "Content-Crs": crs.header,
        "Cache-Control": cache_control(settings, collection, query),
    }
    paging = [
        f'<{item["href"]}>; rel="{item["rel"]}"' for item in links if item["rel"] in PAGING
    ]
    if paging:
        headers["Link"] = ", ".join(paging)
    time_stamp = rfc3339(datetime.now(UTC))
    if page.texts is not None:
        body, headers["ETag"] = geojson_text.feature_collection(
            page.texts, page.number_matched, time_stamp, links, output.media_type
        )
        return Response(body, media_type=output.media_type, headers=headers)
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
    document["timeStamp"] = time_stamp
    document["links"] = links
    if output is HTML:
        extent = catalogue.extent(engine, collection).bbox
        text = items_page(document, _summary(collection), extent, html_page_url(request, settings))
        return html_response(text, headers)
    return _json_response(request, settings, catalogue, _registry(request), collection, source,
                          document, output, headers)


async def get_item(
    request: Request, collection_id: CollectionIdPath, feature_id: FeatureIdPath
) -> Response:
    """One feature by its id, in the requested CRS and format.

    Runs on the event loop: GeoJSON on PostGIS is read through :mod:`api.pg_reads` and written
    by PostgreSQL; the other formats and backends read in the thread pool as before.
    """
    settings, engine, catalogue = _state(request)
    collection = catalogue.get(collection_id)
    given = _single(request)
    output = negotiate(given.get("f"), request.headers.get("accept"), FEATURE_FORMATS)
    crs = parse_crs(given["crs"], "crs") if "crs" in given else CRS84
    if output is HTML:
        crs = CRS84  # the page's map is drawn from lon/lat
    source = FeatureSource(
        collection,
        postgres=is_postgres(engine),
        crs=crs,
        geometry_form="shapely" if output is CSV else "geojson",
        select=parse_names(given["properties"], "properties") if "properties" in given else None,
        skip_geometry=parse_boolean(given.get("skipGeometry", "false"), "skipGeometry"),
        text=output in TEXT_FORMATS,
    )
    headers = {
        "Content-Crs": crs.header,
        "Cache-Control": f"public, max-age={max_age(settings, collection)}",
    }
    if source.text:
        text = await _feature_text(request, engine, source, feature_id)
        links = _feature_links(request, settings, collection, feature_id, given, output)
        body, headers["ETag"] = geojson_text.feature(text, links, output.media_type)
        return Response(body, media_type=output.media_type, headers=headers)
    feature = await run_in_threadpool(_read_feature, engine, source, feature_id)
    if output is CSV:
        mode = encoders.csv_geometry_mode(given.get("csv-geometry"))
        body = encoders.csv_bytes(
            [feature], source.properties, crs, mode=mode, with_geometry=not source.skip_geometry
        )
        return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
    feature["links"] = _feature_links(request, settings, collection, feature_id, given, output)
    if output is HTML:
        text = item_page(feature, _summary(collection), html_page_url(request, settings))
        return html_response(text, headers)
    return _json_response(request, settings, catalogue, _registry(request), collection, source,
                          feature, output, headers)


#: The formats whose features PostgreSQL may write as text: the same GeoJSON document.
TEXT_FORMATS = (GEOJSON, JSON_FORMAT)


def _state(request: Request) -> tuple[ApiSettings, Engine, Catalogue]:
    """What the lifespan put in ``app.state``, read directly (see :mod:`api.dependencies`)."""
    state = request.app.state
    return state.settings, state.engine, state.catalogue


def _registry(request: Request) -> Registry:
    return cast(Registry, request.app.state.registry)


async def _feature_text(
    request: Request, engine: Engine, source: FeatureSource, feature_id: str
) -> str:
    """The feature's text from the event loop where the fast reads serve it, else a thread."""
    reads: AsyncReads | None = getattr(request.app.state, "reads", None)
    if reads is None or not source.plain_id(engine.dialect):
        return await run_in_threadpool(_read_feature_text, engine, source, feature_id)
    sql, params = source.by_id_sql(engine.dialect)
    row = await reads.fetch_one(sql, {**params, FEATURE_ID: feature_id})
    if row is None:
        raise source.not_found(feature_id)
    return str(row[1])


def _read_feature(engine: Engine, source: FeatureSource, feature_id: str) -> dict[str, Any]:
    with read_only(engine) as conn:
        return source.fetch_feature(conn, feature_id)


def _read_feature_text(engine: Engine, source: FeatureSource, feature_id: str) -> str:
    with read_only(engine) as conn:
        return source.fetch_feature_text(conn, feature_id)


def _json_response(
    request: Request,
    settings: ApiSettings,
    catalogue: Catalogue,
    registry: Registry,
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


def cache_control(settings: ApiSettings, collection: Collection, query: ItemsQuery) -> str:
    """Live data for as long as it does not change; a window that closed long ago, for long."""
    end = query.time.end if query.time is not None else None
    return window_cache_control(settings, collection, end)


def _summary(collection: Collection) -> dict[str, Any]:
    return {"id": collection.id, "title": collection.title}


def _feature_links(
    request: Request,
    settings: ApiSettings,
    collection: Collection,
    feature_id: str,
    given: dict[str, str],
    output: Format,
) -> list[dict[str, Any]]:
    """self, the feature in the other formats, its collection and, if it has one, its history."""
    item = ("collections", collection.id, "items", feature_id)
    links = [
        link(href(request, settings, *item, query=list(given.items())), "self",
             output.media_type),
        *alternate_links(request, settings, item, FEATURE_FORMATS, output),
        link(href(request, settings, *item[:2]), "collection", JSON, collection.title),
    ]
    if collection.history is not None:
        for fmt in (JSON_FORMAT, CSV):
            query = [("interval", "1h")] + ([("f", fmt.key)] if fmt is CSV else [])
            links.append(link(href(request, settings, *item, "history", query=query), "related",
                              fmt.media_type, f"History: hourly means of the last 7 days "
                              f"({label(fmt)})"))
    return links


#: The links that also go into the ``Link`` header.
PAGING = ("next", "prev")


def _page_links(
    request: Request,
    settings: ApiSettings,
    collection: Collection,
    page: FeaturePage,
    output: Format,
) -> list[dict[str, Any]]:
    """self, alternates, collection, and next/prev that keep every other query parameter."""
    items = ("collections", collection.id, "items")
    given = request.query_params.multi_items()
    media_type = output.media_type
    links = [
        link(href(request, settings, *items, query=given), "self", media_type),
        *alternate_links(request, settings, items, FEATURE_FORMATS, output),
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
                "text/html": {"schema": {"type": "string"}},
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

