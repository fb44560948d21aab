"""``/collections/{collectionId}/items/{featureId}/history``: a feature's time series.

Available for collections whose pilot declares a :class:`core.pilot.HistorySpec`; bucketing
and aggregation are in :mod:`api.history`. JSON (default) or CSV, by ``f`` or ``Accept``.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from sqlalchemy.engine import Connection

from api import encoders
from api.cache_policy import window_cache_control
from api.dependencies import CatalogueDep, CollectionDep, EngineDep, FeatureIdPath, SettingsDep
from api.features import json_value, rfc3339
from api.formats import CSV, JSON, Format, negotiate
from api.history import (
    AGGREGATIONS,
    DEFAULT_AGGREGATION,
    DEFAULT_INTERVAL,
    INTERVALS,
    MAX_BUCKETS,
    HistoryQuery,
    fetch_history,
    parse_history_query,
)
from api.links import href, link
from api.responses import GEOJSON, problem_responses
from core.db import is_postgres
from core.errors import NotFound
from core.pilot import Collection, HistorySpec
from core.settings import ApiSettings

HISTORY_FORMATS = (JSON, CSV)


def get_history(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    catalogue: CatalogueDep,
    collection: CollectionDep,
    feature_id: FeatureIdPath,
) -> Response:
    """The feature's observations bucketed by ``interval`` and aggregated by ``agg``."""
    spec = collection.history
    if spec is None:
        with_history = ", ".join(c.id for c in catalogue if c.history is not None) or "none"
        raise NotFound(
            f"the collection '{collection.id}' has no history; collections with a history: "
            f"{with_history}"
        )
    query = parse_history_query(request.query_params.multi_items(), datetime.now(UTC))
    output = negotiate(query.format, request.headers.get("accept"), HISTORY_FORMATS)
    postgres = is_postgres(engine)
    with engine.connect() as conn:
        _ensure_feature(conn, collection, feature_id)
        series = fetch_history(conn, spec, feature_id, query, postgres=postgres)
    headers = {"Cache-Control": window_cache_control(settings, collection, query.end)}
    if output is CSV:
        body = history_csv(spec, series)
        return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
    document = {
        "collection": collection.id,
        "featureId": feature_id,
        "datetime": query.datetime_text,
        "interval": query.interval,
        "agg": query.aggregation,
        "measures": list(spec.measures),
        "seriesColumns": list(spec.series_columns),
        "series": [_json_series(item) for item in series],
        "links": _links(request, settings, collection, feature_id, query, output),
    }
    return Response(encoders.json_bytes(document), media_type=JSON.media_type, headers=headers)


def _ensure_feature(conn: Connection, collection: Collection, feature_id: str) -> None:
    items = collection.query().subquery("items")
    exists = sa.select(sa.literal(1)).where(items.c[collection.id_column] == feature_id).limit(1)
    if conn.execute(exists).first() is None:
        raise NotFound(f"the collection '{collection.id}' has no feature '{feature_id}'")


def _json_series(series: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": {name: json_value(value) for name, value in series["key"].items()},
        "buckets": [
            {
                "start": rfc3339(bucket["start"]),
                "end": rfc3339(bucket["end"]),
                "observations": bucket["observations"],
                "values": {name: json_value(v) for name, v in bucket["values"].items()},
            }
            for bucket in series["buckets"]
        ],
    }


def history_csv(spec: HistorySpec, series: list[dict[str, Any]]) -> bytes:
    """One row per series and bucket: series columns, start, end, observations, measures."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*spec.series_columns, "start", "end", "observations", *spec.measures])
    for item in series:
        key = [_cell(item["key"][name]) for name in spec.series_columns]
        for bucket in item["buckets"]:
            values = [_cell(bucket["values"][name]) for name in spec.measures]
            times = [rfc3339(bucket["start"]), rfc3339(bucket["end"])]
            writer.writerow([*key, *times, bucket["observations"], *values])
    return buffer.getvalue().encode("utf-8")


def _cell(value: Any) -> Any:
    value = json_value(value)
    return "" if value is None else value


def _links(
    request: Request,
    settings: ApiSettings,
    collection: Collection,
    feature_id: str,
    query: HistoryQuery,
    output: Format,
) -> list[dict[str, Any]]:
    """self and the CSV alternate, the windows before and after, the feature, the collection."""
    path = ("collections", collection.id, "items", feature_id, "history")
    given = [(k, v) for k, v in request.query_params.multi_items() if k not in ("f", "datetime")]
    window = [*given, ("datetime", query.datetime_text)]
    links = [link(href(request, settings, *path, query=window), "self", output.media_type)]
    for other in HISTORY_FORMATS:
        if other is not output:
            alternate = [*window, ("f", other.key)]
            links.append(link(href(request, settings, *path, query=alternate), "alternate",
                              other.media_type, f"This history as {other.key.upper()}"))
    span = query.end - query.start
    neighbours = [("prev", query.start - span, "The window before")]
    if query.end < datetime.now(UTC):
        neighbours.append(("next", query.end, "The window after"))
    for rel, start, title in neighbours:
        moved = [*given, ("datetime", _interval(start, start + span))]
        if output is not JSON:
            moved.append(("f", output.key))
        links.append(link(href(request, settings, *path, query=moved), rel, output.media_type,
                          title))
    links.append(link(href(request, settings, *path[:4]), "related", GEOJSON, "The feature"))
    links.append(link(href(request, settings, *path[:2]), "collection", JSON.media_type,
                      collection.title))
    return links


def _interval(start: datetime, end: datetime) -> str:
    return f"{rfc3339(start)}/{rfc3339(end)}"


def _parameters() -> list[dict[str, Any]]:
    def query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "description": description,
                "schema": schema}

    return [
        query(
            "datetime",
            "The window: an instant (its bucket), a/b or a/.. (to now), RFC 3339 with a zone. "
            "Widened to whole buckets, end exclusive. Default: the last day (15m), 7 days "
            f"(1h) or 30 days (1d). At most {MAX_BUCKETS} buckets.",
            {"type": "string"},
        ),
        query("interval", "The bucket length, aligned to the UTC clock.",
              {"type": "string", "enum": list(INTERVALS), "default": DEFAULT_INTERVAL}),
        query("agg", "How the observations of a bucket are combined ('last': the newest "
              "non-null value).",
              {"type": "string", "enum": list(AGGREGATIONS), "default": DEFAULT_AGGREGATION}),
        query("f", "The format; overrides Accept.",
              {"type": "string", "enum": [f.key for f in HISTORY_FORMATS]}),
    ]


def router() -> APIRouter:
    routes = APIRouter(tags=["Data"])
    routes.add_api_route(
        "/collections/{collectionId}/items/{featureId}/history",
        get_history,
        methods=["GET"],
        summary="The time series of one feature",
        operation_id="getFeatureHistory",
        response_class=Response,
        responses={
            200: {
                "description": "Buckets of the window, per series, with the aggregated measures.",
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            },
            **problem_responses(400, 404, 406),
        },
        openapi_extra={"parameters": _parameters()},
    )
    return routes
