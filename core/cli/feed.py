"""``stadspuls validate-feed``: listen to a live MQTT feed and report on it like ``validate``.

Exit 0: every message received was valid; 1: some were invalid; 2: the check could not run
(no broker, broker unreachable or refusing, unknown pilot or format, no message at all).
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from core.cli.main import (
    REPORT_FORMATS,
    CrsOption,
    PilotOption,
    TimezoneOption,
    fail,
    say_error,
    unreachable,
)
from core.cli.output import print_report
from core.errors import StadspulsError
from core.ingest.feed import FeedCheck, FeedSpec, listen
from core.ingest.mqtt import BrokerConfig, parse_broker_url
from core.pilot import load_registry
from core.runtime import open_read_only
from core.settings import DatabaseSettings, MqttSettings


def validate_feed(
    topic: Annotated[str, typer.Option("--topic", "-t", help="MQTT topic filter of the feed")],
    pilot: PilotOption,
    format_id: Annotated[str, typer.Option("--format", "-f", help="format id of the payloads")],
    seconds: Annotated[
        float, typer.Option("--seconds", "-s", min=0.1, help="how long to listen")
    ] = 60.0,
    url: Annotated[str | None, typer.Option(help="broker URL; STADSPULS_MQTT_URL")] = None,
    source: Annotated[
        str | None, typer.Option(help="source id the references are looked up under")
    ] = None,
    crs: CrsOption = None,
    timezone: TimezoneOption = None,
    output_format: Annotated[
        str, typer.Option("--output", "-o", help="text, json or junit (JUnit XML for CI)")
    ] = "text",
) -> None:
    """Check a live MQTT feed against the pilot's handbook for N seconds, storing nothing.

    Subscribes with a clean session and a client id of its own, so ingest workers lose no
    message. Exit 0: every message was valid; 1: some were invalid; 2: cannot run.
    """
    if output_format not in REPORT_FORMATS:
        raise fail(f"--output must be text, json or junit, not '{output_format}'")
    settings = MqttSettings()
    broker_url = url or settings.mqtt_url
    if not broker_url:
        raise fail("no broker configured: pass --url or set STADSPULS_MQTT_URL")
    spec = FeedSpec(topic, pilot, format_id, source, crs, timezone)
    try:
        config = parse_broker_url(broker_url)
        engine = open_read_only(DatabaseSettings())
        check = FeedCheck(load_registry(), spec, engine, settings.mqtt_max_payload)
        report = listen(
            config, check, seconds, on_listening=lambda: _listening(spec, config, seconds)
        )
    except (StadspulsError, ValueError) as error:
        raise fail(str(error)) from None
    except OperationalError as error:
        raise fail(unreachable(error)) from None
    print_report(report, output_format)
    if report.records == 0:
        say_error(f"no message arrived on '{topic}' in {seconds:g} s; there was nothing to check")
        raise typer.Exit(2)
    raise typer.Exit(0 if report.is_valid else 1)


def _listening(spec: FeedSpec, config: BrokerConfig, seconds: float) -> None:
    """Say on stderr when the window opens (stdout is kept for the report)."""
    typer.echo(f"listening to '{spec.topic}' on {config.address} for {seconds:g} s", err=True)
