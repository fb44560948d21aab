"""The DCAT-AP catalogue, ``/catalog``: JSON-LD (default) or Turtle, by ``f`` or ``Accept``."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api import encoders
from api.dcat.document import catalog_document
from api.dcat.facts import gather
from api.dcat.turtle import to_turtle
from api.dependencies import CatalogueDep, EngineDep, RegistryDep, SettingsDep
from api.formats import JSONLD, Format, negotiate
from api.links import base_url
from api.responses import problem_responses
from core.errors import InvalidParameter
from core.settings import CatalogSettings

TURTLE = Format("ttl", "text/turtle")
CATALOG_FORMATS = (JSONLD, TURTLE)


def catalog_settings(request: Request) -> CatalogSettings:
    """The app's catalogue settings (``app.state.catalog_settings``), else the environment's."""
    settings = getattr(request.app.state, "catalog_settings", None)
    if settings is None:
        settings = CatalogSettings()
        request.app.state.catalog_settings = settings
    return cast(CatalogSettings, settings)


CatalogSettingsDep = Annotated[CatalogSettings, Depends(catalog_settings)]


def get_catalog(
    request: Request,
    settings: SettingsDep,
    catalog: CatalogSettingsDep,
    catalogue: CatalogueDep,
    registry: RegistryDep,
    engine: EngineDep,
    f: Annotated[
        str | None,
        Query(description="The format: `jsonld` (JSON-LD, the default) or `ttl` (Turtle)."),
    ] = None,
) -> Response:
    """Every collection as a DCAT-AP dataset, with its distributions and the API as a service."""
    for key, _ in request.query_params.multi_items():
        if key != "f":
            raise InvalidParameter(key, "unknown query parameter; this endpoint takes f")
    output = negotiate(f, request.headers.get("accept"), CATALOG_FORMATS)
    datasets = gather(catalogue, registry, engine, catalog.catalog_licences)
    document = catalog_document(base_url(request, settings), settings, catalog, datasets)
    if output is TURTLE:
        return Response(to_turtle(document), media_type=f"{TURTLE.media_type}; charset=utf-8")
    return Response(encoders.json_bytes(document), media_type=JSONLD.media_type)


def _responses() -> dict[int | str, dict[str, Any]]:
    responses = problem_responses(400, 406)
    responses[200] = {
        "description": "The DCAT-AP catalogue.",
        "content": {
            JSONLD.media_type: {"schema": {"type": "object"}},
            TURTLE.media_type: {"schema": {"type": "string"}},
        },
    }
    return responses


def router() -> APIRouter:
    routes = APIRouter(tags=["Capabilities"])
    routes.add_api_route(
        "/catalog",
        get_catalog,
        methods=["GET"],
        summary="The DCAT-AP catalogue of the collections",
        operation_id="getCatalog",
        response_class=Response,
        responses=_responses(),
    )
    return routes
