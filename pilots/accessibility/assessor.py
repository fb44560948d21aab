"""The assessor: a building's measurements against the criteria of ``assessment.yaml``.

Pure functions of data. Nothing here knows a threshold: every number comes from the criteria
the handbook pages document, so the published explanation and the published rule cannot differ.

Outcomes are ``pass``, ``fail``, ``unknown`` (a value needed is missing: never a pass) and
``not_applicable`` (e.g. lift criteria when there is no lift). A profile's level is the worst
level a failed criterion leads to; when unknown criteria could still make it worse, the level
is ``unknown`` — unless the profile has a reported judgement (an OSM ``wheelchair=*`` tag) that
is one of the levels still possible, which then decides with the basis ``reported``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from core.assessment import SYMBOLS, Assessment, Condition, Criterion, Profile
from core.handbook import Handbook
from pilots.accessibility.wording import LANGS, PHRASES, Lang, pick, quantity, requirement

Outcome = Literal["pass", "fail", "unknown", "not_applicable"]
Verdict = bool | None  # True: holds, False: does not, None: unknown


@dataclass(frozen=True)
class CriterionResult:
    """One criterion for one building: the outcome, what was compared, and in words."""

    id: str
    outcome: Outcome
    found: dict[str, Any]
    threshold: Any
    methods: tuple[str, ...]
    explanation: Mapping[Lang, str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "outcome": self.outcome,
            "found": self.found,
            "threshold": self.threshold,
            "methods": list(self.methods),
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class ProfileResult:
    """A profile's level, the criteria (rule ids) that decided it and why, in nl and en."""

    id: str
    level: str
    basis: str | None
    deciding: tuple[str, ...]
    reasons: Mapping[Lang, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "basis": self.basis,
            "deciding": list(self.deciding),
            "reasons": self.reasons,
        }


def compare(value: Any, comparison: str, threshold: Any) -> bool:
    """Whether ``value`` meets ``comparison threshold`` (values are in the handbook's units)."""
    if comparison == "equals":
        return bool(value == threshold)
    number, limit = float(value), float(threshold)
    match comparison:
        case "at_least":
            return number >= limit
        case "at_most":
            return number <= limit
        case "above":
            return number > limit
        case "below":
            return number < limit
    raise ValueError(f"unknown comparison {comparison}")


def _condition(condition: Condition, values: Mapping[str, Any]) -> Verdict:
    value = values.get(condition.term)
    return None if value is None else compare(value, condition.comparison, condition.value)


def applies(criterion: Criterion, values: Mapping[str, Any]) -> Verdict:
    """True when any condition holds, False when none can, None when that is not known."""
    if not criterion.applies_when:
        return True
    verdicts = [_condition(condition, values) for condition in criterion.applies_when]
    if any(verdict is True for verdict in verdicts):
        return True
    return False if all(verdict is False for verdict in verdicts) else None


def thresholds(criterion: Criterion, values: Mapping[str, Any]) -> list[Any]:
    """The threshold in force; all candidate thresholds when a stepped one's term is unknown."""
    stepped = criterion.threshold_by
    if stepped is None:
        return [criterion.threshold]
    by = values.get(stepped.term)
    if by is None:
        return [step.threshold for step in stepped.steps]
    for step in stepped.steps:
        if step.holds(float(by)):
            return [step.threshold]
    raise AssertionError("the last band is open")  # guaranteed by SteppedThreshold


def _subject(criterion: Criterion, values: Mapping[str, Any], limits: list[Any]) -> Verdict:
    """Whether the compared term (any of them, for ``any_of``) meets the threshold."""
    verdicts: list[Verdict] = []
    for term in criterion.terms:
        value = values.get(term)
        if value is None:
            verdicts.append(None)
            continue
        results = {compare(value, criterion.comparison, limit) for limit in limits}
        verdicts.append(results.pop() if len(results) == 1 else None)
    if any(verdict is True for verdict in verdicts):
        return True
    return False if all(verdict is False for verdict in verdicts) else None


