"""The core's generic rules on a handbook page, with the terms each one can fire on.

The rule ids and meanings come from :data:`core.validation.GENERIC_RULES`; which terms a rule
applies to is read from the handbook field that the rule enforces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.handbook import Handbook, Term
from core.handbook_docs.terms import Link, rule_anchor, term_link
from core.handbook_docs.words import WORDS, Lang
from core.validation import GENERIC_RULES

#: Datatypes whose values the validator converts, so a wrong value breaks ``core.datatype``.
_TYPED = frozenset({"integer", "number", "boolean", "datetime", "geometry"})


def _numeric(term: Term) -> bool:
    return term.datatype in ("integer", "number")


def _is_geometry(term: Term) -> bool:
    return term.datatype == "geometry"


#: Which terms each generic rule can fire on, read from the handbook field it enforces.
GENERIC_SCOPE: dict[str, Callable[[Term], bool]] = {
    "core.required": lambda term: term.required,
    "core.datatype": lambda term: term.datatype in _TYPED,
    "core.minimum": lambda term: _numeric(term) and term.minimum is not None,
    "core.maximum": lambda term: _numeric(term) and term.maximum is not None,
    "core.codelist": lambda term: term.datatype == "code",
    "core.timezone": lambda term: term.datatype == "datetime",
    "core.future": lambda term: term.datatype == "datetime" and term.max_future_seconds is not None,
    "core.crs-missing": _is_geometry,
    "core.crs": _is_geometry,
    "core.outside-belgium": _is_geometry,
    "core.reference": lambda term: term.datatype == "reference",
}
#: Generic rules about whole records rather than terms.
RECORD_RULES = frozenset(
    {
        "core.unknown-entity",
        # emitted by ingestion for a whole message, row or file
        "core.no-data",
        "core.unreadable",
        "core.invalid-json",
        "core.invalid-utf8",
        "core.oversized",
        "core.unknown-topic",
    }
)
#: The generic rule that enforces a handbook's privacy screen, when it declares one.
PRIVACY_RULE = "core.personal-data"


@dataclass(frozen=True)
class GenericRuleRow:
    id: str
    anchor: str
    meaning: str
    applies_to: tuple[Link, ...]
    scope: str | None = None  # a phrase used instead of links, e.g. "every record"


def generic_rules(handbook: Handbook, lang: Lang) -> tuple[GenericRuleRow, ...]:
    words = WORDS[lang]
    rows = []
    for rule_id, meaning in GENERIC_RULES.items():
        applies = GENERIC_SCOPE.get(rule_id)
        links: tuple[Link, ...] = ()
        scope: str | None = None
        if applies is not None:
            links = tuple(
                term_link(entity.id, term.id)
                for entity in handbook.entities
                for term in entity.terms
                if applies(term)
            )
            scope = None if links else words["none"]
        elif rule_id in RECORD_RULES:
            scope = words["every_record"]
        elif rule_id == PRIVACY_RULE:
            scope = words["every_record"] if handbook.privacy else words["not_used"]
        rows.append(GenericRuleRow(rule_id, rule_anchor(rule_id), meaning, links, scope))
    return tuple(rows)
