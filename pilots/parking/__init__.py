"""The parking pilot: real-time parking availability (Smart Flanders parking pilot).

The entry point ``stadspuls.pilots: parking`` names :func:`pilot`, which builds the pilot when
the registry loads, not at import time (reading the handbook file is I/O).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from core.handbook import load_handbook
from core.ingest.canonical import (
    CanonicalCsvAdapter,
    CanonicalGeoJsonAdapter,
    CanonicalJsonAdapter,
)
from core.pilot import Adapter, DemoFile, Pilot
from pilots.parking.adapters import Datex2Adapter, GentJsonAdapter
from pilots.parking.collections import parking_collections
from pilots.parking.lane import observation_lane
from pilots.parking.message_adapters import message_adapters
from pilots.parking.rules import parking_rules
from pilots.parking.settings import ParkingSettings
from pilots.parking.stores import after_store, parking_stores

HERE = Path(__file__).parent


@cache
def pilot() -> Pilot:
    handbook = load_handbook(HERE / "handbook.yaml")
    adapters: list[Adapter] = [
        GentJsonAdapter(),
        Datex2Adapter(),
        CanonicalCsvAdapter(handbook),
        CanonicalGeoJsonAdapter(handbook),
        CanonicalJsonAdapter(handbook),
        *message_adapters(),
    ]
    return Pilot(
        id="parking",
        title="Parking availability",
        handbook=handbook,
        rules=parking_rules(),
        adapters={adapter.format_id: adapter for adapter in adapters},
        stores=parking_stores(),
        collections=parking_collections(),
        migrations=HERE / "migrations" / "versions",
        after_store=after_store(ParkingSettings().bay_stale_after),
        lanes={"observation": observation_lane},
        demo_files=[
            DemoFile(HERE / "demo" / "datex2-v2-table.xml", "datex2", "gent-datex"),
            DemoFile(HERE / "demo" / "datex2-v2-status.xml", "datex2", "gent-datex"),
            DemoFile(HERE / "demo" / "datex2-v3-table.xml", "datex2", "mechelen"),
            DemoFile(HERE / "demo" / "datex2-v3-status.xml", "datex2", "mechelen"),
            DemoFile(HERE / "demo" / "gent-records.json", "gent-json", "gent"),
        ],
    )
