"""Simulated pedestrian counters: realistic counts that the crowding pilot accepts whole."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import sqlalchemy as sa

from core.ingest.envelope import ReadContext
from core.ingest.messages import MessageRouter
from core.ingest.pipeline import Pipeline
from core.pilot import Registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from core.simulate import CrowdingFeed, Simulation
from core.sources import Source, add_source, list_sources
from tests.databases import sqlite_url

NIGHT = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)
NOON = datetime(2026, 11, 18, 11, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Delivered:
    topic: str
    payload: bytes
    received_at: datetime


def test_counts_follow_the_day_and_are_deterministic() -> None:
    feed = CrowdingFeed(sensors=3, seed=7)
    assert feed.passages("sim-line-001", NOON, "in") == CrowdingFeed(seed=7).passages(
        "sim-line-001", NOON, "in")
    night = sum(feed.passages(f"sim-line-00{i}", NIGHT, "in") for i in (1, 2, 3))
    noon = sum(feed.passages(f"sim-line-00{i}", NOON, "in") for i in (1, 2, 3))
    assert 0 <= night < noon


def test_a_simulated_minute_is_stored_without_quarantine(
    tmp_path: Path, registry: Registry
) -> None:
    engine = open_database(DatabaseSettings(database_url=sqlite_url(tmp_path)), registry)
    simulation = Simulation("crowding", sensors=4, rate=4 / 60, seed=3)
    for source in simulation.sources():
        add_source(engine, registry, Source(**vars(source)))
    crowding = registry.get("crowding")
    for register in simulation.register_files():
        adapter = crowding.adapter(register.format_id)
        context = ReadContext(register.source, register.name, datetime.now(UTC))
        summary = Pipeline(crowding, adapter, engine).run(
            adapter.read(io.BytesIO(register.content), context), context)
        assert (summary.valid, summary.quarantined) == (4, 0)
    router = MessageRouter(registry, engine, list_sources(engine))
    messages = list(islice(simulation.messages(NOON), 8))  # two minutes of four counters
    router.handle_batch([Delivered(m.topic, m.payload, NOON) for m in messages])()
    assert router.stats.by_source["sim-counters"].accepted == 8
    assert not router.stats.reasons
    with engine.connect() as conn:
        stored = conn.execute(sa.text(
            "SELECT count(*), count(DISTINCT location_id) FROM crowding_observation "
            "WHERE characteristic = 'passages' AND modality = 'pedestrian'")).one()
    assert tuple(stored) == (16, 4)  # 2 minutes x 4 counters x in/out
    engine.dispose()
