"""The validation report as data: counts, every problem, and the problems grouped by rule.

The grouping is what a supplier fixes from: one rule broken by 3,000 records is one mistake in
its export, so each group says how many records break the rule, which handbook terms it
concerns, what the rule means, and shows a few examples with their record position.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from core.handbook import Handbook
from core.ingest.envelope import Problem
from core.ingest.pipeline import IngestSummary, RecordReport
from core.ingest.quarantine import PERSONAL_DATA_RULE
from core.validation import GENERIC_RULES

#: Examples each rule group shows; the full list is in ``problems``.
EXAMPLES_PER_RULE = 5
#: Generic rules only message feeds can break (a file is never routed by topic, for instance).
MESSAGE_RULES = frozenset(
    {"core.invalid-json", "core.invalid-utf8", "core.oversized", "core.unknown-topic"}
)

Subject = Literal["file", "topic"]


@dataclass(frozen=True)
class TermRef:
    """A handbook term a rule group concerns: ``entity.term`` and its English label."""

    id: str
    label: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label}


@dataclass(frozen=True)
class RuleGroup:
    """Every problem of one rule: how often, on which terms, what it means, examples."""

    rule: str
    meaning: str | None
    records: int
    problems: int
    terms: tuple[TermRef, ...]
    examples: tuple[dict[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "meaning": self.meaning,
            "records": self.records,
            "problems": self.problems,
            "terms": [term.as_dict() for term in self.terms],
            "examples": list(self.examples),
        }


@dataclass(frozen=True)
class ValidationReport:
    """What a dry run found in one file or one feed; ``as_dict`` is the JSON report."""

    name: str
    pilot: str
    format: str | None
    records: int
    valid: int
    invalid: int
    problems: list[dict[str, Any]]
    rules: list[RuleGroup]
    subject: Subject = "file"
    checked_rules: tuple[tuple[str, str | None], ...] = field(default=())
    #: What storing found without rejecting anything (e.g. sources that disagree); only an
    #: ingestion stores, so a dry run has none.
    notices: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return self.invalid == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            self.subject: self.name,
            "pilot": self.pilot,
            "format": self.format,
            "records": self.records,
            "valid": self.valid,
            "invalid": self.invalid,
            "problems": self.problems,
            "rules": [group.as_dict() for group in self.rules],
            "notices": self.notices,
        }


def build_report(
    name: str,
    pilot: str,
    format_id: str | None,
    summary: IngestSummary,
    handbook: Handbook | None = None,
    subject: Subject = "file",
) -> ValidationReport:
    """The report of a dry run's ``summary`` (which must have kept its rejected reports)."""
    problems = [
        _problem(report, problem) for report in summary.rejected for problem in report.problems
    ]
    return ValidationReport(
        name=name,
        pilot=pilot,
        format=format_id,
        records=summary.read,
        valid=summary.valid,
        invalid=summary.quarantined,
        problems=problems,
        rules=group_by_rule(summary.rejected, handbook),
        subject=subject,
        checked_rules=checked_rules(handbook, subject),
        notices=[notice.as_dict() for notice in summary.notices],
    )


def validation_report(
    name: str,
    pilot: str,
    format_id: str | None,
    summary: IngestSummary,
    handbook: Handbook | None = None,
) -> dict[str, Any]:
    """The supplier report of a file as JSON data (CLI ``--output json`` and the API)."""
    return build_report(name, pilot, format_id, summary, handbook).as_dict()


def group_by_rule(reports: Iterable[RecordReport], handbook: Handbook | None) -> list[RuleGroup]:
    """Problems grouped by rule, the most frequent rule first (ties by rule id)."""
    by_rule: dict[str, list[dict[str, Any]]] = {}
    records: dict[str, set[int]] = {}
    for index, report in enumerate(reports):
        for problem in report.problems:
            by_rule.setdefault(problem.rule, []).append(_problem(report, problem))
            records.setdefault(problem.rule, set()).add(index)
    groups = [_group(rule, found, len(records[rule]), handbook) for rule, found in by_rule.items()]
    return sorted(groups, key=lambda group: (-group.problems, group.rule))


#: What every pilot's ``<pilot>.mapping`` rule means: its adapters report under it what a
#: supplier format says that cannot be carried over to the handbook (no id or reference, a value
#: outside the format's own enumeration, a payload of the wrong shape).
MAPPING_MEANING = (
    "the record cannot be mapped from the supplier's format onto the handbook "
    "(the message says what is missing or not understood)"
)


def mapping_rule(handbook: Handbook) -> str:
    """The rule id under which the pilot's adapters report what they cannot map."""
    return f"{handbook.pilot}.mapping"


def rule_meaning(rule: str, handbook: Handbook | None) -> str | None:
    """What a rule enforces, from the core's generic rules or the pilot's handbook."""
    if rule in GENERIC_RULES:
        return GENERIC_RULES[rule]
    if handbook is not None and rule in handbook.rules_by_id:
        return handbook.rules_by_id[rule].description.en
    if handbook is not None and rule == mapping_rule(handbook):
        return MAPPING_MEANING
    return None


def checked_rules(
    handbook: Handbook | None, subject: Subject = "file"
) -> tuple[tuple[str, str | None], ...]:
    """The rules a dry run of this kind of input applies, with their meaning, in a fixed order."""
    skipped = set() if subject == "topic" else set(MESSAGE_RULES)
    if handbook is None or handbook.privacy is None:
        skipped.add(PERSONAL_DATA_RULE)
    generic = [(rule, meaning) for rule, meaning in GENERIC_RULES.items() if rule not in skipped]
    own = [(rule.id, rule.description.en) for rule in handbook.rules] if handbook else []
    mapping = [(mapping_rule(handbook), MAPPING_MEANING)] if handbook else []
    return tuple(generic + own + mapping)


def _problem(report: RecordReport, problem: Problem) -> dict[str, Any]:
    return {"origin": report.origin, "position": report.position, **problem.as_dict()}


def _group(
    rule: str, problems: list[dict[str, Any]], records: int, handbook: Handbook | None
) -> RuleGroup:
    term_ids = sorted({problem["term"] for problem in problems if problem["term"]})
    return RuleGroup(
        rule=rule,
        meaning=rule_meaning(rule, handbook),
        records=records,
        problems=len(problems),
        terms=tuple(TermRef(term, _term_label(term, handbook)) for term in term_ids),
        examples=tuple(problems[:EXAMPLES_PER_RULE]),
    )


def _term_label(term: str, handbook: Handbook | None) -> str | None:
    entity, _, name = term.partition(".")
    if handbook is None or not name:
        return None
    try:
        return handbook.term(entity, name).label.en
    except KeyError:
        return None


def summary_counts(summary: IngestSummary) -> dict[str, Any]:
    """What an ingest did, in numbers: read, valid, quarantined, rows new/updated/unchanged."""
    counts = summary.counts
    return {
        "read": summary.read,
        "valid": summary.valid,
        "quarantined": summary.quarantined,
        "inserted": counts.inserted,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "reasons": dict(summary.reasons.most_common()),
    }
