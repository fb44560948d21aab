"""MQTT into the database end to end: real Mosquitto, the real router, SQLite and PostGIS."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import psycopg
import pytest
import sqlalchemy as sa
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import Engine

from core.cli.mqtt import subscription_filters
from core.ingest.messages import MessageRouter
from core.ingest.mqtt import BrokerConfig
from core.pilot import Registry
from core.sources import Source, add_source, list_sources
from tests.conftest import FIXTURES
from tests.mqtt.broker import wait_until
from tests.mqtt.conftest import ConsumerFactory

UPLINK = json.loads((FIXTURES / "parking" / "messages" / "ttn-uplink.json").read_text())


def send(config: BrokerConfig, messages: list[tuple[str, bytes]]) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect(config.host, config.port)
    client.loop_start()
    try:
        infos = [client.publish(topic, payload, qos=1) for topic, payload in messages]
        for info in infos:
            info.wait_for_publish(timeout=10)
    finally:
        client.disconnect()
        client.loop_stop()


def uplink(device: str, occupied: bool, minute: int, located: bool) -> bytes:
    message: dict[str, Any] = copy.deepcopy(UPLINK)
    message["end_device_ids"]["device_id"] = device
    up = message["uplink_message"]
    up["decoded_payload"] = {"occupied": occupied}
    up["received_at"] = f"2026-11-20T09:{minute:02d}:07Z"
    if located:
        up["locations"]["user"]["longitude"] = 3.2649 + minute / 10_000
    else:
        del up["locations"]
    return json.dumps(message).encode()


def scalar(engine: Engine, sql: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def test_sensor_uplinks_become_bays_on_the_map(
    engine: Engine, registry: Registry, broker: BrokerConfig, topic: str,
    make_consumer: ConsumerFactory,
) -> None:
    add_source(engine, registry, Source(id="bays", pilot="parking", format="ttn",
                                        topic=f"{topic}/v3/+/devices/+/up"))
    router = MessageRouter(registry, engine, list_sources(engine))
    consumer = make_consumer(broker, [f"{topic}/#"], router.handle_batch, batch_size=20)
    consumer.start()
    assert consumer.wait_subscribed(10)
    messages = [
        (f"{topic}/v3/app@ttn/devices/bay-{n}/up",
         uplink(f"bay-{n}", n % 2 == 0, minute, located=minute == 0))
        for minute in range(3)
        for n in range(5)
    ]
    messages += [(f"{topic}/unclaimed", b"{}"), (f"{topic}/v3/app@ttn/devices/x/up", b"{oops")]
    send(broker, messages)
    assert wait_until(lambda: scalar(engine, "SELECT count(*) FROM quarantine") == 2, 15)
    assert wait_until(
        lambda: scalar(engine, "SELECT count(*) FROM parking_bay_observation") == 15, 15)
    assert scalar(engine, "SELECT count(*) FROM parking_bay WHERE geometry IS NOT NULL") == 5
    # later uplinks carried no location: the first one's stays
    assert scalar(engine, "SELECT min(minx) FROM parking_bay") == pytest.approx(3.2649)
    assert scalar(engine, "SELECT count(*) FROM parking_bay_state WHERE status = 'occupied'") == 3
    assert router.stats.by_source["bays"].accepted == 15
    assert router.stats.reasons["core.invalid-json"] == 1
    assert router.stats.reasons["core.unknown-topic"] == 1


def test_a_worker_subscribes_to_the_convention_and_foreign_bindings() -> None:
    sources = [
        Source(id="gent", pilot="parking", format="json"),
        Source(id="own", pilot="parking", format="json", topic="stadspuls/parking/own/+"),
        Source(id="ttn", pilot="parking", format="ttn", topic="v3/kortrijk@ttn/devices/+/up"),
    ]
    assert subscription_filters(sources) == ["stadspuls/#", "v3/kortrijk@ttn/devices/+/up"]


def _set_connections(url: str, allowed: bool) -> None:
    """Open or close a database to every client (superusers included) and drop its sessions."""
    database = sa.engine.make_url(url).database
    admin = sa.engine.make_url(url).set(database="postgres", drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = %s AND pid <> pg_backend_pid()", (database,))


@pytest.mark.postgis
@pytest.mark.parametrize("database_url", ["postgis"], indirect=True)
def test_a_database_outage_loses_nothing(
    engine: Engine, database_url: str, registry: Registry, broker: BrokerConfig, topic: str,
    make_consumer: ConsumerFactory, tmp_path: Path,
) -> None:
    add_source(engine, registry, Source(id="garages", pilot="parking", format="json",
                                        topic=f"{topic}/garages/+"))
    router = MessageRouter(registry, engine, list_sources(engine))
    consumer = make_consumer(broker, [f"{topic}/#"], router.handle_batch, batch_size=50,
                             retry_delay=0.2, max_retry_delay=1.0)
    consumer.start()
    assert consumer.wait_subscribed(10)
    site = {"id": "G1", "name": "Garage", "capacity": 500, "lon": 3.72, "lat": 51.05}
    send(broker, [(f"{topic}/garages/G1", json.dumps(site).encode())])
    assert wait_until(lambda: scalar(engine, "SELECT count(*) FROM parking_site") == 1, 10)

    def observation(n: int) -> bytes:
        return json.dumps({"site": "G1", "vacant": n % 500,
                           "observed_at": f"2026-11-20T{n // 60:02d}:{n % 60:02d}:00Z"}).encode()

    _set_connections(database_url, allowed=False)
    try:
        send(broker, [(f"{topic}/garages/G1", observation(n)) for n in range(300)])
        time.sleep(2)  # the worker keeps failing and retrying, acknowledging nothing
        assert consumer.metrics.snapshot()["handler_failures"] >= 1
    finally:
        _set_connections(database_url, allowed=True)
    assert wait_until(
        lambda: scalar(engine, "SELECT count(*) FROM parking_observation") == 300, 30)
    assert scalar(engine, "SELECT count(*) FROM quarantine") == 0
