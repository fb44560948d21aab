"""The crowding pilot: "Drukte in de Stad" counts harmonised to one definitions handbook.

The entry point ``stadspuls.pilots: crowding`` names :func:`pilot`, which builds the pilot when
the registry loads (reading the handbook is I/O, so never at import time).
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
from pilots.crowding.adapters import crowding_adapters
from pilots.crowding.cli import register as register_commands
from pilots.crowding.collections import crowding_collections
from pilots.crowding.rules import crowding_rules
from pilots.crowding.settings import CrowdingSettings
from pilots.crowding.stores import after_store, crowding_stores

HERE = Path(__file__).parent


@cache
def pilot() -> Pilot:
    handbook = load_handbook(HERE / "handbook.yaml")
    adapters: list[Adapter] = [
        CanonicalCsvAdapter(handbook),
        CanonicalGeoJsonAdapter(handbook),
        CanonicalJsonAdapter(handbook),
        *crowding_adapters(),
    ]
    return Pilot(
        id="crowding",
        title="Crowding (Drukte in de Stad)",
        handbook=handbook,
        rules=crowding_rules(CrowdingSettings().max_delay),
        adapters={adapter.format_id: adapter for adapter in adapters},
        stores=crowding_stores(),
        collections=crowding_collections(),
        migrations=HERE / "migrations" / "versions",
        after_store=after_store,
        commands=register_commands,
        demo_files=[DemoFile(HERE / "demo" / "gent-zones.jsonl", "json", "gent-zones")],
    )
