"""Per source and hour: how many records were stored and quarantined, and when the last came.

Kept up to date by every pipeline write (files, pushes, MQTT batches alike), one upsert per
batch, so a source's health is read from a few dozen small rows instead of by counting the
pilot's observation tables, which grow without bound.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from core.storage import table_of
from core.types import Timestamp


class SourceActivity(SQLModel, table=True):
    __tablename__ = "source_activity"

    source: str = Field(primary_key=True)
    hour: datetime = Field(sa_column=Column(Timestamp, primary_key=True))
    records: int = 0
    quarantined: int = 0
    last_received_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))


def activity_table() -> sa.Table:
    return table_of(SourceActivity)


def record_activity(
    conn: Connection, source: str, received_at: datetime, records: int, quarantined: int
) -> None:
    """Add one batch's counts to its source's hour (in the batch's own transaction)."""
    if not records and not quarantined:
        return
    table = activity_table()
    hour = received_at.replace(minute=0, second=0, microsecond=0)
    insert = postgres_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(
        source=source,
        hour=hour,
        records=records,
        quarantined=quarantined,
        last_received_at=received_at,
    )
    later = sa.func.max if conn.dialect.name == "sqlite" else sa.func.greatest  # 2-arg max
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["source", "hour"],
            set_={
                "records": table.c.records + statement.excluded.records,
                "quarantined": table.c.quarantined + statement.excluded.quarantined,
                "last_received_at": later(
                    table.c.last_received_at, statement.excluded.last_received_at
                ),
            },
        )
    )
