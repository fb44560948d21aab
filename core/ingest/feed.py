"""Checking a live MQTT feed without storing it: the engine of ``stadspuls validate-feed``.

Every message goes through :meth:`core.ingest.messages.MessageRouter.check_batch`, the same
routing, decoding (size limit, UTF-8, JSON), adapter and validator as the ingest worker, and is
never committed: nothing reaches the data tables or the quarantine.

Why listening cannot take messages away from the ingest workers:

* MQTT gives every matching subscription its own copy of a message. The validator subscribes
  on its own, never through the workers' ``$share/{group}/`` subscription, where the broker
  would hand each message to only one member of the group.
* It connects with its own client id (``stadspuls-validate-feed-<random>``), never the one of
  a broker URL: a broker disconnects the older of two connections with one id, and the
  validator would then take over a worker's persistent session and its queued messages.
* Its session is clean and ends with the connection (MQTT 5 ``clean_start`` and expiry 0,
  MQTT 3.1.1 ``clean_session``), so the broker queues nothing for it after it left.

Retained messages (sent at subscription, not live) are left out of the report; a reconnect in
the window loses what was published meanwhile (a clean session has no queue).
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import Engine

from core.errors import StadspulsError
from core.ingest.messages import DEFAULT_MAX_PAYLOAD, MessageRouter
from core.ingest.mqtt import BrokerConfig, Message, MqttConsumer
from core.ingest.pipeline import IngestSummary
from core.pilot import Registry
from core.reports.model import ValidationReport, build_report
from core.sources import Source, check_filter

#: Seconds to wait for the broker to accept the connection and the subscription.
CONNECT_TIMEOUT = 10.0


class FeedUnavailable(StadspulsError):
    """The broker cannot be reached, or refuses the connection or the subscription."""


@dataclass(frozen=True)
class FeedSpec:
    """What the supplier declares about the feed to check, as a source would."""

    topic: str
    pilot: str
    format: str
    source: str | None = None
    crs: str | None = None
    timezone: str | None = None


class FeedCheck:
    """Checks messages as the ingest worker would and accumulates the report; stores nothing.

    ``handle_batch`` is an :class:`~core.ingest.mqtt.MqttConsumer` handler. Messages are
    numbered in arrival order, the position the report gives for each problem.
    """

    def __init__(
        self,
        registry: Registry,
        spec: FeedSpec,
        engine: Engine | None = None,
        max_payload: int = DEFAULT_MAX_PAYLOAD,
    ) -> None:
        self.spec = spec
        self.pilot = registry.get(spec.pilot)
        self.pilot.adapter(spec.format)  # an unknown format fails before connecting
        check_filter(spec.topic)
        source = Source(
            id=spec.source or spec.format,
            pilot=spec.pilot,
            format=spec.format,
            topic=spec.topic,
            crs=spec.crs,
            timezone=spec.timezone,
        )
        self.router = MessageRouter(registry, engine, [source], max_payload, keep_reports=True)
        self.summary = IngestSummary()
        self.retained = 0
        self._lock = threading.Lock()

    def handle_batch(self, messages: list[Message]) -> None:
        for message in messages:
            if message.retain:
                with self._lock:
                    self.retained += 1
                continue
            checked = self.router.check_batch([message])
            with self._lock:
                for report in checked.summary.rejected:
                    report.position = self.summary.read + 1
                self.summary.merge(checked.summary)

    def report(self) -> ValidationReport:
        with self._lock:
            return build_report(
                self.spec.topic,
                self.pilot.id,
                self.spec.format,
                self.summary,
                self.pilot.handbook,
                subject="topic",
            )


def listener_config(config: BrokerConfig) -> BrokerConfig:
    """``config`` with a client id of the validator's own (see the module docstring)."""
    return replace(config, client_id=f"stadspuls-validate-feed-{uuid.uuid4().hex[:12]}")


def listen(
    config: BrokerConfig,
    check: FeedCheck,
    seconds: float,
    connect_timeout: float = CONNECT_TIMEOUT,
    on_listening: Callable[[], None] | None = None,
) -> ValidationReport:
    """Subscribe to the feed, check what arrives for ``seconds``, and return the report.

    The window starts once the broker granted the subscription (``on_listening`` is called
    then), so a slow connection does not shorten it.
    """
    _require_reachable(config)
    consumer = MqttConsumer(
        listener_config(config),
        [check.spec.topic],
        check.handle_batch,
        clean_session=True,
        batch_size=100,
        batch_latency=0.1,
    )
    consumer.start()
    try:
        if not consumer.wait_subscribed(connect_timeout):
            raise FeedUnavailable(
                f"the MQTT broker at {config.address} did not accept the connection and the "
                f"subscription to '{check.spec.topic}' within {connect_timeout:g} s; check the "
                "credentials and the broker's ACL"
            )
        if on_listening is not None:
            on_listening()
        time.sleep(seconds)
    finally:
        consumer.stop()
    return check.report()


def _require_reachable(config: BrokerConfig) -> None:
    try:
        socket.create_connection((config.host, config.port), timeout=5).close()
    except OSError as error:
        reason = error.strerror or str(error)
        raise FeedUnavailable(
            f"the MQTT broker at {config.address} is unreachable: {reason}"
        ) from None
