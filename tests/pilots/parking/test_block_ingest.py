"""Ingesting a large DATEX II status file in blocks stores and reports exactly what ingesting it
record by record does, on SQLite and on PostGIS.

The file mixes plain valid records with every kind the lane must leave to the per-record checks
(vacant over capacity, an unknown site, an odd enumeration value, a closed site, counts and
status to derive, an inconsistent occupancy, a time without zone, a re-delivered record). It is
ingested twice into two fresh databases, once in blocks (pieces of a few KB) and once by the
sequential reader; the summaries, the stored observations and latest states, and the
quarantine (raw XML, positions, reasons) must be the same, and a second delivery must store
nothing new either way. A spy on the lane proves the blocks really took most records.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from core.ingest.files import FileJob, process_file
from core.ingest.pipeline import IngestSummary
from core.pilot import Pilot, Registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from pilots.parking.formats import datex2_split
from tests.databases import postgis_database

V3 = (
    'xmlns:d2="http://datex2.eu/schema/3/d2Payload" xmlns:com="http://datex2.eu/schema/3/common" '
    'xmlns:prk="http://datex2.eu/schema/3/parking" '
    'xmlns:loc="http://datex2.eu/schema/3/locationReferencing" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)
SITES = 40
RECORDS = 400
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def capacity(site: int) -> int:
    return 50 + 10 * site


def table_xml() -> str:
    sites = "".join(
        f'<prk:parkingRecord xsi:type="prk:UrbanParkingSite" id="S{i}" version="1">'
        f"<prk:parkingNumberOfSpaces>{capacity(i)}</prk:parkingNumberOfSpaces>"
        '<prk:parkingLocation xsi:type="loc:PointLocation"><loc:pointByCoordinates>'
        f"<loc:pointCoordinates><loc:latitude>{51.0 + i / 1000:.4f}</loc:latitude>"
        f"<loc:longitude>{3.7 + i / 1000:.4f}</loc:longitude></loc:pointCoordinates>"
        "</loc:pointByCoordinates></prk:parkingLocation></prk:parkingRecord>\n"
        for i in range(SITES)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<d2:payload {V3} '
        'xsi:type="prk:ParkingTablePublication" modelBaseVersion="3">\n'
        "<com:publicationTime>2026-11-20T08:00:00Z</com:publicationTime>\n"
        f'<prk:parkingTable id="t" version="1">\n{sites}</prk:parkingTable>\n</d2:payload>\n'
    )


def values_of(n: int) -> dict[str, Any]:
    """Record ``n``'s values; its kind cycles through the cases the lane must get right."""
    site = n % SITES
    total = capacity(site)
    vacant = (n * 7) % (total + 1)
    values: dict[str, Any] = {
        "site": f"S{site}",
        "time": (START + timedelta(minutes=n)).isoformat(),
        "vacant": vacant,
        "occupied": total - vacant,
        "occupancy": round(100 * (total - vacant) / total, 1),
        "status": "full" if vacant == 0 else "spacesAvailable",
        "opening": "open",
    }
    changes: dict[int, dict[str, Any]] = {
        0: {"vacant": total + 3},  # over capacity
        1: {"site": "NOPE"},  # not in the table
        2: {"status": "weird"},  # not a DATEX II value
        3: {"vacant": 0, "occupied": 0, "occupancy": 0.0, "status": "closed", "opening": "closed"},
        4: {"occupied": None, "occupancy": None},  # derived
        5: {"status": None},  # derived
        6: {"occupancy": values["occupancy"] + 5},  # inconsistent
        7: {"time": values["time"][:-6]},  # no zone
        9: values_of(n - 1) if n % 10 == 9 else {},  # delivered twice (a plain record)
    }
    values.update(changes.get(n % 10, {}))
    return values


def status_record(n: int) -> str:
    values = values_of(n)
    optional = [
        ("parkingNumberOfOccupiedSpaces", values["occupied"]),
        ("parkingOccupancy", values["occupancy"]),
    ]
    occupancy = "".join(
        f"<prk:{tag}>{value}</prk:{tag}>" for tag, value in optional if value is not None
    )
    status = values["status"]
    return (
        '<prk:parkingRecordStatus xsi:type="prk:ParkingSiteStatus">'
        f'<prk:parkingRecordReference targetClass="prk:ParkingRecord" id="{values["site"]}" '
        'version="1"/>'
        f"<prk:parkingStatusOriginTime>{values['time']}</prk:parkingStatusOriginTime>"
        "<prk:parkingOccupancy>"
        f"<prk:parkingNumberOfVacantSpaces>{values['vacant']}</prk:parkingNumberOfVacantSpaces>"
        f"{occupancy}</prk:parkingOccupancy>"
        + (f"<prk:parkingSiteStatus>{status}</prk:parkingSiteStatus>" if status else "")
        + f"<prk:parkingSiteOpeningStatus>{values['opening']}</prk:parkingSiteOpeningStatus>"
        "</prk:parkingRecordStatus>\n"
    )


