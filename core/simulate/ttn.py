"""The Things Stack (LoRaWAN Network Server v3) uplink messages, as an application receives them.

The form follows the Application Server's MQTT integration: topic
``v3/{application}@{tenant}/devices/{device}/up``, ``end_device_ids``, ``received_at`` and an
``uplink_message`` with the raw frame (``frm_payload``, base64), the payload formatter's
``decoded_payload`` (plain JSON: ``{"occupied": true, "battery": 3.6}``), gateway metadata and the
time the Network Server received the frame (``uplink_message.received_at``).

``locations.user`` (the location registered on the device) is included only when asked: real
network servers often send it with the first uplinks only, so consumers must keep the last known
location instead of expecting it on every message.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from core.simulate.curves import unit

_ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class Device:
    """A bay sensor as registered in a TTS application."""

    device_id: str
    dev_eui: str
    dev_addr: str
    lon: float
    lat: float


def uplink_topic(application: str, tenant: str, device_id: str) -> str:
    return f"v3/{application}@{tenant}/devices/{device_id}/up"


def rfc3339(at: datetime, *, milliseconds: bool = False) -> str:
    """``2026-11-20T09:41:07Z`` (or ``...07.512Z``): UTC with a ``Z``, as TTS writes times."""
    moment = at.astimezone(UTC)
    if milliseconds:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _ulid_like(seed: int, *parts: object) -> str:
    return "".join(
        _ULID_ALPHABET[int(unit(seed, *parts, index) * len(_ULID_ALPHABET))] for index in range(26)
    )


def uplink(
    device: Device,
    received_at: datetime,
    occupied: bool,
    f_cnt: int,
    *,
    application: str,
    tenant: str,
    seed: int = 0,
    with_location: bool = False,
) -> dict[str, Any]:
    """One uplink message of ``device``, received by the Network Server at ``received_at``."""
    frame = b"\x01" if occupied else b"\x00"
    delay = timedelta(milliseconds=10 + int(200 * unit(seed, device.device_id, f_cnt)))
    gateway_time = received_at - delay
    battery = round(3.65 - 0.15 * unit(seed, device.device_id, "battery"), 2)
    message: dict[str, Any] = {
        "f_port": 1,
        "f_cnt": f_cnt,
        "frm_payload": base64.b64encode(frame).decode("ascii"),
        "decoded_payload": {"occupied": occupied, "battery": battery},
        "rx_metadata": [
            {
                "gateway_ids": {"gateway_id": f"{application}-gw-01", "eui": "B827EBFFFE4A1C2D"},
                "time": rfc3339(gateway_time, milliseconds=True),
                "rssi": -80 - int(40 * unit(seed, device.device_id, f_cnt, "rssi")),
                "snr": round(-5 + 15 * unit(seed, device.device_id, f_cnt, "snr"), 2),
            }
        ],
        "settings": {
            "data_rate": {
                "lora": {"bandwidth": 125000, "spreading_factor": 9, "coding_rate": "4/5"}
            },
            "frequency": "867500000",
        },
        "received_at": rfc3339(received_at, milliseconds=True),
        "consumed_airtime": "0.185344s",
        "version_ids": {
            "brand_id": "stadspuls",
            "model_id": "sim-bay-sensor",
            "hardware_version": "1.0",
            "firmware_version": "1.0",
            "band_id": "EU_863_870",
        },
        "network_ids": {
            "net_id": "000013",
            "tenant_id": tenant,
            "cluster_id": "eu1",
            "cluster_address": "eu1.cloud.thethings.network",
        },
    }
    if with_location:
        message["locations"] = {
            "user": {"latitude": device.lat, "longitude": device.lon, "source": "SOURCE_REGISTRY"}
        }
    return {
        "end_device_ids": {
            "device_id": device.device_id,
            "application_ids": {"application_id": application},
            "dev_eui": device.dev_eui,
            "join_eui": "0000000000000000",
            "dev_addr": device.dev_addr,
        },
        "correlation_ids": [f"as:up:{_ulid_like(seed, device.device_id, f_cnt)}"],
        "received_at": rfc3339(received_at + timedelta(milliseconds=25), milliseconds=True),
        "uplink_message": message,
    }


def uplink_payload(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode()
