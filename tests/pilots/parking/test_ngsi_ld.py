"""NGSI-LD notifications and entities of SDM ParkingSpot and OffStreetParking."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.ingest.envelope import Canonical, RawRecord, ReadContext, RecordRejected
from core.pilot import Pilot
from pilots.parking.formats.ngsi_ld import map_entity, map_ngsi_ld
from pilots.parking.message_adapters import NgsiLdAdapter

MESSAGES = Path(__file__).resolve().parents[2] / "fixtures" / "parking" / "messages"
NOW = datetime(2026, 11, 20, 10, 5, tzinfo=UTC)
ADAPTER = NgsiLdAdapter()
DUSART = "urn:ngsi-ld:OffStreetParking:hasselt-kolonel-dusart"
PIETERS = "urn:ngsi-ld:OffStreetParking:gent-sint-pietersplein"
ZONE_A = "urn:ngsi-ld:OnStreetParking:hasselt-zone-a"
SPOT = "urn:ngsi-ld:ParkingSpot:"


def context() -> ReadContext:
    return ReadContext("hasselt-broker", "/ngsi-ld/notify", NOW)


def records(name: str) -> list[RawRecord]:
    with (MESSAGES / name).open("rb") as stream:
        return list(ADAPTER.read(stream, context()))


def mapped(name: str) -> list[Canonical]:
    return [record for raw in records(name) for record in ADAPTER.map(raw, context())]


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def spot(native: str, status: str, at: str, geometry: Any, **bay: Any) -> list[Canonical]:
    return [
        Canonical("bay", {"id": SPOT + native, "geometry": geometry, **bay}),
        Canonical("bay_observation", {"bay": SPOT + native, "observed_at": at, "status": status}),
    ]


VALID = [
    # Normalized OffStreetParking; SDM status ["open"] is an opening status.
    ("ngsi-ld-notification.json", [
        Canonical("site", {"id": DUSART, "name": "Parking Kolonel Dusart", "capacity": 480,
                           "geometry": point(5.3345, 50.9290)}),
        Canonical("observation", {"site": DUSART, "observed_at": "2026-11-20T09:45:00Z",
                                  "vacant": 212, "opening_status": "open", "capacity": 480}),
    ]),
    # keyValues OffStreetParking: dateObserved, occupancy ratio as a percentage.
    ("ngsi-ld-offstreet-keyvalues.json", [
        Canonical("site", {"id": PIETERS, "name": "Sint-Pietersplein", "capacity": 712,
                           "geometry": point(3.7266, 51.0428)}),
        Canonical("observation", {"site": PIETERS, "observed_at": "2026-11-20T09:15:02Z",
                                  "vacant": 288, "occupancy": 59.55, "status": "spacesAvailable",
                                  "opening_status": "open", "capacity": 712}),
    ]),
    # A notification of changed attributes only: no site, occupancyModified as typed value.
    ("ngsi-ld-offstreet-partial.json", [
        Canonical("observation", {"site": DUSART, "observed_at": "2026-11-20T09:59:30Z",
                                  "vacant": 0, "occupancy": 100.0, "status": "full",
                                  "opening_status": "open"}),
    ]),
    # Normalized ParkingSpots: status observedAt, refParkingSite as zone.
    ("ngsi-ld-spot-normalized.json", [
        *spot("hasselt-zone-a:001", "occupied", "2026-11-20T09:46:02Z",
              point(5.33781, 50.93072), zone=ZONE_A),
        *spot("hasselt-zone-a:002", "free", "2026-11-20T09:45:48Z",
              point(5.33786, 50.93069), zone=ZONE_A),
    ]),
    # keyValues ParkingSpots (an array: one message each), dateObserved then dateModified.
    ("ngsi-ld-spot-keyvalues.json", [
        *spot("leuven-ladeuze:17", "free", "2026-11-20T08:30:00+01:00", point(4.7005, 50.8798)),
        *spot("leuven-ladeuze:18", "closed", "2026-11-20T07:55:10Z", point(4.7007, 50.8799)),
    ]),
    # No time on the entity: the notification's notifiedAt, never the arrival time.
    ("ngsi-ld-notifiedat-fallback.json",
     spot("hasselt-zone-a:003", "free", "2026-11-20T09:47:00.250Z", point(5.33791, 50.93066))),
]


@pytest.mark.parametrize(("name", "expected"), VALID)
def test_entities_map_to_canonical_records(name: str, expected: list[Canonical]) -> None:
    assert mapped(name) == expected


def test_one_bad_entity_rejects_the_whole_notification_with_every_reason() -> None:
    with pytest.raises(RecordRejected) as caught:
        mapped("ngsi-ld-unsupported-type.json")
    assert [(p.rule, p.message) for p in caught.value.problems] == [
        ("parking.mapping", "entity 'urn:ngsi-ld:WeatherObserved:hasselt-centrum' is of type "
         "'WeatherObserved', which is not supported; supported: OffStreetParking, ParkingSpot"),
        ("parking.mapping", "entity 3 has no id"),
    ]


def test_a_state_without_any_time_is_refused() -> None:
    with pytest.raises(RecordRejected) as caught:
        mapped("ngsi-ld-no-time.json")
    (problem,) = caught.value.problems
    assert problem.term == "bay_observation.observed_at"
    assert "has no observation time" in problem.message


@pytest.mark.parametrize(("status", "expected"), [
    (["spacesAvailable"], {"status": "spacesAvailable"}),
    (["almostFull"], {"status": "almostFull"}),
    (["full"], {"status": "full"}),
    (["fullAtEntrance"], {"status": "full"}),
    (["closed"], {"status": "closed", "opening_status": "closed"}),
    (["closedAbnormal"], {"status": "closed", "opening_status": "closed"}),
    (["open"], {"opening_status": "open"}),
    (["open", "almostFull"], {"status": "almostFull", "opening_status": "open"}),
    (["open", "closed"], {"status": "closed", "opening_status": "closed"}),
    ("full", {"status": "full"}),
])
def test_sdm_site_status_values(status: Any, expected: dict[str, str]) -> None:
    entity = {"id": "urn:x", "type": "OffStreetParking", "status": status,
              "availableSpotNumber": 5, "dateObserved": "2026-11-20T09:00:00Z"}
    (record,) = map_entity(entity)
    assert {k: v for k, v in record.values.items() if k in ("status", "opening_status")} == expected


def test_an_unknown_sdm_status_is_reported() -> None:
    entity = {"id": "urn:x", "type": "OffStreetParking", "status": ["halfEmpty"],
              "dateObserved": "2026-11-20T09:00:00Z"}
    with pytest.raises(RecordRejected, match=r"status \['halfEmpty'\] is not an SDM"):
        map_entity(entity)


def test_concise_form_and_expanded_names() -> None:
    sdm = "https://smartdatamodels.org/dataModel.Parking/"
    entity = {
        "id": "urn:ngsi-ld:ParkingSpot:p1",
        "type": sdm + "ParkingSpot",
        sdm + "status": {"value": "occupied", "observedAt": "2026-11-20T09:00:00Z"},
        sdm + "refParkingSite": {"object": ZONE_A},
        "https://uri.etsi.org/ngsi-ld/location": {"value": point(4.4, 51.2)},
    }
    assert map_ngsi_ld(entity) == [
        Canonical("bay", {"id": "urn:ngsi-ld:ParkingSpot:p1", "geometry": point(4.4, 51.2),
                          "zone": ZONE_A}),
        Canonical("bay_observation", {"bay": "urn:ngsi-ld:ParkingSpot:p1",
                                      "observed_at": "2026-11-20T09:00:00Z",
                                      "status": "occupied"}),
    ]


@pytest.mark.parametrize(("message", "fragment"), [
    ({"type": "Notification", "notifiedAt": "2026-11-20T09:00:00Z"}, "no 'data' array"),
    ({"type": "Notification", "data": []}, "carries no entities"),
    ({"subscriptionId": "urn:s", "data": "x"}, "no 'data' array"),
    ({"hello": "world"}, "neither an NGSI-LD notification nor an entity"),
    ("urn:x", "neither an NGSI-LD notification nor an entity"),
    ([42], "entity 1 is not a JSON object"),
    ({"id": "urn:x", "type": "OffStreetParking", "name": "P"}, "neither a location nor"),
])
def test_malformed_messages(message: Any, fragment: str) -> None:
    with pytest.raises(RecordRejected, match=fragment):
        map_ngsi_ld(message)


def test_problems_name_what_was_found() -> None:
    with pytest.raises(RecordRejected) as caught:
        map_ngsi_ld("urn:x")
    assert caught.value.problems[0].found == "str"
    with pytest.raises(RecordRejected) as caught:
        map_ngsi_ld({"id": "urn:x", "type": "Building"})
    assert (caught.value.problems[0].found, caught.value.problems[0].expected) == (
        "Building", "OffStreetParking, ParkingSpot")


def test_a_spot_without_status_is_a_bay_only() -> None:
    entity = {"id": "urn:x", "type": "ParkingSpot", "location": point(4.4, 51.2)}
    assert map_ngsi_ld(entity) == [Canonical("bay", {"id": "urn:x", "geometry": point(4.4, 51.2)})]


def test_a_live_notification_is_mapped_from_its_decoded_json() -> None:
    (recorded,) = records("ngsi-ld-notification.json")
    live = RawRecord("hasselt-broker", "ngsi-ld/hasselt", None, NOW, recorded.content)
    assert ADAPTER.map(live, context()) == VALID[0][1]


def test_sniff() -> None:
    assert ADAPTER.sniff((MESSAGES / "ngsi-ld-notification.json").read_bytes(), "n.json")
    assert not ADAPTER.sniff((MESSAGES / "ttn-uplink.json").read_bytes(), "up.json")


@pytest.mark.parametrize("name", [name for name, _ in VALID])
def test_mapped_entities_pass_the_handbook_validator(parking: Pilot, name: str) -> None:
    ctx = context()
    for record in mapped(name):
        site = {"capacity": 480} if record.entity == "observation" else None
        assert parking.validator.validate(record, ctx, site) == []
