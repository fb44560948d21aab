"""The OpenAPI document in version 3.0: FastAPI writes 3.1 constructs that 3.0 lacks.

Pydantic models with optional fields produce ``anyOf: [X, {"type": "null"}]`` (3.1 / JSON
Schema 2020-12); OpenAPI 3.0 says ``X`` with ``nullable: true``. The OGC "oas30" conformance
class, and the clients that read it, need 3.0.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi


def as_openapi_30(node: Any) -> Any:
    """A copy of ``node`` with 3.1-only schema forms rewritten to their 3.0 equivalents."""
    if isinstance(node, list):
        return [as_openapi_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: as_openapi_30(value) for key, value in node.items()}
    for combinator in ("anyOf", "oneOf"):
        options = converted.get(combinator)
        if not isinstance(options, list):
            continue
        others = [option for option in options if option != {"type": "null"}]
        if len(others) == len(options):
            continue
        converted.pop(combinator)
        if len(others) == 1:
            converted = {**others[0], **converted}
        else:
            converted[combinator] = others
        converted["nullable"] = True
    if converted.get("type") == "null":
        converted.pop("type")
        converted["nullable"] = True
    if "const" in converted:
        converted["enum"] = [converted.pop("const")]
    if "examples" in converted and isinstance(converted["examples"], list):
        examples = converted.pop("examples")
        if examples:
            converted.setdefault("example", examples[0])
    return converted


def install_openapi_30(app: FastAPI, version: str) -> None:
    """Serve the document as OpenAPI ``version`` (3.0.x), converting the schemas once."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = as_openapi_30(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
