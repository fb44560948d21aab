"""``stadspuls ingest-mqtt``: the MQTT ingest worker (run N of them with a share group)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from core.cli.main import fail, unreachable
from core.errors import StadspulsError
from core.ingest.messages import MessageRouter
from core.ingest.mqtt import MqttConsumer, parse_broker_url, run_until_signalled
from core.logs import configure_json_logging
from core.pilot import Registry, load_registry
from core.runtime import open_database
from core.settings import DatabaseSettings, MqttSettings
from core.sources import Source, list_sources, topic_matches

CONVENTION = "stadspuls/#"


def subscription_filters(sources: list[Source]) -> list[str]:
    """The convention tree (so unclaimed topics reach quarantine) plus foreign bindings."""
    foreign = {s.topic_filter for s in sources if not topic_matches(CONVENTION, s.topic_filter)}
    return [CONVENTION, *sorted(foreign)]


def build_consumer(
    settings: MqttSettings, registry: Registry, engine: Engine, url: str
) -> tuple[MqttConsumer, MessageRouter]:
    """A consumer whose batches go through the message router into the database."""
    sources = list_sources(engine)
    router = MessageRouter(registry, engine, sources, max_payload=settings.mqtt_max_payload)
    config = parse_broker_url(url)
    if settings.mqtt_client_id:
        config = replace(config, client_id=settings.mqtt_client_id)
    consumer = MqttConsumer(
        config,
        subscription_filters(sources),
        router.handle_batch,
        batch_size=settings.mqtt_batch_size,
        batch_latency=settings.mqtt_batch_latency,
        share_group=settings.mqtt_share_group,
    )
    return consumer, router


def ingest_mqtt(
    url: Annotated[str | None, typer.Option(help="broker URL; STADSPULS_MQTT_URL")] = None,
    share_group: Annotated[
        str | None, typer.Option(help="MQTT 5 shared-subscription group for N workers")
    ] = None,
    client_id: Annotated[str | None, typer.Option(help="stable client id")] = None,
    metrics_port: Annotated[int | None, typer.Option(help="Prometheus /metrics port")] = None,
) -> None:
    """Consume the sources' MQTT feeds into the database until SIGTERM/SIGINT."""
    configure_json_logging()
    overrides = {
        "mqtt_share_group": share_group,
        "mqtt_client_id": client_id,
        "metrics_port": metrics_port,
        "mqtt_url": url,
    }
    settings = MqttSettings().model_copy(update={k: v for k, v in overrides.items() if v})
    if not settings.mqtt_url:
        raise fail("no broker configured: pass --url or set STADSPULS_MQTT_URL")
    try:
        registry = load_registry()
        engine = open_database(DatabaseSettings(), registry)
        consumer, router = build_consumer(settings, registry, engine, settings.mqtt_url)
    except (StadspulsError, ValueError) as error:
        raise fail(str(error)) from None
    except OperationalError as error:
        raise fail(unreachable(error)) from None
    if settings.metrics_port:
        from core.ingest.prometheus import serve_metrics

        serve_metrics(settings.metrics_port, consumer.metrics, router.stats)
    typer.echo(f"consuming {', '.join(consumer.topics)} from {settings.mqtt_url.split('@')[-1]}")
    run_until_signalled(consumer)
