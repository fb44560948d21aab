"""The assessment criteria of a handbook on its page: thresholds, sources and profiles.

Wording only; the numbers come from :class:`core.assessment.Assessment`, the same data the
pilot's assessor evaluates, so the published thresholds are the applied ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.assessment import SYMBOLS, Assessment, Condition, Criterion
from core.handbook import Handbook, Labels
from core.handbook_docs.terms import Link, number, term_link, unit_suffix
from core.handbook_docs.words import WORDS, Lang, pick


@dataclass(frozen=True)
class CriterionRow:
    id: str
    anchor: str
    label: Labels
    terms: tuple[Link, ...]
    requirement: str
    applies_when: str
    source: Link
    reference: str
    note: str


@dataclass(frozen=True)
class ProfileRow:
    id: str
    label: Labels
    definition: str
    by_level: tuple[tuple[str, tuple[Link, ...]], ...]  # (level label, criteria failing to it)
    reported: str


@dataclass(frozen=True)
class SourceRow:
    id: str
    anchor: str
    title: str
    citation: str
    url: str | None


@dataclass(frozen=True)
class AssessmentSection:
    description: str
    outcomes: str
    levels: tuple[tuple[str, Labels, str], ...]
    criteria: tuple[CriterionRow, ...]
    profiles: tuple[ProfileRow, ...]
    sources: tuple[SourceRow, ...]


def criterion_anchor(criterion: str) -> str:
    return f"criterion-{criterion}"


def source_anchor(source: str) -> str:
    return f"source-{source}"


def _value(value: bool | float | str, unit: str | None, lang: Lang) -> str:
    if isinstance(value, bool):
        return WORDS[lang]["yes" if value else "no"]
    if isinstance(value, int | float):
        return f"{number(float(value))}{unit_suffix(unit)}"
    return value


def requirement(criterion: Criterion, handbook: Handbook, lang: Lang) -> str:
    """``≥ 90 cm``, ``= yes``, or a stepped threshold band by band."""
    symbol = SYMBOLS[criterion.comparison]
    stepped = criterion.threshold_by
    if stepped is None:
        assert criterion.threshold is not None
        return f"{symbol} {_value(criterion.threshold, criterion.unit, lang)}"
    by_unit = handbook.term(criterion.entity, stepped.term).unit
    bands = []
    for step in stepped.steps:
        limit = f"{symbol} {_value(step.threshold, criterion.unit, lang)}"
        if step.bound is None:
            bands.append(f"{limit} {WORDS[lang]['otherwise']}")
        else:
            sign = "≤" if step.up_to is not None else "<"
            bands.append(f"{limit} ({stepped.term} {sign} {_value(step.bound, by_unit, lang)})")
    return "; ".join(bands)


def _condition(condition: Condition, unit: str | None, lang: Lang) -> str:
    return f"{condition.term} {SYMBOLS[condition.comparison]} {_value(condition.value, unit, lang)}"


def build_assessment(handbook: Handbook, lang: Lang) -> AssessmentSection | None:
    assessment: Assessment | None = handbook.assessment
    if assessment is None:
        return None
    words = WORDS[lang]
    criteria = tuple(
        CriterionRow(
            id=criterion.id,
            anchor=criterion_anchor(criterion.id),
            label=criterion.label,
            terms=tuple(term_link(criterion.entity, term) for term in criterion.terms),
            requirement=(f"{words['any_of']} " if criterion.any_of else "")
            + requirement(criterion, handbook, lang),
            applies_when=f" {words['or']} ".join(
                _condition(c, handbook.term(criterion.entity, c.term).unit, lang)
                for c in criterion.applies_when
            )
            or words["always"],
            source=Link(criterion.source, "#" + source_anchor(criterion.source)),
            reference=criterion.reference,
            note=pick(criterion.note, lang) if criterion.note else "",
        )
        for criterion in assessment.criteria
    )
    profiles = []
    for profile in assessment.profiles:
        by_level = tuple(
            (
                pick(level.label, lang),
                tuple(
                    Link(item.criterion, "#" + criterion_anchor(item.criterion))
                    for item in profile.criteria
                    if item.on_fail == level.id
                ),
            )
            for level in assessment.levels[1:-1]
        )
        reported = ""
        if profile.reported is not None:
            pairs = ", ".join(f"{k} → {v}" for k, v in profile.reported.levels.items())
            reported = f"{profile.reported.term}: {pairs}"
        profiles.append(
            ProfileRow(profile.id, profile.label, pick(profile.definition, lang), by_level,
                       reported)
        )
    sources = tuple(
        SourceRow(s.id, source_anchor(s.id), pick(s.title, lang), s.citation, s.url)
        for s in assessment.sources
    )
    outcomes = ", ".join(f"{key} ({pick(label, lang)})" for key, label in
                         assessment.outcomes.items())
    levels = tuple(
        (level.id, level.label, pick(level.definition, lang)) for level in assessment.levels
    )
    return AssessmentSection(
        pick(assessment.description, lang), outcomes, levels, criteria, tuple(profiles), sources
    )
