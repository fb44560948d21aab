"""The three servers of the benchmark, each started the way its project documents for production.

Stadspuls runs from the project's interpreter with its real app factory and default
(production) settings. tipg and pygeoapi run from their own virtualenv, installed from
``requirements.txt`` beside this file at run time (never into the project's environment),
and serve :data:`bench.peers.data.PEER_VIEW`. All three run under the same uvicorn, with the
same worker count, event loop and HTTP parser, on free loopback ports.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from bench.peers.data import AREA, PEER_VIEW

REPO = Path(__file__).resolve().parents[2]
REQUIREMENTS = Path(__file__).with_name("requirements.txt")
DEFAULT_PEER_VENV = Path("/work/venvs/bench-peers")
#: The same for every server: only the application differs.
UVICORN_FLAGS = ("--host", "127.0.0.1", "--log-level", "warning", "--no-access-log",
                 "--loop", "asyncio", "--http", "h11")


@dataclass
class Server:
    """One running server: where it listens and the collection path of the observations."""

    name: str
    command: list[str]
    env: dict[str, str]
    collection: str
    cwd: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/collections/{self.collection}"

    def start(self, workers: int, log: Path) -> None:
        self.port = free_port()
        command = [*self.command, *UVICORN_FLAGS, "--port", str(self.port),
                   "--workers", str(workers)]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command, env=self.env, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float = 180.0) -> None:
        """Until the items of the collection answer 200 (catalogues are built at start)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.base}/items?limit=1", timeout=30).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s")

    def pids(self) -> list[int]:
        """The server process and its children (uvicorn's workers), for CPU accounting."""
        if self.process is None:
            return []
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            children = Path(f"/proc/{pid}/task/{pid}/children")
            if children.exists():
                todo += [int(child) for child in children.read_text().split()]
        return found

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ensure_peer_env(venv: Path, install: bool) -> Path:
    """The peers' virtualenv with the pinned requirements; returns its interpreter."""
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    if install or not (venv / "bin" / "pygeoapi").exists():
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-r", str(REQUIREMENTS)],
            check=True,
        )
    return python


def peer_versions(python: Path) -> dict[str, str]:
    names = ("tipg", "pygeoapi", "uvicorn")
    script = ("import importlib.metadata as m; "
              f"print(' '.join(m.version(n) for n in {names!r}))")
    out = subprocess.run([str(python), "-c", script], capture_output=True, text=True, check=True)
    return dict(zip(names, out.stdout.split(), strict=True))


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without settings of any of the three, plus ``extra``."""
    prefixes = ("STADSPULS_", "TIPG_", "PYGEOAPI_", "DATABASE_URL", "POSTGRES_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}
    return {**env, **extra}


def stadspuls(database_url: str) -> Server:
    return Server(
        name="stadspuls",
        command=[sys.executable, "-m", "uvicorn", "--factory", "api.asgi:app_factory"],
        env=_clean_env(STADSPULS_DATABASE_URL=database_url, PYTHONPATH=str(REPO)),
        collection="parking-observations",
        cwd=REPO,
    )


def tipg(python: Path, dsn: str, workdir: Path) -> Server:
    return Server(
        name="tipg",
        command=[str(python), "-m", "uvicorn", "tipg.main:app"],
        env=_clean_env(
            DATABASE_URL=dsn,
            TIPG_DB_TABLES=f'["public.{PEER_VIEW}"]',
            TIPG_DB_FUNCTIONS="[]",  # only the table: no catalogue of PostGIS functions
        ),
        collection=f"public.{PEER_VIEW}",
        cwd=workdir,
    )


def pygeoapi(python: Path, dsn_parts: dict[str, str], workdir: Path) -> Server:
    """pygeoapi's Starlette app over its PostgreSQL provider; config and OpenAPI written here."""
    config, openapi = workdir / "pygeoapi.yml", workdir / "pygeoapi-openapi.yml"
    config.write_text(yaml.safe_dump(pygeoapi_config(dsn_parts)))
    env = _clean_env(PYGEOAPI_CONFIG=str(config), PYGEOAPI_OPENAPI=str(openapi))
    subprocess.run(
        [str(python.with_name("pygeoapi")), "openapi", "generate", str(config),
         "--output-file", str(openapi)],
        env=env, cwd=workdir, check=True, capture_output=True,
    )
    return Server(
        name="pygeoapi",
        command=[str(python), "-m", "uvicorn", "pygeoapi.starlette_app:APP"],
        env=env,
        collection=PEER_VIEW,
        cwd=workdir,
    )


def pygeoapi_config(dsn: dict[str, str]) -> dict[str, object]:
    minx, miny, maxx, maxy = AREA
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": 0},
            "url": "http://127.0.0.1",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["en-US"],
            "limits": {"default_items": 10, "max_items": 10_000},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                    "attribution": "OpenStreetMap"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "bench", "description": "bench", "keywords": ["bench"],
                "keywords_type": "theme", "terms_of_service": "https://example.org",
                "url": "https://example.org",
            },
            "license": {"name": "CC0-1.0",
                        "url": "https://creativecommons.org/publicdomain/zero/1.0/"},
            "provider": {"name": "bench", "url": "https://example.org"},
            "contact": {"name": "bench"},
        },
        "resources": {
            PEER_VIEW: {
                "type": "collection",
                "title": "Parking occupancy observations",
                "description": "The rows of parking-observations",
                "keywords": ["parking"],
                "extents": {"spatial": {
                    "bbox": [minx, miny, maxx, maxy],
                    "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
                }},
                "providers": [{
                    "type": "feature",
                    "name": "PostgreSQL",
                    "data": {**dsn, "search_path": ["public"]},
                    "id_field": "id",
                    "table": PEER_VIEW,
                    "geom_field": "geom",
                }],
            }
        },
    }


def start_all(
    database_url: str, dsn: str, dsn_parts: dict[str, str], python: Path, workers: int,
    logs: Path,
) -> list[Server]:
    """Start all three, then wait for each (so their start-up work overlaps)."""
    workdir = Path(tempfile.mkdtemp(prefix="peers-", dir=logs))
    servers = [stadspuls(database_url), tipg(python, dsn, workdir),
               pygeoapi(python, dsn_parts, workdir)]
    try:
        for server in servers:
            server.start(workers, logs / f"{server.name}.log")
        for server in servers:
            server.wait_ready()
    except BaseException:
        stop_all(servers)
        raise
    return servers


def stop_all(servers: list[Server]) -> None:
    for server in servers:
        server.stop()
