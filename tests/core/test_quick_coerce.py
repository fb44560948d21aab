"""The quick path of validation never accepts what the full checks reject, and changes nothing.

Term by term, every value a quick coercer accepts is accepted by ``Validator._coerce`` with the
same result; record by record, a validator with the quick path and one without it give the
same problems, the same coerced and derived values and the same rows, for every registered
pilot's handbook.
"""

from __future__ import annotations

import copy
import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from shapely.geometry import Point

from core import coerce
from core.handbook import Term
from core.ingest.envelope import Canonical, ReadContext
from core.pilot import Pilot, Registry
from core.quick_coerce import Declined
from core.validation import Validator

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CONTEXTS = [
    ReadContext("lab", "test", NOW),
    ReadContext("lab", "test", NOW, timezone="Europe/Brussels"),
    ReadContext("lab", "test", NOW, crs="EPSG:31370"),
]

#: Values of every kind a supplier sends, right and wrong, including the edges of each check.
VALUES: list[Any] = [
    None, "", "   ", "\t",
    0, 1, -1, 7, 100, 101, 400, 2**53, 2**53 + 1, 2**70, -(2**70), True, False,
    0.0, -0.0, 0.5, 1.0, 99.9, 100.0, 100.0001, -0.1, 1e300, math.nan, math.inf, -math.inf,
    "0", "7", " 7 ", "7.0", "7,5", "-3", "abc", "1e3", "nan", "Infinity",
    "true", "false", "ja", "nee", "Yes", "maybe",
    "full", " full ", "FULL", "spacesAvailable", "closed", "open", "free", "occupied",
    "carPark", "unknown", "bogus",
    "2026-11-20T09:00:00Z", "2026-11-20T09:00:00z", "2026-11-20T09:00:00+01:00",
    " 2026-11-20T09:00:00+00:00 ", "2026-11-20T09:00:00", "2026-11-20", "2026-11-20T09:04:59Z",
    "2026-11-20T09:05:01Z", "2026-11-20T10:00:00Z", "2026-11-20T09:00:00.123456+00:00",
    "20261120T090000Z", "yesterday",
    NOW, NOW + timedelta(minutes=4), NOW + timedelta(hours=1), datetime(2026, 11, 20, 9, 0),
    datetime(2026, 11, 20, 10, 0, tzinfo=timezone(timedelta(hours=1))),
    {"type": "Point", "coordinates": [3.73, 51.05]}, {"type": "Point", "coordinates": [10, 10]},
    {"type": "Point", "coordinates": [104000, 194000]}, "POINT (3.73 51.05)", "POINT EMPTY",
    Point(3.73, 51.05), {"type": "Nope"}, "https://example.org/p/1", "P-1", "S0001", [1, 2],
]


def pilots(registry: Registry) -> list[Pilot]:
    return list(registry)


ABSENT = coerce.CoercionError("absent", "the full check drops an absent value", "a value")


def full_result(validator: Validator, term: Term, value: Any, context: ReadContext) -> Any:
    """What the full check makes of a value: the coerced value, or the error it raises."""
    if coerce.is_absent(value):
        return ABSENT
    try:
        return validator._coerce(term, value, context, NOW)
    except coerce.CoercionError as error:
        return error


def same(left: Any, right: Any) -> bool:
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left):
        return math.isnan(right)
    return type(left) is type(right) and (left == right or left is right)


def test_a_quick_coercer_accepts_only_what_the_full_check_accepts_with_the_same_result(
    registry: Registry,
) -> None:
    accepted = declined = 0
    for pilot in pilots(registry):
        validator = Validator(pilot.handbook, pilot.rules, clock=lambda: NOW)
        for entity in pilot.handbook.entities:
            plan = validator._plans[entity.id]
            for term in entity.terms:
                quick = plan.quick[term.id]
                for context in CONTEXTS:
                    for value in VALUES:
                        full = full_result(validator, term, value, context)
                        try:
                            result = quick(value, context, NOW)
                        except Declined:
                            declined += 1
                            continue
                        accepted += 1
                        assert not isinstance(full, Exception), (term.id, value, full)
                        assert same(result, full), (term.id, value, result, full)
    assert accepted > 100 and declined > 100  # both paths were really taken


