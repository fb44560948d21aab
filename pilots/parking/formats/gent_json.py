"""Gent's real-time garage occupancy (Opendatasoft dataset ``bezetting-parkeergarages-real-time``).

Suppliers hand us whatever they downloaded from data.stad.gent: the Explore v2.1 export (a bare
array), a v2.1 ``/records`` response (``{"total_count", "results"}``) or an old v1 search response
(``{"nhits", "records": [{"fields": ...}]}``). All three carry the same flat Gent fields, so this
module only unwraps the shape and renames fields to canonical site/observation values.

It is pure and deliberately lenient: a value it cannot convert is kept as found so that the one
handbook validator reports it, and ``GentItem.problems`` only records what the mapping would
otherwise lose silently (no id, an unreadable ``locationanddimension``, unusable coordinates).
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

SHAPES = (
    "an export array, a v2.1 records response {total_count, results} "
    "or a v1 records response {nhits, records}"
)
# Names only Gent's schema uses; the v1 response also names the dataset in its "parameters".
_SNIFF = (b'"availablecapacity"', b'"totalcapacity"', b'"bezetting-parkeergarages-real-time"')
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
_NO_COORDINATES = "no usable coordinates in 'location', 'geometry' or 'locationanddimension'"
_FLAGS = {"1": True, "true": True, "0": False, "false": False}
# Plain text fields copied as they are: Gent name -> canonical site key.
_TEXT = {
    "name": "name",
    "operatorinformation": "operator",
    "openingtimesdescription": "opening_info",
    "urllinkaddress": "url",
    "description": "description",
}


class GentFormatError(ValueError):
    """Not readable as Gent's parking JSON: empty, truncated/invalid JSON (say line/column), or
    none of the three shapes. One clear sentence."""


@dataclass(slots=True)
class GentItem:
    position: int  # 1-based record index in the file
    raw: dict[str, Any]  # the original record object as found in the file (for quarantine)
    site: dict[str, Any]  # canonical site values
    observation: dict[str, Any]  # canonical observation values
    problems: list[str] = field(default_factory=list)  # mapping problems


def detect_shape(doc: Any) -> str | None:
    """Name the Opendatasoft response shape: "export", "records-v2", "records-v1" or None.

    A container counts when it is empty or holds at least one record-like entry, so one odd entry
    becomes a per-record problem instead of sinking the whole file. v1 entries must carry a
    ``fields`` object, which also keeps the v2.0 ``{"records": [{"record": ...}]}`` form out.
    """
    if isinstance(doc, list):
        return "export" if not doc or any(isinstance(r, dict) for r in doc) else None
    if not isinstance(doc, dict):
        return None
    results = doc.get("results")
    if isinstance(results, list) and (not results or any(isinstance(r, dict) for r in results)):
        return "records-v2"
    records = doc.get("records")
    if isinstance(records, list) and (
        not records
        or any(isinstance(r, dict) and isinstance(r.get("fields"), dict) for r in records)
    ):
        return "records-v1"
    return None


def looks_like_gent_json(head: bytes) -> bool:
    """Cheap sniff for format detection on a partial read (callers pass about the first KB):
    it must open like JSON and name a Gent-only field, without parsing anything."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if b'"FeatureCollection"' in head:  # a GeoJSON export: the canonical geojson adapter's
        return False
    return text[:1] in (b"[", b"{") and any(name in head for name in _SNIFF)


def iter_gent_json(stream: BinaryIO) -> Iterator[GentItem]:
    """Read the whole stream (these files are small) and yield one item per record.

    Not a generator itself: unreadable input raises ``GentFormatError`` at call time, before any
    record reaches the pipeline, so a file is either rejected whole or mapped record by record.
    """
    doc = _load(stream.read())
    shape = detect_shape(doc)
    if shape is None:
        raise GentFormatError(
            f"The JSON is {_describe(doc)}, which is none of the Opendatasoft shapes "
            f"of Gent parking data ({SHAPES})."
        )
    key = {"export": None, "records-v2": "results", "records-v1": "records"}[shape]
    records: list[Any] = doc if key is None else doc[key]
    return (
        _map_record(position, raw, shape == "records-v1")
        for position, raw in enumerate(records, start=1)
    )


def _load(data: bytes) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GentFormatError(f"The file is not UTF-8 text (bad byte at {exc.start}).") from exc
    if not text.strip():
        raise GentFormatError(f"The file is empty; expected Gent parking JSON ({SHAPES}).")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        if exc.msg.startswith("Unterminated string"):
            where = f"inside a string opened at {where}"
        elif not text[exc.pos :].strip():
            where = f"unexpectedly at {where}"
        else:
            raise GentFormatError(f"The file is not valid JSON at {where}: {exc.msg}.") from exc
        raise GentFormatError(f"The JSON ends {where}; the file looks truncated.") from exc


def _describe(value: Any) -> str:
    if isinstance(value, dict) and value:
        return "an object with keys " + ", ".join(repr(k) for k in list(value)[:6])
    if isinstance(value, list) and value:
        return "an array without record objects"
    if value is None:
        return "null"
    return _JSON_TYPES.get(type(value), "a number")


