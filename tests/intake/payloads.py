"""Canonical parking JSON as suppliers push it, good and bad."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

NOW = datetime.now(UTC).replace(microsecond=0)


def site(site_id: str = "P1", capacity: int = 100) -> dict[str, object]:
    return {
        "id": site_id,
        "name": f"Garage {site_id}",
        "capacity": capacity,
        "lon": 3.72,
        "lat": 51.05,
    }


def observation(
    site_id: str = "P1", vacant: object = 40, minutes_ago: int = 5, naive: bool = False
) -> dict[str, object]:
    observed = NOW - timedelta(minutes=minutes_ago)
    stamp = observed.replace(tzinfo=None).isoformat() if naive else observed.isoformat()
    return {"site": site_id, "observed_at": stamp, "vacant": vacant}


def body(*items: dict[str, object]) -> bytes:
    return json.dumps(list(items)).encode()


def good_batch() -> bytes:
    return body(site(), observation(), observation(minutes_ago=10))
