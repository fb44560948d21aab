"""A reliable, batched MQTT consumer that knows nothing of what the messages mean.

Three threads, one direction of flow:

* paho's network thread only wraps each message and puts it on a bounded queue
  (:mod:`core.ingest.mqtt.handoff`). When the queue is full the put blocks (in short,
  re-checked waits): back-pressure, never a drop.
* the writer thread (:mod:`core.ingest.mqtt.batching`) takes up to ``batch_size`` messages,
  or what arrived within ``batch_latency``, and calls ``handle_batch``. Only when it returns
  are the messages acknowledged; if it raises, the same batch is retried with backoff.
* the caller's thread blocks in :meth:`MqttConsumer.run` until :meth:`MqttConsumer.stop`.

Delivery is at least once: a crash between storing and acking, or a reconnect, makes the
broker redeliver, so ``handle_batch`` must be idempotent (upserts on natural keys).

Broker limits to know (Mosquitto 2 defaults): per client, at most ``max_queued_messages`` =
1000 QoS 1 messages are queued beyond those in flight, offline *or online* (a burst faster
than we ack), and Mosquitto *drops* the rest ("Outgoing messages are being dropped for
client ..." in its log). Size it (or ``max_queued_bytes``) for the longest outage to survive.
In-flight (un-acked) messages per client are capped by ``max_inflight_messages`` = 20 for
MQTT 3.1.1 clients; MQTT 5 clients set the cap themselves with Receive Maximum (done here).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import paho.mqtt.client as mqtt

from core.ingest.mqtt.batching import BatchHandler, Item, Writer
from core.ingest.mqtt.client import DEFAULT_SESSION_EXPIRY, BrokerConnection
from core.ingest.mqtt.handoff import HandOff
from core.ingest.mqtt.message import Message
from core.ingest.mqtt.metrics import ConsumerMetrics
from core.ingest.mqtt.url import BrokerConfig

logger = logging.getLogger("stadspuls.mqtt")

_PUT_WAIT = 0.25  # seconds between checks of "still accepting?" while the queue is full
_BACKPRESSURE_LOG = 10.0  # seconds between two back-pressure log lines


class MqttConsumer:
    """Consume ``filters`` from a broker into ``handle_batch``, acking only what was handled.

    ``idle_flush`` also ends a batch when nothing arrived for that long: a broker that has
    as many un-acked messages in flight to us as it allows sends nothing more until we ack,
    so waiting out ``batch_latency`` would only cap throughput. ``receive_maximum`` (MQTT 5)
    defaults to two batches, so the next batch arrives while one is being stored.
    ``clean_session`` trades the persistent session for one that ends at disconnect (see
    :mod:`core.ingest.mqtt.client`).
    """

    def __init__(
        self,
        config: BrokerConfig,
        filters: list[str],
        handle_batch: BatchHandler,
        *,
        batch_size: int = 1000,
        batch_latency: float = 0.2,
        queue_size: int = 10_000,
        share_group: str | None = None,
        retry_delay: float = 1.0,
        max_retry_delay: float = 30.0,
        idle_flush: float | None = 0.05,
        session_expiry: int = DEFAULT_SESSION_EXPIRY,
        receive_maximum: int | None = None,
        on_metrics: Callable[[dict[str, float]], None] | None = None,
        clean_session: bool = False,
    ) -> None:
        if batch_size < 1 or queue_size < 1:
            raise ValueError("batch_size and queue_size must be at least 1")
        if batch_latency <= 0 or retry_delay <= 0 or max_retry_delay < retry_delay:
            raise ValueError("batch_latency and retry_delay must be > 0, max >= retry_delay")
        self.config = config
        self.metrics = ConsumerMetrics()
        self._queue: HandOff[Item] = HandOff(queue_size)
        self._accepting = threading.Event()
        self._stop_requested = threading.Event()
        self._subscribed = threading.Event()
        self._ack_lock = threading.Lock()
        self._generation = 0  # bumped per connection: acks never cross connections
        self._lifecycle = threading.Lock()
        self._state = "new"
        self._backpressure_logged_at = -_BACKPRESSURE_LOG  # network thread only
        self._waits_unlogged = 0
        self._connection = BrokerConnection(
            config,
            filters,
            on_message=self._on_message,
            on_connected=self._on_connected,
            on_subscribed=self._subscribed.set,
            on_disconnected=self._on_disconnected,
            share_group=share_group,
            session_expiry=session_expiry,
            receive_maximum=receive_maximum or min(65535, queue_size, 2 * batch_size),
            clean_session=clean_session,
        )
        self._writer = Writer(
            self._queue,
            handle_batch,
            self._ack,
            self._stop_requested,
            self.metrics,
            batch_size=batch_size,
            batch_latency=batch_latency,
            idle_flush=idle_flush,
            retry_delay=retry_delay,
            max_retry_delay=max_retry_delay,
            on_metrics=on_metrics,
        )
        self._thread = threading.Thread(
            target=self._writer.run, name=f"mqtt-writer-{config.client_id}", daemon=True
        )

    @property
    def topics(self) -> list[str]:
        """What is subscribed to (with ``$share/{group}/`` when sharing)."""
        return self._connection.topics

    def start(self) -> None:
        """Start the writer and network threads and return; connecting goes on in the background."""
        with self._lifecycle:
            if self._state != "new":
                raise RuntimeError(f"an MQTT consumer starts once; this one is {self._state}")
            self._state = "running"
            self._accepting.set()
            self._thread.start()
            self._connection.start()

    def run(self) -> None:
        """Start (unless started) and block until :meth:`stop` or :meth:`request_stop`."""
        if self._state == "new":
            self.start()
        while not self._stop_requested.wait(0.5):
            pass
        self._shutdown()
        if self._writer.failure is not None:
            raise RuntimeError("the MQTT writer thread failed") from self._writer.failure

    def request_stop(self) -> None:
        """Ask :meth:`run` to stop; returns at once, so it is safe in a signal handler."""
        self._stop_requested.set()

    def stop(self) -> None:
        """Stop accepting, store and ack what was received, then disconnect cleanly."""
        self.request_stop()
        if threading.current_thread() is self._thread:
            return  # called from handle_batch: the writer drains, then run() finishes
        self._shutdown()

    def wait_subscribed(self, timeout: float | None = None) -> bool:
        """True once the broker granted every subscription on the current connection."""
        return self._subscribed.wait(timeout)

    def _shutdown(self) -> None:
        with self._lifecycle:
            if self._state != "running":
                self._state = "stopped"
                return
            self._accepting.clear()
            self._stop_requested.set()
            self._thread.join()
            self._connection.stop()
            self._state = "stopped"
        logger.info(
            "mqtt consumer %s stopped",
            self.config.client_id,
            extra={"event": "stopped", "client_id": self.config.client_id},
        )

    # paho's network thread -------------------------------------------------------------

    def _on_message(self, raw: mqtt.MQTTMessage) -> None:
        if not self._accepting.is_set():
            self.metrics.dropped_on_stop()  # not acked: the broker redelivers it next session
            return
        # Positional: this runs for every message, on the thread paho reads the socket with.
        message = Message(
            raw.topic, bytes(raw.payload), raw.qos, bool(raw.retain), raw.mid, datetime.now(UTC)
        )
        item = Item(message, self._generation, time.monotonic())
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self._note_backpressure()
            while not self._put_patiently(item):
                if not self._accepting.is_set():
                    self.metrics.dropped_on_stop()
                    return
        self.metrics.received()

    def _put_patiently(self, item: Item) -> bool:
        try:
            self._queue.put(item, timeout=_PUT_WAIT)
        except queue.Full:
            return False
        return True

    def _note_backpressure(self) -> None:
        """Count a put that had to wait; log it at most every ``_BACKPRESSURE_LOG`` seconds."""
        self.metrics.backpressure_wait()
        self._waits_unlogged += 1
        now = time.monotonic()
        if now - self._backpressure_logged_at < _BACKPRESSURE_LOG:
            return
        logger.warning(
            "mqtt queue full (%d): the network thread waited %d times",
            self._queue.maxsize,
            self._waits_unlogged,
            extra={"event": "backpressure", "waits": self._waits_unlogged},
        )
        self._backpressure_logged_at, self._waits_unlogged = now, 0

    def _on_connected(self, session_present: bool) -> None:
        with self._ack_lock:
            self._generation += 1
        self.metrics.connected()

    def _on_disconnected(self) -> None:
        # Runs before paho reconnects: an ack issued under the old generation has been queued
        # on the old connection (and is discarded with it), never sent on the new one, where
        # the broker may have given its packet id to another message.
        with self._ack_lock:
            self._generation += 1
        self._subscribed.clear()
        self.metrics.disconnected()

    # the writer thread -----------------------------------------------------------------

    def _ack(self, items: list[Item]) -> tuple[int, int]:
        """Ack the QoS>0 messages received on the current connection; (acked, stale)."""
        acked = stale = 0
        ack = self._connection.ack
        with self._ack_lock:
            generation = self._generation
            for item in items:
                message = item.message
                if message.qos == 0:
                    continue
                if item.generation != generation:
                    stale += 1  # its connection is gone; the broker redelivers it
                    continue
                ack(message.mid, message.qos)
                acked += 1
        return acked, stale
