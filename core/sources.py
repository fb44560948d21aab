"""The source registry: which supplier feed delivers what, in which format, on which topic.

A source binds a pilot and a format to how data arrives: an MQTT topic filter (by default the
convention ``stadspuls/{pilot}/{source}/#``), files and HTTP push. Messages on a topic that no
source claims are quarantined as such, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Column, Engine
from sqlmodel import Field, SQLModel

from core.errors import Conflict, NotFound, StadspulsError
from core.pilot import Registry
from core.storage import table_of
from core.types import JsonColumnType, Timestamp

_SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class SourceError(StadspulsError):
    """A source that cannot be added or changed as asked."""


class SourceNotFound(NotFound, SourceError):
    """No source has this id."""


class SourceExists(Conflict, SourceError):
    """The id is taken by another source."""


#: How data of a source may arrive; a source accepts all three unless told otherwise.
DELIVERIES = ("mqtt", "file", "push")
DEFAULT_LICENCE = "CC0-1.0"


class Source(SQLModel, table=True):
    """A supplier's feed for one pilot in one format, owned by a city."""

    __tablename__ = "source"

    id: str = Field(primary_key=True)
    pilot: str
    format: str
    topic: str | None = None
    supplier: str | None = None
    city: str | None = Field(default=None, index=True)
    licence: str | None = DEFAULT_LICENCE
    delivery: list[str] | None = Field(
        default_factory=lambda: list(DELIVERIES), sa_column=Column(JsonColumnType, nullable=True)
    )
    options: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JsonColumnType, nullable=False)
    )
    timezone: str | None = None
    crs: str | None = None
    created_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), sa_column=Column(Timestamp, nullable=False)
    )
    updated_at: datetime | None = Field(default=None, sa_column=Column(Timestamp, nullable=True))

    @property
    def deliveries(self) -> tuple[str, ...]:
        """How data may arrive; sources registered before deliveries existed accept all."""
        return tuple(self.delivery) if self.delivery is not None else DELIVERIES

    def accepts(self, delivery: str) -> bool:
        return delivery in self.deliveries

    @property
    def topic_filter(self) -> str:
        """The bound filter, or the default convention for this source."""
        return self.topic or f"stadspuls/{self.pilot}/{self.id}/#"


def _table() -> sa.Table:
    return table_of(Source)


def check_source(registry: Registry, source: Source) -> None:
    """Refuse a source whose id, pilot, format, topic filter or deliveries are not usable."""
    if not _SOURCE_ID.match(source.id):
        raise SourceError(f"source id '{source.id}' must be 1-64 letters, digits, '.', '_' or '-'")
    pilot = registry.get(source.pilot)
    pilot.adapter(source.format)
    check_filter(source.topic_filter)
    unknown = set(source.deliveries) - set(DELIVERIES)
    if unknown:
        raise SourceError(
            f"delivery {', '.join(sorted(unknown))} is not one of {', '.join(DELIVERIES)}"
        )


def add_source(engine: Engine, registry: Registry, source: Source) -> Source:
    """Register ``source`` after checking its id, pilot, format and topic filter."""
    check_source(registry, source)
    row: dict[str, Any] = source.model_dump()
    with engine.begin() as conn:
        if conn.execute(sa.select(_table().c.id).where(_table().c.id == source.id)).first():
            raise SourceExists(f"a source with id '{source.id}' exists already")
        conn.execute(sa.insert(_table()), [row])
    return source


def list_sources(engine: Engine, city: str | None = None) -> list[Source]:
    """Every source, or the sources of one ``city``."""
    query = sa.select(_table()).order_by(_table().c.id)
    if city is not None:
        query = query.where(_table().c.city == city)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [Source.model_validate(dict(row)) for row in rows]


def get_source(engine: Engine, source_id: str) -> Source:
    with engine.connect() as conn:
        row = conn.execute(sa.select(_table()).where(_table().c.id == source_id)).mappings().first()
    if row is None:
        raise SourceNotFound(f"there is no source '{source_id}'")
    return Source.model_validate(dict(row))


#: What a PATCH may change; the id, pilot and creation time are fixed for a source's life.
CHANGEABLE = frozenset(
    {"format", "topic", "supplier", "city", "licence", "delivery", "options", "timezone", "crs"}
)


def update_source(
    engine: Engine, registry: Registry, source_id: str, changes: dict[str, Any]
) -> Source:
    """Apply ``changes`` to a source after checking the result as a whole."""
    fixed = set(changes) - CHANGEABLE
    if fixed:
        raise SourceError(f"{', '.join(sorted(fixed))} cannot be changed")
    current = get_source(engine, source_id)
    updated = Source.model_validate(
        {**current.model_dump(), **changes, "updated_at": datetime.now(UTC)}
    )
    check_source(registry, updated)
    values = {name: getattr(updated, name) for name in (*changes, "updated_at")}
    with engine.begin() as conn:
        conn.execute(sa.update(_table()).where(_table().c.id == source_id).values(**values))
    return updated


def remove_source(engine: Engine, source_id: str) -> None:
    with engine.begin() as conn:
        result = conn.execute(sa.delete(_table()).where(_table().c.id == source_id))
    if result.rowcount == 0:
        raise SourceNotFound(f"there is no source '{source_id}'")


def check_filter(topic_filter: str) -> None:
    """MQTT filter rules: '#' only last and alone in its level, '+' alone in its level."""
    levels = topic_filter.split("/")
    for index, level in enumerate(levels):
        if "#" in level and (level != "#" or index != len(levels) - 1):
            raise SourceError(f"topic filter '{topic_filter}': '#' must be the last level")
        if "+" in level and level != "+":
            raise SourceError(f"topic filter '{topic_filter}': '+' must fill a whole level")
    if not topic_filter or topic_filter.startswith("$"):
        raise SourceError(f"topic filter '{topic_filter}' is empty or a system topic")


def topic_matches(topic_filter: str, topic: str) -> bool:
    """Whether ``topic`` matches the MQTT ``topic_filter`` (with '+' and '#')."""
    wanted, actual = topic_filter.split("/"), topic.split("/")
    for index, level in enumerate(wanted):
        if level == "#":
            return True
        if index >= len(actual) or (level != "+" and level != actual[index]):
            return False
    return len(wanted) == len(actual)


def source_for_topic(sources: Sequence[Source], topic: str) -> Source | None:
    """The source whose filter matches ``topic``; the most specific filter wins."""
    matching = [source for source in sources if topic_matches(source.topic_filter, topic)]
    if not matching:
        return None
    return max(matching, key=lambda source: filter_specificity(source.topic_filter))


def filter_specificity(topic_filter: str) -> tuple[int, int]:
    """How specific a filter is (more exact levels, then fewer '#'): the most specific wins a
    topic, for the worker's routing and for the broker ACL alike."""
    levels = topic_filter.split("/")
    exact = sum(1 for level in levels if level not in ("+", "#"))
    return (exact, -levels.count("#"))
