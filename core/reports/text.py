"""The validation report as lines of text for a terminal: verdict, then problems by rule."""

from __future__ import annotations

from typing import Any

from core.reports.model import ValidationReport


def report_lines(report: ValidationReport) -> list[str]:
    """The verdict line, then per rule its count, meaning, terms and a few examples."""
    unit = "message" if report.subject == "topic" else "record"
    verdict = "valid" if report.is_valid else "INVALID"
    lines = [
        f"{report.subject} {report.name} ({report.pilot}, {report.format or 'format unknown'}): "
        f"{verdict} - {plural(report.records, unit)}, {report.valid} valid, "
        f"{report.invalid} invalid"
    ]
    for group in report.rules:
        terms = ", ".join(term.id for term in group.terms)
        lines.append(
            f"  [{group.rule}] {plural(group.records, unit)} invalid, "
            f"{plural(group.problems, 'problem')}"
            + (f" on {terms}" if terms else "")
            + (f": {group.meaning}" if group.meaning else "")
        )
        lines += [f"    {example_line(example, report.subject)}" for example in group.examples]
        if group.problems > len(group.examples):
            lines.append(f"    ... and {group.problems - len(group.examples)} more")
    lines += [notice_line(notice) for notice in report.notices]
    return lines


def notice_line(notice: dict[str, Any]) -> str:
    """A notice: found while storing, rejects nothing."""
    return f"  notice [{notice['rule']}] {notice['subject']}: {notice['message']}"


def example_line(problem: dict[str, Any], subject: str = "file") -> str:
    """One problem: where, term, message, and found/expected when known."""
    unit = "message" if subject == "topic" else "record"
    where = f"{unit} {problem['position']}" if problem["position"] is not None else "input"
    if subject == "topic":
        where += f" on {problem['origin']}"
    line = f"{where}: {problem['term'] or '-'}: {problem['message']}"
    if problem["found"] is not None or problem["expected"]:
        line += f" (found: {problem['found']!s}; expected: {problem['expected'] or '-'})"
    return line


def plural(count: int, word: str) -> str:
    """``1 record``, ``2 records``."""
    return f"{count} {word}{'' if count == 1 else 's'}"
