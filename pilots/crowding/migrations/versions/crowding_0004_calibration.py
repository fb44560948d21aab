"""Calibration factors between a location and the one it replaces.

Revision ID: crowding_0004
Revises: crowding_0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.types import Timestamp

revision = "crowding_0004"
down_revision = "crowding_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crowding_calibration",
        sa.Column(
            "location_id", sa.String(), sa.ForeignKey("crowding_location.id"), primary_key=True
        ),
        sa.Column(
            "reference_location_id",
            sa.String(),
            sa.ForeignKey("crowding_location.id"),
            nullable=False,
        ),
        sa.Column("overlap_start", Timestamp, nullable=False),
        sa.Column("overlap_end", Timestamp, nullable=False),
        sa.Column("factor", sa.Float(), nullable=False),
        sa.Column("factor_low", sa.Float(), nullable=False),
        sa.Column("factor_high", sa.Float(), nullable=False),
        sa.Column("pairs", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("crowding_calibration")
