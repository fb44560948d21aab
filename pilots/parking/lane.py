"""Parking observations a block at a time: the common case of the derivations and rules.

A large status file is checked in blocks (:mod:`core.ingest.blocks`). This lane accepts the
records whose case is the common one, an open site of known positive capacity reporting its
vacant spaces, and works out for them, over whole columns, exactly what
:func:`pilots.parking.rules.derive`, the rules of :data:`pilots.parking.rules.CHECKS` and
:func:`pilots.parking.stores.observation_row` would: the derived capacity (always the site's),
occupied spaces and occupancy where missing, the status where missing, and every rule passing.
Anything else (a closed site, a capacity of its own or of 0, no vacant count, a rule that
fails, a count beyond 2**53 that float arithmetic would round) is simply not accepted: that
record goes through the per-record checks, which alone say what is wrong. The arithmetic is
the rules' own, in the same order on the same IEEE doubles, so the verdicts agree to the last
bit (``tests/pilots/parking/test_lane.py`` compares both on thousands of generated records).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from itertools import compress
from typing import Any

import numpy as np
import numpy.typing as npt

from core.column_rows import RowColumns
from core.ingest.blocks import LaneOutcome
from core.ingest.envelope import stable_id
from pilots.parking.models import OCCUPANCY_ATTRIBUTES
from pilots.parking.rules import OCCUPANCY_TOLERANCE, derived_status
from pilots.parking.stores import observation_ids

#: Integers up to this size are exact as doubles; larger counts take the per-record checks.
_EXACT = float(2**53)


def observation_lane(
    columns: Mapping[str, list[Any]],
    referenced: Mapping[str, list[Any]],
    candidates: list[bool],
    source: str,
) -> LaneOutcome:
    """Accept the plain open-site observations of a block, with their rows."""
    size = len(candidates)
    absent: list[Any] = [None] * size
    capacity = _numbers(referenced.get("capacity", absent))
    vacant = _numbers(columns.get("vacant", absent))
    occupied = _numbers(columns.get("occupied", absent))
    occupancy = _numbers(columns.get("occupancy", absent))
    has_occupied, has_occupancy = ~np.isnan(occupied), ~np.isnan(occupancy)
    open_site = _differs(columns.get("status"), "closed", size) & _differs(
        columns.get("opening_status"), "closed", size
    )
    own_capacity = _differs(columns.get("capacity"), None, size)
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN compares False: not accepted
        counted = np.where(has_occupied, occupied, capacity - vacant)
        expected = 100.0 * (capacity - vacant) / capacity
        accepted = (
            np.array(candidates, bool)
            & ~own_capacity
            & open_site
            & (capacity > 0)
            & (capacity <= _EXACT)
            & (vacant <= capacity)  # parking.vacant-within-capacity (and vacant known)
            & (counted <= capacity)  # parking.occupied-within-capacity
            & (~has_occupied | (occupied + vacant == capacity))  # parking.counts-add-up
            & (~has_occupancy | (np.abs(occupancy - expected) <= OCCUPANCY_TOLERANCE))
        )
    chosen = accepted.tolist()
    return LaneOutcome(chosen, _rows(columns, referenced, chosen, source))


def _numbers(values: list[Any]) -> npt.NDArray[np.float64]:
    """A column as doubles, NaN where absent (ints up to 2**53 stay exact; an int too large
    for a double is NaN too: not accepted)."""
    try:
        if None not in values:
            return np.array(values, dtype=np.float64)
        return np.fromiter((np.nan if v is None else v for v in values), np.float64, len(values))
    except OverflowError:
        return np.fromiter(
            (v if v is not None and abs(v) <= _EXACT else np.nan for v in values),
            np.float64,
            len(values),
        )


def _differs(values: list[Any] | None, other: Any, size: int) -> npt.NDArray[np.bool_]:
    """Per record, whether its value is not ``other`` (an absent column never is)."""
    if values is None:
        return np.full(size, other is not None)
    return np.fromiter((value != other for value in values), bool, size)


def _rows(
    columns: Mapping[str, list[Any]],
    referenced: Mapping[str, list[Any]],
    chosen: list[bool],
    source: str,
) -> RowColumns:
    """The rows :func:`observation_row` would build for the accepted records, derived too."""
    count = sum(chosen)

    def kept(values: list[Any] | None) -> list[Any]:
        return list(compress(values, chosen)) if values is not None else [None] * count

    capacity = kept(referenced.get("capacity"))
    vacant = kept(columns.get("vacant"))
    occupied = kept(columns.get("occupied"))
    occupancy = kept(columns.get("occupancy"))
    status = kept(columns.get("status"))
    derived = [_derived(False, False, False)] * count
    if None in occupied or None in occupancy or None in status:
        for index in range(count):
            derived[index] = _derive(index, capacity, vacant, occupied, occupancy, status)
    sites = kept(columns.get("site"))
    site_ids = {site: stable_id(source, site) for site in set(sites)}
    site_column = list(map(site_ids.__getitem__, sites))
    times = kept(columns.get("observed_at"))
    values = {
        "capacity": capacity,
        "vacant": vacant,
        "occupied": occupied,
        "occupancy": occupancy,
        "status": status,
        "opening_status": kept(columns.get("opening_status")),
        "trend": kept(columns.get("trend")),
    }
    assert set(values) == set(OCCUPANCY_ATTRIBUTES)
    return RowColumns(
        {
            **values,
            "id": observation_ids(site_column, times),
            "site_id": site_column,
            "source": [source] * count,
            "observed_at": times,
            "derived": derived,
            "received_at": [datetime.now(UTC)] * count,
        },
        count,
    )


def _derive(
    index: int,
    capacity: list[Any],
    vacant: list[Any],
    occupied: list[Any],
    occupancy: list[Any],
    status: list[Any],
) -> list[str]:
    """Fill record ``index``'s missing counts and status in place, as ``derive`` does."""
    derived_occupied = occupied[index] is None
    if derived_occupied:
        occupied[index] = capacity[index] - vacant[index]
    derived_occupancy = occupancy[index] is None
    if derived_occupancy:
        occupancy[index] = round(100.0 * occupied[index] / capacity[index], 1)
    derived_state = status[index] is None
    if derived_state:
        status[index] = derived_status(vacant[index], occupancy[index])
    return _derived(derived_occupied, derived_occupancy, derived_state)


@cache
def _derived(occupied: bool, occupancy: bool, status: bool) -> list[str]:
    """The sorted names of what was derived (the capacity always: it is the site's)."""
    names = ["capacity"]
    names += ["occupied"] if occupied else []
    names += ["occupancy"] if occupancy else []
    names += ["status"] if status else []
    return sorted(names)