RECORDS: list[tuple[str, dict[str, Any]]] = [
    ("observation", {"site": "P-1", "observed_at": "2026-11-20T09:00:00Z", "vacant": 7,
                     "capacity": 400}),
    ("observation", {"site": "P-1", "observed_at": "2026-11-20T09:00:00+01:00", "occupied": 393,
                     "capacity": 400, "status": "almostFull"}),
    ("observation", {"site": "P-1", "observed_at": "2026-11-20T09:00:00Z", "vacant": 401,
                     "capacity": 400}),
    ("observation", {"site": "P-1", "observed_at": "2026-11-20T09:00:00Z", "vacant": -1}),
    ("observation", {"site": "P-1", "observed_at": "2026-11-20T09:00:00Z", "vacant": "7"}),
    ("observation", {"site": "P-1", "observed_at": "2026-11-20T09:00:00", "vacant": 7}),
    ("observation", {"site": "P-1", "observed_at": "2026-11-20T10:00:00Z", "vacant": 7}),
    ("observation", {"site": "P-1", "observed_at": "2026-11-20T09:00:00Z"}),
    ("observation", {"site": "P-1", "observed_at": "2026-11-20T09:00:00Z", "vacant": 10,
                     "occupied": 10, "capacity": 30}),
    ("observation", {"site": "P-1", "observed_at": "2026-11-20T09:00:00Z", "vacant": 10,
                     "occupancy": 10.0, "capacity": 100}),
    ("observation", {"site": "P-1", "observed_at": "2026-11-20T09:00:00Z", "vacant": 0,
                     "capacity": 0, "status": "closed"}),
    ("observation", {"site": "P-1", "observed_at": "2026-11-20T09:00:00Z", "vacant": 3,
                     "opening_status": "closed"}),
    ("observation", {"site": "P-1", "observed_at": "2026-11-20T09:00:00Z", "status": "FULL"}),
    ("observation", {"site": " ", "observed_at": "2026-11-20T09:00:00Z", "vacant": 1}),
    ("observation", {"site": "P-1", "observed_at": "2026-11-20T09:00:00Z", "vacant": True}),
    ("observation", {"site": "P-1", "observed_at": "2026-11-20T09:00:00Z", "occupancy": 50,
                     "trend": "up", "unknown_key": 1}),
    ("site", {"id": "P-1", "geometry": {"type": "Point", "coordinates": [3.73, 51.05]},
              "capacity": 400, "name": " Zuid ", "type": "carPark", "free_parking": False}),
    ("site", {"id": "P-1", "geometry": {"type": "Point", "coordinates": [10, 10]}}),
    ("site", {"id": "P-1", "geometry": "POINT (3.73 51.05)", "free_parking": "nee"}),
    ("bay", {"id": "B-1", "zone": "Z-1", "device": "d-1"}),
    ("bay_observation", {"bay": "B-1", "observed_at": "2026-11-20T09:00:00Z",
                         "status": "occupied"}),
    ("bay_observation", {"bay": "B-1", "observed_at": "2026-11-20T09:00:00Z", "status": "gone"}),
]
SITES = [None, {"capacity": 400}, {"capacity": None}]


def row_without_clock(pilot: Pilot, record: Canonical) -> dict[str, Any]:
    row = pilot.store_for(record.entity).to_row("lab", record)
    return {k: v for k, v in row.items() if k not in ("received_at", "updated_at")}


@pytest.mark.parametrize(("entity", "values"), RECORDS)
def test_with_and_without_the_quick_path_a_record_validates_alike(
    parking: Pilot, entity: str, values: dict[str, Any]
) -> None:
    quick = Validator(parking.handbook, parking.rules, clock=lambda: NOW)
    full = Validator(parking.handbook, parking.rules, clock=lambda: NOW, quick=False)
    for context in CONTEXTS:
        for site in SITES:
            fast_record = Canonical(entity, copy.deepcopy(values))
            full_record = Canonical(entity, copy.deepcopy(values))
            fast_problems = quick.validate(fast_record, context, site)
            full_problems = full.validate(full_record, context, site)
            assert fast_problems == full_problems
            assert fast_record.values.keys() == full_record.values.keys()
            for key, value in fast_record.values.items():
                assert same(value, full_record.values[key]) or value == full_record.values[key]
            assert fast_record.derived == full_record.derived
            if not fast_problems and entity in ("observation", "bay_observation"):
                assert row_without_clock(parking, fast_record) == row_without_clock(
                    parking, full_record
                )


def test_every_pilot_validates_its_demo_records_alike_with_and_without_the_quick_path(
    registry: Registry,
) -> None:
    """Records of every handbook, filled from the value corpus term by term."""
    for pilot in pilots(registry):
        quick = Validator(pilot.handbook, pilot.rules, clock=lambda: NOW)
        full = Validator(pilot.handbook, pilot.rules, clock=lambda: NOW, quick=False)
        for entity in pilot.handbook.entities:
            for offset in range(len(VALUES)):
                values = {
                    term.id: VALUES[(offset + index) % len(VALUES)]
                    for index, term in enumerate(entity.terms)
                }
                fast_record = Canonical(entity.id, copy.deepcopy(values))
                full_record = Canonical(entity.id, copy.deepcopy(values))
                assert quick.validate(fast_record, CONTEXTS[0]) == full.validate(
                    full_record, CONTEXTS[0]
                )
                assert fast_record.derived == full_record.derived


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def test_whole_columns_coerce_as_each_value_does(registry: Registry) -> None:
    """``Validator.coerce_columns`` (blocks) gives each value its quick coercer's result, marks
    the records with a declined value or a missing required term, and leaves their values."""
    values = [value for value in VALUES if _hashable(value)]  # blocks hold hashable values
    checked = 0
    for pilot in pilots(registry):
        validator = Validator(pilot.handbook, pilot.rules, clock=lambda: NOW)
        for entity in pilot.handbook.entities:
            plan = validator._plans[entity.id]
            columns = {
                term.id: [values[(offset + index) % len(values)] for offset in range(len(values))]
                for index, term in enumerate(entity.terms)
            }
            columns["not_a_term"] = list(range(len(values)))
            for context in CONTEXTS:
                coerced, passed = validator.coerce_columns(entity.id, columns, context, NOW)
                assert coerced["not_a_term"] is columns["not_a_term"]
                for row in range(len(values)):
                    expected_pass = True
                    for term in entity.terms:
                        value = columns[term.id][row]
                        if value is None:
                            assert coerced[term.id][row] is None
                            expected_pass = expected_pass and not term.required
                            continue
                        try:
                            result = plan.quick[term.id](value, context, NOW)
                        except Declined:
                            expected_pass = False
                            assert coerced[term.id][row] is value
                            continue
                        assert same(coerced[term.id][row], result), (term.id, value)
                    assert passed[row] is expected_pass, (entity.id, row)
                    checked += 1
    assert checked > 500
