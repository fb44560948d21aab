"""The real ``stadspuls ingest-mqtt`` worker killed with SIGKILL mid-stream, into PostGIS.

Every published observation must end up stored exactly once after a restart: the worker
acknowledges a batch only after its commit, the broker redelivers what was not acknowledged,
and the upsert on stable ids makes a redelivery a no-op. The worker's Prometheus endpoint is
read on the way, so the metrics a city scrapes are tested too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from core.ingest.messages import MessageRouter
from core.pilot import Registry
from core.simulate import publish
from core.sources import Source, add_source, list_sources
from tests.mqtt.broker import Mosquitto, free_port, wait_until

COUNT = 2000


class Setup:
    topic = "stadspuls/parking/garages/setup"
    received_at = datetime(2026, 11, 20, tzinfo=UTC)
    payload = json.dumps({"id": "G1", "capacity": 900, "lon": 3.72, "lat": 51.05}).encode()


def observations() -> Iterator[tuple[str, bytes]]:
    for n in range(COUNT):
        body = {"site": "G1", "vacant": n % 900,
                "observed_at": f"2026-11-{1 + n // 1440:02d}T{n // 60 % 24:02d}:{n % 60:02d}:00Z"}
        yield "stadspuls/parking/garages/G1", json.dumps(body).encode()


def start_worker(
    database_url: str, broker_url: str, metrics_port: int, log: Path
) -> subprocess.Popen[bytes]:
    env = dict(os.environ, STADSPULS_DATABASE_URL=database_url, STADSPULS_MQTT_URL=broker_url,
               STADSPULS_MQTT_CLIENT_ID="crash-test-worker", STADSPULS_MQTT_BATCH_SIZE="100",
               STADSPULS_METRICS_PORT=str(metrics_port))
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-c", "from core.cli import main; main()", "ingest-mqtt"],
            env=env, stdout=output, stderr=output,
        )


def metrics(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            return str(response.read().decode())
    except OSError:
        return ""


def stored(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM parking_observation")).scalar_one())


@pytest.mark.postgis
@pytest.mark.parametrize("database_url", ["postgis"], indirect=True)
def test_kill_9_mid_stream_then_restart_stores_every_message_once(
    engine: Engine, database_url: str, registry: Registry, tmp_path: Path
) -> None:
    broker = Mosquitto(tmp_path / "broker", extra="max_queued_messages 0\n")
    broker.start()
    add_source(engine, registry, Source(id="garages", pilot="parking", format="json"))
    MessageRouter(registry, engine, list_sources(engine)).handle_batch([Setup()])()
    port, log = free_port(), tmp_path / "worker.log"
    worker = start_worker(database_url, broker.url, port, log)
    try:
        assert wait_until(lambda: "stadspuls_mqtt_received" in metrics(port), 30), log.read_text()
        stream = threading.Thread(target=publish, args=(broker.url, observations(), 1500.0))
        stream.start()
        assert wait_until(lambda: stored(engine) >= 300, 30), log.read_text()
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        killed_at = stored(engine)
        assert killed_at < COUNT, "the kill should land mid-stream"
        stream.join(timeout=60)
        worker = start_worker(database_url, broker.url, port, log)
        assert wait_until(lambda: stored(engine) == COUNT, 60), (stored(engine), log.read_text())
        time.sleep(0.5)  # anything redelivered late must still change nothing
        assert stored(engine) == COUNT
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM quarantine")).scalar_one() == 0
        assert wait_until(lambda: 'outcome="accepted",source="garages"' in metrics(port), 10)
        text = metrics(port)
        assert "stadspuls_mqtt_acked_total" in text
        assert any(json.loads(line).get("event") == "batch_stored"
                   for line in log.read_text().splitlines() if line.startswith("{"))
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0
        broker.stop()
