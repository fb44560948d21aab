"""imec CityFlows input records (data standard v0.2, 2019) as crowding locations and counts.

A record (``Id``, ``Timestamp``, ``Count``, ``Count_unit``, ``Type_count``, ``Locationrange``,
``Modality``, ``Direction``, ``Speed``, ``Magnitude flow``, ``Accuracy``; keys read in any case)
becomes the detection area of the device and one observation of it:

* **location**: ``id`` = ``Id``; ``kind`` = ``detection-area``: the standard defines
  ``Locationrange`` as the polygon "where the detected units could have been detected" (for a
  camera: the part of the street it sees); ``geometry`` = ``Locationrange`` (a GeoJSON geometry,
  or a Feature / one-feature FeatureCollection holding it). Without a ``Locationrange`` only the
  observation is emitted, and it must refer to a location registered before.
* **observation**: ``count_type`` from ``Type_count`` (``E`` event, ``I`` interval). The standard
  says the ``Timestamp`` of an interval record "denot[es] the beginning of an interval", so
  ``start`` = ``Timestamp`` and ``end`` = start + the source option ``interval_minutes`` (default
  15): the standard asks for "a constant frequency, preferably a multiple of 5 minutes" but puts
  no interval length in the record. An event has ``start`` = ``Timestamp`` and no end.
  A naive ``Timestamp`` is read in the source's declared zone, else in UTC ("ISO 8601 UTC").
* **characteristic**: ``Count`` is "the number of items counted in the interval" (for a WiFi
  scanner "the number of unique devices seen every 10 minutes"; for an event typically 1 passing
  vehicle), i.e. a throughput of the detection area, not the number present at one moment. It
  maps to ``passages`` (statistic ``total`` for intervals); a source whose count is an occupancy
  sets the option ``characteristic=presence`` (statistic: the option ``statistic``, else
  ``instant`` for events). ``Direction`` (a bearing 0-359) is kept as ``bearing``; there is no
  in/out, which exists only relative to a counting line.
* **unit** from ``Count_unit`` (:data:`UNITS`); absent or unrecognised is ``unknown``, the
  standard's default. **modality** from ``Modality`` (:data:`MODALITIES`); absent means "all
  modalities" and stays absent; an unknown word is passed on for the validator to report.
* ``Accuracy`` is kept as a fraction (the standard: "between 95% and 105% ... put 0.05");
  ``Speed`` and the flow magnitude have no handbook term and are dropped.
* ``technique``: the source option ``technique``, else ``wifi``/``bluetooth`` for device counts.

Values are passed on as found (``Count`` "12" or "abc"): the handbook validator coerces and
reports. Unknown members (even personal data, which core's privacy screen refuses first) are
ignored here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from core.ingest.envelope import Canonical, Problem, RecordRejected
from pilots.crowding.formats import (
    choice_option,
    minutes_option,
    problem,
    read_time,
    rejected,
    words,
)

DEFAULT_INTERVAL_MINUTES = 15
CHARACTERISTICS = {"passages", "presence"}
STATISTICS = {"total", "instant", "mean", "median"}
#: ``Count_unit`` words (see :func:`pilots.crowding.formats.words`) to handbook count units.
UNITS: Mapping[str, str] = {
    **dict.fromkeys(
        ["people", "person", "persons", "humans", "pedestrian", "pedestrians"], "people"
    ),
    # "the same units as the modalities": a bicycle, bus or tram is a vehicle like a car
    **dict.fromkeys(["vehicles", "vehicle", "cars", "car", "trucks", "truck"], "vehicles"),
    **dict.fromkeys(["buses", "bus", "trams", "tram", "bicycles", "bicycle"], "vehicles"),
    **dict.fromkeys(["bikes", "bike", "cyclists"], "vehicles"),
    **dict.fromkeys(["groups", "group"], "groups"),
    **dict.fromkeys(
        ["wifi devices", "wifi device", "wifi connecting devices", "wifi", "wi fi devices"],
        "wifi-devices",
    ),
    **dict.fromkeys(["bluetooth devices", "bluetooth device", "bluetooth"], "bluetooth-devices"),
    "unknown": "unknown",
}
#: ``Modality`` words to handbook modalities ("Bicyle" is the standard's own spelling).
MODALITIES: Mapping[str, str] = {
    **dict.fromkeys(["pedestrian", "pedestrians", "people"], "pedestrian"),
    **dict.fromkeys(
        ["bicycle", "bicycles", "bicyle", "bike", "bikes", "cyclist", "cyclists"], "bicycle"
    ),
    **dict.fromkeys(["car", "cars"], "car"),
    **dict.fromkeys(["truck", "trucks", "lorry", "lorries"], "truck"),
    **dict.fromkeys(["bus", "buses"], "bus"),
    **dict.fromkeys(["tram", "trams"], "tram"),
    # "Public Transport" is a standard value that spans bus and tram: no single code says it.
    **dict.fromkeys(["public transport", "other"], "other"),
}
_TECHNIQUES = {"wifi-devices": "wifi", "bluetooth-devices": "bluetooth"}
_COUNT_TYPES = {"e": "event", "event": "event", "i": "interval", "interval": "interval"}


def looks_like_cityflows(head: bytes) -> bool:
    """CityFlows records name ``Type_count`` or ``Count_unit``; Telraam reports never do."""
    lowered = head.lower()
    if b'"segment_id"' in lowered and b'"uptime"' in lowered:
        return False
    return b'"type_count"' in lowered or b'"count_unit"' in lowered


def map_cityflows(
    record: Any, options: Mapping[str, str] | None = None, timezone: str | None = None
) -> list[Canonical]:
    """The detection area and the count of one record; RecordRejected lists every reason not."""
    if not isinstance(record, dict):
        raise rejected(
            "a CityFlows record is a JSON object",
            None,
            type(record).__name__,
            "an object with Id, Timestamp, Count, Type_count, ...",
        )
    options = options or {}
    fields = {words(key).replace(" ", "_"): value for key, value in record.items()}
    problems: list[Problem] = []
    native = _text(fields.get("id"))
    if native is None:
        problems.append(
            problem("the record has no Id", "observation.location", None, "the device's Id")
        )
    count_type = _count_type(fields.get("type_count"), problems)
    if _absent(fields.get("count")):
        problems.append(problem("the record has no Count", "observation.value", None, "a number"))
    if _absent(fields.get("timestamp")):
        problems.append(
            problem("the record has no Timestamp", "observation.start", None, "an ISO 8601 time")
        )
    if problems:
        raise RecordRejected(problems)
    assert native is not None and count_type is not None
    start = read_time(fields["timestamp"], timezone or "UTC", "Timestamp")
    characteristic = choice_option(options, "characteristic", "passages", CHARACTERISTICS)
    unit = UNITS.get(words(fields.get("count_unit") or "unknown"), "unknown")
    technique = options.get("technique") or _TECHNIQUES.get(unit)
    observation: dict[str, Any] = {
        "location": native,
        "characteristic": characteristic,
        "count_type": count_type,
        "start": start,
        "value": fields["count"],
        "unit": unit,
    }
    if count_type == "interval":
        minutes = minutes_option(options, "interval_minutes", DEFAULT_INTERVAL_MINUTES)
        observation["end"] = start + timedelta(minutes=minutes)
    statistic = _statistic(options, characteristic, count_type)
    optional = {
        "statistic": statistic,
        "modality": _modality(fields.get("modality")),
        "bearing": fields.get("direction"),
        "accuracy": fields.get("accuracy"),
        "technique": technique,
    }
    observation.update({key: value for key, value in optional.items() if not _absent(value)})
    records = [Canonical("observation", observation)]
    geometry = _geometry(fields.get("locationrange"))
    if geometry is not None:
        location: dict[str, Any] = {"id": native, "kind": "detection-area", "geometry": geometry}
        if technique:
            location["technique"] = technique
        records.insert(0, Canonical("location", location))
    return records


def _count_type(value: Any, problems: list[Problem]) -> str | None:
    count_type = _COUNT_TYPES.get(str(value).strip().lower()) if not _absent(value) else None
    if count_type is None:
        found = None if _absent(value) else value
        what = "has no Type_count" if found is None else f"has Type_count {value!r}"
        problems.append(
            problem(
                f"the record {what}; it is E (event) or I (interval)",
                "observation.count_type",
                found,
                "E or I",
            )
        )
    return count_type


def _statistic(options: Mapping[str, str], characteristic: str, count_type: str) -> str | None:
    if options.get("statistic"):
        return choice_option(options, "statistic", "total", STATISTICS)
    if characteristic == "passages":
        return "total" if count_type == "interval" else None
    return "instant" if count_type == "event" else None


def _modality(value: Any) -> str | None:
    if _absent(value):
        return None
    return MODALITIES.get(words(value), str(value).strip().lower())


def _geometry(value: Any) -> Any:
    """The GeoJSON geometry of ``Locationrange``, unwrapping a Feature or one-feature collection."""
    if isinstance(value, dict) and value.get("type") == "FeatureCollection":
        features = value.get("features")
        if isinstance(features, list) and len(features) == 1:
            value = features[0]
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    return None if _absent(value) else value


def _text(value: Any) -> str | None:
    return None if _absent(value) else str(value).strip()


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
