"""The one place where the paho client is built, connected, subscribed and torn down.

Choices made here, and why:

* Callback API version 2 (version 1 is deprecated in paho 2) and MQTT 5 by default.
* A persistent session, so the broker keeps queueing (and redelivers un-acknowledged) QoS 1
  messages while the consumer is away: MQTT 5 ``clean_start=False`` with a Session Expiry
  Interval (default one day), MQTT 3.1.1 ``clean_session=False`` (kept until the broker's
  ``persistent_client_expiration``, forever by default).
* ``clean_session=True`` asks for the opposite, a session that ends with the connection (MQTT
  5 ``clean_start=True`` and expiry 0, MQTT 3.1.1 ``clean_session=True``): for listeners that
  only look, such as ``stadspuls validate-feed``, so the broker queues nothing for them once
  they are gone.
* ``manual_ack=True``: paho acknowledges nothing itself; the consumer acks a message only once
  its batch is stored. Un-acked QoS 1 messages are re-sent by the broker, with their original
  packet ids, when the client reconnects to its session (MQTT 3.1.1 §4.4, MQTT 5 §4.4).
* MQTT 5 Receive Maximum: how many un-acked QoS 1/2 messages the broker may have in flight to
  us. Mosquitto 2 replaces its own ``max_inflight_messages`` (default 20) by this value for
  MQTT 5 clients; with MQTT 3.1.1 the broker setting applies.
* Subscriptions are (re)made in ``on_connect`` on every connection, so a broker that lost its
  state (restart without persistence) still gets them back. MQTT 5 subscriptions ask for
  retained messages only when the subscription is new, to not re-ingest them on reconnect.
* Every callback runs behind :func:`_guarded`: an exception is logged with its traceback and
  the network thread lives on (unguarded, paho would re-raise and end the thread).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from core.ingest.mqtt.topics import subscription_topics
from core.ingest.mqtt.url import BrokerConfig

logger = logging.getLogger("stadspuls.mqtt")

DEFAULT_SESSION_EXPIRY = 86_400  # seconds the broker keeps an offline session (MQTT 5)
RECONNECT_MIN_DELAY = 1
RECONNECT_MAX_DELAY = 30
SUBSCRIBE_QOS = 1


def _guarded(name: str, callback: Callable[..., None]) -> Callable[..., None]:
    """Run a paho callback; log its exception instead of letting it end the network thread."""

    def guarded(*args: Any) -> None:
        try:
            callback(*args)
        except Exception:
            logger.exception(
                "mqtt callback %s failed", name, extra={"event": "callback_error", "callback": name}
            )

    return guarded


class BrokerConnection:
    """A paho client with a persistent session that keeps itself connected and subscribed.

    ``on_message`` runs on paho's network thread with the raw paho message; the other hooks
    tell the owner about the connection's life. Call :meth:`start` once, :meth:`stop` once.
    """

    def __init__(
        self,
        config: BrokerConfig,
        filters: list[str],
        *,
        on_message: Callable[[mqtt.MQTTMessage], None],
        on_connected: Callable[[bool], None] = lambda session_present: None,
        on_subscribed: Callable[[], None] = lambda: None,
        on_disconnected: Callable[[], None] = lambda: None,
        share_group: str | None = None,
        session_expiry: int = DEFAULT_SESSION_EXPIRY,
        receive_maximum: int | None = None,
        clean_session: bool = False,
    ) -> None:
        if receive_maximum is not None and not 1 <= receive_maximum <= 65535:
            raise ValueError(f"receive_maximum {receive_maximum} is not between 1 and 65535")
        if session_expiry < 0:
            raise ValueError("session_expiry must be zero or more seconds")
        self.config = config
        self.topics = subscription_topics(filters, share_group, config.protocol)
        self._deliver = on_message
        self._connected = on_connected
        self._subscribed = on_subscribed
        self._disconnected = on_disconnected
        self._clean = clean_session
        self._session_expiry = 0 if clean_session else session_expiry
        self._receive_maximum = receive_maximum
        self._subscribe_mid: int | None = None
        self.client = self._build()

    def _build(self) -> mqtt.Client:
        config = self.config
        v5 = config.protocol == 5
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=config.client_id,
            clean_session=None if v5 else self._clean,
            protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
            manual_ack=True,
        )
        if config.username is not None:
            client.username_pw_set(config.username, config.password)
        if config.tls:
            client.tls_set(ca_certs=config.ca_certs)
        client.reconnect_delay_set(RECONNECT_MIN_DELAY, RECONNECT_MAX_DELAY)
        client.on_connect = _guarded("on_connect", self._on_connect)
        client.on_connect_fail = _guarded("on_connect_fail", self._on_connect_fail)
        client.on_subscribe = _guarded("on_subscribe", self._on_subscribe)
        client.on_disconnect = _guarded("on_disconnect", self._on_disconnect)
        client.on_message = _guarded("on_message", self._on_message)
        return client

    def connect_properties(self) -> Properties | None:
        """MQTT 5 CONNECT properties: session expiry and, when set, receive maximum."""
        if self.config.protocol != 5:
            return None
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = self._session_expiry
        if self._receive_maximum is not None:
            properties.ReceiveMaximum = self._receive_maximum
        return properties

    def start(self) -> None:
        """Start the network thread; it connects, and keeps reconnecting, in the background.

        ``connect_async`` + ``loop_start`` (``loop_forever(retry_first_connection=True)``)
        means a broker that is down at start is retried like one that goes away later.
        """
        config = self.config
        self.client.connect_async(
            config.host,
            config.port,
            keepalive=config.keepalive,
            clean_start=self._clean,
            properties=self.connect_properties(),
        )
        self.client.loop_start()
        logger.info(
            "mqtt connecting to %s as %s",
            config.address,
            config.client_id,
            extra=self._fields("connecting"),
        )

    def ack(self, mid: int, qos: int) -> None:
        """Acknowledge one delivery (PUBACK for QoS 1, PUBCOMP for QoS 2)."""
        self.client.ack(mid, qos)

    def stop(self) -> None:
        """Disconnect cleanly (queued acks go out first) and end the network thread."""
        self.client.disconnect()
        self.client.loop_stop()

    def _fields(self, event: str, **more: Any) -> dict[str, Any]:
        return {
            "event": event,
            "broker": self.config.address,
            "client_id": self.config.client_id,
            **more,
        }

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            logger.error(
                "mqtt connection to %s refused: %s",
                self.config.address,
                reason,
                extra=self._fields("connect_refused", reason=str(reason)),
            )
            return
        logger.info(
            "mqtt connected to %s (session present: %s)",
            self.config.address,
            flags.session_present,
            extra=self._fields("connected", session_present=flags.session_present),
        )
        self._connected(flags.session_present)
        subscriptions: list[tuple[str, Any]]
        if self.config.protocol == 5:
            options = SubscribeOptions(
                qos=SUBSCRIBE_QOS, retainHandling=SubscribeOptions.RETAIN_SEND_IF_NEW_SUB
            )
            subscriptions = [(topic, options) for topic in self.topics]
        else:
            subscriptions = [(topic, SUBSCRIBE_QOS) for topic in self.topics]
        _, self._subscribe_mid = client.subscribe(subscriptions)

    def _on_connect_fail(self, client: mqtt.Client, userdata: Any) -> None:
        logger.warning(
            "mqtt broker %s unreachable; retrying",
            self.config.address,
            extra=self._fields("connect_failed"),
        )

    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reasons: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        if mid != self._subscribe_mid:
            return
        refused = [
            topic for topic, reason in zip(self.topics, reasons, strict=False) if reason.is_failure
        ]
        if refused:
            logger.error(
                "mqtt broker refused subscriptions %s",
                refused,
                extra=self._fields("subscribe_refused", topics=refused),
            )
            return
        logger.info(
            "mqtt subscribed to %s",
            self.topics,
            extra=self._fields("subscribed", topics=self.topics),
        )
        self._subscribed()

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        self._subscribe_mid = None
        self._disconnected()
        logger.log(
            logging.WARNING if reason.is_failure else logging.INFO,
            "mqtt disconnected from %s: %s",
            self.config.address,
            reason,
            extra=self._fields("disconnected", reason=str(reason)),
        )

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._deliver(message)
