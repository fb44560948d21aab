"""Crowding levels (calm / normal / busy / very busy) for rolled-up counts, with the rule used.

Two ways, as the handbook allows, and each value records which one decided it:

* **density** — for presence at a zone of known area: people per m² against the pedestrian
  levels of service for walkways (Fruin): up to 0.27 p/m² calm (LOS A-B), up to 0.72 normal
  (C-D), up to 1.33 busy (E), above very busy (F);
* **capacity** — for presence where the location declares a capacity: the share of it, up to
  25 % calm, 60 % normal, 90 % busy, above very busy;
* **baseline** — otherwise (passages, or presence without area or capacity): the same weekday
  and time of day over the previous ``weeks`` weeks (the nulmeting), coverage-corrected; up to
  the 25th percentile calm, 75th normal, 95th busy, above very busy. A location calibrated
  against the one it replaced inherits that one's weeks, rescaled by the factor. Fewer than
  ``min_samples`` comparable buckets give no level rather than a guess.

A bucket covered less than half gives no level: a partial count would look calm.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.storage import table_of
from pilots.crowding.models import (
    ROLLUP_DIMENSIONS,
    CrowdingCalibration,
    CrowdingLocation,
    CrowdingRollup,
)

LEVELS = ("calm", "normal", "busy", "very-busy")
DENSITY_THRESHOLDS = (0.27, 0.72, 1.33)  # people per m², Fruin walkway LOS B/D/E limits
CAPACITY_THRESHOLDS = (0.25, 0.60, 0.90)  # share of the declared capacity
MIN_COVERAGE = 0.5
_DIMENSIONS = (*ROLLUP_DIMENSIONS, "interval_minutes")


@dataclass(frozen=True)
class Level:
    level: str
    rule: str


def classify(value: float, thresholds: Sequence[float]) -> str:
    """The level of ``value`` given three ascending thresholds."""
    for level, limit in zip(LEVELS, thresholds, strict=False):
        if value <= limit:
            return level
    return LEVELS[-1]


def baseline_thresholds(history: Sequence[float], min_samples: int) -> tuple[float, ...] | None:
    """The 25th, 75th and 95th percentiles of comparable past values, if there are enough."""
    if len(history) < max(min_samples, 2):
        return None
    cuts = statistics.quantiles(history, n=100, method="inclusive")
    return (cuts[24], cuts[74], cuts[94])


def level_of(
    row: dict[str, Any], history: Sequence[float], weeks: int, min_samples: int
) -> Level | None:
    """The level of one rolled-up row, or None when the data cannot support one."""
    value, coverage = row.get("value"), row.get("coverage")
    if value is None or (coverage is not None and coverage < MIN_COVERAGE):
        return None
    if row["characteristic"] == "presence":
        if row.get("area"):
            density = value / row["area"]
            return Level(classify(density, DENSITY_THRESHOLDS), "density-los-fruin")
        if row.get("capacity"):
            return Level(classify(value / row["capacity"], CAPACITY_THRESHOLDS), "capacity")
    thresholds = baseline_thresholds(history, min_samples)
    if thresholds is None:
        return None
    normalised = _per_full_bucket(row)
    return Level(classify(normalised, thresholds), f"baseline-{weeks}w-p25-p75-p95")


def _per_full_bucket(row: dict[str, Any]) -> float:
    """Totals scale with coverage; compare them as if the bucket were fully covered."""
    value, coverage = float(row["value"]), row.get("coverage")
    if row["characteristic"] == "passages" and coverage:
        return value / float(coverage)
    return value


def assign_levels(
    conn: Connection,
    interval_minutes: int,
    start: datetime,
    end: datetime,
    weeks: int = 8,
    min_samples: int = 4,
) -> int:
    """Set ``level`` and ``level_rule`` on the rolled-up rows in [start, end); returns how many
    rows got a level."""
    rollup, location = table_of(CrowdingRollup), table_of(CrowdingLocation)
    window = (
        sa.select(rollup, location.c.area, location.c.capacity)
        .join(location, location.c.id == rollup.c.location_id)
        .where(
            rollup.c.interval_minutes == interval_minutes,
            rollup.c.start >= start,
            rollup.c.start < end,
            rollup.c.characteristic.in_(("passages", "presence")),
        )
    )
    rows = [dict(row) for row in conn.execute(window).mappings()]
    if not rows:
        return 0
    since = start - timedelta(weeks=weeks)
    past = _history(conn, rows, interval_minutes, since, end)
    _add_calibrated_history(conn, rows, past, interval_minutes, since, end)
    updates = []
    for row in rows:
        comparable = [
            past[key]
            for week in range(1, weeks + 1)
            if (key := _key(row, row["start"] - timedelta(weeks=week))) in past
        ]
        level = level_of(row, comparable, weeks, min_samples)
        updates.append(
            {
                **{f"k_{c}": row[c] for c in _pk()},
                "level": level.level if level else None,
                "level_rule": level.rule if level else None,
            }
        )
    statement = (
        sa.update(rollup)
        .where(*(rollup.c[c] == sa.bindparam(f"k_{c}") for c in _pk()))
        .values(level=sa.bindparam("level"), level_rule=sa.bindparam("level_rule"))
    )
    conn.execute(statement, updates)
    return sum(1 for update in updates if update["level"] is not None)


def _add_calibrated_history(
    conn: Connection,
    rows: list[dict[str, Any]],
    past: dict[tuple[Any, ...], float],
    interval_minutes: int,
    since: datetime,
    until: datetime,
) -> None:
    """A location that replaced another inherits its baseline: the old series' buckets,
    divided by the calibration factor (old ≈ factor * new), fill the weeks it has no own data
    for. So a change of supplier does not reset the baseline."""
    calibration = table_of(CrowdingCalibration)
    locations = sorted({row["location_id"] for row in rows})
    links = conn.execute(
        sa.select(
            calibration.c.location_id, calibration.c.reference_location_id, calibration.c.factor
        ).where(calibration.c.location_id.in_(locations))
    ).all()
    for new, old, factor in links:
        if not factor:
            continue
        stand_in = [{**row, "location_id": old} for row in rows if row["location_id"] == new]
        for key, value in _history(conn, stand_in, interval_minutes, since, until).items():
            past.setdefault((new, *key[1:]), value / factor)


def _pk() -> tuple[str, ...]:
    return ("location_id", "start", *_DIMENSIONS)


def _key(row: dict[str, Any], start: datetime) -> tuple[Any, ...]:
    return (row["location_id"], start, *(row[name] for name in _DIMENSIONS))


def _history(
    conn: Connection,
    rows: list[dict[str, Any]],
    interval_minutes: int,
    since: datetime,
    until: datetime,
) -> dict[tuple[Any, ...], float]:
    """Coverage-corrected values of the comparable past buckets, keyed like :func:`_key`."""
    rollup = table_of(CrowdingRollup)
    locations = sorted({row["location_id"] for row in rows})
    query = sa.select(rollup).where(
        rollup.c.interval_minutes == interval_minutes,
        rollup.c.location_id.in_(locations),
        rollup.c.start >= since,
        rollup.c.start < until,
        rollup.c.value.is_not(None),
    )
    history: dict[tuple[Any, ...], float] = {}
    for past in conn.execute(query).mappings():
        if past["coverage"] is not None and past["coverage"] < MIN_COVERAGE:
            continue
        history[_key(dict(past), past["start"])] = _per_full_bucket(dict(past))
    return history
