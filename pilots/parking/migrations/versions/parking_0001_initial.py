"""Parking sites, observations and latest state.

Revision ID: parking_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.geometry_type import Geometry
from core.types import JsonColumnType, Timestamp

revision = "parking_0001"
down_revision = None
branch_labels = ("parking",)
depends_on = "core_0001"

_STATE_COLUMNS = (
    ("capacity", sa.Integer()),
    ("vacant", sa.Integer()),
    ("occupied", sa.Integer()),
    ("occupancy", sa.Float()),
    ("status", sa.String()),
    ("opening_status", sa.String()),
    ("trend", sa.String()),
)


def _state_columns() -> list[sa.Column[object]]:
    return [sa.Column(name, kind, nullable=True) for name, kind in _STATE_COLUMNS]


def upgrade() -> None:
    op.create_table(
        "parking_site",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("native_id", sa.String(), nullable=False),
        sa.Column("name", sa.String()),
        sa.Column("type", sa.String()),
        sa.Column("capacity", sa.Integer()),
        sa.Column("operator", sa.String()),
        sa.Column("city", sa.String()),
        sa.Column("address", sa.String()),
        sa.Column("opening_info", sa.String()),
        sa.Column("free_parking", sa.Boolean()),
        sa.Column("url", sa.String()),
        sa.Column("description", sa.String()),
        sa.Column("uri", sa.String()),
        sa.Column("geometry", Geometry(), nullable=False),
        sa.Column("minx", sa.Float(), nullable=False),
        sa.Column("miny", sa.Float(), nullable=False),
        sa.Column("maxx", sa.Float(), nullable=False),
        sa.Column("maxy", sa.Float(), nullable=False),
        sa.Column("derived", JsonColumnType, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
    )
    op.create_index("ix_parking_site_source", "parking_site", ["source"])
    op.create_index("ix_parking_site_city", "parking_site", ["city"])
    op.create_table(
        "parking_observation",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("site_id", sa.String(), sa.ForeignKey("parking_site.id"), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("observed_at", Timestamp, nullable=False),
        *_state_columns(),
        sa.Column("derived", JsonColumnType, nullable=False),
        sa.Column("received_at", Timestamp, nullable=False),
    )
    op.create_index("ix_parking_observation_observed_at", "parking_observation", ["observed_at"])
    op.create_index(
        "ix_parking_observation_site_time", "parking_observation", ["site_id", "observed_at"]
    )
    op.create_table(
        "parking_site_state",
        sa.Column("site_id", sa.String(), sa.ForeignKey("parking_site.id"), primary_key=True),
        sa.Column("observation_id", sa.String(), nullable=False),
        sa.Column("observed_at", Timestamp, nullable=False),
        *_state_columns(),
        sa.Column("derived", JsonColumnType, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_parking_site_geometry", "parking_site", ["geometry"], postgresql_using="gist"
        )
    else:
        op.create_index("ix_parking_site_bbox", "parking_site", ["minx", "maxx", "miny", "maxy"])


def downgrade() -> None:
    op.drop_table("parking_site_state")
    op.drop_table("parking_observation")
    op.drop_table("parking_site")
