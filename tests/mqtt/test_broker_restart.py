"""A broker that restarts, or is not there yet at start: the consumer reconnects by itself."""

from __future__ import annotations

import threading
import time

from core.ingest.mqtt import Message, parse_broker_url
from tests.mqtt.broker import Mosquitto, Sink, free_port, ids, new_client_id, publish, wait_until
from tests.mqtt.conftest import ConsumerFactory


def test_consumer_reconnects_after_a_broker_restart(
    own_broker: Mosquitto, make_consumer: ConsumerFactory
) -> None:
    topic = f"stadspuls-test/restart-{new_client_id()}"
    sink = Sink()
    config = parse_broker_url(f"{own_broker.url}?client_id={new_client_id('restart')}")
    consumer = make_consumer(config, [f"{topic}/#"], sink)
    consumer.start()
    assert consumer.wait_subscribed(10)
    publish("127.0.0.1", own_broker.port, f"{topic}/before", range(50))
    assert sorted(ids(sink.wait_for(50))) == list(range(50))

    own_broker.stop()
    assert wait_until(lambda: consumer.metrics.snapshot()["disconnects"] >= 1)
    own_broker.start()  # same port, same persistence directory

    assert wait_until(lambda: consumer.metrics.snapshot()["reconnects"] >= 1)
    assert consumer.wait_subscribed(10)
    publish("127.0.0.1", own_broker.port, f"{topic}/after", range(50, 100))
    assert set(ids(sink.wait_for(100))) == set(range(100))


def test_consumer_waits_for_a_broker_that_is_down_at_start(
    own_broker: Mosquitto, make_consumer: ConsumerFactory
) -> None:
    own_broker.stop()
    topic = f"stadspuls-test/late-{new_client_id()}"
    sink = Sink()
    config = parse_broker_url(f"{own_broker.url}?client_id={new_client_id('late')}")
    consumer = make_consumer(config, [f"{topic}/#"], sink)
    consumer.start()  # does not raise: connecting is retried in the background
    time.sleep(0.3)
    assert consumer.metrics.snapshot()["connects"] == 0

    own_broker.start()

    assert consumer.wait_subscribed(15)
    publish("127.0.0.1", own_broker.port, f"{topic}/x", range(20))
    assert sorted(ids(sink.wait_for(20))) == list(range(20))


def test_stop_returns_while_the_broker_is_unreachable(make_consumer: ConsumerFactory) -> None:
    config = parse_broker_url(f"mqtt://127.0.0.1:{free_port()}?client_id={new_client_id()}")
    consumer = make_consumer(config, ["stadspuls-test/#"], Sink())
    consumer.start()
    time.sleep(0.3)
    started = time.monotonic()
    consumer.stop()
    assert time.monotonic() - started < 5
    assert consumer.metrics.snapshot()["connects"] == 0


def test_a_batch_from_a_lost_connection_is_not_acked_on_the_new_one(
    own_broker: Mosquitto, make_consumer: ConsumerFactory
) -> None:
    """Packet ids belong to a connection: after a reconnect the broker may reuse the id of a
    message we hold for another message, so acking it then could ack the wrong one. The
    consumer leaves such a batch un-acked; the broker redelivers it on the new connection."""
    topic = f"stadspuls-test/stale-{new_client_id()}"
    sink = Sink()
    release = threading.Event()
    holding = threading.Event()

    def slow_database(batch: list[Message]) -> None:
        if not holding.is_set():  # hold the first batch across the broker restart
            holding.set()
            assert release.wait(30)
        sink(batch)

    config = parse_broker_url(f"{own_broker.url}?client_id={new_client_id('stale')}")
    consumer = make_consumer(config, [f"{topic}/#"], slow_database, batch_size=1000)
    consumer.start()
    assert consumer.wait_subscribed(10)
    publish("127.0.0.1", own_broker.port, f"{topic}/x", range(30))
    assert holding.wait(10)

    own_broker.stop()  # with persistence: the un-acked messages survive in the session
    own_broker.start()
    assert wait_until(lambda: consumer.metrics.snapshot()["reconnects"] >= 1, 15)
    release.set()

    assert wait_until(lambda: consumer.metrics.snapshot()["acked"] >= 30, 15)
    snapshot = consumer.metrics.snapshot()
    first = sink.batches[0]
    assert snapshot["not_acked_stale"] == len(first) > 0  # stored, but not acked
    assert set(ids(sink.messages)) == set(range(30))
    assert set(ids(first)) <= set(ids(sink.messages[len(first) :]))  # redelivered
