"""The Things Stack v3 uplinks of bay sensors: every way of giving the state, and refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.ingest.envelope import Canonical, RawRecord, ReadContext, RecordRejected
from core.pilot import Pilot
from pilots.parking.formats.ttn import PAYLOAD_DECODERS, first_byte, map_uplink, uplink_status
from pilots.parking.message_adapters import TtnAdapter

MESSAGES = Path(__file__).resolve().parents[2] / "fixtures" / "parking" / "messages"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
TOPIC = "v3/kortrijk-parking@ttn/devices/bay-kortrijk-0042/up"
POINT = {"type": "Point", "coordinates": [3.26488, 50.82731]}
DEV_EUI = "70B3D57ED0051A2F"
UPLINK_TIME = "2026-11-20T09:41:07.301Z"
ADAPTER = TtnAdapter()


def context(**options: str) -> ReadContext:
    return ReadContext("kortrijk-bays", TOPIC, NOW, options=options)


def records(name: str, ctx: ReadContext | None = None) -> list[RawRecord]:
    with (MESSAGES / name).open("rb") as stream:
        return list(ADAPTER.read(stream, ctx or context()))


def mapped(name: str, ctx: ReadContext | None = None) -> list[Canonical]:
    ctx = ctx or context()
    (raw,) = records(name, ctx)
    return ADAPTER.map(raw, ctx)


def rejected(name: str, ctx: ReadContext | None = None) -> list[tuple[str, str | None, str]]:
    with pytest.raises(RecordRejected) as caught:
        mapped(name, ctx)
    return [(p.rule, p.term, p.message) for p in caught.value.problems]


def pair(bay: dict[str, Any], status: str, observed_at: str = UPLINK_TIME) -> list[Canonical]:
    return [
        Canonical("bay", bay),
        Canonical("bay_observation", {"bay": bay["id"], "observed_at": observed_at,
                                      "status": status}),
    ]


def bay(device_id: str, dev_eui: str = DEV_EUI, geometry: Any = POINT) -> dict[str, Any]:
    values = {"id": device_id, "device": dev_eui, "geometry": geometry}
    return {key: value for key, value in values.items() if value is not None}


VALID = [
    ("ttn-uplink.json", pair(bay("bay-kortrijk-0042"), "occupied")),
    ("ttn-status-free.json", pair(bay("bay-kortrijk-0043", "70B3D57ED0051A30"), "free")),
    ("ttn-carstatus.json", pair(bay("bay-kortrijk-0044"), "occupied")),
    ("ttn-frm-free.json", pair(bay("bay-kortrijk-0045"), "free")),
    ("ttn-frm-occupied.json", pair(bay("bay-kortrijk-0046"), "occupied")),
    # No registered location and no Network Server time: no geometry, the AS time.
    ("ttn-no-location.json",
     pair(bay("bay-kortrijk-0042", geometry=None), "occupied", "2026-11-20T09:41:07.512Z")),
]


@pytest.mark.parametrize(("name", "expected"), VALID)
def test_uplinks_map_to_a_bay_and_its_state(name: str, expected: list[Canonical]) -> None:
    assert mapped(name) == expected


@pytest.mark.parametrize(("name", "term", "message"), [
    ("ttn-frm-invalid.json", "bay_observation.status",
     "payload decoder 'first-byte': first byte 0x07 is neither 0x00 (free) nor 0x01 (occupied)"),
    ("ttn-join-accept.json", None,
     "this is a join-accept message, not an uplink; only uplinks (topic .../up) carry bay states"),
    ("ttn-no-device-id.json", "bay.id", "the uplink names no device (end_device_ids.device_id)"),
])
def test_messages_that_cannot_be_mapped_say_why(name: str, term: str | None, message: str) -> None:
    assert rejected(name) == [("parking.mapping", term, message)]


@pytest.mark.parametrize("kind", ["downlink_queued", "downlink_ack", "service_data",
                                  "location_solved"])
def test_other_application_messages_are_not_uplinks(kind: str) -> None:
    message = {"end_device_ids": {"device_id": "bay-1"}, "received_at": UPLINK_TIME, kind: {}}
    with pytest.raises(RecordRejected, match="not an uplink"):
        map_uplink(message)


@pytest.mark.parametrize(("decoded", "expected"), [
    ({"occupied": False}, "free"),
    ({"occupied": True}, "occupied"),
    ({"status": "Occupied"}, "occupied"),
    ({"status": " vacant "}, "free"),
    ({"status": "FREE"}, "free"),
    ({"carStatus": 0}, "free"),
    ({"carStatus": 1}, "occupied"),
])
def test_decoded_payload_forms(decoded: dict[str, Any], expected: str) -> None:
    assert uplink_status({"decoded_payload": decoded, "frm_payload": "Bw=="}) == expected


@pytest.mark.parametrize(("decoded", "fragment"), [
    ({"occupied": "yes"}, "decoded_payload.occupied 'yes' is not true or false"),
    ({"status": "parked"}, "decoded_payload.status 'parked' is not free, vacant"),
    ({"carStatus": 2}, "decoded_payload.carStatus 2 is not 0 (free) or 1 (occupied)"),
    ({"carStatus": [1]}, "decoded_payload.carStatus [1] is not 0"),
])
def test_a_bad_decoded_value_is_not_guessed_from_the_payload(
    decoded: dict[str, Any], fragment: str
) -> None:
    message = {"end_device_ids": {"device_id": "bay-1"},
               "uplink_message": {"received_at": UPLINK_TIME, "decoded_payload": decoded,
                                  "frm_payload": "AQ=="}}
    with pytest.raises(RecordRejected) as caught:
        map_uplink(message)
    assert fragment in caught.value.problems[0].message


def test_decoded_payload_without_a_flag_falls_back_to_the_raw_payload() -> None:
    uplink = {"decoded_payload": {"battery": 3.6}, "frm_payload": "AAE="}
    assert uplink_status(uplink) == "free"


def test_the_sources_decoder_option_names_the_payload_decoder() -> None:
    assert PAYLOAD_DECODERS["first-byte"] is first_byte
    problems = rejected("ttn-frm-free.json", context(decoder="nedap-v2"))
    assert problems == [("parking.mapping", None,
                         "unknown payload decoder 'nedap-v2'; known: first-byte")]
    assert mapped("ttn-frm-free.json", context(decoder="first-byte"))[1].values["status"] == "free"


@pytest.mark.parametrize(("uplink", "fragment"), [
    ({}, "the uplink carries no bay state"),
    ({"decoded_payload": {"battery": 3.6}}, "the uplink carries no bay state"),
    ({"frm_payload": "not base64!"}, "frm_payload is not base64"),
])
def test_uplinks_without_a_usable_state(uplink: dict[str, Any], fragment: str) -> None:
    message = {"end_device_ids": {"device_id": "bay-1"},
               "uplink_message": {"received_at": UPLINK_TIME, **uplink}}
    with pytest.raises(RecordRejected, match=fragment):
        map_uplink(message)


def test_every_reason_is_reported_at_once() -> None:
    message = {"end_device_ids": {}, "uplink_message": {"frm_payload": "Bw=="}}
    with pytest.raises(RecordRejected) as caught:
        map_uplink(message)
    assert [p.term for p in caught.value.problems] == [
        "bay.id", "bay_observation.observed_at", "bay_observation.status"]


def test_a_live_message_is_mapped_from_its_decoded_json() -> None:
    """The MQTT consumer hands over the decoded JSON and the topic as origin."""
    (recorded,) = records("ttn-uplink.json")
    live = RawRecord("kortrijk-bays", TOPIC, None, NOW, recorded.content)
    assert ADAPTER.map(live, context()) == VALID[0][1]


def test_a_json_lines_file_of_three_uplinks() -> None:
    raws = records("ttn-uplinks.jsonl")
    assert [raw.position for raw in raws] == [1, 2, 3]
    states = [ADAPTER.map(raw, context())[1].values for raw in raws]
    assert [(s["bay"], s["status"], s["observed_at"]) for s in states] == [
        ("bay-kortrijk-0042", "occupied", "2026-11-20T09:41:07.301Z"),
        ("bay-kortrijk-0042", "free", "2026-11-20T09:52:31.301Z"),
        ("bay-kortrijk-0048", "occupied", "2026-11-20T09:53:02.301Z"),
    ]


def test_sniff_recognises_uplinks_only() -> None:
    assert ADAPTER.sniff((MESSAGES / "ttn-uplink.json").read_bytes()[:1024], "up.json")
    assert not ADAPTER.sniff((MESSAGES / "senml-garage.json").read_bytes(), "x.json")


@pytest.mark.parametrize("name", [name for name, _ in VALID])
def test_mapped_uplinks_pass_the_handbook_validator(parking: Pilot, name: str) -> None:
    ctx = context()
    for record in mapped(name, ctx):
        assert parking.validator.validate(record, ctx, None) == []


def test_the_validator_still_judges_what_the_adapter_passes_on(parking: Pilot) -> None:
    ctx = context()
    far_away = mapped("ttn-uplink.json", ctx)[0]
    far_away.values["geometry"] = {"type": "Point", "coordinates": [13.4, 52.5]}
    assert [p.rule for p in parking.validator.validate(far_away, ctx)] == ["core.outside-belgium"]
