"""Load with ``wrk`` and CPU accounting from ``/proc``.

``wrk`` (C, Debian package ``wrk``) keeps a fixed number of connections busy for a fixed time
and reports requests/s and the latency distribution; latencies are those of the requests that
completed, so a generous ``--timeout`` keeps slow answers in the figures rather than dropping
them. It sends no ``Accept-Encoding``: every server answers uncompressed.

The machine is shared, so throughput moves with other people's work. The CPU time that the
server's processes and its PostgreSQL backends spent per request moves much less, and is
reported beside it: it says what a request costs, whoever else is busy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

_TICK = os.sysconf("SC_CLK_TCK")
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Measured:
    requests: int
    per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu_ms: float
    database_cpu_ms: float


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICK


def backends(dsn: str, database: str) -> list[int]:
    """The PostgreSQL backends connected to the benchmark database (the servers' pools)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return [int(row[0]) for row in rows]


def settle(dsn: str, database: str, pids: list[int], timeout: float = 120.0) -> float:
    """Wait until the previous run is over: no query running in the benchmark database and
    the servers' processes (``pids``) idle. Returns the seconds waited.

    When ``wrk`` stops, a slow server still has up to a connection's worth of requests in
    hand, each holding a query that may run for seconds more. Measured right away, the next
    server would share the CPU with them, and the database CPU counted for it (that of every
    backend of the database) would include theirs. Gives up after ``timeout`` seconds.
    """
    started = time.monotonic()
    quiet_since: float | None = None
    spent = cpu_seconds(pids)
    with psycopg.connect(dsn, autocommit=True) as conn:
        while time.monotonic() - started < timeout:
            time.sleep(0.25)
            before, spent = spent, cpu_seconds(pids)
            used = spent - before
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active'"
                " AND pid <> pg_backend_pid()",
                (database,),
            ).fetchone()
            quiet = row is not None and row[0] == 0 and used < 0.25 * 0.05  # < 5 % of a core
            now = time.monotonic()
            if not quiet:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= 1.0:
                break
    return time.monotonic() - started

def run_wrk(
    url: str, *, connections: int, seconds: int, server_pids: list[int], dsn: str,
    database: str,
) -> Measured:
    """One fixed-duration run; CPU of the server and of the database's backends around it.

    A backend that ends during the run takes its CPU time with it (undercounted); one that
    starts during it counts in full. With pools sized for the load neither happens much.
    """
    before = {pid: cpu_seconds([pid]) for pid in backends(dsn, database)}
    server_before = cpu_seconds(server_pids)
    out = subprocess.run(
        [require_wrk(), "-t", str(min(2, connections)), "-c", str(connections),
         "-d", f"{seconds}s", "--timeout", "60s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    server_cpu = cpu_seconds(server_pids) - server_before
    database_cpu = sum(
        max(0.0, cpu_seconds([pid]) - before.get(pid, 0.0)) for pid in backends(dsn, database)
    )
    return parse(out, server_cpu, database_cpu)


def parse(out: str, server_cpu: float, database_cpu: float) -> Measured:
    requests = int(_find(r"(\d+) requests in", out))
    errors = int(_find(r"Non-2xx or 3xx responses: (\d+)", out, "0"))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    per_request = 1000.0 / max(requests, 1)
    return Measured(
        requests=requests,
        per_second=float(_find(r"Requests/sec:\s+([\d.]+)", out)),
        p50_ms=_latency(_find(r"\s50%\s+([\d.]+\w+)", out)),
        p99_ms=_latency(_find(r"\s99%\s+([\d.]+\w+)", out)),
        errors=errors,
        server_cpu_ms=server_cpu * per_request,
        database_cpu_ms=database_cpu * per_request,
    )


def _find(pattern: str, text: str, default: str | None = None) -> str:
    match = re.search(pattern, text)
    if match is None:
        if default is not None:
            return default
        raise RuntimeError(f"unexpected wrk output (no {pattern!r}):\n{text}")
    return match.group(1)


def _latency(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]
