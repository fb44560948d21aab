"""The shared report: grouping by rule, JUnit XML, text, the dry runs that feed it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from lxml import etree
from sqlalchemy import Engine
from typer.testing import CliRunner

from core.cli.main import app
from core.ingest.envelope import Problem
from core.ingest.files import FileJob, check_file
from core.ingest.messages import MessageRouter
from core.ingest.pipeline import IngestSummary, RecordReport
from core.pilot import Pilot, Registry
from core.reports import junit
from core.reports.model import (
    EXAMPLES_PER_RULE,
    MAPPING_MEANING,
    build_report,
    checked_rules,
    rule_meaning,
)
from core.reports.text import report_lines
from core.sources import Source
from tests.conftest import FIXTURES
from tests.core.test_messages import Message, json_message

PARKING = FIXTURES / "parking"


def summary_of(*reports: RecordReport, valid: int = 0) -> IngestSummary:
    summary = IngestSummary(read=valid, valid=valid)
    for report in reports:
        summary.read += 1
        summary.reject(report)
    return summary


def datatype(position: int, term: str = "site.capacity", found: object = "x") -> Problem:
    return Problem("core.datatype", f"{found!r} is not an integer", term, found, "an integer")


def test_problems_are_grouped_by_rule_most_frequent_first(parking: Pilot) -> None:
    summary = summary_of(
        RecordReport("f.csv", 2, [datatype(2), datatype(2, "observation.capacity")]),
        RecordReport("f.csv", 3, [datatype(3), Problem("parking.vacant-within-capacity", "m")]),
        RecordReport("f.csv", 4, [Problem("parking.mapping", "cannot map")]),
        valid=5,
    )
    report = build_report("f.csv", "parking", "csv", summary, parking.handbook)
    assert (report.records, report.valid, report.invalid, report.is_valid) == (8, 5, 3, False)
    groups = [(g.rule, g.records, g.problems) for g in report.rules]
    assert groups == [("core.datatype", 2, 3), ("parking.mapping", 1, 1),
                      ("parking.vacant-within-capacity", 1, 1)]
    first = report.rules[0]
    assert first.meaning == "the value does not have the term's datatype"
    assert [(t.id, t.label) for t in first.terms] == [
        ("observation.capacity", "Capacity at observation"), ("site.capacity", "Total capacity")]
    assert report.rules[1].meaning == MAPPING_MEANING  # what the pilot's adapters cannot map
    assert report.rules[2].meaning == "Vacant spaces lie between 0 and the capacity."
    assert len(report.problems) == 5
    assert report.as_dict()["rules"][0]["examples"][0] == report.problems[0]


def test_a_rule_group_shows_a_few_examples(parking: Pilot) -> None:
    reports = [RecordReport("f.csv", n, [datatype(n)]) for n in range(1, 20)]
    report = build_report("f.csv", "parking", "csv", summary_of(*reports), parking.handbook)
    (group,) = report.rules
    assert (group.records, group.problems, len(group.examples)) == (19, 19, EXAMPLES_PER_RULE)
    lines = report_lines(report)
    assert lines[0] == "file f.csv (parking, csv): INVALID - 19 records, 0 valid, 19 invalid"
    assert lines[1].startswith("  [core.datatype] 19 records invalid, 19 problems on site.")
    assert lines[-1] == f"    ... and {19 - EXAMPLES_PER_RULE} more"


def test_checked_rules_depend_on_the_input_and_the_handbook(registry: Registry) -> None:
    parking, crowding = registry.get("parking").handbook, registry.get("crowding").handbook
    file_rules = [rule for rule, _ in checked_rules(parking, "file")]
    assert "core.invalid-json" not in file_rules and "core.personal-data" not in file_rules
    assert "parking.vacant-within-capacity" in file_rules
    assert "core.invalid-json" in [rule for rule, _ in checked_rules(parking, "topic")]
    assert "core.personal-data" in [rule for rule, _ in checked_rules(crowding, "file")]


def test_each_pilots_mapping_rule_is_listed_and_explained(registry: Registry) -> None:
    """Adapters report what they cannot map as ``<pilot>.mapping``; reports say what it means."""
    for pilot in ("parking", "crowding", "accessibility"):
        handbook = registry.get(pilot).handbook
        meanings = dict(checked_rules(handbook, "file"))
        assert meanings[f"{pilot}.mapping"] == MAPPING_MEANING == rule_meaning(
            f"{pilot}.mapping", handbook
        )
    assert rule_meaning("parking.mapping", registry.get("crowding").handbook) is None


def test_junit_lists_every_problem_up_to_a_cap_and_strips_what_xml_cannot_hold(
    parking: Pilot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(junit, "MAX_LISTED", 3)
    reports = [RecordReport("f.csv", n, [datatype(n, found="\x00\x1b<&>")]) for n in range(1, 6)]
    reports.append(RecordReport("f.csv", None, [Problem("parking.mapping", "odd")]))
    report = build_report("f.csv", "parking", "csv", summary_of(*reports), parking.handbook)
    root = etree.fromstring(junit.junit_xml([report, report]))
    assert [suite.get("failures") for suite in root] == ["2", "2"]
    assert root.get("failures") == "4"
    assert int(root.get("tests", "0")) == 2 * len(root[0].findall("testcase"))
    names = [case.get("name") for case in root[0].findall("testcase")]
    assert names[-1] == "parking.mapping"  # a rule outside the catalogue still gets its case
    failure = root[0].find("testcase[@name='core.datatype']/failure")
    assert failure is not None
    assert failure.get("message") == ("5 records break core.datatype (site.capacity): the value "
                                      "does not have the term's datatype")
    lines = (failure.text or "").splitlines()
    assert lines[0] == ("record 1: site.capacity: '\\x00\\x1b<&>' is not an integer "
                        "(found: \ufffd\ufffd<&>; expected: an integer)")
    assert lines[3:] == ["... and 2 more (the JSON report lists all)"]
    mapping = root[0].find("testcase[@name='parking.mapping']/failure")
    assert mapping is not None and mapping.text == "input: -: odd"


def test_check_file_reports_an_unreadable_file_instead_of_raising(
    parking: Pilot, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    for path in (empty, PARKING / "gent-truncated.json"):
        summary = check_file(parking, parking.adapter("gent-json"), FileJob(path), None)
        assert (summary.read, summary.valid, summary.quarantined) == (1, 0, 1)
        (problem,) = summary.rejected[0].problems
        assert problem.rule == "core.unreadable" and path.name in problem.message


def test_the_cli_writes_junit_and_exits_like_the_text_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STADSPULS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    result = CliRunner().invoke(app, ["validate", str(PARKING / "sites-wkt.csv"), "-p",
                                      "parking", "-o", "junit"])
    assert result.exit_code == 1, result.output
    root = etree.fromstring(result.stdout.encode())
    assert root.get("failures") == "1"
    assert root.find("testsuite/testcase[@name='core.outside-belgium']/failure") is not None
    valid = CliRunner().invoke(app, ["validate", str(PARKING / "sites-wgs84.csv"), "-p",
                                     "parking", "-o", "json"])
    assert valid.exit_code == 0 and json.loads(valid.stdout)["rules"] == []


def test_check_batch_is_the_ingest_check_without_a_commit(
    engine: Engine, registry: Registry
) -> None:
    source = Source(id="zone", pilot="parking", format="json")
    checker = MessageRouter(registry, None, [source], keep_reports=True)
    batch = [
        json_message("stadspuls/parking/zone/s", {"entity": "site", "id": "Z",
                                                  "type": "onStreetZone", "lon": 3.26,
                                                  "lat": 50.83}),
        Message("stadspuls/parking/zone/t", b"{oops"),
        json_message("stadspuls/parking/zone/u", {"entity": "site", "id": "Y", "lon": 99,
                                                  "lat": 50.8}),
    ]
    checked = checker.check_batch(batch)
    summary = checked.summary
    assert (summary.read, summary.valid, summary.quarantined) == (3, 1, 2)
    assert [report.origin for report in summary.rejected] == [
        "stadspuls/parking/zone/t", "stadspuls/parking/zone/u"]
    with pytest.raises(RuntimeError, match="can only check"):
        checker.handle_batch(batch)
    ingesting = MessageRouter(registry, engine, [source])
    assert ingesting.check_batch(batch).summary.rejected == []  # the worker keeps no reports
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM quarantine")).scalar_one() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM parking_site")).scalar_one() == 0
