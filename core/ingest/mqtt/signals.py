"""Running a consumer as a service: stop cleanly on SIGTERM (docker stop) and SIGINT (Ctrl-C).

The handler only *requests* the stop; the main thread, blocked in ``run()``, then flushes and
acks the open batch and disconnects. Doing that work inside the handler would run it in the
middle of whatever the main thread was doing.
"""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Any

from core.ingest.mqtt.consumer import MqttConsumer

logger = logging.getLogger("stadspuls.mqtt")


def run_until_signalled(
    consumer: MqttConsumer, signals: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGINT)
) -> None:
    """Run ``consumer`` until SIGTERM/SIGINT, then stop it cleanly. Call from the main thread."""
    previous: dict[signal.Signals, Any] = {}

    def handler(signum: int, frame: FrameType | None) -> None:
        logger.info(
            "mqtt consumer got %s; stopping",
            signal.Signals(signum).name,
            extra={"event": "signal", "signal": signal.Signals(signum).name},
        )
        consumer.request_stop()

    for signum in signals:
        previous[signum] = signal.signal(signum, handler)
    try:
        consumer.run()
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
