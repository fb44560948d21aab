"""A11yJSON PlaceInfo documents (sozialhelden's standard, used by accessibility.cloud).

A PlaceInfo is a GeoJSON Feature whose ``properties.accessibility`` describes entrances,
restrooms, parking and policies. Quantities (``{"value": 0.9, "unit": "m"}``, ``"90cm"`` or a
bare number in metres, the standard's default length unit) are measurements, converted into the
handbook's units with the original kept; booleans and grades are statements (tags).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.ingest.envelope import Problem, RecordRejected
from pilots.accessibility.records import ENTITY, BuildingRecord
from pilots.accessibility.units import UnitError, convert

_GRADES = {"fully": "yes", "partially": "limited", "not": "no"}
_KINDS = {
    "townhall": "town-hall",
    "library": "library",
    "community_centre": "service-centre",
    "museum": "culture",
    "theatre": "culture",
    "school": "school",
    "police": "police",
    "hospital": "health",
    "doctors": "health",
    "sports_centre": "sports",
    "swimming_pool": "sports",
}


def looks_like_a11yjson(head: bytes) -> bool:
    return b'"accessibility"' in head[:65536] and b'"properties"' in head[:65536]


def place_infos(document: Any) -> list[Any]:
    """The PlaceInfos of a document: a FeatureCollection's features, an array, or one."""
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise ValueError("'features' is not a list")
        return features
    return document if isinstance(document, list) else [document]


