"""The handbook as a page: sections and rows derived once, rendered as Markdown and HTML.

All wording of constraints, anchors and links is decided here (with :mod:`.terms` and
:mod:`.generic`), so the two renderers only lay out what was computed and cannot disagree with
each other or with the validator.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.handbook import Entity, Handbook, Labels
from core.handbook_docs.assessment import AssessmentSection, build_assessment
from core.handbook_docs.generic import GenericRuleRow, generic_rules
from core.handbook_docs.terms import (
    Constraint,
    Link,
    codelist_anchor,
    constraints,
    datatype,
    entity_anchor,
    rule_anchor,
    standard_links,
    term_anchor,
    term_link,
)
from core.handbook_docs.words import WORDS, Lang, other, pick

__all__ = [
    "AssessmentSection",
    "CodeRow",
    "CodelistSection",
    "Constraint",
    "EntitySection",
    "GenericRuleRow",
    "Link",
    "Page",
    "PrivacySection",
    "RuleRow",
    "TermRow",
    "build_page",
]


@dataclass(frozen=True)
class TermRow:
    id: str
    anchor: str
    label: Labels
    definition: str
    datatype: str
    required: bool
    constraints: tuple[Constraint, ...]
    standards: tuple[Link, ...]


@dataclass(frozen=True)
class EntitySection:
    id: str
    anchor: str
    label: Labels
    definition: str
    explicit: bool
    standards: tuple[Link, ...]
    terms: tuple[TermRow, ...]


@dataclass(frozen=True)
class CodeRow:
    id: str
    label: Labels
    definition: str
    standards: tuple[Link, ...]


@dataclass(frozen=True)
class CodelistSection:
    id: str
    anchor: str
    label: Labels
    used_by: tuple[Link, ...]
    codes: tuple[CodeRow, ...]


@dataclass(frozen=True)
class RuleRow:
    id: str
    anchor: str
    entity: Link
    terms: tuple[Link, ...]
    description: Labels


@dataclass(frozen=True)
class PrivacySection:
    description: str
    keys: tuple[str, ...]
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    pilot: str
    lang: Lang
    title: Labels
    version: str
    description: str
    entities: tuple[EntitySection, ...]
    codelists: tuple[CodelistSection, ...]
    rules: tuple[RuleRow, ...]
    generic_rules: tuple[GenericRuleRow, ...]
    privacy: PrivacySection | None = None
    assessment: AssessmentSection | None = None

    def word(self, key: str, **values: str) -> str:
        return WORDS[self.lang][key].format(**values)

    def command(self, output_format: str) -> str:
        """The command line that prints this page."""
        options = "" if output_format == "md" else f" --format {output_format}"
        options += "" if self.lang == "en" else f" --lang {self.lang}"
        return f"stadspuls handbook --pilot {self.pilot}{options}"

    @property
    def sections(self) -> tuple[tuple[str, str], ...]:
        """(anchor, title) of each top-level section, in page order."""
        keys = [("entities", "entities"), ("codelists", "codelists")]
        if self.privacy is not None:
            keys.append(("personal-data", "personal_data"))
        keys += [("rules", "rules"), ("generic-rules", "generic_rules")]
        if self.assessment is not None:
            keys.append(("assessment", "assessment"))
        return tuple((anchor, self.word(key)) for anchor, key in keys)

    @property
    def heading(self) -> str:
        """Both titles, the page's language first."""
        return f"{pick(self.title, self.lang)} — {pick(self.title, other(self.lang))}"


def _entity(handbook: Handbook, entity: Entity, lang: Lang) -> EntitySection:
    rows = tuple(
        TermRow(
            id=term.id,
            anchor=term_anchor(entity.id, term.id),
            label=term.label,
            definition=pick(term.definition, lang),
            datatype=datatype(term),
            required=term.required,
            constraints=constraints(handbook, term, lang),
            standards=standard_links(term.references),
        )
        for term in entity.terms
    )
    return EntitySection(
        id=entity.id,
        anchor=entity_anchor(entity.id),
        label=entity.label,
        definition=pick(entity.definition, lang),
        explicit=not entity.inferred,
        standards=standard_links(entity.references),
        terms=rows,
    )


def _codelists(handbook: Handbook, lang: Lang) -> tuple[CodelistSection, ...]:
    sections = []
    for codelist in handbook.codelists:
        users = tuple(
            term_link(entity.id, term.id)
            for entity in handbook.entities
            for term in entity.terms
            if term.codelist == codelist.id
        )
        codes = tuple(
            CodeRow(
                id=code.id,
                label=code.label,
                definition=pick(code.definition, lang) if code.definition else "",
                standards=standard_links(code.references),
            )
            for code in codelist.codes
        )
        sections.append(
            CodelistSection(codelist.id, codelist_anchor(codelist.id), codelist.label, users, codes)
        )
    return tuple(sections)


def _privacy(handbook: Handbook, lang: Lang) -> PrivacySection | None:
    screen = handbook.privacy
    if screen is None:
        return None
    return PrivacySection(
        pick(screen.description, lang), screen.forbidden_keys, screen.forbidden_values
    )


def build_page(handbook: Handbook, lang: Lang = "en") -> Page:
    """Everything a handbook page shows, in the order it shows it."""
    rules = tuple(
        RuleRow(
            id=rule.id,
            anchor=rule_anchor(rule.id),
            entity=Link(rule.entity, "#" + entity_anchor(rule.entity)),
            terms=tuple(Link(term, "#" + term_anchor(rule.entity, term)) for term in rule.terms),
            description=rule.description,
        )
        for rule in handbook.rules
    )
    return Page(
        pilot=handbook.pilot,
        lang=lang,
        title=handbook.title,
        version=handbook.version,
        description=pick(handbook.description, lang),
        entities=tuple(_entity(handbook, entity, lang) for entity in handbook.entities),
        codelists=_codelists(handbook, lang),
        rules=rules,
        generic_rules=generic_rules(handbook, lang),
        privacy=_privacy(handbook, lang),
        assessment=build_assessment(handbook, lang),
    )
