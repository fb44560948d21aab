"""Building records with provenance: each value knows how it was obtained and what was written.

A :class:`BuildingRecord` is a canonical record that also carries, per term, the method
(``measured`` or ``tag``) and the supplier's original text when a unit was converted. Storage
keeps both, so the merged building can say of every value where it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from core.ingest.envelope import Canonical, Problem, RecordRejected

ENTITY = "building"
#: Terms that identify and place a building; every other term is a characteristic.
IDENTITY = (
    "id",
    "name",
    "address",
    "city",
    "service_kind",
    "geometry",
    "address_uri",
    "osm_id",
    "observed_at",
    "method",
)
METHODS = ("measured", "tag")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(slots=True)
class BuildingRecord(Canonical):
    """A building as one source describes it, with per-term ``methods`` and ``originals``."""

    methods: dict[str, str] = field(default_factory=dict)
    originals: dict[str, str] = field(default_factory=dict)


def characteristics(values: dict[str, Any]) -> dict[str, Any]:
    """The characteristic values of a record (not its identity terms)."""
    return {term: value for term, value in values.items() if term not in IDENTITY}


def as_building(record: Canonical, default_method: str) -> BuildingRecord:
    """A canonical record as a building record; its ``method`` term, else ``default_method``,
    is the method of each value a more specific adapter did not mark."""
    if isinstance(record, BuildingRecord):
        return record
    building = BuildingRecord(record.entity, record.values, record.derived, record.crs)
    method = str(record.values.get("method") or default_method).strip().lower()
    building.methods = {term: method for term in characteristics(record.values)}
    return building


def whole_day(value: Any) -> Any:
    """An audit date without a time (``2025-03-14``) as the start of that day in UTC."""
    if isinstance(value, str) and _DATE.match(value.strip()):
        return f"{value.strip()}T00:00:00+00:00"
    return value


def mapping_problem(message: str, term: str | None = None, found: Any = None) -> RecordRejected:
    return RecordRejected([Problem("accessibility.mapping", message, term, found)])
