"""FIWARE NGSI-LD notifications and entities of the Smart Data Models Parking subject.

Accepted: a notification (``{"type": "Notification", "notifiedAt", "data": [...]}``), a bare
entity or an array of entities, each in normalized form (``{"type": "Property", "value",
"observedAt"}``, ``GeoProperty``, ``Relationship`` with ``object``), concise form (the same
without ``type``) or keyValues form (plain values). Attribute names expanded to full IRIs are
read by their last segment.

* ``ParkingSpot`` -> ``bay`` (id as given, ``location``, ``refParkingSite`` as zone, ``refDevice``
  as device) and, when it has a ``status``, a ``bay_observation``.
* ``OffStreetParking`` -> ``site`` (only when it carries a ``location``: a partial notification
  of changed attributes describes no site) and, when it carries availability, an
  ``observation``: ``availableSpotNumber`` -> vacant, ``occupiedSpotNumber`` -> occupied,
  ``totalSpotNumber`` -> capacity, ``occupancy`` (an SDM ratio 0..1) x 100 -> occupancy (%) and
  the SDM ``status`` list -> status / opening_status (:data:`SITE_STATUS`).

The observation time is the attribute's ``observedAt``, else ``occupancyModified`` (site) /
``dateObserved`` / ``dateModified``, else the notification's ``notifiedAt``; never the arrival
time. An availability without any of them is refused. A message is mapped whole: one entity that
cannot be mapped rejects the message with the reasons of every such entity.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.ingest.envelope import Canonical, Problem, RecordRejected

RULE = "parking.mapping"
SUPPORTED = ("OffStreetParking", "ParkingSpot")
#: SDM OffStreetParking status value -> (observation.status, observation.opening_status).
#: ``openingTimesInForce`` says the timetable applies, not whether the site is open now.
SITE_STATUS: Mapping[str, tuple[str | None, str | None]] = {
    "spacesAvailable": ("spacesAvailable", None),
    "almostFull": ("almostFull", None),
    "full": ("full", None),
    "fullAtEntrance": ("full", None),
    "closed": ("closed", "closed"),
    "closedAbnormal": ("closed", "closed"),
    "open": (None, "open"),
    "openingTimesInForce": (None, None),
}
_RANK = ("closed", "full", "almostFull", "spacesAvailable", "open")  # strongest first
_ATTRIBUTE_TYPES = ("Property", "GeoProperty", "Relationship")
_BAY_TERMS = {"geometry": "location", "zone": "refParkingSite", "device": "refDevice"}
_SITE_TERMS = {
    "name": "name",
    "capacity": "totalSpotNumber",
    "geometry": "location",
    "description": "description",
}
_SITE_TIMES = ("availableSpotNumber", "occupiedSpotNumber", "occupancy", "status")


def looks_like_ngsi_ld(head: bytes) -> bool:
    return any(
        mark in head
        for mark in (b"urn:ngsi-ld:", b'"Notification"', b'"OffStreetParking"', b'"ParkingSpot"')
    )


def map_ngsi_ld(message: Any) -> list[Canonical]:
    """Canonical records of every entity in a notification, entity or array of entities."""
    entities, notified_at = _entities(message)
    records: list[Canonical] = []
    problems: list[Problem] = []
    for index, entity in enumerate(entities, start=1):
        try:
            records.extend(map_entity(entity, notified_at, index))
        except RecordRejected as rejected:
            problems.extend(rejected.problems)
    if problems:
        raise RecordRejected(problems)
    return records


def map_entity(entity: Any, notified_at: Any = None, index: int = 1) -> list[Canonical]:
    if not isinstance(entity, dict):
        raise _reject(f"entity {index} is not a JSON object", None, type(entity).__name__)
    entity = {_local(key): value for key, value in entity.items()}
    entity_id, kind = entity.get("id"), _kind(entity.get("type"))
    label = f"entity '{entity_id}'" if entity_id else f"entity {index}"
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise _reject(f"{label} has no id", "id", entity_id)
    if kind == "ParkingSpot":
        return _parking_spot(entity, entity_id, label, notified_at)
    if kind == "OffStreetParking":
        return _off_street(entity, entity_id, label, notified_at)
    kinds = ", ".join(SUPPORTED)
    message = f"{label} is of type '{entity.get('type')}', which is not supported; supported: "
    raise _reject(message + kinds, None, entity.get("type"), kinds)


def _entities(message: Any) -> tuple[list[Any], Any]:
    entities: Any
    if isinstance(message, list):
        entities, notified_at = message, None
    elif isinstance(message, dict) and (
        message.get("type") == "Notification" or {"subscriptionId", "data"} <= message.keys()
    ):
        entities, notified_at = message.get("data"), message.get("notifiedAt")
        if not isinstance(entities, list):
            raise _reject("the notification has no 'data' array of entities", None, entities)
    elif isinstance(message, dict) and ("id" in message or "type" in message):
        entities, notified_at = [message], None
    else:
        text = "the message is neither an NGSI-LD notification nor an entity"
        raise _reject(text, None, type(message).__name__)
    if not entities:
        raise _reject("the message carries no entities", None, "[]")
    return entities, notified_at


def _parking_spot(
    entity: dict[str, Any], entity_id: str, label: str, notified_at: Any
) -> list[Canonical]:
    bay: dict[str, Any] = {"id": entity_id}
    for term, attribute in _BAY_TERMS.items():
        value = _value(entity, attribute)
        if isinstance(value, list) and len(value) == 1:  # a one-object Relationship
            value = value[0]
        if value is not None:
            bay[term] = value
    records = [Canonical("bay", bay)]
    status = _attribute(entity, "status")
    if status is None or status[0] is None:
        return records
    observed_at = _time(entity, ("status",), ("dateObserved", "dateModified"), notified_at)
    if observed_at is None:
        raise _no_time(label, "bay_observation")
    state = {"bay": entity_id, "observed_at": observed_at, "status": status[0]}
    return [*records, Canonical("bay_observation", state)]


def _off_street(
    entity: dict[str, Any], entity_id: str, label: str, notified_at: Any
) -> list[Canonical]:
    records: list[Canonical] = []
    capacity = _value(entity, "totalSpotNumber")
    if _value(entity, "location") is not None:
        site = {term: _value(entity, attribute) for term, attribute in _SITE_TERMS.items()}
        site = {term: value for term, value in site.items() if value is not None}
        records.append(Canonical("site", {"id": entity_id, **site}))
    state: dict[str, Any] = {
        "vacant": _value(entity, "availableSpotNumber"),
        "occupied": _value(entity, "occupiedSpotNumber"),
        "occupancy": _percent(_value(entity, "occupancy")),
    }
    state["status"], state["opening_status"] = _site_status(_value(entity, "status"), label)
    state = {term: value for term, value in state.items() if value is not None}
    if state:
        observed_at = _time(
            entity, _SITE_TIMES, ("occupancyModified", "dateObserved", "dateModified"), notified_at
        )
        if observed_at is None:
            raise _no_time(label, "observation")
        values = {"site": entity_id, "observed_at": observed_at, **state}
        if capacity is not None:
            values["capacity"] = capacity
        records.append(Canonical("observation", values))
    if not records:
        raise _reject(f"{label} carries neither a location nor availability", None, entity_id)
    return records


def _site_status(value: Any, label: str) -> tuple[str | None, str | None]:
    """The strongest availability and opening status among SDM's status values."""
    if value is None:
        return None, None
    found = value if isinstance(value, list) else [value]
    unknown = [item for item in found if not isinstance(item, str) or item not in SITE_STATUS]
    if unknown:
        raise _reject(
            f"{label}: status {unknown} is not an SDM OffStreetParking status",
            "observation.status",
            unknown,
            "one of " + ", ".join(SITE_STATUS),
        )
    ordered = sorted(found, key=lambda item: _RANK.index(item) if item in _RANK else len(_RANK))
    status = next((SITE_STATUS[item][0] for item in ordered if SITE_STATUS[item][0]), None)
    opening = next((SITE_STATUS[item][1] for item in ordered if SITE_STATUS[item][1]), None)
    return status, opening


