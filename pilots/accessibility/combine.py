"""Several sources, one building: the best value per characteristic, with provenance and conflicts.

Pure: takes the stored records of one building and returns the merged building. Per
characteristic a measured value beats a tag, then a newer observation beats an older one (a
record without a date counts as oldest), then the record id decides so the result never
depends on the order of delivery. Values that disagree with the chosen one (beyond
:func:`same_value`'s tolerance) are conflicts, published on the building with every side.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shapely.geometry.base import BaseGeometry

from core.handbook import Handbook
from pilots.accessibility.assessor import Assessor, derive_rise
from pilots.accessibility.models import IDENTITY_COLUMNS

_METHOD_RANK = {"measured": 0, "tag": 1}
_OLDEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class StoredRecord:
    """What the merge needs of one ``accessibility_record`` row."""

    id: str
    source: str
    observed_at: datetime | None
    geometry: BaseGeometry
    identity: dict[str, Any]
    measurements: dict[str, dict[str, Any]]
    method: str = "measured"


def same_value(a: Any, b: Any) -> bool:
    """Equal, or numbers within 1 unit or 2 % of each other (two tape measures differ a bit)."""
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, int | float):
        return bool(a == b)
    if not isinstance(b, int | float):
        return False
    return math.isclose(a, b, rel_tol=0.02, abs_tol=1.0)


def _rank(record: StoredRecord, method: str) -> tuple[int, float, str]:
    observed = record.observed_at or _OLDEST
    return (_METHOD_RANK.get(method, 2), -observed.timestamp(), record.id)


def _provenance(record: StoredRecord, entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "value": entry.get("value"),
        "unit": entry.get("unit"),
        "method": entry.get("method"),
        "original": entry.get("original"),
        "source": record.source,
        "record": record.id,
        "observed_at": record.observed_at.isoformat() if record.observed_at else None,
    }


def best_values(
    records: Sequence[StoredRecord],
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Per characteristic the chosen value with provenance, and the conflicts found."""
    chosen: dict[str, dict[str, Any]] = {}
    conflicts: list[dict[str, Any]] = []
    terms = sorted({term for record in records for term in record.measurements})
    for term in terms:
        candidates = sorted(
            (
                (record, record.measurements[term])
                for record in records
                if term in record.measurements
            ),
            key=lambda pair: _rank(pair[0], str(pair[1].get("method"))),
        )
        winner_record, winner = candidates[0]
        chosen[term] = _provenance(winner_record, winner)
        others = [
            _provenance(record, entry)
            for record, entry in candidates[1:]
            if not same_value(entry.get("value"), winner.get("value"))
        ]
        if others:
            conflicts.append({"term": term, "chosen": chosen[term], "others": others})
    return chosen, conflicts


def _identity(records: Sequence[StoredRecord]) -> dict[str, Any]:
    """Names and addresses from the best-ranked record that has them (an audit before a tag)."""
    ordered = sorted(records, key=lambda record: _rank(record, record.method))
    identity: dict[str, Any] = {}
    for column in IDENTITY_COLUMNS:
        identity[column] = next(
            (r.identity[column] for r in ordered if r.identity.get(column) is not None), None
        )
    return identity


def _geometry(records: Sequence[StoredRecord]) -> BaseGeometry:
    """A footprint when any source has one, else the best-ranked record's point."""
    ordered = sorted(records, key=lambda record: _rank(record, record.method))
    areas = ("Polygon", "MultiPolygon")
    footprints = [r.geometry for r in ordered if r.geometry.geom_type in areas]
    return footprints[0] if footprints else ordered[0].geometry


def merged_building(
    building_id: str, records: Sequence[StoredRecord], handbook: Handbook
) -> dict[str, Any]:
    """The ``accessibility_building`` row of one building from its records."""
    chosen, conflicts = best_values(records)
    values = {term: entry["value"] for term, entry in chosen.items()}
    methods = {term: str(entry["method"]) for term, entry in chosen.items()}
    derive_rise(values, methods)
    if "ramp_rise" in values and "ramp_rise" not in chosen:
        chosen["ramp_rise"] = {
            "value": values["ramp_rise"],
            "unit": "cm",
            "method": methods["ramp_rise"],
            "original": None,
            "source": None,
            "record": None,
            "observed_at": None,
            "derived": True,
        }
    assessor = Assessor(handbook)
    results = assessor.criteria(values, methods)
    profiles = assessor.profiles(results, values)
    geometry = _geometry(records)
    minx, miny, maxx, maxy = geometry.bounds
    dates = [record.observed_at for record in records if record.observed_at is not None]
    return {
        "id": building_id,
        **_identity(records),
        "geometry": geometry,
        "minx": minx,
        "miny": miny,
        "maxx": maxx,
        "maxy": maxy,
        **{profile: result.level for profile, result in profiles.items()},
        "measurements": chosen,
        "criteria": {rule: result.as_dict() for rule, result in results.items()},
        "profiles": {profile: result.as_dict() for profile, result in profiles.items()},
        "conflicts": conflicts,
        "sources": sorted(record.id for record in records),
        "observed_at": max(dates) if dates else None,
        "updated_at": datetime.now(UTC),
    }
