"""OpenStreetMap: a GeoJSON export (overpass-turbo) or Overpass JSON, tags mapped to terms.

Elements tagged ``entrance=*`` describe a door of a building, not a building: they are grouped
with the building they lie on (within :data:`ENTRANCE_REACH_M` of its outline or point) and the
most accessible one describes the building's entrance. Every value from OSM is a tag: lower
certainty than an auditor's measurement, and recorded as such. The original tag is kept with
the element it came from (``door:width=0.85 (node/2342342)``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from core.geo import reproject
from core.ingest.envelope import Problem, RecordRejected
from pilots.accessibility.records import ENTITY, BuildingRecord
from pilots.accessibility.units import UnitError, convert

#: How far (metres) an entrance may lie from a building's outline or point and still be its.
ENTRANCE_REACH_M = 25.0
_YES = frozenset({"yes", "designated", "true", "1"})
_NO = frozenset({"no", "false", "0"})
_DIRECTIONS = frozenset({"up", "down", "yes", "no"})
_AUTOMATIC = frozenset({"yes", "button", "motion", "continuous", "floor"})
_KINDS = {
    "townhall": "town-hall",
    "library": "library",
    "community_centre": "service-centre",
    "social_facility": "service-centre",
    "arts_centre": "culture",
    "theatre": "culture",
    "museum": "culture",
    "school": "school",
    "police": "police",
    "hospital": "health",
    "clinic": "health",
    "doctors": "health",
    "sports_centre": "sports",
    "swimming_pool": "sports",
}
#: Tags whose yes/no value is a boolean term.
_BOOLEANS = {
    "ramp": "ramp_present",
    "handrail": "handrails",
    "toilets:wheelchair": "toilet_present",
    "hearing_loop": "hearing_loop",
    "tactile_paving": "tactile_guidance",
    "elevator": "lift_present",
}
#: Tags with a quantity: term, handbook unit, OSM's default unit for a bare number.
_QUANTITIES = {
    "door:width": ("entrance_door_width", "cm", "m"),
    "incline": ("ramp_slope", "%", "%"),
}


@dataclass
class Element:
    """One OSM element: its id (``way/4815162``), tags, geometry and timestamp."""

    osm_id: str
    tags: dict[str, str]
    geometry: BaseGeometry | None
    timestamp: str | None = None
    raw: Any = None


@dataclass
class Group:
    """A building element and the entrance elements that lie on it."""

    building: Element
    entrances: list[Element] = field(default_factory=list)


def looks_like_osm(head: bytes) -> bool:
    text = head[:8192].decode("utf-8", errors="ignore")
    overpass = '"elements"' in text and ('"osm3s"' in text or '"Overpass' in text)
    export = '"FeatureCollection"' in text and (
        '"@id"' in text or "overpass" in text.lower() or '"way/' in text or '"node/' in text
    )
    return overpass or export


def elements(document: Any) -> list[Element]:
    """The elements of a GeoJSON export or an Overpass JSON document."""
    if isinstance(document, dict) and isinstance(document.get("elements"), list):
        return _overpass(document["elements"])
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise ValueError("'features' is not a list")
        return [_feature(feature) for feature in features]
    raise ValueError("neither a GeoJSON FeatureCollection nor Overpass JSON ('elements')")


def _feature(feature: Any) -> Element:
    if not isinstance(feature, dict):
        return Element("", {}, None, raw=feature)
    properties = feature.get("properties") or {}
    osm_id = str(feature.get("id") or properties.get("@id") or properties.get("id") or "")
    tags = {str(k): str(v) for k, v in properties.items() if not str(k).startswith("@")}
    tags.pop("id", None)
    geometry = _shape(feature.get("geometry"))
    return Element(osm_id, tags, geometry, properties.get("@timestamp"), feature)


def _shape(geometry: Any) -> BaseGeometry | None:
    try:
        return shape(geometry) if isinstance(geometry, dict) else None
    except (ValueError, TypeError, AttributeError, KeyError):
        return None


def _overpass(items: list[Any]) -> list[Element]:
    nodes = {
        item["id"]: (item["lon"], item["lat"])
        for item in items
        if isinstance(item, dict) and item.get("type") == "node" and "lat" in item
    }
    found = []
    for item in items:
        if not isinstance(item, dict):
            found.append(Element("", {}, None, raw=item))
            continue
        tags = {str(k): str(v) for k, v in (item.get("tags") or {}).items()}
        if not tags:
            continue  # an untagged node only carries a way's geometry
        osm_id = f"{item.get('type')}/{item.get('id')}"
        geometry = _overpass_geometry(item, nodes)
        raw = item
        if item.get("nodes") and not item.get("geometry") and geometry is not None:
            # keep the resolved outline with the way (Overpass' own "out geom" form), so the
            # raw record maps on its own, without the nodes of the file
            raw = {**item, "geometry": [{"lon": x, "lat": y} for x, y in _outline(geometry)]}
        found.append(Element(osm_id, tags, geometry, item.get("timestamp"), raw))
    return found


def _overpass_geometry(item: dict[str, Any], nodes: dict[Any, tuple[float, float]]) -> Any:
    if "lat" in item and "lon" in item:
        return Point(item["lon"], item["lat"])
    points = [(p["lon"], p["lat"]) for p in item.get("geometry") or [] if isinstance(p, dict)]
    if not points:
        points = [nodes[ref] for ref in item.get("nodes") or [] if ref in nodes]
    if len(points) >= 4 and points[0] == points[-1]:
        return shape({"type": "Polygon", "coordinates": [points]})
    center = item.get("center")
    if isinstance(center, dict):
        return Point(center["lon"], center["lat"])
    return shape({"type": "LineString", "coordinates": points}) if len(points) >= 2 else None


def _outline(geometry: BaseGeometry) -> list[tuple[float, float]]:
    coords = geometry.exterior.coords if geometry.geom_type == "Polygon" else geometry.coords
    return [(float(x), float(y)) for x, y, *_ in coords]


def is_entrance(element: Element) -> bool:
    tags = element.tags
    return "entrance" in tags and not ({"amenity", "name", "building", "leisure"} & set(tags))


def group(found: list[Element]) -> Iterator[Group | Element]:
    """Buildings with their entrances; an entrance on no building comes alone (it is refused)."""
    buildings = [Group(e) for e in found if not is_entrance(e)]
    for entrance in (e for e in found if is_entrance(e)):
        owner = _owner(entrance, buildings)
        if owner is None:
            yield entrance
        else:
            owner.entrances.append(entrance)
    yield from buildings


def _owner(entrance: Element, buildings: list[Group]) -> Group | None:
    if entrance.geometry is None:
        return None
    best: tuple[float, Group] | None = None
    for candidate in buildings:
        if candidate.building.geometry is None:
            continue
        metres = _distance_m(entrance.geometry, candidate.building.geometry)
        if metres <= ENTRANCE_REACH_M and (best is None or metres < best[0]):
            best = (metres, candidate)
    return None if best is None else best[1]


def _distance_m(a: BaseGeometry, b: BaseGeometry) -> float:
    """Distance in metres, measured in Lambert 2008 (a metric CRS for Belgium)."""
    metric_a, metric_b = (reproject(g, "EPSG:4326", "EPSG:3812") for g in (a, b))
    return float(metric_a.distance(metric_b))


def content_of(item: Group | Element) -> dict[str, Any]:
    """What quarantine keeps of a raw record: the original building and entrance elements."""
    if isinstance(item, Group):
        return {"building": item.building.raw, "entrances": [e.raw for e in item.entrances]}
    return {"building": None, "entrances": [item.raw]}


def map_osm(content: dict[str, Any]) -> BuildingRecord:
    """A building record from a building element and its entrances (all values are tags)."""
    if content.get("building") is None:
        entrance = content["entrances"][0] if content.get("entrances") else None
        raise RecordRejected(
            [
                Problem(
                    "accessibility.mapping",
                    f"the entrance lies on no building of the file (none within "
                    f"{ENTRANCE_REACH_M:g} m); deliver it with its building",
                    None,
                    json.dumps(entrance)[:200] if entrance is not None else None,
                    "an entrance on a building",
                )
            ]
        )
    building = _element(content["building"])
    found = [_element(raw) for raw in content.get("entrances") or []]
    if not building.osm_id:
        raise RecordRejected(
            [Problem("core.required", "the OSM element has no id", f"{ENTITY}.id")]
        )
    values: dict[str, Any] = {"id": building.osm_id, "osm_id": building.osm_id, "method": "tag"}
    originals: dict[str, str] = {}
    problems: list[Problem] = []
    _identity(building, values)
    _tags(building, values, originals, problems)
    chosen = choose_entrance(found)
    if chosen is not None:
        _tags(chosen, values, originals, problems)
    if problems:
        raise RecordRejected(problems)
    record = BuildingRecord(ENTITY, values)
    record.methods = {term: "tag" for term in values if term not in _IDENTITY_KEYS}
    record.originals = originals
    return record


_IDENTITY_KEYS = frozenset(
    {"id", "osm_id", "method", "name", "address", "city", "service_kind", "geometry", "observed_at"}
)


def _element(raw: Any) -> Element:
    if isinstance(raw, dict) and raw.get("type") == "Feature":
        return _feature(raw)
    if isinstance(raw, dict) and "type" in raw and "id" in raw:
        return _overpass([raw])[0] if raw.get("tags") else Element("", {}, None, raw=raw)
    return Element("", {}, None, raw=raw)


def _identity(element: Element, values: dict[str, Any]) -> None:
    tags = element.tags
    if element.geometry is not None:
        values["geometry"] = element.geometry
    if tags.get("name"):
        values["name"] = tags["name"]
    street = " ".join(filter(None, (tags.get("addr:street"), tags.get("addr:housenumber"))))
    place = " ".join(filter(None, (tags.get("addr:postcode"), tags.get("addr:city"))))
    if street or place:
        values["address"] = ", ".join(filter(None, (street, place)))
    if tags.get("addr:city"):
        values["city"] = tags["addr:city"]
    kind = tags.get("amenity") or tags.get("leisure") or tags.get("tourism")
    if kind:
        values["service_kind"] = _KINDS.get(kind, "other")
    if element.timestamp:
        values["observed_at"] = element.timestamp


def _tags(
    element: Element, values: dict[str, Any], originals: dict[str, str], problems: list[Problem]
) -> None:
    tags = element.tags
    where = f" ({element.osm_id})" if element.osm_id else ""
    reported = tags.get("wheelchair")
    if reported is not None:
        mapped = {"designated": "yes"}.get(reported, reported)
        values["wheelchair_reported"] = mapped
        originals["wheelchair_reported"] = f"wheelchair={reported}{where}"
    description = tags.get("wheelchair:description:nl") or tags.get("wheelchair:description")
    if description:
        values["wheelchair_description"] = description
    for key, term in _BOOLEANS.items():
        value = tags.get(key)
        if value is not None and _boolean(value) is not None:
            values[term] = _boolean(value)
            originals[term] = f"{key}={value}{where}"
    if tags.get("ramp:wheelchair") in _YES:
        values["ramp_present"] = True
        originals["ramp_present"] = f"ramp:wheelchair={tags['ramp:wheelchair']}{where}"
    automatic = tags.get("automatic_door")
    if automatic is not None:
        values["automatic_door"] = automatic in _AUTOMATIC
        originals["automatic_door"] = f"automatic_door={automatic}{where}"
    if tags.get("step_count") is not None:
        values["entrance_step_count"] = tags["step_count"]
        originals["entrance_step_count"] = f"step_count={tags['step_count']}{where}"
    for key, (term, unit, default) in _QUANTITIES.items():
        value = tags.get(key)
        if value is None or value.strip().lower() in _DIRECTIONS:
            continue
        try:
            values[term] = convert(value, unit, default).value
        except UnitError as error:
            problems.append(
                Problem("core.datatype", f"{key}: {error}", f"{ENTITY}.{term}", value, unit)
            )
            continue
        originals[term] = f"{key}={value}{where}"


def _boolean(value: str) -> bool | None:
    text = value.strip().lower()
    if text in _YES:
        return True
    return False if text in _NO else None


def choose_entrance(found: list[Element]) -> Element | None:
    """The entrance a wheelchair user would take: step-free (or with a ramp) first, then the
    widest door, then the main entrance."""
    if not found:
        return None

    def rank(element: Element) -> tuple[int, float, int]:
        tags = element.tags
        step_free = tags.get("step_count") == "0" or tags.get("ramp") in _YES or tags.get(
            "ramp:wheelchair"
        ) in _YES or tags.get("wheelchair") in _YES
        try:
            width = convert(tags["door:width"], "cm", "m").value if "door:width" in tags else 0.0
        except UnitError:
            width = 0.0
        return (0 if step_free else 1, -width, 0 if tags.get("entrance") == "main" else 1)

    return min(found, key=rank)
