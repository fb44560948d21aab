"""Absolute links: the base URL, href building that keeps ids readable, and link objects."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from fastapi import Request

from core.settings import ApiSettings

#: Licence ids (SPDX) with a canonical deed; others link to their SPDX page.
_LICENCES = {
    "CC0-1.0": ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0 Universal"),
    "CC-BY-4.0": ("https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0"),
}


def base_url(request: Request, settings: ApiSettings) -> str:
    """``settings.public_url`` when set (behind a proxy), else the URL the request came to.

    The latter is kept in the request's scope: a page's links ask for it a dozen times.
    """
    if settings.public_url:
        return settings.public_url.rstrip("/")
    base = request.scope.get(_BASE_URL)
    if base is None:
        base = request.scope[_BASE_URL] = str(request.base_url).rstrip("/")
    return str(base)


#: Where :func:`base_url` keeps the request's own base URL (namespaced, as ASGI asks).
_BASE_URL = "stadspuls.base_url"


def segment(value: str) -> str:
    """One path segment; ':' and '@' are legal there (RFC 3986 pchar) and kept readable."""
    return _segment(value) if len(value) <= _REMEMBERED_LENGTH else quote(value, safe=":@")


#: Links quote the same few segments and parameters (``collections``, an id, ``f``) on every
#: request, a few dozen times for a page: remembered, up to this length, instead.
_REMEMBERED_LENGTH = 256


@lru_cache(maxsize=4096)
def _segment(value: str) -> str:
    return quote(value, safe=":@")


@lru_cache(maxsize=4096)
def _query_text(value: str) -> str:
    return quote(value, safe=",:")


def _query_part(value: object) -> str:
    """As ``urlencode(..., quote_via=quote, safe=',:')`` writes a name or value."""
    if isinstance(value, bytes):
        return quote(value, safe=",:")
    text = str(value)
    return _query_text(text) if len(text) <= _REMEMBERED_LENGTH else quote(text, safe=",:")


def query_string(params: Iterable[tuple[object, object]]) -> str:
    """``name=value`` pairs joined by ``&``, the same text ``urlencode`` writes."""
    return "&".join(_query_part(name) + "=" + _query_part(value) for name, value in params)


def href(
    request: Request,
    settings: ApiSettings,
    *segments: str,
    query: Iterable[tuple[str, str]] = (),
) -> str:
    path = "".join(f"/{segment(part)}" for part in segments)
    params = list(query)
    suffix = f"?{query_string(params)}" if params else ""
    return f"{base_url(request, settings)}{path or '/'}{suffix}"


def link(href: str, rel: str, media_type: str, title: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"href": href, "rel": rel, "type": media_type}
    if title is not None:
        result["title"] = title
    return result


def licence_link(licence: str) -> dict[str, Any]:
    url, title = _LICENCES.get(licence, (f"https://spdx.org/licenses/{licence}.html", licence))
    return link(url, "license", "text/html", title)
