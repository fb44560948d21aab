"""Rollup into 15-minute and hourly buckets: sums, weighted means, coverage, idempotence.

Inputs enter through the real pipeline (canonical JSON records, handbook validation, upsert), so
the rollup reads rows exactly as ingestion stores them on each backend. Expected values are
computed by hand in the table below.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from core.ingest.files import FileJob, process_file
from core.pilot import Registry
from core.storage import table_of
from pilots.crowding.models import CrowdingRollup
from pilots.crowding.rollup import rollup

LINE, ZONE = "gent:line", "gent:zone"
LOCATIONS = [
    {"entity": "location", "id": "line", "kind": "line", "positive_bearing": 0,
     "geometry": {"type": "LineString", "coordinates": [[3.7215, 51.0505], [3.7222, 51.0506]]}},
    {"entity": "location", "id": "zone", "kind": "zone", "geometry": {"type": "Polygon",
     "coordinates": [[[3.724, 51.054], [3.726, 51.054], [3.726, 51.055], [3.724, 51.054]]]}},
]
HOUR = (datetime(2026, 11, 20, 14, tzinfo=UTC), datetime(2026, 11, 20, 15, tzinfo=UTC))


def at(hhmm: str) -> datetime:
    return datetime.fromisoformat(f"2026-11-20T{hhmm}:00+00:00")


def count(start: str, minutes: int | None, value: float | None, **extra: Any) -> dict[str, Any]:
    """One canonical observation on 2026-11-20 (UTC); passages in, people, on the line."""
    record: dict[str, Any] = {
        "entity": "observation", "location": "line", "characteristic": "passages",
        "count_type": "interval", "start": f"2026-11-20T{start}:00Z", "unit": "people",
        "direction": "in", "value": value,
    }
    if minutes is None:
        record["count_type"] = "event"
    else:
        end = at(start).timestamp() + 60 * minutes
        record["end"] = datetime.fromtimestamp(end, UTC).isoformat().replace("+00:00", "Z")
    record.update(extra)
    return {k: v for k, v in record.items() if v is not None}


def presence(start: str, minutes: int, value: float, **extra: Any) -> dict[str, Any]:
    return count(start, minutes, value, **{"location": "zone", "characteristic": "presence",
                                           "direction": None, **extra})


def quarters(values: list[float | None], **extra: Any) -> list[dict[str, Any]]:
    """15-minute passages from 14:00; None leaves that quarter out (a gap)."""
    return [count(f"14:{15 * i:02d}", 15, v, **extra) for i, v in enumerate(values)
            if v is not None]


def ingest(engine: Engine, registry: Registry, tmp_path: Path,
           records: list[dict[str, Any]]) -> None:
    path = tmp_path / "counts.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in LOCATIONS + records), encoding="utf-8")
    crowding = registry.get("crowding")
    summary = process_file(crowding, crowding.adapter("json"), FileJob(path, "gent"), engine,
                           dry_run=False)
    assert summary.quarantined == 0, summary.examples
    with engine.begin() as conn:  # ingestion rolled the hour up already; test from scratch
        conn.execute(sa.delete(table_of(CrowdingRollup)))


def stored(engine: Engine) -> list[dict[str, Any]]:
    table = table_of(CrowdingRollup)
    columns = [c for c in table.columns if c.name not in ("updated_at", "level", "level_rule")]
    query = sa.select(*columns).order_by(*table.primary_key.columns)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def bucket(start: str, minutes: int, value: float | None, coverage: float | None, inputs: int,
           *, location: str = LINE, estimated: bool = False, **dims: str) -> dict[str, Any]:
    keys = {"characteristic": "passages", "unit": "people", "statistic": "", "modality": "",
            "direction": "in", "bearing_key": "", "profile": ""}
    if location == ZONE:
        keys.update(characteristic="presence", direction="")
    keys.update(dims)
    begin = at(start)
    return {"location_id": location, "interval_minutes": minutes, "start": begin,
            "end": datetime.fromtimestamp(begin.timestamp() + 60 * minutes, UTC), **keys,
            "value": value, "coverage": coverage, "inputs": inputs, "estimated": estimated}


def minutes(first: int, last: int, value: float) -> list[dict[str, Any]]:
    return [count(f"14:{m:02d}", 1, value) for m in range(first, last + 1)]


CASES: dict[str, tuple[list[dict[str, Any]], int, list[dict[str, Any]]]] = {
    # name: (inputs, target interval, expected rollup rows)
    "four quarters make a full hour": (
        quarters([10, 20, 30, 40]), 60, [bucket("14:00", 60, 100, 1.0, 4)]),
    "a missing quarter lowers coverage, adds no zero": (
        quarters([10, 20, None, 40]), 60, [bucket("14:00", 60, 70, 0.75, 3)]),
    "inputs' own coverage weighs in": (
        quarters([10, 20]) + quarters([None, None, 30, 40], coverage=0.5), 60,
        [bucket("14:00", 60, 100, (15 + 15 + 7.5 + 7.5) / 60, 4)]),
    "one-minute counts into quarters": (
        minutes(0, 9, 2) + minutes(15, 29, 1), 15,
        [bucket("14:00", 15, 20, 10 / 15, 10), bucket("14:15", 15, 15, 1.0, 15)]),
    "presence means weigh by duration": (
        [presence("14:00", 15, 100, statistic="mean"), presence("14:15", 5, 40, statistic="mean")],
        60, [bucket("14:00", 60, (100 * 15 + 40 * 5) / 20, 20 / 60, 2, location=ZONE,
                    statistic="mean")]),
    "presence means weigh by observed minutes": (
        [presence("14:00", 15, 100), presence("14:15", 15, 40, coverage=0.5)], 60,
        [bucket("14:00", 60, (100 * 15 + 40 * 7.5) / 22.5, 22.5 / 60, 2, location=ZONE)]),
    "a mean that observed nothing is unknown, not zero": (
        [presence("14:00", 15, 50, coverage=0)], 60,
        [bucket("14:00", 60, None, 0.0, 1, location=ZONE)]),
    "instants average plainly": (
        [presence("14:00", 15, 10, statistic="instant"),
         presence("14:30", 15, 30, statistic="instant")], 60,
        [bucket("14:00", 60, 20, 0.5, 2, location=ZONE, statistic="instant")]),
    "medians and dwell times are estimates": (
        [presence("14:00", 15, 60, characteristic="dwell-time", statistic="median"),
         presence("14:15", 15, 120, characteristic="dwell-time", statistic="median")], 60,
        [bucket("14:00", 60, 90, 0.5, 2, location=ZONE, characteristic="dwell-time",
                statistic="median", estimated=True)]),
    "one estimated input makes the bucket estimated": (
        quarters([10, 20]) + quarters([None, None, 5], estimated=True), 60,
        [bucket("14:00", 60, 35, 0.75, 3, estimated=True)]),
    "in and out stay apart": (
        quarters([10, 20]) + quarters([1, 2], direction="out"), 60,
        [bucket("14:00", 60, 30, 0.5, 2), bucket("14:00", 60, 3, 0.5, 2, direction="out")]),
    "units, modalities, bearings and profiles stay apart": (
        [count("14:00", 15, 5), count("14:00", 15, 7, unit="vehicles", modality="bicycle"),
         count("14:00", 15, 2, bearing=359.7), count("14:15", 15, 3, bearing=90.4),
         count("14:00", 15, 4, profile="shopper", statistic="total")], 60,
        [bucket("14:00", 60, 5, 0.25, 1), bucket("14:00", 60, 2, 0.25, 1, bearing_key="0"),
         bucket("14:00", 60, 3, 0.25, 1, bearing_key="90"),
         bucket("14:00", 60, 4, 0.25, 1, profile="shopper", statistic="total"),
         bucket("14:00", 60, 7, 0.25, 1, unit="vehicles", modality="bicycle")]),
    "events count into their bucket, coverage unknown": (
        [count("14:01", None, 1), count("14:07", None, 3), count("14:20", None, 1)], 15,
        [bucket("14:00", 15, 4, None, 2), bucket("14:15", 15, 1, None, 1)]),
    "longer intervals and crowding levels are left out": (
        [count("14:00", 60, 9),
         count("14:00", 15, None, location="zone", characteristic="crowding-level",
               direction=None, level="busy")], 15, []),
}


@pytest.mark.parametrize("name", list(CASES))
def test_rollup(name: str, engine: Engine, registry: Registry, tmp_path: Path) -> None:
    records, interval, expected = CASES[name]
    ingest(engine, registry, tmp_path, records)
    with engine.begin() as conn:
        written = rollup(conn, interval, *HOUR)
    assert written == len(expected)
    assert stored(engine) == [pytest.approx(row) for row in expected]


def test_a_rerun_or_an_overlapping_window_changes_nothing(
    engine: Engine, registry: Registry, tmp_path: Path
) -> None:
    out = [{**row, "direction": "out"} for row in minutes(0, 9, 2)]
    ingest(engine, registry, tmp_path, quarters([10, 20, None, 40]) + out)
    expected = [bucket("14:00", 15, 10, 1.0, 1), bucket("14:00", 15, 20, 10 / 15, 10,
                                                        direction="out"),
                bucket("14:15", 15, 20, 1.0, 1), bucket("14:45", 15, 40, 1.0, 1)]
    with engine.begin() as conn:
        assert rollup(conn, 15, *HOUR) == 4
    first = stored(engine)
    assert first == [pytest.approx(row) for row in expected]
    with engine.begin() as conn:
        assert rollup(conn, 15, *HOUR) == 0
        assert rollup(conn, 15, at("13:00"), at("14:30")) == 0
    assert stored(engine) == first


def test_late_inputs_update_their_bucket(
    engine: Engine, registry: Registry, tmp_path: Path
) -> None:
    ingest(engine, registry, tmp_path, quarters([10, 20, None, 40]))
    with engine.begin() as conn:
        rollup(conn, 60, *HOUR)
    ingest(engine, registry, tmp_path, quarters([None, None, 30]))
    with engine.begin() as conn:
        assert rollup(conn, 60, *HOUR) == 1
    assert stored(engine) == [pytest.approx(bucket("14:00", 60, 100, 1.0, 4))]


def test_only_the_named_locations(engine: Engine, registry: Registry, tmp_path: Path) -> None:
    ingest(engine, registry, tmp_path, [*quarters([10]), presence("14:00", 15, 3)])
    with engine.begin() as conn:
        assert rollup(conn, 60, *HOUR, location_ids=[ZONE]) == 1
    assert [row["location_id"] for row in stored(engine)] == [ZONE]


@pytest.mark.parametrize(
    ("interval", "start", "end"),
    [
        (15, at("14:07"), at("15:00")),
        (60, at("14:15"), at("15:00")),
        (60, at("14:00"), at("15:30")),
        (30, at("14:00"), at("15:00")),
        (15, at("15:00"), at("14:00")),
        (15, datetime(2026, 11, 20, 14), datetime(2026, 11, 20, 15)),
    ],
)
def test_a_window_must_cover_whole_buckets(
    engine: Engine, interval: int, start: datetime, end: datetime
) -> None:
    with engine.begin() as conn, pytest.raises(ValueError):
        rollup(conn, interval, start, end)


def test_ingestion_rolls_the_touched_hours_up_by_itself(
    engine: Engine, registry: Registry, tmp_path: Path
) -> None:
    path = tmp_path / "counts.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in LOCATIONS + quarters([10, 20, None, 40])),
                    encoding="utf-8")
    crowding = registry.get("crowding")
    process_file(crowding, crowding.adapter("json"), FileJob(path, "gent"), engine,
                 dry_run=False)
    hourly = [row for row in stored(engine) if row["interval_minutes"] == 60]
    assert [(row["value"], row["coverage"]) for row in hourly] == [(70.0, 0.75)]
