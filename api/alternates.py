"""``alternate`` links: the same resource in each other format it is served in (``f=``).

OGC API - Features asks every response to link to its other representations; the HTML pages
show the same links, so a browser user and a client see one set of resources.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request

from api.formats import Format
from api.links import href, link
from core.settings import ApiSettings

#: How a format is called in a link title.
LABELS = {
    "geojson": "GeoJSON",
    "json": "JSON",
    "csv": "CSV",
    "jsonld": "JSON-LD",
    "html": "HTML",
    "flatgeobuf": "FlatGeobuf",
    "geoparquet": "GeoParquet",
}


def label(output: Format) -> str:
    return LABELS.get(output.key, output.key)


def with_format(
    request: Request, settings: ApiSettings, segments: Sequence[str], output: Format
) -> str:
    """The URL of ``segments`` with the request's query parameters and ``f`` set to ``output``."""
    kept = [(key, value) for key, value in request.query_params.multi_items() if key != "f"]
    return href(request, settings, *segments, query=[*kept, ("f", output.key)])


def alternate_links(
    request: Request,
    settings: ApiSettings,
    segments: Sequence[str],
    offered: Sequence[Format],
    current: Format,
) -> list[dict[str, Any]]:
    """One ``alternate`` link per offered format other than ``current``."""
    return [
        link(
            with_format(request, settings, segments, output),
            "alternate",
            output.media_type,
            f"This document as {label(output)}",
        )
        for output in offered
        if output is not current
    ]


def self_link(
    request: Request,
    settings: ApiSettings,
    segments: Sequence[str],
    offered: Sequence[Format],
    current: Format,
    title: str | None = None,
) -> dict[str, Any]:
    """``self`` in the format being served: the plain URL for the default format, else with
    ``f``, so following it gives this format whatever the client's ``Accept`` says."""
    query = [] if current is offered[0] else [("f", current.key)]
    return link(href(request, settings, *segments, query=query), "self", current.media_type, title)


def html_page_url(request: Request, settings: ApiSettings) -> Callable[..., str]:
    """Builds the URL of an HTML page of the API from path segments (``f=html``)."""

    def url(*segments: str) -> str:
        return href(request, settings, *segments, query=[("f", "html")])

    return url
