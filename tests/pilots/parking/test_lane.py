"""The parking lane accepts only what the per-record checks accept, with the very same rows.

Thousands of observations are generated around every edge the rules and derivations have
(closed sites, capacities of 0 and beyond 2**53, counts one off, occupancy just inside and just
outside its tolerance, values missing in every combination, an observation's own capacity). Each
goes through the lane as part of a block and, on its own, through ``Validator.validate`` and
``observation_row``: a record the lane accepts must have no problem and the same row (but for
the time it was received); a record it leaves may be anything, the per-record checks decide.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.ingest.envelope import Canonical, ReadContext
from core.pilot import Pilot
from core.validation import Validator
from pilots.parking.lane import observation_lane
from pilots.parking.stores import observation_row

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CONTEXT = ReadContext("city", "test.xml", NOW)
TERMS = ("site", "observed_at", "capacity", "vacant", "occupied", "occupancy", "status",
         "opening_status", "trend")


def observation(rng: random.Random, index: int) -> tuple[dict[str, Any], int | None]:
    """One generated observation (canonical values) and the capacity of its site."""
    site_capacity = rng.choice([None, 0, 1, 7, 100, 400, 2**53, 2**53 + 2, 2**60])
    basis = site_capacity if isinstance(site_capacity, int) and site_capacity < 2**40 else 400
    vacant = rng.choice([None, 0, 1, basis // 2, basis, basis + 1, 2**60])
    counted = basis - (vacant if isinstance(vacant, int) and vacant <= basis else 0)
    occupied = rng.choice([None, counted, counted, counted + 1, max(counted - 1, 0)])
    exact = 100.0 * counted / basis if basis else 0.0
    occupancy = rng.choice([None, round(exact, 1), exact + 0.99, exact - 1.0, exact + 1.01, 0.0])
    values: dict[str, Any] = {
        "site": f"S{index % 50}",
        "observed_at": NOW - timedelta(minutes=index),
        "capacity": rng.choice([None] * 8 + [basis, 5]),
        "vacant": vacant,
        "occupied": occupied,
        "occupancy": occupancy if occupancy is None or 0 <= occupancy <= 100 else None,
        "status": rng.choice([None, "spacesAvailable", "almostFull", "full", "closed", "unknown"]),
        "opening_status": rng.choice([None, "open", "open", "closed", "unknown"]),
        "trend": rng.choice([None, None, "increasing"]),
    }
    return values, site_capacity


def per_record(
    validator: Validator, values: dict[str, Any], site_capacity: int | None
) -> dict[str, Any] | None:
    """The row the per-record checks store for ``values``, or None when they reject it."""
    record = Canonical("observation", {k: v for k, v in values.items() if v is not None})
    referenced = None if site_capacity is None else {"capacity": site_capacity}
    if validator.validate(record, CONTEXT, referenced):
        return None
    return observation_row("city", record)


def through_the_lane(
    validator: Validator, generated: list[tuple[dict[str, Any], int | None]]
) -> list[dict[str, Any] | None]:
    """Each record's row when the lane accepts it in one block, else None."""
    columns = {term: [values[term] for values, _site in generated] for term in TERMS}
    coerced, candidates = validator.coerce_columns("observation", columns, CONTEXT, NOW)
    capacities = [site for _values, site in generated]
    candidates = [ok and site is not None for ok, site in zip(candidates, capacities, strict=True)]
    outcome = observation_lane(coerced, {"capacity": capacities}, candidates, "city")
    rows = iter(outcome.rows.dicts())
    return [next(rows) if taken else None for taken in outcome.accepted]


def without_clock(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key != "received_at"}


@pytest.mark.parametrize("seed", range(4))
def test_the_lane_accepts_only_what_the_rules_accept_with_the_same_rows(
    parking: Pilot, seed: int
) -> None:
    validator = Validator(parking.handbook, parking.rules, clock=lambda: NOW)
    rng = random.Random(seed)
    generated = [observation(rng, index) for index in range(3000)]
    lane_rows = through_the_lane(validator, generated)
    accepted = 0
    for (values, site_capacity), lane_row in zip(generated, lane_rows, strict=True):
        if lane_row is None:
            continue
        accepted += 1
        expected = per_record(validator, values, site_capacity)
        assert expected is not None, f"the lane accepted what the rules reject: {values}"
        assert without_clock(lane_row) == without_clock(expected), values
        assert [type(lane_row[key]) for key in sorted(lane_row)] == [
            type(expected[key]) for key in sorted(expected)
        ]
    valid = sum(per_record(validator, values, site) is not None for values, site in generated)
    assert accepted > 150 and valid > accepted  # both lanes really taken


def test_every_derivation_the_lane_makes_is_the_rules_own(parking: Pilot) -> None:
    """Counts, occupancy and status missing in every combination, on an open site."""
    validator = Validator(parking.handbook, parking.rules, clock=lambda: NOW)
    generated = []
    for index, (occupied, occupancy, status) in enumerate(
        itertools.product([None, 300], [None, 75.0], [None, "almostFull", "full"])
    ):
        values = {term: None for term in TERMS}
        values.update(site="S1", observed_at=NOW - timedelta(minutes=index), vacant=100,
                      occupied=occupied, occupancy=occupancy, status=status)
        generated.append((values, 400))
    for (values, site), lane_row in zip(generated, through_the_lane(validator, generated),
                                        strict=True):
        expected = per_record(validator, values, site)
        assert lane_row is not None and expected is not None, values
        assert without_clock(lane_row) == without_clock(expected)
