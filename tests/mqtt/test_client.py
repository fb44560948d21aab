"""How the paho client is configured, and TLS end to end against a test-owned Mosquitto."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from core.ingest.mqtt import BrokerConfig, MqttConsumer, parse_broker_url
from core.ingest.mqtt.client import BrokerConnection
from tests.mqtt.broker import Mosquitto, Sink, free_port, ids, new_client_id, publish
from tests.mqtt.conftest import ConsumerFactory


def _connection(url: str, **options: object) -> BrokerConnection:
    return BrokerConnection(parse_broker_url(url), ["a/#"], on_message=print, **options)  # type: ignore[arg-type]


def test_mqtt5_asks_for_a_persistent_session_and_a_receive_maximum() -> None:
    properties = _connection(
        "mqtt://h?client_id=c", session_expiry=3600, receive_maximum=2000
    ).connect_properties()
    assert properties is not None
    assert getattr(properties, "SessionExpiryInterval", None) == 3600
    assert getattr(properties, "ReceiveMaximum", None) == 2000


def test_mqtt311_has_no_connect_properties() -> None:
    assert _connection("mqtt://h?protocol=3.1.1&client_id=c").connect_properties() is None


def test_a_shared_group_needs_mqtt5() -> None:
    config = parse_broker_url("mqtt://h?protocol=3.1.1&client_id=c")
    with pytest.raises(ValueError, match=r"shared subscriptions \(\$share/...\) need MQTT 5"):
        MqttConsumer(config, ["a/#"], Sink(), share_group="ingest")


@pytest.mark.parametrize(
    "options",
    [{"batch_size": 0}, {"queue_size": 0}, {"batch_latency": 0}, {"retry_delay": 0}],
)
def test_nonsense_options_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        MqttConsumer(BrokerConfig("h", client_id="c"), ["a/#"], Sink(), **options)  # type: ignore[arg-type]


def _self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "broker.crt", directory / "broker.key"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_mqtts_with_a_private_ca(tmp_path: Path, make_consumer: ConsumerFactory) -> None:
    cert, key = _self_signed(tmp_path)
    port = free_port()
    broker = Mosquitto(tmp_path / "broker", port, extra=f"certfile {cert}\nkeyfile {key}\n")
    broker.start()
    try:
        sink = Sink()
        url = f"mqtts://localhost:{port}?ca_certs={cert}&client_id={new_client_id('tls')}"
        consumer = make_consumer(parse_broker_url(url), ["secure/#"], sink)
        consumer.start()
        assert consumer.wait_subscribed(10)
        publish("localhost", port, "secure/x", range(5), ca_certs=cert)
        assert sorted(ids(sink.wait_for(5))) == list(range(5))
        consumer.stop()
    finally:
        broker.stop()
