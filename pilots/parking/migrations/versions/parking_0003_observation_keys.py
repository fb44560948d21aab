"""Observation ids in the (site, time) index: a bbox page of observations reads no table rows.

The items of ``parking-observations`` inside a bbox are the observations of the sites inside
it. A filtered page first collects the keys of all its matches (see ``api.bounded``); with
the id stored in the index the planner takes them from an index-only scan per site instead of
one table page per observation (observations of one site are spread over the whole table),
and only the hundred rows of the page are read. The index keeps its name and its key, so the
history queries that use it are unchanged. SQLite has no ``INCLUDE``; its index stays as it is.

Revision ID: parking_0003
Revises: parking_0002
"""

from __future__ import annotations

from alembic import op

revision = "parking_0003"
down_revision = "parking_0002"
branch_labels = None
depends_on = None

INDEX = "ix_parking_observation_site_time"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name="parking_observation")
    op.create_index(
        INDEX, "parking_observation", ["site_id", "observed_at"], postgresql_include=["id"]
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name="parking_observation")
    op.create_index(INDEX, "parking_observation", ["site_id", "observed_at"])
