"""Quarantine table for rejected raw records.

Revision ID: core_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.types import JsonColumnType, Timestamp

revision = "core_0001"
down_revision = None
branch_labels = ("core",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quarantine",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("pilot", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("received_at", Timestamp, nullable=False),
        sa.Column("raw", sa.String(), nullable=False),
        sa.Column("reasons", JsonColumnType, nullable=False),
        sa.Column("rules", sa.String(), nullable=False),
    )
    op.create_index("ix_quarantine_pilot", "quarantine", ["pilot"])
    op.create_index("ix_quarantine_source", "quarantine", ["source"])
    op.create_index("ix_quarantine_received_at", "quarantine", ["received_at"])


def downgrade() -> None:
    op.drop_table("quarantine")
