"""Test helpers around real Mosquitto brokers: reachability, publishing, sinks, own instances.

The shared broker is the system Mosquitto (``STADSPULS_TEST_MQTT_URL``, default
``mqtt://127.0.0.1:1883``); tests that must restart a broker or change its limits start their
own ``mosquitto`` process on a free port with a config file in the test's temp directory.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core.ingest.mqtt import Message

DEFAULT_TEST_URL = "mqtt://127.0.0.1:1883"


def shared_broker_url() -> str:
    return os.environ.get("STADSPULS_TEST_MQTT_URL", DEFAULT_TEST_URL)


def require_broker(host: str, port: int) -> None:
    """Fail (never skip) with one clear sentence when the broker is unreachable."""
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as error:
        raise RuntimeError(
            f"the MQTT tests need a Mosquitto broker at {host}:{port} ({error}); start it with "
            "`mosquitto -d -c /etc/mosquitto/mosquitto.conf` or set STADSPULS_TEST_MQTT_URL"
        ) from None


def new_client_id(label: str = "consumer") -> str:
    return f"test-{label}-{uuid.uuid4().hex[:12]}"


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return bool(condition())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def payload(number: int) -> bytes:
    return json.dumps({"id": number}).encode()


def ids(messages: Iterable[Message]) -> list[int]:
    return [int(json.loads(message.payload)["id"]) for message in messages]


def publish(
    host: str,
    port: int,
    topic: str,
    numbers: Iterable[int],
    *,
    pace: float = 0.0,
    ca_certs: Path | None = None,
) -> None:
    """Publish ``{"id": n}`` QoS 1 for each number and wait until the broker has them all.

    ``pace`` sleeps that long after every 50 messages, to spread a stream over time;
    ``ca_certs`` connects over TLS, trusting that CA.
    """
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    if ca_certs is not None:
        client.tls_set(ca_certs=str(ca_certs))
    client.connect(host, port)
    client.loop_start()
    try:
        infos = []
        for count, number in enumerate(numbers, start=1):
            infos.append(client.publish(topic, payload(number), qos=1))
            if pace and count % 50 == 0:
                time.sleep(pace)
        for info in infos:
            info.wait_for_publish(timeout=10)
            assert info.is_published(), "the broker did not acknowledge a test publication"
    finally:
        client.disconnect()
        client.loop_stop()


def purge_session(host: str, port: int, client_id: str, protocol: int) -> None:
    """Remove a persistent session the test created, so the shared broker keeps no litter."""
    if protocol == 5:
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id, protocol=mqtt.MQTTv5)
        client.connect(host, port, clean_start=True)
    else:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id, clean_session=True, protocol=mqtt.MQTTv311
        )
        client.connect(host, port)
    client.loop_start()
    client.disconnect()
    client.loop_stop()


class Sink:
    """An in-memory ``handle_batch``: keeps every batch it accepted."""

    def __init__(self) -> None:
        self.batches: list[list[Message]] = []
        self._lock = threading.Lock()

    def __call__(self, batch: list[Message]) -> None:
        with self._lock:
            self.batches.append(list(batch))

    @property
    def messages(self) -> list[Message]:
        with self._lock:
            return [message for batch in self.batches for message in batch]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


class Mosquitto:
    """A Mosquitto process owned by one test: own port, config and persistence directory."""

    def __init__(self, directory: Path, port: int | None = None, extra: str = "") -> None:
        self.directory = directory
        self.port = port or free_port()
        self.config = directory / "mosquitto.conf"
        directory.mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "persistence true\n"
            f"persistence_location {directory}/\n"
            f"log_dest file {directory}/mosquitto.log\n"
            "user root\n" + extra
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.directory / "mosquitto.out", "ab") as output:
            self.process = subprocess.Popen(
                ["mosquitto", "-c", str(self.config)], stdout=output, stderr=output
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited with {self.process.returncode}: {self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not listen on port {self.port}: {self.log()}")

    def stop(self) -> None:
        """SIGTERM: Mosquitto writes its persistence file and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def log(self) -> str:
        path = self.directory / "mosquitto.log"
        return path.read_text()[-2000:] if path.exists() else ""
