"""The live demo with nothing installed: embedded broker, simulators and worker, end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from core.cli.live import LiveDemo
from core.pilot import Registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from tests.databases import sqlite_url
from tests.mqtt.broker import wait_until


def count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_the_demo_fills_parking_and_crowding_live(
    tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STADSPULS_MQTT_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    engine = open_database(DatabaseSettings(database_url=sqlite_url(tmp_path)), registry)
    demo = LiveDemo(registry, engine, sensors=30, rate=30.0, counters=60)
    try:
        url = demo.start()
        assert url.startswith("mqtt://127.0.0.1:") and demo.broker is not None
        assert wait_until(lambda: count(engine, "parking_bay_observation") >= 20, 30)
        assert wait_until(lambda: count(engine, "crowding_observation") >= 2, 30)
        assert wait_until(lambda: count(engine, "parking_observation") >= 1, 30)
        assert count(engine, "quarantine") == 0
    finally:
        demo.stop()
        engine.dispose()
