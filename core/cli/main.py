"""Entry point and the commands that touch files: ingest and validate."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from core.cli.output import Output, print_summary, print_validation
from core.errors import StadspulsError
from core.ingest.files import FileJob, choose_adapter, process_file
from core.pilot import Registry, load_registry
from core.runtime import open_database, open_read_only
from core.settings import DatabaseSettings

app = typer.Typer(
    name="stadspuls",
    no_args_is_help=True,
    add_completion=False,
    help="Stadspuls: open urban data for Flemish cities (parking, accessibility, crowding).",
)
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")

PilotOption = Annotated[str, typer.Option("--pilot", "-p", help="pilot id, e.g. parking")]
FormatOption = Annotated[
    str | None, typer.Option("--format", "-f", help="format id; detected when omitted")
]
CrsOption = Annotated[
    str | None, typer.Option("--crs", help="CRS of coordinates, e.g. EPSG:31370 (Lambert 72)")
]
TimezoneOption = Annotated[
    str | None, typer.Option("--timezone", help="time zone of naive times, e.g. Europe/Brussels")
]
#: What ``--output`` of the validation commands accepts.
REPORT_FORMATS = ("text", "json", "junit")


T = TypeVar("T")


def unreachable(error: OperationalError) -> str:
    """psycopg's message spans lines; the user gets its first one."""
    first = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else "no answer"
    return f"the database is unreachable: {first}"


def say_error(message: str) -> None:
    """One line on stderr, the form every command reports a problem in."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)


def with_database(work: Callable[[Engine, Registry], T]) -> T:
    """Run ``work`` on the migrated database; expected failures become one line and exit 2."""
    try:
        registry = load_registry()
        return work(open_database(DatabaseSettings(), registry), registry)
    except StadspulsError as error:
        raise fail(str(error)) from None
    except OperationalError as error:
        raise fail(unreachable(error)) from None


def fail(message: str, code: int = 2) -> typer.Exit:
    """Report ``message`` and return the exit to raise."""
    say_error(message)
    return typer.Exit(code)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="files to ingest")],
    pilot: PilotOption,
    format_id: FormatOption = None,
    source: Annotated[str | None, typer.Option(help="source id; the format id by default")] = None,
    crs: CrsOption = None,
    timezone: TimezoneOption = None,
) -> None:
    """Ingest supplier files into the database; rejected records go to quarantine."""
    output = Output()
    failures = 0
    try:
        registry = load_registry()
        chosen = registry.get(pilot)
        settings = DatabaseSettings()
        engine = open_database(settings, registry)
    except StadspulsError as error:
        raise fail(str(error)) from None
    except OperationalError as error:
        raise fail(unreachable(error)) from None
    for path in paths:
        try:
            adapter = choose_adapter(chosen, path, format_id)
            job = FileJob(path, source, crs, timezone)
            summary = process_file(
                chosen,
                adapter,
                job,
                engine,
                dry_run=False,
                batch_size=settings.batch_size,
                progress=output.progress(path.name),
            )
        except StadspulsError as error:
            output.done()
            say_error(str(error))
            failures += 1
            continue
        except OperationalError as error:
            output.done()
            raise fail(unreachable(error)) from None
        output.done()
        print_summary(path.name, adapter.format_id, summary)
    if failures:
        raise typer.Exit(2)


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="file to check")],
    pilot: PilotOption,
    format_id: FormatOption = None,
    source: Annotated[
        str | None, typer.Option(help="source id the references are looked up under")
    ] = None,
    crs: CrsOption = None,
    timezone: TimezoneOption = None,
    output_format: Annotated[
        str, typer.Option("--output", "-o", help="text, json or junit (JUnit XML for CI)")
    ] = "text",
) -> None:
    """Check a file against the pilot's handbook without storing anything.

    Exit 0: every record is valid; 1: some are invalid; 2: the file cannot be read.
    """
    if output_format not in REPORT_FORMATS:
        raise fail(f"--output must be text, json or junit, not '{output_format}'")
    try:
        chosen = load_registry().get(pilot)
        adapter = choose_adapter(chosen, path, format_id)
        engine = open_read_only(DatabaseSettings())
        summary = process_file(
            chosen, adapter, FileJob(path, source, crs, timezone), engine, dry_run=True
        )
    except StadspulsError as error:
        raise fail(str(error)) from None
    print_validation(
        path.name, chosen.id, adapter.format_id, summary, output_format, chosen.handbook
    )
    raise typer.Exit(1 if summary.quarantined else 0)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema of the configured database."""
    try:
        settings = DatabaseSettings()
        open_database(settings, load_registry())
    except OperationalError as error:
        raise fail(unreachable(error)) from None
    typer.echo(f"database schema is up to date ({settings.database_url.split('@')[-1]})")


def _register_pilot_commands() -> None:
    """``stadspuls <pilot> ...`` for pilots that bring commands of their own."""
    try:
        registry = load_registry()
    except StadspulsError:
        return  # the generic commands still work and report the registry's problem
    for pilot in registry:
        if pilot.commands is not None:
            group = typer.Typer(no_args_is_help=True, help=f"{pilot.title}: pilot commands.")
            pilot.commands(group)
            app.add_typer(group, name=pilot.id)


def main() -> None:
    import core.cli.handbook  # noqa: F401  (importing it registers the handbook command)
    from core.cli import serving  # registers serve and demo
    from core.cli.feed import validate_feed
    from core.cli.keys import keys_app
    from core.cli.mqtt import ingest_mqtt
    from core.cli.mqtt_access import mqtt_access_app
    from core.cli.simulate import simulate
    from core.cli.sources import sources_app

    serving.register(app)
    app.add_typer(sources_app, name="sources")
    app.add_typer(keys_app, name="keys")
    app.command("ingest-mqtt")(ingest_mqtt)
    app.add_typer(mqtt_access_app, name="mqtt-access")
    _register_pilot_commands()
    app.command("simulate")(simulate)
    app.command("validate-feed")(validate_feed)
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
