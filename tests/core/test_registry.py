"""The pilot registry (entry points, duplicate ids) and format selection of the Pilot contract."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from core.errors import DuplicatePilot, UnknownFormat, UnknownPilot, UnreadableInput
from core.ingest.files import choose_adapter
from core.pilot import ENTRY_POINT_GROUP, Pilot, Registry, load_registry
from pilots.parking import HERE as PARKING_PACKAGE
from tests.conftest import FIXTURES

PARKING = FIXTURES / "parking"
PARKING_FORMATS = ", ".join(sorted(load_registry().get("parking").adapters))
#: Fixtures no single adapter claims, with the error detection gives for them.
UNDETECTABLE = {
    "gent-empty.json": "cannot tell the format of 'gent-empty.json'; pass --format "
                       f"(one of: {PARKING_FORMATS})",
}


def expected_format(name: str) -> str:
    for prefix, format_id in (("ttn-", "ttn"), ("senml-", "senml"), ("ngsi-ld-", "ngsi-ld")):
        if name.startswith(prefix):
            return format_id
    if name.startswith("gent-") and name.endswith(".json"):
        return "gent-json"
    if name.startswith("datex2-") and name.endswith(".xml"):
        return "datex2"
    return {".csv": "csv", ".geojson": "geojson", ".jsonl": "json"}[Path(name).suffix]


DETECTABLE = [PARKING / name for name in (
    "gent-available-over-capacity.json", "gent-closed.json", "gent-export-city-centre.json",
    "gent-export.json", "gent-geometry-only.json", "gent-locationanddimension-only.json",
    "gent-naive-lastupdate.json", "gent-no-id.json", "gent-nonnumeric-capacity.json",
    "gent-truncated.json", "gent-v1-geometry-only.json", "gent-v1-records.json",
    "gent-v2-records.json", "datex2-truncated-x.xml", "datex2-v3-status.xml",
    "datex2-v3-table.xml", "observations.csv", "sites-and-observations.csv",
    "sites-lambert2008.csv", "sites-lambert72.csv", "sites-wgs84.csv", "sites-wkt.csv",
    "sites-lambert72.geojson", "sites.geojson", "truncated.geojson", "bays.jsonl",
    "messages/ttn-uplink.json", "messages/senml-garage.json", "messages/ngsi-ld-notification.json",
)] + sorted((PARKING_PACKAGE / "demo").iterdir())


def test_load_registry_finds_parking_through_its_entry_point(registry: Registry) -> None:
    assert ENTRY_POINT_GROUP == "stadspuls.pilots"
    assert "parking" in registry.ids
    assert len(registry) == len(registry.ids) == len(list(registry))
    parking = registry.get("parking")
    assert (parking.id, parking.title, parking.handbook.pilot) == (
        "parking", "Parking availability", "parking")


def test_each_load_builds_an_equal_registry() -> None:
    assert load_registry().ids == load_registry().ids


def test_the_registry_refuses_two_pilots_with_one_id(parking: Pilot) -> None:
    twin = replace(parking, title="Another parking")
    with pytest.raises(DuplicatePilot) as caught:
        Registry([parking, twin])
    assert str(caught.value) == "two pilots declare the id 'parking'"


def test_pilots_with_distinct_ids_are_kept_in_order(parking: Pilot) -> None:
    other = replace(parking, id="air-quality", collections=())
    registry = Registry([parking, other])
    assert registry.ids == ("parking", "air-quality")
    assert registry.get("air-quality") is other
    assert set(registry.collections()) == {collection.id for collection in parking.collections}


@pytest.mark.parametrize(
    ("pilots", "message"),
    [(["parking"], "unknown pilot 'noise'; known pilots: parking"),
     (["parking", "crowding"], "unknown pilot 'noise'; known pilots: parking, crowding"),
     ([], "unknown pilot 'noise'; known pilots: none installed")],
)
def test_an_unknown_pilot_names_the_known_ones(parking: Pilot, pilots: list[str],
                                               message: str) -> None:
    registry = Registry([replace(parking, id=pilot_id, collections=()) for pilot_id in pilots])
    with pytest.raises(UnknownPilot) as caught:
        registry.get("noise")
    assert str(caught.value) == message


def test_the_registry_refuses_two_pilots_with_one_collection_id(parking: Pilot) -> None:
    other = replace(parking, id="air-quality")
    with pytest.raises(DuplicatePilot) as caught:
        Registry([parking, other])
    assert str(caught.value) == (
        "pilots 'parking' and 'air-quality' both declare the collection 'parking-sites'"
    )


def test_collections_map_to_their_pilot(registry: Registry, parking: Pilot) -> None:
    collections = registry.collections()
    assert collections
    for collection in parking.collections:
        assert collections[collection.id] == (parking, collection)


@pytest.mark.parametrize("format_id", ["csv", "datex2", "gent-json", "geojson"])
def test_a_known_format_gives_its_adapter(parking: Pilot, format_id: str) -> None:
    assert parking.adapter(format_id).format_id == format_id


@pytest.mark.parametrize("format_id", ["xlsx", "GENT-JSON", ""])
def test_an_unknown_format_lists_the_known_ones(parking: Pilot, format_id: str) -> None:
    with pytest.raises(UnknownFormat) as caught:
        parking.adapter(format_id)
    assert str(caught.value) == (
        f"pilot 'parking' has no format '{format_id}'; known formats: {PARKING_FORMATS}")


@pytest.mark.parametrize("path", DETECTABLE, ids=lambda path: path.name)
def test_detect_picks_the_format_of_each_fixture(parking: Pilot, path: Path) -> None:
    head = path.read_bytes()[: 64 * 1024]
    assert parking.detect(head, path.name).format_id == expected_format(path.name)
    assert choose_adapter(parking, path, None).format_id == expected_format(path.name)


def test_the_fixtures_cover_every_parking_format() -> None:
    assert {expected_format(path.name) for path in DETECTABLE} == set(
        PARKING_FORMATS.split(", "))


@pytest.mark.parametrize("name", sorted(UNDETECTABLE))
def test_detect_refuses_to_guess(parking: Pilot, name: str) -> None:
    head = (PARKING / name).read_bytes()
    with pytest.raises(UnknownFormat) as caught:
        parking.detect(head, name)
    assert str(caught.value) == UNDETECTABLE[name]


@pytest.mark.parametrize(
    ("head", "name", "format_id"),
    [(b'[{"totalcapacity": 1}]', "feed.txt", "gent-json"),  # content, not the name, decides
     (b"id;name\n", "SITES.CSV", "csv"),
     (b'{"type": "FeatureCollection", "features": []}', "export.json", "geojson")],
)
def test_detect_on_content_and_name(parking: Pilot, head: bytes, name: str,
                                    format_id: str) -> None:
    assert parking.detect(head, name).format_id == format_id


def test_choose_adapter_uses_the_requested_format_without_reading(parking: Pilot,
                                                                  tmp_path: Path) -> None:
    assert choose_adapter(parking, tmp_path / "absent.bin", "csv").format_id == "csv"


@pytest.mark.parametrize(("content", "message"),
                         [(b"", "empty.json: the file is empty"),
                          (b" \n\t\n", "empty.json: the file is empty")])
def test_choose_adapter_reports_an_empty_file(parking: Pilot, tmp_path: Path, content: bytes,
                                              message: str) -> None:
    path = tmp_path / "empty.json"
    path.write_bytes(content)
    with pytest.raises(UnreadableInput) as caught:
        choose_adapter(parking, path, None)
    assert str(caught.value) == message


def test_choose_adapter_reports_a_missing_file(parking: Pilot, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    with pytest.raises(UnreadableInput) as caught:
        choose_adapter(parking, path, None)
    assert str(caught.value) == f"{path}: no such file"
