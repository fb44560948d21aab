"""The landing page (``/``) and the conformance declaration (``/conformance``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.dependencies import SettingsDep
from api.links import href, licence_link, link
from api.responses import HTML, JSON, OPENAPI_JSON, problem_responses

CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
)


def landing(request: Request, settings: SettingsDep) -> JSONResponse:
    """The API's entry point: what it is and where its parts are."""
    return JSONResponse(
        {
            "title": settings.title,
            "description": (
                "Harmonised open data of Flemish cities (parking, accessibility, crowding) "
                "as OGC API - Features."
            ),
            "links": [
                link(href(request, settings), "self", JSON, "This document"),
                link(
                    href(request, settings, "openapi.json"),
                    "service-desc",
                    OPENAPI_JSON,
                    "The API definition (OpenAPI 3.0)",
                ),
                link(href(request, settings, "docs"), "service-doc", HTML, "The API documentation"),
                link(
                    href(request, settings, "conformance"),
                    "conformance",
                    JSON,
                    "The conformance classes the API implements",
                ),
                link(
                    href(request, settings, "collections"),
                    "data",
                    JSON,
                    "The collections of features",
                ),
                licence_link(settings.licence),
            ],
        }
    )


def conformance() -> JSONResponse:
    """The OGC conformance classes this API implements."""
    return JSONResponse({"conformsTo": list(CONFORMANCE)})


def router() -> APIRouter:
    routes = APIRouter(tags=["Capabilities"], responses=problem_responses())
    routes.add_api_route(
        "/",
        landing,
        methods=["GET"],
        summary="Landing page",
        operation_id="getLandingPage",
        response_class=JSONResponse,
    )
    routes.add_api_route(
        "/conformance",
        conformance,
        methods=["GET"],
        summary="Conformance classes",
        operation_id="getConformanceDeclaration",
        response_class=JSONResponse,
    )
    return routes
