"""``stadspuls sources``: bind supplier feeds (pilot, format, topic) to source ids."""

from __future__ import annotations

from typing import Annotated

import typer

from core.cli.main import fail, with_database
from core.sources import (
    DEFAULT_LICENCE,
    DELIVERIES,
    Source,
    add_source,
    list_sources,
    remove_source,
    update_source,
)

sources_app = typer.Typer(no_args_is_help=True, help="Supplier sources and their MQTT topics.")


def _options(pairs: list[str]) -> dict[str, str]:
    options = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key:
            raise fail(f"--option takes KEY=VALUE, not '{pair}'")
        options[key.strip()] = value.strip()
    return options


@sources_app.command("add")
def add(
    source_id: Annotated[str, typer.Option("--id", help="source id, e.g. kortrijk-bays")],
    pilot: Annotated[str, typer.Option(help="pilot id")],
    format_id: Annotated[str, typer.Option("--format", help="format id, e.g. ttn")],
    topic: Annotated[
        str | None,
        typer.Option(help="MQTT topic filter; default stadspuls/{pilot}/{id}/#"),
    ] = None,
    option: Annotated[
        list[str] | None, typer.Option(help="adapter option KEY=VALUE (repeatable)")
    ] = None,
    timezone: Annotated[str | None, typer.Option(help="time zone of naive times")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of coordinates")] = None,
    supplier: Annotated[str | None, typer.Option(help="the supplier that delivers it")] = None,
    city: Annotated[str | None, typer.Option(help="the city that owns it, e.g. gent")] = None,
    licence: Annotated[str, typer.Option(help="SPDX licence id of its data")] = DEFAULT_LICENCE,
    delivery: Annotated[
        list[str] | None,
        typer.Option(help="how data arrives: mqtt, file, push (repeatable; default all)"),
    ] = None,
) -> None:
    """Register a source."""
    source = with_database(
        lambda engine, registry: add_source(
            engine,
            registry,
            Source(
                id=source_id,
                pilot=pilot,
                format=format_id,
                topic=topic,
                options=_options(option or []),
                timezone=timezone,
                crs=crs,
                supplier=supplier,
                city=city,
                licence=licence,
                delivery=list(delivery) if delivery else list(DELIVERIES),
            ),
        )
    )
    typer.echo(
        f"source '{source.id}' added: {source.pilot}/{source.format} on {source.topic_filter}"
    )


@sources_app.command("list")
def list_command() -> None:
    """List the registered sources."""
    sources = with_database(lambda engine, _registry: list_sources(engine))
    if not sources:
        typer.echo("no sources registered")
    for source in sources:
        extras = " ".join(f"{k}={v}" for k, v in source.options.items())
        owner = f"{source.city or '-'}/{source.supplier or '-'}"
        typer.echo(
            f"{source.id}\t{source.pilot}\t{source.format}\t{source.topic_filter}\t{owner}"
            f"\t{','.join(source.deliveries)}{chr(9) + extras if extras else ''}"
        )


@sources_app.command("update")
def update(
    source_id: Annotated[str, typer.Argument(help="source id")],
    format_id: Annotated[str | None, typer.Option("--format", help="format id")] = None,
    topic: Annotated[str | None, typer.Option(help="MQTT topic filter")] = None,
    option: Annotated[
        list[str] | None, typer.Option(help="adapter option KEY=VALUE (replaces all; repeatable)")
    ] = None,
    timezone: Annotated[str | None, typer.Option(help="time zone of naive times")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of coordinates")] = None,
    supplier: Annotated[str | None, typer.Option(help="the supplier that delivers it")] = None,
    city: Annotated[str | None, typer.Option(help="the city that owns it")] = None,
    licence: Annotated[str | None, typer.Option(help="SPDX licence id of its data")] = None,
    delivery: Annotated[
        list[str] | None, typer.Option(help="mqtt, file, push (replaces all; repeatable)")
    ] = None,
) -> None:
    """Change a source (only the options given); restart MQTT workers to apply topic changes."""
    given = {
        "format": format_id,
        "topic": topic,
        "options": _options(option) if option else None,
        "timezone": timezone,
        "crs": crs,
        "supplier": supplier,
        "city": city,
        "licence": licence,
        "delivery": list(delivery) if delivery else None,
    }
    changes = {name: value for name, value in given.items() if value is not None}
    if not changes:
        raise fail("name at least one thing to change, e.g. --timezone Europe/Brussels")
    source = with_database(
        lambda engine, registry: update_source(engine, registry, source_id, changes)
    )
    typer.echo(f"source '{source.id}' updated: {', '.join(sorted(changes))}")


@sources_app.command("remove")
def remove(source_id: Annotated[str, typer.Argument(help="source id")]) -> None:
    """Remove a source (its data stays)."""
    with_database(lambda engine, _registry: remove_source(engine, source_id))
    typer.echo(f"source '{source_id}' removed")
