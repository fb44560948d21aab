"""How building records become rows, and the merge that follows every stored batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection

from core.handbook import Handbook
from core.ingest.envelope import Canonical
from core.pilot import EntityStore
from core.rows import located_row
from core.storage import table_of
from pilots.accessibility.merge import assign_buildings, refresh_buildings
from pilots.accessibility.models import IDENTITY_COLUMNS, AccessibilityRecord
from pilots.accessibility.records import ENTITY, as_building, characteristics


def measurement_entries(handbook: Handbook, record: Canonical) -> dict[str, dict[str, Any]]:
    """Per characteristic: value, handbook unit, method and the supplier's original text."""
    building = as_building(record, "measured")
    entity = handbook.entities_by_id[ENTITY]
    entries = {}
    for term, value in characteristics(record.values).items():
        if value is None or term not in entity.terms_by_id:
            continue
        entries[term] = {
            "value": value,
            "unit": entity.terms_by_id[term].unit,
            "method": building.methods.get(term, "measured"),
            "original": building.originals.get(term),
        }
        if term in record.derived:
            entries[term]["derived"] = True
    return entries


def record_row_builder(handbook: Handbook) -> Callable[[str, Canonical], dict[str, Any]]:
    def record_row(source: str, record: Canonical) -> dict[str, Any]:
        row = located_row(source, record, IDENTITY_COLUMNS)
        row.update(
            building_id=None,
            observed_at=record.values.get("observed_at"),
            measurements=measurement_entries(handbook, record),
            derived=sorted(record.derived),
        )
        return row

    return record_row


def after_store_builder(
    handbook: Handbook,
) -> Callable[[Connection, str, list[dict[str, Any]]], None]:
    """After each stored batch: match the records to buildings and merge those buildings."""

    def after_store(conn: Connection, entity: str, rows: list[dict[str, Any]]) -> None:
        if entity != ENTITY or not rows:
            return
        refresh_buildings(conn, assign_buildings(conn, rows), handbook)

    return after_store


def accessibility_stores(handbook: Handbook) -> list[EntityStore]:
    return [
        EntityStore(
            entity=ENTITY,
            table=table_of(AccessibilityRecord),
            to_row=record_row_builder(handbook),
            on_conflict="merge",
        )
    ]
