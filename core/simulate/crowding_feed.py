"""Simulated pedestrian counters: counting lines that report 1-minute passages in and out.

Each counter is a short line across a street near the centre, registered first (a JSON Lines
register of crowding locations); then, minute after minute, every counter publishes the
passages of the minute that just ended in both directions as canonical crowding JSON. Counts
follow the shared daily curve with each street's own scale and smooth noise, so crowding
levels and roll-ups have something realistic to work on.

The stream yields one message per counter per simulated minute: publish it at
``counters / 60`` messages a second to follow the wall clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from core.simulate.curves import day_curve, unit, value_noise
from core.simulate.feeds import (
    GENT,
    Publication,
    RegisterFile,
    SimulatedSource,
    _inside_belgium,
    _offset,
)

_STREETS = (
    "Veldstraat", "Korenmarkt", "Graslei", "Vrijdagmarkt", "Sint-Pietersnieuwstraat",
    "Overpoort", "Zuid", "Kouter", "Langemunt", "Brabantdam", "Sint-Baafsplein", "Lange Munt",
)  # fmt: skip
PEAK_PER_MINUTE = 60.0


def _json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class CrowdingFeed:
    """``sensors`` counting lines of pedestrians around ``centre``."""

    sensors: int = 10
    seed: int = 0
    centre: tuple[float, float] = GENT
    source: str = "sim-counters"

    def __post_init__(self) -> None:
        if self.sensors < 1:
            raise ValueError(f"a simulation needs one counter or more, not {self.sensors}")

    def counter(self, index: int) -> dict[str, Any]:
        east = (unit(self.seed, "counter", index, "east") - 0.5) * 2.0
        north = (unit(self.seed, "counter", index, "north") - 0.5) * 2.0
        lon, lat = _inside_belgium(*_offset(*self.centre, east, north))
        start, end = _offset(lon, lat, -0.006, 0.0), _offset(lon, lat, 0.006, 0.0)
        street = _STREETS[index % len(_STREETS)]
        return {
            "entity": "location",
            "id": f"sim-line-{index + 1:03d}",
            "name": f"{street} (simulated counter)",
            "kind": "line",
            "geometry": {"type": "LineString", "coordinates": [list(start), list(end)]},
            "positive_bearing": 0,
            "technique": "camera",
            "city": "Gent",
        }

    def sources(self) -> list[SimulatedSource]:
        return [SimulatedSource(self.source, "crowding", "json")]

    def register_files(self) -> list[RegisterFile]:
        lines = b"\n".join(_json(self.counter(i)) for i in range(self.sensors))
        return [
            RegisterFile(f"{self.source}-register.jsonl", lines, "crowding", self.source, "json")
        ]

    def setup_messages(self) -> list[Publication]:
        return []

    def passages(self, line: str, minute: datetime, direction: str) -> int:
        """Pedestrians crossing ``line`` in ``direction`` during the minute from ``minute``."""
        scale = 0.4 + 0.8 * unit(self.seed, line, "scale")
        bias = 0.85 + 0.3 * unit(self.seed, line, direction)
        noise = value_noise(minute.timestamp(), 600.0, self.seed, f"{line}/{direction}")
        expected = PEAK_PER_MINUTE * scale * bias * day_curve(minute) * (1.0 + 0.25 * noise)
        return max(0, round(expected))

    def message(self, index: int, minute: datetime) -> Publication:
        line = f"sim-line-{index + 1:03d}"
        end = minute + timedelta(minutes=1)
        counts = [
            {
                "entity": "observation",
                "location": line,
                "characteristic": "passages",
                "count_type": "interval",
                "start": _text(minute),
                "end": _text(end),
                "value": self.passages(line, minute, direction),
                "unit": "people",
                "statistic": "total",
                "modality": "pedestrian",
                "direction": direction,
                "technique": "camera",
                "coverage": 1.0,
            }
            for direction in ("in", "out")
        ]
        return Publication(f"stadspuls/crowding/{self.source}/{line}", _json(counts))

    def messages(self, start: datetime, rate: float) -> Iterator[Publication]:
        """From the minute before ``start``: every counter's count of each ended minute."""
        minute = start.astimezone(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
        while True:
            for index in range(self.sensors):
                yield self.message(index, minute)
            minute += timedelta(minutes=1)


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
