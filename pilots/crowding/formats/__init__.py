"""Pure parsers of the crowding supplier formats: one decoded record in, canonical records out.

No I/O here; :mod:`pilots.crowding.adapters` does the reading. What the parsers share lives in
this module: the rule id of mapping problems, the reading of interval start times and of the
per-source options.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core import coerce
from core.ingest.envelope import Problem, RecordRejected

#: The rule id of every problem a crowding parser raises (the record cannot be mapped at all).
RULE = "crowding.mapping"


def problem(
    message: str, term: str | None = None, found: Any = None, expected: str | None = None
) -> Problem:
    return Problem(RULE, message, term, found, expected)


def rejected(
    message: str, term: str | None = None, found: Any = None, expected: str | None = None
) -> RecordRejected:
    return RecordRejected([problem(message, term, found, expected)])


def read_time(value: Any, timezone: str | None, what: str) -> datetime:
    """An aware UTC time read as the validator reads it; a naive time is in ``timezone``.

    Both formats declare UTC (CityFlows: "ISO 8601 UTC"; Telraam: "UTC time"), so the caller
    passes the source's declared zone or UTC. Raises RecordRejected with the coercion's rule.
    """
    try:
        return coerce.to_datetime(value, timezone)
    except coerce.CoercionError as error:
        raise RecordRejected(
            [Problem(error.rule, f"{what}: {error}", "observation.start", value, error.expected)]
        ) from None


def minutes_option(options: Mapping[str, str], key: str, default: int) -> int:
    """A per-source whole number of minutes (1 … 1440), or RecordRejected naming the option."""
    text = options.get(key)
    if text is None or not str(text).strip():
        return default
    try:
        minutes = int(str(text).strip())
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= 1440:
        raise rejected(
            f"source option {key}={text!r} is not a whole number of minutes",
            None,
            text,
            "a whole number of minutes from 1 to 1440",
        )
    return minutes


def choice_option(options: Mapping[str, str], key: str, default: str, allowed: set[str]) -> str:
    """A per-source word from ``allowed`` (any case), or RecordRejected naming the option."""
    text = str(options.get(key) or default).strip().lower()
    if text not in allowed:
        raise rejected(
            f"source option {key}={text!r} is not one of {', '.join(sorted(allowed))}",
            None,
            text,
            " or ".join(sorted(allowed)),
        )
    return text


def words(value: Any) -> str:
    """A supplier's label as a lookup key: lower case, '-', '_' and runs of spaces as one space."""
    return " ".join(str(value).replace("-", " ").replace("_", " ").lower().split())
