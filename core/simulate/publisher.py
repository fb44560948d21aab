"""Publish a stream of messages to an MQTT broker at a steady rate, bounded in count or time.

The broker URL is the platform's own (:func:`core.ingest.mqtt.url.parse_broker_url`): user and
password, ``mqtts://`` for TLS, ``?protocol=3.1.1|5`` (5 by default). The publisher connects with
a clean session and its own client id (``stadspuls-simulate-<random>`` unless the URL names one),
so it never takes over the ingest worker's persistent session.

Pacing is a token bucket: tokens flow in at ``rate_per_second`` and a message costs one; the bucket
holds at most a 50 ms burst, so the long-run rate is exact while sleeps stay coarse enough for
the OS. At most ``max_inflight`` QoS 1/2 messages are unacknowledged at any time (fewer when an
MQTT 5 broker announces a smaller Receive Maximum, which paho itself does not honour): a slow
broker slows the stream instead of filling memory or breaking the broker's limit.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from core.errors import StadspulsError
from core.ingest.mqtt.url import BrokerConfig, parse_broker_url

logger = logging.getLogger("stadspuls.simulate")

BURST_SECONDS = 0.05
DEFAULT_MAX_INFLIGHT = 100


class PublishError(StadspulsError):
    """The broker cannot be reached or refused the publisher."""


@dataclass(frozen=True)
class PublishReport:
    """What a run did: messages handed to the client, acknowledged ones, and seconds taken.

    ``acked`` counts broker acknowledgements (PUBACK) for QoS 1 and 2, and messages written to
    the socket for QoS 0, which has no acknowledgement.
    """

    published: int
    acked: int
    elapsed: float

    @property
    def rate(self) -> float:
        return self.published / self.elapsed if self.elapsed > 0 else 0.0


class _Counter:
    """Acknowledgements and connection state, written by paho's thread and read by ours."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.acked = 0
        self.connected = threading.Event()
        self.refusal: str | None = None
        self.receive_maximum: int | None = None  # what an MQTT 5 broker announced

    def ack(self) -> None:
        with self.changed:
            self.acked += 1
            self.changed.notify_all()

    def wait_for(self, acked: int, deadline: float) -> None:
        """Block until ``acked`` acknowledgements arrived or ``deadline`` passed."""
        with self.changed:
            while self.acked < acked:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self.changed.wait(min(0.5, left))

    def wait_below(
        self,
        published: int,
        inflight: int,
        deadline: float | None,
        stop: threading.Event | None,
    ) -> bool:
        """Wait until fewer than ``inflight`` messages await their ack; False on deadline/stop."""
        if self.receive_maximum is not None:
            inflight = min(inflight, self.receive_maximum)
        with self.changed:
            while published - self.acked >= inflight:
                left = None if deadline is None else deadline - time.monotonic()
                if (left is not None and left <= 0) or (stop is not None and stop.is_set()):
                    return False
                self.changed.wait(0.2 if left is None else min(0.2, left))
        return True


def _client_id(url: str, config: BrokerConfig) -> str:
    """The URL's explicit client id, else a fresh one: never the ingest worker's default."""
    if any(name == "client_id" for name, _ in parse_qsl(urlsplit(url.strip()).query)):
        return config.client_id
    return f"stadspuls-simulate-{uuid.uuid4().hex[:10]}"


