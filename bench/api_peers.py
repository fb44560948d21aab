"""Benchmark: Stadspuls, tipg and pygeoapi serving the same 1,000,000 parking observations.

Builds a throw-away PostGIS database (migrated by Stadspuls, observations generated in SQL,
see ``bench/peers/data.py``), installs tipg and pygeoapi into their own virtualenv from the
pinned ``bench/peers/requirements.txt`` (``--peer-venv``, default /work/venvs/bench-peers;
never the project's environment), and starts the three servers under the same uvicorn with the
same worker count. tipg and pygeoapi serve a view with the same rows and properties as the
``parking-observations`` collection. After a warm-up and a check that every server returns
the same features, each query runs for a fixed time at a fixed number of connections with
``wrk``, the servers interleaved in turn, for several rounds:

  (a) bbox of 1 km x 1 km, limit=100      (b) limit=1000, no filter
  (c) one feature by id                   (d) CQL2 text filter ``vacant < 10``, limit=100

For each server and query it prints requests/s, p50 and p99 latency (of the round with the
median requests/s) and the CPU one request cost the server and PostgreSQL, then the ratios
Stadspuls/tipg and Stadspuls/pygeoapi and the targets of issue 6: at least tipg on every
query, at least 3x pygeoapi, p99 of the bbox query under 100 ms.

Run:  python -m bench.api_peers [--observations 1000000] [--sites 1000] [--seconds 10]
      [--connections 16] [--rounds 3] [--workers 1]
      (needs wrk: apt-get install -y wrk; server: STADSPULS_TEST_POSTGRES_URL, default
      postgresql://postgres@127.0.0.1:5432/postgres)
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import psycopg
from sqlalchemy.engine import make_url

from bench.peers import checks, load, servers
from bench.peers.data import AREA, Generated, generate
from core.pilot import load_registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from tests.databases import postgis_database

TARGET_TIPG = 1.0
TARGET_PYGEOAPI = 3.0
TARGET_BBOX_P99_MS = 100.0


def square_km_bbox() -> tuple[float, float, float, float]:
    """1 km x 1 km around the middle of the area the sites are spread over."""
    lon = (AREA[0] + AREA[2]) / 2
    lat = (AREA[1] + AREA[3]) / 2
    half_lat = 500 / 110_574
    half_lon = 500 / (111_320 * math.cos(math.radians(lat)))
    return (round(lon - half_lon, 6), round(lat - half_lat, 6),
            round(lon + half_lon, 6), round(lat + half_lat, 6))


def queries(feature_id: str | None) -> list[checks.Query]:
    bbox = ",".join(str(value) for value in square_km_bbox())
    found = [
        checks.Query("a", "bbox 1 km², limit=100", f"/items?bbox={bbox}&limit=100"),
        checks.Query("b", "limit=1000", "/items?limit=1000"),
        checks.Query("d", "filter vacant < 10, limit=100",
                     "/items?filter=" + quote("vacant < 10") + "&limit=100"),
    ]
    if feature_id is not None:
        found.insert(2, checks.Query("c", "one feature by id",
                                     "/items/" + quote(feature_id, safe=":@")))
    return found


def run(args: argparse.Namespace) -> None:
    load.require_wrk()
    python = servers.ensure_peer_env(args.peer_venv, install=not args.skip_install)
    versions = servers.peer_versions(python)
    registry = load_registry()
    logs = Path(tempfile.mkdtemp(prefix="api-peers-"))
    load_before = os.getloadavg()
    with postgis_database() as url:
        parsed = make_url(url)
        dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        admin = make_url(dsn).set(database="postgres").render_as_string(hide_password=False)
        open_database(DatabaseSettings(database_url=url), registry).dispose()
        generated = generate(dsn, args.observations, args.sites)
        with psycopg.connect(dsn) as conn:
            pg_version = conn.execute("SHOW server_version").fetchone()
        parts = {"host": parsed.host or "127.0.0.1", "port": str(parsed.port or 5432),
                 "dbname": parsed.database or "", "user": parsed.username or "postgres",
                 "password": parsed.password or ""}
        running = servers.start_all(url, dsn, parts, python, args.workers, logs)
        try:
            results, agreements = measure(running, args, admin, parsed.database or "")
        finally:
            servers.stop_all(running)
    report(args, results, agreements, generated, versions,
           pg_version[0] if pg_version else "?", load_before, logs)


def measure(
    running: list[servers.Server], args: argparse.Namespace, admin: str, database: str
) -> tuple[dict[str, dict[str, list[load.Measured]]], list[checks.Agreement]]:
    first = checks.check(running, queries(None)[0])
    page = checks.fetch(running[0], queries(None)[0])["features"]
    chosen = queries(page[len(page) // 2]["id"])
    agreements = [first, *(checks.check(running, query) for query in chosen[1:])]

    every_pid = [pid for server in running for pid in server.pids()]

    def once(server: servers.Server, query: checks.Query, seconds: int) -> load.Measured:
        load.settle(admin, database, every_pid)  # the previous run's leftovers done first
        return load.run_wrk(server.base + query.path, connections=args.connections,
                            seconds=seconds, server_pids=server.pids(), dsn=admin,
                            database=database)

    for query in chosen:  # warm-up: pools filled, plans and caches hot, not recorded
        for server in running:
            once(server, query, args.warmup)
    results: dict[str, dict[str, list[load.Measured]]] = {
        query.key: {server.name: [] for server in running} for query in chosen
    }
    for round_ in range(args.rounds):
        for number, query in enumerate(chosen):
            shift = (round_ + number) % len(running)  # each server goes first in turn
            for server in running[shift:] + running[:shift]:
                results[query.key][server.name].append(once(server, query, args.seconds))
    return results, agreements


def representative(runs: list[load.Measured]) -> load.Measured:
    """The round with the median requests/s (its latencies belong to it)."""
    ordered = sorted(runs, key=lambda measured: measured.per_second)
    return ordered[(len(ordered) - 1) // 2]


def report(
    args: argparse.Namespace,
    results: dict[str, dict[str, list[load.Measured]]],
    agreements: list[checks.Agreement],
    generated: Generated,
    versions: dict[str, str],
    pg_version: str,
    load_before: tuple[float, float, float],
    logs: Path,
) -> None:
    cores = os.cpu_count()
    print(f"data: {generated.observations:,} observations of {generated.sites:,} sites "
          f"(parking_observation {generated.size} with indexes), generated in "
          f"{generated.seconds:.0f} s")
    print(f"machine: {cores} cores, PostgreSQL {pg_version} on the same host; load average "
          f"{load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after; "
          f"tipg {versions['tipg']}, pygeoapi {versions['pygeoapi']}, "
          f"uvicorn {versions['uvicorn']} ({args.workers} worker(s) each, asyncio, h11)")
    print(f"load: wrk, {args.connections} connections, {args.seconds} s per run, "
          f"{args.rounds} rounds, servers interleaved; figures of the median round")
    for agreement in agreements:
        print(f"checked ({agreement.query.key}) {agreement.query.label}: the same "
              f"{agreement.returned} feature(s) from every server, numberMatched "
              + ", ".join(f"{k}={v}" for k, v in agreement.matched.items()))
    labels = {agreement.query.key: agreement.query.label for agreement in agreements}
    print()
    print(f"{'query':34} {'server':10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'server CPU ms/req':>18} {'PG CPU ms/req':>14} {'errors':>7}")
    verdicts = []
    for key, by_server in results.items():
        chosen = {name: representative(runs) for name, runs in by_server.items()}
        for name, measured in chosen.items():
            spread = "/".join(f"{run.per_second:.0f}" for run in by_server[name])
            tails = "/".join(f"{run.p99_ms:.0f}" for run in by_server[name])
            print(f"({key}) {labels[key]:30} {name:10} {measured.per_second:8.1f} "
                  f"{measured.p50_ms:8.1f} {measured.p99_ms:8.1f} "
                  f"{measured.server_cpu_ms:18.2f} {measured.database_cpu_ms:14.2f} "
                  f"{measured.errors:7d}   rounds: {spread} req/s, p99 {tails} ms")
        ours = chosen["stadspuls"].per_second
        vs_tipg = ours / chosen["tipg"].per_second
        vs_pygeoapi = ours / chosen["pygeoapi"].per_second
        median_tipg = _median_ratio(by_server, "tipg")
        print(f"    Stadspuls/tipg {vs_tipg:.2f}x (median of per-round ratios "
              f"{median_tipg:.2f}x), Stadspuls/pygeoapi {vs_pygeoapi:.2f}x")
        verdicts.append(f"({key}) >= tipg: {_met(vs_tipg >= TARGET_TIPG)}; "
                        f">= 3x pygeoapi: {_met(vs_pygeoapi >= TARGET_PYGEOAPI)}")
        if key == "a":
            p99 = chosen["stadspuls"].p99_ms
            verdicts.append(f"(a) p99 {p99:.1f} ms < {TARGET_BBOX_P99_MS:.0f} ms: "
                            f"{_met(p99 < TARGET_BBOX_P99_MS)}")
    print()
    print("targets: " + "; ".join(verdicts))
    print(f"server logs: {logs}")
    print(
        f"rerun: python -m bench.api_peers --observations {args.observations} "
        f"--sites {args.sites} --seconds {args.seconds} --connections {args.connections} "
        f"--rounds {args.rounds} --workers {args.workers}"
    )


def _median_ratio(by_server: dict[str, list[load.Measured]], peer: str) -> float:
    pairs = zip(by_server["stadspuls"], by_server[peer], strict=True)
    return statistics.median(ours.per_second / theirs.per_second for ours, theirs in pairs)


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--sites", type=int, default=1_000)
    parser.add_argument("--seconds", type=int, default=10, help="per query, server and round")
    parser.add_argument("--warmup", type=int, default=3, help="seconds per query and server")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers, each server")
    parser.add_argument("--peer-venv", type=Path, default=servers.DEFAULT_PEER_VENV)
    parser.add_argument("--skip-install", action="store_true",
                        help="use the peers' virtualenv as it is (pip install -r otherwise)")
    try:
        run(parser.parse_args())
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"{' '.join(map(str, error.cmd))} failed ({error.returncode})") from None


if __name__ == "__main__":
    main()
