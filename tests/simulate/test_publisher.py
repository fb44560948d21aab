"""The publisher against the real Mosquitto (``STADSPULS_TEST_MQTT_URL``, 127.0.0.1:1883).

Every test publishes under its own topic and counts what a subscriber receives. An unreachable
broker fails these tests; it never skips them.
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import count

import pytest

from core.ingest.mqtt.url import parse_broker_url
from core.simulate import Publication, PublishError, PublishReport, Simulation, publish
from core.simulate.embedded_broker import free_port
from tests.simulate.subscriber import Subscriber

MOSQUITTO = os.environ.get("STADSPULS_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")


@pytest.fixture(scope="module")
def broker() -> str:
    config = parse_broker_url(MOSQUITTO)
    try:
        socket.create_connection((config.host, config.port), timeout=3).close()
    except OSError as error:
        pytest.fail(
            f"the publisher tests need Mosquitto at {config.address} ({error}); start it "
            "(`mosquitto -d`) or set STADSPULS_TEST_MQTT_URL",
            pytrace=False,
        )
    return MOSQUITTO


@pytest.fixture
def topic() -> str:
    return f"stadspuls-test/{uuid.uuid4().hex}"


def numbered(topic: str) -> Iterator[Publication]:
    for number in count():
        yield Publication(f"{topic}/{number % 7}", str(number).encode())


def test_n_messages_arrive_and_are_acknowledged(broker: str, topic: str) -> None:
    with Subscriber(broker, [f"{topic}/#"]) as subscriber:
        report = publish(broker, numbered(topic), rate_per_second=500, limit=200)
        assert (report.published, report.acked) == (200, 200)
        assert subscriber.wait_for(200) == 200
        assert subscriber.settle(0.2) == 200
        assert sorted(int(m.payload) for m in subscriber.messages) == list(range(200))


def test_the_rate_paces_the_stream(broker: str, topic: str) -> None:
    with Subscriber(broker, [f"{topic}/#"]) as subscriber:
        report = publish(f"{broker}?protocol=3.1.1", numbered(topic), 100, limit=60)
        assert report.acked == 60
        assert report.elapsed == pytest.approx(0.6, abs=0.15)  # 60 at 100/s, first one at once
        assert subscriber.wait_for(60) == 60


def test_the_duration_bounds_an_endless_stream(broker: str, topic: str) -> None:
    with Subscriber(broker, [f"{topic}/#"]) as subscriber:
        report = publish(broker, numbered(topic), 80, duration_seconds=0.5)
        assert 30 <= report.published <= 42
        assert report.acked == report.published
        assert subscriber.wait_for(report.published) == report.published
        assert subscriber.settle(0.2) == report.published


def test_stop_and_progress(broker: str, topic: str) -> None:
    stop = threading.Event()
    seen: list[PublishReport] = []

    def progress(report: PublishReport) -> None:
        seen.append(report)
        stop.set()

    threading.Timer(1.5, stop.set).start()  # a safety net: the first progress call stops it
    started = time.monotonic()
    report = publish(broker, numbered(topic), math.inf, stop=stop, progress=progress)
    assert time.monotonic() - started < 2.5
    assert len(seen) == 1 and 0 < seen[0].published <= report.published == report.acked


def test_a_simulated_city_reaches_the_broker(broker: str) -> None:
    tag = uuid.uuid4().hex[:10]
    simulation = Simulation(
        sensors=40, rate=400, seed=1, garage_source=f"sim-garages-{tag}", application=f"sim-{tag}"
    )
    filters = [f"stadspuls/parking/sim-garages-{tag}/#", f"v3/sim-{tag}@ttn/devices/+/up"]
    with Subscriber(broker, filters) as subscriber:
        setup = publish(broker, simulation.setup_messages(), 1000)
        stream = publish(broker, simulation.messages(datetime.now(UTC)), 400, limit=120)
        assert (setup.acked, stream.acked) == (4, 120)
        assert subscriber.wait_for(124) == 124
    topics = [m.topic for m in subscriber.messages]
    assert sum(t.startswith("v3/") for t in topics) == 108  # 36 bays, three rounds


def test_an_unreachable_broker_is_one_clear_error() -> None:
    with pytest.raises(PublishError, match=r"cannot reach the MQTT broker at mqtt://127\.0\.0\.1"):
        publish(f"mqtt://127.0.0.1:{free_port()}", numbered("x"), 10, limit=1)


def test_bad_arguments_are_refused_before_connecting() -> None:
    with pytest.raises(ValueError, match="rate"):
        publish("mqtt://127.0.0.1:1", [], 0)
    with pytest.raises(ValueError, match="qos"):
        publish("mqtt://127.0.0.1:1", [], 1, qos=3)
    with pytest.raises(ValueError, match="scheme"):
        publish("http://127.0.0.1", [], 1)
