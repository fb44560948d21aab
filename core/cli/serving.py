"""Commands that run the service: ``serve`` and ``demo``.

The API package is imported inside the commands, so the ingestion commands start fast and a
worker without the web stack still runs.
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from core.cli.main import fail
from core.errors import StadspulsError
from core.ingest.files import FileJob, process_file
from core.pilot import Registry, load_registry
from core.runtime import open_database
from core.settings import ApiSettings, DatabaseSettings

HostOption = Annotated[str | None, typer.Option(help="interface to listen on")]
PortOption = Annotated[int | None, typer.Option(help="port to listen on")]


def _run(api: ApiSettings, database: DatabaseSettings) -> None:
    import uvicorn

    from api.app import create_app

    typer.echo(f"Stadspuls API on http://{api.host}:{api.port}/  (OpenAPI: /openapi.json)")
    app = create_app(api, database, freeze_gc=True)  # a serving process, like api.asgi
    uvicorn.run(app, host=api.host, port=api.port, log_level="warning")


def load_demo_data(engine: Engine, registry: Registry) -> int:
    """Ingest every pilot's shipped sample files; returns the number of records read."""
    read = 0
    for pilot in registry:
        for demo in pilot.demo_files:
            summary = process_file(
                pilot,
                pilot.adapter(demo.format_id),
                FileJob(demo.path, demo.source),
                engine,
                dry_run=False,
            )
            read += summary.read
    return read


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(host: HostOption = None, port: PortOption = None) -> None:
        """Serve the OGC API - Features on the configured database."""
        api = ApiSettings()
        api = api.model_copy(update={k: v for k, v in (("host", host), ("port", port)) if v})
        _run(api, DatabaseSettings())

    @app.command()
    def demo(
        host: HostOption = None,
        port: PortOption = None,
        live: Annotated[bool, typer.Option(help="simulate live sensor feeds over MQTT")] = True,
    ) -> None:
        """Load sample data, simulate live sensor feeds over MQTT, and serve the API.

        Without STADSPULS_MQTT_URL an embedded broker runs in-process, so nothing needs to be
        installed; sensors (garages and on-street bays) then change the data while you watch.
        """
        api = ApiSettings()
        api = api.model_copy(update={k: v for k, v in (("host", host), ("port", port)) if v})
        database = DatabaseSettings()
        try:
            registry = load_registry()
            engine = open_database(database, registry)
            read = load_demo_data(engine, registry)
        except (StadspulsError, OperationalError) as error:
            raise fail(str(error)) from None
        typer.echo(f"demo data loaded ({read} records) into {database.database_url}")
        if not live:
            _run(api, database)
            return
        from core.cli.live import LiveDemo

        demo = LiveDemo(registry, engine)
        try:
            url = demo.start()
            typer.echo(
                f"live: simulated garages, bay sensors and pedestrian counters publishing to {url}"
            )
            _run(api, database)
        except (StadspulsError, OSError, ValueError) as error:
            raise fail(str(error)) from None
        finally:
            demo.stop()
