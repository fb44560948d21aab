"""Parking rules at their thresholds, the closed-site exception, and the derivations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from core.ingest.envelope import Canonical, Problem, ReadContext
from core.pilot import Pilot
from core.validation import Validator
from pilots.parking.rules import ALMOST_FULL_AT, CHECKS, OCCUPANCY_TOLERANCE, derive

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CONTEXT = ReadContext("lab", "test.csv", NOW)
BASE = {"site": "P-1", "observed_at": "2026-11-20T09:00:00Z"}


@pytest.fixture(scope="module")
def validator(parking: Pilot) -> Validator:
    return Validator(parking.handbook, parking.rules, clock=lambda: NOW)


def validate(validator: Validator, values: dict[str, Any],
             site: Mapping[str, Any] | None = None) -> tuple[Canonical, list[Problem]]:
    record = Canonical("observation", {**BASE, **values})
    return record, validator.validate(record, CONTEXT, site)


def observation(**values: Any) -> Canonical:
    return Canonical("observation", dict(values))


@pytest.mark.parametrize(
    ("rule", "values", "message"),
    [
        ("parking.vacant-within-capacity", {"vacant": 99, "capacity": 100}, None),
        ("parking.vacant-within-capacity", {"vacant": 100, "capacity": 100}, None),
        ("parking.vacant-within-capacity", {"vacant": 101, "capacity": 100},
         "vacant spaces (101) exceed the capacity (100)"),
        ("parking.vacant-within-capacity", {"vacant": 101}, None),  # nothing to compare with
        ("parking.occupied-within-capacity", {"occupied": 99, "capacity": 100}, None),
        ("parking.occupied-within-capacity", {"occupied": 100, "capacity": 100}, None),
        ("parking.occupied-within-capacity", {"occupied": 101, "capacity": 100},
         "occupied spaces (101) exceed the capacity (100)"),
        ("parking.counts-add-up", {"occupied": 60, "vacant": 40, "capacity": 100}, None),
        ("parking.counts-add-up", {"occupied": 59, "vacant": 40, "capacity": 100},
         "occupied (59) + vacant (40) is not the capacity (100)"),
        ("parking.counts-add-up", {"occupied": 61, "vacant": 40, "capacity": 100},
         "occupied (61) + vacant (40) is not the capacity (100)"),
        ("parking.counts-add-up", {"occupied": 61, "vacant": 40}, None),
        ("parking.occupancy-consistent", {"occupancy": 75.0, "vacant": 25, "capacity": 100}, None),
        ("parking.occupancy-consistent", {"occupancy": 76.0, "vacant": 25, "capacity": 100}, None),
        ("parking.occupancy-consistent", {"occupancy": 74.0, "vacant": 25, "capacity": 100}, None),
        ("parking.occupancy-consistent", {"occupancy": 76.2, "vacant": 25, "capacity": 100},
         "occupancy 76.2 % does not match 25 vacant of 100 (expected 75.0 %)"),
        ("parking.occupancy-consistent", {"occupancy": 73.8, "vacant": 25, "capacity": 100},
         "occupancy 73.8 % does not match 25 vacant of 100 (expected 75.0 %)"),
        ("parking.occupancy-consistent", {"occupancy": 50.0, "vacant": 0, "capacity": 0}, None),
        ("parking.has-count", {}, "the observation has no vacant, occupied, occupancy or status "
                                  "value"),
        ("parking.has-count", {"capacity": 100}, "the observation has no vacant, occupied, "
                                                 "occupancy or status value"),
        ("parking.has-count", {"vacant": 0}, None),
        ("parking.has-count", {"occupied": 0}, None),
        ("parking.has-count", {"occupancy": 0.0}, None),
        ("parking.has-count", {"status": "unknown"}, None),
    ],
)
def test_each_rule_at_and_around_its_threshold(
    rule: str, values: dict[str, Any], message: str | None
) -> None:
    assert CHECKS[rule](observation(**values)) == message


def test_the_tolerance_is_one_percentage_point_and_almost_full_starts_at_90() -> None:
    assert (OCCUPANCY_TOLERANCE, ALMOST_FULL_AT) == (1.0, 90.0)


def test_a_derived_occupancy_is_not_checked_against_itself() -> None:
    record = observation(occupancy=10.0, vacant=25, capacity=100)
    record.derived.add("occupancy")
    assert CHECKS["parking.occupancy-consistent"](record) is None


@pytest.mark.parametrize(
    ("values", "problems"),
    [
        ({"vacant": 90, "capacity": 80},
         [("parking.vacant-within-capacity", "observation.vacant", "vacant=90, capacity=80")]),
        ({"occupied": 81, "capacity": 80},
         [("parking.occupied-within-capacity", "observation.occupied",
           "occupied=81, capacity=80")]),
        ({"occupied": 41, "vacant": 40, "capacity": 80},
         [("parking.counts-add-up", "observation.occupied",
           "occupied=41, vacant=40, capacity=80")]),
        ({"occupancy": "52,2", "vacant": 40, "capacity": 80},
         [("parking.occupancy-consistent", "observation.occupancy",
           "occupancy=52.2, vacant=40, capacity=80")]),
        ({"occupancy": "51", "vacant": 40, "capacity": 80}, []),
        # none of the rule's own terms is present, so there is nothing to show as found
        ({"capacity": 80}, [("parking.has-count", "observation.vacant", None)]),
    ],
)
def test_rule_problems_through_the_validator(
    validator: Validator, values: dict[str, Any], problems: list[tuple[str, str, str]]
) -> None:
    _record, found = validate(validator, values)
    assert [(p.rule, p.term, p.found) for p in found] == problems
    for problem, (rule, _term, _found) in zip(found, problems, strict=True):
        assert problem.expected == validator.handbook.rules_by_id[rule].description.en


def test_a_rule_is_skipped_when_one_of_its_terms_is_broken(validator: Validator) -> None:
    _record, found = validate(validator, {"vacant": "veel", "capacity": 80, "occupied": 100})
    assert [p.rule for p in found] == ["core.datatype", "parking.occupied-within-capacity"]


@pytest.mark.parametrize(
    "values",
    [{"status": "closed", "vacant": 0, "occupancy": 0, "capacity": 129},
     {"opening_status": "closed", "vacant": 0, "occupancy": 0, "capacity": 129},
     {"status": "CLOSED", "vacant": 0, "occupied": 0, "capacity": 129}],
)
def test_a_closed_site_reporting_zero_is_valid(validator: Validator,
                                               values: dict[str, Any]) -> None:
    record, found = validate(validator, values)
    assert found == []
    assert record.values["status"] == "closed"
    assert "occupied" not in record.values or record.values["occupied"] == 0
    assert record.derived == ({"status"} if "opening_status" in values else set())


def test_a_closed_site_gets_its_status_and_capacity_but_no_counts(
    validator: Validator,
) -> None:
    record, found = validate(validator, {"opening_status": "closed", "vacant": 0},
                             site={"capacity": 129})
    assert found == []
    assert {k: record.values.get(k) for k in ("capacity", "status", "occupied", "occupancy")} == {
        "capacity": 129, "status": "closed", "occupied": None, "occupancy": None}
    assert record.derived == {"capacity", "status"}


def test_an_open_site_reporting_zero_percent_with_zero_vacant_is_inconsistent(
    validator: Validator,
) -> None:
    _record, found = validate(validator, {"vacant": 0, "occupancy": 0, "capacity": 129})
    assert [p.rule for p in found] == ["parking.occupancy-consistent"]


@pytest.mark.parametrize(
    ("values", "site", "expected", "derived"),
    [
        ({"vacant": 110, "capacity": 550}, None,
         {"occupied": 440, "occupancy": 80.0, "status": "spacesAvailable"},
         {"occupied", "occupancy", "status"}),
        ({"occupied": 440, "capacity": 550}, None,
         {"vacant": 110, "occupancy": 80.0, "status": "spacesAvailable"},
         {"vacant", "occupancy", "status"}),
        ({"vacant": 110}, {"capacity": 550},
         {"capacity": 550, "occupied": 440, "occupancy": 80.0, "status": "spacesAvailable"},
         {"capacity", "occupied", "occupancy", "status"}),
        ({"vacant": 110, "capacity": 500}, {"capacity": 550},  # the record's own capacity wins
         {"capacity": 500, "occupied": 390, "occupancy": 78.0}, {"occupied", "occupancy",
                                                                 "status"}),
        ({"occupied": 1, "capacity": 3}, None, {"occupancy": 33.3}, {"vacant", "occupancy",
                                                                     "status"}),
        ({"occupied": 2, "capacity": 3}, None, {"occupancy": 66.7}, {"vacant", "occupancy",
                                                                     "status"}),
        ({"vacant": 5, "capacity": 6}, None, {"occupancy": 16.7}, {"occupied", "occupancy",
                                                                   "status"}),
        ({"vacant": 0, "capacity": 80}, None,
         {"occupied": 80, "occupancy": 100.0, "status": "full"}, {"occupied", "occupancy",
                                                                  "status"}),
        ({"vacant": 10, "capacity": 100}, None, {"occupancy": 90.0, "status": "almostFull"},
         {"occupied", "occupancy", "status"}),
        ({"vacant": 101, "capacity": 1000}, None,
         {"occupancy": 89.9, "status": "spacesAvailable"}, {"occupied", "occupancy", "status"}),
        ({"occupancy": 90}, None, {"status": "almostFull"}, {"status"}),
        ({"occupancy": "89,9"}, None, {"status": "spacesAvailable"}, {"status"}),
        ({"vacant": 3}, None, {"status": "spacesAvailable", "occupied": None}, {"status"}),
        ({"vacant": 0, "capacity": 0}, None, {"occupied": 0, "occupancy": None, "status": "full"},
         {"occupied", "status"}),
        ({"vacant": 0, "capacity": 80, "status": "unknown"}, None,
         {"occupied": 80, "status": "unknown"}, {"occupied", "occupancy"}),
        ({"occupied": 60, "vacant": 20, "capacity": 80, "occupancy": 75}, None,
         {"status": "spacesAvailable"}, {"status"}),
        ({"status": "full"}, {"capacity": None}, {"capacity": None}, set()),
    ],
)
def test_derivations(validator: Validator, values: dict[str, Any],
                     site: Mapping[str, Any] | None, expected: dict[str, Any],
                     derived: set[str]) -> None:
    record, found = validate(validator, values, site)
    assert found == []
    assert {key: record.values.get(key) for key in expected} == expected
    assert record.derived == derived


def test_derive_ignores_sites(parking: Pilot) -> None:
    record = Canonical("site", {"id": "P-1", "capacity": 10})
    derive(record, {"capacity": 20})
    assert (record.values, record.derived) == ({"id": "P-1", "capacity": 10}, set())


def test_nothing_is_derived_when_a_value_is_broken(validator: Validator) -> None:
    record, found = validate(validator, {"vacant": 10, "occupancy": "veel"}, {"capacity": 100})
    assert [p.rule for p in found] == ["core.datatype"]
    assert record.derived == set()
    assert "capacity" not in record.values


def test_every_handbook_rule_has_a_check_and_every_check_a_rule(parking: Pilot) -> None:
    assert set(parking.handbook.rules_by_id) == set(CHECKS) == set(parking.rules.checks)
    assert len(parking.handbook.rules) == 5


def test_every_rule_names_terms_of_its_entity(parking: Pilot) -> None:
    for rule in parking.handbook.rules:
        terms = parking.handbook.entities_by_id[rule.entity].terms_by_id
        assert set(rule.terms) <= set(terms), rule.id


def test_every_term_code_and_entity_has_dutch_and_english_texts(parking: Pilot) -> None:
    handbook = parking.handbook
    labelled = [*handbook.entities, *handbook.codelists,
                *(term for entity in handbook.entities for term in entity.terms),
                *(code for codelist in handbook.codelists for code in codelist.codes)]
    assert len(labelled) > 30
    for item in labelled:
        assert item.label.nl.strip() and item.label.en.strip(), item.id
    for entity in handbook.entities:
        for term in entity.terms:
            assert term.definition.nl.strip() and term.definition.en.strip(), term.id


def test_derivable_terms_are_exactly_what_derive_may_fill(parking: Pilot) -> None:
    observation_terms = parking.handbook.entities_by_id["observation"].terms
    assert {term.id for term in observation_terms if term.derivable} == {
        "capacity", "vacant", "occupied", "occupancy", "status"}
