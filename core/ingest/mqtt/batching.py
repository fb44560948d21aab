"""The writer thread: gather a batch, hand it to ``handle_batch``, ack it only on success.

Why it is shaped this way:

* A batch is closed at ``batch_size`` messages, after ``batch_latency`` seconds since its
  first message, or after ``idle_flush`` seconds without a new one (a flow-controlled broker
  sends nothing more until we ack, so waiting longer would only add latency).
* A failing ``handle_batch`` (database down) is retried with the *same* batch, after
  ``retry_delay`` doubling up to ``max_retry_delay``, until it succeeds or the consumer stops.
  Nothing is acked meanwhile; the queue fills, then the network thread blocks, then the
  broker holds back (its in-flight window is full): back-pressure all the way, no drops.
* On stop the writer drains what was already received, trying each batch once more; a batch
  that still fails is abandoned un-acked, and the broker redelivers it to the next session.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import NamedTuple

from core.ingest.mqtt.handoff import HandOff
from core.ingest.mqtt.message import Message
from core.ingest.mqtt.metrics import ConsumerMetrics

logger = logging.getLogger("stadspuls.mqtt")

#: Stores a batch and returns None, or checks it and returns the commit to run next (the
#: commit of batch N then overlaps the checks of batch N+1; acks still follow the commit).
BatchHandler = Callable[[list[Message]], Callable[[], object] | None]
_POLL = 0.1  # seconds between stop checks while the queue is empty


class Item(NamedTuple):
    """A message with the connection it came on and when it arrived (monotonic clock)."""

    message: Message
    generation: int
    arrived: float


class Writer:
    """The loop of the writer thread; ``ack`` acks a handled batch and says (acked, stale)."""

    def __init__(
        self,
        source: HandOff[Item],
        handle_batch: BatchHandler,
        ack: Callable[[list[Item]], tuple[int, int]],
        stop: threading.Event,
        metrics: ConsumerMetrics,
        *,
        batch_size: int,
        batch_latency: float,
        idle_flush: float | None,
        retry_delay: float,
        max_retry_delay: float,
        on_metrics: Callable[[dict[str, float]], None] | None = None,
    ) -> None:
        self._source = source
        self._handle_batch = handle_batch
        self._ack = ack
        self._stop = stop
        self._metrics = metrics
        self._batch_size = batch_size
        self._batch_latency = batch_latency
        self._idle_flush = idle_flush
        self._retry_delay = retry_delay
        self._max_retry_delay = max_retry_delay
        self._on_metrics = on_metrics
        self.failure: BaseException | None = None
        self._commits: queue.Queue[tuple[list[Item], Callable[[], object]] | None] = queue.Queue(
            maxsize=1
        )

    def run(self) -> None:
        """Batch until stopped and drained; a bug here stops the consumer instead of hanging."""
        committer = threading.Thread(target=self._commit_loop, name="mqtt-committer", daemon=True)
        committer.start()
        try:
            while True:
                items = self.take_batch()
                if items:
                    self.deliver(items)
                elif self._stop.is_set():
                    return
        except BaseException as error:
            self._fail(error)
        finally:
            self._commits.put(None)
            committer.join()

    def _fail(self, error: BaseException) -> None:
        self.failure = error
        logger.exception("mqtt writer thread failed", extra={"event": "writer_failed"})
        self._stop.set()

    def _commit_loop(self) -> None:
        """Run the commits that handlers returned, in order, then ack their batches."""
        try:
            while (job := self._commits.get()) is not None:
                items, commit = job
                self._until_done(items, commit)
        except BaseException as error:
            self._fail(error)

    def take_batch(self) -> list[Item]:
        """Up to ``batch_size`` items; empty when none arrived within the poll interval."""
        try:
            items = [self._source.get(timeout=_POLL)]
        except queue.Empty:
            return []
        deadline = items[0].arrived + self._batch_latency
        while len(items) < self._batch_size:
            try:
                items.append(self._source.get_nowait())
                continue
            except queue.Empty:
                pass
            if self._stop.is_set():
                break  # draining at stop: take what is there, do not wait for more
            now = time.monotonic()
            wait = min(deadline - now, _POLL)
            if self._idle_flush is not None:
                wait = min(wait, items[-1].arrived + self._idle_flush - now)
            if wait <= 0:
                break  # the latency bound, or nothing new for idle_flush seconds
            with contextlib.suppress(queue.Empty):
                items.append(self._source.get(timeout=wait))
        self._metrics.queue_depth(self._source.qsize())
        return items

    def deliver(self, items: list[Item]) -> None:
        """Handle one batch until it succeeds (then ack it) or the consumer stops.

        A handler that returns a commit hands it to the committer thread, which retries it
        and acks; this thread goes on with the next batch meanwhile.
        """
        messages = [item.message for item in items]
        commit: list[Callable[[], object]] = []

        def handle() -> None:
            result = self._handle_batch(messages)
            if callable(result):
                commit.append(result)

        if not self._retry(items, handle):
            return
        if commit:
            self._commits.put((items, commit[0]))
            return
        self._done(items, started=items[0].arrived, attempts=1)

    def _until_done(self, items: list[Item], commit: Callable[[], object]) -> None:
        if self._retry(items, commit):
            self._done(items, started=items[0].arrived, attempts=1)

    def _retry(self, items: list[Item], step: Callable[[], object]) -> bool:
        """Run ``step`` until it succeeds (True) or is abandoned while stopping (False)."""
        messages = [item.message for item in items]
        delay = self._retry_delay
        attempt = 0
        while True:
            attempt += 1
            try:
                step()
                return True
            except Exception as error:
                if self._failed(messages, attempt, error, delay):
                    return False  # abandoned: it was the last attempt, made while stopping
                self._stop.wait(delay)  # a stop wakes us for one last attempt
                delay = min(delay * 2, self._max_retry_delay)
                logger.info(
                    "mqtt retrying batch of %d (attempt %d)",
                    len(messages),
                    attempt + 1,
                    extra={"event": "batch_retry", "size": len(messages), "attempt": attempt + 1},
                )

    def _done(self, items: list[Item], started: float, attempts: int) -> None:
        handle_seconds = time.monotonic() - started
        acked, stale = self._ack(items)
        latency = time.monotonic() - items[0].arrived
        self._metrics.batch_done(len(items), acked, stale, latency, handle_seconds)
        logger.info(
            "mqtt batch of %d stored, %d acked",
            len(items),
            acked,
            extra={
                "event": "batch_stored",
                "size": len(items),
                "acked": acked,
                "stale": stale,
                "latency_ms": round(latency * 1000, 1),
            },
        )
        self._publish_metrics()

    def _failed(
        self, messages: list[Message], attempt: int, error: Exception, delay: float
    ) -> bool:
        """Count and log a failed attempt; True when the batch is abandoned (stopping)."""
        self._metrics.handler_failed()
        final = self._stop.is_set()
        if final:
            self._metrics.abandoned()
        logger.error(
            "mqtt batch of %d failed (attempt %d): %s: %s; %s",
            len(messages),
            attempt,
            type(error).__name__,
            error,
            "abandoned un-acked at stop" if final else f"retrying in {delay:g} s",
            extra={
                "event": "batch_abandoned" if final else "batch_failed",
                "size": len(messages),
                "attempt": attempt,
                "error": f"{type(error).__name__}: {error}",
                "retry_in": None if final else delay,
                "first_topic": messages[0].topic,
            },
        )
        self._publish_metrics()
        return final

    def _publish_metrics(self) -> None:
        if self._on_metrics is None:
            return
        try:
            self._on_metrics(self._metrics.snapshot())
        except Exception:
            logger.exception("mqtt on_metrics hook failed", extra={"event": "metrics_failed"})
