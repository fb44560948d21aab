"""The one validator against the real parking handbook: terms, codelists, ranges, time, place."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from shapely.geometry import Point

from core.ingest.envelope import Canonical, Problem, ReadContext
from core.pilot import Pilot
from core.validation import GENERIC_RULES, PilotRules, Validator

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CONTEXT = ReadContext("lab", "test.csv", NOW)
SITE = {"id": "P-1", "geometry": {"type": "Point", "coordinates": [3.7302, 51.047]}}
OBSERVATION = {"site": "P-1", "observed_at": "2026-11-20T09:00:00Z"}


@pytest.fixture(scope="module")
def validator(parking: Pilot) -> Validator:
    return Validator(parking.handbook, parking.rules, clock=lambda: NOW)


def check(validator: Validator, entity: str, values: dict[str, Any],
          context: ReadContext = CONTEXT) -> tuple[Canonical, list[Problem]]:
    record = Canonical(entity, dict(values))
    return record, validator.validate(record, context)


def rules(problems: list[Problem]) -> list[str]:
    return [problem.rule for problem in problems]


def test_the_pilot_validator_is_built_from_its_handbook(parking: Pilot) -> None:
    assert parking.validator.handbook is parking.handbook
    assert parking.validator.rules is parking.rules
    assert parking.validator is parking.validator  # built once


@pytest.mark.parametrize(
    ("entity", "values", "term"),
    [("site", {"geometry": SITE["geometry"]}, "site.id"),
     ("site", {"id": "P-1"}, "site.geometry"),
     ("site", {"id": "  ", "geometry": SITE["geometry"]}, "site.id"),
     ("observation", {"site": "P-1", "status": "full"}, "observation.observed_at"),
     ("observation", {"observed_at": "2026-11-20T09:00:00Z", "vacant": 3}, "observation.site")],
)
def test_required_terms(validator: Validator, entity: str, values: dict[str, Any],
                        term: str) -> None:
    _record, problems = check(validator, entity, values)
    required = [p for p in problems if p.rule == "core.required"]
    assert [(p.term, p.found, p.expected) for p in required] == [(term, None, "a value")]
    assert required[0].message == f"required term '{term.split('.')[1]}' is missing"


def test_a_valid_site_is_coerced_in_place(validator: Validator) -> None:
    values = {**SITE, "type": "CARPARK", "capacity": "550", "free_parking": "nee", "name": " Zuid "}
    record, problems = check(validator, "site", values)
    assert problems == []
    assert record.values["capacity"] == 550
    assert record.values["free_parking"] is False
    assert record.values["type"] == "carPark"
    assert record.values["name"] == "Zuid"
    assert isinstance(record.values["geometry"], Point)


def test_blank_values_are_dropped_not_reported(validator: Validator) -> None:
    record, problems = check(validator, "site", {**SITE, "capacity": "", "name": "  "})
    assert problems == []
    assert "capacity" not in record.values and "name" not in record.values


@pytest.mark.parametrize(
    ("given", "stored"),
    [("full", "full"), ("FULL", "full"), (" Full ", "full"), ("almostfull", "almostFull"),
     ("ALMOSTFULL", "almostFull"), ("spacesAvailable", "spacesAvailable")],
)
def test_codes_are_matched_case_insensitively_and_normalised(
    validator: Validator, given: str, stored: str
) -> None:
    record, problems = check(validator, "observation", {**OBSERVATION, "status": given})
    assert problems == []
    assert record.values["status"] == stored


@pytest.mark.parametrize(("term", "value"), [("status", "vol"), ("status", "almost full"),
                                             ("opening_status", "open24/7")])
def test_a_value_outside_the_codelist_is_reported(validator: Validator, term: str,
                                                  value: str) -> None:
    _record, problems = check(validator, "observation", {**OBSERVATION, "status": "full",
                                                         term: value})
    assert [(p.rule, p.term, p.found) for p in problems] == [
        ("core.codelist", f"observation.{term}", value)]
    codelist = "site-status" if term == "status" else "opening-status"
    assert problems[0].message == f"'{value}' is not in codelist {codelist}"
    assert problems[0].expected is not None and problems[0].expected.startswith("one of ")
    assert "closed" in problems[0].expected


@pytest.mark.parametrize(
    ("term", "value", "rule", "expected"),
    [("vacant", 0, None, None), ("vacant", -1, "core.minimum", ">= 0 {spaces}"),
     ("vacant", "-3", "core.minimum", ">= 0 {spaces}"),
     ("occupancy", 0, None, None), ("occupancy", "100", None, None),
     ("occupancy", "100,5", "core.maximum", "<= 100 %"),
     ("occupancy", -0.1, "core.minimum", ">= 0 %"),
     ("capacity", -1, "core.minimum", ">= 0 {spaces}")],
)
def test_minimum_and_maximum(validator: Validator, term: str, value: Any, rule: str | None,
                             expected: str | None) -> None:
    values = {**OBSERVATION, "status": "unknown", term: value}
    _record, problems = check(validator, "observation", values)
    if rule is None:
        assert problems == []
    else:
        assert [(p.rule, p.term, p.found, p.expected) for p in problems] == [
            (rule, f"observation.{term}", value, expected)]


def test_range_message_names_term_value_and_unit(validator: Validator) -> None:
    _record, problems = check(validator, "observation", {**OBSERVATION, "vacant": "-3"})
    assert problems[0].message == "vacant -3 is below 0 {spaces}"


@pytest.mark.parametrize(
    ("observed_at", "problem"),
    [("2026-11-20T09:05:00Z", None),  # exactly 5 minutes ahead is allowed
     ("2026-11-20T10:05:00+01:00", None),
     ("2026-11-20T09:05:01Z", "core.future"),
     ("2026-11-21T09:00:00Z", "core.future"),
     ("2020-01-01T00:00:00Z", None)],  # old times are fine
)
def test_times_more_than_five_minutes_ahead_are_refused(
    validator: Validator, observed_at: str, problem: str | None
) -> None:
    _record, problems = check(validator, "observation",
                              {**OBSERVATION, "observed_at": observed_at, "status": "full"})
    assert rules(problems) == ([problem] if problem else [])
    if problem:
        assert problems[0].term == "observation.observed_at"
        assert problems[0].found == observed_at
        assert problems[0].expected == "at most 2026-11-20T09:05:00+00:00"


def test_the_clock_is_read_at_validation_time(parking: Pilot) -> None:
    moments = iter([NOW, datetime(2026, 11, 21, 9, 0, tzinfo=UTC)])
    validator = Validator(parking.handbook, parking.rules, clock=lambda: next(moments))
    values = {**OBSERVATION, "observed_at": "2026-11-21T08:00:00Z", "status": "full"}
    assert rules(check(validator, "observation", values)[1]) == ["core.future"]
    assert rules(check(validator, "observation", values)[1]) == []


@pytest.mark.parametrize(
    ("coordinates", "rule"),
    [([3.7302, 51.047], None), ([2.35, 48.85], "core.outside-belgium"),  # Paris
     ([51.047, 3.7302], "core.outside-belgium"),  # lat/lon swapped
     ([4.8952, 52.3702], "core.outside-belgium"),  # Amsterdam
     ([2.55, 51.09], None), ([6.4, 50.32], None)],  # De Panne, Sankt Vith
)
def test_locations_outside_belgium_are_flagged(validator: Validator, coordinates: list[float],
                                               rule: str | None) -> None:
    geometry = {"type": "Point", "coordinates": coordinates}
    _record, problems = check(validator, "site", {"id": "P-1", "geometry": geometry})
    assert rules(problems) == ([rule] if rule else [])
    if rule:
        assert (problems[0].term, problems[0].found) == ("site.geometry", geometry)
        assert problems[0].message.startswith(
            f"location ({coordinates[0]:.5f}, {coordinates[1]:.5f}) lies outside Belgium")


@pytest.mark.parametrize(
    ("context_crs", "record_crs", "rule"),
    [(None, None, "core.crs-missing"), ("EPSG:31370", None, None),
     (None, "EPSG:31370", None), ("EPSG:4326", "EPSG:31370", None),
     ("EPSG:4326", None, "core.outside-belgium"), ("EPSG:9999", None, "core.crs")],
)
def test_the_record_crs_overrides_the_declared_one(
    validator: Validator, context_crs: str | None, record_crs: str | None, rule: str | None
) -> None:
    record = Canonical("site", {"id": "L-1", "geometry": "POINT (104000 194000)"},
                       crs=record_crs)
    problems = validator.validate(record, ReadContext("lab", "x", NOW, crs=context_crs))
    assert rules(problems) == ([rule] if rule else [])
    if rule is None:
        geometry = record.values["geometry"]
        assert (geometry.x, geometry.y) == pytest.approx((3.7127, 51.0543), abs=1e-4)


def test_a_naive_time_uses_the_context_time_zone(validator: Validator) -> None:
    values = {**OBSERVATION, "observed_at": "2026-11-20T10:00:00", "status": "full"}
    _record, problems = check(validator, "observation", values)
    assert [(p.rule, p.term) for p in problems] == [("core.timezone", "observation.observed_at")]
    context = ReadContext("lab", "x", NOW, timezone="Europe/Brussels")
    record, problems = check(validator, "observation", values, context)
    assert problems == []
    assert record.values["observed_at"] == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_every_broken_term_is_reported_with_found_and_expected(validator: Validator) -> None:
    values = {**OBSERVATION, "observed_at": "gisteren", "vacant": "veel", "occupancy": "n.v.t."}
    _record, problems = check(validator, "observation", values)
    assert [(p.rule, p.term, p.found, p.expected) for p in problems] == [
        ("core.datatype", "observation.observed_at", "gisteren", "an ISO 8601 date-time"),
        ("core.datatype", "observation.vacant", "veel", "an integer"),
        ("core.datatype", "observation.occupancy", "n.v.t.", "a number"),
    ]


def test_an_unknown_entity_is_one_problem(validator: Validator) -> None:
    _record, problems = check(validator, "garage", {"id": "x"})
    assert problems == [Problem("core.unknown-entity", "unknown entity 'garage'")]


def test_every_generic_rule_id_is_namespaced() -> None:
    assert all(rule.startswith("core.") for rule in GENERIC_RULES)
    assert {"core.required", "core.future", "core.outside-belgium", "core.crs-missing"} <= set(
        GENERIC_RULES)


def test_problem_as_dict_is_json_ready() -> None:
    problem = Problem("core.future", "too late", "observation.observed_at",
                      datetime(2026, 11, 20, 9, 10, tzinfo=UTC), "at most ...")
    assert problem.as_dict() == {
        "rule": "core.future", "term": "observation.observed_at", "message": "too late",
        "found": "2026-11-20T09:10:00+00:00", "expected": "at most ...",
    }
    assert Problem("x", "m", found=Point(1, 2)).as_dict()["found"] == "POINT (1 2)"


@pytest.mark.parametrize(
    ("drop", "add", "missing", "unknown"),
    [("parking.has-count", None, "{'parking.has-count'}", "set()"),
     (None, "parking.extra", "set()", "{'parking.extra'}")],
)
def test_rules_and_code_must_match_one_to_one(
    parking: Pilot, drop: str | None, add: str | None, missing: str, unknown: str
) -> None:
    checks = {rule: check for rule, check in parking.rules.checks.items() if rule != drop}
    if add:
        checks[add] = lambda record: None
    with pytest.raises(ValueError) as caught:
        Validator(parking.handbook, PilotRules(parking.rules.derive, checks))
    assert str(caught.value) == (
        f"handbook rules without code {missing}, code without rule {unknown}")
