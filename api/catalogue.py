"""The catalogue: every collection of every installed pilot, and their (cached) extents."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from core.errors import NotFound
from core.pilot import Collection, Registry

#: How long a computed extent is served before it is computed again (ingestion goes on).
EXTENT_TTL_SECONDS = 60.0


@dataclass(frozen=True)
class Extent:
    """Spatial bbox (CRS84) and temporal interval of a collection; ``None`` when unknown."""

    bbox: tuple[float, float, float, float] | None
    interval: tuple[datetime | None, datetime | None] | None


@dataclass(frozen=True)
class Entry:
    pilot_id: str
    collection: Collection


class Catalogue:
    """Collections by id, in registry order; two pilots may not publish the same collection id."""

    def __init__(self, entries: list[Entry]) -> None:
        by_id: dict[str, Entry] = {}
        for entry in entries:
            if entry.collection.id in by_id:
                other = by_id[entry.collection.id].pilot_id
                raise ValueError(
                    f"pilots '{other}' and '{entry.pilot_id}' both publish the collection "
                    f"'{entry.collection.id}'"
                )
            by_id[entry.collection.id] = entry
        self._entries = by_id
        self._extents: dict[str, tuple[float, Extent]] = {}
        self._lock = Lock()

    @classmethod
    def from_registry(cls, registry: Registry) -> Catalogue:
        return cls([Entry(pilot.id, c) for pilot in registry for c in pilot.collections])

    def __iter__(self) -> Iterator[Collection]:
        return (entry.collection for entry in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, collection_id: str) -> Collection:
        try:
            return self._entries[collection_id].collection
        except KeyError:
            raise NotFound(f"there is no collection '{collection_id}'") from None

    def pilot_of(self, collection_id: str) -> str:
        """The id of the pilot that publishes the collection."""
        self.get(collection_id)
        return self._entries[collection_id].pilot_id

    def extent(self, engine: Engine, collection: Collection) -> Extent:
        """The collection's extent, computed at most every :data:`EXTENT_TTL_SECONDS`."""
        now = time.monotonic()
        with self._lock:
            cached = self._extents.get(collection.id)
        if cached is not None and cached[0] > now:
            return cached[1]
        extent = compute_extent(engine, collection)
        with self._lock:
            self._extents[collection.id] = (now + EXTENT_TTL_SECONDS, extent)
        return extent


def compute_extent(engine: Engine, collection: Collection) -> Extent:
    """One aggregate over the bbox columns (and the time column) of the collection's query."""
    source = collection.query().subquery("extent")
    minx, miny, maxx, maxy = (source.c[name] for name in collection.bbox_columns)
    columns: list[sa.ColumnElement[Any]] = [
        sa.func.min(minx),
        sa.func.min(miny),
        sa.func.max(maxx),
        sa.func.max(maxy),
    ]
    if collection.datetime_column is not None:
        when = source.c[collection.datetime_column]
        columns += [sa.func.min(when), sa.func.max(when)]
    with engine.connect() as conn:
        row = conn.execute(sa.select(*columns)).one()
    bbox = None if row[0] is None else (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
    interval = None
    if collection.datetime_column is not None and row[4] is not None:
        interval = (row[4], row[5])
    return Extent(bbox, interval)
