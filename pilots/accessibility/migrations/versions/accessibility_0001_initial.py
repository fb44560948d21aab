"""Accessibility: records per source and the merged, assessed buildings.

Revision ID: accessibility_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.geometry_type import Geometry
from core.types import JsonColumnType, Timestamp

revision = "accessibility_0001"
down_revision = None
branch_labels = ("accessibility",)
depends_on = "core_0001"

_PROFILES = ("wheelchair", "wheelchair_assisted", "reduced_mobility", "blind", "deaf")


def _located() -> list[sa.Column[object]]:
    return [
        sa.Column("name", sa.String()),
        sa.Column("address", sa.String()),
        sa.Column("city", sa.String()),
        sa.Column("service_kind", sa.String()),
        sa.Column("address_uri", sa.String()),
        sa.Column("osm_id", sa.String()),
        sa.Column("geometry", Geometry(), nullable=False),
        sa.Column("minx", sa.Float(), nullable=False),
        sa.Column("miny", sa.Float(), nullable=False),
        sa.Column("maxx", sa.Float(), nullable=False),
        sa.Column("maxy", sa.Float(), nullable=False),
    ]


def _spatial_index(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(f"ix_{table}_geometry", table, ["geometry"], postgresql_using="gist")
    else:
        op.create_index(f"ix_{table}_bbox", table, ["minx", "maxx", "miny", "maxy"])


def upgrade() -> None:
    op.create_table(
        "accessibility_record",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("native_id", sa.String(), nullable=False),
        sa.Column("building_id", sa.String()),
        *_located(),
        sa.Column("observed_at", Timestamp, nullable=True),
        sa.Column("measurements", JsonColumnType, nullable=False),
        sa.Column("derived", JsonColumnType, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
    )
    for column in ("source", "building_id", "address_uri", "osm_id"):
        op.create_index(f"ix_accessibility_record_{column}", "accessibility_record", [column])
    _spatial_index("accessibility_record")
    op.create_table(
        "accessibility_building",
        sa.Column("id", sa.String(), primary_key=True),
        *_located(),
        *(sa.Column(profile, sa.String(), nullable=False) for profile in _PROFILES),
        sa.Column("measurements", JsonColumnType, nullable=False),
        sa.Column("criteria", JsonColumnType, nullable=False),
        sa.Column("profiles", JsonColumnType, nullable=False),
        sa.Column("conflicts", JsonColumnType, nullable=False),
        sa.Column("sources", JsonColumnType, nullable=False),
        sa.Column("observed_at", Timestamp, nullable=True),
        sa.Column("updated_at", Timestamp, nullable=False),
    )
    op.create_index("ix_accessibility_building_city", "accessibility_building", ["city"])
    for profile in _PROFILES:
        op.create_index(
            f"ix_accessibility_building_{profile}", "accessibility_building", [profile]
        )
    _spatial_index("accessibility_building")


def downgrade() -> None:
    op.drop_table("accessibility_building")
    op.drop_table("accessibility_record")
