"""Helpers for the access-control tests: accounts and sources as plain data, a probing client.

The probe is a bare paho client that reports what the broker answered — the CONNACK, PUBACK
and SUBACK reason codes — so a test can assert the broker's verdict, not just a timeout.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

NOT_AUTHORIZED = 0x87  # MQTT 5 reason code "Not authorized" (CONNACK, PUBACK)
BAD_CREDENTIALS = 0x86  # MQTT 5 "Bad user name or password"
WAIT = 10.0


@dataclass(frozen=True)
class Account:
    """A broker account as the database keeps it (name, role, hash)."""

    username: str
    role: str
    password_hash: str


@dataclass(frozen=True)
class Binding:
    """A source as the rules see it: the registry's Source will carry ``supplier`` too."""

    id: str
    supplier: str | None
    topic_filter: str


@dataclass
class Probe:
    """One MQTT connection that records the broker's answers and the messages it receives."""

    port: int
    username: str | None
    password: str | None
    protocol: int = 5
    connack: int | None = None
    messages: list[tuple[str, bytes]] = field(default_factory=list)
    _connected: threading.Event = field(default_factory=threading.Event)
    _pubacks: dict[int, int] = field(default_factory=dict)
    _subacks: dict[int, list[int]] = field(default_factory=dict)
    _lock: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        version = mqtt.MQTTv5 if self.protocol == 5 else mqtt.MQTTv311
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, f"probe-{uuid.uuid4().hex[:10]}", protocol=version
        )
        if self.username is not None:
            self.client.username_pw_set(self.username, self.password)
        self.client.on_connect = self._on_connect
        self.client.on_publish = self._on_publish
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message

    def connect(self) -> int:
        """Connect and return the CONNACK reason code (0: accepted)."""
        self.client.connect("127.0.0.1", self.port)
        self.client.loop_start()
        if not self._connected.wait(WAIT):
            raise AssertionError("the broker sent no CONNACK")
        assert self.connack is not None
        return self.connack

    def publish(self, topic: str, payload: bytes) -> int:
        """Publish at QoS 1 and return the PUBACK reason code (always 0 in MQTT 3.1.1)."""
        info = self.client.publish(topic, payload, qos=1)
        with self._lock:
            if not self._lock.wait_for(lambda: info.mid in self._pubacks, WAIT):
                raise AssertionError(f"no PUBACK for {topic}")
            return self._pubacks[info.mid]

    def subscribe(self, topic_filter: str) -> list[int]:
        """Subscribe at QoS 1 and return the SUBACK reason codes."""
        _, mid = self.client.subscribe(topic_filter, qos=1)
        with self._lock:
            if not self._lock.wait_for(lambda: mid in self._subacks, WAIT):
                raise AssertionError(f"no SUBACK for {topic_filter}")
            return self._subacks[mid]

    def wait_for(self, topic: str, timeout: float = WAIT) -> bool:
        """Whether a message on ``topic`` has arrived (waiting up to ``timeout`` seconds)."""
        with self._lock:
            return self._lock.wait_for(lambda: topic in self.topics, timeout)

    @property
    def topics(self) -> list[str]:
        return [topic for topic, _ in self.messages]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(
        self, client: mqtt.Client, userdata: object, flags: object, reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        self.connack = reason.value
        self._connected.set()

    def _on_publish(
        self, client: mqtt.Client, userdata: object, mid: int, reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        with self._lock:
            self._pubacks[mid] = reason.value
            self._lock.notify_all()

    def _on_subscribe(
        self, client: mqtt.Client, userdata: object, mid: int, reasons: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        with self._lock:
            self._subacks[mid] = [reason.value for reason in reasons]
            self._lock.notify_all()

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((message.topic, message.payload))
            self._lock.notify_all()
