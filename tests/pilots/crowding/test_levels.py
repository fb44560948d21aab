"""Crowding levels at their thresholds, and which rule decided each."""

from __future__ import annotations

from typing import Any

import pytest

from pilots.crowding.levels import (
    CAPACITY_THRESHOLDS,
    DENSITY_THRESHOLDS,
    Level,
    baseline_thresholds,
    classify,
    level_of,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.0, "calm"), (0.27, "calm"), (0.2701, "normal"), (0.72, "normal"), (0.73, "busy"),
     (1.33, "busy"), (1.34, "very-busy")],
)
def test_density_levels_at_the_pedestrian_los_limits(value: float, expected: str) -> None:
    assert classify(value, DENSITY_THRESHOLDS) == expected


@pytest.mark.parametrize(
    ("share", "expected"), [(0.25, "calm"), (0.26, "normal"), (0.6, "normal"), (0.9, "busy"),
                            (0.91, "very-busy")],
)
def test_capacity_levels(share: float, expected: str) -> None:
    assert classify(share, CAPACITY_THRESHOLDS) == expected


def test_baseline_thresholds_need_enough_history() -> None:
    assert baseline_thresholds([10.0, 20.0, 30.0], min_samples=4) is None
    p25, p75, p95 = baseline_thresholds([10.0, 20.0, 30.0, 40.0, 50.0], min_samples=4) or ()
    assert (p25, p75, p95) == pytest.approx((20.0, 40.0, 48.0))


def row(**values: Any) -> dict[str, Any]:
    return {"characteristic": "passages", "value": 100.0, "coverage": 1.0, "area": None,
            "capacity": None, **values}


@pytest.mark.parametrize(
    ("values", "history", "expected"),
    [
        ({"characteristic": "presence", "value": 300.0, "area": 1000.0}, [],
         Level("normal", "density-los-fruin")),
        ({"characteristic": "presence", "value": 950.0, "capacity": 1000}, [],
         Level("very-busy", "capacity")),
        ({}, [10.0, 20.0, 30.0, 40.0, 50.0], Level("very-busy", "baseline-8w-p25-p75-p95")),
        ({"value": 30.0}, [10.0, 20.0, 30.0, 40.0, 50.0],
         Level("normal", "baseline-8w-p25-p75-p95")),
        # half an hour counted 15 of what would be 30 in the full hour: coverage-corrected
        ({"value": 15.0, "coverage": 0.5}, [10.0, 20.0, 30.0, 40.0, 50.0],
         Level("normal", "baseline-8w-p25-p75-p95")),
        ({}, [10.0, 20.0], None),  # too little history: no level rather than a guess
        ({"coverage": 0.4}, [10.0, 20.0, 30.0, 40.0, 50.0], None),  # too partial to judge
        ({"value": None}, [10.0, 20.0, 30.0, 40.0, 50.0], None),
    ],
)
def test_the_level_and_the_rule_that_decided_it(
    values: dict[str, Any], history: list[float], expected: Level | None
) -> None:
    assert level_of(row(**values), history, weeks=8, min_samples=4) == expected


def test_a_late_count_breaks_the_configured_delay() -> None:
    from datetime import UTC, datetime, timedelta

    from core.ingest.envelope import Canonical
    from pilots.crowding.rules import max_delay_check

    ended = datetime.now(UTC) - timedelta(hours=2)
    record = Canonical("observation", {"start": ended - timedelta(minutes=15), "end": ended})
    assert max_delay_check(None)(record) is None
    assert max_delay_check(3 * 3600)(record) is None
    message = max_delay_check(3600)(record)
    assert message is not None and "limit 3600 s" in message