def _build_client(
    config: BrokerConfig, client_id: str, counter: _Counter, inflight: int
) -> mqtt.Client:
    v5 = config.protocol == 5
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=None if v5 else True,
        protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
    )
    if config.username is not None:
        client.username_pw_set(config.username, config.password)
    if config.tls:
        client.tls_set(ca_certs=config.ca_certs)
    client.max_inflight_messages_set(inflight)

    def on_connect(
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            counter.refusal = str(reason)
            return
        announced = getattr(properties, "ReceiveMaximum", None) if properties else None
        counter.receive_maximum = (
            announced if isinstance(announced, int) and announced > 0 else None
        )
        counter.connected.set()

    def on_publish(
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            logger.warning("the broker refused message %s: %s", mid, reason)
        else:
            counter.ack()

    client.on_connect = _guarded(on_connect)
    client.on_publish = _guarded(on_publish)
    return client


def _guarded(callback: Callable[..., None]) -> Callable[..., None]:
    """Log a callback's exception instead of letting it end paho's network thread."""

    def guarded(*args: Any) -> None:
        try:
            callback(*args)
        except Exception:
            logger.exception("publisher callback %s failed", callback.__name__)

    return guarded


def _connect(client: mqtt.Client, config: BrokerConfig, counter: _Counter, timeout: float) -> None:
    try:
        if config.protocol == 5:
            client.connect(config.host, config.port, keepalive=config.keepalive, clean_start=True)
        else:
            client.connect(config.host, config.port, keepalive=config.keepalive)
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise PublishError(f"cannot reach the MQTT broker at {config.address}: {reason}") from None
    client.loop_start()
    deadline = time.monotonic() + timeout
    while not counter.connected.wait(0.05):
        if counter.refusal is not None or time.monotonic() > deadline:
            client.disconnect()
            client.loop_stop()
            if counter.refusal is not None:
                raise PublishError(
                    f"the MQTT broker at {config.address} refused the connection: {counter.refusal}"
                )
            raise PublishError(
                f"the MQTT broker at {config.address} did not answer in {timeout:g} s"
            )


class _TokenBucket:
    """Tokens flow in at ``rate`` per second, up to a ``BURST_SECONDS`` burst; a message costs 1."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.burst = max(1.0, rate * BURST_SECONDS) if math.isfinite(rate) else math.inf
        self.tokens = 1.0
        self.refilled = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.refilled) * self.rate)
        self.refilled = now

    def take(self, deadline: float | None, stop: threading.Event | None) -> bool:
        """Wait for a token; False when ``deadline`` would pass first or ``stop`` is set."""
        if not math.isfinite(self.rate):
            return True
        self._refill()
        if self.tokens < 1.0:
            wait = (1.0 - self.tokens) / self.rate
            if deadline is not None and time.monotonic() + wait >= deadline:
                return False
            if stop is not None:
                if stop.wait(wait):
                    return False
            else:
                time.sleep(wait)
            self._refill()
        self.tokens -= 1.0
        return True


def publish(
    url: str,
    messages: Iterable[tuple[str, bytes]],
    rate_per_second: float,
    duration_seconds: float | None = None,
    qos: int = 1,
    *,
    limit: int | None = None,
    max_inflight: int = DEFAULT_MAX_INFLIGHT,
    connect_timeout: float = 10.0,
    drain_timeout: float = 10.0,
    stop: threading.Event | None = None,
    progress: Callable[[PublishReport], None] | None = None,
) -> PublishReport:
    """Publish ``messages`` (topic, payload) at ``rate_per_second`` and report the counts.

    The run ends when ``messages`` is exhausted, ``limit`` messages are out,
    ``duration_seconds`` have passed or ``stop`` is set, whichever comes first; then it waits up
    to ``drain_timeout`` seconds for outstanding acknowledgements. ``rate_per_second`` may be
    ``math.inf`` (as fast as the broker acknowledges). ``progress`` is called about once a
    second. An unreachable or refusing broker raises :class:`PublishError`.
    """
    if not rate_per_second > 0:
        raise ValueError(
            f"rate must be a positive number of messages per second, not {rate_per_second}"
        )
    if qos not in (0, 1, 2):
        raise ValueError(f"qos must be 0, 1 or 2, not {qos}")
    if max_inflight < 1:
        raise ValueError(f"max_inflight must be one or more, not {max_inflight}")
    config = parse_broker_url(url)
    counter = _Counter()
    client = _build_client(config, _client_id(url, config), counter, max_inflight)
    _connect(client, config, counter, connect_timeout)
    started = time.monotonic()
    deadline = None if duration_seconds is None else started + duration_seconds
    bucket = _TokenBucket(rate_per_second)
    reported, published = started, 0
    try:
        for topic, payload in messages:
            if (limit is not None and published >= limit) or (stop is not None and stop.is_set()):
                break
            if not bucket.take(deadline, stop):
                break
            if qos > 0 and not counter.wait_below(published, max_inflight, deadline, stop):
                break
            if _send(client, topic, payload, qos):
                published += 1
            if progress is not None and time.monotonic() - reported >= 1.0:
                reported = time.monotonic()
                progress(PublishReport(published, counter.acked, reported - started))
        counter.wait_for(published, time.monotonic() + drain_timeout)
    finally:
        client.disconnect()
        client.loop_stop()
    return PublishReport(published, counter.acked, time.monotonic() - started)


def _send(client: mqtt.Client, topic: str, payload: bytes, qos: int) -> bool:
    """Hand one message to paho; QoS 1/2 messages are queued while the client reconnects."""
    info = client.publish(topic, payload, qos=qos)
    if info.rc == MQTTErrorCode.MQTT_ERR_SUCCESS:
        return True
    if qos > 0 and info.rc == MQTTErrorCode.MQTT_ERR_NO_CONN:
        return True
    logger.warning("message on %s not published: %s", topic, mqtt.error_string(info.rc))
    return False
