"""The two busiest routes dispatched without FastAPI's router: a collection's items, one item.

With the rest of a one-feature request made cheap, FastAPI's share dominated the profile:
matching the path against every route of every included router, then resolving the route's
parameters, about a fifth of the server's CPU for that request. This innermost middleware
recognises ``GET``/``HEAD`` on ``/collections/{collectionId}/items`` and
``/collections/{collectionId}/items/{featureId}`` and calls the very endpoint functions the
routes are registered with (:mod:`api.routes.items`), in the same way. The routes stay
registered, so OpenAPI is unchanged, and anything else (another method, a trailing slash, any
other path) goes on to the router. Domain errors become problems through the same handler
the app registers; anything unexpected propagates to the app's 500 handler as before.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import domain_error
from api.routes.items import get_item, get_items
from core.errors import StadspulsError

#: What Starlette's ``{name}`` matches: one non-empty path segment (already percent-decoded).
_ITEMS = re.compile(r"/collections/([^/]+)/items(?:/([^/]+))?")


class HotRoutes:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            match = _ITEMS.fullmatch(route_path(scope))
            if match is not None:
                collection_id, feature_id = match.groups()
                request = Request(scope, receive)
                response = await _respond(request, collection_id, feature_id)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _respond(request: Request, collection_id: str, feature_id: str | None) -> Response:
    try:
        if feature_id is None:
            return await get_items(request, collection_id)
        return await get_item(request, collection_id, feature_id)
    except StadspulsError as error:
        return await domain_error(request, error)


def route_path(scope: Scope) -> str:
    """The path below the app's ``root_path``, as Starlette's router matches it."""
    path: str = scope["path"]
    root = scope.get("root_path", "")
    if root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        return path[len(root):]
    return path
