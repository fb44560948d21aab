"""The data the browser tests look at: the demo's sample files plus what they lack.

The demo files give every pilot features; on top of them: a day of hourly observations of
one car park (for its chart), on-street bays with states, and a registered source of the city
``gent`` with stored and quarantined records (for the dashboard and the quarantine browser),
and a city-admin key to read that quarantine with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from core.cli.serving import load_demo_data
from core.ingest.files import FileJob, process_file
from core.keys import create_key
from core.pilot import Registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from core.sources import Source, add_source

#: A car park of the demo's DATEX II table (source gent-datex) and its latest observation.
SITE_NATIVE_ID = "1a4f9c1e-0c5e-4b77-9e53-0d2b2b1f0a11"
SITE_ID = f"gent-datex:{SITE_NATIVE_ID}"
SITE_CAPACITY = 445
CITY = "gent"
BAY_SOURCE = "gent-bays"


@dataclass(frozen=True)
class BrowserData:
    site_id: str
    bay_source: str
    admin_key: str
    database_url: str


def _write_lines(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(record) for record in records) + "\n", encoding="utf-8")
    return path


def _day_of_observations(latest: datetime) -> list[dict[str, object]]:
    """Hourly counts over the 24 hours before the demo's latest observation: a daily curve."""
    records: list[dict[str, object]] = []
    for hours_before in range(24, 0, -1):
        at = latest - timedelta(hours=hours_before)
        occupied = round(SITE_CAPACITY * (0.15 + 0.8 * max(0.0, 1 - abs(at.hour - 13) / 8)))
        records.append(
            {
                "entity": "observation",
                "site": SITE_NATIVE_ID,
                "observed_at": at.isoformat().replace("+00:00", "Z"),
                "capacity": SITE_CAPACITY,
                "vacant": SITE_CAPACITY - occupied,
            }
        )
    return records


def _bays() -> list[dict[str, object]]:
    zone = {"entity": "site", "id": "ZONE-KOUTER", "name": "Zone Kouter", "type": "onStreetZone",
            "lon": 3.7245, "lat": 51.0505}  # fmt: skip
    records: list[dict[str, object]] = [zone]
    for index, status in enumerate(("free", "occupied", "occupied", "free")):
        bay = f"bay-{index + 1}"
        lon = 3.7240 + index * 0.0002
        records.append({"entity": "bay", "id": bay, "zone": "ZONE-KOUTER",
                        "lon": lon, "lat": 51.0503, "device": f"dev-{bay}"})  # fmt: skip
        records.append({"entity": "bay_observation", "bay": bay,
                        "observed_at": "2026-11-20T09:00:00Z", "status": status})  # fmt: skip
    # one record the handbook refuses, so the source has a quarantine to browse
    records.append({"entity": "bay_observation", "bay": "bay-1",
                    "observed_at": "2026-11-20T09:05:00Z", "status": "parked-ish"})  # fmt: skip
    return records


def seed_browser_data(engine: Engine, registry: Registry, folder: Path) -> BrowserData:
    load_demo_data(engine, registry)
    parking = registry.get("parking")
    latest = datetime.fromisoformat("2026-11-20T09:29:30+00:00")  # in datex2-v2-status.xml
    history = _write_lines(folder / "history.jsonl", _day_of_observations(latest))
    process_file(parking, parking.adapter("json"), FileJob(history, "gent-datex"), engine,
                 dry_run=False)  # fmt: skip
    add_source(
        engine,
        registry,
        Source(id=BAY_SOURCE, pilot="parking", format="json", city=CITY, supplier="acme"),
    )
    bays = _write_lines(folder / "bays.jsonl", _bays())
    process_file(parking, parking.adapter("json"), FileJob(bays, BAY_SOURCE), engine,
                 dry_run=False)  # fmt: skip
    key = create_key(engine, "city-admin", CITY, label="browser tests")
    url = engine.url.render_as_string(hide_password=False)
    return BrowserData(SITE_ID, BAY_SOURCE, key.secret, url)


def store_observation(data: BrowserData, registry: Registry, folder: Path,
                      record: dict[str, object], source: str) -> None:  # fmt: skip
    """Ingest one more parking record, as a live feed would while the page is open."""
    parking = registry.get("parking")
    engine = open_database(DatabaseSettings(database_url=data.database_url), registry)
    try:
        path = _write_lines(folder / "live.jsonl", [record])
        process_file(parking, parking.adapter("json"), FileJob(path, source), engine,
                     dry_run=False)  # fmt: skip
    finally:
        engine.dispose()
