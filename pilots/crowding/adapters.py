"""Crowding supplier formats as :class:`core.pilot.Adapter` objects.

Files and messages share one reading: a JSON document, a JSON array or JSON Lines
(:func:`core.ingest.canonical.json_documents`), each item one raw record. A live MQTT message
reaches ``map`` as its decoded JSON value, which may hold several records (a CityFlows array, a
whole Telraam response); each is mapped and the problems of all are reported together. The
mapping itself lives in the pure parsers of :mod:`pilots.crowding.formats`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any, BinaryIO

from core.errors import UnreadableInput
from core.ingest.canonical import decoded_json, json_documents
from core.ingest.envelope import Canonical, Problem, RawRecord, ReadContext, RecordRejected
from core.pilot import Adapter
from pilots.crowding.formats import problem
from pilots.crowding.formats.cityflows import looks_like_cityflows, map_cityflows
from pilots.crowding.formats.telraam import (
    TelraamResponseError,
    looks_like_telraam,
    map_telraam,
    report_items,
)


class _JsonRecordsAdapter:
    """What the JSON formats share: splitting documents into records, decoding live messages."""

    format_id: str
    title: str
    media_types: tuple[str, ...] = ("application/json", "application/x-ndjson")
    noun = "records"

    def items(self, document: Any) -> list[Any]:
        """The records one decoded document (or message) holds."""
        return document if isinstance(document, list) else [document]

    def map_item(self, item: Any, context: ReadContext) -> list[Canonical]:
        raise NotImplementedError

    def read(self, stream: BinaryIO, context: ReadContext) -> Iterator[RawRecord]:
        documents = json_documents(stream.read(), context.origin)
        try:
            items = [item for document in documents for item in self.items(document)]
        except TelraamResponseError as error:
            raise UnreadableInput(f"{context.origin}: {error}") from None
        if not items:
            raise UnreadableInput(f"{context.origin}: the file holds no {self.noun}")
        return (
            RawRecord(context.source, context.origin, position, context.received_at, item)
            for position, item in enumerate(items, 1)
        )

    def map(self, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        try:
            items = self.items(decoded_json(raw.content, "crowding.mapping"))
        except TelraamResponseError as error:
            raise RecordRejected([problem(str(error))]) from None
        if len(items) == 1:
            return self.map_item(items[0], context)
        records: list[Canonical] = []
        problems: list[Problem] = []
        for index, item in enumerate(items, 1):
            try:
                records.extend(self.map_item(item, context))
            except RecordRejected as rejected:
                problems.extend(
                    replace(found, message=f"{self.noun[:-1]} {index}: {found.message}")
                    for found in rejected.problems
                )
        if problems:
            raise RecordRejected(problems)
        return records


class CityFlowsAdapter(_JsonRecordsAdapter):
    """imec CityFlows records (options ``interval_minutes``, ``characteristic``, ``statistic``,
    ``technique``)."""

    format_id = "cityflows"
    title = "imec CityFlows data standard v0.2 records (JSON, array or JSON Lines)"

    def sniff(self, head: bytes, filename: str) -> bool:
        return looks_like_cityflows(head)

    def map_item(self, item: Any, context: ReadContext) -> list[Canonical]:
        return map_cityflows(item, context.options, context.timezone)


class TelraamAdapter(_JsonRecordsAdapter):
    """Telraam API traffic reports per segment (option ``positive``: ``lft`` or ``rgt``)."""

    format_id = "telraam"
    title = "Telraam API traffic report (reports/traffic, per-hour or per-quarter)"
    noun = "report items"

    def items(self, document: Any) -> list[Any]:
        return report_items(document)

    def sniff(self, head: bytes, filename: str) -> bool:
        return looks_like_telraam(head)

    def map_item(self, item: Any, context: ReadContext) -> list[Canonical]:
        return map_telraam(item, context.options, context.timezone)


def crowding_adapters() -> list[Adapter]:
    return [CityFlowsAdapter(), TelraamAdapter()]
