"""A new supplier counted beside the old one: the factor between them, recovered and published."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from core.ingest.files import FileJob, process_file
from core.pilot import Registry
from pilots.crowding.calibration import CalibrationError, calibrate, estimate

START = datetime(2026, 11, 2, tzinfo=UTC)
LINE = {"type": "LineString", "coordinates": [[3.72, 51.05], [3.73, 51.05]]}


def test_the_factor_of_a_noiseless_overlap_is_exact() -> None:
    new = [10.0, 20.0, 30.0, 40.0] * 4
    result = estimate([0.8 * n for n in new], new)
    assert (result.factor, result.low, result.high, result.pairs) == pytest.approx(
        (0.8, 0.8, 0.8, 16))


def test_too_short_an_overlap_gives_no_factor() -> None:
    with pytest.raises(CalibrationError, match="3 comparable hours overlap; at least 12"):
        estimate([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])


def synthetic_overlap(tmp_path: Path, hours: int, factor: float) -> Path:
    """The old camera counts what is there (± 5 %); the new one counts 1/factor of it."""
    rng = random.Random(11)
    lines: list[dict[str, object]] = [
        {"entity": "location", "id": name, "kind": "line", "geometry": LINE}
        for name in ("old-camera", "new-radar")
    ]
    for hour in range(hours):
        start = START + timedelta(hours=hour)
        truth = 200 + 150 * (hour % 12)
        for name, seen in (("old-camera", truth), ("new-radar", truth / factor)):
            lines.append({
                "entity": "observation", "location": name, "characteristic": "passages",
                "count_type": "interval", "start": start.isoformat(),
                "end": (start + timedelta(hours=1)).isoformat(),
                "value": round(seen * rng.uniform(0.95, 1.05), 1), "unit": "people",
            })
    path = tmp_path / "overlap.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    return path


def test_a_synthetic_overlap_recovers_the_known_factor(
    engine: Engine, registry: Registry, tmp_path: Path
) -> None:
    crowding = registry.get("crowding")
    process_file(crowding, crowding.adapter("json"),
                 FileJob(synthetic_overlap(tmp_path, 72, factor=1.6), "gent"), engine,
                 dry_run=False)
    with engine.begin() as conn:
        result = calibrate(conn, "gent:old-camera", "gent:new-radar", START,
                           START + timedelta(hours=72))
    assert result.pairs == 72
    assert result.factor == pytest.approx(1.6, rel=0.02)
    assert result.low < 1.6 < result.high
    assert result.high - result.low < 0.1
    with engine.connect() as conn:
        stored = conn.execute(sa.text(
            "SELECT reference_location_id, factor, pairs FROM crowding_calibration "
            "WHERE location_id = 'gent:new-radar'")).one()
    assert (stored[0], stored[2]) == ("gent:old-camera", 72)
    assert stored[1] == pytest.approx(result.factor)


def test_the_factor_is_published_on_the_new_location(
    engine: Engine, registry: Registry, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from core.settings import ApiSettings, DatabaseSettings

    crowding = registry.get("crowding")
    process_file(crowding, crowding.adapter("json"),
                 FileJob(synthetic_overlap(tmp_path, 24, factor=0.5), "gent"), engine,
                 dry_run=False)
    with engine.begin() as conn:
        calibrate(conn, "gent:old-camera", "gent:new-radar", START, START + timedelta(hours=24))
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(ApiSettings(), DatabaseSettings(database_url=url))) as client:
        feature = client.get("/collections/crowding-locations/items/gent:new-radar").json()
    properties = feature["properties"]
    assert properties["calibrated_to"] == "gent:old-camera"
    assert properties["calibration_factor"] == pytest.approx(0.5, rel=0.03)
    low, high = properties["calibration_factor_low"], properties["calibration_factor_high"]
    assert low < properties["calibration_factor"] < high
