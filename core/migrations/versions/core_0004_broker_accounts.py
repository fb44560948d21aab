"""Broker accounts: MQTT user names, roles and Mosquitto password hashes.

Revision ID: core_0004
Revises: core_0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.types import Timestamp

revision = "core_0004"
down_revision = "core_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "broker_account",
        sa.Column("username", sa.String(), primary_key=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("password_set_at", Timestamp, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("broker_account")
