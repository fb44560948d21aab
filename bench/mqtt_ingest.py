"""Benchmark: MQTT ingestion into PostGIS versus a bare paho subscriber, 1 and 2 workers.

A Mosquitto owned by the benchmark (unlimited offline queue) holds a backlog of N canonical
parking observations (QoS 1) for a persistent session; each run times how fast that backlog is
drained: (a) by a bare paho subscriber that only counts, (b) by the ingest worker (consumer,
router, validation, upsert into PostGIS, latest state) until every observation is stored, and
(c) by two worker processes sharing the subscription. Target (issue 3): one worker reaches at
least 50 % of the bare subscriber's rate.

Run:  python -m bench.mqtt_ingest [--messages 200000] [--sites 1000]
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import sqlalchemy as sa
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from core.ingest.messages import MessageRouter
from core.ingest.mqtt import MqttConsumer, parse_broker_url, run_until_signalled
from core.pilot import load_registry
from core.runtime import open_database
from core.settings import DatabaseSettings, MqttSettings
from core.simulate import publish
from core.sources import Source, add_source, list_sources
from tests.databases import postgis_database
from tests.mqtt.broker import Mosquitto

PREFIX = "bench/garages"
START = datetime(2025, 1, 1, tzinfo=UTC)  # the history lies in the past for any run


def observations(count: int, sites: int, offset: int) -> Iterator[tuple[str, bytes]]:
    for n in range(count):
        site = n % sites
        observed = START + timedelta(minutes=(n // sites) + offset)
        body = {"site": f"S{site:04d}", "observed_at": observed.isoformat(),
                "vacant": (n * 7) % 400, "capacity": 400}
        yield f"{PREFIX}/S{site:04d}", json.dumps(body).encode()


def session_properties() -> Properties:
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 3600
    properties.ReceiveMaximum = 2000
    return properties


def raw_drain_rate(broker_url: str, count: int, sites: int) -> float:
    """Backlog for a bare subscriber's session, then time how fast it drains."""
    config = parse_broker_url(broker_url)
    received = 0
    done = threading.Event()

    def on_message(_client: mqtt.Client, _userdata: object, _message: mqtt.MQTTMessage) -> None:
        nonlocal received
        received += 1
        if received >= count:
            done.set()

    def client() -> mqtt.Client:
        made = mqtt.Client(CallbackAPIVersion.VERSION2, "bench-raw", protocol=mqtt.MQTTv5)
        made.on_message = on_message
        made.connect(config.host, config.port, clean_start=False, properties=session_properties())
        return made

    first = client()
    first.subscribe(f"{PREFIX}/#", qos=1)
    first.loop(timeout=1.0)
    first.disconnect()
    publish(broker_url, observations(count, sites, 0), math.inf)
    started = time.perf_counter()
    second = client()
    second.loop_start()
    done.wait(timeout=600)
    elapsed = time.perf_counter() - started
    second.loop_stop()
    second.disconnect()
    return received / elapsed


def worker(
    database_url: str, broker_url: str, client_id: str, share: str | None,
    ready: Any, go: Any,
) -> None:
    """One ingest worker process (the same code as ``stadspuls ingest-mqtt``).

    It prepares everything, says it is ready and waits for the start signal, so process start
    and imports are not timed.
    """
    registry = load_registry()
    engine = open_database(DatabaseSettings(database_url=database_url), registry)
    router = MessageRouter(registry, engine, list_sources(engine))
    config = parse_broker_url(f"{broker_url}?client_id={client_id}")
    settings = MqttSettings()
    consumer = MqttConsumer(config, [f"{PREFIX}/#"], router.handle_batch, share_group=share,
                            batch_size=settings.mqtt_batch_size,
                            batch_latency=settings.mqtt_batch_latency)
    ready.release()
    go.wait()
    run_until_signalled(consumer)


