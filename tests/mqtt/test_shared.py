"""Two workers in one shared-subscription group split a stream between them (MQTT 5)."""

from __future__ import annotations

import dataclasses
import time
import uuid

from core.ingest.mqtt import BrokerConfig
from tests.mqtt.broker import Sink, ids, new_client_id, publish, wait_until
from tests.mqtt.conftest import ConsumerFactory


def test_shared_subscription_splits_the_stream_without_overlap(
    broker: BrokerConfig, topic: str, make_consumer: ConsumerFactory
) -> None:
    group = f"g{uuid.uuid4().hex[:8]}"
    sinks = [Sink(), Sink()]
    consumers = [
        make_consumer(
            dataclasses.replace(broker, client_id=new_client_id(f"shared{n}"), protocol=5),
            [f"{topic}/#"],
            sink,
            share_group=group,
            batch_size=50,
        )
        for n, sink in enumerate(sinks)
    ]
    assert consumers[0].topics == [f"$share/{group}/{topic}/#"]
    for consumer in consumers:
        consumer.start()
    for consumer in consumers:
        assert consumer.wait_subscribed(10)

    publish(broker.host, broker.port, f"{topic}/crowding/cam1", range(1000))

    assert wait_until(lambda: sum(len(sink.messages) for sink in sinks) >= 1000, 15)
    time.sleep(0.2)  # a duplicate, if any, would arrive now
    first, second = (set(ids(sink.messages)) for sink in sinks)
    assert first | second == set(range(1000))
    assert not first & second  # no message went to both workers
    assert len(first) + len(second) == 1000  # and none twice to one
    assert first and second  # both did some of the work
