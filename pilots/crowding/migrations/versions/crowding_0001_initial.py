"""Crowding locations, counts and latest state.

Revision ID: crowding_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.geometry_type import Geometry
from core.types import JsonColumnType, Timestamp

revision = "crowding_0001"
down_revision = None
branch_labels = ("crowding",)
depends_on = "core_0001"


def _count_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("characteristic", sa.String(), nullable=False),
        sa.Column("count_type", sa.String(), nullable=False),
        sa.Column("value", sa.Float()),
        sa.Column("unit", sa.String()),
        sa.Column("statistic", sa.String()),
        sa.Column("modality", sa.String()),
        sa.Column("direction", sa.String()),
        sa.Column("bearing", sa.Float()),
        sa.Column("profile", sa.String()),
        sa.Column("technique", sa.String()),
        sa.Column("accuracy", sa.Float()),
        sa.Column("coverage", sa.Float()),
        sa.Column("estimated", sa.Boolean()),
        sa.Column("level", sa.String()),
    ]


def upgrade() -> None:
    op.create_table(
        "crowding_location",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("native_id", sa.String(), nullable=False),
        sa.Column("name", sa.String()),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("geometry", Geometry(), nullable=False),
        sa.Column("minx", sa.Float(), nullable=False),
        sa.Column("miny", sa.Float(), nullable=False),
        sa.Column("maxx", sa.Float(), nullable=False),
        sa.Column("maxy", sa.Float(), nullable=False),
        sa.Column("positive_bearing", sa.Float()),
        sa.Column("area", sa.Float()),
        sa.Column("technique", sa.String()),
        sa.Column("capacity", sa.Integer()),
        sa.Column("city", sa.String()),
        sa.Column("derived", JsonColumnType, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
    )
    op.create_index("ix_crowding_location_source", "crowding_location", ["source"])
    op.create_table(
        "crowding_observation",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column(
            "location_id", sa.String(), sa.ForeignKey("crowding_location.id"), nullable=False
        ),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("start", Timestamp, nullable=False),
        sa.Column("end", Timestamp, nullable=True),
        *_count_columns(),
        sa.Column("derived", JsonColumnType, nullable=False),
        sa.Column("received_at", Timestamp, nullable=False),
    )
    op.create_index("ix_crowding_observation_start", "crowding_observation", ["start"])
    op.create_index(
        "ix_crowding_observation_location_start", "crowding_observation", ["location_id", "start"]
    )
    op.create_table(
        "crowding_location_state",
        sa.Column(
            "location_id", sa.String(), sa.ForeignKey("crowding_location.id"), primary_key=True
        ),
        sa.Column("observation_id", sa.String(), nullable=False),
        sa.Column("start", Timestamp, nullable=False),
        sa.Column("end", Timestamp, nullable=True),
        *_count_columns(),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_crowding_location_geometry",
            "crowding_location",
            ["geometry"],
            postgresql_using="gist",
        )
    else:
        op.create_index(
            "ix_crowding_location_bbox", "crowding_location", ["minx", "maxx", "miny", "maxy"]
        )


def downgrade() -> None:
    op.drop_table("crowding_location_state")
    op.drop_table("crowding_observation")
    op.drop_table("crowding_location")
