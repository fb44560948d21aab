"""Benchmark: DATEX II v3 status file ingestion into PostGIS versus a bare COPY.

Generates a ParkingTablePublication of 1,000 sites and a ParkingStatusPublication of 100,000
status records, ingests the table (setup), then times the status file through the full
pipeline (parse, map, validate, derive, upsert, latest state) into PostGIS. In the same run it
COPYs the equivalent rows into a plain table, the fastest way PostgreSQL accepts rows.
Target (issue 2): the pipeline reaches at least 25 % of the COPY rate.

Run:  python -m bench.ingest_files [--records 100000] [--sites 1000] [--rounds 3]
      (server: STADSPULS_TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres)
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from core.ingest.files import FileJob, process_file
from core.pilot import load_registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from tests.databases import postgis_database

D2 = (
    'xmlns:d2="http://datex2.eu/schema/3/d2Payload" '
    'xmlns:com="http://datex2.eu/schema/3/common" '
    'xmlns:prk="http://datex2.eu/schema/3/parking" '
    'xmlns:loc="http://datex2.eu/schema/3/locationReferencing" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)
START = datetime(2026, 11, 1, tzinfo=UTC)


def site_capacity(index: int) -> int:
    return 100 + (index * 37) % 900


def write_table(path: Path, sites: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<d2:payload {D2} '
            'xsi:type="prk:ParkingTablePublication" lang="nl" modelBaseVersion="3">\n'
            f"<com:publicationTime>{START.isoformat()}</com:publicationTime>\n"
            '<prk:parkingTable id="bench" version="1">\n'
        )
        for i in range(sites):
            lat, lon = 50.8 + (i % 40) * 0.01, 3.7 + (i // 40) * 0.02
            out.write(
                f'<prk:parkingRecord xsi:type="prk:UrbanParkingSite" id="S{i:04d}" version="1">'
                f'<prk:name><com:values><com:value lang="nl">Site {i}</com:value>'
                f"</com:values></prk:name>"
                f"<prk:parkingNumberOfSpaces>{site_capacity(i)}</prk:parkingNumberOfSpaces>"
                f'<prk:parkingLocation xsi:type="loc:PointLocation"><loc:pointByCoordinates>'
                f"<loc:pointCoordinates><loc:latitude>{lat:.5f}</loc:latitude>"
                f"<loc:longitude>{lon:.5f}</loc:longitude></loc:pointCoordinates>"
                f"</loc:pointByCoordinates></prk:parkingLocation></prk:parkingRecord>\n"
            )
        out.write("</prk:parkingTable>\n</d2:payload>\n")


def status_rows(records: int, sites: int) -> list[tuple[str, datetime, int, int, float, str]]:
    rng = random.Random(42)
    rows = []
    for n in range(records):
        site = n % sites
        capacity = site_capacity(site)
        vacant = rng.randint(0, capacity)
        occupied = capacity - vacant
        observed = START + timedelta(minutes=5 * (n // sites))
        status = "full" if vacant == 0 else "spacesAvailable"
        rows.append(
            (
                f"S{site:04d}",
                observed,
                vacant,
                occupied,
                round(100 * occupied / capacity, 1),
                status,
            )
        )
    return rows


def write_status(path: Path, rows: list[tuple[str, datetime, int, int, float, str]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<d2:payload {D2} '
            'xsi:type="prk:ParkingStatusPublication" lang="nl" modelBaseVersion="3">\n'
            f"<com:publicationTime>{START.isoformat()}</com:publicationTime>\n"
        )
        for site, observed, vacant, occupied, occupancy, status in rows:
            out.write(
                '<prk:parkingRecordStatus xsi:type="prk:ParkingSiteStatus">'
                f'<prk:parkingRecordReference targetClass="prk:ParkingRecord" id="{site}" '
                'version="1"/>'
                f"<prk:parkingStatusOriginTime>{observed.isoformat()}"
                "</prk:parkingStatusOriginTime><prk:parkingOccupancy>"
                f"<prk:parkingNumberOfVacantSpaces>{vacant}</prk:parkingNumberOfVacantSpaces>"
                f"<prk:parkingNumberOfOccupiedSpaces>{occupied}"
                "</prk:parkingNumberOfOccupiedSpaces>"
                f"<prk:parkingOccupancy>{occupancy}</prk:parkingOccupancy></prk:parkingOccupancy>"
                f"<prk:parkingSiteStatus>{status}</prk:parkingSiteStatus>"
                "<prk:parkingSiteOpeningStatus>open</prk:parkingSiteOpeningStatus>"
                "</prk:parkingRecordStatus>\n"
            )
        out.write("</d2:payload>\n")


def copy_rate(url: str, rows: list[tuple[str, datetime, int, int, float, str]]) -> float:
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE copy_baseline (site_id text, observed_at timestamptz, "
            "vacant int, occupied int, occupancy double precision, status text, "
            "opening_status text)"
        )
        conn.commit()
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy(
                "COPY copy_baseline (site_id, observed_at, vacant, occupied, occupancy, status, "
                "opening_status) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row((f"bench:{row[0]}", *row[1:], "open"))
        conn.commit()
        return len(rows) / (time.perf_counter() - started)


def checkpoint(url: str) -> None:
    """Flush what earlier work left in PostgreSQL's buffers, so that no measurement pays for a
    checkpoint another one caused (each phase starts from the same clean state)."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CHECKPOINT")


