"""The recipe ``stadspuls demo`` follows, on an embedded database: nothing is quarantined.

Register the simulation's sources, ingest its register file under the bay source, route the
setup messages and then the stream through the real message router.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

import sqlalchemy as sa

from core.ingest.envelope import ReadContext
from core.ingest.messages import MessageRouter
from core.ingest.pipeline import Pipeline
from core.pilot import Registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from core.simulate import Publication, Simulation
from core.sources import Source, add_source, list_sources
from tests.databases import sqlite_url


@dataclass
class Delivered:
    topic: str
    payload: bytes
    received_at: datetime


def delivered(messages: list[Publication]) -> list[Delivered]:
    now = datetime.now(UTC)
    return [Delivered(message.topic, message.payload, now) for message in messages]


def test_a_simulated_city_ingests_without_quarantine(tmp_path: Path, registry: Registry) -> None:
    engine = open_database(DatabaseSettings(database_url=sqlite_url(tmp_path)), registry)
    simulation = Simulation(sensors=40, rate=10, seed=1)
    for source in simulation.sources():
        add_source(engine, registry, Source(**vars(source)))
    pilot = registry.get("parking")
    for register in simulation.register_files():
        adapter = pilot.adapter(register.format_id)
        context = ReadContext(register.source, register.name, datetime.now(UTC))
        records = adapter.read(io.BytesIO(register.content), context)
        assert Pipeline(pilot, adapter, engine).run(records, context).quarantined == 0
    router = MessageRouter(registry, engine, list_sources(engine))
    router.handle_batch(delivered(simulation.setup_messages()))()
    start = datetime.now(UTC) - timedelta(minutes=30)
    router.handle_batch(delivered(list(islice(simulation.messages(start), 400))))()
    counts = {source: c.accepted for source, c in router.stats.by_source.items()}
    assert counts == {"sim-garages": 4 + 40, "sim-bays": 360}
    assert not router.stats.reasons
    with engine.connect() as conn:
        bays = conn.execute(sa.text("SELECT count(*), count(zone_id) FROM parking_bay")).one()
        zones = conn.execute(
            sa.text(
                "SELECT count(*) FROM parking_site_state AS state JOIN parking_site AS site "
                "ON site.id = state.site_id WHERE site.type = 'onStreetZone'"
            )
        ).scalar()
    assert tuple(bays) == (36, 36)  # the uplinks kept the zone the register gave each bay
    assert zones == 2  # and the zones' occupancy was derived from their bays
    engine.dispose()
