"""Parking derivations and cross-term rules (their ids and meaning live in the handbook).

Derived values are computed here and only here, and named in ``Canonical.derived`` so the
published data says which numbers were measured and which were computed. A closed site commonly
reports 0 vacant spaces and 0 %: that is a closed site, not an inconsistent record, so the
consistency rules do not apply to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.ingest.envelope import Canonical
from core.validation import PilotRules, RuleCheck

#: Occupancy (%) from which an open site with spaces left counts as almost full.
ALMOST_FULL_AT = 90.0
#: Allowed difference between reported and computed occupancy, in percentage points.
OCCUPANCY_TOLERANCE = 1.0


def is_closed(values: Mapping[str, Any]) -> bool:
    return values.get("status") == "closed" or values.get("opening_status") == "closed"


def derive(record: Canonical, site: Mapping[str, Any] | None) -> None:
    """Fill capacity, occupied/vacant, occupancy and status where the record lacks them."""
    if record.entity != "observation":
        return
    values = record.values

    def put(term: str, value: Any) -> None:
        values[term] = value
        record.derived.add(term)

    if values.get("capacity") is None and site is not None and site.get("capacity") is not None:
        put("capacity", site["capacity"])
    if is_closed(values):
        if values.get("status") is None:
            put("status", "closed")
        return
    capacity, vacant, occupied = (values.get(k) for k in ("capacity", "vacant", "occupied"))
    if capacity is not None:
        if vacant is None and occupied is not None:
            vacant = capacity - occupied
            put("vacant", vacant)
        elif occupied is None and vacant is not None:
            occupied = capacity - vacant
            put("occupied", occupied)
        if values.get("occupancy") is None and occupied is not None and capacity > 0:
            put("occupancy", round(100.0 * occupied / capacity, 1))
    if values.get("status") is None:
        status = derived_status(vacant, values.get("occupancy"))
        if status is not None:
            put("status", status)


def derived_status(vacant: int | None, occupancy: float | None) -> str | None:
    """The status a count implies: full at 0 vacant, almost full from 90 %."""
    if vacant == 0:
        return "full"
    if occupancy is not None:
        return "almostFull" if occupancy >= ALMOST_FULL_AT else "spacesAvailable"
    if vacant is not None:
        return "spacesAvailable"
    return None


def _vacant_within_capacity(record: Canonical) -> str | None:
    vacant, capacity = record.values.get("vacant"), record.values.get("capacity")
    if vacant is not None and capacity is not None and vacant > capacity:
        return f"vacant spaces ({vacant}) exceed the capacity ({capacity})"
    return None


def _occupied_within_capacity(record: Canonical) -> str | None:
    occupied, capacity = record.values.get("occupied"), record.values.get("capacity")
    if occupied is not None and capacity is not None and occupied > capacity:
        return f"occupied spaces ({occupied}) exceed the capacity ({capacity})"
    return None


def _counts_add_up(record: Canonical) -> str | None:
    values = record.values
    occupied, vacant, capacity = (values.get(k) for k in ("occupied", "vacant", "capacity"))
    if is_closed(values) or occupied is None or vacant is None or capacity is None:
        return None
    if occupied + vacant != capacity:
        return f"occupied ({occupied}) + vacant ({vacant}) is not the capacity ({capacity})"
    return None


def _occupancy_consistent(record: Canonical) -> str | None:
    values = record.values
    occupancy, vacant, capacity = (values.get(k) for k in ("occupancy", "vacant", "capacity"))
    if is_closed(values) or occupancy is None or vacant is None or not capacity:
        return None
    if "occupancy" in record.derived:
        return None
    expected = 100.0 * (capacity - vacant) / capacity
    if abs(occupancy - expected) > OCCUPANCY_TOLERANCE:
        return (
            f"occupancy {occupancy:g} % does not match {vacant} vacant of {capacity} "
            f"(expected {expected:.1f} %)"
        )
    return None


def _has_count(record: Canonical) -> str | None:
    if all(record.values.get(k) is None for k in ("vacant", "occupied", "occupancy", "status")):
        return "the observation has no vacant, occupied, occupancy or status value"
    return None


CHECKS: dict[str, RuleCheck] = {
    "parking.vacant-within-capacity": _vacant_within_capacity,
    "parking.occupied-within-capacity": _occupied_within_capacity,
    "parking.counts-add-up": _counts_add_up,
    "parking.occupancy-consistent": _occupancy_consistent,
    "parking.has-count": _has_count,
}


def parking_rules() -> PilotRules:
    return PilotRules(derive=derive, checks=CHECKS)
