"""The Things Stack (LoRaWAN Network Server v3) uplink messages from on-street bay sensors.

An uplink (topic ``v3/{application}@{tenant}/devices/{device}/up``) becomes the bay the device
watches and the bay's state at the time the network received the frame:

* the bay id is ``end_device_ids.device_id`` (the name the city gave the device in its TTS
  application); the DevEUI is kept as the bay's ``device``; the location is the one registered
  on the device (``uplink_message.locations.user``), only when there is one;
* ``observed_at`` is ``uplink_message.received_at`` (Network Server), else the message's own
  ``received_at`` (Application Server), as written: LoRaWAN frames carry no sensor clock;
* the state comes from the application's payload formatter (``decoded_payload``: ``occupied``
  true/false, ``status`` free/vacant/occupied/closed/unknown in any case, or ``carStatus`` 0/1),
  else from ``frm_payload`` through the source's payload decoder (:data:`PAYLOAD_DECODERS`).

Other application messages (join accepts, downlink events, service data, solved locations) carry
no bay state and are refused with a sentence saying what they are.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import Any

from core.ingest.envelope import Canonical, Problem, RecordRejected

RULE = "parking.mapping"
DEFAULT_DECODER = "first-byte"
#: Application-Server messages that are not uplinks, by the member that carries them.
NOT_UPLINKS = {
    "join_accept": "a join-accept",
    "downlink_ack": "a downlink acknowledgement",
    "downlink_nack": "a downlink rejection",
    "downlink_sent": "a downlink-sent event",
    "downlink_failed": "a downlink failure",
    "downlink_queued": "a downlink-queued event",
    "downlink_queue_invalidated": "a downlink-queue invalidation",
    "location_solved": "a solved location",
    "service_data": "a service-data message",
    "uplink_normalized": "a normalized uplink",
}
_WORDS = {
    "free": "free",
    "vacant": "free",
    "occupied": "occupied",
    "closed": "closed",
    "unknown": "unknown",
}
_FLAGS = {0: "free", 1: "occupied"}


class _Unmapped(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


PayloadDecoder = Callable[[bytes], str]


def first_byte(payload: bytes) -> str:
    """The common single-byte bay sensor frame: 0x00 is free, 0x01 is occupied."""
    if not payload:
        raise ValueError("the payload is empty")
    if payload[0] not in _FLAGS:
        raise ValueError(
            f"first byte 0x{payload[0]:02X} is neither 0x00 (free) nor 0x01 (occupied)"
        )
    return _FLAGS[payload[0]]


#: Decoders a source may name in its ``decoder`` option, for devices without a TTS formatter.
PAYLOAD_DECODERS: Mapping[str, PayloadDecoder] = {"first-byte": first_byte}


def _problem(
    message: str, term: str | None = None, found: Any = None, expected: str | None = None
) -> Problem:
    return Problem(RULE, message, term, found, expected)


def looks_like_ttn(head: bytes) -> bool:
    """A The Things Stack v3 application message names the device in ``end_device_ids``."""
    return b'"end_device_ids"' in head


def map_uplink(message: Any, decoder: str = DEFAULT_DECODER) -> list[Canonical]:
    """The bay and its state from one uplink; RecordRejected lists every reason it cannot."""
    if not isinstance(message, dict):
        raise RecordRejected(
            [
                _problem(
                    "the message is not a JSON object",
                    None,
                    type(message).__name__,
                    "a TTS v3 uplink message",
                )
            ]
        )
    uplink = message.get("uplink_message")
    if not isinstance(uplink, dict):
        raise RecordRejected([_not_an_uplink(message)])
    problems: list[Problem] = []
    ids = message.get("end_device_ids")
    device_id = ids.get("device_id") if isinstance(ids, dict) else None
    if not isinstance(device_id, str) or not device_id.strip():
        problems.append(
            _problem(
                "the uplink names no device (end_device_ids.device_id)",
                "bay.id",
                device_id,
                "the device id",
            )
        )
    observed_at = uplink.get("received_at") or message.get("received_at")
    if not observed_at:
        problems.append(
            _problem(
                "the uplink has no received_at time",
                "bay_observation.observed_at",
                None,
                "an ISO 8601 time",
            )
        )
    status: str | None = None
    try:
        status = uplink_status(uplink, decoder)
    except _Unmapped as unmapped:
        problems.append(unmapped.problem)
    if problems:
        raise RecordRejected(problems)
    assert isinstance(device_id, str) and status is not None
    bay: dict[str, Any] = {"id": device_id}
    if isinstance(ids, dict) and ids.get("dev_eui"):
        bay["device"] = ids["dev_eui"]
    point = _registered_point(uplink)
    if point is not None:
        bay["geometry"] = point
    state = {"bay": device_id, "observed_at": observed_at, "status": status}
    return [Canonical("bay", bay), Canonical("bay_observation", state)]


def uplink_status(uplink: Mapping[str, Any], decoder: str = DEFAULT_DECODER) -> str:
    """free/occupied/... from the formatter's ``decoded_payload``, else from ``frm_payload``."""
    decoded = uplink.get("decoded_payload")
    if isinstance(decoded, dict):
        status = _decoded_status(decoded)
        if status is not None:
            return status
    payload = uplink.get("frm_payload")
    if not payload:
        raise _Unmapped(
            _problem(
                "the uplink carries no bay state: decoded_payload has no 'occupied', 'status' or "
                "'carStatus' and there is no frm_payload",
                "bay_observation.status",
                None,
                "a decoded occupancy flag or a payload",
            )
        )
    try:
        frame = base64.b64decode(str(payload), validate=True)
    except (binascii.Error, ValueError):
        raise _Unmapped(
            _problem(
                "frm_payload is not base64",
                "bay_observation.status",
                payload,
                "a base64 LoRaWAN payload",
            )
        ) from None
    decode = PAYLOAD_DECODERS.get(decoder)
    if decode is None:
        known = ", ".join(sorted(PAYLOAD_DECODERS))
        raise _Unmapped(
            _problem(f"unknown payload decoder '{decoder}'; known: {known}", None, decoder, known)
        )
    try:
        return decode(frame)
    except ValueError as error:
        raise _Unmapped(
            _problem(
                f"payload decoder '{decoder}': {error}",
                "bay_observation.status",
                frame.hex(),
                "0x00 or 0x01",
            )
        ) from None


