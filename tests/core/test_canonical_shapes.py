"""Mapping a flat record visits only the entities its keys may complete, with the same result.

``records_from_values`` skips the entities a record's shape cannot complete; here every record
of a corpus built from each pilot's handbook maps exactly as the full search over all
entities maps it (records, values, or the problem when it completes none).
"""

from __future__ import annotations

import itertools
from typing import Any

from core.ingest.canonical import _all_records, records_from_values
from core.ingest.envelope import Canonical, RecordRejected
from core.pilot import Registry

FILLERS: list[Any] = ["x-1", "", "  ", None, 7, "3.7"]


def outcome(mapper: Any, handbook: Any, values: dict[str, Any]) -> Any:
    try:
        records: list[Canonical] = mapper(handbook, dict(values))
    except RecordRejected as rejected:
        return ("rejected", rejected.problems)
    return [(record.entity, record.values, record.derived, record.crs) for record in records]


def corpus(handbook: Any) -> list[dict[str, Any]]:
    """Records whose keys are pairs of terms (plain or entity-prefixed) and lon/lat helpers."""
    keys = sorted(
        {term.id for entity in handbook.entities for term in entity.terms}
        | {f"{entity.id}.{term.id}" for entity in handbook.entities for term in entity.terms}
    )
    extras: list[dict[str, Any]] = [{}, {"lon": 3.7, "lat": 51.0}, {"x": "", "y": 51.0}]
    records = []
    for count, (first, second) in enumerate(itertools.combinations(keys, 2)):
        for extra in extras:
            filler = FILLERS[count % len(FILLERS)]
            records.append({first: "id-1", second: filler, **extra})
    required = {
        term.id: "v" for entity in handbook.entities for term in entity.terms if term.required
    }
    records.append(required)
    records.append({**required, "lon": 3.7, "lat": 51.0})
    return records


def test_the_shape_shortcut_maps_every_record_as_the_full_search_does(
    registry: Registry,
) -> None:
    compared = mapped = 0
    for pilot in registry:
        for values in corpus(pilot.handbook):
            fast = outcome(records_from_values, pilot.handbook, values)
            full = outcome(_all_records, pilot.handbook, values)
            assert fast == full, values
            compared += 1
            mapped += not isinstance(fast, tuple)
    assert compared > 1000 and mapped > 10  # records were both mapped and rejected
