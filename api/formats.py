"""Content negotiation for features: ``f=`` first, then the ``Accept`` header.

Items and single features come as GeoJSON (the default), plain JSON (the same document as
``application/json``), CSV, JSON-LD and HTML. ``f`` names a format; without it the best match of
``Accept`` (with q-values) is served, and an ``Accept`` none of them satisfies is a 406.
Metadata resources (landing page, conformance, collections, queryables) are JSON or HTML and
lenient: an ``Accept`` they cannot satisfy still gets JSON, as before HTML existed.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import InvalidParameter, StadspulsError


class NotAcceptable(StadspulsError):
    """The Accept header names no format the resource has."""


@dataclass(frozen=True)
class Format:
    key: str  # the value of f=
    media_type: str


GEOJSON = Format("geojson", "application/geo+json")
JSON = Format("json", "application/json")
CSV = Format("csv", "text/csv")
JSONLD = Format("jsonld", "application/ld+json")
HTML = Format("html", "text/html")
FEATURE_FORMATS = (GEOJSON, JSON, CSV, JSONLD, HTML)
METADATA_FORMATS = (JSON, HTML)


def negotiate(f: str | None, accept: str | None, offered: tuple[Format, ...]) -> Format:
    """The format to answer with: ``f`` when given, else the best of ``accept``."""
    if f is not None:
        for candidate in offered:
            if candidate.key == f.strip().lower():
                return candidate
        keys = ", ".join(candidate.key for candidate in offered)
        raise InvalidParameter("f", f"unknown format '{f}'; use one of {keys}")
    if not accept or not accept.strip():
        return offered[0]
    best: tuple[float, int, Format] | None = None
    for order, (media_range, quality) in enumerate(_ranges(accept)):
        if quality <= 0:
            continue
        for candidate in offered:
            if _matches(media_range, candidate.media_type):
                # prefer higher q, then the client's order, then ours (default first)
                rank = (quality, -order, candidate)
                if best is None or (rank[0], rank[1]) > (best[0], best[1]):
                    best = rank
                break
    if best is None:
        types = ", ".join(candidate.media_type for candidate in offered)
        raise NotAcceptable(f"none of the accepted media types is served here; offered: {types}")
    return best[2]


def negotiate_metadata(f: str | None, accept: str | None) -> Format:
    """JSON or HTML for a metadata resource: ``f`` if given (else a 400), else ``Accept``,
    falling back to JSON where ``Accept`` names neither (``application/schema+json``...)."""
    try:
        return negotiate(f, accept, METADATA_FORMATS)
    except NotAcceptable:
        return JSON


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        pieces = [piece.strip() for piece in part.split(";")]
        media_range, quality = pieces[0].lower(), 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_range:
            ranges.append((media_range, quality))
    return ranges


def _matches(media_range: str, media_type: str) -> bool:
    if media_range in ("*/*", "*"):
        return True
    kind, _, subtype = media_range.partition("/")
    if subtype == "*":
        return media_type.startswith(kind + "/")
    return media_range == media_type
