"""Canonical CSV and GeoJSON: files that already use the handbook's own term names.

These adapters serve every pilot: the handbook says which entities exist, and a row or feature
yields a record of each entity whose required terms it fills. A reference to an entity in the
same row is filled from that entity's ``id`` (a row with a site's id, location and an
``observed_at`` is a site and an observation of it). ``entity.term`` column names disambiguate a
term that two entities share (``observation.capacity``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from core.errors import UnreadableInput
from core.handbook import Entity, Handbook
from core.ingest.envelope import Canonical, Problem, RawRecord, ReadContext, RecordRejected

_LON = ("lon", "longitude", "x", "lng")
_LAT = ("lat", "latitude", "y")


def records_from_values(handbook: Handbook, values: dict[str, Any]) -> list[Canonical]:
    """Split one flat mapping of term values into canonical records of the handbook's entities.

    The common case, a record of a shape seen before that does not name its entity, only visits
    the entities its keys could complete (:func:`_viable`); a record that completes none is
    looked at again in full, for the precise problem.
    """
    if "entity" not in values:
        records = _viable_records(handbook, values)
        if records:
            return records
    return _all_records(handbook, values)


def _viable_records(handbook: Handbook, values: dict[str, Any]) -> list[Canonical]:
    """The records of the entities ``values`` may complete, in the order of the full search."""
    records: list[Canonical] = []
    present: dict[str, dict[str, Any]] = {}
    for entity, required in _viable(handbook, tuple(values)):
        mine = _values_for(entity, values, present)
        for term in required:
            if _empty(mine.get(term)):
                break
        else:
            records.append(Canonical(entity.id, mine))
            present[entity.id] = mine
    return records


#: (handbook, input keys) -> the inferred entities those keys may complete, with their
#: required terms. An entity left out lacks a required term that no key, no reference to an
#: earlier entity and no lon/lat pair can fill, so the full search cannot complete it either,
#: and it never joins ``present`` there: leaving it out changes no record. The handbook is kept
#: with its entry, so its id cannot be reused by another handbook while the entry lives.
_Viable = list[tuple[Entity, tuple[str, ...]]]
_VIABLE: dict[tuple[int, tuple[str, ...]], tuple[Handbook, _Viable]] = {}


def _viable(handbook: Handbook, names: tuple[str, ...]) -> _Viable:
    cache_key = (id(handbook), names)
    cached = _VIABLE.get(cache_key)
    if cached is not None and cached[0] is handbook:
        return cached[1]
    viable: _Viable = []
    earlier: set[str] = set()
    for entity in _candidates(handbook, None):
        keys = _keys(entity)
        shape = _shape(entity, names)
        fillable = {term for term, _plain, _prefixed in shape.terms}
        fillable.update(term for term, referred in keys.references if referred in earlier)
        if shape.has_point and keys.geometry is not None:
            fillable.add(keys.geometry)
        if fillable.issuperset(keys.required):
            viable.append((entity, keys.required))
        earlier.add(entity.id)
    if len(_VIABLE) >= _SHAPES_LIMIT:
        _VIABLE.clear()
    _VIABLE[cache_key] = (handbook, viable)
    return viable


def _all_records(handbook: Handbook, values: dict[str, Any]) -> list[Canonical]:
    records: list[Canonical] = []
    present: dict[str, dict[str, Any]] = {}
    closest: tuple[int, Entity, list[str]] | None = None
    named = values.get("entity")
    if not _empty(named) and str(named).strip() not in handbook.entities_by_id:
        known = ", ".join(handbook.entities_by_id)
        raise RecordRejected(
            [
                Problem(
                    "core.unknown-entity",
                    f"unknown entity '{named}'; one of: {known}",
                    None,
                    named,
                    known,
                )
            ]
        )
    for entity in _candidates(handbook, None if _empty(named) else str(named).strip()):
        mine = _values_for(entity, values, present)
        missing = [term for term in _keys(entity).required if _empty(mine.get(term))]
        if not missing:
            records.append(Canonical(entity.id, mine))
            present[entity.id] = mine
        elif closest is None or len(mine) - len(missing) > closest[0]:
            closest = (len(mine) - len(missing), entity, missing)
    if records:
        return records
    detail = (
        f"as a {closest[1].id} it lacks {', '.join(closest[2])}" if closest else "it has no terms"
    )
    raise RecordRejected(
        [
            Problem(
                "core.required",
                f"the record is no complete handbook entity: {detail}",
                None,
                sorted(values),
                "the required terms of an entity",
            )
        ]
    )


def _candidates(handbook: Handbook, named: str | None) -> list[Entity]:
    """The named entity, else every entity the handbook lets files imply."""
    if named is not None:
        return [handbook.entities_by_id[named]]
    return [entity for entity in handbook.entities if entity.inferred]


@dataclass(frozen=True)
class _EntityKeys:
    """Which input keys fill which term of an entity, worked out once per entity."""

    plain: dict[str, str]  # "vacant" -> "vacant"
    prefixed: dict[str, str]  # "observation.vacant" -> "vacant" (wins over plain)
    references: tuple[tuple[str, str], ...]  # (term, referred entity) filled from this row
    geometry: str | None  # the geometry term, filled from lon/lat columns when absent
    required: tuple[str, ...]


#: id(entity) -> (entity, its keys). The entity is kept with its entry, so that its id cannot be
#: reused by another entity (handbooks are loaded again in tests) while the entry lives.
_KEYS: dict[int, tuple[Entity, _EntityKeys]] = {}


def _keys(entity: Entity) -> _EntityKeys:
    cached = _KEYS.get(id(entity))
    if cached is not None and cached[0] is entity:
        return cached[1]
    keys = _EntityKeys(
        plain={term.id: term.id for term in entity.terms},
        prefixed={f"{entity.id}.{term.id}": term.id for term in entity.terms},
        references=tuple(
            (term.id, term.refers_to)
            for term in entity.terms
            if term.datatype == "reference" and term.refers_to is not None
        ),
        geometry=next((t.id for t in entity.terms if t.datatype == "geometry"), None),
        required=tuple(t.id for t in entity.terms if t.required),
    )
    _KEYS[id(entity)] = (entity, keys)
    return keys


@dataclass(frozen=True)
class _Shape:
    """How one shape of input record (its tuple of keys) fills an entity's terms."""

    terms: list[tuple[str, str | None, str | None]]  # (term, plain key, prefixed key)
    has_point: bool  # both a longitude and a latitude key are present


