"""The data every API test reads, ingested through the real pipeline, and what it holds.

Mechelen comes as DATEX II v3 (parking table, then status); Gent as its Opendatasoft v1
records, plus a generated history of twelve earlier snapshots of the same two car parks so
that the observations outnumber the default page size.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from core.ingest.files import FileJob, choose_adapter, process_file
from core.pilot import Pilot
from tests.conftest import FIXTURES

PARKING = FIXTURES / "parking"
GENT_V1 = PARKING / "gent-v1-records.json"

MECHELEN_SITE = "mechelen:MEC-GRAANMARKT"
KOUTER = "gent:parking-kouter"
SINT_PIETERSPLEIN = "gent:parking-sint-pietersplein"
GENT_SITES = {KOUTER, SINT_PIETERSPLEIN}
SITES = {MECHELEN_SITE, *GENT_SITES}

HISTORY_START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
HISTORY_STEP = timedelta(minutes=5)
HISTORY_SNAPSHOTS = 12

#: The latest observations: Mechelen's DATEX status and Gent's v1 records (UTC).
LATEST = {
    MECHELEN_SITE: datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
    SINT_PIETERSPLEIN: datetime(2026, 11, 20, 9, 15, 2, tzinfo=UTC),
    KOUTER: datetime(2026, 11, 20, 9, 14, 58, tzinfo=UTC),
}


def observation_id(site: str, when: datetime) -> str:
    return f"{site}@{when.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def history_times() -> list[datetime]:
    return [HISTORY_START + k * HISTORY_STEP for k in range(HISTORY_SNAPSHOTS)]


def observation_times() -> dict[str, datetime]:
    """Every observation id with its time."""
    times = {observation_id(site, when): when for site, when in LATEST.items()}
    for when in history_times():
        for site in GENT_SITES:
            times[observation_id(site, when)] = when
    return times


OBSERVATIONS = set(observation_times())


def write_gent_history(directory: Path) -> Path:
    """Earlier snapshots of the Gent v1 records, 5 minutes apart, with varying vacancies."""
    document = json.loads(GENT_V1.read_text(encoding="utf-8"))
    records = []
    for k, when in enumerate(history_times()):
        for record in document["records"]:
            snapshot = copy.deepcopy(record)
            fields = snapshot["fields"]
            fields["lastupdate"] = when.isoformat()
            capacity = fields["totalcapacity"]
            vacant = fields["availablecapacity"] = max(fields["availablecapacity"] - 3 * k, 0)
            fields["occupation"] = round(100 * (capacity - vacant) / capacity)
            records.append(snapshot)
    document["records"] = records
    document["nhits"] = len(records)
    path = directory / "gent-v1-history.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def seed(parking: Pilot, engine: Engine, scratch: Path) -> None:
    """Ingest the test data; every record must be accepted."""
    files = [
        (PARKING / "datex2-v3-table.xml", "mechelen"),
        (PARKING / "datex2-v3-status.xml", "mechelen"),
        (GENT_V1, "gent"),
        (write_gent_history(scratch), "gent"),
    ]
    for path, source in files:
        adapter = choose_adapter(parking, path, None)
        summary = process_file(parking, adapter, FileJob(path, source), engine, dry_run=False)
        assert summary.quarantined == 0, (path.name, dict(summary.reasons))
