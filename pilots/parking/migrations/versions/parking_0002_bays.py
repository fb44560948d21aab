"""On-street parking bays, their states and latest state.

Revision ID: parking_0002
Revises: parking_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.geometry_type import Geometry
from core.types import Timestamp

revision = "parking_0002"
down_revision = "parking_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "parking_bay",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("native_id", sa.String(), nullable=False),
        sa.Column("zone_id", sa.String(), sa.ForeignKey("parking_site.id"), nullable=True),
        sa.Column("device", sa.String()),
        sa.Column("geometry", Geometry(), nullable=True),
        sa.Column("minx", sa.Float()),
        sa.Column("miny", sa.Float()),
        sa.Column("maxx", sa.Float()),
        sa.Column("maxy", sa.Float()),
        sa.Column("updated_at", Timestamp, nullable=False),
    )
    op.create_index("ix_parking_bay_source", "parking_bay", ["source"])
    op.create_index("ix_parking_bay_zone_id", "parking_bay", ["zone_id"])
    op.create_table(
        "parking_bay_observation",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("bay_id", sa.String(), sa.ForeignKey("parking_bay.id"), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("observed_at", Timestamp, nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("received_at", Timestamp, nullable=False),
    )
    op.create_index(
        "ix_parking_bay_observation_observed_at", "parking_bay_observation", ["observed_at"]
    )
    op.create_index(
        "ix_parking_bay_observation_bay_time", "parking_bay_observation", ["bay_id", "observed_at"]
    )
    op.create_table(
        "parking_bay_state",
        sa.Column("bay_id", sa.String(), sa.ForeignKey("parking_bay.id"), primary_key=True),
        sa.Column("observation_id", sa.String(), nullable=False),
        sa.Column("observed_at", Timestamp, nullable=False),
        sa.Column("status", sa.String(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_parking_bay_geometry", "parking_bay", ["geometry"], postgresql_using="gist"
        )
    else:
        op.create_index("ix_parking_bay_bbox", "parking_bay", ["minx", "maxx", "miny", "maxy"])


def downgrade() -> None:
    op.drop_table("parking_bay_state")
    op.drop_table("parking_bay_observation")
    op.drop_table("parking_bay")
