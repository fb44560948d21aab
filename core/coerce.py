"""Turn supplier values into the handbook's datatypes, or say precisely why they do not fit.

Adapters hand over values as found (strings from CSV, numbers from JSON, shapely geometries);
this module is the single place that decides what a valid integer, time or geometry is.
"""

from __future__ import annotations

import contextlib
import json
import math
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from core.errors import InvalidCrs
from core.geo import looks_projected, parse_crs, to_wgs84

_TRUE = {"1", "true", "yes", "y", "ja", "j", "t"}
_FALSE = {"0", "false", "no", "n", "nee", "f"}


class CoercionError(ValueError):
    """``value`` does not fit the datatype; ``rule`` says which check failed."""

    def __init__(self, rule: str, message: str, expected: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.expected = expected


def is_absent(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def to_integer(value: Any) -> int:
    if isinstance(value, bool):
        raise CoercionError("core.datatype", "a boolean is not an integer", "an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                number = float("nan")
            if number.is_integer():
                return int(number)
    raise CoercionError("core.datatype", f"'{value}' is not an integer", "an integer")


def to_number(value: Any) -> float:
    if isinstance(value, bool):
        raise CoercionError("core.datatype", "a boolean is not a number", "a number")
    number = float("nan")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            number = float(value.strip().replace(",", "."))
    if not math.isfinite(number):
        raise CoercionError("core.datatype", f"'{value}' is not a number", "a number")
    return number


def to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CoercionError("core.datatype", f"'{value}' is not a yes/no value", "true or false")


def to_datetime(value: Any, timezone: str | None) -> datetime:
    """An aware UTC datetime; naive input only when the source declared its time zone."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise CoercionError(
                "core.datatype", f"'{value}' is not an ISO 8601 time", "an ISO 8601 date-time"
            ) from None
    else:
        raise CoercionError("core.datatype", f"'{value}' is not a time", "an ISO 8601 date-time")
    if moment.tzinfo is None:
        if timezone is None:
            raise CoercionError(
                "core.timezone",
                f"time '{value}' has no time zone; add an offset (e.g. +01:00 or Z) "
                "or declare the source's time zone",
                "a time with an offset",
            )
        try:
            moment = moment.replace(tzinfo=ZoneInfo(timezone))
        except ZoneInfoNotFoundError:
            raise CoercionError(
                "core.timezone", f"unknown time zone '{timezone}'", "an IANA time zone"
            ) from None
    return moment.astimezone(UTC)


def to_geometry(value: Any, crs: str | None) -> BaseGeometry:
    """A lon/lat geometry from shapely, GeoJSON or WKT input in the declared CRS."""
    geometry = _read_geometry(value)
    if geometry.is_empty:
        raise CoercionError("core.datatype", "the geometry is empty", "a non-empty geometry")
    if crs is None:
        if looks_projected(geometry):
            x, y = geometry.bounds[:2]
            raise CoercionError(
                "core.crs-missing",
                f"coordinates ({x:.1f}, {y:.1f}) are outside the longitude/latitude range; they "
                "look like projected metres (Lambert 72 or Lambert 2008): declare the CRS "
                "(e.g. --crs EPSG:31370)",
                "longitude/latitude in EPSG:4326, or a declared CRS",
            )
        return geometry
    try:
        source_crs = parse_crs(crs)
    except InvalidCrs as error:
        raise CoercionError("core.crs", str(error), "a supported CRS") from None
    return to_wgs84(geometry, source_crs)


def _read_geometry(value: Any) -> BaseGeometry:
    if isinstance(value, BaseGeometry):
        return value
    try:
        if isinstance(value, dict):
            return shape(value)
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("{"):
                return shape(json.loads(text))
            return shapely.from_wkt(text)
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.ShapelyError):
        pass
    raise CoercionError(
        "core.datatype",
        f"'{str(value)[:80]}' is not a geometry",
        "a GeoJSON geometry, WKT, or longitude/latitude",
    )
