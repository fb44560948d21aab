"""The consumer on the shared Mosquitto: delivery, batching, latency, sessions, failures."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import Counter
from datetime import UTC

import pytest

from core.ingest.mqtt import BrokerConfig, Message, MqttConsumer
from tests.mqtt.broker import Sink, ids, new_client_id, publish, purge_session, wait_until
from tests.mqtt.conftest import ConsumerFactory


def _config(broker: BrokerConfig, client_id: str, protocol: int = 5) -> BrokerConfig:
    return dataclasses.replace(broker, client_id=client_id, protocol=protocol)  # type: ignore[arg-type]


def test_delivers_every_message_once_in_bounded_batches(
    broker: BrokerConfig, topic: str, make_consumer: ConsumerFactory
) -> None:
    sink = Sink()
    snapshots: list[dict[str, float]] = []
    consumer = make_consumer(
        _config(broker, new_client_id()),
        [f"{topic}/#"],
        sink,
        batch_size=64,
        on_metrics=snapshots.append,
    )
    consumer.start()
    assert consumer.wait_subscribed(10)

    publish(broker.host, broker.port, f"{topic}/parking/p1", range(500))

    received = sink.wait_for(500)
    assert sorted(ids(received)) == list(range(500))  # all, each exactly once
    assert all(1 <= len(batch) <= 64 for batch in sink.batches)
    assert max(len(batch) for batch in sink.batches) > 1  # batched, not one by one
    first = received[0]
    assert first.topic == f"{topic}/parking/p1" and first.qos == 1 and not first.retain
    assert first.received_at.tzinfo is UTC
    assert wait_until(lambda: consumer.metrics.snapshot()["acked"] == 500)
    metrics = consumer.metrics.snapshot()
    assert metrics["received"] == 500 and metrics["batch_messages"] == 500
    assert metrics["batches"] == len(sink.batches) and metrics["handler_failures"] == 0
    assert wait_until(lambda: bool(snapshots) and snapshots[-1]["acked"] == 500)


def test_a_lone_message_is_handled_without_waiting_for_a_full_batch(
    broker: BrokerConfig, topic: str, make_consumer: ConsumerFactory
) -> None:
    sink = Sink()
    consumer = make_consumer(
        _config(broker, new_client_id()),
        [f"{topic}/#"],
        sink,
        batch_size=1000,
        batch_latency=0.2,
        idle_flush=None,  # only the latency bound can close this batch
    )
    consumer.start()
    assert consumer.wait_subscribed(10)

    publish(broker.host, broker.port, f"{topic}/one", [7])

    assert ids(sink.wait_for(1, timeout=5)) == [7]
    assert [len(batch) for batch in sink.batches] == [1]


@pytest.mark.parametrize("protocol", [5, 3], ids=["mqtt5", "mqtt3.1.1"])
def test_persistent_session_keeps_messages_published_while_down(
    broker: BrokerConfig, topic: str, make_consumer: ConsumerFactory, protocol: int
) -> None:
    config = _config(broker, new_client_id("persistent"), protocol)
    first = make_consumer(config, [f"{topic}/#"], Sink())
    first.start()
    assert first.wait_subscribed(10)
    first.stop()
    try:
        # Fewer than Mosquitto's default max_queued_messages (1000) for an offline client.
        publish(broker.host, broker.port, f"{topic}/while-down", range(200))

        sink = Sink()
        second = make_consumer(config, [f"{topic}/#"], sink)
        second.start()
        assert sorted(ids(sink.wait_for(200))) == list(range(200))
        second.stop()
    finally:
        purge_session(broker.host, broker.port, config.client_id, protocol)


class FlakyDatabase:
    """Raises for the first ``failures`` calls; records each call and the acks seen then."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[tuple[list[int], float]] = []
        self.sink = Sink()
        self.consumer: MqttConsumer | None = None

    def __call__(self, batch: list[Message]) -> None:
        assert self.consumer is not None
        self.calls.append((ids(batch), self.consumer.metrics.snapshot()["acked"]))
        if len(self.calls) <= self.failures:
            raise ConnectionError("database is down")
        self.sink(batch)


