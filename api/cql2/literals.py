"""Literal values both encodings share: instants, dates, geometries and distances."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

import shapely
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry

from api.cql2.ast import DISTANCE_UNITS, GeometryLiteral, Interval, Property, Scalar
from api.times import parse_instant
from core.errors import InvalidParameter

PARAMETER = "filter"
#: Nesting deeper than this is refused rather than risking the interpreter's recursion limit.
MAX_DEPTH = 64
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def invalid(detail: str) -> InvalidParameter:
    return InvalidParameter(PARAMETER, detail)


def timestamp(text: str) -> Scalar:
    return Scalar(parse_instant(text, PARAMETER), "timestamp")


def calendar_date(text: str) -> Scalar:
    if not _DATE.fullmatch(text):
        raise invalid(f"'{text}' is not a date such as 2026-11-20")
    try:
        return Scalar(date.fromisoformat(text), "date")
    except ValueError as error:
        raise invalid(f"'{text}' is not a valid date: {error}") from None


def instant(text: str) -> Scalar | None:
    """One end of an interval: ``'..'`` (open), a date or a timestamp."""
    if text == "..":
        return None
    return calendar_date(text) if _DATE.fullmatch(text) else timestamp(text)


def interval_end(value: Scalar | Property | None) -> Scalar | Property | None:
    if isinstance(value, Scalar) and value.kind not in ("timestamp", "date"):
        raise invalid("the ends of an INTERVAL are dates, timestamps, '..' or properties")
    return value


def make_interval(start: Scalar | Property | None, end: Scalar | Property | None) -> Interval:
    start, end = interval_end(start), interval_end(end)
    if isinstance(start, Scalar) and isinstance(end, Scalar) and _key(start) > _key(end):
        raise invalid("an INTERVAL must not start after it ends")
    return Interval(start, end)


def _key(value: Scalar) -> str:
    return value.value.isoformat() if hasattr(value.value, "isoformat") else str(value.value)


def wkt(text: str) -> GeometryLiteral:
    try:
        geometry = shapely.from_wkt(text)
    except shapely.errors.ShapelyError as error:
        raise invalid(f"'{_short(text)}' is not valid WKT: {error}") from None
    return _checked(geometry, text)


def geojson(document: dict[str, Any]) -> GeometryLiteral:
    try:
        geometry = shape(document)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError,
            shapely.errors.ShapelyError) as error:
        raise invalid(f"not a valid GeoJSON geometry: {error}") from None
    return _checked(geometry, str(document))


def bbox(numbers: list[Any]) -> GeometryLiteral:
    if len(numbers) not in (4, 6) or not all(_is_number(n) for n in numbers):
        raise invalid("a BBOX has 4 or 6 numbers")
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    minx, miny, maxx, maxy = (float(n) for n in numbers)
    if minx > maxx or miny > maxy:
        raise invalid("the lower corner of a BBOX must not exceed the upper corner")
    return GeometryLiteral(box(minx, miny, maxx, maxy))


def distance(value: Any, units: str) -> float:
    """``S_DWITHIN``'s distance in metres."""
    if not _is_number(value) or float(value) < 0:
        raise invalid("the distance of S_DWITHIN is a number >= 0")
    factor = DISTANCE_UNITS.get(units.lower())
    if factor is None:
        known = ", ".join(sorted(DISTANCE_UNITS))
        raise invalid(f"unknown distance unit '{units}'; use one of {known}")
    return float(value) * factor


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _checked(geometry: BaseGeometry, source: str) -> GeometryLiteral:
    if geometry.is_empty:
        raise invalid(f"the geometry '{_short(source)}' is empty")
    coordinates = shapely.get_coordinates(geometry)
    if not bool(shapely.is_valid_input(geometry)) or not all(
        math.isfinite(c) for c in coordinates.flat
    ):
        raise invalid(f"the geometry '{_short(source)}' has coordinates that are not finite")
    return GeometryLiteral(geometry)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
