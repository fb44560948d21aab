"""API fixtures: one seeded database per test module and backend, and a client on it.

``api_database_url`` is parametrised over SQLite and PostGIS. The API only reads, so the data
is ingested once per module; the PostGIS database is created fresh (``stadspuls_test_<random>``
on ``STADSPULS_TEST_POSTGRES_URL``) and dropped afterwards. When the server or PostGIS is
unreachable the PostGIS tests fail, never skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from core.pilot import Registry
from core.runtime import open_database
from core.settings import ApiSettings, DatabaseSettings
from tests.api.seed import seed
from tests.databases import postgis_database, sqlite_url

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000


def _fresh_postgis(stack: ExitStack) -> str:
    """A new PostGIS database, dropped when ``stack`` closes; unreachable fails, never skips."""
    try:
        return stack.enter_context(postgis_database())
    except RuntimeError as error:
        pytest.fail(f"PostGIS test database unavailable: {error}", pytrace=False)


def api_settings(public_url: str | None = None) -> ApiSettings:
    """Explicit values, so a developer's STADSPULS_* environment cannot change the tests."""
    return ApiSettings(
        public_url=public_url,
        title="Stadspuls test API",
        default_limit=DEFAULT_LIMIT,
        max_limit=MAX_LIMIT,
        licence="CC0-1.0",
    )


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)]
)
def api_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, empty database for one test module, on each backend."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path_factory.mktemp("api-sqlite"))
        return
    with ExitStack() as stack:
        yield _fresh_postgis(stack)


@pytest.fixture(scope="module")
def postgis_database_url() -> Iterator[str]:
    """A fresh PostGIS database for one module; a module that tests a PostgreSQL-only path
    makes it its ``api_database_url``."""
    with ExitStack() as stack:
        yield _fresh_postgis(stack)


@pytest.fixture(scope="module")
def seeded_engine(seeded_database_url: str, registry: Registry) -> Iterator[Engine]:
    """An engine on the module's seeded database."""
    engine = open_database(DatabaseSettings(database_url=seeded_database_url), registry)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def seeded_database_url(
    api_database_url: str, registry: Registry, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """The module's database, migrated and holding the test data of :mod:`tests.api.seed`."""
    engine = open_database(DatabaseSettings(database_url=api_database_url), registry)
    try:
        seed(registry.get("parking"), engine, tmp_path_factory.mktemp("api-seed"))
    finally:
        engine.dispose()
    return api_database_url


@pytest.fixture(scope="module")
def client(seeded_database_url: str, registry: Registry) -> Iterator[TestClient]:
    """A client of the app on the seeded database (the lifespan runs: engine, catalogue)."""
    app = create_app(api_settings(), DatabaseSettings(database_url=seeded_database_url), registry)
    with TestClient(app) as test_client:
        yield test_client