def _map_record(position: int, raw: Any, v1: bool) -> GentItem:
    if not isinstance(raw, dict):
        item = GentItem(position, {"value": raw}, {}, {})
        item.problems.append(f"record is {_describe(raw)}, not a JSON object")
        return item
    item = GentItem(position, raw, {}, {})
    fields = raw.get("fields") if v1 else raw
    if not isinstance(fields, dict):
        item.problems.append("v1 record has no 'fields' object")
        return item
    # Opendatasoft writes an unfilled field as null (v2.1) or leaves it out (v1): treat alike.
    f = {k: v for k, v in fields.items() if not (v is None or str(v).strip() == "")}
    _map_site(f, raw.get("geometry") if v1 else None, item)
    _map_observation(f, item)
    return item


def _map_site(f: dict[str, Any], record_geometry: Any, item: GentItem) -> None:
    site = item.site
    ident = f.get("id")
    if isinstance(ident, str) or (isinstance(ident, int) and not isinstance(ident, bool)):
        site["id"] = item.observation["site"] = str(ident)
    else:
        item.problems.append("record has no 'id' field" if ident is None else "'id' is not text")
    for gent_name, key in _TEXT.items():
        if gent_name in f:
            site[key] = f[gent_name]
    if "type" in f:
        site["type"] = _site_type(f["type"])
    if "totalcapacity" in f:
        site["capacity"] = _to_int(f["totalcapacity"])
    if "freeparking" in f:
        flag = _flag(f["freeparking"])
        site["free_parking"] = f["freeparking"] if flag is None else flag
    details = _details(f["locationanddimension"], item) if "locationanddimension" in f else {}
    road = details.get("roadName")
    if isinstance(road, str) and road.strip():
        site["address"] = ", ".join(p.strip() for p in road.splitlines() if p.strip())
    sources = _coordinate_candidates(f, record_geometry, details)
    for lat, lon in sources:
        latitude, longitude = _finite(lat), _finite(lon)
        if latitude is not None and longitude is not None:
            site["latitude"], site["longitude"] = latitude, longitude
            return
    if sources:
        item.problems.append(_NO_COORDINATES)


def _map_observation(f: dict[str, Any], item: GentItem) -> None:
    obs = item.observation
    if "lastupdate" in f:
        obs["observed_at"] = _timestamp(f["lastupdate"])
    if "availablecapacity" in f:
        obs["vacant"] = _to_int(f["availablecapacity"])
    if "totalcapacity" in f:
        obs["capacity"] = _to_int(f["totalcapacity"])
    if "occupation" in f:
        occupancy = _finite(f["occupation"])
        obs["occupancy"] = f["occupation"] if occupancy is None else occupancy
    # A temporary closure overrides the opening schedule that isopennow reflects.
    open_now = _flag(f.get("isopennow"))
    if _flag(f.get("temporaryclosed")):
        obs["opening_status"] = obs["status"] = "closed"
    else:
        obs["opening_status"] = {None: "unknown", True: "open", False: "closed"}[open_now]
    trend = f.get("occupancytrend")
    if trend is not None and str(trend).strip().lower() != "unknown":
        obs["trend"] = trend


def _details(value: Any, item: GentItem) -> dict[str, Any]:
    """``locationanddimension`` is a JSON document serialised into a string field."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if isinstance(value, dict):
        return value
    item.problems.append("'locationanddimension' is not a JSON object, so it was ignored")
    return {}


def _coordinate_candidates(
    f: dict[str, Any], record_geometry: Any, details: dict[str, Any]
) -> list[tuple[Any, Any]]:
    """(lat, lon) pairs in order of preference; note each source's own axis order."""
    pairs: list[tuple[Any, Any]] = []
    location = f.get("location")
    if isinstance(location, dict):  # v2.1 geo_point_2d
        pairs.append((location.get("lat"), location.get("lon")))
    elif isinstance(location, list) and len(location) == 2:  # v1 geo_point_2d is [lat, lon]
        pairs.append((location[0], location[1]))
    for geometry in (f.get("geometry"), record_geometry):  # GeoJSON is [lon, lat]
        if isinstance(geometry, dict) and geometry.get("type") == "Point":
            coords = geometry.get("coordinates")
            if isinstance(coords, list) and len(coords) >= 2:
                pairs.append((coords[1], coords[0]))
    display = details.get("coordinatesForDisplay")
    if isinstance(display, dict):
        pairs.append((display.get("latitude"), display.get("longitude")))
    return pairs


def _site_type(value: Any) -> str:
    key = str(value).strip().lower().replace(" ", "")
    if key == "carpark":
        return "carPark"
    if key.startswith("underground"):
        return "undergroundCarPark"
    if key.startswith("parkandride") or key in ("p+r", "p&r"):
        return "parkAndRide"
    return "other"


def _to_int(value: Any) -> Any:
    """A whole number as int; anything else (text, 2.5, true) unchanged, for the validator."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().removeprefix("-").isdecimal():
        return int(value)
    return value


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _flag(value: Any) -> bool | None:
    """Gent writes its yes/no fields as 0/1; tolerate booleans and their text forms."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    return _FLAGS.get(value.strip().lower()) if isinstance(value, str) else None


def _timestamp(value: Any) -> Any:
    """Aware when the text has an offset, naive when it has none: the zone is not guessed here."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return value