class Assessor:
    """Evaluates criteria and profiles of one handbook's assessment."""

    def __init__(self, handbook: Handbook) -> None:
        if handbook.assessment is None:
            raise ValueError(f"the {handbook.pilot} handbook has no assessment criteria")
        self.handbook = handbook
        self.assessment: Assessment = handbook.assessment

    def criterion(
        self, criterion: Criterion, values: Mapping[str, Any], methods: Mapping[str, str]
    ) -> CriterionResult:
        limits = thresholds(criterion, values)
        applicable = applies(criterion, values)
        subject = _subject(criterion, values, limits)
        outcome: Outcome
        if applicable is False:
            outcome = "not_applicable"
        elif subject is True:
            outcome = "pass"
        elif subject is False and applicable is True:
            outcome = "fail"
        else:
            outcome = "unknown"
        used = [*criterion.terms, *(c.term for c in criterion.applies_when)]
        if criterion.threshold_by is not None:
            used.append(criterion.threshold_by.term)
        found = {term: values.get(term) for term in criterion.terms}
        return CriterionResult(
            id=criterion.id,
            outcome=outcome,
            found=found,
            threshold=limits[0] if len(limits) == 1 else None,
            methods=tuple(sorted({methods[t] for t in used if t in methods and t in values})),
            explanation={
                lang: self._explain(criterion, values, limits, applicable, lang) for lang in LANGS
            },
        )

    def criteria(
        self, values: Mapping[str, Any], methods: Mapping[str, str]
    ) -> dict[str, CriterionResult]:
        return {c.id: self.criterion(c, values, methods) for c in self.assessment.criteria}

    def _label(self, term: str, lang: Lang) -> str:
        return pick(self.handbook.term("building", term).label, lang).lower()

    def _explain(
        self,
        criterion: Criterion,
        values: Mapping[str, Any],
        limits: list[Any],
        applicable: Verdict,
        lang: Lang,
    ) -> str:
        words = PHRASES[lang]
        known = [values[t] for t in criterion.terms if values.get(t) is not None]
        separator = f" {words['or']} "
        shown = separator.join(quantity(value, criterion.unit, lang) for value in known)
        found = f" {shown}" if known else f": {words['unknown']}"
        if len(limits) == 1:
            needed = requirement(criterion, limits[0], lang)
            stepped = criterion.threshold_by
            if stepped is not None:
                rise = quantity(values[stepped.term], self._unit(stepped.term), lang)
                needed += " " + words["for_rise"].format(
                    term=self._label(stepped.term, lang), value=rise
                )
        else:
            assert criterion.threshold_by is not None
            low, high = min(limits), max(limits)
            needed = f"{SYMBOLS[criterion.comparison]} " + words["depending"].format(
                low=quantity(low, criterion.unit, lang),
                high=quantity(high, criterion.unit, lang),
                term=self._label(criterion.threshold_by.term, lang),
            )
        text = f"{pick(criterion.label, lang)}{found} ({words['needs']} {needed})"
        if applicable is None:
            terms = ", ".join(self._label(c.term, lang) for c in criterion.applies_when)
            text += "; " + words["applies_unknown"].format(terms=terms)
        return text

    def _unit(self, term: str) -> str | None:
        return self.handbook.term("building", term).unit

    def profiles(
        self, results: Mapping[str, CriterionResult], values: Mapping[str, Any]
    ) -> dict[str, ProfileResult]:
        return {p.id: self.profile(p, results, values) for p in self.assessment.profiles}

    def profile(
        self, profile: Profile, results: Mapping[str, CriterionResult], values: Mapping[str, Any]
    ) -> ProfileResult:
        order = {level.id: rank for rank, level in enumerate(self.assessment.levels[:-1])}
        best = self.assessment.levels[0].id
        failed = [i for i in profile.criteria if results[i.criterion].outcome == "fail"]
        open_ = [i for i in profile.criteria if results[i.criterion].outcome == "unknown"]
        current = max((i.on_fail for i in failed), key=order.__getitem__, default=best)
        worse = [i for i in open_ if order[i.on_fail] > order[current]]
        possible = {current, *(i.on_fail for i in worse)}
        deciding_fails = [i.criterion for i in failed if i.on_fail == current]
        if len(possible) == 1:
            if current == best:
                passed = [
                    i.criterion for i in profile.criteria if results[i.criterion].outcome == "pass"
                ]
                reasons = {
                    lang: [PHRASES[lang]["all_pass"].format(count=len(passed))] for lang in LANGS
                }
                basis = self._basis(passed, results)
                return ProfileResult(profile.id, best, basis, tuple(passed), reasons)
            return self._decided(profile.id, current, deciding_fails, results)
        reported = self._reported(profile, values)
        if reported is not None and reported in possible:
            decided = self._decided(profile.id, reported, deciding_fails, results)
            assert profile.reported is not None
            term = profile.reported.term
            note = {
                lang: PHRASES[lang]["reported"].format(
                    value=values[term], term=self._label(term, lang)
                )
                for lang in LANGS
            }
            return ProfileResult(
                profile.id,
                reported,
                "reported",
                (*decided.deciding, f"reported:{term}"),
                {lang: [*decided.reasons[lang], note[lang]] for lang in LANGS},
            )
        open_ids = [i.criterion for i in worse]
        ids = deciding_fails + open_ids
        return ProfileResult(
            profile.id,
            self.assessment.undetermined.id,
            None,
            tuple(ids),
            {lang: [results[i].explanation[lang] for i in ids] for lang in LANGS},
        )

    def _decided(
        self, profile: str, level: str, ids: list[str], results: Mapping[str, CriterionResult]
    ) -> ProfileResult:
        return ProfileResult(
            profile,
            level,
            self._basis(ids, results),
            tuple(ids),
            {lang: [results[i].explanation[lang] for i in ids] for lang in LANGS},
        )

    @staticmethod
    def _basis(ids: list[str], results: Mapping[str, CriterionResult]) -> str | None:
        """``measured`` when every deciding value was measured, ``tag`` when any was a tag."""
        methods = {method for i in ids for method in results[i].methods}
        if not methods:
            return None
        return "tag" if "tag" in methods else "measured"

    def _reported(self, profile: Profile, values: Mapping[str, Any]) -> str | None:
        if profile.reported is None:
            return None
        value = values.get(profile.reported.term)
        return None if value is None else profile.reported.levels.get(str(value))


def derive_rise(values: dict[str, Any], methods: dict[str, str]) -> None:
    """Fill the ramp's rise from its length and slope when absent (rise = length times slope)."""
    length, slope = values.get("ramp_length"), values.get("ramp_slope")
    if values.get("ramp_rise") is None and length is not None and slope is not None:
        values["ramp_rise"] = round(float(length) * float(slope) / 100, 1)
        both = {methods.get("ramp_length"), methods.get("ramp_slope")}
        methods["ramp_rise"] = "tag" if "tag" in both else "measured"
