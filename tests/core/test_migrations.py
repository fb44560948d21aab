"""The Alembic migrations create exactly the tables the models declare, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

import core.ingest.quarantine  # noqa: F401  (registers the quarantine table)
from core.migrate import has_schema
from core.pilot import Registry

#: Indexes the migrations create for one backend only (GIST on PostGIS, bbox on SQLite).
BACKEND_INDEXES = {
    "ix_parking_site_geometry",
    "ix_parking_site_bbox",
    "ix_parking_bay_geometry",
    "ix_parking_bay_bbox",
}


def test_migrated_schema_matches_the_models(engine: Engine, registry: Registry) -> None:
    assert has_schema(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        differences = compare_metadata(context, SQLModel.metadata)
    ignored = {"spatial_ref_sys"}  # PostGIS's own table
    relevant = [
        diff for diff in differences
        if not (diff[0] == "remove_table" and diff[1].name in ignored)
        and not (diff[0] == "remove_index" and diff[1].name in BACKEND_INDEXES)
    ]
    assert relevant == []