class _Reader:
    """Collects values, methods, originals and problems while walking one PlaceInfo."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.methods: dict[str, str] = {}
        self.originals: dict[str, str] = {}
        self.problems: list[Problem] = []

    def flag(self, term: str, value: Any, path: str, invert: bool = False) -> None:
        if isinstance(value, bool):
            self.values[term] = not value if invert else value
            self.methods[term] = "tag"
            self.originals[term] = f"{path}={str(value).lower()}"

    def quantity(self, term: str, value: Any, unit: str, default: str, path: str) -> None:
        if value is None:
            return
        raw = value
        if isinstance(value, dict):
            raw = value.get("value")
            default = str(value.get("unit") or default)
            if "rawValue" in value:
                raw, default = value["rawValue"], default
        try:
            converted = convert(raw, unit, default)
        except (UnitError, TypeError) as error:
            self.problems.append(
                Problem("core.datatype", f"{path}: {error}", f"{ENTITY}.{term}", str(value), unit)
            )
            return
        self.values[term] = converted.value
        self.methods[term] = "measured"
        self.originals[term] = f"{path}={_shown(value)}"


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return f"{value.get('value')} {value.get('unit') or ''}".strip()
    return str(value)


def map_place_info(place: Any) -> BuildingRecord:
    """A building record from one PlaceInfo feature."""
    if not isinstance(place, dict) or not isinstance(place.get("properties"), dict):
        raise RecordRejected(
            [Problem("accessibility.mapping", "the item is not a PlaceInfo (no 'properties')")]
        )
    properties = place["properties"]
    reader = _Reader()
    native = place.get("_id") or properties.get("originalId") or properties.get("id")
    native = native or place.get("id")
    values = reader.values
    if native is not None:
        values["id"] = str(native)
    if place.get("geometry") is not None:
        values["geometry"] = place["geometry"]
    _identity(properties, values)
    accessibility = properties.get("accessibility")
    if not isinstance(accessibility, dict):
        raise RecordRejected(
            [Problem("accessibility.mapping", "the PlaceInfo has no 'accessibility' object")]
        )
    for section, read in _SECTIONS:
        read(reader, accessibility.get(section), section)
    _general(reader, accessibility)
    if reader.problems:
        raise RecordRejected(reader.problems)
    record = BuildingRecord(ENTITY, values)
    record.methods = reader.methods
    record.originals = reader.originals
    return record


def _identity(properties: dict[str, Any], values: dict[str, Any]) -> None:
    name = properties.get("name")
    if isinstance(name, dict):
        name = name.get("nl") or name.get("en") or next(iter(name.values()), None)
    if name:
        values["name"] = str(name)
    address = properties.get("address")
    if isinstance(address, dict):
        text = address.get("full") or address.get("text")
        street = " ".join(filter(None, (address.get("street"), address.get("house"))))
        place = " ".join(filter(None, (address.get("postcode") or address.get("postalCode"),
                                       address.get("city"))))
        values["address"] = text or ", ".join(filter(None, (street, place))) or None
        if address.get("city"):
            values["city"] = address["city"]
    elif isinstance(address, str):
        values["address"] = address
    category = properties.get("category")
    if isinstance(category, str):
        values["service_kind"] = _KINDS.get(category, "other")
    uri = properties.get("addressRegisterUri") or properties.get("sameAs")
    if isinstance(uri, str) and "/id/adres/" in uri:
        values["address_uri"] = uri


def _entrances(reader: _Reader, entrances: Any, path: str) -> None:
    if not isinstance(entrances, list) or not entrances:
        return
    index, entrance = min(enumerate(entrances), key=lambda pair: _entrance_rank(pair[1]))
    if not isinstance(entrance, dict):
        return
    at = f"{path}[{index}]"
    if entrance.get("isLevel") is True and not isinstance(entrance.get("stairs"), dict):
        reader.values["entrance_step_count"] = 0
        reader.methods["entrance_step_count"] = "tag"
        reader.originals["entrance_step_count"] = f"{at}.isLevel=true"
    reader.flag("ramp_present", entrance.get("hasFixedRamp"), f"{at}.hasFixedRamp")
    if entrance.get("hasFixedRamp") is True:
        reader.quantity("ramp_slope", entrance.get("slopeAngle"), "%", "%", f"{at}.slopeAngle")
    stairs = entrance.get("stairs")
    if isinstance(stairs, dict):
        count = stairs.get("count")
        if isinstance(count, int) and not isinstance(count, bool):
            reader.values["entrance_step_count"] = count
            reader.methods["entrance_step_count"] = "measured"
            reader.originals["entrance_step_count"] = f"{at}.stairs.count={count}"
        reader.quantity("entrance_step_height", stairs.get("stepHeight"), "cm", "m",
                        f"{at}.stairs.stepHeight")
    door = entrance.get("door")
    if isinstance(door, dict):
        door_at = f"{at}.door"
        reader.quantity("entrance_door_width", door.get("width"), "cm", "m", f"{door_at}.width")
        reader.quantity("entrance_threshold_height", door.get("thresholdHeight"), "cm", "m",
                        f"{door_at}.thresholdHeight")
        reader.quantity("door_opening_force", door.get("openingForce"), "N", "N",
                        f"{door_at}.openingForce")
        reader.quantity("intercom_height", door.get("doorbellTopButtonHeight"), "cm", "m",
                        f"{door_at}.doorbellTopButtonHeight")
        reader.flag("automatic_door", door.get("isAutomatic"), f"{door_at}.isAutomatic")


def _entrance_rank(entrance: Any) -> tuple[int, int]:
    if not isinstance(entrance, dict):
        return (2, 1)
    step_free = entrance.get("isLevel") is True or entrance.get("hasFixedRamp") is True
    return (0 if step_free else 1, 0 if entrance.get("isMainEntrance") is True else 1)


def _restrooms(reader: _Reader, restrooms: Any, path: str) -> None:
    if not isinstance(restrooms, list):
        return
    accessible = [
        (index, room)
        for index, room in enumerate(restrooms)
        if isinstance(room, dict) and room.get("isAccessibleWithWheelchair") is True
    ]
    if not accessible:
        if restrooms and all(isinstance(r, dict) and r.get("isAccessibleWithWheelchair") is False
                             for r in restrooms):
            reader.flag("toilet_present", False, f"{path}[*].isAccessibleWithWheelchair")
        return
    index, room = accessible[0]
    at = f"{path}[{index}]"
    reader.flag("toilet_present", True, f"{at}.isAccessibleWithWheelchair")
    entrance = room.get("entrance")
    door = entrance.get("door") if isinstance(entrance, dict) else None
    if isinstance(door, dict):
        reader.quantity("toilet_door_width", door.get("width"), "cm", "m",
                        f"{at}.entrance.door.width")
    toilet = room.get("toilet")
    if isinstance(toilet, dict):
        for key, term in (("spaceOnUsersLeftSide", "toilet_transfer_left"),
                          ("spaceOnUsersRightSide", "toilet_transfer_right"),
                          ("spaceInFront", "toilet_front_space")):
            reader.quantity(term, toilet.get(key), "cm", "m", f"{at}.toilet.{key}")
        if isinstance(toilet.get("grabBars"), dict):
            reader.flag("toilet_grab_bars", True, f"{at}.toilet.grabBars")
        reader.flag("toilet_grab_bars", toilet.get("hasGrabBars"), f"{at}.toilet.hasGrabBars")


def _parking(reader: _Reader, parking: Any, path: str) -> None:
    if not isinstance(parking, dict):
        return
    spaces = parking.get("forWheelchairUsers")
    if parking.get("forWheelchairUsers", "missing") is None:
        reader.values["parking_reserved_count"] = 0
        reader.methods["parking_reserved_count"] = "tag"
        reader.originals["parking_reserved_count"] = f"{path}.forWheelchairUsers=null"
        return
    if not isinstance(spaces, dict):
        return
    at = f"{path}.forWheelchairUsers"
    count = spaces.get("count")
    if isinstance(count, int) and not isinstance(count, bool):
        reader.values["parking_reserved_count"] = count
        reader.methods["parking_reserved_count"] = "measured"
        reader.originals["parking_reserved_count"] = f"{at}.count={count}"
    reader.quantity("parking_reserved_width", spaces.get("width"), "cm", "m", f"{at}.width")
    reader.quantity("parking_reserved_length", spaces.get("length"), "cm", "m", f"{at}.length")
    reader.quantity("parking_distance", spaces.get("distanceToEntrance"), "m", "m",
                    f"{at}.distanceToEntrance")


def _animals(reader: _Reader, policy: Any, path: str) -> None:
    if isinstance(policy, dict):
        for key in ("allowsAssistanceDogs", "allowsGuideDogs"):
            reader.flag("assistance_dogs_allowed", policy.get(key), f"{path}.{key}")


_SECTIONS: tuple[tuple[str, Callable[[_Reader, Any, str], None]], ...] = (
    ("entrances", _entrances),
    ("restrooms", _restrooms),
    ("parking", _parking),
    ("animalPolicy", _animals),
)


def _general(reader: _Reader, accessibility: dict[str, Any]) -> None:
    grade = accessibility.get("wheelchairAccessibilityGrade")
    with_ = accessibility.get("accessibleWith") or {}
    partially = accessibility.get("partiallyAccessibleWith") or {}
    reported = _GRADES.get(grade) if isinstance(grade, str) else None
    source = f"wheelchairAccessibilityGrade={grade}"
    if reported is None and isinstance(with_, dict) and isinstance(with_.get("wheelchair"), bool):
        reported = "yes" if with_["wheelchair"] else "no"
        source = f"accessibleWith.wheelchair={str(with_['wheelchair']).lower()}"
        if not with_["wheelchair"] and isinstance(partially, dict) and partially.get("wheelchair"):
            reported, source = "limited", "partiallyAccessibleWith.wheelchair=true"
    if reported is not None:
        reader.values["wheelchair_reported"] = reported
        reader.methods["wheelchair_reported"] = "tag"
        reader.originals["wheelchair_reported"] = source
    if isinstance(with_, dict) and "assistance_dogs_allowed" not in reader.values:
        reader.flag("assistance_dogs_allowed", with_.get("guideDog"), "accessibleWith.guideDog")
    reader.flag("hearing_loop", accessibility.get("hasInductionLoop"), "hasInductionLoop")
    for key in ("hasTactileGuideStrips", "hasTactileSignage"):
        if "tactile_guidance" not in reader.values:
            reader.flag("tactile_guidance", accessibility.get(key), key)
