"""How one term reads on a page: anchors, datatype, constraints and links to the standards.

The constraint wording mirrors the validator: each constraint is shown only for the datatypes
:class:`core.validation.Validator` enforces it on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.handbook import Handbook, References, Term
from core.handbook_docs.words import STANDARDS, WORDS, Lang

_ANNOTATION = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True)
class Constraint:
    """A phrase such as ``≥ 0``; ``link`` (e.g. to a codelist) follows ``text`` when present."""

    text: str
    link: Link | None = None

    @property
    def plain(self) -> str:
        return self.text + (self.link.text if self.link else "")


def entity_anchor(entity: str) -> str:
    return f"entity-{entity}"


def term_anchor(entity: str, term: str) -> str:
    """The qualified term name, as a validation report names it (``site.capacity``)."""
    return f"{entity}.{term}"


def codelist_anchor(codelist: str) -> str:
    return f"codelist-{codelist}"


def rule_anchor(rule: str) -> str:
    return f"rule-{rule}"


def number(value: float) -> str:
    return f"{value:.15g}"


def unit_suffix(unit: str | None) -> str:
    """`` %`` or `` deg`` after a bound; nothing for dimensionless UCUM units (``{spaces}``)."""
    if unit is None or not _ANNOTATION.sub("", unit).strip(". ") or unit == "1":
        return ""
    return f" {unit}"


def standard_links(references: References) -> tuple[Link, ...]:
    """One link per referenced standard, named by the standard and the target's local name."""
    links = []
    for key, name in STANDARDS.items():
        uri = getattr(references, key)
        if uri:
            local = re.split(r"[#/]", uri.rstrip("/#"))[-1]
            links.append(Link(f"{name}: {local}", uri))
    return tuple(links)


def constraints(handbook: Handbook, term: Term, lang: Lang) -> tuple[Constraint, ...]:
    """The term's constraints, each shown only for the datatypes the validator enforces it on."""
    words = WORDS[lang]
    found: list[Constraint] = []
    kind = term.datatype
    unit = unit_suffix(term.unit)
    low, high = term.minimum, term.maximum
    if kind in ("integer", "number") and low is not None and high is not None:
        found.append(Constraint(f"{number(low)} … {number(high)}{unit}"))
    elif kind in ("integer", "number") and low is not None:
        found.append(Constraint(f"≥ {number(low)}{unit}"))
    elif kind in ("integer", "number") and high is not None:
        found.append(Constraint(f"≤ {number(high)}{unit}"))
    if kind == "code" and term.codelist is not None:
        codes = ", ".join(code.id for code in handbook.codelists_by_id[term.codelist].codes)
        found.append(Constraint(words["one_of"], Link(codes, "#" + codelist_anchor(term.codelist))))
    if kind == "reference" and term.refers_to is not None:
        target = Link(term.refers_to, "#" + entity_anchor(term.refers_to))
        found.append(Constraint(words["refers_to"], target))
    if kind == "datetime" and term.max_future_seconds is not None:
        found.append(Constraint(words["future"].format(seconds=term.max_future_seconds)))
    if term.derivable:
        found.append(Constraint(words["derived"]))
    return tuple(found)


def datatype(term: Term) -> str:
    return f"{term.datatype} ({term.unit})" if term.unit else term.datatype


def term_link(entity: str, term: str) -> Link:
    name = term_anchor(entity, term)
    return Link(name, "#" + name)
