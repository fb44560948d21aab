"""Fixtures for the write side of the API: an app per test on each backend, keys and sources.

Each test gets a fresh database (SQLite, and PostGIS which fails rather than skips when it is
unreachable) and its own upload folder, so uploads and replays never see another test's files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.keys import create_key
from core.pilot import Registry
from core.runtime import open_database
from core.settings import DatabaseSettings, IntakeSettings
from core.sources import Source, add_source
from tests.api.conftest import api_settings

UPLOAD_LIMIT = 64 * 1024
PUSH_LIMIT = 16 * 1024


@dataclass(frozen=True)
class Actors:
    """The keys of the permission matrix; ``None`` is the anonymous caller."""

    admin: str  # city-admin of gent
    supplier: str  # supplier of gent's source "garages"
    other_supplier: str  # supplier of gent's source "bays"
    other_admin: str  # city-admin of antwerpen

    def headers(self, who: str | None) -> dict[str, str]:
        if who is None:
            return {}
        return {"X-API-Key": getattr(self, who)}


@pytest.fixture
def app_client(database_url: str, registry: Registry, tmp_path: Path) -> Iterator[TestClient]:
    intake = IntakeSettings(
        upload_dir=str(tmp_path / "uploads"),
        max_upload_bytes=UPLOAD_LIMIT,
        max_push_bytes=PUSH_LIMIT,
    )
    app = create_app(api_settings(), DatabaseSettings(database_url=database_url), registry, intake)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def actors(app_client: TestClient, database_url: str, registry: Registry) -> Actors:
    """Two gent sources with a supplier key each, a gent admin key, an antwerpen admin key."""
    engine = open_database(DatabaseSettings(database_url=database_url), registry)
    try:
        for source_id in ("garages", "bays"):
            add_source(
                engine,
                registry,
                Source(
                    id=source_id,
                    pilot="parking",
                    format="json",
                    city="gent",
                    supplier=f"{source_id}-supplier",
                ),
            )
        return Actors(
            admin=create_key(engine, "city-admin", "gent").secret,
            supplier=create_key(engine, "supplier", "gent", ["garages"]).secret,
            other_supplier=create_key(engine, "supplier", "gent", ["bays"]).secret,
            other_admin=create_key(engine, "city-admin", "antwerpen").secret,
        )
    finally:
        engine.dispose()