def status_xml() -> str:
    body = "".join(status_record(n) for n in range(RECORDS))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<d2:payload {V3} '
        'xsi:type="prk:ParkingStatusPublication" modelBaseVersion="3">\n'
        f"<com:publicationTime>2026-11-20T09:00:00Z</com:publicationTime>\n{body}</d2:payload>\n"
    )


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def two_engines(
    request: pytest.FixtureRequest, tmp_path: Path, registry: Registry
) -> Iterator[tuple[Engine, Engine]]:
    """Two fresh, migrated databases of one backend: for blocks and for record by record."""
    with ExitStack() as stack:
        urls = []
        for name in ("blocks", "records"):
            if request.param == "sqlite":
                urls.append(f"sqlite:///{tmp_path / f'{name}.db'}")
            else:
                urls.append(stack.enter_context(postgis_database()))
        engines = [open_database(DatabaseSettings(database_url=url), registry) for url in urls]
        yield engines[0], engines[1]
        for engine in engines:
            engine.dispose()


def ingest(
    parking: Pilot, engine: Engine, paths: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
    *, blocks: bool,
) -> IngestSummary:
    monkeypatch.setattr(datex2_split, "SPLIT_ABOVE", 0 if blocks else 10**15)
    adapter = parking.adapter("datex2")
    process_file(parking, adapter, FileJob(paths[0], "city"), engine, dry_run=False)
    return process_file(parking, adapter, FileJob(paths[1], "city"), engine, dry_run=False)


def outcome(summary: IngestSummary) -> tuple[Any, ...]:
    counts = summary.counts
    return (
        summary.read, summary.valid, summary.quarantined,
        (counts.inserted, counts.updated, counts.unchanged), dict(summary.reasons),
    )


def stored(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Everything ingestion wrote, without the times of writing."""
    queries = {
        "observations": "SELECT id, site_id, source, observed_at, capacity, vacant, occupied, "
        "occupancy, status, opening_status, trend, derived FROM parking_observation ORDER BY id",
        "states": "SELECT * FROM parking_site_state ORDER BY site_id",
        "quarantine": "SELECT position, origin, source, raw, reasons, rules FROM quarantine "
        "ORDER BY position",
    }
    with engine.connect() as conn:
        return {
            name: [_comparable(row) for row in conn.execute(sa.text(query))]
            for name, query in queries.items()
        }


def _comparable(row: Any) -> tuple[Any, ...]:
    values = []
    for value in row:
        if isinstance(value, datetime):  # SQLite hands back naive UTC
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        values.append(value)
    return tuple(values)


def test_blocks_store_and_report_what_records_do(
    two_engines: tuple[Engine, Engine],
    parking: Pilot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lane_takes: list[int],
) -> None:
    monkeypatch.setattr(datex2_split, "PIECE_SIZE", 4096)
    paths = (tmp_path / "table.xml", tmp_path / "status.xml")
    paths[0].write_text(table_xml(), encoding="utf-8")
    paths[1].write_text(status_xml(), encoding="utf-8")
    assert paths[1].stat().st_size > 3 * 64 * 1024  # beyond the first read, many pieces
    accepted = lane_takes
    in_blocks, by_record = two_engines
    first = ingest(parking, in_blocks, paths, monkeypatch, blocks=True)
    taken_by_lane = sum(accepted)
    expected = ingest(parking, by_record, paths, monkeypatch, blocks=False)
    assert sum(accepted) == taken_by_lane, "the sequential reader never makes blocks"

    assert outcome(first) == outcome(expected)
    assert first.quarantined == 5 * RECORDS // 10  # five bad kinds, one record in ten each
    assert taken_by_lane >= 4 * RECORDS // 10  # derived counts, derived status, plain, twice
    assert stored(in_blocks) == stored(by_record)

    again = ingest(parking, in_blocks, paths, monkeypatch, blocks=True)
    again_expected = ingest(parking, by_record, paths, monkeypatch, blocks=False)
    assert outcome(again) == outcome(again_expected)
    assert again.counts.inserted == 0 and again.counts.unchanged == again.valid
    assert stored(in_blocks) == stored(by_record)
