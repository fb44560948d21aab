"""Parsing the query parameters of OGC API - Features: bbox, datetime, limit and offset.

Every parser raises :class:`core.errors.InvalidParameter` naming the parameter, which the API
renders as a 400 problem. Parsing is independent of the web framework: it takes strings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.errors import InvalidParameter
from core.settings import ApiSettings

#: What the items endpoint understands; any other is a 400 (OGC /req/core/query-param-unknown).
ITEMS_PARAMETERS = ("bbox", "datetime", "limit", "offset")

_RFC3339 = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d+))?"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})"
)
#: A '+' left unencoded in a query string arrives as a space: "…T10:15:02 01:00".
_SPACE_OFFSET = re.compile(r"(?<=\d) (?=\d{2}:\d{2}$)")
_OPEN = ("", "..")
_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class BBox:
    minx: float
    miny: float
    maxx: float
    maxy: float


@dataclass(frozen=True)
class TimeFilter:
    """An instant (``start == end``) or an inclusive interval; ``None`` is an open end."""

    start: datetime | None
    end: datetime | None

    @property
    def is_instant(self) -> bool:
        return self.start is not None and self.start == self.end


@dataclass(frozen=True)
class Page:
    """Which slice of the id-ordered result to return.

    Only ``offset`` paging exists today; a keyset cursor (``after`` an id) will sit beside it.
    """

    limit: int
    offset: int = 0


@dataclass(frozen=True)
class ItemsQuery:
    bbox: BBox | None
    time: TimeFilter | None
    page: Page
    properties: tuple[tuple[str, Any], ...] = ()  # equality filters on queryables


def parse_bbox(value: str) -> BBox:
    """``minx,miny,maxx,maxy`` or ``minx,miny,minz,maxx,maxy,maxz`` in CRS84 (lon, lat)."""
    parts = value.split(",")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        detail = f"'{value}' is not a comma-separated list of numbers"
        raise InvalidParameter("bbox", detail) from None
    if len(numbers) not in (4, 6):
        raise InvalidParameter("bbox", f"expected 4 or 6 numbers, got {len(numbers)}")
    if not all(math.isfinite(number) for number in numbers):
        raise InvalidParameter("bbox", "numbers must be finite")
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    bbox = BBox(*numbers)
    if bbox.minx > bbox.maxx or bbox.miny > bbox.maxy:
        raise InvalidParameter("bbox", "the lower corner must not exceed the upper corner")
    if not (-180 <= bbox.minx <= bbox.maxx <= 180 and -90 <= bbox.miny <= bbox.maxy <= 90):
        raise InvalidParameter("bbox", "coordinates are longitude, latitude (CRS84) in degrees")
    return bbox


def parse_instant(value: str, parameter: str = "datetime") -> datetime:
    """An RFC 3339 date-time with a time zone (``Z`` or an offset), converted to UTC."""
    text = _SPACE_OFFSET.sub("+", value.strip())
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise InvalidParameter(
            parameter, f"'{value}' is not an RFC 3339 date-time such as 2026-11-20T09:30:00Z"
        )
    fraction = (match["fraction"] or "")[:6]
    offset = "+00:00" if match["offset"] in ("Z", "z") else match["offset"]
    iso = f"{match['date']}T{match['time']}{'.' + fraction.ljust(6, '0') if fraction else ''}"
    try:
        return datetime.fromisoformat(iso + offset).astimezone(UTC)
    except ValueError as error:
        raise InvalidParameter(parameter, f"'{value}' is not a valid date-time: {error}") from None


def parse_datetime(value: str) -> TimeFilter:
    """An instant, a closed interval ``a/b`` or a half-open one (``../b``, ``a/..``, ``a/``)."""
    if "/" not in value:
        instant = parse_instant(value)
        return TimeFilter(instant, instant)
    parts = value.split("/")
    if len(parts) != 2:
        raise InvalidParameter("datetime", "an interval has exactly one '/'")
    start, end = (None if part.strip() in _OPEN else parse_instant(part) for part in parts)
    if start is None and end is None:
        raise InvalidParameter("datetime", "at least one end of the interval must be given")
    if start is not None and end is not None and start > end:
        raise InvalidParameter("datetime", "the interval starts after it ends")
    return TimeFilter(start, end)


def parse_integer(value: str, parameter: str, minimum: int, maximum: int | None = None) -> int:
    text = value.strip()
    if not _INTEGER.fullmatch(text):
        raise InvalidParameter(parameter, f"'{value}' is not an integer")
    number = int(text)
    if number < minimum or (maximum is not None and number > maximum):
        allowed = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise InvalidParameter(parameter, f"{number} is out of range; it must be {allowed}")
    return number


def parse_items_query(
    params: Sequence[tuple[str, str]],
    settings: ApiSettings,
    queryables: Mapping[str, str] | None = None,
) -> ItemsQuery:
    """The items request from its raw query string pairs; unknown or repeated keys are 400s.

    A collection's queryables are accepted as equality filters (``?status=full``), the
    OGC API - Features Part 1 recommendation for filtering on feature properties.
    """
    queryables = queryables or {}
    given: dict[str, str] = {}
    for key, value in params:
        if key not in ITEMS_PARAMETERS and key not in queryables:
            known = ", ".join((*ITEMS_PARAMETERS, *queryables))
            raise InvalidParameter(key, f"unknown query parameter; this endpoint takes {known}")
        if key in given:
            raise InvalidParameter(key, "given more than once")
        given[key] = value
    limit = given.get("limit")
    offset = given.get("offset")
    page = Page(
        limit=settings.default_limit
        if limit is None
        else parse_integer(limit, "limit", 1, settings.max_limit),
        offset=0 if offset is None else parse_integer(offset, "offset", 0),
    )
    bbox = given.get("bbox")
    time = given.get("datetime")
    properties = tuple(
        (key, _typed(value, key, queryables[key]))
        for key, value in given.items()
        if key in queryables and key not in ITEMS_PARAMETERS
    )
    return ItemsQuery(
        bbox=None if bbox is None else parse_bbox(bbox),
        time=None if time is None else parse_datetime(time),
        page=page,
        properties=properties,
    )


def _typed(value: str, parameter: str, kind: str) -> Any:
    """A filter value in the queryable's JSON Schema type."""
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        raise InvalidParameter(
            parameter, f"'{value}' is not a{'n' if kind == 'integer' else ''} {kind}"
        ) from None
    return value


def items_openapi_parameters(settings: ApiSettings) -> list[dict[str, Any]]:
    """The OGC parameter definitions (OpenAPI 3.0), with this server's limit default/maximum."""
    return [
        {
            "name": "bbox",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": False,
            "description": (
                "Only features whose geometry intersects this box: minx,miny,maxx,maxy "
                "(or 6 numbers with heights) in CRS84 longitude/latitude."
            ),
            "schema": {
                "type": "array",
                "minItems": 4,
                "maxItems": 6,
                "items": {"type": "number"},
            },
        },
        {
            "name": "datetime",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": False,
            "description": (
                "An RFC 3339 instant (2026-11-20T09:30:00Z) or an inclusive interval "
                "(a/b, ../b, a/..)."
            ),
            "schema": {"type": "string"},
        },
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": False,
            "description": "The number of features per page.",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": settings.max_limit,
                "default": settings.default_limit,
            },
        },
        {
            "name": "offset",
            "in": "query",
            "required": False,
            "description": "How many features (in id order) to skip; follow the `next` link.",
            "schema": {"type": "integer", "minimum": 0, "default": 0},
        },
    ]
