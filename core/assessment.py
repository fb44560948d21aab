"""Assessment criteria as handbook data: thresholds on terms, their sources, and profiles.

Some pilots do more than validate: they judge an entity against published thresholds (a door
of at least 90 cm, a noise limit of 55 dB) and summarise the judgement per kind of user. The
criteria are data, next to the handbook, so that the pilot's assessor and the generated handbook
pages read the same thresholds and cite the same sources: what is documented is what is assessed.

Core only knows the shape and checks the links (terms, sources, criteria, levels); what an
outcome means for a profile is the pilot's assessor's business, documented in its handbook.
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.labels import Labels

Comparison = Literal["at_least", "at_most", "above", "below", "equals"]

#: How each comparison reads on a page and in an explanation.
SYMBOLS: dict[str, str] = {
    "at_least": "≥",
    "at_most": "≤",
    "above": ">",
    "below": "<",
    "equals": "=",
}

Threshold = bool | float | str


class Source(BaseModel):
    """A document a threshold comes from (a regulation, an agency's guidance)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    title: Labels
    citation: str = Field(description="how to cite it: date, official journal, amendments")
    url: str | None = None


class Condition(BaseModel):
    """When a criterion applies, e.g. ``ramp_present equals true``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    term: str
    comparison: Comparison
    value: Threshold


class Step(BaseModel):
    """One band of a stepped threshold: up to ``up_to`` (inclusive) or ``below`` (exclusive) of
    the other term, or the rest when neither is given (it must then be the last band).

    Two kinds of bound because texts word bands both ways: "tot en met 18 cm" includes 18,
    "tot 10 cm" followed by "van 10 cm tot 25 cm" puts 10 in the next band.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    up_to: float | None = None
    below: float | None = None
    threshold: float

    @model_validator(mode="after")
    def _one_bound(self) -> Step:
        if self.up_to is not None and self.below is not None:
            raise ValueError("a band has up_to or below, not both")
        return self

    @property
    def bound(self) -> float | None:
        """The band's upper bound (inclusive or exclusive), None for the open last band."""
        return self.up_to if self.up_to is not None else self.below

    def holds(self, value: float) -> bool:
        """Whether ``value`` of the other term falls in this band (the earlier ones did not)."""
        if self.up_to is not None:
            return value <= self.up_to
        if self.below is not None:
            return value < self.below
        return True


class SteppedThreshold(BaseModel):
    """A threshold that depends on another term (a ramp's slope limit on the height it climbs)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    term: str
    steps: tuple[Step, ...]

    @model_validator(mode="after")
    def _ordered(self) -> SteppedThreshold:
        bounds = [step.bound for step in self.steps]
        if not bounds or bounds[-1] is not None or None in bounds[:-1]:
            raise ValueError(f"stepped threshold on {self.term}: only the last band is open")
        finite = [bound for bound in bounds[:-1] if bound is not None]
        if finite != sorted(finite) or len(set(finite)) != len(finite):
            raise ValueError(f"stepped threshold on {self.term}: bands must ascend")
        return self


class Criterion(BaseModel):
    """One measurable requirement: ``term`` (or any of ``any_of``) compared with a threshold.

    ``applies_when`` lists conditions of which any makes the criterion apply; without them it
    always applies. ``threshold_by`` replaces ``threshold`` with a stepped one.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    entity: str
    label: Labels = Field(description="what is measured, as it reads in an explanation")
    term: str | None = None
    any_of: tuple[str, ...] = ()
    comparison: Comparison
    threshold: Threshold | None = None
    threshold_by: SteppedThreshold | None = None
    unit: str | None = Field(default=None, description="UCUM unit of the threshold")
    applies_when: tuple[Condition, ...] = ()
    source: str
    reference: str = Field(description="where in the source: article, section or page")
    note: Labels | None = None

    @model_validator(mode="after")
    def _one_subject(self) -> Criterion:
        if (self.term is None) == (not self.any_of):
            raise ValueError(f"criterion {self.id}: give either term or any_of")
        if (self.threshold is None) == (self.threshold_by is None):
            raise ValueError(f"criterion {self.id}: give either threshold or threshold_by")
        return self

    @property
    def terms(self) -> tuple[str, ...]:
        """The terms whose values the criterion compares."""
        return (self.term,) if self.term is not None else self.any_of


class Level(BaseModel):
    """An overall level a profile can reach, e.g. accessible."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    label: Labels
    definition: Labels


class ProfileCriterion(BaseModel):
    """A criterion that counts for a profile, and the level its failure leads to."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    criterion: str
    on_fail: str


class Reported(BaseModel):
    """An overall judgement reported by an observer (a tag), mapped to levels; used with lower
    certainty where the measured criteria leave the level open."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    term: str
    levels: dict[str, str]


class Profile(BaseModel):
    """A kind of user and the criteria that decide their level."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    label: Labels
    definition: Labels
    criteria: tuple[ProfileCriterion, ...]
    reported: Reported | None = None


class Assessment(BaseModel):
    """Criteria, their sources, the levels (best first) and the profiles of a pilot."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    description: Labels
    outcomes: dict[Literal["pass", "fail", "unknown", "not_applicable"], Labels]
    levels: tuple[Level, ...] = Field(description="best first; the last is 'undetermined'")
    sources: tuple[Source, ...]
    criteria: tuple[Criterion, ...]
    profiles: tuple[Profile, ...]

    @model_validator(mode="after")
    def _check_links(self) -> Assessment:
        sources = {source.id for source in self.sources}
        levels = {level.id for level in self.levels}
        criteria = {criterion.id for criterion in self.criteria}
        for criterion in self.criteria:
            if criterion.source not in sources:
                raise ValueError(f"criterion {criterion.id}: unknown source {criterion.source}")
        for profile in self.profiles:
            for item in profile.criteria:
                if item.criterion not in criteria:
                    raise ValueError(f"profile {profile.id}: unknown criterion {item.criterion}")
                if item.on_fail not in levels:
                    raise ValueError(f"profile {profile.id}: unknown level {item.on_fail}")
            if profile.reported is not None:
                unknown = set(profile.reported.levels.values()) - levels
                if unknown:
                    raise ValueError(f"profile {profile.id}: unknown levels {unknown}")
        return self

    @property
    def undetermined(self) -> Level:
        """The level given when the data leave the answer open (the last one)."""
        return self.levels[-1]

    @cached_property
    def criteria_by_id(self) -> dict[str, Criterion]:
        return {criterion.id: criterion for criterion in self.criteria}

    @cached_property
    def sources_by_id(self) -> dict[str, Source]:
        return {source.id: source for source in self.sources}

    @cached_property
    def levels_by_id(self) -> dict[str, Level]:
        return {level.id: level for level in self.levels}

    def terms_used(self) -> set[tuple[str, str]]:
        """Every (entity, term) a criterion, condition, stepped threshold or report reads."""
        used: set[tuple[str, str]] = set()
        for criterion in self.criteria:
            used.update((criterion.entity, term) for term in criterion.terms)
            used.update((criterion.entity, c.term) for c in criterion.applies_when)
            if criterion.threshold_by is not None:
                used.add((criterion.entity, criterion.threshold_by.term))
        entities = {criterion.entity for criterion in self.criteria}
        for profile in self.profiles:
            if profile.reported is not None:
                used.update((entity, profile.reported.term) for entity in entities)
        return used
