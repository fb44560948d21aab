"""Baselines that survive a change of supplier: a calibration factor from an overlap period.

When a location gets a new sensor or supplier, both count side by side for a while. Pairing
their hourly roll-ups (same hour, same characteristic and dimensions, both well covered) gives
the factor that puts the new series on the old one's scale: least squares through the origin,
``old ≈ factor * new``, with a 95 % interval from the slope's standard error. The factor is
stored with the overlap it came from and published on the new location, so history and
baseline stay comparable and a consumer can see exactly how.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.errors import StadspulsError
from core.storage import table_of
from pilots.crowding.models import ROLLUP_DIMENSIONS, CrowdingCalibration, CrowdingRollup

MIN_PAIRS = 12
MIN_COVERAGE = 0.9
_MATCH = ("start", *ROLLUP_DIMENSIONS)


class CalibrationError(StadspulsError):
    """Too little overlap to estimate a factor honestly."""


@dataclass(frozen=True)
class Factor:
    factor: float
    low: float
    high: float
    pairs: int


def estimate(old: Sequence[float], new: Sequence[float], min_pairs: int = MIN_PAIRS) -> Factor:
    """``old ≈ factor * new`` by least squares through the origin, with a 95 % interval."""
    if len(old) != len(new):
        raise ValueError("the two series must be paired")
    pairs = [(o, n) for o, n in zip(old, new, strict=True) if n > 0]
    if len(pairs) < min_pairs:
        raise CalibrationError(
            f"{len(pairs)} comparable hours overlap; at least {min_pairs} are needed"
        )
    sum_nn = sum(n * n for _o, n in pairs)
    factor = sum(o * n for o, n in pairs) / sum_nn
    residual = sum((o - factor * n) ** 2 for o, n in pairs) / (len(pairs) - 1)
    half_width = 1.96 * math.sqrt(residual / sum_nn)
    return Factor(factor, factor - half_width, factor + half_width, len(pairs))


def calibrate(
    conn: Connection, old_location: str, new_location: str, start: datetime, end: datetime
) -> Factor:
    """Estimate and store the factor of ``new_location`` against ``old_location`` over the
    overlap [start, end), from their hourly roll-ups."""
    rollup = table_of(CrowdingRollup)

    def series(location: str) -> dict[tuple[Any, ...], float]:
        query = sa.select(rollup).where(
            rollup.c.location_id == location,
            rollup.c.interval_minutes == 60,
            rollup.c.start >= start,
            rollup.c.start < end,
            rollup.c.value.is_not(None),
            rollup.c.coverage >= MIN_COVERAGE,
        )
        return {
            tuple(row[c] for c in _MATCH): float(row["value"])
            for row in conn.execute(query).mappings()
        }

    old, new = series(old_location), series(new_location)
    common = sorted(set(old) & set(new))
    result = estimate([old[key] for key in common], [new[key] for key in common])
    table = table_of(CrowdingCalibration)
    conn.execute(sa.delete(table).where(table.c.location_id == new_location))
    conn.execute(
        sa.insert(table).values(
            location_id=new_location,
            reference_location_id=old_location,
            overlap_start=start,
            overlap_end=end,
            factor=result.factor,
            factor_low=result.low,
            factor_high=result.high,
            pairs=result.pairs,
            created_at=datetime.now(UTC),
        )
    )
    return result
