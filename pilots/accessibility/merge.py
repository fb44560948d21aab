"""Matching records of several sources to one building, and keeping the merged buildings fresh.

After each stored batch, every record written is matched with stored records of the same
building — the same OpenStreetMap element (``osm_id``), the same address-register URI, or a
point within :data:`NEAR_M` metres with a similar name — and gets that building's id (a new
building otherwise, named after the record). Matching is transitive; when a record joins two
buildings they become one, under the smaller id. Then each touched building is merged again
from all its records (:mod:`pilots.accessibility.combine`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher
from typing import Any

import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry
from sqlalchemy.engine import Connection

from core.geo import reproject
from core.handbook import Handbook
from core.storage import table_of, upsert
from pilots.accessibility.combine import StoredRecord, merged_building
from pilots.accessibility.models import (
    IDENTITY_COLUMNS,
    AccessibilityBuilding,
    AccessibilityRecord,
)

#: Two records closer than this (metres) with similar names are one building.
NEAR_M = 50.0
#: A bounding-box margin in degrees that surely covers NEAR_M in Flanders (lat ≈ 51°).
_MARGIN_DEG = 0.0012
_SIMILAR = 0.75
_WORD = re.compile(r"[a-z0-9]+")


def name_tokens(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return _WORD.findall(plain)


def similar_names(a: str | None, b: str | None) -> bool:
    """The same name give or take accents, case, punctuation, or one name containing the other
    (``Stadhuis`` and ``Stadhuis Brugge``)."""
    if not a or not b:
        return False
    left, right = name_tokens(a), name_tokens(b)
    if not left or not right:
        return False
    if set(left) <= set(right) or set(right) <= set(left):
        return True
    return SequenceMatcher(None, " ".join(left), " ".join(right)).ratio() >= _SIMILAR


def distance_m(a: BaseGeometry, b: BaseGeometry) -> float:
    metric_a, metric_b = (reproject(g, "EPSG:4326", "EPSG:3812") for g in (a, b))
    return float(metric_a.distance(metric_b))


def _matches(conn: Connection, row: dict[str, Any]) -> list[dict[str, Any]]:
    """Stored records of the same building as ``row`` (other than itself)."""
    record = table_of(AccessibilityRecord)
    keys = []
    if row.get("osm_id"):
        keys.append(record.c.osm_id == row["osm_id"])
    if row.get("address_uri"):
        keys.append(record.c.address_uri == row["address_uri"])
    near = sa.and_(
        record.c.minx <= row["maxx"] + _MARGIN_DEG,
        record.c.maxx >= row["minx"] - _MARGIN_DEG,
        record.c.miny <= row["maxy"] + _MARGIN_DEG,
        record.c.maxy >= row["miny"] - _MARGIN_DEG,
    )
    columns = (record.c.id, record.c.building_id, record.c.osm_id, record.c.address_uri,
               record.c.name, record.c.geometry, record.c.source)
    query = sa.select(*columns).where(record.c.id != row["id"], sa.or_(near, *keys))
    found = []
    for candidate in conn.execute(query).mappings():
        same_key = (row.get("osm_id") and candidate["osm_id"] == row["osm_id"]) or (
            row.get("address_uri") and candidate["address_uri"] == row["address_uri"]
        )
        close = (
            candidate["source"] != row["source"]
            and similar_names(candidate["name"], row.get("name"))
            and distance_m(candidate["geometry"], row["geometry"]) <= NEAR_M
        )
        if same_key or close:
            found.append(dict(candidate))
    return found


def assign_buildings(conn: Connection, rows: Iterable[dict[str, Any]]) -> set[str]:
    """Give each stored record its building id; returns every building id to merge again."""
    record = table_of(AccessibilityRecord)
    touched: set[str] = set()
    for row in rows:
        current = conn.execute(
            sa.select(record.c.building_id).where(record.c.id == row["id"])
        ).scalar_one_or_none()
        matches = _matches(conn, row)
        groups = {m["building_id"] for m in matches if m["building_id"]}
        members = {m["id"] for m in matches if not m["building_id"]} | {row["id"]}
        target = min(groups | ({current} if current else set()) | {row["id"]})
        if current and current != target:
            touched.add(current)
        if groups:
            conn.execute(
                record.update()
                .where(record.c.building_id.in_(groups))
                .values(building_id=target)
            )
        conn.execute(record.update().where(record.c.id.in_(members)).values(building_id=target))
        touched |= groups | {target}
    return touched


def _stored(row: Any) -> StoredRecord:
    values = row["measurements"] or {}
    methods = {str(entry.get("method")) for entry in values.values() if isinstance(entry, dict)}
    return StoredRecord(
        id=row["id"],
        source=row["source"],
        observed_at=row["observed_at"],
        geometry=row["geometry"],
        identity={column: row[column] for column in IDENTITY_COLUMNS},
        measurements=values,
        method="measured" if "measured" in methods or not methods else "tag",
    )


def refresh_buildings(
    conn: Connection, building_ids: Iterable[str], handbook: Handbook
) -> list[dict[str, Any]]:
    """Merge each building again from its records; a building left without records goes.

    Returns the merged building rows (their ``conflicts`` go into the ingest report).
    """
    record, building = table_of(AccessibilityRecord), table_of(AccessibilityBuilding)
    ids = sorted(set(building_ids))
    if not ids:
        return []
    members: dict[str, list[StoredRecord]] = {}
    query = sa.select(record).where(record.c.building_id.in_(ids)).order_by(record.c.id)
    for row in conn.execute(query).mappings():
        members.setdefault(row["building_id"], []).append(_stored(row))
    gone = [building_id for building_id in ids if building_id not in members]
    if gone:
        conn.execute(building.delete().where(building.c.id.in_(gone)))
    rows = [merged_building(key, records, handbook) for key, records in members.items()]
    if rows:
        upsert(conn, building, rows, "id", mode="update")
    return rows
