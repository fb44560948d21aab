"""An MQTT broker inside the process, so ``stadspuls demo`` works with nothing installed.

It runs amqtt (a pure-Python MQTT 3.1.1 broker) on its own asyncio loop in a background thread,
listening on 127.0.0.1 only, anonymous, without ``$SYS`` topics or packet logging. It is meant
for the demo and small simulations; production and the tests of the real stack use Mosquitto.

amqtt speaks MQTT 3.1.1 only, hence the ``?protocol=3.1.1`` in the URL :meth:`start` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from core.errors import StadspulsError

logger = logging.getLogger("stadspuls.simulate")

HOST = "127.0.0.1"
#: Loggers of amqtt and of the state-machine library it uses; both log every connection at INFO.
CHATTY_LOGGERS = ("amqtt", "transitions")
START_ATTEMPTS = 3


class EmbeddedBrokerError(StadspulsError):
    """The embedded broker could not start."""


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _check_free(port: int) -> None:
    """Fail with one sentence (rather than amqtt's traceback) when ``port`` is taken."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio's server does
        try:
            probe.bind((HOST, port))
        except OSError as error:
            raise EmbeddedBrokerError(
                f"the embedded MQTT broker cannot listen on {HOST}:{port}: {error.strerror}"
            ) from None


def _config(port: int) -> dict[str, Any]:
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{HOST}:{port}"}},
        # only the anonymous-auth plugin: no $SYS publishing, no event or packet logging
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        "session_expiry_interval": 3600,
    }


class EmbeddedBroker:
    """``url = broker.start()`` ... ``broker.stop()``, or ``with EmbeddedBroker() as url:``."""

    def __init__(self, port: int | None = None, *, start_timeout: float = 10.0) -> None:
        self.requested_port = port
        self.port: int | None = None
        self.start_timeout = start_timeout
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise EmbeddedBrokerError("the embedded broker is not running")
        return f"mqtt://{HOST}:{self.port}?protocol=3.1.1"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> str:
        """Start the broker and return its URL once it accepts connections."""
        if self.running:
            return self.url
        for logger_name in CHATTY_LOGGERS:
            logging.getLogger(logger_name).setLevel(logging.WARNING)
        attempts = 1 if self.requested_port is not None else START_ATTEMPTS
        for attempt in range(1, attempts + 1):
            port = self.requested_port if self.requested_port is not None else free_port()
            try:
                self._start_on(port)
            except EmbeddedBrokerError:
                if attempt == attempts:
                    raise
                continue  # another process took the free port in between: try another
            self.port = port
            return self.url
        raise AssertionError("unreachable")

    def _start_on(self, port: int) -> None:
        try:
            from amqtt.broker import Broker  # only the demo needs amqtt: imported when used
        except ImportError:
            raise EmbeddedBrokerError(
                "the embedded MQTT broker needs the amqtt package; install it or set "
                "STADSPULS_MQTT_URL to a broker"
            ) from None
        _check_free(port)
        self._ready.clear()
        self._error = None
        self._thread = threading.Thread(
            target=self._run, args=(Broker, port), name=f"stadspuls-broker-{port}", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(self.start_timeout):
            raise EmbeddedBrokerError(
                f"the embedded MQTT broker did not start within {self.start_timeout:g} s"
            )
        if self._error is not None:
            self._thread.join(self.start_timeout)
            raise EmbeddedBrokerError(
                f"the embedded MQTT broker cannot listen on {HOST}:{port}: {self._error}"
            ) from None

    def _run(self, factory: Callable[[dict[str, Any]], Any], port: int) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(factory, port))
        except Exception as error:  # the thread must not die silently
            if self._ready.is_set():
                logger.exception("the embedded MQTT broker failed")
            self._error = error
            self._ready.set()
        finally:
            loop.close()

    async def _serve(self, factory: Callable[[dict[str, Any]], Any], port: int) -> None:
        """Run the broker until stop(); ``ready`` is set once it listens (or failed to)."""
        self._stopping = asyncio.Event()
        broker = factory(_config(port))
        try:
            await broker.start()
        except Exception as error:
            self._error = error.__cause__ or error
            self._ready.set()
            return
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            await broker.shutdown()

    def stop(self, timeout: float = 10.0) -> None:
        """Disconnect every client and stop listening; waits for the broker thread to end."""
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None:
            return
        if loop is not None and stopping is not None and thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop may have just ended on its own
                loop.call_soon_threadsafe(stopping.set)
        thread.join(timeout)
        if thread.is_alive():
            raise EmbeddedBrokerError(f"the embedded MQTT broker did not stop within {timeout:g} s")
        self._thread = self._loop = self._stopping = None
        self.port = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
