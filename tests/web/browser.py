"""What the browser tests run on: Debian's chromium and chromedriver, and a live server.

The tests drive a real headless Chromium through selenium against uvicorn serving the app on a
free port. Selenium is pointed at the installed chromedriver explicitly, so it never tries to
download a driver or a browser (there is no such download on CI). A machine without them fails
the tests with the command that installs them: a skipped browser test would pass unseen.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

INSTALL_HINT = (
    "the browser tests need Chromium and its WebDriver: "
    "`apt-get install -y chromium chromium-driver` (Debian), or name them with "
    "STADSPULS_TEST_CHROMIUM and STADSPULS_TEST_CHROMEDRIVER"
)
REPO = Path(__file__).resolve().parents[2]


def _installed(variable: str, *names: str) -> str:
    named = os.environ.get(variable)
    if named:
        if not Path(named).is_file():
            pytest.fail(f"{variable}={named} is not a file; {INSTALL_HINT}")
        return named
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(f"{' or '.join(names)} not found on PATH; {INSTALL_HINT}")


def start_chromium() -> webdriver.Chrome:
    """Headless Chromium at a desktop size, German-free: English UI, no first-run noise."""
    binary = _installed("STADSPULS_TEST_CHROMIUM", "chromium", "chromium-browser")
    driver_path = _installed("STADSPULS_TEST_CHROMEDRIVER", "chromedriver")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1000",
        "--lang=en-GB",
        "--no-first-run",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)


def artifacts_folder() -> Path:
    """Where screenshots go: STADSPULS_TEST_ARTIFACTS, else ``browser-artifacts/`` (ignored)."""
    folder = Path(os.environ.get("STADSPULS_TEST_ARTIFACTS") or REPO / "browser-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """The app under uvicorn in a background thread, on a free port of 127.0.0.1."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="live-server", daemon=True)

    def start(self, timeout: float = 30.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                pytest.fail("the live server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