def server_floor(url: str) -> float:
    """Rows/s PostgreSQL itself needs to store the observations into a table with the same
    columns and indexes as ``parking_observation`` (``INSERT … SELECT`` of the rows just
    ingested, in the server, no client involved): the ceiling for any ingestion into it."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE floor_observation (LIKE parking_observation INCLUDING ALL)")
        conn.commit()
        started = time.perf_counter()
        rows = conn.execute(
            "INSERT INTO floor_observation SELECT * FROM parking_observation "
            "ON CONFLICT (id) DO NOTHING"
        ).rowcount
        conn.commit()
        return rows / (time.perf_counter() - started)


@dataclass(frozen=True)
class Round:
    """One round's figures, all measured on the same fresh database."""

    pipeline: float  # records/s through stadspuls
    elapsed: float
    baseline: float  # rows/s of the bare COPY
    floor: float  # rows/s of PostgreSQL alone, with the real indexes

    @property
    def ratio(self) -> float:
        return self.pipeline / self.baseline


def one_round(
    table: Path, status: Path, rows: list[tuple[str, datetime, int, int, float, str]]
) -> Round:
    """Ingest the table, time the status file through the pipeline, then the bare COPY."""
    registry = load_registry()
    parking = registry.get("parking")
    adapter = parking.adapter("datex2")
    with postgis_database() as url:
        engine = open_database(DatabaseSettings(database_url=url), registry)
        process_file(parking, adapter, FileJob(table, "bench"), engine, dry_run=False)
        checkpoint(url)
        started = time.perf_counter()
        summary = process_file(parking, adapter, FileJob(status, "bench"), engine, dry_run=False)
        elapsed = time.perf_counter() - started
        engine.dispose()
        if summary.counts.inserted != len(rows):
            sys.exit(
                f"expected {len(rows)} stored, got {summary.counts.inserted} "
                f"({dict(summary.reasons)})"
            )
        checkpoint(url)
        baseline = copy_rate(url, rows)
        checkpoint(url)
        return Round(len(rows) / elapsed, elapsed, baseline, server_floor(url))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=1_000)
    parser.add_argument(
        "--rounds", type=int, default=3, help="fresh database per round; the median is reported"
    )
    args = parser.parse_args()
    rows = status_rows(args.records, args.sites)
    with tempfile.TemporaryDirectory() as tmp:
        table, status = Path(tmp) / "table.xml", Path(tmp) / "status.xml"
        write_table(table, args.sites)
        write_status(status, rows)
        megabytes = status.stat().st_size / 1e6
        rounds = [one_round(table, status, rows) for _ in range(args.rounds)]
    print(
        f"status records: {args.records:,} for {args.sites:,} sites "
        f"({megabytes:.0f} MB file), {args.rounds} rounds"
    )
    for number, found in enumerate(rounds, 1):
        print(
            f"  round {number}: stadspuls {found.pipeline:,.0f} records/s ({found.elapsed:.2f} s), "
            f"COPY {found.baseline:,.0f} rows/s, ratio {100 * found.ratio:.1f} %, "
            f"PostgreSQL alone {100 * found.floor / found.baseline:.0f} % of COPY"
        )
    middle = sorted(rounds, key=lambda found: found.ratio)[len(rounds) // 2]
    print(
        f"stadspuls ingest (parse+validate+upsert into PostGIS): {middle.pipeline:,.0f} "
        f"records/s ({middle.elapsed:.2f} s)  [median round by ratio]"
    )
    print(f"COPY into a plain table, same round:                  {middle.baseline:,.0f} records/s")
    print(f"ratio: {100 * middle.ratio:.1f} % of COPY (target >= 25 %)")
    print(
        f"for reference, PostgreSQL alone storing them with parking_observation's indexes "
        f"(INSERT ... SELECT in the server): {middle.floor:,.0f} records/s = "
        f"{100 * middle.floor / middle.baseline:.0f} % of COPY"
    )
    print(
        f"rerun: python -m bench.ingest_files --records {args.records} --sites {args.sites} "
        f"--rounds {args.rounds}"
    )


if __name__ == "__main__":
    main()
