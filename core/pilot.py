"""The Pilot contract and the registry of installed pilots.

``core`` and ``api`` depend on this module only, never on a pilot package: a new domain (air
quality, noise) plugs in by declaring a :class:`Pilot` under the ``stadspuls.pilots`` entry-point
group. Everything a pilot declares here is data or pure functions; the machinery is in core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.column_rows import StoredRows
from core.errors import DuplicatePilot, UnknownFormat, UnknownPilot
from core.handbook import Handbook
from core.ingest.blocks import ColumnLane, RecordBlock
from core.ingest.envelope import Canonical, Notice, RawRecord, ReadContext
from core.storage import Mode
from core.validation import PilotRules, Validator

ENTRY_POINT_GROUP = "stadspuls.pilots"


class Adapter(Protocol):
    """A supplier format: splits an input into raw records and maps each to canonical records.

    ``read`` may raise :class:`core.errors.UnreadableInput`; ``map`` is pure and may raise
    :class:`core.ingest.envelope.RecordRejected`. ``read`` may also yield a
    :class:`core.ingest.blocks.RecordBlock` for a stretch of plain records (large files).
    """

    format_id: str
    title: str
    media_types: tuple[str, ...]

    def sniff(self, head: bytes, filename: str) -> bool: ...

    def read(
        self, stream: BinaryIO, context: ReadContext
    ) -> Iterator[RawRecord] | Iterator[RawRecord | RecordBlock]: ...

    def map(self, raw: RawRecord, context: ReadContext) -> list[Canonical]: ...


RowBuilder = Callable[[str, Canonical], dict[str, Any]]


@dataclass(frozen=True)
class EntityStore:
    """How canonical records of one handbook entity are stored.

    Rows are keyed on ``id_column``, the stable id built from the natural key (source, native id,
    time), which makes upserts idempotent. ``on_conflict`` is the :func:`core.storage.upsert`
    mode: ``update`` for sites, ``merge`` for partial updates (bays), ``ignore`` for observations.
    ``lookup_columns`` are what records referring to this entity may read (e.g. capacity).
    """

    entity: str
    table: sa.Table
    to_row: RowBuilder
    on_conflict: Mode
    id_column: str = "id"
    lookup_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistorySpec:
    """The time series behind each feature of a collection: numbers observed over time.

    Why a query and not a table: a pilot knows which rows make a meaningful series (counts with
    a value, not crowding labels), while bucketing and aggregation are the same for every pilot
    and live in the API. ``query()`` returns a SELECT whose labelled columns include
    ``feature_column`` (the id of the collection's feature a row belongs to), ``time_column``
    (an aware UTC timestamp), every name in ``measures`` (numbers) and every name in
    ``series_columns``: columns that split one feature's rows into separate series (say the
    characteristic and direction of a count), so values of different kinds are never averaged.
    """

    query: Callable[[], sa.Select[Any]]
    measures: tuple[str, ...]
    feature_column: str = "feature_id"
    time_column: str = "observed_at"
    series_columns: tuple[str, ...] = ()


#: The first instant whose ``%Y`` has four digits: ids written with it sort like times from here.
FIXED_WIDTH_YEARS = datetime(1000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class GroupWalk:
    """Features that belong to a few located groups, as observations belong to their site.

    It lets the API find a bbox page one group at a time (:mod:`api.group_walk`): the groups
    in the bbox, from each the first rows of its own index, then the page among those few,
    instead of collecting and sorting every match. That needs two things the pilot knows and
    the API cannot: which query lists the groups, with the same geometry and bbox columns as
    the collection (the feature's geometry *is* its group's, so a group outside the bbox has
    no feature inside it), and that within one group the feature ids compare byte by byte in
    the order of ``order_column`` (ids like ``{site}@{UTC time}``; ties are broken by the id).

    ``groups()`` returns a SELECT with the labelled columns ``id``, ``geometry`` and the four
    bbox columns; ``group_column`` names the collection's column holding the group's id.
    ``ordered_from``: the ids sort like ``order_column`` (a timestamp) only from this instant on
    (a year before 1000 is written with fewer digits); earlier rows, if any, are sorted by id.
    """

    groups: Callable[[], sa.Select[Any]]
    group_column: str
    order_column: str
    ordered_from: datetime | None = None


@dataclass(frozen=True)
class Translation:
    """A collection's title, description and keywords in one more language (the catalogue
    publishes every language it has; ``Collection.title`` and friends are the English ones)."""

    title: str
    description: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Collection:
    """A published OGC API collection over a query the pilot defines.

    ``query()`` returns a SELECT whose labelled columns include ``id_column``,
    ``geometry_column`` (the :class:`core.geometry_type.Geometry` column), the four bbox columns
    and every name in ``properties``. The API adds filters, order and paging around it.
    """

    id: str
    title: str
    description: str
    query: Callable[[], sa.Select[Any]]
    properties: tuple[str, ...]
    datetime_column: str | None = None
    id_column: str = "id"
    geometry_column: str = "geometry"
    bbox_columns: tuple[str, str, str, str] = ("minx", "miny", "maxx", "maxy")
    licence: str = "CC0-1.0"
    keywords: tuple[str, ...] = ()
    queryables: Mapping[str, str] = field(default_factory=dict)
    #: Seconds between updates of live data: the API's Cache-Control max-age for it. ``None``
    #: takes the API's default (``STADSPULS_API_MAX_AGE``).
    update_interval: int | None = None
    #: The time series of each feature (``/items/{featureId}/history``); ``None``: none.
    history: HistorySpec | None = None
    #: Title, description and keywords in other languages, by language tag (``"nl"``).
    translations: Mapping[str, Translation] = field(default_factory=dict)
    #: Themes of the EU data-theme vocabulary (``"TRAN"``, ``"REGI"``...) for the catalogue.
    themes: tuple[str, ...] = ()
    #: How often the data changes, as a code of the EU frequency vocabulary (``"UPDATE_CONT"``,
    #: ``"HOURLY"``, ``"IRREG"``); ``None`` derives it from ``update_interval``, else unknown.
    update_frequency: str | None = None
    #: How a bbox page is found group by group; ``None``: by the filter alone.
    group_walk: GroupWalk | None = None


#: Runs in the transaction of each stored batch (latest states, merges); may return notices
#: about what storing found (e.g. sources that disagree), which the ingest report lists.
AfterStore = Callable[[Connection, str, StoredRows], Sequence[Notice] | None]


@dataclass(frozen=True)
class DemoFile:
    """A sample file shipped with the pilot that ``stadspuls demo`` loads."""

    path: Path
    format_id: str
    source: str


@dataclass(frozen=True)
class Pilot:
    """Everything a pilot declares; built by the factory its entry point names."""

    id: str
    title: str
    handbook: Handbook
    rules: PilotRules
    adapters: Mapping[str, Adapter]
    stores: Sequence[EntityStore]
    collections: Sequence[Collection]
    migrations: Path | None = None
    after_store: AfterStore | None = None
    demo_files: Sequence[DemoFile] = ()
    #: Column-wise checks and rows per entity, for blocks of records (:mod:`core.ingest.blocks`).
    lanes: Mapping[str, ColumnLane] = field(default_factory=dict)
    #: Adds the pilot's own commands to a typer app (``stadspuls <pilot-id> ...``).
    commands: Callable[[Any], None] | None = None

    @cached_property
    def validator(self) -> Validator:
        return Validator(self.handbook, self.rules)

    def store_for(self, entity: str) -> EntityStore:
        for store in self.stores:
            if store.entity == entity:
                return store
        raise KeyError(entity)

    def adapter(self, format_id: str) -> Adapter:
        try:
            return self.adapters[format_id]
        except KeyError:
            known = ", ".join(sorted(self.adapters))
            raise UnknownFormat(
                f"pilot '{self.id}' has no format '{format_id}'; known formats: {known}"
            ) from None

    def detect(self, head: bytes, filename: str) -> Adapter:
        """The single adapter that recognises ``head``; ambiguity or none is an error."""
        matches = [adapter for adapter in self.adapters.values() if adapter.sniff(head, filename)]
        if len(matches) == 1:
            return matches[0]
        known = ", ".join(sorted(self.adapters))
        if not matches:
            raise UnknownFormat(
                f"cannot tell the format of '{filename}'; pass --format (one of: {known})"
            )
        names = ", ".join(adapter.format_id for adapter in matches)
        raise UnknownFormat(f"'{filename}' could be any of {names}; pass --format")


class Registry:
    """The installed pilots, keyed by id; immutable once built and refusing duplicate ids."""

    def __init__(self, pilots: Sequence[Pilot]) -> None:
        by_id: dict[str, Pilot] = {}
        collections: dict[str, str] = {}
        for pilot in pilots:
            if pilot.id in by_id:
                raise DuplicatePilot(f"two pilots declare the id '{pilot.id}'")
            by_id[pilot.id] = pilot
            for collection in pilot.collections:
                if collection.id in collections:
                    raise DuplicatePilot(
                        f"pilots '{collections[collection.id]}' and '{pilot.id}' both declare "
                        f"the collection '{collection.id}'"
                    )
                collections[collection.id] = pilot.id
        self._pilots = by_id

    def __iter__(self) -> Iterator[Pilot]:
        return iter(self._pilots.values())

    def __len__(self) -> int:
        return len(self._pilots)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._pilots)

    def get(self, pilot_id: str) -> Pilot:
        try:
            return self._pilots[pilot_id]
        except KeyError:
            known = ", ".join(self._pilots) or "none installed"
            raise UnknownPilot(f"unknown pilot '{pilot_id}'; known pilots: {known}") from None

    def collections(self) -> dict[str, tuple[Pilot, Collection]]:
        return {
            collection.id: (pilot, collection) for pilot in self for collection in pilot.collections
        }


def load_registry() -> Registry:
    """Build every pilot named by the ``stadspuls.pilots`` entry points."""
    factories: list[Callable[[], Pilot]] = [
        entry.load() for entry in entry_points(group=ENTRY_POINT_GROUP)
    ]
    return Registry([factory() for factory in factories])
