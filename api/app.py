"""The application factory: ``create_app(settings)`` wires routers, errors and the lifespan.

Nothing here opens a connection or reads the environment when imported; the lifespan opens
(and migrates) the database, loads the pilot registry when none is given, and builds the
catalogue into ``app.state``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api.catalogue import Catalogue
from api.errors import install_error_handlers
from api.routes import collections, items, landing, validate
from core.pilot import Registry, load_registry
from core.runtime import open_database
from core.settings import ApiSettings, DatabaseSettings

#: FastAPI writes OpenAPI 3.1; the routes avoid 3.1-only constructs so the document is also
#: valid 3.0 (checked by the tests), which the OGC "oas30" conformance class asks for.
OPENAPI_VERSION = "3.0.3"


def create_app(
    settings: ApiSettings,
    database: DatabaseSettings | None = None,
    registry: Registry | None = None,
) -> FastAPI:
    """The OGC API - Features app; ``database``/``registry`` default to the environment's."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pilots = registry if registry is not None else await run_in_threadpool(load_registry)
        database_settings = database if database is not None else DatabaseSettings()
        engine = await run_in_threadpool(open_database, database_settings, pilots)
        app.state.registry = pilots
        app.state.engine = engine
        app.state.catalogue = Catalogue.from_registry(pilots)
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title=settings.title,
        version=_version(),
        description="OGC API - Features over the harmonised data of every installed pilot.",
        lifespan=lifespan,
    )
    app.openapi_version = OPENAPI_VERSION
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(landing.router())
    app.include_router(collections.router())
    app.include_router(items.router(settings))
    app.include_router(validate.router(settings))
    return app


def _version() -> str:
    try:
        return version("stadspuls")
    except PackageNotFoundError:
        return "0.0.0"
