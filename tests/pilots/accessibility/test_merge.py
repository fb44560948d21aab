"""Several sources, one building, on both backends: matching, precedence, conflicts, and the
published collection through the API with profile and city filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from core.ingest.files import FileJob, choose_adapter, process_file
from core.pilot import Registry
from core.reports.model import build_report
from core.reports.text import report_lines
from core.settings import DatabaseSettings
from core.storage import table_of
from pilots.accessibility import HERE as PACKAGE
from pilots.accessibility import pilot
from pilots.accessibility.models import AccessibilityBuilding
from tests.api.conftest import api_settings
from tests.conftest import FIXTURES

A11Y = FIXTURES / "accessibility"
DEMO = PACKAGE / "demo"


def ingest(engine: Engine, path: Path, source: str) -> None:
    chosen = pilot()
    adapter = choose_adapter(chosen, path, None)
    process_file(chosen, adapter, FileJob(path, source), engine, dry_run=False)


def buildings(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table_of(AccessibilityBuilding))).mappings()
        return {row["id"]: dict(row) for row in rows}


def demo(engine: Engine) -> None:
    ingest(engine, DEMO / "brugge-osm.geojson", "osm")
    ingest(engine, DEMO / "brugge-audit.csv", "brugge-audit")
    ingest(engine, DEMO / "gent-a11yjson.json", "gent-a11y")


def test_sources_merge_by_osm_id_and_by_proximity_and_name(engine: Engine) -> None:
    demo(engine)
    found = buildings(engine)
    assert found["brugge-audit:BR-0001"]["sources"] == [
        "brugge-audit:BR-0001", "osm:way-4815162"]  # the audit names the OSM way
    assert found["brugge-audit:BR-0002"]["sources"] == [
        "brugge-audit:BR-0002", "osm:node-987654"]  # 4 m apart, the same name
    assert len(found) == 5


def test_measured_beats_tag_and_the_conflict_is_published(engine: Engine) -> None:
    demo(engine)
    town_hall = buildings(engine)["brugge-audit:BR-0001"]
    door = town_hall["measurements"]["entrance_door_width"]
    assert (door["value"], door["method"], door["source"], door["original"]) == (
        95.0, "measured", "brugge-audit", "950 mm")
    (conflict,) = [c for c in town_hall["conflicts"] if c["term"] == "entrance_door_width"]
    assert [(o["value"], o["method"], o["original"]) for o in conflict["others"]] == [
        (110.0, "tag", "door:width=1.1 (node/2342343)")]
    assert town_hall["measurements"]["wheelchair_reported"]["method"] == "tag"
    assert town_hall["geometry"].geom_type == "Polygon"  # the OSM footprint
    assert town_hall["name"] == "Stadhuis Brugge"


def test_a_newer_audit_beats_an_older_one_whatever_the_order(engine: Engine) -> None:
    demo(engine)
    library = "brugge-audit:BR-0002"
    assert buildings(engine)[library]["wheelchair"] == "not-accessible"
    ingest(engine, A11Y / "audit-newer.csv", "brugge-reaudit")
    library_now = buildings(engine)[library]
    door = library_now["measurements"]["entrance_door_width"]
    assert (door["value"], door["source"]) == (96.0, "brugge-reaudit")
    (conflict,) = [c for c in library_now["conflicts"] if c["term"] == "entrance_door_width"]
    assert conflict["others"][0]["value"] == 78.0
    # the wider door no longer decides; the 2 cm threshold (art. 18: "tot twee cm", so 2 cm
    # is too high) and the 140 cm corridor still do
    assert library_now["profiles"]["wheelchair"]["deciding"] == [
        "entrance.threshold", "circulation.corridor-width"]
    assert library_now["profiles"]["wheelchair"]["reasons"]["en"] == [
        "entrance threshold 2 cm (needs < 2 cm)", "corridor 140 cm (needs ≥ 150 cm)"]


def test_reingesting_a_file_changes_nothing(engine: Engine) -> None:
    demo(engine)
    before = {key: {k: v for k, v in row.items() if k != "updated_at"}
              for key, row in buildings(engine).items()}
    chosen = pilot()
    path = DEMO / "brugge-audit.csv"
    summary = process_file(chosen, choose_adapter(chosen, path, None),
                           FileJob(path, "brugge-audit"), engine, dry_run=False)
    assert (summary.counts.inserted, summary.counts.updated) == (0, 0)
    after = {key: {k: v for k, v in row.items() if k != "updated_at"}
             for key, row in buildings(engine).items()}
    assert after.keys() == before.keys()
    assert all(after[key]["measurements"] == before[key]["measurements"] for key in after)


def test_the_collection_filters_on_profile_level_and_city(
    engine: Engine, database_url: str, registry: Registry
) -> None:
    demo(engine)
    app = create_app(api_settings(), DatabaseSettings(database_url=database_url), registry)
    with TestClient(app) as client:
        base = "/collections/accessibility-buildings"
        queryables = client.get(f"{base}/queryables").json()["properties"]
        assert {"city", "wheelchair", "deaf", "blind"} <= set(queryables)
        brugge = client.get(f"{base}/items", params={"city": "Brugge", "limit": 50}).json()
        assert brugge["numberMatched"] == 3
        blocked = client.get(f"{base}/items", params={"wheelchair": "not-accessible"}).json()
        ids = sorted(feature["id"] for feature in blocked["features"])
        assert ids == ["brugge-audit:BR-0002", "brugge-audit:BR-0003"]
        library = next(f for f in blocked["features"] if f["id"] == "brugge-audit:BR-0002")
        properties = library["properties"]
        assert properties["profiles"]["wheelchair"]["reasons"]["en"] == [
            "entrance door 78 cm (needs ≥ 90 cm)", "entrance threshold 2 cm (needs < 2 cm)"]
        assert properties["criteria"]["entrance.door-width"]["outcome"] == "fail"
        assert properties["measurements"]["hearing_loop"]["source"] in ("brugge-audit", "osm")
        both = client.get(f"{base}/items", params={"wheelchair": "accessible", "city": "Gent"})
        assert [f["id"] for f in both.json()["features"]] == ["gent-a11y:gent-de-krook"]
        bad = client.get(f"{base}/items", params={"wheelchairs": "accessible"})
        assert bad.status_code == 400
        assert bad.headers["content-type"].startswith("application/problem+json")
        one = client.get(f"{base}/items/brugge-audit:BR-0001")
        assert one.status_code == 200 and one.json()["geometry"]["type"] == "Polygon"


def test_conflicts_are_reported_in_the_ingest_report(engine: Engine) -> None:
    demo(engine)
    chosen = pilot()
    path = A11Y / "audit-newer.csv"
    summary = process_file(
        chosen, choose_adapter(chosen, path, None), FileJob(path, "brugge-reaudit"), engine,
        dry_run=False,
    )
    doors = [n for n in summary.notices if n.problem.term == "building.entrance_door_width"]
    (door,) = [n for n in doors if n.subject == "brugge-audit:BR-0002"]
    assert door.problem.rule == "accessibility.conflict"
    assert door.problem.found == [78.0] and door.problem.expected == "96.0 cm"
    assert "kept 96.0 cm (measured, brugge-reaudit:" in door.problem.message
    report = build_report(path.name, "accessibility", "csv", summary, chosen.handbook)
    assert {"subject": "brugge-audit:BR-0002", **door.problem.as_dict()} in report.as_dict()[
        "notices"]
    assert any(line.startswith("  notice [accessibility.conflict] brugge-audit:BR-0002")
               for line in report_lines(report))
