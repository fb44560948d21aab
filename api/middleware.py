"""CORS and gzip as pure ASGI middleware that cost next to nothing when they have nothing to do.

Starlette's ``CORSMiddleware`` and ``GZipMiddleware`` build header objects and wrap ``send``
on every request, even one without an ``Origin`` that will not be compressed: on the cheapest
requests (a feature by id) that was a tenth of the server's time. Behaviour stays theirs:

- :class:`OpenCors` answers preflights with Starlette's own middleware and, on every other
  response, writes the headers Starlette writes for "any origin, no credentials":
  ``Access-Control-Allow-Origin: *`` and the exposed headers when the request has an
  ``Origin``, else ``Origin`` added to ``Vary``. It touches raw header lists only.
- :class:`GzipWhenAccepted` hands a request to Starlette's gzip only when its
  ``Accept-Encoding`` names gzip; any other passes straight through (their ``Vary`` already
  names ``Accept-Encoding``, see :mod:`api.http_cache`).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

RawHeaders = list[tuple[bytes, bytes]]


class OpenCors:
    """GET (and HEAD, OPTIONS) from any origin, without credentials."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        allow_methods: Sequence[str],
        allow_headers: Sequence[str],
        expose_headers: Sequence[str],
        max_age: int,
    ) -> None:
        self.app = app
        self.preflight = CORSMiddleware(
            app, allow_origins=["*"], allow_methods=allow_methods, allow_headers=allow_headers,
            expose_headers=expose_headers, max_age=max_age,
        )
        self.cross_origin: RawHeaders = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-expose-headers", ", ".join(expose_headers).encode("latin-1")),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = False
        requested_method = False
        for name, _ in scope["headers"]:
            if name == b"origin":
                origin = True
            elif name == b"access-control-request-method":
                requested_method = True
        if origin and requested_method and scope["method"] == "OPTIONS":
            await self.preflight(scope, receive, send)
            return
        added = self.cross_origin

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: RawHeaders = list(message.get("headers", ()))
                if origin:
                    names = {name for name, _ in added}
                    headers = [(k, v) for k, v in headers if k.lower() not in names] + added
                else:
                    headers = with_vary(headers, b"Origin")
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cors)


def with_vary(headers: RawHeaders, name: bytes) -> RawHeaders:
    """``name`` appended to the ``Vary`` values, all in one header (as Starlette writes it)."""
    values = [value for key, value in headers if key.lower() == b"vary"]
    kept = [(key, value) for key, value in headers if key.lower() != b"vary"] if values else headers
    return [*kept, (b"vary", b", ".join([*values, name]))]


class GzipWhenAccepted:
    """Starlette's gzip for requests that accept it; the others skip it entirely."""

    def __init__(
        self, app: ASGIApp, *, minimum_size: int, exclude_content_types: tuple[str, ...]
    ) -> None:
        self.app = app
        self.gzip = GZipMiddleware(
            app, minimum_size=minimum_size, exclude_content_types=exclude_content_types
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"accept-encoding" and b"gzip" in value:
                    await self.gzip(scope, receive, send)
                    return
        await self.app(scope, receive, send)