def _decoded_status(decoded: Mapping[str, Any]) -> str | None:
    """The state a payload formatter reported, None when it reported none of the known keys."""
    if "occupied" in decoded:
        flag = decoded["occupied"]
        if isinstance(flag, bool) or flag in (0, 1):
            return "occupied" if flag else "free"
        raise _bad("occupied", flag, "true or false")
    if "status" in decoded:
        word = decoded["status"]
        status = _WORDS.get(word.strip().lower()) if isinstance(word, str) else None
        if status is None:
            raise _bad("status", word, "free, vacant, occupied, closed or unknown")
        return status
    if "carStatus" in decoded:
        code = decoded["carStatus"]
        if isinstance(code, bool) or not isinstance(code, int) or code not in _FLAGS:
            raise _bad("carStatus", code, "0 (free) or 1 (occupied)")
        return _FLAGS[code]
    return None


def _bad(key: str, value: Any, expected: str) -> _Unmapped:
    return _Unmapped(
        _problem(
            f"decoded_payload.{key} {value!r} is not {expected}",
            "bay_observation.status",
            value,
            expected,
        )
    )


def _registered_point(uplink: Mapping[str, Any]) -> dict[str, Any] | None:
    locations = uplink.get("locations")
    user = locations.get("user") if isinstance(locations, dict) else None
    if not isinstance(user, dict):
        return None
    lon, lat = user.get("longitude"), user.get("latitude")
    if lon is None or lat is None:
        return None
    return {"type": "Point", "coordinates": [lon, lat]}


def _not_an_uplink(message: Mapping[str, Any]) -> Problem:
    kind = next((label for key, label in NOT_UPLINKS.items() if key in message), None)
    what = f"{kind} message" if kind else "a message without 'uplink_message'"
    return _problem(
        f"this is {what}, not an uplink; only uplinks (topic .../up) carry bay states",
        None,
        ", ".join(sorted(message)),
        "a TTS v3 uplink",
    )