#: (entity, input keys) -> its _Shape. A feed repeats one shape of record, so the key matching
#: is worked out once per shape rather than once per record.
_SHAPES: dict[tuple[int, tuple[str, ...]], tuple[Entity, _Shape]] = {}
_SHAPES_LIMIT = 4096


def _shape(entity: Entity, names: tuple[str, ...]) -> _Shape:
    cache_key = (id(entity), names)
    cached = _SHAPES.get(cache_key)
    if cached is not None and cached[0] is entity:
        return cached[1]
    keys = _keys(entity)
    plain = {keys.plain[name]: name for name in names if name in keys.plain}
    prefixed = {keys.prefixed[name]: name for name in names if name in keys.prefixed}
    shape = _Shape(
        terms=[(term, plain.get(term), prefixed.get(term)) for term in {**plain, **prefixed}],
        has_point=any(k in names for k in _LON) and any(k in names for k in _LAT),
    )
    if len(_SHAPES) >= _SHAPES_LIMIT:
        _SHAPES.clear()
    _SHAPES[cache_key] = (entity, shape)
    return shape


def _values_for(
    entity: Entity, values: dict[str, Any], present: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The values of ``entity`` in a flat record; ``entity.term`` names win over plain ones."""
    mine: dict[str, Any] = {}
    shape = _shape(entity, tuple(values))
    for term, plain, prefixed in shape.terms:
        value = values[prefixed] if prefixed is not None else None
        if _empty(value) and plain is not None:
            value = values[plain]
        if not _empty(value):
            mine[term] = value
    keys = _keys(entity)
    for term, referred in keys.references:
        if term not in mine and referred in present:
            mine[term] = present[referred]["id"]
    if shape.has_point and keys.geometry is not None and keys.geometry not in mine:
        point = _point(values)
        if point is not None:
            mine[keys.geometry] = point
    return mine


def _point(values: dict[str, Any]) -> dict[str, Any] | None:
    lon = next((values[k] for k in _LON if not _empty(values.get(k))), None)
    lat = next((values[k] for k in _LAT if not _empty(values.get(k))), None)
    if lon is None or lat is None:
        return None
    try:
        return {"type": "Point", "coordinates": [_number(lon), _number(lat)]}
    except ValueError:
        raise RecordRejected(
            [
                Problem(
                    "core.datatype",
                    f"coordinates ({lon}, {lat}) are not numbers",
                    "geometry",
                    f"{lon}, {lat}",
                    "decimal numbers",
                )
            ]
        ) from None


def _number(value: Any) -> float:
    return float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class CanonicalCsvAdapter:
    """CSV with the handbook's term names as columns (comma or semicolon separated)."""

    format_id = "csv"
    title = "CSV with the handbook's term names as columns"
    media_types: tuple[str, ...] = ("text/csv",)

    def __init__(self, handbook: Handbook) -> None:
        self.handbook = handbook

    def sniff(self, head: bytes, filename: str) -> bool:
        return filename.lower().endswith((".csv", ".tsv"))

    def read(self, stream: BinaryIO, context: ReadContext) -> Iterator[RawRecord]:
        text = _decode(stream.read(), context.origin)
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(io.StringIO(text), dialect=dialect)
        if not reader.fieldnames:
            raise UnreadableInput(f"{context.origin}: the CSV file has no header row")
        return self._rows(reader, context)

    def _rows(self, reader: csv.DictReader[str], context: ReadContext) -> Iterator[RawRecord]:
        for row in reader:
            if not any(not _empty(value) for value in row.values()):
                continue
            yield RawRecord(
                context.source, context.origin, reader.line_num, context.received_at, dict(row)
            )

    def map(self, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        row = {key.strip(): value for key, value in raw.content.items() if key is not None}
        return records_from_values(self.handbook, row)


class CanonicalGeoJsonAdapter:
    """A GeoJSON FeatureCollection whose properties are the handbook's term names."""

    format_id = "geojson"
    title = "GeoJSON with the handbook's term names as properties"
    media_types: tuple[str, ...] = ("application/geo+json",)

    def __init__(self, handbook: Handbook) -> None:
        self.handbook = handbook

    def sniff(self, head: bytes, filename: str) -> bool:
        return filename.lower().endswith(".geojson") or b'"FeatureCollection"' in head[:2048]

    def read(self, stream: BinaryIO, context: ReadContext) -> Iterator[RawRecord]:
        document = load_json(stream.read(), context.origin)
        if not isinstance(document, dict) or document.get("type") not in (
            "FeatureCollection",
            "Feature",
        ):
            raise UnreadableInput(f"{context.origin}: not a GeoJSON FeatureCollection")
        features = (
            document.get("features") if document["type"] == "FeatureCollection" else [document]
        )
        if not isinstance(features, list):
            raise UnreadableInput(f"{context.origin}: 'features' is not a list")
        declared = _declared_crs(document)
        return (
            RawRecord(
                context.source,
                context.origin,
                index,
                context.received_at,
                {"crs": declared, "feature": feature} if declared else feature,
            )
            for index, feature in enumerate(features, start=1)
        )

    def map(self, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        content = raw.content
        wrapped = isinstance(content, dict) and "feature" in content
        crs, feature = (content.get("crs"), content["feature"]) if wrapped else (None, content)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise RecordRejected([Problem("core.datatype", "the item is not a GeoJSON Feature")])
        values = dict(feature.get("properties") or {})
        if "id" not in values and feature.get("id") is not None:
            values["id"] = feature["id"]
        records = records_from_values(
            self.handbook,
            {**values, "geometry": feature.get("geometry")} if feature.get("geometry") else values,
        )
        for record in records:
            record.crs = crs
        return records


def _declared_crs(document: dict[str, Any]) -> str | None:
    """The legacy GeoJSON 2008 ``crs`` member (still common in Flemish exports)."""
    crs = document.get("crs")
    if isinstance(crs, dict):
        name = (crs.get("properties") or {}).get("name")
        return str(name) if name else None
    return None


def _decode(data: bytes, origin: str) -> str:
    if not data.strip():
        raise UnreadableInput(f"{origin}: the file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableInput(
            f"{origin}: the file is not UTF-8 (byte {error.start}); save it as UTF-8"
        ) from None


def load_json(data: bytes, origin: str) -> Any:
    """Parse JSON or raise one clear sentence with the line and column of the problem."""
    text = _decode(data, origin)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        ending = " (the file looks truncated)" if error.pos >= len(text.rstrip()) - 1 else ""
        raise UnreadableInput(
            f"{origin}: invalid JSON at line {error.lineno}, column {error.colno}: "
            f"{error.msg}{ending}"
        ) from None


class CanonicalJsonAdapter:
    """JSON objects with the handbook's term names: one object, an array, or JSON Lines.

    The same form serves files and MQTT payloads (one message may carry an array). An object
    names its entity in an ``entity`` member when it is not one the handbook lets files imply.
    """

    format_id = "json"
    title = "JSON objects with the handbook's term names (object, array or JSON Lines)"
    media_types: tuple[str, ...] = ("application/json", "application/x-ndjson")

    def __init__(self, handbook: Handbook) -> None:
        self.handbook = handbook

    def sniff(self, head: bytes, filename: str) -> bool:
        """JSON whose first object uses only the handbook's names (and lon/lat helpers)."""
        first = _first_object(head)
        if first is None:
            return False
        known = {"entity", *_LON, *_LAT}
        for entity in self.handbook.entities:
            known.update(term.id for term in entity.terms)
            known.update(f"{entity.id}.{term.id}" for term in entity.terms)
        return bool(first) and set(first) <= known

    def read(self, stream: BinaryIO, context: ReadContext) -> Iterator[RawRecord]:
        return (
            RawRecord(context.source, context.origin, position, context.received_at, item)
            for position, item in enumerate(json_documents(stream.read(), context.origin), 1)
        )

    def map(self, raw: RawRecord, context: ReadContext) -> list[Canonical]:
        items = raw.content if isinstance(raw.content, list) else [raw.content]
        records: list[Canonical] = []
        problems: list[Problem] = []
        for item in items:
            if not isinstance(item, dict):
                problems.append(
                    Problem(
                        "core.datatype",
                        "a JSON item is not an object",
                        None,
                        str(item)[:80],
                        "an object of term values",
                    )
                )
                continue
            try:
                records.extend(records_from_values(self.handbook, item))
            except RecordRejected as rejected:
                problems.extend(rejected.problems)
        if problems:
            raise RecordRejected(problems)
        return records


def _first_object(head: bytes) -> dict[str, Any] | None:
    """The first JSON object of a (possibly cut) head: a lone object, a line, an array item."""
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \r\n\t")
    candidates = [text.split("\n", 1)[0]]
    if text.startswith("["):
        candidates.append(text[1:].lstrip())
    decoder = json.JSONDecoder()
    for candidate in candidates:
        try:
            value, _end = decoder.raw_decode(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return value[0]
    return None


def json_documents(data: bytes, origin: str) -> list[Any]:
    """A JSON file as a list of items: an array's elements, one object, or JSON Lines."""
    text = _decode(data, origin)
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < 2:
            return [load_json(data, origin)]  # raises the precise error
        items = []
        for number, line in enumerate(lines, 1):
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise UnreadableInput(
                    f"{origin}: line {number} is not JSON ({error.msg}); JSON Lines needs one "
                    "JSON value per line"
                ) from None
        return items
    return document if isinstance(document, list) else [document]


def decoded_json(content: Any, rule: str) -> Any:
    """A raw record's content as a JSON value (a caller may pass the payload undecoded)."""
    if not isinstance(content, bytes | bytearray | str):
        return content
    try:
        return json.loads(content)
    except ValueError as error:
        raise RecordRejected(
            [
                Problem(
                    rule,
                    f"the message is not JSON ({error})",
                    None,
                    str(content[:80]),
                    "a JSON message",
                )
            ]
        ) from None
