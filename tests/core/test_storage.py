"""Idempotent batched upserts: fact rows (``ignore``) are appended optimistically on PostGIS.

A batch of new observations goes straight into the table; a batch holding any stored id must
leave nothing half-written and still count exactly what is new, on both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from core.column_rows import RowColumns, joined
from core.copying import encode_rows
from core.pilot import Registry
from core.runtime import open_database
from core.settings import DatabaseSettings
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


def as_columns(rows: list[dict[str, Any]]) -> RowColumns:
    return RowColumns({name: [row[name] for row in rows] for name in rows[0]}, len(rows))


def everything(engine: Engine) -> list[tuple[Any, ...]]:
    table = table_of(ParkingObservation)
    columns = [column for column in table.columns if column.name != "received_at"]
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.select(*columns).order_by(table.c.id))]


def test_rows_as_columns_store_exactly_what_dict_rows_store(
    engine: Engine, tmp_path: Path, registry: Registry
) -> None:
    """A block's rows (columns, formatted for COPY on the checking thread or not) and the same
    rows as dicts give the same table, on both backends; joined blocks too."""
    table = table_of(ParkingObservation)
    rows = [observation(m, vacant=m % 10) for m in range(40)]
    rows[3]["trend"], rows[4]["occupancy"], rows[5]["derived"] = "increasing", None, []
    with engine.begin() as conn:
        encoded = joined(
            [encode_rows(conn, table, as_columns(part)) for part in (rows[:15], rows[15:30])]
        )
        assert (encoded.copy_data is not None) is (conn.dialect.name == "postgresql")
        counts = upsert(conn, table, encoded, mode="ignore")
        counts.add(upsert(conn, table, as_columns(rows[30:]), mode="ignore"))  # not formatted
    assert counts.inserted == 40
    reference = open_database(
        DatabaseSettings(database_url=f"sqlite:///{tmp_path / 'dicts.db'}"), registry
    )
    with reference.begin() as conn:
        upsert(conn, table, rows, mode="ignore")
    assert everything(engine) == everything(reference)
    reference.dispose()


def test_a_block_with_a_stored_or_repeated_id_is_counted_like_dict_rows(engine: Engine) -> None:
    table = table_of(ParkingObservation)
    with engine.begin() as conn:
        upsert(conn, table, [observation(1)], mode="ignore")
    block = [observation(0), observation(1, vacant=9), observation(2), observation(2)]
    with engine.begin() as conn:
        counts = upsert(conn, table, encode_rows(conn, table, as_columns(block)), mode="ignore")
    assert (counts.inserted, counts.updated, counts.unchanged) == (2, 0, 2)
    assert stored(engine) == {"t:S1@0000": 5, "t:S1@0001": 5, "t:S1@0002": 5}


def test_row_columns_give_rows_newest_per_key_and_join() -> None:
    rows = [observation(m) for m in (3, 1, 2)]
    rows[2]["site_id"] = "t:S2"
    block = as_columns(rows)
    assert block.dicts() == rows
    assert [row["id"] for row in block.newest("site_id", "observed_at")] == [
        "t:S1@0003", "t:S1@0002"
    ]
    assert block.distinct("id") and not joined([block, block]).distinct("id")
    both = joined([block, RowColumns({"id": ["x"]}, 1)])
    assert len(both) == 4 and both.columns["vacant"][-1] is None and both.copy_data is None
