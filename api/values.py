"""Database values as JSON: RFC 3339 times, finite numbers; and which columns need converting.

A page of a thousand features has ten thousand property values, nearly all of them strings,
integers, booleans or JSON that are JSON already. :func:`converter` tells from a column's type
whether its values need :func:`json_value` at all, so rendering a feature converts only the
few that do (times, floats that may be NaN, unknown types).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator, TypeEngine

#: Column types whose values (or None) are JSON as they come from the driver.
_AS_IS = (sa.String, sa.Integer, sa.Boolean, sa.JSON)


def converter(type_: TypeEngine[Any]) -> Callable[[Any], Any] | None:
    """What turns a non-null value of this column type into JSON; ``None``: nothing to do."""
    if isinstance(type_, TypeDecorator):
        if isinstance(type_.impl_instance, sa.DateTime):
            return rfc3339
        type_ = type_.impl_instance
    if isinstance(type_, sa.Enum):
        return json_value  # may hold enum members
    if isinstance(type_, sa.Float):
        return json_value  # NaN and infinities become null
    if isinstance(type_, _AS_IS):
        return None
    return json_value


def rfc3339(value: datetime) -> str:
    """UTC with a 'Z'; a naive value is taken to be UTC already (the storage convention)."""
    if value.tzinfo is UTC:  # what the storage types hand back: skip the conversion
        return value.isoformat().removesuffix("+00:00") + "Z"
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return utc.isoformat().replace("+00:00", "Z")


def json_value(value: Any) -> Any:
    """A database value as JSON: RFC 3339 times, finite numbers (NaN/∞ become null)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return json_value(float(value))
    if isinstance(value, list | dict):
        return value
    return str(value)
