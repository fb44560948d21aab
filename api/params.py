"""Parsing the query parameters of OGC API - Features (Parts 1, 2 and 3) into an ItemsQuery.

Every parser raises :class:`core.errors.InvalidParameter` naming the parameter, which the API
renders as a 400 problem. Parsing is independent of the web framework: it takes strings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api import cql2
from api.cql2 import parse_filter
from api.cql2.ast import Predicate
from api.crs import CRS84, Crs, parse_crs
from api.times import parse_instant
from core.errors import InvalidParameter
from core.settings import ApiSettings

#: What the items endpoint understands; any other is a 400 (OGC /req/core/query-param-unknown).
ITEMS_PARAMETERS = (
    "bbox",
    "bbox-crs",
    "datetime",
    "limit",
    "offset",
    "cursor",
    "crs",
    "filter",
    "filter-lang",
    "filter-crs",
    "sortby",
    "properties",
    "skipGeometry",
    "f",
    "csv-geometry",
)
#: Parameters of a single feature: the output CRS and format.
ITEM_PARAMETERS = ("crs", "properties", "skipGeometry", "f", "csv-geometry")

_OPEN = ("", "..")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")
_SIGNED_NAME = re.compile(r"[+-]?[A-Za-z_][A-Za-z0-9_.:-]*")


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
    """Which slice of the ordered result to return: ``limit`` rows after the ``cursor``.

    The cursor is the opaque token of a ``next``/``prev`` link (keyset paging, see
    :mod:`api.paging`); ``offset`` still works for clients that count, and applies after it.
    """

    limit: int
    offset: int = 0
    cursor: str | None = None


@dataclass(frozen=True)
class SortKey:
    name: str
    descending: bool = False


@dataclass(frozen=True)
class Filter:
    """A parsed CQL2 ``filter`` and the CRS its geometry literals are written in."""

    predicate: Predicate
    crs: Crs


@dataclass(frozen=True)
class ItemsQuery:
    bbox: BBox | None
    time: TimeFilter | None
    page: Page
    equals: tuple[tuple[str, Any], ...] = ()  # equality filters on queryables (?status=full)
    bbox_crs: Crs = CRS84
    crs: Crs = CRS84
    filter: Filter | None = None
    sortby: tuple[SortKey, ...] = ()
    #: The properties to return (``properties=a,b``); ``None`` is all of them.
    select: tuple[str, ...] | None = None
    skip_geometry: bool = False


def parse_bbox(value: str, crs: Crs = CRS84) -> BBox:
    """``minx,miny,maxx,maxy`` or 6 numbers with heights, in ``crs`` and its axis order."""
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
    if crs.geographic:
        lon = (bbox.miny, bbox.maxy) if crs.lat_first else (bbox.minx, bbox.maxx)
        lat = (bbox.minx, bbox.maxx) if crs.lat_first else (bbox.miny, bbox.maxy)
        if not (-180 <= lon[0] <= lon[1] <= 180 and -90 <= lat[0] <= lat[1] <= 90):
            order = "latitude, longitude" if crs.lat_first else "longitude, latitude"
            raise InvalidParameter("bbox", f"coordinates are {order} in degrees ({crs.code})")
    return bbox


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
    OGC API - Features Part 1 recommendation for filtering on feature properties. Names in
    ``sortby`` and ``properties`` are checked against the collection where it is known.
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
    bbox_crs = _crs(given, "bbox-crs")
    if "bbox-crs" in given and "bbox" not in given:
        raise InvalidParameter("bbox-crs", "bbox-crs is only meaningful with a bbox")
    bbox = given.get("bbox")
    time = given.get("datetime")
    return ItemsQuery(
        bbox=None if bbox is None else parse_bbox(bbox, bbox_crs),
        time=None if time is None else parse_datetime(time),
        page=_page(given, settings),
        equals=tuple(
            (key, _typed(value, key, queryables[key]))
            for key, value in given.items()
            if key in queryables and key not in ITEMS_PARAMETERS
        ),
        bbox_crs=bbox_crs,
        crs=_crs(given, "crs"),
        filter=_filter(given),
        sortby=parse_sortby(given["sortby"]) if "sortby" in given else (),
        select=parse_names(given["properties"], "properties") if "properties" in given else None,
        skip_geometry=parse_boolean(given.get("skipGeometry", "false"), "skipGeometry"),
    )


def _page(given: Mapping[str, str], settings: ApiSettings) -> Page:
    limit, offset, cursor = given.get("limit"), given.get("offset"), given.get("cursor")
    if cursor is not None and not cursor.strip():
        raise InvalidParameter("cursor", "the cursor is empty; follow a next or prev link")
    return Page(
        limit=settings.default_limit
        if limit is None
        else parse_integer(limit, "limit", 1, settings.max_limit),
        offset=0 if offset is None else parse_integer(offset, "offset", 0),
        cursor=cursor,
    )


def _crs(given: Mapping[str, str], parameter: str) -> Crs:
    value = given.get(parameter)
    return CRS84 if value is None else parse_crs(value, parameter)


def _filter(given: Mapping[str, str]) -> Filter | None:
    for dependent in ("filter-lang", "filter-crs"):
        if dependent in given and "filter" not in given:
            raise InvalidParameter(dependent, f"{dependent} is only meaningful with a filter")
    if "filter" not in given:
        return None
    predicate = parse_filter(given["filter"], given.get("filter-lang", cql2.TEXT).strip())
    return Filter(predicate, _crs(given, "filter-crs"))


def parse_sortby(value: str) -> tuple[SortKey, ...]:
    """``sortby=name,-vacant``: ``+``/no sign ascending, ``-`` descending."""
    keys = []
    for part in parse_names(value, "sortby", signed=True):
        descending = part.startswith("-")
        keys.append(SortKey(part.lstrip("+-"), descending))
    names = [key.name for key in keys]
    if len(set(names)) != len(names):
        raise InvalidParameter("sortby", "a property is named more than once")
    return tuple(keys)


def parse_names(value: str, parameter: str, *, signed: bool = False) -> tuple[str, ...]:
    """A comma-separated list of property names (optionally signed)."""
    if not value.strip() and not signed:
        return ()  # properties= : no properties at all
    names = tuple(part.strip() for part in value.split(","))
    pattern = _SIGNED_NAME if signed else _NAME
    for name in names:
        if not pattern.fullmatch(name):
            raise InvalidParameter(parameter, f"'{name}' is not a property name")
    return names


def parse_boolean(value: str, parameter: str) -> bool:
    text = value.strip().lower()
    if text not in ("true", "false"):
        raise InvalidParameter(parameter, f"'{value}' is not true or false")
    return text == "true"


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
