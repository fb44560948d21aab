"""The landing page (``/``) and the conformance declaration (``/conformance``)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from api.alternates import alternate_links, html_page_url, self_link
from api.dependencies import SettingsDep
from api.formats import HTML as HTML_FORMAT
from api.formats import METADATA_FORMATS, negotiate_metadata
from api.links import href, licence_link, link
from api.pages.layout import html_response
from api.pages.resources import conformance_page, landing_page
from api.responses import HTML, JSON, JSON_OR_HTML, OPENAPI_JSON, problem_responses

#: OGC link relation of machine-readable metadata about the data: here the DCAT-AP catalogue.
DATA_META = "http://www.opengis.net/def/rel/ogc/1.0/data-meta"
_FEATURES = "http://www.opengis.net/spec/ogcapi-features-{part}/1.0/conf/{name}"
_CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/{name}"
#: What the API implements: Part 1, Part 2, Part 3 and the CQL2 classes whose every function
#: is supported (S_DWITHIN is an extra, outside any class).
CONFORMANCE = (
    *(_FEATURES.format(part=1, name=name) for name in ("core", "geojson", "html", "oas30")),
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


def landing(request: Request, settings: SettingsDep) -> Response:
    """The API's entry point: what it is and where its parts are."""
    output = negotiate_metadata(request.query_params.get("f"), request.headers.get("accept"))
    here: tuple[str, ...] = ()
    document = {
        "title": settings.title,
        "description": (
            "Harmonised open data of Flemish cities (parking, accessibility, crowding) "
            "as OGC API - Features."
        ),
        "links": [
            self_link(request, settings, here, METADATA_FORMATS, output, "This document"),
            *alternate_links(request, settings, here, METADATA_FORMATS, output),
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
    if output is HTML_FORMAT:
        return html_response(landing_page(document, html_page_url(request, settings)))
    return JSONResponse(document)


def conformance(request: Request, settings: SettingsDep) -> Response:
    """The OGC conformance classes this API implements."""
    output = negotiate_metadata(request.query_params.get("f"), request.headers.get("accept"))
    here = ("conformance",)
    document = {
        "conformsTo": list(CONFORMANCE),
        "links": [
            self_link(request, settings, here, METADATA_FORMATS, output),
            *alternate_links(request, settings, here, METADATA_FORMATS, output),
        ],
    }
    if output is HTML_FORMAT:
        return html_response(conformance_page(document, html_page_url(request, settings)))
    return JSONResponse(document)


def router() -> APIRouter:
    routes = APIRouter(tags=["Capabilities"], responses=problem_responses())
    routes.add_api_route(
        "/",
        landing,
        methods=["GET"],
        summary="Landing page",
        operation_id="getLandingPage",
        response_class=JSONResponse,
        responses=JSON_OR_HTML,
    )
    routes.add_api_route(
        "/conformance",
        conformance,
        methods=["GET"],
        summary="Conformance classes",
        operation_id="getConformanceDeclaration",
        response_class=JSONResponse,
        responses=JSON_OR_HTML,
    )
    return routes
