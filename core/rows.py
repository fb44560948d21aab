"""Row-building helpers shared by every pilot's stores: located entities and latest states."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from core.column_rows import RowColumns, latest_indices
from core.ingest.envelope import Canonical, stable_id


def located_row(source: str, record: Canonical, attributes: Sequence[str]) -> dict[str, Any]:
    """The row of an entity with an id and a (possibly unknown) geometry.

    Besides the named attributes it carries the stable id, the supplier's id, the geometry and
    its bounding box (the embedded database filters on those), what was derived, and when.
    """
    values = record.values
    geometry = values.get("geometry")
    minx, miny, maxx, maxy = geometry.bounds if geometry is not None else (None,) * 4
    row = {name: values.get(name) for name in attributes}
    row.update(
        id=stable_id(source, values["id"]),
        source=source,
        native_id=values["id"],
        geometry=geometry,
        minx=minx,
        miny=miny,
        maxx=maxx,
        maxy=maxy,
        updated_at=datetime.now(UTC),
    )
    return row


def newest(
    rows: Iterable[dict[str, Any]] | RowColumns, key: str, time: str
) -> list[dict[str, Any]]:
    """Per value of ``key``, the row with the latest ``time``."""
    if isinstance(rows, RowColumns):
        return rows.newest(key, time)
    listed = list(rows)
    groups, times = [row[key] for row in listed], [row[time] for row in listed]
    return [listed[index] for index in latest_indices(groups, times)]
