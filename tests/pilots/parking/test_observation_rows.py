"""Observation ids and rows: the same as before the faster rendering, for any time and zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.ingest.envelope import Canonical
from pilots.parking.stores import observation_id, observation_row


@pytest.mark.parametrize(
    "moment",
    [datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 6, 30, 23, 59, 59, 999999, tzinfo=UTC),
     datetime(2025, 3, 30, 2, 30, tzinfo=timezone(timedelta(hours=2))),
     datetime(2024, 2, 29, 12, 0, 5, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
     datetime(999, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, tzinfo=UTC)],
)
def test_an_observation_id_is_the_site_and_the_utc_second(moment: datetime) -> None:
    expected = f"gent:P01@{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    assert observation_id("gent:P01", moment) == expected


def test_an_observation_row_carries_every_occupancy_column_and_what_was_derived() -> None:
    observed = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    record = Canonical("observation", {"site": "P 01", "observed_at": observed, "vacant": 7,
                                       "capacity": 400, "occupied": 393, "status": "full"},
                       derived={"occupied", "occupancy"})
    row = observation_row("gent", record)
    received = row.pop("received_at")
    assert received.tzinfo is not None
    assert row == {
        "capacity": 400, "vacant": 7, "occupied": 393, "occupancy": None, "status": "full",
        "opening_status": None, "trend": None, "id": "gent:P-01@20261120T090000Z",
        "site_id": "gent:P-01", "source": "gent", "observed_at": observed,
        "derived": ["occupancy", "occupied"],
    }
