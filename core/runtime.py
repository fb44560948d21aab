"""Opening the things every command needs: the pilot registry and a migrated database."""

from __future__ import annotations

from sqlalchemy import Engine

from core.db import make_engine
from core.migrate import has_schema, upgrade
from core.pilot import Registry
from core.settings import DatabaseSettings


def open_database(
    settings: DatabaseSettings, registry: Registry, *, migrate: bool = True
) -> Engine:
    """An engine on the configured database, brought up to date when ``migrate`` is set."""
    engine = make_engine(
        settings.database_url,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_max_overflow,
    )
    if migrate:
        upgrade(engine, registry)
    return engine


def open_read_only(settings: DatabaseSettings) -> Engine | None:
    """The database for look-ups only, or None when it has no schema yet (nothing is created)."""
    url = settings.database_url
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        from pathlib import Path

        if not Path(url.removeprefix("sqlite:///")).exists():
            return None
    engine = make_engine(url)
    return engine if has_schema(engine) else None
