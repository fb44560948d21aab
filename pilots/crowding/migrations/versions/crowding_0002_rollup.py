"""Counts rolled up into 15-minute and hourly buckets, with their coverage.

The dimensions are in the primary key, hence NOT NULL with '' for "not given": the rollup's
``INSERT .. ON CONFLICT`` needs one row per bucket and series, which NULLs in a key would break.

Revision ID: crowding_0002
Revises: crowding_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.types import Timestamp

revision = "crowding_0002"
down_revision = "crowding_0001"
branch_labels = None
depends_on = None

_DIMENSIONS = (
    "characteristic",
    "unit",
    "statistic",
    "modality",
    "direction",
    "bearing_key",
    "profile",
)


def upgrade() -> None:
    op.create_table(
        "crowding_rollup",
        # No foreign key: rows come from observations, which reference their location already.
        sa.Column("location_id", sa.String(), primary_key=True),
        sa.Column("interval_minutes", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("start", Timestamp, primary_key=True),
        *(sa.Column(name, sa.String(), primary_key=True) for name in _DIMENSIONS),
        sa.Column("end", Timestamp, nullable=False),
        sa.Column("value", sa.Float()),
        sa.Column("coverage", sa.Float()),
        sa.Column("inputs", sa.Integer(), nullable=False),
        sa.Column("estimated", sa.Boolean(), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
    )
    op.create_index(
        "ix_crowding_rollup_location_start", "crowding_rollup", ["location_id", "start"]
    )


def downgrade() -> None:
    op.drop_index("ix_crowding_rollup_location_start", table_name="crowding_rollup")
    op.drop_table("crowding_rollup")
