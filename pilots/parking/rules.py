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
    """Fill capacity, occupied/vacant, occupancy and status where the record lacks them.

    Runs for every observation ingested, hence the plain local reads and writes.
    """
    if record.entity != "observation":
        return
    values = record.values
    derived = record.derived
    get = values.get
    capacity = get("capacity")
    if capacity is None and site is not None:
        capacity = site.get("capacity")
        if capacity is not None:
            values["capacity"] = capacity
            derived.add("capacity")
    status = get("status")
    if is_closed(values):
        if status is None:
            values["status"] = "closed"
            derived.add("status")
        return
    vacant, occupied, occupancy = get("vacant"), get("occupied"), get("occupancy")
    if capacity is not None:
        if vacant is None and occupied is not None:
            vacant = capacity - occupied
            values["vacant"] = vacant
            derived.add("vacant")
        elif occupied is None and vacant is not None:
            occupied = capacity - vacant
            values["occupied"] = occupied
            derived.add("occupied")
        if occupancy is None and occupied is not None and capacity > 0:
            occupancy = round(100.0 * occupied / capacity, 1)
            values["occupancy"] = occupancy
            derived.add("occupancy")
    if status is None:
        status = derived_status(vacant, occupancy)
        if status is not None:
            values["status"] = status
            derived.add("status")


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
    get = record.values.get
    vacant, capacity = get("vacant"), get("capacity")
    if vacant is not None and capacity is not None and vacant > capacity:
        return f"vacant spaces ({vacant}) exceed the capacity ({capacity})"
    return None


def _occupied_within_capacity(record: Canonical) -> str | None:
    get = record.values.get
    occupied, capacity = get("occupied"), get("capacity")
    if occupied is not None and capacity is not None and occupied > capacity:
        return f"occupied spaces ({occupied}) exceed the capacity ({capacity})"
    return None


def _counts_add_up(record: Canonical) -> str | None:
    values = record.values
    get = values.get
    occupied, vacant, capacity = get("occupied"), get("vacant"), get("capacity")
    if occupied is None or vacant is None or capacity is None or is_closed(values):
        return None
    if occupied + vacant != capacity:
        return f"occupied ({occupied}) + vacant ({vacant}) is not the capacity ({capacity})"
    return None


def _occupancy_consistent(record: Canonical) -> str | None:
    values = record.values
    get = values.get
    occupancy, vacant, capacity = get("occupancy"), get("vacant"), get("capacity")
    if occupancy is None or vacant is None or not capacity or "occupancy" in record.derived:
        return None
    if is_closed(values):
        return None
    expected = 100.0 * (capacity - vacant) / capacity
    if abs(occupancy - expected) > OCCUPANCY_TOLERANCE:
        return (
            f"occupancy {occupancy:g} % does not match {vacant} vacant of {capacity} "
            f"(expected {expected:.1f} %)"
        )
    return None


def _has_count(record: Canonical) -> str | None:
    get = record.values.get
    if get("vacant") is None and get("occupied") is None and get("occupancy") is None and (
        get("status") is None
    ):
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
