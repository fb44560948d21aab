"""Fixtures of the web interface tests: a live server with demo data and a headless browser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver

from api.app import create_app
from core.pilot import Registry
from core.runtime import open_database
from core.settings import ApiSettings, DatabaseSettings
from tests.web.browser import LiveServer, artifacts_folder, start_chromium
from tests.web.data import BrowserData, seed_browser_data

#: Screenshots saved in this run, named in the terminal summary.
SAVED: list[Path] = []
#: Live layers reload this often in the tests (seconds), so a change shows up quickly.
REFRESH_SECONDS = 2
#: Tiles from a port nothing listens on: the tests run offline, and the map must fall back.
UNREACHABLE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"


@contextmanager
def web_environment(**values: str) -> Iterator[None]:
    """The web settings the app reads when it is built; the environment restored after."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


@pytest.fixture(scope="session")
def browser_data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-data")


@pytest.fixture(scope="session")
def live_site(
    browser_data_folder: Path, registry: Registry
) -> Iterator[tuple[LiveServer, BrowserData]]:
    """The app on SQLite with the demo data, served by uvicorn for the browser."""
    database = DatabaseSettings(database_url=f"sqlite:///{browser_data_folder / 'web.db'}")
    engine = open_database(database, registry)
    data = seed_browser_data(engine, registry, browser_data_folder)
    engine.dispose()
    with web_environment(STADSPULS_WEB_TILE_URL=UNREACHABLE_TILES,
                         STADSPULS_WEB_REFRESH_SECONDS=str(REFRESH_SECONDS)):  # fmt: skip
        app = create_app(ApiSettings(), database, registry)
    server = LiveServer(app)
    server.start()
    yield server, data
    server.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[webdriver.Chrome]:
    driver = start_chromium()
    yield driver
    driver.quit()


@pytest.fixture
def screenshot(chromium: webdriver.Chrome, request: pytest.FixtureRequest) -> Iterator[None]:
    """Saves the page as it is at the end of the test (passed or failed) as an artifact."""
    yield
    target = artifacts_folder() / f"{request.node.name}.png"
    chromium.save_screenshot(str(target))
    SAVED.append(target)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SAVED:
        terminalreporter.write_line(f"browser test screenshots ({len(SAVED)}): {SAVED[0].parent}")
