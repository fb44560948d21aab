"""A test subscriber that counts what a broker delivers (paho 2, QoS 1)."""

from __future__ import annotations

import threading
import time
import uuid
from types import TracebackType
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core.ingest.mqtt.url import parse_broker_url


class Subscriber:
    """``with Subscriber(url, ["a/#"]) as sub: ...; sub.wait_for(10)``; subscribed on entry."""

    def __init__(self, url: str, filters: list[str]) -> None:
        self.config = parse_broker_url(url)
        self.filters = filters
        self.messages: list[mqtt.MQTTMessage] = []
        self._lock = threading.Condition()
        self._subscribed = threading.Event()
        v5 = self.config.protocol == 5
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"test-sim-sub-{uuid.uuid4().hex[:10]}",
            protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
        )
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *args: self._subscribed.set()
        self.client.on_message = self._on_message

    def _on_connect(self, client: mqtt.Client, *args: Any) -> None:
        client.subscribe([(topic, 1) for topic in self.filters])

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append(message)
            self._lock.notify_all()

    def wait_for(self, count: int, timeout: float = 5.0) -> int:
        """Wait until ``count`` messages arrived (or ``timeout``); returns how many did."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.messages) < count and time.monotonic() < deadline:
                self._lock.wait(0.05)
            return len(self.messages)

    def settle(self, quiet: float = 0.3) -> int:
        """Wait until nothing more arrives for ``quiet`` seconds; returns the count."""
        seen = -1
        while seen != len(self.messages):
            seen = len(self.messages)
            time.sleep(quiet)
        return seen

    def open(self) -> Subscriber:
        """Connect and subscribe; returns once the broker acknowledged the subscription."""
        self.client.connect(self.config.host, self.config.port)
        self.client.loop_start()
        if not self._subscribed.wait(5):
            raise RuntimeError(f"no SUBACK from {self.config.address} within 5 s")
        return self

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def __enter__(self) -> Subscriber:
        return self.open()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
