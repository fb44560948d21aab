"""Schema migrations with Alembic, assembled from core's and every pilot's version folders.

Each pilot keeps its revisions in its own branch (labelled with the pilot id) that depends on
core's, so installing a fourth pilot adds tables without touching core's history.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

from core.pilot import Registry

_MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(registry: Registry) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    locations = [str(_MIGRATIONS / "versions")]
    locations += [str(p.migrations) for p in registry if p.migrations is not None]
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(locations))
    return config


def upgrade(engine: Engine, registry: Registry) -> None:
    """Bring the database to the newest revision of core and of every installed pilot."""
    config = alembic_config(registry)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")


def has_schema(engine: Engine) -> bool:
    """True when migrations have run at least once (used by read-only commands)."""
    return inspect(engine).has_table("alembic_version")
