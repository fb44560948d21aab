"""Messages routed to sources, decoded, ingested or quarantined — on both backends."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from core.ingest.messages import MessageRouter
from core.pilot import Registry
from core.sources import Source, add_source, list_sources

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Message:
    topic: str
    payload: bytes
    received_at: datetime = NOW


def json_message(topic: str, value: Any) -> Message:
    return Message(topic, json.dumps(value).encode())


def router(engine: Engine, registry: Registry, max_payload: int = 256 * 1024) -> MessageRouter:
    add_source(engine, registry, Source(id="zone", pilot="parking", format="json"))
    return MessageRouter(registry, engine, list_sources(engine), max_payload=max_payload)


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def quarantined(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT origin, rules FROM quarantine")).all()
    return {origin: rules for origin, rules in rows}


SETUP = [
    {"entity": "site", "id": "Z", "type": "onStreetZone", "lon": 3.26, "lat": 50.83},
    {"entity": "bay", "id": "b1", "zone": "Z", "lon": 3.2649, "lat": 50.8273},
    {"entity": "bay", "id": "b2", "zone": "Z", "lon": 3.2650, "lat": 50.8274},
]


def test_messages_are_stored_and_redelivery_changes_nothing(
    engine: Engine, registry: Registry
) -> None:
    routed = router(engine, registry)
    batch = [
        json_message("stadspuls/parking/zone/setup", SETUP),
        json_message("stadspuls/parking/zone/b1", {"entity": "bay_observation", "bay": "b1",
                                                   "observed_at": "2026-11-20T09:00:00Z",
                                                   "status": "occupied"}),
        json_message("stadspuls/parking/zone/b2", {"entity": "bay_observation", "bay": "b2",
                                                   "observed_at": "2026-11-20T09:01:00Z",
                                                   "status": "free"}),
    ]
    routed.handle_batch(batch)()
    routed.handle_batch(batch)()  # an at-least-once redelivery
    assert count(engine, "parking_bay_observation") == 2
    assert count(engine, "parking_bay") == 2
    with engine.connect() as conn:
        zone = conn.execute(sa.text(
            "SELECT capacity, vacant, occupied, status FROM parking_site_state "
            "WHERE site_id = 'zone:Z'")).one()
    assert tuple(zone) == (2, 1, 1, "spacesAvailable")
    assert routed.stats.by_source["zone"].accepted == 6
    assert routed.stats.by_source["zone"].quarantined == 0


def test_undeliverable_messages_are_quarantined_with_their_reason(
    engine: Engine, registry: Registry
) -> None:
    routed = router(engine, registry, max_payload=160)
    commit = routed.handle_batch([
        json_message("elsewhere/topic", {"a": 1}),
        Message("stadspuls/parking/zone/big", b"[" + b"1," * 100 + b"1]"),
        Message("stadspuls/parking/zone/bytes", b"\xff\xfe\x00"),
        Message("stadspuls/parking/zone/text", b"{not json"),
        json_message("stadspuls/parking/zone/unknown-bay", {"entity": "bay_observation",
                                                            "bay": "nope", "status": "free",
                                                            "observed_at": "2026-11-20T09:00Z"}),
    ])
    assert quarantined(engine) == {}  # checked, not yet committed
    commit()
    assert quarantined(engine) == {
        "elsewhere/topic": "core.unknown-topic",
        "stadspuls/parking/zone/big": "core.oversized",
        "stadspuls/parking/zone/bytes": "core.invalid-utf8",
        "stadspuls/parking/zone/text": "core.invalid-json",
        "stadspuls/parking/zone/unknown-bay": "core.reference",
    }
    with engine.connect() as conn:
        raw = conn.execute(sa.text(
            "SELECT raw FROM quarantine WHERE origin = 'stadspuls/parking/zone/bytes'"
        )).scalar_one()
    assert raw == "base64://4A"  # the bytes are kept exactly
    assert routed.stats.by_source["zone"].quarantined == 4
    assert routed.stats.by_source["-"].quarantined == 1
