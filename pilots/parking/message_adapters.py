"""Parking message formats (MQTT and HTTP push) as :class:`core.pilot.Adapter` objects.

Contract for live messages: the consumer hands ``map`` a raw record whose ``content`` is the
decoded JSON value of one message and whose ``origin`` is the MQTT topic. ``read`` serves files
of recorded messages: one JSON message, a JSON array of messages or JSON Lines (one message per
line). Every adapter shares that reading (:func:`read_messages`); the mapping itself lives in the
pure parsers of :mod:`pilots.parking.formats`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from core.errors import UnreadableInput
from core.ingest.canonical import decoded_json, load_json
from core.ingest.envelope import Canonical, RawRecord, ReadContext
from core.pilot import Adapter
from pilots.parking.formats.ngsi_ld import looks_like_ngsi_ld, map_ngsi_ld
from pilots.parking.formats.senml import looks_like_senml, map_senml
from pilots.parking.formats.ttn import DEFAULT_DECODER, looks_like_ttn, map_uplink

#: Tells whether a decoded JSON document is one message (else it is an array of messages).
IsMessage = Callable[[Any], bool]


def read_messages(data: bytes, context: ReadContext, is_message: IsMessage) -> Iterator[RawRecord]:
    """One raw record per recorded message; ``position`` is the array index or the line number.

    Raises :class:`UnreadableInput` at once for an unreadable file, and while iterating at the
    first JSON Lines line that is no JSON (the lines before it are kept).
    """
    try:
        document = load_json(data, context.origin)
    except UnreadableInput:
        lines = _json_lines(data)
        if lines is None:
            raise
        return _line_records(lines, context)
    if isinstance(document, list) and not document:
        raise UnreadableInput(f"{context.origin}: the file holds no messages")
    messages = document if isinstance(document, list) and not is_message(document) else [document]
    return (_record(context, position, message) for position, message in enumerate(messages, 1))


def _json_lines(data: bytes) -> list[tuple[int, str]] | None:
    """The numbered non-blank lines when the file looks like JSON Lines, else None."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    lines = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    if len(lines) < 2:
        return None
    try:
        json.loads(lines[0][1])
    except ValueError:
        return None  # a pretty-printed document: load_json's error says where it breaks
    return lines


def _line_records(lines: list[tuple[int, str]], context: ReadContext) -> Iterator[RawRecord]:
    for number, line in lines:
        try:
            message = json.loads(line)
        except ValueError as error:
            raise UnreadableInput(
                f"{context.origin}: line {number} is not a JSON message ({error})"
            ) from None
        yield _record(context, number, message)


def _record(context: ReadContext, position: int, message: Any) -> RawRecord:
    return RawRecord(context.source, context.origin, position, context.received_at, message)


class _MessageAdapter:
    """What the message formats share: reading recorded messages and decoding live ones."""

    format_id: str
    title: str
    media_types: tuple[str, ...]

    def is_message(self, document: Any) -> bool:
        return isinstance(document, dict)

    def read(self, stream: BinaryIO, context: ReadContext) -> Iterator[RawRecord]:
        return read_messages(stream.read(), context, self.is_message)

    def map(self, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        return self.map_message(decoded_json(raw.content, "parking.mapping"), raw, context)

    def map_message(self, message: Any, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        raise NotImplementedError


class TtnAdapter(_MessageAdapter):
    """The Things Stack v3 uplinks of on-street bay sensors (source option ``decoder``)."""

    format_id = "ttn"
    title = "The Things Stack v3 uplink messages (LoRaWAN bay sensors)"
    media_types: tuple[str, ...] = ("application/json",)

    def sniff(self, head: bytes, filename: str) -> bool:
        return looks_like_ttn(head)

    def map_message(self, message: Any, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        return map_uplink(message, context.options.get("decoder", DEFAULT_DECODER))


class SenmlAdapter(_MessageAdapter):
    """SenML JSON packs of garage counters (source option ``site`` for names without one)."""

    format_id = "senml"
    title = "SenML (RFC 8428) JSON packs of parking counters"
    media_types: tuple[str, ...] = ("application/senml+json",)

    def is_message(self, document: Any) -> bool:
        """A pack is an array of records (objects); an array of arrays holds several packs."""
        return isinstance(document, list) and all(isinstance(item, dict) for item in document)

    def sniff(self, head: bytes, filename: str) -> bool:
        return looks_like_senml(head, filename)

    def map_message(self, message: Any, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        # The record's own arrival time is "now" for relative times: a long-lived consumer
        # context would otherwise date every message at the consumer's start.
        return map_senml(message, raw.received_at, context.options.get("site"))


class NgsiLdAdapter(_MessageAdapter):
    """FIWARE NGSI-LD notifications or entities of SDM ParkingSpot and OffStreetParking."""

    format_id = "ngsi-ld"
    title = "FIWARE NGSI-LD notifications (Smart Data Models ParkingSpot, OffStreetParking)"
    media_types: tuple[str, ...] = ("application/ld+json", "application/json")

    def sniff(self, head: bytes, filename: str) -> bool:
        return looks_like_ngsi_ld(head)

    def map_message(self, message: Any, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        return map_ngsi_ld(message)


def message_adapters() -> list[Adapter]:
    return [TtnAdapter(), SenmlAdapter(), NgsiLdAdapter()]
