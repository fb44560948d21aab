"""The pipeline end to end on both backends: storage, derivation, quarantine, idempotency."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from core.errors import UnreadableInput
from core.ingest.files import FileJob, choose_adapter, process_file
from core.ingest.pipeline import Checked, IngestSummary, Pipeline
from core.pilot import Pilot
from tests.conftest import FIXTURES

PARKING = FIXTURES / "parking"


def ingest(
    pilot: Pilot, engine: Engine, name: str, source: str = "lab", crs: str | None = None
) -> IngestSummary:
    path = PARKING / name
    adapter = choose_adapter(pilot, path, None)
    return process_file(pilot, adapter, FileJob(path, source, crs), engine, dry_run=False)


def rows(engine: Engine, sql: str) -> list[dict[str, Any]]:
    """Rows of a raw query; JSON columns come back as text on SQLite and are decoded."""
    with engine.connect() as conn:
        result = [dict(row._mapping) for row in conn.execute(sa.text(sql))]
    for row in result:
        for key in ("derived", "reasons"):
            if isinstance(row.get(key), str):
                row[key] = json.loads(row[key])
    return result


def test_sites_and_observations_are_stored_with_derived_values(
    parking: Pilot, engine: Engine
) -> None:
    ingest(parking, engine, "sites-wgs84.csv")
    summary = ingest(parking, engine, "observations.csv")
    assert (summary.read, summary.valid, summary.quarantined) == (7, 3, 4)
    state = {r["site_id"]: r for r in rows(engine, "SELECT * FROM parking_site_state")}
    zuid = state["lab:P-ZUID"]
    assert (zuid["vacant"], zuid["occupied"], zuid["capacity"]) == (110, 440, 550)
    assert zuid["occupancy"] == pytest.approx(80.0)
    assert zuid["status"] == "spacesAvailable"
    assert set(zuid["derived"]) == {"capacity", "occupied", "occupancy", "status"}
    assert state["lab:P-GRAS"]["status"] == "full"


def test_every_rejected_record_is_quarantined_with_its_reasons(
    parking: Pilot, engine: Engine
) -> None:
    ingest(parking, engine, "sites-wgs84.csv")
    ingest(parking, engine, "observations.csv")
    quarantined = rows(
        engine, "SELECT position, rules, reasons, raw FROM quarantine ORDER BY position"
    )
    assert [(r["position"], r["rules"]) for r in quarantined] == [
        (5, "parking.vacant-within-capacity"),
        (6, "core.reference"),
        (7, "core.timezone"),
        (8, "core.minimum"),
    ]
    unknown_site = quarantined[1]
    assert unknown_site["reasons"][0]["term"] == "observation.site"
    assert unknown_site["reasons"][0]["found"] == "P-NOPE"
    assert "P-NOPE" in unknown_site["raw"]


def test_ingesting_the_same_files_twice_stores_nothing_new(parking: Pilot, engine: Engine) -> None:
    names = ["sites-wgs84.csv", "observations.csv", "gent-v1-records.json"]
    for name in names:
        ingest(parking, engine, name)
    before = rows(
        engine,
        "SELECT (SELECT count(*) FROM parking_site) AS s, "
        "(SELECT count(*) FROM parking_observation) AS o, "
        "(SELECT count(*) FROM quarantine) AS q",
    )
    second = [ingest(parking, engine, name) for name in names]
    assert all(summary.counts.inserted == 0 and summary.counts.updated == 0 for summary in second)
    assert sum(summary.counts.unchanged for summary in second) == 2 + 3 + 4
    after = rows(
        engine,
        "SELECT (SELECT count(*) FROM parking_site) AS s, "
        "(SELECT count(*) FROM parking_observation) AS o, "
        "(SELECT count(*) FROM quarantine) AS q",
    )
    assert before == after


def test_changed_site_attributes_are_updated_not_duplicated(
    parking: Pilot, engine: Engine, tmp_path: Path
) -> None:
    ingest(parking, engine, "sites-wgs84.csv")
    changed = tmp_path / "sites.csv"
    changed.write_text((PARKING / "sites-wgs84.csv").read_text().replace(";550;", ";560;"))
    summary = process_file(
        parking, parking.adapter("csv"), FileJob(changed, "lab"), engine, dry_run=False
    )
    assert (summary.counts.inserted, summary.counts.updated, summary.counts.unchanged) == (0, 1, 1)
    assert rows(engine, "SELECT capacity FROM parking_site WHERE id = 'lab:P-ZUID'") == [
        {"capacity": 560}
    ]


def test_lambert_coordinates_are_reprojected_when_declared(parking: Pilot, engine: Engine) -> None:
    undeclared = ingest(parking, engine, "sites-lambert72.csv")
    assert undeclared.reasons["core.crs-missing"] == 1
    ingest(parking, engine, "sites-lambert72.csv", crs="EPSG:31370")
    ingest(parking, engine, "sites-lambert2008.csv", crs="EPSG:3812")
    ingest(parking, engine, "sites-lambert72.geojson")  # declares its CRS itself
    found = {
        r["id"]: (r["minx"], r["miny"])
        for r in rows(engine, "SELECT id, minx, miny FROM parking_site")
    }
    assert found["lab:L-1"] == pytest.approx((3.71984, 51.05257), abs=1e-4)
    assert found["lab:L08-1"] == pytest.approx((3.71987, 51.05262), abs=1e-4)
    assert found["lab:LV-1"] == pytest.approx((4.70268, 50.88039), abs=1e-4)


def test_datex_status_for_an_unknown_site_is_quarantined(parking: Pilot, engine: Engine) -> None:
    status_only = ingest(parking, engine, "datex2-v3-status.xml", source="mechelen")
    assert (status_only.valid, status_only.reasons["core.reference"]) == (0, 1)
    ingest(parking, engine, "datex2-v3-table.xml", source="mechelen")
    after_table = ingest(parking, engine, "datex2-v3-status.xml", source="mechelen")
    assert (after_table.valid, after_table.counts.inserted) == (1, 1)


@pytest.mark.parametrize("name", ["truncated.geojson", "gent-truncated.json"])
def test_an_unreadable_file_is_one_error_and_is_kept_in_quarantine(
    parking: Pilot, engine: Engine, name: str
) -> None:
    with pytest.raises(UnreadableInput, match="line"):
        ingest(parking, engine, name)
    kept = rows(engine, "SELECT origin, rules, position FROM quarantine")
    assert kept == [{"origin": name, "rules": "core.unreadable", "position": None}]


def test_dry_run_writes_nothing(parking: Pilot, engine: Engine) -> None:
    path = PARKING / "sites-wgs84.csv"
    summary = process_file(
        parking, parking.adapter("csv"), FileJob(path, "lab"), engine, dry_run=True
    )
    assert summary.valid == 2
    assert rows(engine, "SELECT count(*) AS n FROM parking_site") == [{"n": 0}]


def test_batches_checked_while_the_writer_is_busy_are_written_together(
    parking: Pilot, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Group commit: a slow database gets fewer, larger transactions, nothing else changes."""
    ingest(parking, engine, "sites-wgs84.csv")
    lines = ["site,observed_at,vacant"] + [
        f"P-ZUID,2026-11-20T{hour:02d}:{minute:02d}:00+01:00,{minute}"
        for hour in range(3) for minute in range(60)
    ]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    written: list[int] = []
    write = Pipeline.write

    def slow_write(self: Pipeline, checked: Checked, notices: Any = None) -> Any:
        time.sleep(0.05)  # the database is the bottleneck
        written.append(checked.size)
        return write(self, checked, notices)

    monkeypatch.setattr(Pipeline, "write", slow_write)
    adapter = choose_adapter(parking, path, None)
    summary = process_file(
        parking, adapter, FileJob(path, "lab"), engine, dry_run=False, batch_size=10
    )
    assert summary.counts.inserted == summary.valid == 180
    assert sum(written) == 180 and len(written) < 18 and max(written) > 10
    assert len(rows(engine, "SELECT id FROM parking_observation")) == 180
