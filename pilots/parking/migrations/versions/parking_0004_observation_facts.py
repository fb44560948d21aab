"""Observations keep their site id without a foreign key: the check per row cost 40 % of a write.

Observations are append-only facts arriving by the hundred thousand (a DATEX II status file,
a garage feed over MQTT). PostgreSQL checks a foreign key with one lookup and one row lock on
the parent per inserted row; for ``parking_observation`` that was about 1 s of the 2.4 s
PostgreSQL spent storing 100,000 observations, and concurrent workers writing the same sites
queue on those parent-row locks. The reference is still enforced where the data comes in: the
pipeline refuses (quarantines) an observation of a site or bay it does not know, and sites and
bays are never deleted. The latest-state tables keep their foreign keys (one row per site).

Revision ID: parking_0004
Revises: parking_0003
"""

from __future__ import annotations

from alembic import op

revision = "parking_0004"
down_revision = "parking_0003"
branch_labels = None
depends_on = None

#: The constraints as the initial migrations created them, unnamed: PostgreSQL's default names,
#: and names for SQLite's batch mode, which recreates the table without them.
_NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s"}
_FACTS = (
    ("parking_observation", "site_id", "parking_site"),
    ("parking_bay_observation", "bay_id", "parking_bay"),
)


def upgrade() -> None:
    for table, column, _parent in _FACTS:
        if op.get_bind().dialect.name == "postgresql":
            op.drop_constraint(f"{table}_{column}_fkey", table, type_="foreignkey")
        else:
            with op.batch_alter_table(table, naming_convention=_NAMING) as batch:
                batch.drop_constraint(f"fk_{table}_{column}", type_="foreignkey")


def downgrade() -> None:
    for table, column, parent in _FACTS:
        name = f"{table}_{column}_fkey"
        if op.get_bind().dialect.name == "postgresql":
            op.create_foreign_key(name, table, parent, [column], ["id"])
        else:
            with op.batch_alter_table(table) as batch:
                batch.create_foreign_key(name, parent, [column], ["id"])
