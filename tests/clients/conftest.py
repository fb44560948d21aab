"""Real clients against a live server: one seeded database and server per backend.

The fixtures are package-scoped, so GDAL, OWSLib and schemathesis share a server per backend.
PostGIS is required (the tests fail, never skip, without it), as everywhere in the suite.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from core.pilot import Registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from tests.clients.live import seed_every_pilot, serve
from tests.databases import postgis_database, sqlite_url


@pytest.fixture(
    scope="package", params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)]
)
def live_url(
    request: pytest.FixtureRequest,
    registry: Registry,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The base URL of a live API over data of every pilot, on each backend."""
    scratch = tmp_path_factory.mktemp(f"live-{request.param}")
    with ExitStack() as stack:
        if request.param == "sqlite":
            database_url = sqlite_url(scratch)
        else:
            try:
                database_url = stack.enter_context(postgis_database())
            except RuntimeError as error:
                pytest.fail(f"PostGIS test database unavailable: {error}", pytrace=False)
        engine = open_database(DatabaseSettings(database_url=database_url), registry)
        try:
            seed_every_pilot(registry, engine, scratch)
        finally:
            engine.dispose()
        yield stack.enter_context(serve(database_url, scratch))


@pytest.fixture(scope="package")
def collection_ids(live_url: str) -> list[str]:
    """Every collection the live API lists."""
    body = httpx.get(f"{live_url}/collections", timeout=30).json()
    return [collection["id"] for collection in body["collections"]]
