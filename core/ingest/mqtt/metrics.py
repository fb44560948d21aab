"""Counters of one consumer, safe to update from paho's network thread and the writer thread.

Kept free of any exporter: the Prometheus wiring (elsewhere) reads :meth:`snapshot`, and the
tests read the same numbers, so what is monitored is exactly what is tested.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass


@dataclass(slots=True)
class _Counts:
    received: int = 0  # messages put on the queue
    acked: int = 0  # acknowledgements sent (QoS > 0, after a successful batch)
    not_acked_stale: int = 0  # stored, but received on a previous connection: left for redelivery
    backpressure_waits: int = 0  # puts that found the queue full and had to wait
    dropped_on_stop: int = 0  # arrived while stopping; not acked, so the broker redelivers
    batches: int = 0  # batches handled successfully
    batch_messages: int = 0  # messages in those batches
    handler_failures: int = 0  # calls of handle_batch that raised
    abandoned_batches: int = 0  # batches given up on at stop (redelivered by the broker later)
    batch_latency_sum: float = 0.0  # seconds from the first message's arrival to its ack
    batch_latency_max: float = 0.0
    handle_seconds_sum: float = 0.0  # seconds spent inside handle_batch (successful calls)
    queue_depth: int = 0  # messages waiting for the writer, sampled when a batch is taken
    connects: int = 0  # successful CONNACKs
    reconnects: int = 0  # successful CONNACKs after the first one
    disconnects: int = 0


class ConsumerMetrics:
    """Thread-safe counters with one lock; updates are rare enough (per batch) to not matter."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = _Counts()

    def received(self) -> None:
        """Count a queued message; called per message, by paho's network thread only.

        Without the lock: no other thread writes this counter, and under the GIL a reader sees
        either the old or the new value, never a torn one.
        """
        self._counts.received += 1

    def backpressure_wait(self) -> None:
        with self._lock:
            self._counts.backpressure_waits += 1

    def dropped_on_stop(self) -> None:
        with self._lock:
            self._counts.dropped_on_stop += 1

    def connected(self) -> None:
        with self._lock:
            self._counts.connects += 1
            if self._counts.connects > 1:
                self._counts.reconnects += 1

    def disconnected(self) -> None:
        with self._lock:
            self._counts.disconnects += 1

    def queue_depth(self, depth: int) -> None:
        with self._lock:
            self._counts.queue_depth = depth

    def handler_failed(self) -> None:
        with self._lock:
            self._counts.handler_failures += 1

    def abandoned(self) -> None:
        with self._lock:
            self._counts.abandoned_batches += 1

    def batch_done(
        self, size: int, acked: int, stale: int, latency: float, handle_seconds: float
    ) -> None:
        with self._lock:
            counts = self._counts
            counts.batches += 1
            counts.batch_messages += size
            counts.acked += acked
            counts.not_acked_stale += stale
            counts.batch_latency_sum += latency
            counts.batch_latency_max = max(counts.batch_latency_max, latency)
            counts.handle_seconds_sum += handle_seconds

    def snapshot(self) -> dict[str, float]:
        """A consistent copy of every counter, by name."""
        with self._lock:
            return {name: value for name, value in asdict(self._counts).items()}
