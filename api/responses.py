"""Media types, response classes and the OpenAPI description of problem responses."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

JSON = "application/json"
GEOJSON = "application/geo+json"
PROBLEM_JSON = "application/problem+json"
SCHEMA_JSON = "application/schema+json"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
HTML = "text/html"


#: The 200 response of a metadata resource: JSON, or HTML for browsers and ``f=html``.
JSON_OR_HTML: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The resource, as JSON or as an HTML page.",
        "content": {JSON: {"schema": {"type": "object"}}, HTML: {"schema": {"type": "string"}}},
    }
}


class GeoJSONResponse(JSONResponse):
    media_type = GEOJSON


class SchemaJSONResponse(JSONResponse):
    media_type = SCHEMA_JSON


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


#: RFC 9457 problem details, as a JSON Schema valid in OpenAPI 3.0 (no ``null`` types).
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference", "default": "about:blank"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string", "format": "uri-reference"},
        "parameter": {"type": "string", "description": "the request parameter at fault"},
    },
}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}


_DESCRIPTIONS = {
    400: "A query parameter is invalid; `parameter` names it.",
    401: "The request writes data and needs a valid API key (`X-API-Key` or Bearer).",
    403: "The API key is valid but may not do this (another city's or supplier's source).",
    404: "The resource does not exist.",
    406: "The Accept header names no format this resource is served in.",
    409: "The request clashes with what exists (an id taken, a delivery the source refuses).",
    413: "The body is larger than the configured limit.",
    415: "The body is not in a media type this endpoint takes.",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for ``statuses`` plus ``default``, all problem details.

    Declaring ``default`` also keeps FastAPI from documenting a 422 response that this API
    never sends (request validation errors are 400 problems).
    """
    responses: dict[int | str, dict[str, Any]] = {
        status: _problem(_DESCRIPTIONS[status]) for status in statuses
    }
    responses["default"] = _problem("Any other error, as RFC 9457 problem details.")
    return responses
