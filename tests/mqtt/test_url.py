"""Broker URLs and topic filters, table style: what is accepted, and the message when not."""

from __future__ import annotations

import pytest

from core.ingest.mqtt import BrokerConfig, parse_broker_url
from core.ingest.mqtt.topics import subscription_topics
from core.ingest.mqtt.url import default_client_id


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mqtt://broker", BrokerConfig("broker", 1883, client_id=default_client_id())),
        (
            "mqtt://ingest:s3cret@broker.gent.be:1884",
            BrokerConfig(
                "broker.gent.be",
                1884,
                username="ingest",
                password="s3cret",
                client_id=default_client_id(),
            ),
        ),
        (
            "mqtts://broker.example",
            BrokerConfig("broker.example", 8883, tls=True, client_id=default_client_id()),
        ),
        (
            "mqtts://u:p%40ss%3Aword@broker:9999/?protocol=3.1.1&client_id=worker-1&keepalive=30",
            BrokerConfig(
                "broker",
                9999,
                tls=True,
                username="u",
                password="p@ss:word",
                protocol=3,
                client_id="worker-1",
                keepalive=30,
            ),
        ),
        ("MQTT://[::1]:1883?protocol=5", BrokerConfig("::1", client_id=default_client_id())),
        ("mqtt://h?protocol=311&client_id=a", BrokerConfig("h", protocol=3, client_id="a")),
        ("mqtt://h?protocol=5.0&client_id=a", BrokerConfig("h", protocol=5, client_id="a")),
        (
            "mqtts://h?ca_certs=/etc/ssl/city-ca.pem&client_id=a",
            BrokerConfig("h", 8883, tls=True, client_id="a", ca_certs="/etc/ssl/city-ca.pem"),
        ),
        ("mqtt://user@h?client_id=a", BrokerConfig("h", username="user", client_id="a")),
    ],
)
def test_valid_urls(url: str, expected: BrokerConfig) -> None:
    assert parse_broker_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://broker", "scheme must be mqtt:// or mqtts://, not http://"),
        ("ws://broker:9001", "scheme must be mqtt:// or mqtts://, not ws://"),
        ("broker:1883", "scheme must be mqtt:// or mqtts://"),
        ("", "scheme must be mqtt:// or mqtts://"),
        ("mqtt://", "no broker host"),
        ("mqtt://:1883", "no broker host"),
        ("mqtt://broker:port", "Port could not be cast to integer"),
        ("mqtt://broker:70000", "Port out of range"),
        ("mqtt://broker:0", "port 0 is not between 1 and 65535"),
        ("mqtt://broker/topic", "a broker URL has no path"),
        ("mqtt://broker?qos=1", "unknown option 'qos'"),
        ("mqtt://broker?protocol=4", "protocol must be 5 or 3.1.1, not '4'"),
        ("mqtt://broker?protocol=3.1", "protocol must be 5 or 3.1.1"),
        ("mqtt://broker?keepalive=soon", "keepalive must be whole seconds"),
        ("mqtt://broker?keepalive=1", "keepalive 1 is not between 5 and 65535"),
        ("mqtt://broker?client_id=a&client_id=b", "option 'client_id' given twice"),
    ],
)
def test_invalid_urls(url: str, message: str) -> None:
    with pytest.raises(ValueError, match="invalid MQTT URL") as raised:
        parse_broker_url(url)
    assert message in str(raised.value)


def test_password_never_shown() -> None:
    with pytest.raises(ValueError) as raised:
        parse_broker_url("mqtt://ingest:hunter2@broker/path")
    assert "hunter2" not in str(raised.value)
    assert "ingest:***@broker" in str(raised.value)
    assert "hunter2" not in repr(parse_broker_url("mqtt://ingest:hunter2@broker"))


@pytest.mark.parametrize(
    ("filters", "group", "protocol", "expected"),
    [
        (["stadspuls/#"], None, 5, ["stadspuls/#"]),
        (["a/+/b", "c"], "ingest", 5, ["$share/ingest/a/+/b", "$share/ingest/c"]),
        (["v3/app@tenant/devices/+/up"], None, 3, ["v3/app@tenant/devices/+/up"]),
    ],
)
def test_subscription_topics(
    filters: list[str], group: str | None, protocol: int, expected: list[str]
) -> None:
    assert subscription_topics(filters, group, protocol) == expected


@pytest.mark.parametrize(
    ("filters", "group", "protocol", "message"),
    [
        ([], None, 5, "at least one MQTT topic filter"),
        (["a/#/b"], None, 5, "invalid MQTT topic filter 'a/#/b'"),
        (["a/b#"], None, 5, "invalid MQTT topic filter"),
        (["a/x+/b"], None, 5, "invalid MQTT topic filter"),
        ([""], None, 5, "invalid MQTT topic filter"),
        (["$share/g/a"], None, 5, "use share_group"),
        (["a/#"], "g", 3, "shared subscriptions ($share/...) need MQTT 5"),
        (["a/#"], "g/h", 5, "must be non-empty, no / + #"),
        (["a/#"], "", 5, "must be non-empty"),
    ],
)
def test_invalid_subscriptions(
    filters: list[str], group: str | None, protocol: int, message: str
) -> None:
    with pytest.raises(ValueError) as raised:
        subscription_topics(filters, group, protocol)
    assert message in str(raised.value)
