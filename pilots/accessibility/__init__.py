"""The accessibility pilot: public buildings measured, assessed and published per user profile.

The entry point ``stadspuls.pilots: accessibility`` names :func:`pilot`, which builds the pilot
when the registry loads (reading the handbook and the assessment criteria is I/O, so never at
import time).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from core.handbook import load_handbook
from core.pilot import DemoFile, Pilot
from pilots.accessibility.adapters import accessibility_adapters
from pilots.accessibility.collections import accessibility_collections
from pilots.accessibility.rules import accessibility_rules
from pilots.accessibility.stores import accessibility_stores, after_store_builder

HERE = Path(__file__).parent


@cache
def pilot() -> Pilot:
    handbook = load_handbook(HERE / "handbook.yaml", HERE / "assessment.yaml")
    adapters = accessibility_adapters(handbook)
    return Pilot(
        id="accessibility",
        title="Accessibility of public buildings",
        handbook=handbook,
        rules=accessibility_rules(),
        adapters={adapter.format_id: adapter for adapter in adapters},
        stores=accessibility_stores(handbook),
        collections=accessibility_collections(),
        migrations=HERE / "migrations" / "versions",
        after_store=after_store_builder(handbook),
        demo_files=[
            DemoFile(HERE / "demo" / "brugge-audit.csv", "csv", "brugge-audit"),
            DemoFile(HERE / "demo" / "brugge-osm.geojson", "osm", "osm"),
            DemoFile(HERE / "demo" / "gent-a11yjson.json", "a11yjson", "gent-a11y"),
        ],
    )