class StoredCounter:
    """Counts stored observations over one open connection.

    The drain is polled while the workers run; opening a connection per poll (a server backend
    forked each time) would take CPU from the two cores the workers are measured on.
    """

    def __init__(self, database_url: str) -> None:
        self._engine = sa.create_engine(database_url, poolclass=sa.pool.StaticPool)
        self._conn = self._engine.connect()

    def __call__(self) -> int:
        count = self._conn.execute(sa.text("SELECT count(*) FROM parking_observation"))
        stored = int(count.scalar_one())
        self._conn.rollback()
        return stored

    def close(self) -> None:
        self._conn.close()
        self._engine.dispose()


def worker_drain_rate(database_url: str, broker_url: str, count: int, sites: int,
                      workers: int, offset: int) -> float:
    context = multiprocessing.get_context("spawn")
    share = "bench" if workers > 1 else None
    ids = [f"bench-worker-{workers}-{index}" for index in range(workers)]

    ready, go = context.Semaphore(0), context.Event()

    def start_all() -> list[multiprocessing.process.BaseProcess]:
        processes = [
            context.Process(target=worker, args=(database_url, broker_url, i, share, ready, go))
            for i in ids
        ]
        for process in processes:
            process.start()
        for _process in processes:
            if not ready.acquire(timeout=120):
                raise RuntimeError("a benchmark worker did not get ready")
        return processes

    def stop_all(processes: list[multiprocessing.process.BaseProcess]) -> None:
        for process in processes:
            os.kill(process.pid or 0, signal.SIGTERM)
        for process in processes:
            process.join(timeout=60)

    stored = StoredCounter(database_url)
    before = stored()
    for client_id in ids:  # create the persistent sessions, then leave
        config = parse_broker_url(f"{broker_url}?client_id={client_id}")
        session = MqttConsumer(config, [f"{PREFIX}/#"], lambda batch: None, share_group=share)
        session.start()
        if not session.wait_subscribed(10):
            raise RuntimeError("the benchmark consumer could not subscribe")
        session.stop()
    publish(broker_url, observations(count, sites, offset), math.inf)
    processes = start_all()
    started = time.perf_counter()
    go.set()
    deadline = time.monotonic() + 600
    try:
        while stored() < before + count:
            if any(not process.is_alive() for process in processes) or time.monotonic() > deadline:
                stop_all(processes)
                raise RuntimeError(f"workers stopped early; stored {stored() - before}")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        stored.close()
    stop_all(processes)
    return count / elapsed


def setup_sites(database_url: str, sites: int) -> None:
    registry = load_registry()
    engine = open_database(DatabaseSettings(database_url=database_url), registry)
    add_source(engine, registry, Source(id="bench", pilot="parking", format="json",
                                        topic=f"{PREFIX}/+"))
    router = MessageRouter(registry, engine, list_sources(engine))

    class Setup:
        topic = f"{PREFIX}/setup"
        received_at = START
        payload = json.dumps([
            {"id": f"S{i:04d}", "capacity": 400, "lon": 3.7 + (i % 40) * 0.01,
             "lat": 50.9 + (i // 40) * 0.01} for i in range(sites)
        ]).encode()

    router.handle_batch([Setup()])()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--sites", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, postgis_database() as database_url:
        broker = Mosquitto(Path(folder) / "broker",
                           extra="max_queued_messages 0\nmax_queued_bytes 0\n")
        broker.start()
        try:
            setup_sites(database_url, args.sites)
            raw = raw_drain_rate(broker.url, args.messages, args.sites)
            one = worker_drain_rate(database_url, broker.url, args.messages, args.sites, 1, 0)
            two = worker_drain_rate(database_url, broker.url, args.messages, args.sites, 2,
                                    args.messages // args.sites + 10)
        finally:
            broker.stop()
    print(f"backlog: {args.messages:,} QoS 1 canonical observations of {args.sites:,} sites")
    print(f"bare paho subscriber:            {raw:,.0f} messages/s")
    print(f"ingest-mqtt, 1 worker (PostGIS): {one:,.0f} messages/s  ({100 * one / raw:.1f} %"
          " of bare; target >= 50 %)")
    print(f"ingest-mqtt, 2 workers (shared): {two:,.0f} messages/s  ({100 * two / raw:.1f} %)")
    print(f"rerun: python -m bench.mqtt_ingest --messages {args.messages} --sites {args.sites}")


if __name__ == "__main__":
    main()
