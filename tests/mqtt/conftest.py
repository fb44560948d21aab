"""Fixtures for the MQTT consumer tests: the shared broker, unique topics, consumers, brokers.

Every test uses its own topic prefix and client ids (uuid), so tests never see each other's
messages on the shared broker; sessions a test leaves behind expire after two minutes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.ingest.mqtt import BrokerConfig, MqttConsumer, parse_broker_url
from tests.mqtt.broker import Mosquitto, require_broker, shared_broker_url

TEST_SESSION_EXPIRY = 120


@pytest.fixture(scope="session")
def broker() -> BrokerConfig:
    """The shared broker; the tests fail, never skip, when it is unreachable."""
    config = parse_broker_url(shared_broker_url())
    require_broker(config.host, config.port)
    return config


@pytest.fixture
def topic() -> str:
    """A topic prefix no other test uses; subscribe to ``{topic}/#``."""
    return f"stadspuls-test/{uuid.uuid4().hex}"


ConsumerFactory = Callable[..., MqttConsumer]


@pytest.fixture
def make_consumer() -> Iterator[ConsumerFactory]:
    """Build consumers with short test defaults; every one still running is stopped at the end."""
    made: list[MqttConsumer] = []

    def make(config: BrokerConfig, filters: list[str], handle: Any, **options: Any) -> MqttConsumer:
        options.setdefault("session_expiry", TEST_SESSION_EXPIRY)
        options.setdefault("retry_delay", 0.05)
        consumer = MqttConsumer(config, filters, handle, **options)
        made.append(consumer)
        return consumer

    yield make
    for consumer in made:
        consumer.stop()


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """A Mosquitto started for this test only (its own port, config and persistence)."""
    instance = Mosquitto(tmp_path / "mosquitto")
    instance.start()
    yield instance
    instance.stop()
