"""The units that flow through ingestion: raw records, canonical records and problems.

A raw record is whatever arrived (a file row, a feature, an MQTT message) with where it came
from; it ends either as stored canonical records or in quarantine with its problems.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

_UNSAFE = re.compile(r"[^A-Za-z0-9._~-]+")


@dataclass(slots=True, frozen=True)
class Problem:
    """Why a record is rejected: the rule, the handbook term it enforces, found and expected."""

    rule: str
    message: str
    term: str | None = None
    found: Any = None
    expected: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "term": self.term,
            "message": self.message,
            "found": _jsonable(self.found),
            "expected": self.expected,
        }


@dataclass(slots=True, frozen=True)
class Notice:
    """Something storing found that rejects nothing but the supplier should know.

    ``subject`` names what it concerns (e.g. the id of a building two sources disagree on).
    """

    subject: str
    problem: Problem

    def as_dict(self) -> dict[str, Any]:
        return {"subject": self.subject, **self.problem.as_dict()}


@dataclass(slots=True)
class RawRecord:
    """One incoming unit as it arrived; ``content`` (never ``parsed``) is what quarantine keeps."""

    source: str
    origin: str
    position: int | None
    received_at: datetime
    content: Any
    problems: list[Problem] = field(default_factory=list)
    parsed: Any = None  # what a streaming reader already decoded, for the adapter's map()


class DeferredText:
    """Raw content that is turned into text only when someone needs it (quarantine).

    Serialising every record of a large file back to text costs more than checking it, and
    only the rejected ones are ever shown; a reader can hand this instead of the text itself.
    """

    __slots__ = ("_render",)

    def __init__(self, render: Callable[[], str]) -> None:
        self._render = render

    def __str__(self) -> str:
        return self._render()


@dataclass(slots=True)
class Canonical:
    """A record in the pilot's handbook vocabulary: ``entity`` and term values.

    ``derived`` names the terms the pilot computed rather than received, so published data can
    say which values were measured.
    """

    entity: str
    values: dict[str, Any]
    derived: set[str] = field(default_factory=set)
    crs: str | None = None  # CRS of geometry values when the input itself declares one


@dataclass(slots=True, frozen=True)
class ReadContext:
    """What the caller declares about an input: its source, origin name, CRS and time zone."""

    source: str
    origin: str
    received_at: datetime
    crs: str | None = None
    timezone: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)  # per-source adapter settings


class RecordRejected(Exception):
    """Raised by an adapter when a raw record cannot be mapped at all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


def slug(native_id: str) -> str:
    """A URL-safe rendering of a supplier's id (kept readable, unsafe runs become '-')."""
    cleaned = _UNSAFE.sub("-", native_id.strip()).strip("-")
    return cleaned or "-"


@lru_cache(maxsize=65536)
def stable_id(source: str, native_id: str) -> str:
    """The platform's persistent id of an entity: ``{source}:{native-id}``."""
    return f"{slug(source)}:{slug(native_id)}"


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
