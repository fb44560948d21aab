"""How crowding canonical records become rows, and the latest state per location."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from core.column_rows import StoredRows, as_dicts
from core.ingest.envelope import Canonical, stable_id
from core.pilot import EntityStore
from core.rows import located_row
from core.storage import table_of, upsert_if_newer
from pilots.crowding.levels import assign_levels
from pilots.crowding.models import (
    Count,
    CrowdingLocation,
    CrowdingLocationState,
    CrowdingObservation,
)
from pilots.crowding.rollup import rollup

LOCATION_ATTRIBUTES = ("name", "kind", "positive_bearing", "area", "technique", "capacity", "city")
COUNT_ATTRIBUTES = tuple(Count.model_fields)
#: The dimensions besides location, start and characteristic that make a count distinct.
_DIMENSIONS = ("end", "unit", "statistic", "modality", "direction", "bearing", "profile")


def location_row(source: str, record: Canonical) -> dict[str, Any]:
    return {
        **located_row(source, record, LOCATION_ATTRIBUTES),
        "derived": sorted(record.derived),
    }


def observation_id(location_id: str, values: dict[str, Any]) -> str:
    start: datetime = values["start"]
    dimensions = "|".join(str(values.get(name)) for name in _DIMENSIONS)
    digest = hashlib.sha1(dimensions.encode(), usedforsecurity=False).hexdigest()[:10]
    return f"{location_id}@{start:%Y%m%dT%H%M%SZ}~{values['characteristic']}~{digest}"


def observation_row(source: str, record: Canonical) -> dict[str, Any]:
    values = record.values
    location_id = stable_id(source, values["location"])
    row = {name: values.get(name) for name in COUNT_ATTRIBUTES}
    row.update(
        id=observation_id(location_id, values),
        location_id=location_id,
        source=source,
        start=values["start"],
        end=values.get("end"),
        derived=sorted(record.derived),
        received_at=datetime.now(UTC),
    )
    return row


def after_store(conn: Connection, entity: str, stored: StoredRows) -> None:
    """After each stored batch: latest state, then roll-ups and levels of the touched hours."""
    rows = as_dicts(stored)
    if entity != "observation" or not rows:
        return
    update_latest_state(conn, entity, rows)
    first = min(row["start"] for row in rows).replace(minute=0, second=0, microsecond=0)
    last = max(row["start"] for row in rows).replace(minute=0, second=0, microsecond=0)
    window = (first, last + timedelta(hours=1))
    locations = sorted({row["location_id"] for row in rows})
    for minutes in (15, 60):
        rollup(conn, minutes, *window, location_ids=locations)
        assign_levels(conn, minutes, *window)


def update_latest_state(conn: Connection, entity: str, rows: list[dict[str, Any]]) -> None:
    """Keep each location's newest count; older deliveries never roll it back."""
    if entity != "observation" or not rows:
        return
    states = [
        {
            "location_id": row["location_id"],
            "observation_id": row["id"],
            "start": row["start"],
            "end": row["end"],
            **{name: row[name] for name in COUNT_ATTRIBUTES},
        }
        for row in rows
    ]
    upsert_if_newer(conn, table_of(CrowdingLocationState), states, "location_id", "start")


def crowding_stores() -> list[EntityStore]:
    return [
        EntityStore(
            entity="location",
            table=table_of(CrowdingLocation),
            to_row=location_row,
            on_conflict="update",
        ),
        EntityStore(
            entity="observation",
            table=table_of(CrowdingObservation),
            to_row=observation_row,
            on_conflict="ignore",
        ),
    ]
