"""Test databases: a fresh SQLite file, or a fresh PostgreSQL database with PostGIS.

The PostGIS server comes from ``STADSPULS_TEST_POSTGRES_URL`` (default: the local server with
trust auth). When it is unreachable the tests that need it fail with a clear message; they are
never skipped, so CI cannot turn green without exercising the production stack.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def server_url() -> str:
    return os.environ.get("STADSPULS_TEST_POSTGRES_URL", DEFAULT_SERVER)


@contextmanager
def postgis_database() -> Iterator[str]:
    """Create ``stadspuls_test_<random>`` with PostGIS; drop it afterwards. Yields its URL."""
    server = make_url(server_url())
    name = f"stadspuls_test_{uuid.uuid4().hex[:12]}"
    admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        admin = psycopg.connect(admin_dsn, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        raise RuntimeError(
            f"PostgreSQL at {server.host}:{server.port} is unreachable ({error}); the PostGIS "
            "tests need it: start it or set STADSPULS_TEST_POSTGRES_URL"
        ) from None
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name, drivername="postgresql+psycopg")
    try:
        with psycopg.connect(
            url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
        ) as conn:
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            except psycopg.Error as error:
                raise RuntimeError(
                    f"the PostGIS extension is not available on {server.host} ({error}); "
                    "install postgresql-<major>-postgis-3"
                ) from None
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'stadspuls.db'}"
