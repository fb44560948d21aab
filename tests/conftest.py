"""Shared fixtures: the pilot registry and databases on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from core.ingest.blocks import LaneOutcome
from core.pilot import Pilot, Registry, load_registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from tests.databases import postgis_database, sqlite_url

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="session")
def parking(registry: Registry) -> Pilot:
    return registry.get("parking")


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database per test, on each backend."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
    else:
        with postgis_database() as url:
            yield url


@pytest.fixture
def lane_takes(parking: Pilot, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many records the parking observation lane accepts, call by call (a spy on it)."""
    taken: list[int] = []
    lane = parking.lanes["observation"]

    def spy(*args: Any) -> LaneOutcome:
        found = lane(*args)
        taken.append(sum(found.accepted))
        return found

    monkeypatch.setitem(parking.lanes, "observation", spy)  # type: ignore[arg-type]
    return taken


@pytest.fixture
def engine(database_url: str, registry: Registry) -> Iterator[Engine]:
    """A migrated engine on a fresh database of each backend."""
    engine = open_database(DatabaseSettings(database_url=database_url), registry)
    yield engine
    engine.dispose()
