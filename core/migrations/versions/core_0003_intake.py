"""Source registry for suppliers and cities, API keys, upload jobs, quarantine replay.

Revision ID: core_0003
Revises: core_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.types import JsonColumnType, Timestamp

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source") as source:
        source.add_column(sa.Column("supplier", sa.String(), nullable=True))
        source.add_column(sa.Column("city", sa.String(), nullable=True))
        source.add_column(sa.Column("licence", sa.String(), nullable=True))
        source.add_column(sa.Column("delivery", JsonColumnType, nullable=True))
        source.add_column(sa.Column("updated_at", Timestamp, nullable=True))
    op.create_index("ix_source_city", "source", ["city"])
    with op.batch_alter_table("quarantine") as quarantine:
        quarantine.add_column(sa.Column("resolved_at", Timestamp, nullable=True))
        quarantine.add_column(sa.Column("replayed_at", Timestamp, nullable=True))
    op.create_table(
        "api_key",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("secret_hash", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("city", sa.String(), nullable=False, index=True),
        sa.Column("sources", JsonColumnType, nullable=False),
        sa.Column("label", sa.String(), nullable=True),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("revoked_at", Timestamp, nullable=True),
    )
    op.create_table(
        "source_activity",
        sa.Column("source", sa.String(), primary_key=True),
        sa.Column("hour", Timestamp, primary_key=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("quarantined", sa.Integer(), nullable=False),
        sa.Column("last_received_at", Timestamp, nullable=False),
    )
    op.create_table(
        "ingest_job",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("source", sa.String(), nullable=False, index=True),
        sa.Column("key_id", sa.String(), nullable=True),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("records_read", sa.Integer(), nullable=False),
        sa.Column("summary", JsonColumnType, nullable=True),
        sa.Column("report", JsonColumnType, nullable=True),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("started_at", Timestamp, nullable=True),
        sa.Column("finished_at", Timestamp, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("ingest_job")
    op.drop_table("source_activity")
    op.drop_table("api_key")
    with op.batch_alter_table("quarantine") as quarantine:
        quarantine.drop_column("replayed_at")
        quarantine.drop_column("resolved_at")
    op.drop_index("ix_source_city", "source")
    with op.batch_alter_table("source") as source:
        for column in ("updated_at", "delivery", "licence", "city", "supplier"):
            source.drop_column(column)
