"""The pipeline takes a block of records as it takes the same records one by one.

A block is built by hand from canonical observation values (as the canonical JSON adapter maps
them), with valid, derivable, declined and rejected records; the pipeline must report and
store exactly what it does for the records as ordinary raw records, on both backends, whether
the pilot's lane takes part or not (no lane, or a block the reader declined entirely).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from core.ingest.blocks import RecordBlock
from core.ingest.envelope import RawRecord, ReadContext
from core.ingest.files import FileJob, choose_adapter, process_file
from core.ingest.pipeline import IngestSummary, Pipeline
from core.pilot import Pilot, Registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from tests.conftest import FIXTURES

NOW = datetime.now(UTC).replace(microsecond=0)
TERMS = ("site", "observed_at", "vacant", "occupied", "occupancy", "status", "opening_status")


def values(n: int) -> dict[str, Any]:
    """Observation ``n`` of site P-ZUID (capacity 550): valid, derivable or wrong in turn."""
    vacant = 10 * n
    found: dict[str, Any] = {
        "site": "P-ZUID",
        "observed_at": NOW - timedelta(minutes=n),
        "vacant": vacant,
        "occupied": 550 - vacant,
        "occupancy": round(100 * (550 - vacant) / 550, 1),
        "status": "spacesAvailable",
        "opening_status": "open",
    }
    match n % 6:
        case 1:
            found.update(occupied=None, occupancy=None, status=None)  # all derived
        case 2:
            found.update(vacant=600)  # over capacity
        case 3:
            found.update(site="P-NOWHERE")  # unknown site
        case 4:
            found.update(status="FULL")  # only the full check maps this spelling
    return found


def raw(n: int, context: ReadContext) -> RawRecord:
    content = {"entity": "observation"} | {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in values(n).items()
        if value is not None
    }
    return RawRecord(context.source, context.origin, n + 1, context.received_at, content)


def block(count: int, context: ReadContext, declined: bool = False) -> RecordBlock:
    columns = {term: [values(n)[term] for n in range(count)] for term in TERMS}
    return RecordBlock("observation", columns, [declined] * count, lambda n: raw(n, context))


def run(pilot: Pilot, engine: Engine, records: Iterator[Any], context: ReadContext) -> Any:
    adapter = pilot.adapter("json")
    summary = Pipeline(pilot, adapter, engine).run(records, context)
    with engine.connect() as conn:
        stored = [
            (row.id, row.vacant, row.occupied, row.occupancy, row.status, _names(row.derived))
            for row in conn.execute(
                sa.text("SELECT * FROM parking_observation ORDER BY id")
            )
        ]
    return outcome(summary), stored


def _names(derived: Any) -> list[str]:
    """The derived names: a list on PostGIS, JSON text on SQLite."""
    return sorted(json.loads(derived) if isinstance(derived, str) else derived)


def outcome(summary: IngestSummary) -> tuple[Any, ...]:
    counts = summary.counts
    return (
        summary.read, summary.valid, summary.quarantined,
        (counts.inserted, counts.updated, counts.unchanged), dict(summary.reasons),
        [(report.position, [p.rule for p in report.problems]) for report in summary.rejected],
    )


@pytest.fixture
def sited(engine: Engine, parking: Pilot) -> Engine:
    path = FIXTURES / "parking" / "sites-wgs84.csv"
    process_file(parking, choose_adapter(parking, path, None), FileJob(path, "lab"), engine,
                 dry_run=False)  # fmt: skip
    return engine


def reference(parking: Pilot, registry: Registry, tmp_path: Path, context: ReadContext) -> Any:
    """The same records, one by one, into a fresh embedded database."""
    engine = open_database(
        DatabaseSettings(database_url=f"sqlite:///{tmp_path / 'by-record.db'}"), registry
    )
    path = FIXTURES / "parking" / "sites-wgs84.csv"
    process_file(parking, choose_adapter(parking, path, None), FileJob(path, "lab"), engine,
                 dry_run=False)  # fmt: skip
    found = run(parking, engine, iter([raw(n, context) for n in range(30)]), context)
    engine.dispose()
    return found


def normalised(found: Any) -> Any:
    summary, stored = found
    return summary, [(i, v, o, round(p, 6), s, d) for i, v, o, p, s, d in stored]


@pytest.mark.parametrize("lane", ["lane", "no-lane", "declined"])
def test_a_block_is_checked_and_stored_like_its_records(
    sited: Engine,
    parking: Pilot,
    registry: Registry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lane_takes: list[int],
    lane: str,
) -> None:
    context = ReadContext("lab", "block.json", NOW)
    if lane == "no-lane":
        monkeypatch.delitem(parking.lanes, "observation")
    found = run(parking, sited, iter([block(30, context, declined=lane == "declined")]), context)
    expected = reference(parking, registry, tmp_path, context)
    assert normalised(found) == normalised(expected)
    assert found[0][2] == 10  # over capacity, unknown site (FULL is the full check's "full")
    if lane == "lane":
        assert sum(lane_takes) == 15  # the plain and the derivable records
    else:
        assert sum(lane_takes) == 0
