"""Runs the API for the client tests in its own process: ``python -m tests.clients.server``.

GDAL holds Python's GIL while it reads features, so a server thread in the test process would
starve; a process of its own serves whatever the client does. The listening socket is bound
by the parent and handed over as a file descriptor, so the port is known before the start.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from api.app import create_app
from core.pilot import load_registry
from core.settings import DatabaseSettings, IntakeSettings
from tests.api.conftest import api_settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--scratch", type=Path, required=True)
    arguments = parser.parse_args()
    app = create_app(
        api_settings(),
        DatabaseSettings(database_url=arguments.database_url),
        load_registry(),
        IntakeSettings(upload_dir=str(arguments.scratch / "uploads")),
    )
    uvicorn.run(app, fd=arguments.fd, log_level="warning")


if __name__ == "__main__":
    main()
