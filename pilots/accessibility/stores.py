"""How building records become rows, and the merge that follows every stored batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection

from core.column_rows import StoredRows, as_dicts
from core.handbook import Handbook, Term
from core.ingest.envelope import Canonical, Notice, Problem
from core.pilot import AfterStore, EntityStore
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


#: The notice of two sources that disagree on a characteristic of one building.
CONFLICT_RULE = "accessibility.conflict"


def after_store_builder(handbook: Handbook) -> AfterStore:
    """After each stored batch: match the records to buildings and merge those buildings.

    Every disagreement the merge finds on a building it touched is reported back as a notice,
    so the supplier sees it in the ingest report, not only on the published building.
    """
    entity = handbook.entities_by_id[ENTITY]

    def after_store(conn: Connection, stored: str, rows: StoredRows) -> list[Notice]:
        if stored != ENTITY or not len(rows):
            return []
        assigned = assign_buildings(conn, as_dicts(rows))
        buildings = refresh_buildings(conn, assigned, handbook)
        return [
            conflict_notice(building["id"], conflict, entity.terms_by_id.get(conflict["term"]))
            for building in buildings
            for conflict in building["conflicts"]
        ]

    return after_store


def conflict_notice(building_id: str, conflict: dict[str, Any], term: Term | None) -> Notice:
    """One disagreement as a notice: the value kept and where every other value came from."""
    chosen = conflict["chosen"]
    label = term.label.en if term is not None else conflict["term"]
    unit = f" {chosen.get('unit')}" if chosen.get("unit") else ""

    def side(entry: dict[str, Any]) -> str:
        return f"{entry.get('value')}{unit} ({entry.get('method')}, {entry.get('record')})"

    others = "; ".join(side(other) for other in conflict["others"])
    return Notice(
        building_id,
        Problem(
            CONFLICT_RULE,
            f"{label}: kept {side(chosen)}, other sources say {others}",
            f"{ENTITY}.{conflict['term']}",
            [other.get("value") for other in conflict["others"]],
            f"{chosen.get('value')}{unit}",
        ),
    )


def accessibility_stores(handbook: Handbook) -> list[EntityStore]:
    return [
        EntityStore(
            entity=ENTITY,
            table=table_of(AccessibilityRecord),
            to_row=record_row_builder(handbook),
            on_conflict="merge",
        )
    ]
