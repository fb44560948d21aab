"""Writes ``gent-zones.jsonl``, the crowding sample that ``stadspuls demo`` loads.

The live demo's pedestrian counters are lines counting passages, which get a level only after
weeks of history (the baseline rule). This sample gives the map something to colour from the
first minute: three squares in Gent with an area, reporting hourly presence for ten days, so
each hour gets a level by density (people per m²), and a counting line whose counts have a
week of history to compare with. Deterministic (no randomness): rerun
``python pilots/crowding/demo/generate.py`` after changing it, and commit the output.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

FIRST_HOUR = datetime(2026, 11, 11, tzinfo=UTC)
HOURS = 10 * 24
#: id, name, south-west corner (lon, lat), size in degrees (lon, lat), peak people per m².
ZONES = (
    ("korenmarkt", "Korenmarkt", (3.72030, 51.05460), (0.00090, 0.00045), 1.6),
    ("vrijdagmarkt", "Vrijdagmarkt", (3.72580, 51.05720), (0.00140, 0.00070), 0.9),
    ("sint-baafsplein", "Sint-Baafsplein", (3.72550, 51.05300), (0.00100, 0.00060), 0.5),
)
LINE = ("veldstraat", "Veldstraat", [[3.72150, 51.05050], [3.72220, 51.05060]], 1800)


def day_shape(moment: datetime) -> float:
    """0 at night, 1 at the busiest hour; Saturdays and Sundays a little busier."""
    hour = moment.hour + 1  # Brussels time in winter, near enough for a sample
    shape = max(0.0, math.sin(math.pi * (hour - 7) / 15)) if 7 <= hour <= 22 else 0.0
    return shape * (1.25 if moment.weekday() >= 5 else 1.0)


def _polygon(corner: tuple[float, float], size: tuple[float, float]) -> dict[str, Any]:
    (lon, lat), (width, height) = corner, size
    east, north = round(lon + width, 6), round(lat + height, 6)
    ring = [[lon, lat], [east, lat], [east, north], [lon, north]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def records() -> list[dict[str, Any]]:
    """Locations first, then the hourly counts of every location."""
    out: list[dict[str, Any]] = []
    for zone_id, name, corner, size, _peak in ZONES:
        out.append(
            {"entity": "location", "id": zone_id, "name": name, "kind": "zone",
             "geometry": _polygon(corner, size), "technique": "camera", "city": "Gent"}
        )  # fmt: skip
    line_id, line_name, line_coordinates, _ = LINE
    out.append(
        {"entity": "location", "id": line_id, "name": line_name, "kind": "line",
         "geometry": {"type": "LineString", "coordinates": line_coordinates},
         "positive_bearing": 0, "technique": "camera", "city": "Gent"}
    )  # fmt: skip
    for hour in range(HOURS):
        start = FIRST_HOUR + timedelta(hours=hour)
        times = {"count_type": "interval", "start": _stamp(start),
                 "end": _stamp(start + timedelta(hours=1)), "coverage": 1.0}  # fmt: skip
        for zone_id, _name, _corner, size, peak in ZONES:
            area = size[0] * 70_000 * size[1] * 111_000  # m², roughly, at Gent's latitude
            density = 0.03 + peak * day_shape(start)
            out.append(
                {"entity": "observation", "location": zone_id, "characteristic": "presence",
                 "value": round(area * density), "unit": "people", "statistic": "mean", **times}
            )  # fmt: skip
        out.append(
            {"entity": "observation", "location": line_id, "characteristic": "passages",
             "value": round(40 + LINE[3] * day_shape(start)), "unit": "people",
             "statistic": "total", "modality": "pedestrian", "direction": "both", **times}
        )  # fmt: skip
    return out


def main() -> None:
    target = Path(__file__).with_name("gent-zones.jsonl")
    lines = (json.dumps(record, separators=(",", ":")) for record in records())
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