def test_failed_batches_are_retried_unacked_then_stored_once(
    broker: BrokerConfig,
    topic: str,
    make_consumer: ConsumerFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="stadspuls.mqtt")
    database = FlakyDatabase(failures=2)
    consumer = make_consumer(
        _config(broker, new_client_id()), [f"{topic}/#"], database, retry_delay=0.05
    )
    database.consumer = consumer
    consumer.start()
    assert consumer.wait_subscribed(10)

    publish(broker.host, broker.port, f"{topic}/flaky", range(100))

    stored = database.sink.wait_for(100)
    assert sorted(ids(stored)) == list(range(100))
    calls = database.calls
    assert calls[0][0] == calls[1][0] == calls[2][0]  # the same batch, retried as is
    assert [acked for _, acked in calls[:3]] == [0, 0, 0]  # nothing acked before success
    assert not [n for n, seen in Counter(ids(stored)).items() if seen > 1]
    assert wait_until(lambda: consumer.metrics.snapshot()["acked"] == 100)
    assert consumer.metrics.snapshot()["handler_failures"] == 2
    events = [getattr(record, "event", None) for record in caplog.records]
    for event in ("connecting", "connected", "subscribed", "batch_failed", "batch_retry"):
        assert event in events
    assert "batch_stored" in events
    failed = next(r for r in caplog.records if getattr(r, "event", None) == "batch_failed")
    assert failed.getMessage().count("\n") == 0  # one line, fields in `extra`
    assert failed.error == "ConnectionError: database is down"  # type: ignore[attr-defined]
    assert failed.size == len(calls[0][0]) and failed.retry_in == 0.05  # type: ignore[attr-defined]


def test_a_batch_that_never_succeeds_is_redelivered_by_the_broker(
    broker: BrokerConfig, topic: str, make_consumer: ConsumerFactory
) -> None:
    config = _config(broker, new_client_id("unacked"))
    attempts = threading.Event()

    def database_down(batch: list[Message]) -> None:
        attempts.set()
        raise ConnectionError("database is down")

    failing = make_consumer(config, [f"{topic}/#"], database_down, retry_delay=0.05)
    failing.start()
    assert failing.wait_subscribed(10)
    publish(broker.host, broker.port, f"{topic}/x", range(50))
    assert attempts.wait(10)
    failing.stop()  # one last attempt fails too: the batch is abandoned, not acked
    snapshot = failing.metrics.snapshot()
    assert snapshot["acked"] == 0 and snapshot["abandoned_batches"] >= 1

    sink = Sink()
    make_consumer(config, [f"{topic}/#"], sink).start()
    assert sorted(ids(sink.wait_for(50))) == list(range(50))


def test_stop_flushes_the_open_batch_and_acks_it(
    broker: BrokerConfig, topic: str, make_consumer: ConsumerFactory
) -> None:
    config = _config(broker, new_client_id("flush"))
    sink = Sink()
    consumer = make_consumer(
        config, [f"{topic}/#"], sink, batch_size=1000, batch_latency=30, idle_flush=None
    )
    consumer.start()
    assert consumer.wait_subscribed(10)
    publish(broker.host, broker.port, f"{topic}/x", range(10))
    assert wait_until(lambda: consumer.metrics.snapshot()["received"] == 10)
    assert sink.messages == []  # still gathering: the latency bound is 30 s

    consumer.stop()

    assert sorted(ids(sink.messages)) == list(range(10))
    assert consumer.metrics.snapshot()["acked"] == 10
    again = Sink()  # the acks reached the broker before the disconnect: nothing comes back
    make_consumer(config, [f"{topic}/#"], again).start()
    time.sleep(1.0)
    assert again.messages == []


def test_a_small_queue_applies_back_pressure_without_losing_messages(
    broker: BrokerConfig,
    topic: str,
    make_consumer: ConsumerFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="stadspuls.mqtt")
    sink = Sink()

    def slow(batch: list[Message]) -> None:
        time.sleep(0.01)
        sink(batch)

    consumer = make_consumer(
        _config(broker, new_client_id()),
        [f"{topic}/#"],
        slow,
        batch_size=10,
        queue_size=5,
        receive_maximum=200,  # the broker may send far more than the queue holds
    )
    consumer.start()
    assert consumer.wait_subscribed(10)

    publish(broker.host, broker.port, f"{topic}/burst", range(300))

    assert sorted(ids(sink.wait_for(300, timeout=20))) == list(range(300))
    metrics = consumer.metrics.snapshot()
    assert metrics["dropped_on_stop"] == 0 and metrics["backpressure_waits"] > 0
    events = [getattr(record, "event", None) for record in caplog.records]
    assert "backpressure" in events  # the full queue did hold the network thread
