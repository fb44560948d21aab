"""Broker URLs: one string (``STADSPULS_MQTT_URL``) describes how to reach the broker.

``mqtt://user:pw@host:1883?protocol=5&client_id=ingest-1&keepalive=60`` for plain TCP,
``mqtts://host`` for TLS (port 8883 unless given; ``ca_certs=/path`` for a private CA).
WebSockets are not supported: sensor feeds reach the platform over TCP.

The client id defaults to ``stadspuls-<hostname>`` so that a restarted worker finds its
persistent session again. Two workers on one host must each set their own ``client_id``:
a broker disconnects the older of two connections that share an id.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

Protocol = Literal[3, 5]

_PROTOCOLS: dict[str, Protocol] = {"5": 5, "5.0": 5, "3.1.1": 3, "311": 3}
_DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}
_OPTIONS = ("protocol", "client_id", "keepalive", "ca_certs")


def default_client_id() -> str:
    """A stable id per machine, so a restart resumes the same persistent session."""
    return f"stadspuls-{socket.gethostname()}"


@dataclass(frozen=True, slots=True)
class BrokerConfig:
    """Everything needed to open a connection; the password never appears in ``repr``."""

    host: str
    port: int = 1883
    tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    protocol: Protocol = 5
    client_id: str = field(default_factory=default_client_id)
    keepalive: int = 60
    ca_certs: str | None = None

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("MQTT broker host is empty")
        if not 0 < self.port < 65536:
            raise ValueError(f"MQTT broker port {self.port} is not between 1 and 65535")
        if self.protocol not in (3, 5):
            raise ValueError(f"MQTT protocol must be 3 (3.1.1) or 5, not {self.protocol!r}")
        if not self.client_id:
            raise ValueError("MQTT client_id is empty; a persistent session needs a stable id")
        if not 5 <= self.keepalive <= 65535:
            raise ValueError(f"MQTT keepalive {self.keepalive} is not between 5 and 65535 s")

    @property
    def address(self) -> str:
        """``mqtt(s)://host:port`` without credentials, for log lines."""
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def parse_broker_url(url: str) -> BrokerConfig:
    """Read a broker URL; a malformed one raises ``ValueError`` naming what is wrong."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = parts.hostname
    except ValueError as error:  # e.g. a port that is not a number or out of range
        raise ValueError(f"invalid MQTT URL {_redact(url)!r}: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(
            f"invalid MQTT URL {_redact(url)!r}: scheme must be mqtt:// or mqtts://"
            + (f", not {scheme}://" if scheme else "")
        )
    if not host:
        raise ValueError(f"invalid MQTT URL {_redact(url)!r}: no broker host")
    if parts.path not in ("", "/") or parts.fragment:
        raise ValueError(f"invalid MQTT URL {_redact(url)!r}: a broker URL has no path")
    options = _query_options(url, parts.query)
    try:
        return _config(parts.username, parts.password, host, port, scheme, options, url)
    except ValueError as error:
        if str(error).startswith("invalid MQTT URL"):
            raise
        raise ValueError(f"invalid MQTT URL {_redact(url)!r}: {error}") from None


def _config(
    username: str | None,
    password: str | None,
    host: str,
    port: int | None,
    scheme: str,
    options: dict[str, str],
    url: str,
) -> BrokerConfig:
    return BrokerConfig(
        host=host,
        port=port if port is not None else _DEFAULT_PORTS[scheme],
        tls=scheme == "mqtts",
        username=unquote(username) if username else None,
        password=unquote(password) if password is not None else None,
        protocol=_protocol(url, options.get("protocol", "5")),
        client_id=options.get("client_id") or default_client_id(),
        keepalive=_keepalive(url, options.get("keepalive", "60")),
        ca_certs=options.get("ca_certs"),
    )


def _query_options(url: str, query: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True, strict_parsing=False):
        if name not in _OPTIONS:
            raise ValueError(
                f"invalid MQTT URL {_redact(url)!r}: unknown option {name!r} "
                f"(known: {', '.join(_OPTIONS)})"
            )
        if name in options:
            raise ValueError(f"invalid MQTT URL {_redact(url)!r}: option {name!r} given twice")
        options[name] = value
    return options


def _protocol(url: str, value: str) -> Protocol:
    try:
        return _PROTOCOLS[value]
    except KeyError:
        raise ValueError(
            f"invalid MQTT URL {_redact(url)!r}: protocol must be 5 or 3.1.1, not {value!r}"
        ) from None


def _keepalive(url: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(
            f"invalid MQTT URL {_redact(url)!r}: keepalive must be whole seconds, not {value!r}"
        ) from None


def _redact(url: str) -> str:
    """The URL with its password replaced, so an error message never leaks a secret."""
    scheme, sep, rest = url.partition("://")
    cut = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=-1)
    netloc, tail = (rest, "") if cut < 0 else (rest[:cut], rest[cut:])
    userinfo, at, hostport = netloc.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return url
    user = userinfo.partition(":")[0]
    return f"{scheme}://{user}:***@{hostport}{tail}"
