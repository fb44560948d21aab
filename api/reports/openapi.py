"""The OpenAPI description of ``POST /validate``, written in the 3.0 form the API publishes.

The route reads its body and query itself (to stream the upload under a size limit), so
FastAPI cannot infer them; they are declared here. File bodies use the OpenAPI 3.0 idiom
``type: string, format: binary`` (3.1 would say ``contentMediaType``), nullable values
``nullable: true`` (3.1 would use a ``null`` type).
"""

from __future__ import annotations

from typing import Any

_TEXT = {"type": "string"}
_NULLABLE_TEXT = {"type": "string", "nullable": True}

_PROBLEM_ITEM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "origin": _TEXT,
        "position": {"type": "integer", "nullable": True},
        "rule": _TEXT,
        "term": _NULLABLE_TEXT,
        "message": _TEXT,
        "found": {"nullable": True, "description": "the value found, as given"},
        "expected": _NULLABLE_TEXT,
    },
}

#: The JSON report (:meth:`core.reports.model.ValidationReport.as_dict` of a file).
REPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["file", "pilot", "format", "records", "valid", "invalid", "problems", "rules"],
    "properties": {
        "file": _TEXT,
        "pilot": _TEXT,
        "format": {**_NULLABLE_TEXT, "description": "null when the file is too empty to tell"},
        "records": {"type": "integer"},
        "valid": {"type": "integer"},
        "invalid": {"type": "integer"},
        "problems": {"type": "array", "items": _PROBLEM_ITEM},
        "rules": {
            "type": "array",
            "description": "the problems grouped by rule, most frequent first",
            "items": {
                "type": "object",
                "properties": {
                    "rule": _TEXT,
                    "meaning": _NULLABLE_TEXT,
                    "records": {"type": "integer"},
                    "problems": {"type": "integer"},
                    "terms": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"id": _TEXT, "label": _NULLABLE_TEXT},
                        },
                    },
                    "examples": {"type": "array", "items": _PROBLEM_ITEM},
                },
            },
        },
    },
}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or _TEXT,
    }


def validate_parameters() -> list[dict[str, Any]]:
    """The query parameters; the first five may instead be text fields of a multipart form."""
    return [
        _query("pilot", "Pilot id, e.g. `parking` (required, here or as a form field)."),
        _query("format", "Format id of the file; detected from its content when omitted."),
        _query("crs", "CRS of the coordinates, e.g. `EPSG:31370` (Lambert 72)."),
        _query("timezone", "Time zone of times without offset, e.g. `Europe/Brussels`."),
        _query("source", "Source id under which references (e.g. DATEX II sites) are looked up."),
        _query("filename", "Name of a raw-body file (helps format detection and the report)."),
        _query(
            "f",
            "Report format; otherwise chosen by the Accept header (JSON by default).",
            {"type": "string", "enum": ["json", "html", "junit"]},
        ),
    ]


def validate_request_body(limit: int) -> dict[str, Any]:
    """The file as a multipart upload (part ``file``) or as the raw body."""
    binary = {"type": "string", "format": "binary"}
    return {
        "required": True,
        "description": f"The file to check, at most {limit:,} bytes.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": binary,
                        "pilot": _TEXT,
                        "format": _TEXT,
                        "crs": _TEXT,
                        "timezone": _TEXT,
                        "source": _TEXT,
                    },
                }
            },
            "application/octet-stream": {"schema": binary},
            "*/*": {"schema": binary},
        },
    }
