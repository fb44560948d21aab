"""Levels assigned to stored hourly roll-ups from a baseline of past weeks, on both backends."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine

from core.ingest.files import FileJob, process_file
from core.pilot import Registry
from core.storage import table_of
from pilots.crowding.levels import assign_levels
from pilots.crowding.rollup import rollup

NOW = datetime(2026, 11, 20, 14, tzinfo=UTC)  # a Friday, 14:00-15:00 UTC


def counts(tmp_path: Path, hourly: dict[datetime, float]) -> Path:
    lines = [
        {
            "entity": "location",
            "id": "line",
            "kind": "line",
            "geometry": {"type": "LineString", "coordinates": [[3.72, 51.05], [3.73, 51.05]]},
        }
    ]
    for start, value in hourly.items():
        for quarter in range(4):
            begin = start + timedelta(minutes=15 * quarter)
            lines.append(
                {
                    "entity": "observation",
                    "location": "line",
                    "characteristic": "passages",
                    "count_type": "interval",
                    "start": begin.isoformat(),
                    "end": (begin + timedelta(minutes=15)).isoformat(),
                    "value": value / 4,
                    "unit": "people",
                    "direction": "in",
                }
            )
    path = tmp_path / "counts.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    return path


def test_a_busy_hour_against_eight_weeks_of_the_same_hour(
    engine: Engine, registry: Registry, tmp_path: Path
) -> None:
    history = {NOW - timedelta(weeks=week): 400.0 + 40 * week for week in range(1, 9)}
    quiet_day = NOW - timedelta(days=1)  # a Thursday: not comparable, must not count
    path = counts(tmp_path, {**history, quiet_day: 10.0, NOW: 900.0})
    crowding = registry.get("crowding")
    summary = process_file(
        crowding, crowding.adapter("json"), FileJob(path, "gent"), engine, dry_run=False
    )
    assert summary.quarantined == 0
    with engine.begin() as conn:
        rollup(conn, 60, NOW - timedelta(weeks=9), NOW + timedelta(hours=1))
        assert assign_levels(conn, 60, NOW, NOW + timedelta(hours=1)) == 1
        # the weeks before have too little history of their own: no level, not a guess
        assign_levels(conn, 60, NOW - timedelta(weeks=9), NOW)
    with engine.connect() as conn:
        levels = conn.execute(
            sa.text("SELECT start, value, level, level_rule FROM crowding_rollup "
                    "WHERE interval_minutes = 60 ORDER BY start")
        ).all()
    assert levels[-1][1:] == (900.0, "very-busy", "baseline-8w-p25-p75-p95")
    assert levels[0][2] is None  # the oldest week has no past to compare with


def test_a_new_supplier_inherits_the_baseline_through_its_calibration(
    engine: Engine, registry: Registry, tmp_path: Path
) -> None:
    from pilots.crowding.models import CrowdingCalibration

    weeks = {NOW - timedelta(weeks=week): 400.0 + 40 * week for week in range(1, 9)}
    old = counts(tmp_path, weeks)
    crowding = registry.get("crowding")
    process_file(crowding, crowding.adapter("json"), FileJob(old, "old"), engine, dry_run=False)
    # the new radar counts half of what the camera did, and has only this hour
    new = counts(tmp_path, {NOW: 300.0})
    process_file(crowding, crowding.adapter("json"), FileJob(new, "new"), engine, dry_run=False)
    with engine.begin() as conn:
        conn.execute(sa.insert(table_of(CrowdingCalibration)).values(
            location_id="new:line", reference_location_id="old:line", overlap_start=NOW,
            overlap_end=NOW, factor=2.0, factor_low=1.9, factor_high=2.1, pairs=24,
            created_at=NOW))
        assert assign_levels(conn, 60, NOW, NOW + timedelta(hours=1)) >= 1
        level = conn.execute(sa.text(
            "SELECT level, level_rule FROM crowding_rollup WHERE location_id = 'new:line' "
            "AND interval_minutes = 60")).one()
    # the camera's weeks 440..720 are 220..360 on the radar's scale: p25 255, p75 325, so
    # 300 is normal; without the calibration one hour of its own would give no level at all
    assert tuple(level) == ("normal", "baseline-8w-p25-p75-p95")
