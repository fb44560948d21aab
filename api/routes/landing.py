"""The landing page (``/``) and the conformance declaration (``/conformance``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.dependencies import SettingsDep
from api.links import href, licence_link, link
from api.responses import HTML, JSON, OPENAPI_JSON, problem_responses

#: OGC link relation of machine-readable metadata about the data: here the DCAT-AP catalogue.
DATA_META = "http://www.opengis.net/def/rel/ogc/1.0/data-meta"
_FEATURES = "http://www.opengis.net/spec/ogcapi-features-{part}/1.0/conf/{name}"
_CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/{name}"
#: What the API implements: Part 1 (without HTML), Part 2, Part 3 and the CQL2 classes whose
#: every function is supported (S_DWITHIN is an extra, outside any class).
CONFORMANCE = (
    *(_FEATURES.format(part=1, name=name) for name in ("core", "geojson", "oas30")),
    _FEATURES.format(part=2, name="crs"),
    *(
        _FEATURES.format(part=3, name=name)
        for name in ("queryables", "queryables-query-parameters", "filter", "features-filter")
    ),
    *(
        _CQL2.format(name=name)
        for name in (
            "cql2-text",
            "cql2-json",
            "basic-cql2",
            "advanced-comparison-operators",
            "basic-spatial-functions",
            "basic-spatial-functions-plus",
            "spatial-functions",
            "temporal-functions",
        )
    ),
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
                link(
                    href(request, settings, "catalog"),
                    DATA_META,
                    "application/ld+json",
                    "The DCAT-AP catalogue of the collections (JSON-LD; Turtle with f=ttl)",
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
