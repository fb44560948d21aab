"""The application factory: ``create_app(settings)`` wires routers, errors and the lifespan.

Nothing here opens a connection or reads the environment when imported; the lifespan opens
(and migrates) the database, loads the pilot registry when none is given, and builds the
catalogue into ``app.state``.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES

from api.catalogue import Catalogue
from api.errors import install_error_handlers
from api.hot_routes import HotRoutes
from api.http_cache import ConditionalGetMiddleware
from api.middleware import GzipWhenAccepted, OpenCors
from api.openapi import install_openapi_30
from api.pg_reads import AsyncReads
from api.request_guard import RejectNulCharacters
from api.routes import (
    catalog,
    collections,
    download,
    history,
    items,
    jobs,
    keys,
    landing,
    sources,
    validate,
)
from api.web import router as web_router
from core.db import is_postgres
from core.intake.jobs import run_job_logged, unfinished_jobs
from core.pilot import Registry, load_registry
from core.runtime import open_database
from core.settings import ApiSettings, DatabaseSettings, IntakeSettings

#: FastAPI writes OpenAPI 3.1; the routes avoid 3.1-only constructs so the document is also
#: valid 3.0 (checked by the tests), which the OGC "oas30" conformance class asks for.
OPENAPI_VERSION = "3.0.3"


def create_app(
    settings: ApiSettings,
    database: DatabaseSettings | None = None,
    registry: Registry | None = None,
    intake: IntakeSettings | None = None,
    *,
    freeze_gc: bool = False,
) -> FastAPI:
    """The OGC API - Features app; ``database``/``registry`` default to the environment's.

    ``freeze_gc``: once started, move everything alive into the garbage collector's permanent
    generation (:func:`gc.freeze`). The app, its pilots and libraries are some 200,000 objects
    that live as long as the process; a full collection walked them all, a pause of tens of
    milliseconds in the middle of some request. For a serving process, not for tests that
    build many apps in one process (frozen objects are never collected).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pilots = registry if registry is not None else await run_in_threadpool(load_registry)
        database_settings = database if database is not None else DatabaseSettings()
        engine = await run_in_threadpool(open_database, database_settings, pilots)
        app.state.registry = pilots
        app.state.engine = engine
        app.state.catalogue = Catalogue.from_registry(pilots)
        app.state.reads = async_reads(engine, database_settings)
        for job_id in await run_in_threadpool(unfinished_jobs, engine):  # cut off by a stop
            asyncio.get_running_loop().run_in_executor(
                None, run_job_logged, engine, pilots, job_id
            )
        if freeze_gc:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if app.state.reads is not None:
                await app.state.reads.close()
            engine.dispose()

    app = FastAPI(
        title=settings.title,
        version=_version(),
        description="OGC API - Features over the harmonised data of every installed pilot.",
        lifespan=lifespan,
    )
    app.openapi_version = OPENAPI_VERSION
    app.state.settings = settings
    app.state.intake = intake if intake is not None else IntakeSettings()
    install_error_handlers(app)
    install_http_middleware(app, settings)
    app.include_router(landing.router())
    app.include_router(collections.router())
    app.include_router(items.router(settings))
    app.include_router(history.router())
    app.include_router(download.router())
    app.include_router(sources.router())
    app.include_router(jobs.router())
    app.include_router(keys.router())
    app.include_router(validate.router(settings))
    app.include_router(catalog.router())
    app.include_router(web_router())  # the web interface for people, under /web
    install_openapi_30(app, OPENAPI_VERSION)
    return app


#: Media types whose bodies are compressed already (GeoParquet's column chunks are zstd).
ALREADY_COMPRESSED = ("application/vnd.apache.parquet",)
#: Response headers a browser script may read across origins.
EXPOSED_HEADERS = ["ETag", "Last-Modified", "Link", "Content-Crs", "Cache-Control"]


def install_http_middleware(app: FastAPI, settings: ApiSettings) -> None:
    """The two busiest routes' shortcut innermost (:mod:`api.hot_routes`), then the NUL guard,
    then validators and 304s (over the exact bytes), then CORS, then gzip outermost.

    Reading open data needs no credentials, so GET is allowed from any origin.
    """
    app.add_middleware(HotRoutes)
    app.add_middleware(RejectNulCharacters)
    app.add_middleware(ConditionalGetMiddleware, default_max_age=settings.api_max_age)
    app.add_middleware(
        OpenCors,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "If-None-Match", "If-Modified-Since"],
        expose_headers=EXPOSED_HEADERS,
        max_age=86_400,
    )
    app.add_middleware(
        GzipWhenAccepted,
        minimum_size=1024,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, *ALREADY_COMPRESSED),
    )


def async_reads(engine: Engine, settings: DatabaseSettings) -> AsyncReads | None:
    """The event loop's own connections for one-feature reads, on PostgreSQL only."""
    if not is_postgres(engine):
        return None
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return AsyncReads(conninfo, settings.pool_size)


def _version() -> str:
    try:
        return version("stadspuls")
    except PackageNotFoundError:
        return "0.0.0"
