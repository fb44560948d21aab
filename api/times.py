"""RFC 3339 date-times as the API reads them: with a zone, converted to UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from core.errors import InvalidParameter

_RFC3339 = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d+))?"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})"
)
#: A '+' left unencoded in a query string arrives as a space: "…T10:15:02 01:00".
_SPACE_OFFSET = re.compile(r"(?<=\d) (?=\d{2}:\d{2}$)")


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
