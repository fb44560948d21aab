"""Crowding levels on rolled-up counts, with the rule that decided each.

Revision ID: crowding_0003
Revises: crowding_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "crowding_0003"
down_revision = "crowding_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crowding_rollup") as table:
        table.add_column(sa.Column("level", sa.String(), nullable=True))
        table.add_column(sa.Column("level_rule", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crowding_rollup") as table:
        table.drop_column("level_rule")
        table.drop_column("level")
