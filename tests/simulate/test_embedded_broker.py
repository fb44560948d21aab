"""The embedded broker: starts on a free port, carries QoS 1 both ways, stops cleanly."""

from __future__ import annotations

import socket
import uuid
from datetime import UTC, datetime

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from core.ingest.mqtt.url import parse_broker_url
from core.simulate import EmbeddedBroker, EmbeddedBrokerError, PublishError, Simulation, publish
from core.simulate.embedded_broker import free_port
from tests.simulate.subscriber import Subscriber


def refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def test_a_client_publishes_and_another_receives_through_it() -> None:
    broker = EmbeddedBroker()
    url = broker.start()
    config = parse_broker_url(url)
    assert (config.host, config.protocol) == ("127.0.0.1", 3)
    topic = f"stadspuls-test/{uuid.uuid4().hex}"
    try:
        with Subscriber(url, [f"{topic}/#"]) as subscriber:
            client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
            client.connect(config.host, config.port)
            client.loop_start()
            infos = [client.publish(f"{topic}/{n}", f"{n}".encode(), qos=1) for n in range(25)]
            for info in infos:
                info.wait_for_publish(timeout=5)
                assert info.is_published()
            client.disconnect()
            client.loop_stop()
            assert subscriber.wait_for(25) == 25
            assert sorted(int(m.payload) for m in subscriber.messages) == list(range(25))
            assert {m.qos for m in subscriber.messages} == {1}
    finally:
        port = broker.port
        broker.stop()
    assert not broker.running
    assert port is not None and refuses(port)


def test_stop_ends_it_with_clients_still_connected_and_the_port_can_be_reused() -> None:
    port = free_port()
    with EmbeddedBroker(port) as url:
        assert url == f"mqtt://127.0.0.1:{port}?protocol=3.1.1"
        lingering = Subscriber(url, ["#"]).open()  # still connected when the broker stops
    assert refuses(port)
    lingering.close()
    with EmbeddedBroker(port) as again:  # the port is free again
        assert again == url


def test_a_taken_port_is_one_clear_error() -> None:
    with EmbeddedBroker() as url, pytest.raises(EmbeddedBrokerError, match="cannot listen"):
        EmbeddedBroker(parse_broker_url(url).port).start()


def test_the_publisher_speaks_mqtt_3_1_1_to_it() -> None:
    simulation = Simulation(sensors=20, rate=100, seed=2, application=f"app-{uuid.uuid4().hex[:8]}")
    with EmbeddedBroker() as url, Subscriber(url, ["stadspuls/#", "v3/#"]) as subscriber:
        report = publish(url, simulation.setup_messages(), rate_per_second=500)
        assert (report.published, report.acked) == (2, 2)
        report = publish(url, simulation.messages(datetime.now(UTC)), 200, limit=60)
        assert (report.published, report.acked) == (60, 60)
        assert subscriber.wait_for(62) == 62


def test_mqtt_5_is_refused_with_the_reason() -> None:
    with EmbeddedBroker() as url, pytest.raises(PublishError, match="Unsupported protocol"):
        publish(url.replace("protocol=3.1.1", "protocol=5"), [("a", b"1")], 10, connect_timeout=3)
