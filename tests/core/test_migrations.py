"""The Alembic migrations create exactly the tables the models declare, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

import core.ingest.activity
import core.ingest.quarantine
import core.intake.jobs
import core.keys
import core.mqtt_access.accounts
import core.sources  # noqa: F401  (registers every core table, whatever ran before)
from core.migrate import has_schema
from core.pilot import Registry

#: Indexes the migrations create for one backend only: GIST ``ix_*_geometry`` on PostGIS,
#: ``ix_*_bbox`` on SQLite.
BACKEND_INDEX_SUFFIXES = ("_geometry", "_bbox")


def test_migrated_schema_matches_the_models(engine: Engine, registry: Registry) -> None:
    assert has_schema(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        differences = compare_metadata(context, SQLModel.metadata)
    ignored = {"spatial_ref_sys"}  # PostGIS's own table
    relevant = [
        diff for diff in differences
        if not (diff[0] == "remove_table" and diff[1].name in ignored)
        and not (diff[0] == "remove_index" and diff[1].name.endswith(BACKEND_INDEX_SUFFIXES))
    ]
    assert relevant == []
