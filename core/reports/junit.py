"""The validation report as JUnit XML, the test-report format every CI server reads.

Shape, chosen for how GitLab and Jenkins display it:

* ``<testsuites>`` holds one ``<testsuite>`` per checked file (or feed).
* Each suite has one ``<testcase>`` per **rule** the dry run applies (the core's generic rules
  and the pilot's handbook rules), named by the rule id, with ``classname`` ``{pilot}.{format}``.
  A rule no record breaks is a passed test; a broken rule is a ``<failure>`` whose message says
  how many records break it and which handbook terms, and whose text lists every problem
  (record position, term, message, found, expected). Rule ids are stable across deliveries, so
  CI can show which rules newly fail; per-record test cases would be renamed by every new file
  and grow a suite to millions of cases.
* The counts (records, valid, invalid) are suite ``<properties>``.

Text from the input (found values, messages) is stripped of characters XML 1.0 cannot carry,
and lxml escapes the rest, so a hostile file cannot break the XML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from core.reports.model import RuleGroup, ValidationReport
from core.reports.text import example_line

#: Problems listed in one failure's text; the JSON report has them all.
MAX_LISTED = 1000
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def junit_xml(
    reports: Sequence[ValidationReport], suites_name: str = "stadspuls validate"
) -> bytes:
    """One JUnit document for ``reports`` (UTF-8, with an XML declaration)."""
    root = etree.Element("testsuites", name=suites_name)
    tests = failures = 0
    for report in reports:
        suite = _suite(report)
        root.append(suite)
        tests += int(suite.get("tests", "0"))
        failures += int(suite.get("failures", "0"))
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", "0")
    root.set("time", "0")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _suite(report: ValidationReport) -> etree._Element:
    suite = etree.Element(
        "testsuite",
        name=_text(f"{report.name} ({report.pilot}, {report.format or 'format unknown'})"),
        timestamp=datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat(),
        errors="0",
        skipped="0",
        time="0",
    )
    properties = etree.SubElement(suite, "properties")
    for name, value in (
        (report.subject, report.name),
        ("pilot", report.pilot),
        ("format", report.format or ""),
        ("records", report.records),
        ("valid", report.valid),
        ("invalid", report.invalid),
    ):
        etree.SubElement(properties, "property", name=name, value=_text(str(value)))
    groups = {group.rule: group for group in report.rules}
    listed: dict[str, list[dict[str, Any]]] = {}
    for problem in report.problems:
        listed.setdefault(problem["rule"], []).append(problem)
    rules = list(report.checked_rules)
    rules += [
        (group.rule, group.meaning) for group in report.rules if group.rule not in dict(rules)
    ]
    classname = _text(f"{report.pilot}.{report.format or 'unknown'}")
    for rule, meaning in rules:
        case = etree.SubElement(suite, "testcase", classname=classname, name=_text(rule), time="0")
        group = groups.get(rule)
        if group is not None:
            _failure(case, group, meaning, listed[rule], report.subject)
    suite.set("tests", str(len(rules)))
    suite.set("failures", str(len(groups)))
    return suite


def _failure(
    case: etree._Element,
    group: RuleGroup,
    meaning: str | None,
    problems: list[dict[str, Any]],
    subject: str,
) -> None:
    terms = ", ".join(term.id for term in group.terms)
    unit = "message" if subject == "topic" else "record"
    one = group.records == 1
    message = f"{group.records} {unit}{'' if one else 's'} break{'s' if one else ''} {group.rule}"
    message += f" ({terms})" if terms else ""
    message += f": {meaning}" if meaning else ""
    failure = etree.SubElement(case, "failure", message=_text(message), type=_text(group.rule))
    failure.text = _text(_listing(problems, subject))


def _listing(problems: list[dict[str, Any]], subject: str) -> str:
    lines = [example_line(problem, subject) for problem in problems[:MAX_LISTED]]
    if len(problems) > len(lines):
        lines.append(f"... and {len(problems) - len(lines)} more (the JSON report lists all)")
    return "\n".join(lines)


def _text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold (NUL, most C0 controls)."""
    return _NOT_XML.sub("\ufffd", value)
