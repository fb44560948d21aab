"""Migration parking_0003: the observation id rides in the (site, time) index on PostGIS."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Engine

INDEX = "ix_parking_observation_site_time"


def test_the_site_time_index_carries_the_observation_id(engine: Engine) -> None:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            definition = conn.execute(
                sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
                {"name": INDEX},
            ).scalar_one()
            assert definition.endswith("(site_id, observed_at) INCLUDE (id)")
        else:  # SQLite has no INCLUDE: the index keeps its key only
            columns = conn.exec_driver_sql(f"PRAGMA index_info({INDEX})").fetchall()
            assert [row[2] for row in columns] == ["site_id", "observed_at"]
