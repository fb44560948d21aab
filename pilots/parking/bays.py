"""On-street bays: rows for bays and their states, and zone occupancy derived from the bays.

A zone (an on-street parking site) has no counter of its own: its occupancy is computed from
the latest state of its bays. A bay whose latest report is older than ``stale_after`` (counted
back from the zone's newest report) is unknown, not free: a silent sensor says nothing about the
space. The zone's state and a derived history row are written with every batch that touches it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.column_rows import StoredRows
from core.ingest.envelope import Canonical, stable_id
from core.rows import located_row, newest
from core.storage import table_of, upsert, upsert_if_newer
from pilots.parking.models import (
    ParkingBay,
    ParkingBayState,
    ParkingObservation,
    ParkingSiteState,
)
from pilots.parking.rules import derived_status

ZONE_DERIVED = ["capacity", "occupancy", "occupied", "status", "vacant"]


def bay_row(source: str, record: Canonical) -> dict[str, Any]:
    zone = record.values.get("zone")
    row = located_row(source, record, ("device",))
    row["zone_id"] = stable_id(source, zone) if zone is not None else None
    return row


def bay_observation_row(source: str, record: Canonical) -> dict[str, Any]:
    values = record.values
    bay_id = stable_id(source, values["bay"])
    observed_at: datetime = values["observed_at"]
    return {
        "id": f"{bay_id}@{observed_at:%Y%m%dT%H%M%SZ}",
        "bay_id": bay_id,
        "source": source,
        "observed_at": observed_at,
        "status": values["status"],
        "received_at": datetime.now(UTC),
    }


def update_bay_states(conn: Connection, rows: StoredRows, stale_after: float) -> None:
    """Move each bay's state forward, then recompute the zones those bays belong to."""
    latest = newest(rows, "bay_id", "observed_at")
    states = [
        {
            "bay_id": r["bay_id"],
            "observation_id": r["id"],
            "observed_at": r["observed_at"],
            "status": r["status"],
        }
        for r in latest
    ]
    upsert_if_newer(conn, table_of(ParkingBayState), states, "bay_id", "observed_at")
    bay = table_of(ParkingBay)
    zones = [
        zone
        for (zone,) in conn.execute(
            sa.select(bay.c.zone_id)
            .distinct()
            .where(bay.c.id.in_([r["bay_id"] for r in latest]), bay.c.zone_id.is_not(None))
        )
    ]
    if zones:
        recompute_zones(conn, zones, stale_after)


def recompute_zones(conn: Connection, zones: list[str], stale_after: float) -> None:
    bay, state = table_of(ParkingBay), table_of(ParkingBayState)
    query = (
        sa.select(bay.c.zone_id, bay.c.id, state.c.status, state.c.observed_at)
        .select_from(bay.outerjoin(state, state.c.bay_id == bay.c.id))
        .where(bay.c.zone_id.in_(zones))
    )
    by_zone: dict[str, list[tuple[str | None, datetime | None]]] = {}
    for zone, _bay, status, observed_at in conn.execute(query):
        by_zone.setdefault(zone, []).append((status, observed_at))
    computed = (_zone_state(zone, bays, stale_after) for zone, bays in by_zone.items())
    states = [state for state in computed if state is not None]
    upsert_if_newer(
        conn, table_of(ParkingSiteState), states, "site_id", "observed_at", or_equal=True
    )
    history = [
        {
            **{k: v for k, v in s.items() if k not in ("site_id", "observation_id")},
            "id": s["observation_id"],
            "site_id": s["site_id"],
            "source": "derived",
            "received_at": datetime.now(UTC),
        }
        for s in states
    ]
    upsert(conn, table_of(ParkingObservation), history, mode="update")


def _zone_state(
    zone: str, bays: list[tuple[str | None, datetime | None]], stale_after: float
) -> dict[str, Any] | None:
    times = [observed for _status, observed in bays if observed is not None]
    if not times:
        return None
    latest = max(times)
    cutoff = latest - timedelta(seconds=stale_after)
    fresh = [status for status, observed in bays if observed is not None and observed >= cutoff]
    free, occupied = fresh.count("free"), fresh.count("occupied")
    known = free + occupied
    occupancy = round(100.0 * occupied / known, 1) if known else None
    status = derived_status(free, occupancy) if known else "unknown"
    return {
        "site_id": zone,
        "observation_id": f"{zone}@{latest.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        "observed_at": latest,
        "capacity": len(bays),
        "vacant": free,
        "occupied": occupied,
        "occupancy": occupancy,
        "status": status,
        "opening_status": None,
        "trend": None,
        "derived": ZONE_DERIVED,
    }
