"""Each accessibility format on fixture files, through the real pipeline (dry run): what is
mapped, with which method and original, and every malformed record quarantined with reasons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.ingest.envelope import Canonical, RawRecord, ReadContext, RecordRejected
from core.ingest.files import FileJob, choose_adapter, process_file
from core.ingest.pipeline import IngestSummary
from pilots.accessibility import HERE as PACKAGE
from pilots.accessibility import pilot
from pilots.accessibility.records import BuildingRecord
from tests.conftest import FIXTURES

A11Y = FIXTURES / "accessibility"
DEMO = PACKAGE / "demo"
PILOT = pilot()


def dry_run(path: Path, format_id: str | None = None) -> IngestSummary:
    adapter = choose_adapter(PILOT, path, format_id)
    return process_file(PILOT, adapter, FileJob(path), None, dry_run=True)


def records(path: Path, format_id: str | None = None) -> list[BuildingRecord]:
    """The validated building records of a file (what would be stored), in file order."""
    adapter = choose_adapter(PILOT, path, format_id)
    context = ReadContext(adapter.format_id, path.name, received_at=_now())
    found: list[BuildingRecord] = []
    with path.open("rb") as stream:
        for raw in adapter.read(stream, context):
            try:
                mapped = adapter.map(raw, context)
            except RecordRejected:
                continue
            for record in mapped:
                if not PILOT.validator.validate(record, context):
                    assert isinstance(record, BuildingRecord)
                    found.append(record)
    return found


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def by_id(found: list[BuildingRecord]) -> dict[str, BuildingRecord]:
    return {str(record.values["id"]): record for record in found}


@pytest.mark.parametrize(
    ("path", "format_id"),
    [
        (DEMO / "brugge-audit.csv", "csv"),
        (A11Y / "audit.xlsx", "xlsx"),
        (A11Y / "buildings.geojson", "geojson"),
        (DEMO / "brugge-osm.geojson", "osm"),
        (A11Y / "osm-overpass.json", "osm"),
        (DEMO / "gent-a11yjson.json", "a11yjson"),
        (A11Y / "a11yjson-malformed.json", "a11yjson"),
    ],
)
def test_formats_are_detected(path: Path, format_id: str) -> None:
    assert choose_adapter(PILOT, path, None).format_id == format_id


def test_audit_csv_converts_units_and_keeps_the_original() -> None:
    found = by_id(records(DEMO / "brugge-audit.csv"))
    town_hall = found["BR-0001"]
    assert town_hall.values["entrance_door_width"] == 95.0  # the header said mm
    assert town_hall.originals["entrance_door_width"] == "950 mm"
    assert town_hall.values["ramp_length"] == 400.0 and town_hall.values["ramp_rise"] == 24.0
    assert town_hall.values["ramp_slope"] == 6.0 and town_hall.originals["ramp_slope"] == "6 %"
    assert town_hall.values["entrance_threshold_height"] == 1.5  # a decimal comma
    assert town_hall.values["observed_at"].isoformat() == "2025-03-14T00:00:00+00:00"
    assert set(town_hall.methods.values()) == {"measured"}
    assert town_hall.values["geometry"].coords[0] == (3.2265, 51.2085)


def test_audit_xlsx_in_lambert72_with_degrees() -> None:
    summary = dry_run(A11Y / "audit.xlsx")
    assert (summary.read, summary.valid, summary.quarantined) == (2, 1, 1)
    (rejected,) = summary.rejected
    assert rejected.position == 4
    assert [p.rule for p in rejected.problems] == ["core.datatype"]
    assert "entrance_door_width" in rejected.problems[0].message
    (record,) = records(A11Y / "audit.xlsx")
    point = record.values["geometry"]
    assert 3.1 < point.x < 3.4 and 51.1 < point.y < 51.3  # reprojected from EPSG:31370
    assert record.values["entrance_door_width"] == 95.0
    assert record.values["ramp_slope"] == pytest.approx(5.941, abs=1e-3)
    assert record.originals["ramp_slope"] == "3.4 °"


def test_malformed_audit_rows_are_quarantined_with_their_reasons() -> None:
    summary = dry_run(A11Y / "audit-malformed.csv")
    assert (summary.read, summary.valid, summary.quarantined) == (6, 1, 5)
    reasons = {report.position: {p.rule for p in report.problems} for report in summary.rejected}
    assert reasons == {
        2: {"core.datatype"},  # inches
        3: {"core.required"},  # no id
        4: {"core.datatype"},  # "many" steps
        5: {"accessibility.has-measurement"},
        6: {"core.outside-belgium"},
    }


def test_canonical_geojson_with_a_declared_crs_and_a_bad_address_uri() -> None:
    summary = dry_run(A11Y / "buildings.geojson")
    assert (summary.valid, summary.quarantined) == (1, 1)
    assert [p.rule for p in summary.rejected[0].problems] == ["accessibility.address-uri"]
    (record,) = records(A11Y / "buildings.geojson")
    assert record.values["address_uri"] == "https://data.vlaanderen.be/id/adres/1234567"
    assert record.methods["entrance_door_width"] == "measured"


def test_osm_export_groups_entrances_with_their_building_and_records_tags() -> None:
    summary = dry_run(DEMO / "brugge-osm.geojson")
    assert (summary.read, summary.valid, summary.quarantined) == (2, 2, 0)
    found = by_id(records(DEMO / "brugge-osm.geojson"))
    town_hall = found["way/4815162"]
    values = town_hall.values
    # the service entrance (ramp, automatic door) is the one a wheelchair user takes
    assert values["entrance_door_width"] == 110.0
    assert town_hall.originals["entrance_door_width"] == "door:width=1.1 (node/2342343)"
    assert values["ramp_present"] is True and values["ramp_slope"] == 6.0
    assert values["automatic_door"] is True and values["toilet_present"] is True
    assert values["wheelchair_reported"] == "limited"
    assert values["osm_id"] == "way/4815162" and values["service_kind"] == "town-hall"
    assert set(town_hall.methods.values()) == {"tag"}
    assert found["node/987654"].values["hearing_loop"] is True


def test_overpass_json_builds_ways_from_their_nodes() -> None:
    found = by_id(records(A11Y / "osm-overpass.json"))
    assert set(found) == {"way/700", "node/702"}
    town_hall = found["way/700"].values
    assert town_hall["geometry"].geom_type == "Polygon"
    assert town_hall["entrance_door_width"] == 95.0 and town_hall["entrance_step_count"] == 0
    assert "ramp_slope" not in town_hall  # incline=up is a direction, not a slope
    assert town_hall["observed_at"].isoformat() == "2025-06-01T10:00:00+00:00"
    assert town_hall["address"] == "Botermarkt 1, 9000 Gent"


def test_malformed_osm_is_quarantined_with_reasons() -> None:
    summary = dry_run(A11Y / "osm-malformed.geojson")
    assert (summary.read, summary.valid, summary.quarantined) == (4, 1, 3)
    messages = sorted(p.message for r in summary.rejected for p in r.problems)
    assert any("door:width" in m and "'wide'" in m for m in messages)
    assert any("lies on no building" in m for m in messages)
    assert any("has no id" in m for m in messages)
    (police,) = records(A11Y / "osm-malformed.geojson")
    assert police.values["ramp_slope"] == pytest.approx(21.256, abs=1e-3)  # 12° as percent


def test_a11yjson_place_infos() -> None:
    found = by_id(records(DEMO / "gent-a11yjson.json"))
    town_hall = found["gent-stadhuis"]
    values = town_hall.values
    assert values["entrance_door_width"] == 95.0  # the level side entrance, not the stairs
    assert values["entrance_step_count"] == 0 and values["entrance_threshold_height"] == 1.0
    assert town_hall.originals["entrance_door_width"] == "entrances[1].door.width=95cm"
    assert values["toilet_door_width"] == 93.0 and values["toilet_transfer_left"] == 95.0
    assert values["parking_distance"] == 30.0 and values["parking_reserved_width"] == 350.0
    assert values["wheelchair_reported"] == "yes" and values["assistance_dogs_allowed"] is True
    assert town_hall.methods["entrance_door_width"] == "measured"
    assert town_hall.methods["automatic_door"] == "tag"
    assert values["name"] == "Stadhuis Gent" and values["city"] == "Gent"


def test_malformed_a11yjson_is_quarantined_with_reasons() -> None:
    summary = dry_run(A11Y / "a11yjson-malformed.json")
    assert (summary.read, summary.valid, summary.quarantined) == (4, 0, 4)
    rules = [sorted({p.rule for p in report.problems}) for report in summary.rejected]
    assert rules == [
        ["core.datatype"],  # 36 in
        ["accessibility.mapping"],  # no accessibility object
        ["accessibility.mapping"],  # not a PlaceInfo
        ["core.required"],  # no geometry
    ]


def test_map_is_pure_over_the_raw_content() -> None:
    adapter = PILOT.adapter("osm")
    context = ReadContext("osm", "x", received_at=_now())
    raw = RawRecord("osm", "x", 1, _now(), {"building": None, "entrances": [{"id": 1}]})
    with pytest.raises(Exception, match="lies on no building"):
        adapter.map(raw, context)
    raw.content = {
        "building": {
            "type": "Feature",
            "id": "node/1",
            "properties": {"name": "X", "hearing_loop": "yes"},
            "geometry": {"type": "Point", "coordinates": [3.2, 51.2]},
        },
        "entrances": [],
    }
    first: list[Canonical] = adapter.map(raw, context)
    second: list[Canonical] = adapter.map(raw, context)
    assert first[0].values == second[0].values
