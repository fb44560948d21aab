"""What the consumer hands to ``handle_batch``: one MQTT message, decoupled from paho.

The handler sees plain, immutable values, never a paho object: it can run in another thread,
be tested without a broker, and cannot acknowledge a message behind the consumer's back.
``mid`` is the packet id of the delivery; it is only meaningful to the consumer (for the
acknowledgement) and is not an identity of the message: a redelivery may carry another one.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple


class Message(NamedTuple):
    """One received message; ``received_at`` is timezone-aware UTC.

    A named tuple rather than a frozen dataclass: as immutable, and several times cheaper to
    make, which matters on paho's network thread, where one is made per message.
    """

    topic: str
    payload: bytes
    qos: int
    retain: bool
    mid: int
    received_at: datetime
