"""Parking supplier formats as :class:`core.pilot.Adapter` objects.

The format parsers in :mod:`pilots.parking.formats` know the supplier's structure; these thin
adapters turn their output into raw records (kept for quarantine) and canonical records.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO
from urllib.parse import urlparse

from core.errors import UnreadableInput
from core.ingest.blocks import RecordBlock
from core.ingest.envelope import Canonical, Problem, RawRecord, ReadContext, RecordRejected
from pilots.parking.formats.datex2 import (
    DatexBlock,
    DatexFormatError,
    DatexItem,
    iter_datex2,
    looks_like_datex2,
)
from pilots.parking.formats.gent_json import (
    GentFormatError,
    GentItem,
    iter_gent_json,
    looks_like_gent_json,
)


def _mapping_problems(messages: list[str]) -> list[Problem]:
    return [Problem("parking.mapping", message) for message in messages]


def _raw_record(item: GentItem | DatexItem, context: ReadContext) -> RawRecord:
    """The envelope of a parsed item: its original form for quarantine, the parse for map()."""
    return RawRecord(
        context.source,
        context.origin,
        item.position,
        context.received_at,
        item.raw,
        _mapping_problems(item.problems),
        parsed=item,
    )


def _record_block(block: DatexBlock, context: ReadContext) -> RecordBlock:
    """A block of plain status records; one of them on its own is parsed like any record."""

    def record(index: int) -> RawRecord:
        try:
            return _raw_record(block.item(index), context)
        except DatexFormatError as error:
            raise UnreadableInput(f"{context.origin}: {error}") from None

    return RecordBlock("observation", block.columns, block.declined, record)


def _with_point(values: dict[str, Any]) -> dict[str, Any]:
    """Turn the parsers' latitude/longitude into a GeoJSON point for the validator."""
    lat, lon = values.pop("latitude", None), values.pop("longitude", None)
    if lat is not None and lon is not None:
        values["geometry"] = {"type": "Point", "coordinates": [lon, lat]}
    return values


def native_id(value: str) -> tuple[str, str | None]:
    """A supplier id that is a URL becomes its last path segment; the URL is kept as ``uri``."""
    if value.startswith(("http://", "https://")):
        segments = [part for part in urlparse(value).path.split("/") if part]
        if segments:
            return segments[-1], value
    return value, None


class GentJsonAdapter:
    """Gent's Opendatasoft real-time garage occupancy, in all three response shapes."""

    format_id = "gent-json"
    title = "Gent open data: bezetting-parkeergarages-real-time (Opendatasoft JSON)"
    media_types: tuple[str, ...] = ("application/json",)

    def sniff(self, head: bytes, filename: str) -> bool:
        return looks_like_gent_json(head)

    def read(self, stream: BinaryIO, context: ReadContext) -> Iterator[RawRecord]:
        try:
            items = iter_gent_json(stream)
        except GentFormatError as error:
            raise UnreadableInput(f"{context.origin}: {error}") from None
        return (_raw_record(item, context) for item in items)

    def map(self, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        item: GentItem = raw.parsed
        site = _with_point(dict(item.site))
        observation = dict(item.observation)
        if "id" in site:
            site["id"], uri = native_id(str(site["id"]))
            observation["site"] = site["id"]
            if uri:
                site.setdefault("uri", uri)
        site.setdefault("city", "Gent")
        return [Canonical("site", site), Canonical("observation", observation)]


class Datex2Adapter:
    """DATEX II v2 and v3 parking table (sites) and status (observations) publications."""

    format_id = "datex2"
    title = "DATEX II v2/v3 ParkingTablePublication and ParkingStatusPublication (XML)"
    media_types: tuple[str, ...] = ("application/xml", "text/xml")

    def sniff(self, head: bytes, filename: str) -> bool:
        return looks_like_datex2(head)

    def read(
        self, stream: BinaryIO, context: ReadContext
    ) -> Iterator[RawRecord | RecordBlock]:
        try:
            items = iter_datex2(stream, blocks=True)
            first = next(items, None)
        except DatexFormatError as error:
            raise UnreadableInput(f"{context.origin}: {error}") from None
        if first is None:
            raise UnreadableInput(f"{context.origin}: the DATEX II file holds no parking records")
        return self._records(first, items, context)

    def _records(
        self,
        first: DatexItem | DatexBlock,
        rest: Iterator[DatexItem | DatexBlock],
        context: ReadContext,
    ) -> Iterator[RawRecord | RecordBlock]:
        item: DatexItem | DatexBlock | None = first
        while item is not None:
            if isinstance(item, DatexBlock):
                yield _record_block(item, context)
            else:
                yield _raw_record(item, context)
            try:
                item = next(rest, None)
            except DatexFormatError as error:
                raise UnreadableInput(f"{context.origin}: {error}") from None

    def map(self, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        item: DatexItem = raw.parsed
        if item.kind == "site":
            return [Canonical("site", _with_point(dict(item.values)))]
        if "site" not in item.values:
            raise RecordRejected(
                [Problem("core.required", "the status has no record reference", "observation.site")]
            )
        return [Canonical("observation", dict(item.values))]
