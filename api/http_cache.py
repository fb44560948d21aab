"""HTTP validators for every successful GET: ``ETag``, ``Last-Modified`` and ``304`` answers.

A pure ASGI middleware, so it sees the exact bytes each route sends whatever its format. The
ETag is a weak validator over the body and its media type (weak, because gzip may re-encode
the bytes on the way out). ``Last-Modified`` is the first time this process served the current
representation of the URL (per ``Accept``): the data behind a page has no single modification
time, but the moment its bytes last changed is known exactly here. The memory of those moments
is a bounded LRU, so after a restart or eviction a representation counts as modified "now",
which only costs a client one full response. ``If-None-Match`` wins over
``If-Modified-Since``, as RFC 9110 requires. A route may set its own ETag (feature pages do,
leaving out their ``timeStamp``, which changes on every request but not what the page says),
and its body then streams through unbuffered (downloads of any size).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from threading import Lock

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: How many URLs' modification times are remembered.
REMEMBERED = 4096


class FirstSeen:
    """URL + Accept → (ETag, when this process first served it), least recently used out."""

    def __init__(self, size: int = REMEMBERED) -> None:
        self._seen: OrderedDict[str, tuple[str, datetime]] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def modified(self, key: str, etag: str) -> datetime:
        now = datetime.now(UTC).replace(microsecond=0)
        with self._lock:
            known = self._seen.get(key)
            if known is None or known[0] != etag:
                known = (etag, now)
            self._seen[key] = known
            self._seen.move_to_end(key)
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)
            return known[1]


class ConditionalGetMiddleware:
    """Adds validators and a default Cache-Control to 200 GETs; answers 304 when they match.

    Works on the raw header lists: building header objects for every response cost more
    than the rest of this middleware on small responses.
    """

    def __init__(self, app: ASGIApp, default_max_age: int = 60) -> None:
        self.app = app
        self.default_max_age = default_max_age
        self.default_cache_control = f"public, max-age={default_max_age}".encode("latin-1")
        self.first_seen = FirstSeen()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        streaming = False  # the route set its own ETag: its body passes through unbuffered
        dropping = False  # answered 304: the rest of the body goes nowhere

        async def buffer(message: Message) -> None:
            nonlocal start, streaming, dropping
            if message["type"] == "http.response.start":
                start = message
                etag = _header(message["headers"], b"etag")
                if message["status"] == 200 and etag is not None:
                    streaming = True
                    dropping = await self._start(scope, message, etag, send)
                return
            if message["type"] == "http.response.body":
                if streaming:
                    if not dropping:
                        await send(message)
                    return
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    assert start is not None
                    await self._finish(scope, start, b"".join(chunks), send)
                return
            await send(message)

        await self.app(scope, receive, buffer)

    async def _finish(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        if start["status"] != 200:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        raw = start["headers"]
        etag = _header(raw, b"etag") or _etag(body, _header(raw, b"content-type") or "")
        if not await self._start(scope, start, etag, send):
            await send({"type": "http.response.body", "body": body})

    async def _start(self, scope: Scope, start: Message, etag: str, send: Send) -> bool:
        """Send the response start with validators, or a whole 304; True when it was a 304.

        Needs only the ETag, so a route that computes its own (a download, hashed as it was
        written) can stream a body of any size through.
        """
        request = _request_headers(scope["headers"])
        url = scope["path"] + "?" + scope.get("query_string", b"").decode("latin-1")
        modified = self.first_seen.modified(f"{url} {request.get(b'accept', '')}", etag)
        headers = [(k, v) for k, v in start["headers"] if k.lower() not in _REPLACED]
        headers += [(b"etag", etag.encode("latin-1")),
                    (b"last-modified", _http_date(modified))]
        if not any(k.lower() == b"cache-control" for k, _ in headers):
            headers.append((b"cache-control", self.default_cache_control))
        headers.append((b"vary", b"Accept, Accept-Encoding"))
        if _not_modified(request, etag, modified):
            kept = [(k, v) for k, v in headers if k.lower() in _KEPT_IN_304]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return True
        await send({**start, "headers": headers})
        return False


#: Response headers this middleware writes itself, and those a 304 keeps.
_REPLACED = frozenset((b"etag", b"last-modified", b"vary"))
_KEPT_IN_304 = frozenset(
    (b"etag", b"last-modified", b"cache-control", b"vary", b"content-crs", b"link")
)
#: The request headers the validators read.
_CONDITIONAL = frozenset((b"accept", b"if-none-match", b"if-modified-since"))


def _header(raw: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in raw:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _request_headers(raw: list[tuple[bytes, bytes]]) -> dict[bytes, str]:
    """The first value of each header the validators read (ASGI names are lower case)."""
    found: dict[bytes, str] = {}
    for key, value in raw:
        if key in _CONDITIONAL and key not in found:
            found[key] = value.decode("latin-1")
    return found


@lru_cache(maxsize=64)
def _http_date(moment: datetime) -> bytes:
    """An IMF-fixdate; the same few seconds recur on every response, so they are remembered."""
    return format_datetime(moment, usegmt=True).encode("latin-1")


def _etag(body: bytes, media_type: str) -> str:
    digest = hashlib.blake2b(body, digest_size=16)
    digest.update(media_type.encode())
    return f'W/"{digest.hexdigest()}"'


def _not_modified(request: dict[bytes, str], etag: str, modified: datetime) -> bool:
    if_none_match = request.get(b"if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    if_modified_since = request.get(b"if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as RFC 9110 says
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return modified <= since
