"""The ``crowding-rollups`` collection: the clock-aligned buckets with their crowding level.

The map's time slider colours every location by the level of the hour it shows, and a
location's details compare its counts with the same hours of earlier weeks; both read these
buckets, which until now stayed inside the database.

A bucket has no id column of its own (its key is location, interval, start and the
dimensions), so the feature id is made of those parts, the start written as
``YYYYMMDDTHHMMSSZ`` by :class:`CompactUtc` on either backend:
``korenmarkt@20261120T140000Z~60~presence~people~mean~~~~``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

from core.pilot import Collection, Translation
from core.storage import table_of
from pilots.crowding.models import ROLLUP_DIMENSIONS, CrowdingLocation, CrowdingRollup

#: The key columns after location and start, in the order the id lists them.
_KEY_DIMENSIONS = ("interval_minutes", *ROLLUP_DIMENSIONS)
PROPERTIES = (
    "location_id",
    "name",
    "interval_minutes",
    "start",
    "end",
    "characteristic",
    "unit",
    "statistic",
    "modality",
    "direction",
    "value",
    "coverage",
    "inputs",
    "estimated",
    "level",
    "level_rule",
)


class CompactUtc(FunctionElement[str]):
    """A UTC timestamp column as ``YYYYMMDDTHHMMSSZ`` text (URL-safe, sorts as time)."""

    type = sa.String()
    inherit_cache = True


@compiles(CompactUtc, "sqlite")
def _compact_sqlite(element: CompactUtc, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y%m%dT%H%M%SZ', {compiler.process(element.clauses, **kw)})"


@compiles(CompactUtc, "postgresql")
def _compact_postgresql(element: CompactUtc, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"')"


def _rollups_query() -> sa.Select[Any]:
    rollup, location = table_of(CrowdingRollup), table_of(CrowdingLocation)
    feature_id: Any = rollup.c.location_id.concat("@").concat(CompactUtc(rollup.c.start))
    for name in _KEY_DIMENSIONS:
        feature_id = feature_id.concat("~").concat(sa.cast(rollup.c[name], sa.String))
    return sa.select(
        feature_id.label("id"),
        location.c.geometry,
        location.c.minx,
        location.c.miny,
        location.c.maxx,
        location.c.maxy,
        *(location.c.name if name == "name" else rollup.c[name].label(name) for name in PROPERTIES),
    ).select_from(rollup.join(location, location.c.id == rollup.c.location_id))


def rollup_collection() -> Collection:
    return Collection(
        id="crowding-rollups",
        title="Crowding counts per quarter hour and hour, with their level",
        description=(
            "Counts rolled up into clock-aligned 15-minute and hourly buckets per location and "
            "dimension: the value, the share of the bucket the counts covered (a gap lowers "
            "coverage, it is never a zero), and the crowding level with the rule that decided "
            "it (density, capacity, or the same hour of earlier weeks)."
        ),
        query=_rollups_query,
        properties=PROPERTIES,
        datetime_column="start",
        keywords=("crowding", "levels", "history"),
        translations={
            "nl": Translation(
                "Drukte-tellingen per kwartier en per uur, met hun drukteniveau",
                "Tellingen samengevat in kwartieren en uren per locatie en dimensie: de waarde, "
                "het deel van het interval dat de tellingen dekten (een gat verlaagt de dekking, "
                "het is nooit een nul) en het drukteniveau met de regel die het bepaalde "
                "(dichtheid, capaciteit of hetzelfde uur in vorige weken).",
                ("drukte", "drukteniveau", "historiek"),
            )
        },
        themes=("REGI", "TRAN"),
        update_frequency="HOURLY",
        queryables={
            "location_id": "string",
            "interval_minutes": "integer",
            "characteristic": "string",
            "modality": "string",
            "direction": "string",
            "level": "string",
        },
    )
