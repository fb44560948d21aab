"""Source registry.

Revision ID: core_0002
Revises: core_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.types import JsonColumnType, Timestamp

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("pilot", sa.String(), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("topic", sa.String(), nullable=True),
        sa.Column("options", JsonColumnType, nullable=False),
        sa.Column("timezone", sa.String(), nullable=True),
        sa.Column("crs", sa.String(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("source")
