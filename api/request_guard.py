"""Refuse requests whose path or query holds a NUL character, before any route sees them.

No id, name, filter or date contains U+0000, and PostgreSQL cannot even compare a text with
one (the driver raises, which would surface as a 500): such a request is a client error, a
400 problem on every backend alike.
"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import problem


class RejectNulCharacters:
    """An ASGI middleware answering 400 to a request with ``%00`` (or a raw NUL) in its URL."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _has_nul(scope):
            response = problem(
                HTTPStatus.BAD_REQUEST,
                "the request URL contains a NUL character (%00), which no parameter allows",
                instance=scope["path"].replace("\x00", "%00"),
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _has_nul(scope: Scope) -> bool:
    path: str = scope["path"]
    query: bytes = scope.get("query_string", b"")
    return "\x00" in path or b"\x00" in unquote_to_bytes(query)
