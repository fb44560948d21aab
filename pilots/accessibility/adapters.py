"""Accessibility supplier formats as :class:`core.pilot.Adapter` objects.

Reading splits a file into raw records (kept whole for quarantine); mapping is pure and lives
in :mod:`pilots.accessibility.formats`. Every value leaves the adapter with its method (measured
or tag) and, when a unit was converted, the supplier's original text.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any, BinaryIO

from core.errors import UnreadableInput
from core.handbook import Handbook
from core.ingest.canonical import (
    CanonicalCsvAdapter,
    CanonicalGeoJsonAdapter,
    json_documents,
    load_json,
)
from core.ingest.envelope import Canonical, RawRecord, ReadContext
from core.pilot import Adapter
from pilots.accessibility.formats.a11yjson import looks_like_a11yjson, map_place_info, place_infos
from pilots.accessibility.formats.audit import map_audit_row
from pilots.accessibility.formats.osm import content_of, elements, group, looks_like_osm, map_osm
from pilots.accessibility.records import as_building, whole_day


class AuditCsvAdapter(CanonicalCsvAdapter):
    """A city's field audit as CSV: term names as columns, units in headers or cells."""

    format_id = "csv"
    title = "Field audit (CSV): one row per building, term names as columns, units converted"

    def read(self, stream: BinaryIO, context: ReadContext) -> Iterator[RawRecord]:
        """Like the canonical reader, but the delimiter is the one the header uses most.

        Audit sheets exported with a Dutch locale use ``;`` and decimal commas, which can make
        :class:`csv.Sniffer` give up; the header line is unambiguous.
        """
        data = stream.read()
        text = data.decode("utf-8-sig", errors="replace")
        header = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=header.count)
        if not header.strip() or header.count(delimiter) == 0:
            return super().read(io.BytesIO(data), context)
        reader = csv.DictReader(io.StringIO(_decoded(data, context.origin)), delimiter=delimiter)
        if not reader.fieldnames:
            raise UnreadableInput(f"{context.origin}: the CSV file has no header row")
        return self._rows(reader, context)

    def map(self, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        return [map_audit_row(self.handbook, dict(raw.content))]


def _decoded(data: bytes, origin: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableInput(
            f"{origin}: the file is not UTF-8 (byte {error.start}); save it as UTF-8"
        ) from None


class AuditXlsxAdapter:
    """The same audit kept as a spreadsheet (.xlsx): the first sheet, its first row the header."""

    format_id = "xlsx"
    title = "Field audit (Excel .xlsx): the first sheet, one row per building"
    media_types: tuple[str, ...] = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

    def __init__(self, handbook: Handbook) -> None:
        self.handbook = handbook

    def sniff(self, head: bytes, filename: str) -> bool:
        return filename.lower().endswith(".xlsx") or (
            head.startswith(b"PK\x03\x04") and b"xl/" in head
        )

    def read(self, stream: BinaryIO, context: ReadContext) -> Iterator[RawRecord]:
        from openpyxl import load_workbook  # heavy; only when a spreadsheet is read

        try:
            workbook = load_workbook(io.BytesIO(stream.read()), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            raise UnreadableInput(
                f"{context.origin}: not a readable .xlsx workbook ({error})"
            ) from None
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next((row for row in rows if any(cell is not None for cell in row)), None)
        if header is None:
            raise UnreadableInput(f"{context.origin}: the first sheet is empty")
        names = [None if cell is None else str(cell).strip() for cell in header]
        return self._records(names, rows, context)

    def _records(
        self, names: list[str | None], rows: Iterator[tuple[Any, ...]], context: ReadContext
    ) -> Iterator[RawRecord]:
        for number, row in enumerate(rows, start=2):
            if all(cell is None or str(cell).strip() == "" for cell in row):
                continue
            content = {
                name: _cell(cell) for name, cell in zip(names, row, strict=False) if name
            }
            yield RawRecord(context.source, context.origin, number, context.received_at, content)

    def map(self, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        return [map_audit_row(self.handbook, dict(raw.content))]


def _cell(value: Any) -> Any:
    """A spreadsheet cell as a JSON value (quarantine stores the content as JSON)."""
    if isinstance(value, datetime):
        return value.isoformat() if value.tzinfo else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return value


class BuildingGeoJsonAdapter(CanonicalGeoJsonAdapter):
    """GeoJSON with the handbook's term names as properties (not an OSM or A11yJSON file)."""

    title = "GeoJSON FeatureCollection with the handbook's term names as properties"

    def sniff(self, head: bytes, filename: str) -> bool:
        if looks_like_osm(head) or looks_like_a11yjson(head):
            return False
        return super().sniff(head, filename)

    def map(self, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        records = super().map(raw, context)
        for record in records:
            if "observed_at" in record.values:
                record.values["observed_at"] = whole_day(record.values["observed_at"])
        return [as_building(record, "measured") for record in records]


class OsmAdapter:
    """OpenStreetMap data: a GeoJSON export or Overpass JSON; entrances join their building."""

    format_id = "osm"
    title = "OpenStreetMap (GeoJSON export or Overpass JSON), accessibility tags"
    media_types: tuple[str, ...] = ("application/geo+json", "application/json")

    def sniff(self, head: bytes, filename: str) -> bool:
        return looks_like_osm(head) and not looks_like_a11yjson(head)

    def read(self, stream: BinaryIO, context: ReadContext) -> Iterator[RawRecord]:
        document = load_json(stream.read(), context.origin)
        try:
            found = elements(document)
        except ValueError as error:
            raise UnreadableInput(f"{context.origin}: {error}") from None
        if not found:
            raise UnreadableInput(f"{context.origin}: the file holds no tagged OSM elements")
        return (
            RawRecord(
                context.source, context.origin, position, context.received_at, content_of(item)
            )
            for position, item in enumerate(group(found), start=1)
        )

    def map(self, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        return [map_osm(raw.content)]


class A11yJsonAdapter:
    """A11yJSON PlaceInfo documents: a FeatureCollection, an array, one, or JSON Lines."""

    format_id = "a11yjson"
    title = "A11yJSON PlaceInfo documents (properties.accessibility)"
    media_types: tuple[str, ...] = ("application/json", "application/geo+json")

    def sniff(self, head: bytes, filename: str) -> bool:
        return looks_like_a11yjson(head)

    def read(self, stream: BinaryIO, context: ReadContext) -> Iterator[RawRecord]:
        try:
            places = [
                place
                for document in json_documents(stream.read(), context.origin)
                for place in place_infos(document)
            ]
        except ValueError as error:
            raise UnreadableInput(f"{context.origin}: {error}") from None
        if not places:
            raise UnreadableInput(f"{context.origin}: the file holds no PlaceInfo")
        return (
            RawRecord(context.source, context.origin, position, context.received_at, place)
            for position, place in enumerate(places, start=1)
        )

    def map(self, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        return [map_place_info(raw.content)]


def accessibility_adapters(handbook: Handbook) -> list[Adapter]:
    return [
        AuditCsvAdapter(handbook),
        AuditXlsxAdapter(handbook),
        BuildingGeoJsonAdapter(handbook),
        OsmAdapter(),
        A11yJsonAdapter(),
    ]
