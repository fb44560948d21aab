"""Benchmark: the crowding rollup into 15-minute buckets versus a bare GROUP BY, on PostGIS.

Generates 10,000,000 one-minute passages counts for 1,000 locations straight into
crowding_observation with one server-side ``INSERT .. SELECT generate_series(..)`` (setup, not
timed; about one count in 97 has coverage 0.5), VACUUM ANALYZEs it and reads it once so both
contenders start from the same warm cache. Then it times
(a) ``pilots.crowding.rollup.rollup(conn, 15, ..)`` over the whole range: the one
    ``INSERT .. SELECT .. GROUP BY .. ON CONFLICT DO UPDATE`` into crowding_rollup, with its
    primary key and index, committed;
(b) a hand-written ``CREATE TABLE .. AS SELECT location_id, date_bin(..), <dimensions>,
    sum(value), sum(coverage) / 15 .. GROUP BY ..``: the least work that writes the same
    buckets (no index, no conflict handling, no coverage weighting or statistic rules);
and prints both times, their ratio (target: the rollup takes at most 1.5x the GROUP BY), and a
rerun of (a) over the same window, which finds every row unchanged. Server settings (work_mem,
parallel workers, JIT) are left at the server's defaults for all of them.

Run:  python -m bench.crowding_aggregate [--rows 10000000] [--locations 1000] [--repeat 1]
      (server: STADSPULS_TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy import Engine

from core.pilot import load_registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from pilots.crowding.rollup import rollup
from tests.databases import postgis_database

START = datetime(2026, 11, 2, tzinfo=UTC)
BASELINE = """
CREATE TABLE baseline_rollup AS
SELECT location_id, date_bin(INTERVAL '15 minutes', start, TIMESTAMPTZ '2000-01-01 00:00:00+00')
         AS start,
       characteristic, unit, statistic, modality, direction, bearing, profile,
       sum(value) AS value, sum(coverage) / 15 AS coverage
FROM crowding_observation
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
"""
SETTINGS = ("work_mem", "max_parallel_workers_per_gather", "hash_mem_multiplier", "jit")


def generate(dsn: str, rows: int, locations: int) -> float:
    """Locations, then ``rows`` one-minute counts, location-major per minute; returns seconds."""
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO crowding_location (id, source, native_id, kind, geometry, minx, miny, "
            "maxx, maxy, positive_bearing, derived, updated_at) "
            "SELECT 'bench:l' || i, 'bench', 'l' || i, 'line', "
            "ST_SetSRID(ST_MakeLine(ST_MakePoint(3.7 + i * 1e-4, 51.05), "
            "ST_MakePoint(3.7 + i * 1e-4, 51.0501)), 4326), 3.7 + i * 1e-4, 51.05, "
            "3.7 + i * 1e-4, 51.0501, 0, '[]', now() FROM generate_series(0, %s - 1) AS i",
            (locations,),
        )
        conn.execute(
            'INSERT INTO crowding_observation (id, location_id, source, start, "end", '
            "characteristic, count_type, value, unit, modality, direction, coverage, derived, "
            "received_at) "
            "SELECT 'bench:l' || (n %% %(loc)s) || '@' || (n / %(loc)s), "
            "'bench:l' || (n %% %(loc)s), 'bench', t, t + INTERVAL '1 minute', 'passages', "
            "'interval', (n * 7919) %% 40, 'people', 'pedestrian', 'in', "
            "CASE WHEN n %% 97 = 0 THEN 0.5 ELSE 1.0 END, '[]', now() "
            "FROM generate_series(0::bigint, %(rows)s - 1) AS n, "
            "LATERAL (SELECT %(start)s::timestamptz + (n / %(loc)s) * INTERVAL '1 minute' AS t) m",
            {"loc": locations, "rows": rows, "start": START},
        )
        conn.execute("VACUUM ANALYZE crowding_location")
        conn.execute("VACUUM ANALYZE crowding_observation")
    return time.perf_counter() - started


def timed(dsn: str, prepare: str, work: Callable[[], object]) -> float:
    """Run ``prepare`` and a CHECKPOINT (untimed), then time ``work``."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(prepare)
        conn.execute("CHECKPOINT")
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def run_rollup(engine: Engine, end: datetime) -> int:
    with engine.begin() as conn:
        return rollup(conn, 15, START, end)


def run_baseline(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute(BASELINE)


def check_same(dsn: str) -> tuple[int, float]:
    """Both wrote the same buckets and the same totals (else the comparison is void)."""
    with psycopg.connect(dsn) as conn:
        ours = conn.execute("SELECT count(*), sum(value) FROM crowding_rollup").fetchone()
        bare = conn.execute("SELECT count(*), sum(value) FROM baseline_rollup").fetchone()
    if ours != bare or ours is None:
        sys.exit(f"the rollup wrote {ours} (rows, total), the GROUP BY {bare}")
    return int(ours[0]), float(ours[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--locations", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs of each")
    args = parser.parse_args()
    minutes = -(-args.rows // args.locations)
    end = START + timedelta(minutes=15 * -(-minutes // 15))
    registry = load_registry()
    with postgis_database() as url:
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        engine = open_database(DatabaseSettings(database_url=url), registry)
        setup = generate(dsn, args.rows, args.locations)
        with psycopg.connect(dsn) as conn:
            conn.execute("SELECT count(*) FROM crowding_observation")  # warm the cache
            settings = {name: conn.execute(f"SHOW {name}").fetchone() for name in SETTINGS}
            size = conn.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('crowding_observation'))"
            ).fetchone()
        ours, bare = [], []
        for _ in range(args.repeat):
            ours.append(timed(dsn, "TRUNCATE crowding_rollup", lambda: run_rollup(engine, end)))
            bare.append(
                timed(dsn, "DROP TABLE IF EXISTS baseline_rollup", lambda: run_baseline(dsn))
            )
        buckets, total = check_same(dsn)
        rerun_written: list[int] = []
        rerun = timed(dsn, "SELECT 1", lambda: rerun_written.append(run_rollup(engine, end)))
        engine.dispose()
    best, floor = min(ours), min(bare)
    print(
        f"input: {args.rows:,} one-minute passages counts, {args.locations:,} locations, "
        f"{minutes:,} minutes (table + indexes {size[0] if size else '?'}); "
        f"generated in {setup:.1f} s"
    )
    print(
        "server settings (defaults, untouched): "
        + ", ".join(f"{name}={value[0] if value else '?'}" for name, value in settings.items())
    )
    print(f"output: {buckets:,} 15-minute buckets, {total:,.0f} passages in both")
    print(f"(a) rollup(conn, 15, ...) INSERT .. ON CONFLICT:  {best:8.2f} s")
    print(f"(b) hand-written GROUP BY, CREATE TABLE AS:        {floor:8.2f} s")
    print(f"ratio: {best / floor:.2f}x the bare GROUP BY (target <= 1.5x)")
    print(f"rerun of (a) over the same window: {rerun:.2f} s, {rerun_written[0]:,} rows changed")
    print(
        f"rerun: python -m bench.crowding_aggregate --rows {args.rows} "
        f"--locations {args.locations} --repeat {args.repeat}"
    )


if __name__ == "__main__":
    main()
