"""Every criterion at, just below and just above its threshold, from the criteria data itself;
unknowns, applicability, stepped thresholds and the profile levels."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from core.assessment import Condition, Criterion, Step, SteppedThreshold
from pilots.accessibility import pilot
from pilots.accessibility.assessor import Assessor, compare

HANDBOOK = pilot().handbook
ASSESSMENT = HANDBOOK.assessment
assert ASSESSMENT is not None
ASSESSOR = Assessor(HANDBOOK)
STEP = 0.1


def satisfying(condition: Condition) -> Any:
    """A value that makes ``condition`` hold."""
    value = condition.value
    if condition.comparison == "above":
        return float(value) + 1  # type: ignore[arg-type]
    if condition.comparison == "below":
        return float(value) - 1  # type: ignore[arg-type]
    return value


def applying(criterion: Criterion) -> dict[str, Any]:
    return {c.term: satisfying(c) for c in criterion.applies_when[:1]}


def cases() -> list[Any]:
    """(criterion, by-term value, threshold) for every threshold of every criterion; a stepped
    one is tested at a by-value inside each band (its inclusive bound, just under its exclusive
    one, past the last bound for the open band)."""
    found = []
    for criterion in ASSESSMENT.criteria:
        stepped = criterion.threshold_by
        if stepped is None:
            found.append(pytest.param(criterion, None, criterion.threshold, id=criterion.id))
            continue
        previous = 0.0
        for step in stepped.steps:
            if step.up_to is not None:
                inside = step.up_to
            elif step.below is not None:
                inside = step.below - STEP
            else:
                inside = previous + 1
            found.append(
                pytest.param(criterion, inside, step.threshold, id=f"{criterion.id}@{inside:g}")
            )
            previous = step.bound if step.bound is not None else previous
    return found


def band_edges() -> list[Any]:
    """(criterion, bound, threshold in force at the bound) for every bound of every band."""
    found = []
    for criterion in ASSESSMENT.criteria:
        stepped = criterion.threshold_by
        if stepped is None:
            continue
        for step, following in zip(stepped.steps, stepped.steps[1:], strict=False):
            assert step.bound is not None
            at_bound = step.threshold if step.up_to is not None else following.threshold
            found.append(pytest.param(
                criterion, step.bound, at_bound, id=f"{criterion.id}@{step.bound:g}"))
    return found


def outcome(criterion: Criterion, value: Any, by: Any = None, **more: Any) -> str:
    values = {**applying(criterion), **{term: value for term in criterion.terms}, **more}
    if criterion.threshold_by is not None:
        values[criterion.threshold_by.term] = by
    return ASSESSOR.criterion(criterion, values, {}).outcome


@pytest.mark.parametrize(("criterion", "by", "threshold"), cases())
def test_each_threshold_at_below_and_above(criterion: Criterion, by: Any, threshold: Any) -> None:
    if isinstance(threshold, bool):
        assert outcome(criterion, threshold, by) == "pass"
        assert outcome(criterion, not threshold, by) == "fail"
        return
    limit = float(threshold)
    expected = {
        "at_least": ("pass", "fail", "pass"),
        "at_most": ("pass", "pass", "fail"),
        "above": ("fail", "fail", "pass"),
        "below": ("fail", "pass", "fail"),
        "equals": ("pass", "fail", "fail"),
    }[criterion.comparison]
    found = tuple(outcome(criterion, v, by) for v in (limit, limit - STEP, limit + STEP))
    assert found == expected


@pytest.mark.parametrize(("criterion", "bound", "threshold"), band_edges())
def test_a_band_bound_belongs_to_the_band_the_text_puts_it_in(
    criterion: Criterion, bound: float, threshold: float
) -> None:
    """An inclusive bound (``up_to``) stays in its band, an exclusive one (``below``) opens the
    next: the limit in force at the bound is checked at, just below and just above it."""
    beyond = threshold + STEP if criterion.comparison == "at_most" else threshold - STEP
    assert outcome(criterion, threshold, bound) == "pass"
    assert outcome(criterion, beyond, bound) == "fail"


def test_a_band_has_one_kind_of_bound_and_bounds_ascend_strictly() -> None:
    with pytest.raises(ValidationError, match="up_to or below"):
        Step(up_to=10, below=10, threshold=1)
    with pytest.raises(ValidationError, match="ascend"):
        SteppedThreshold(term="x", steps=(Step(below=10, threshold=2), Step(up_to=10, threshold=1),
                                          Step(threshold=0)))
    assert Step(below=10, threshold=1).holds(9.9) and not Step(below=10, threshold=1).holds(10)
    assert Step(up_to=10, threshold=1).holds(10)


def test_the_ramp_bands_follow_the_text_at_their_bounds() -> None:
    """Art. 19 §1: "tot 10 cm" 10 %, "van 10 cm tot 25 cm" 8,3 %, "50 cm of groter" 5 %."""
    ramp = ASSESSMENT.criteria_by_id["ramp.slope"]
    values = {"ramp_present": True}
    limits = {rise: ASSESSOR.criterion(ramp, {**values, "ramp_rise": rise}, {}).threshold
              for rise in (9.9, 10, 24.9, 25, 49.9, 50)}
    assert limits == {9.9: 10, 10: 8.3, 24.9: 8.3, 25: 6.25, 49.9: 6.25, 50: 5}


@pytest.mark.parametrize("criterion", ASSESSMENT.criteria, ids=lambda c: c.id)
def test_a_missing_value_is_unknown_never_a_pass(criterion: Criterion) -> None:
    values = applying(criterion)
    result = ASSESSOR.criterion(criterion, values, {})
    assert result.outcome == "unknown"
    assert "unknown" in result.explanation["en"] and "onbekend" in result.explanation["nl"]


@pytest.mark.parametrize(
    "criterion", [c for c in ASSESSMENT.criteria if c.applies_when], ids=lambda c: c.id
)
def test_a_criterion_whose_conditions_all_fail_does_not_apply(criterion: Criterion) -> None:
    values: dict[str, Any] = {}
    for condition in criterion.applies_when:
        value = satisfying(condition)
        values[condition.term] = (not value) if isinstance(value, bool) else (
            float(condition.value) - 1 if condition.comparison == "above" else float(value) + 1  # type: ignore[arg-type]
        )
        assert not compare(values[condition.term], condition.comparison, condition.value)
    assert ASSESSOR.criterion(criterion, values, {}).outcome == "not_applicable"


def test_unknown_applicability_fails_nothing_but_lets_a_pass_stand() -> None:
    steps = ASSESSMENT.criteria_by_id["entrance.step-free"]
    assert ASSESSOR.criterion(steps, {"entrance_step_count": 0}, {}).outcome == "pass"
    unknown = ASSESSOR.criterion(steps, {"entrance_step_count": 3}, {})
    assert unknown.outcome == "unknown"
    assert "whether it applies is unknown (ramp present)" in unknown.explanation["en"]


@pytest.mark.parametrize(("slope", "expected"), [(5, "pass"), (8, "unknown"), (10.1, "fail")])
def test_a_ramp_slope_without_its_rise_decides_only_when_every_band_agrees(
    slope: float, expected: str
) -> None:
    ramp = ASSESSMENT.criteria_by_id["ramp.slope"]
    assert outcome(ramp, slope) == expected


def test_any_of_passes_on_one_side_and_fails_only_when_both_are_known() -> None:
    transfer = ASSESSMENT.criteria_by_id["toilet.transfer-space"]
    base = {"toilet_present": True}
    assert ASSESSOR.criterion(transfer, {**base, "toilet_transfer_left": 95}, {}).outcome == "pass"
    assert ASSESSOR.criterion(transfer, {**base, "toilet_transfer_left": 40}, {}).outcome == (
        "unknown"
    )
    both = {**base, "toilet_transfer_left": 40, "toilet_transfer_right": 80}
    assert ASSESSOR.criterion(transfer, both, {}).outcome == "fail"


def test_explanations_name_the_value_and_the_threshold_in_both_languages() -> None:
    door = ASSESSMENT.criteria_by_id["entrance.door-width"]
    result = ASSESSOR.criterion(door, {"entrance_door_width": 78}, {"entrance_door_width": "tag"})
    assert result.explanation == {
        "en": "entrance door 78 cm (needs ≥ 90 cm)",
        "nl": "toegangsdeur 78 cm (vereist ≥ 90 cm)",
    }
    assert result.methods == ("tag",)
    slope = ASSESSMENT.criteria_by_id["ramp.slope"]
    values = {"ramp_present": True, "ramp_slope": 8.5, "ramp_rise": 20}
    assert ASSESSOR.criterion(slope, values, {}).explanation["nl"] == (
        "hellingspercentage 8,5 % (vereist ≤ 8,3 % bij een hoogteverschil helling van 20 cm)"
    )


def complete(**changes: Any) -> dict[str, Any]:
    """A building that passes every criterion of every profile."""
    values: dict[str, Any] = {
        "entrance_door_width": 95, "entrance_threshold_height": 1, "entrance_step_count": 0,
        "ramp_present": False, "automatic_door": True, "intercom_height": 100,
        "corridor_width": 160, "turning_space_diameter": 150, "lift_present": False,
        "toilet_present": True, "toilet_door_width": 90, "toilet_transfer_left": 90,
        "toilet_front_space": 150, "toilet_grab_bars": True, "parking_reserved_count": 1,
        "parking_reserved_width": 350, "parking_reserved_length": 500, "parking_distance": 10,
        "counter_height": 75, "hearing_loop": True, "tactile_guidance": True,
        "assistance_dogs_allowed": True, "seating": True,
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def levels(values: dict[str, Any], method: str = "measured") -> dict[str, Any]:
    methods = {term: method for term in values}
    results = ASSESSOR.criteria(values, methods)
    return {key: result for key, result in ASSESSOR.profiles(results, values).items()}


def test_a_building_that_passes_everything_is_accessible_for_every_profile() -> None:
    found = levels(complete())
    assert {key: result.level for key, result in found.items()} == {
        "wheelchair": "accessible", "wheelchair_assisted": "accessible",
        "reduced_mobility": "accessible", "blind": "accessible", "deaf": "accessible",
    }
    assert found["wheelchair"].basis == "measured"
    assert found["wheelchair"].reasons["en"] == ["all 16 applicable criteria pass"]


def test_a_narrow_door_makes_a_building_not_accessible_and_says_why() -> None:
    found = levels(complete(entrance_door_width=78))["wheelchair"]
    assert (found.level, found.deciding) == ("not-accessible", ("entrance.door-width",))
    assert found.reasons["en"] == ["entrance door 78 cm (needs ≥ 90 cm)"]


def test_a_help_criterion_fails_to_accessible_with_help() -> None:
    found = levels(complete(counter_height=95))
    assert found["wheelchair"].level == "accessible-with-help"
    assert found["wheelchair"].deciding == ("service.counter-height",)
    assert found["wheelchair_assisted"].level == "accessible"  # not a criterion of that profile


def test_missing_data_that_could_change_the_level_leaves_it_unknown() -> None:
    found = levels(complete(corridor_width=None))["wheelchair"]
    assert (found.level, found.deciding, found.basis) == (
        "unknown", ("circulation.corridor-width",), None)
    with_help = levels(complete(corridor_width=None, counter_height=95))["wheelchair"]
    assert with_help.level == "unknown"
    certain = levels(complete(corridor_width=None, entrance_door_width=70))["wheelchair"]
    assert certain.level == "not-accessible"  # whatever the corridor, the door decides


def test_only_worse_unknowns_matter() -> None:
    found = levels(complete(counter_height=95, parking_distance=None))["wheelchair"]
    assert found.level == "accessible-with-help"  # the distance could only give 'with help'


def test_a_reported_tag_decides_only_where_measurements_leave_room() -> None:
    tagged = {"wheelchair_reported": "limited"}
    found = levels(tagged, "tag")["wheelchair"]
    assert (found.level, found.basis) == ("accessible-with-help", "reported")
    assert found.deciding == ("reported:wheelchair_reported",)
    assert "reported 'limited'" in found.reasons["en"][-1]
    contradicted = levels(complete(entrance_door_width=70, wheelchair_reported="yes"))
    assert contradicted["wheelchair"].level == "not-accessible"
    assert contradicted["wheelchair"].basis == "measured"


def test_a_level_decided_by_a_tag_says_so() -> None:
    found = levels(complete(entrance_door_width=70), "tag")["wheelchair"]
    assert (found.level, found.basis) == ("not-accessible", "tag")
