"""Idempotent batched upserts: fact rows (``ignore``) are appended optimistically on PostGIS.

A batch of new observations goes straight into the table; a batch holding any stored id must
leave nothing half-written and still count exactly what is new, on both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from core.storage import table_of, upsert
from pilots.parking.models import ParkingObservation

START = datetime(2026, 11, 1, tzinfo=UTC)


def observation(minute: int, vacant: int = 5) -> dict[str, Any]:
    observed_at = START + timedelta(minutes=minute)
    return {
        "id": f"t:S1@{minute:04d}",
        "site_id": "t:S1",
        "source": "t",
        "observed_at": observed_at,
        "capacity": 10,
        "vacant": vacant,
        "occupied": 10 - vacant,
        "occupancy": 10.0 * (10 - vacant),
        "status": "spacesAvailable",
        "opening_status": "open",
        "trend": None,
        "derived": ["occupied"],
        "received_at": START,
    }


def stored(engine: Engine) -> dict[str, int]:
    table = table_of(ParkingObservation)
    with engine.connect() as conn:
        return {row.id: row.vacant for row in conn.execute(sa.select(table.c.id, table.c.vacant))}


def test_new_facts_are_all_inserted(engine: Engine) -> None:
    with engine.begin() as conn:
        counts = upsert(conn, table_of(ParkingObservation), [observation(m) for m in range(3)],
                        mode="ignore")  # fmt: skip
    assert (counts.inserted, counts.updated, counts.unchanged) == (3, 0, 0)
    assert len(stored(engine)) == 3


def test_a_batch_with_a_stored_fact_keeps_the_first_delivery_and_adds_the_rest(
    engine: Engine,
) -> None:
    table = table_of(ParkingObservation)
    with engine.begin() as conn:
        upsert(conn, table, [observation(1), observation(2)], mode="ignore")
    with engine.begin() as conn:  # 2 is stored (with another value: a fact is never rewritten)
        counts = upsert(
            conn, table, [observation(0), observation(2, vacant=9), observation(3)], mode="ignore"
        )
        # the transaction is still usable after the optimistic append gave way
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 4
    assert (counts.inserted, counts.updated, counts.unchanged) == (2, 0, 1)
    assert stored(engine) == {f"t:S1@{m:04d}": 5 for m in range(4)}


def test_a_redelivered_batch_changes_nothing(engine: Engine) -> None:
    table = table_of(ParkingObservation)
    batch = [observation(m) for m in range(5)]
    with engine.begin() as conn:
        upsert(conn, table, batch, mode="ignore")
    with engine.begin() as conn:
        counts = upsert(conn, table, batch + batch[:2], mode="ignore")
    assert (counts.inserted, counts.updated, counts.unchanged) == (0, 0, 7)
    assert len(stored(engine)) == 5