def _percent(ratio: Any) -> Any:
    """SDM occupancy is a ratio 0..1; the handbook's is a percentage. Non-numbers stay as found."""
    if ratio is None or isinstance(ratio, bool):
        return ratio
    try:
        return round(100.0 * float(ratio), 2)
    except (TypeError, ValueError):
        return ratio


def _time(
    entity: dict[str, Any], observed: tuple[str, ...], dated: tuple[str, ...], notified_at: Any
) -> Any:
    for name in observed:
        attribute = _attribute(entity, name)
        if attribute is not None and attribute[1]:
            return attribute[1]
    for name in dated:
        value = _value(entity, name)
        if value:
            return value
    return notified_at or None


def _attribute(entity: Mapping[str, Any], name: str) -> tuple[Any, Any] | None:
    """(value, observedAt) of an attribute in any representation; None when absent."""
    raw = entity.get(name)
    if raw is None:
        return None
    if isinstance(raw, list) and raw and all(_is_attribute(item) for item in raw):
        raw = next((item for item in raw if "datasetId" not in item), raw[0])  # default instance
    if _is_attribute(raw):
        value = raw["value"] if "value" in raw else raw.get("object")
        return _plain(value), raw.get("observedAt")
    return _plain(raw), None


def _value(entity: Mapping[str, Any], name: str) -> Any:
    attribute = _attribute(entity, name)
    return None if attribute is None else attribute[0]


def _is_attribute(raw: Any) -> bool:
    return isinstance(raw, dict) and (
        "value" in raw or "object" in raw or raw.get("type") in _ATTRIBUTE_TYPES
    )


def _plain(value: Any) -> Any:
    """A JSON-LD typed value (``{"@type": "DateTime", "@value": ...}``) as its bare value."""
    return value["@value"] if isinstance(value, dict) and "@value" in value else value


def _local(name: str) -> str:
    if name.startswith(("http://", "https://")):
        return name.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]
    return name


def _kind(value: Any) -> str | None:
    kinds = value if isinstance(value, list) else [value]
    names = [_local(kind) for kind in kinds if isinstance(kind, str)]
    return next((name for name in names if name in SUPPORTED), names[0] if names else None)


def _no_time(label: str, entity: str) -> RecordRejected:
    message = f"{label} has no observation time (observedAt, dateObserved or dateModified) "
    expected = "an observedAt or dateObserved time"
    return _reject(
        message + "and the message no notifiedAt", f"{entity}.observed_at", None, expected
    )


def _reject(
    message: str, term: str | None, found: Any, expected: str | None = None
) -> RecordRejected:
    return RecordRejected([Problem(RULE, message, term, found, expected)])
