"""MQTT ingestion transport: a reliable, batched consumer, independent of message meaning.

``parse_broker_url`` reads ``STADSPULS_MQTT_URL``; ``MqttConsumer`` delivers batches of
:class:`Message` to a handler and acks them only after the handler returned, so a message is
stored at least once; the handler makes that exactly once by being idempotent.
"""

from core.ingest.mqtt.consumer import MqttConsumer
from core.ingest.mqtt.message import Message
from core.ingest.mqtt.metrics import ConsumerMetrics
from core.ingest.mqtt.signals import run_until_signalled
from core.ingest.mqtt.url import BrokerConfig, parse_broker_url

__all__ = [
    "BrokerConfig",
    "ConsumerMetrics",
    "Message",
    "MqttConsumer",
    "parse_broker_url",
    "run_until_signalled",
]
