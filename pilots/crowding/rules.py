"""Crowding derivations and cross-term rules (ids and meaning live in the handbook).

Intervals follow the handbook: 1, 5, 15 or 60 minutes, aligned to the clock, start before end.
A zone's area is derived in Lambert 2008 (EPSG:3812), a metric CRS for Belgium, so density
(presence per m²) means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from core.geo import metric_area
from core.ingest.envelope import Canonical
from core.validation import PilotRules, RuleCheck

INTERVAL_MINUTES = (1, 5, 15, 60)
_LINES = ("LineString", "MultiLineString")
_AREAS = ("Polygon", "MultiPolygon")


def derive(record: Canonical, referenced: Mapping[str, Any] | None) -> None:
    values = record.values
    if record.entity == "location":
        geometry = values.get("geometry")
        if values.get("area") is None and geometry is not None and geometry.geom_type in _AREAS:
            values["area"] = round(metric_area(geometry), 1)
            record.derived.add("area")


def _minutes(values: Mapping[str, Any]) -> float | None:
    start, end = values.get("start"), values.get("end")
    if isinstance(start, datetime) and isinstance(end, datetime):
        return (end - start) / timedelta(minutes=1)
    return None


def _start_before_end(record: Canonical) -> str | None:
    minutes = _minutes(record.values)
    if minutes is not None and minutes <= 0 and record.values.get("count_type") == "interval":
        return f"the interval ends {-minutes:g} min before (or when) it starts"
    return None


def _interval_length(record: Canonical) -> str | None:
    values = record.values
    minutes = _minutes(values)
    if values.get("count_type") == "event":
        if minutes not in (None, 0):
            return "an event has one instant: no end, or an end equal to its start"
        return None
    if values.get("end") is None:
        return "an interval count needs an end"
    if minutes is not None and minutes > 0 and minutes not in INTERVAL_MINUTES:
        return f"an interval of {minutes:g} min is not 1, 5, 15 or 60 min"
    return None


def _interval_aligned(record: Canonical) -> str | None:
    values = record.values
    minutes, start = _minutes(values), values.get("start")
    if values.get("count_type") != "interval" or minutes not in INTERVAL_MINUTES:
        return None
    assert isinstance(start, datetime)
    if start.second or start.microsecond or (start.minute % int(minutes or 1)):
        return (
            f"a {minutes:g}-min interval starting at {start:%H:%M:%S} is not aligned to the clock"
        )
    return None


def _value_present(record: Canonical) -> str | None:
    values = record.values
    if values.get("characteristic") == "crowding-level":
        return None if values.get("level") is not None else "a crowding level needs a level"
    if values.get("value") is None:
        return f"a {values.get('characteristic')} count needs a value"
    return None


def _direction_for_lines(record: Canonical) -> str | None:
    values = record.values
    if values.get("direction") in ("in", "out") and values.get("characteristic") != "passages":
        return f"direction '{values['direction']}' only applies to passages across a line"
    return None


def _geometry_fits_kind(record: Canonical) -> str | None:
    kind, geometry = record.values.get("kind"), record.values.get("geometry")
    if kind is None or geometry is None:
        return None
    expected = _LINES if kind == "line" else _AREAS
    if geometry.geom_type not in expected:
        return f"a {kind} must be a {' or '.join(expected)}, not a {geometry.geom_type}"
    return None


def max_delay_check(max_delay: float | None) -> RuleCheck:
    """The delay rule for a configured limit (none: every count is on time)."""

    def check(record: Canonical) -> str | None:
        if max_delay is None:
            return None
        values = record.values
        ended = values.get("end") or values.get("start")
        if not isinstance(ended, datetime):
            return None
        late = (datetime.now(UTC) - ended).total_seconds()
        if late > max_delay:
            return (
                f"the count arrives {late:.0f} s after its interval ended (limit {max_delay:g} s)"
            )
        return None

    return check


CHECKS: dict[str, RuleCheck] = {
    "crowding.start-before-end": _start_before_end,
    "crowding.interval-length": _interval_length,
    "crowding.interval-aligned": _interval_aligned,
    "crowding.value-present": _value_present,
    "crowding.direction-for-lines": _direction_for_lines,
    "crowding.geometry-fits-kind": _geometry_fits_kind,
}


def crowding_rules(max_delay: float | None = None) -> PilotRules:
    return PilotRules(
        derive=derive, checks={**CHECKS, "crowding.max-delay": max_delay_check(max_delay)}
    )
