"""A real HTTP server for client tests: uvicorn on a free loopback port, in a child process.

Real clients (GDAL, OWSLib, schemathesis) talk HTTP over a socket, so the app runs as in
production, lifespan and middleware included (see :mod:`tests.clients.server`).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import Engine

from core.ingest.files import FileJob, choose_adapter, process_file
from core.pilot import Registry
from tests.api.seed import seed
from tests.conftest import FIXTURES

#: Files beyond the parking seed, so that every collection of every pilot has features. Some
#: hold deliberately invalid records (quarantined); what is valid is enough.
MORE_DATA = (
    ("parking", FIXTURES / "parking" / "bays.jsonl"),
    ("crowding", FIXTURES / "crowding" / "cityflows.json"),
    ("crowding", FIXTURES / "crowding" / "telraam.json"),
    ("crowding", FIXTURES / "crowding" / "canonical.jsonl"),
)
STARTUP_SECONDS = 30.0
REPOSITORY = Path(__file__).resolve().parents[2]


def seed_every_pilot(registry: Registry, engine: Engine, scratch: Path) -> None:
    """The API tests' parking data, every pilot's demo files (but parking's) and MORE_DATA."""
    seed(registry.get("parking"), engine, scratch)
    files = [
        (pilot.id, demo.path, demo.source)
        for pilot in registry
        if pilot.id != "parking"
        for demo in pilot.demo_files
    ]
    files += [(pilot_id, path, f"test-{path.stem}") for pilot_id, path in MORE_DATA]
    for pilot_id, path, source in files:
        pilot = registry.get(pilot_id)
        adapter = choose_adapter(pilot, path, None)
        process_file(pilot, adapter, FileJob(path, source), engine, dry_run=False)


@contextmanager
def serve(database_url: str, scratch: Path) -> Iterator[str]:
    """Serve the API on the database from a child process; yields its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    log = (scratch / "server.log").open("wb")
    command = [
        sys.executable, "-m", "tests.clients.server", "--fd", str(listener.fileno()),
        "--database-url", database_url, "--scratch", str(scratch),
    ]
    server = subprocess.Popen(
        command, cwd=REPOSITORY, pass_fds=[listener.fileno()], stdout=log, stderr=log
    )
    try:
        _wait_until_up(base, server, scratch / "server.log")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=STARTUP_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        listener.close()
        log.close()


def _wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the API server did not start:\n{log.read_text(errors='replace')}")
