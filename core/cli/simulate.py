"""``stadspuls simulate``: publish realistic sensor feeds to a broker."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from core.cli.main import fail, unreachable
from core.errors import StadspulsError
from core.pilot import load_registry
from core.runtime import open_database
from core.settings import DatabaseSettings, MqttSettings
from core.simulate import Simulation, publish


def simulate(
    pilot: Annotated[str, typer.Option(help="pilot to simulate")] = "parking",
    sensors: Annotated[int, typer.Option(help="number of sensors")] = 50,
    rate: Annotated[float, typer.Option(help="messages per second")] = 10.0,
    duration: Annotated[float | None, typer.Option(help="seconds; endless when omitted")] = None,
    broker: Annotated[str | None, typer.Option(help="broker URL; STADSPULS_MQTT_URL")] = None,
    seed: Annotated[int, typer.Option(help="random seed")] = 0,
    setup: Annotated[
        bool, typer.Option(help="register the simulation's sources and bay register first")
    ] = True,
) -> None:
    """Publish a simulated city's sensor feeds (garage counters, TTN bay sensors)."""
    url = broker or MqttSettings().mqtt_url
    if not url:
        raise fail("no broker configured: pass --broker or set STADSPULS_MQTT_URL")
    try:
        simulation = Simulation(pilot, sensors=sensors, rate=rate, seed=seed)
        if setup:
            from core.cli.live import prepare_simulation

            registry = load_registry()
            prepare_simulation(simulation, registry, open_database(DatabaseSettings(), registry))
        publish(url, simulation.setup_messages(), rate_per_second=math.inf)
        report = publish(
            url,
            simulation.messages(datetime.now(UTC)),
            rate,
            duration_seconds=duration,
            progress=lambda r: typer.echo(f"\r{r.published:,} published", nl=False, err=True),
        )
    except (StadspulsError, ValueError) as error:
        raise fail(str(error)) from None
    except OperationalError as error:
        raise fail(unreachable(error)) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    typer.echo(f"\n{report.published:,} messages published, {report.acked:,} acknowledged")
