"""Telraam traffic reports: modes and directions, intervals, uptime, refusals, live messages."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.errors import UnreadableInput
from core.handbook import load_handbook
from core.ingest.envelope import Canonical, RawRecord, ReadContext, RecordRejected
from core.validation import PilotRules, Validator
from pilots.crowding.adapters import TelraamAdapter
from pilots.crowding.formats.telraam import map_telraam, report_items
from tests.conftest import FIXTURES

CROWDING = FIXTURES / "crowding"
ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)
ADAPTER = TelraamAdapter()
HANDBOOK = load_handbook(ROOT / "pilots" / "crowding" / "handbook.yaml")
TERMS_ONLY = PilotRules(
    derive=lambda record, referenced: None,
    checks={rule.id: (lambda record: None) for rule in HANDBOOK.rules},
)
VALIDATOR = Validator(HANDBOOK, TERMS_ONLY, clock=lambda: NOW)
SAMPLE_COUNTS = [  # (modality, unit, direction, value) of the sample's first item
    ("truck", "vehicles", "both", 14.0),
    ("truck", "vehicles", "in", 6.4),
    ("truck", "vehicles", "out", 7.6),
    ("bicycle", "vehicles", "both", 121.6),
    ("bicycle", "vehicles", "in", 70.2),
    ("bicycle", "vehicles", "out", 51.4),
    ("car", "vehicles", "both", 298.3),
    ("car", "vehicles", "in", 140.4),
    ("car", "vehicles", "out", 157.9),
    ("pedestrian", "people", "both", 57.4),
    ("pedestrian", "people", "in", 30.6),
    ("pedestrian", "people", "out", 26.8),
]


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def context(timezone: str | None = None, **options: str) -> ReadContext:
    return ReadContext("telraam", "telraam.json", NOW, timezone=timezone, options=options)


def raws(name: str) -> list[RawRecord]:
    with (CROWDING / name).open("rb") as stream:
        return list(ADAPTER.read(stream, context()))


def mapped(name: str, position: int, ctx: ReadContext | None = None) -> list[Canonical]:
    return ADAPTER.map(raws(name)[position - 1], ctx or context())


def refusals(name: str, position: int) -> list[tuple[str, str | None, str]]:
    with pytest.raises(RecordRejected) as caught:
        mapped(name, position)
    return [(p.rule, p.term, p.message) for p in caught.value.problems]


def counts(records: list[Canonical]) -> list[tuple[Any, ...]]:
    keys = ("modality", "unit", "direction", "value")
    return sorted(tuple(r.values[key] for key in keys) for r in records)


def validated(records: list[Canonical]) -> list[tuple[str, str | None]]:
    return [(p.rule, p.term) for r in records for p in VALIDATOR.validate(r, context())]


def test_a_report_item_is_a_count_per_mode_and_direction_of_its_segment() -> None:
    records = mapped("telraam.json", 1)
    assert all(r.entity == "observation" for r in records)  # the segment is registered before
    assert counts(records) == sorted(SAMPLE_COUNTS)
    common = {key: value for key, value in records[0].values.items()
              if key not in ("modality", "unit", "direction", "value")}
    assert common == {
        "location": "9000004321", "characteristic": "passages", "count_type": "interval",
        "start": t("2026-11-20T08:00:00"), "end": t("2026-11-20T09:00:00"),
        "statistic": "total", "technique": "camera", "coverage": 0.7833, "estimated": True,
    }
    assert all({k: v for k, v in r.values.items() if k in common} == common for r in records)
    assert validated(records) == []


def test_the_positive_option_says_which_side_is_in() -> None:
    records = mapped("telraam.json", 1, context(positive="RGT"))
    flipped = {"in": "out", "out": "in", "both": "both"}
    assert counts(records) == sorted((m, u, flipped[d], v) for m, u, d, v in SAMPLE_COUNTS)
    with pytest.raises(RecordRejected, match="positive"):
        mapped("telraam.json", 1, context(positive="north"))


@pytest.mark.parametrize(
    ("position", "start", "estimated", "expected"),
    [
        (1, "08:15", False, {("car", "vehicles", "both", 71.0), ("truck", "vehicles", "in", 2.0)}),
        (2, "08:30", True, {("car", "vehicles", "both", 64.0), ("car", "vehicles", "in", 30.0),
                            ("car", "vehicles", "out", 34.0),
                            ("pedestrian", "people", "both", 10.0)}),
    ],
)
def test_quarterly_reports_last_15_minutes_and_null_modes_are_skipped(
    position: int, start: str, estimated: bool, expected: set[tuple[Any, ...]]
) -> None:
    records = mapped("telraam-quarterly.json", position)
    assert len(records) == (12 if position == 1 else 4)
    assert expected <= set(counts(records))
    for record in records:
        assert record.values["start"] == t(f"2026-11-20T{start}:00")
        assert (record.values["end"] - record.values["start"]).total_seconds() == 15 * 60
        assert record.values["estimated"] is estimated
        assert record.values["location"] == "9000004321"
    assert validated(records) == []


@pytest.mark.parametrize(
    ("name", "position", "problem", "says"),
    [
        ("telraam.json", 2, ("crowding.mapping", "observation.coverage"), "uptime is 0"),
        ("telraam-edge.jsonl", 1, ("crowding.mapping", "observation.coverage"), "not stored"),
        ("telraam-edge.jsonl", 2, ("crowding.mapping", "observation.value"), "every mode is null"),
        ("telraam-edge.jsonl", 3, ("core.datatype", "observation.start"), "date"),
        ("telraam-edge.jsonl", 4, ("crowding.mapping", "observation.end"), "'daily'"),
        ("telraam-edge.jsonl", 5, ("crowding.mapping", "observation.location"), "level 'segm"),
    ],
)
def test_items_without_counts_are_refused_with_the_reason(
    name: str, position: int, problem: tuple[str, str], says: str
) -> None:
    ((rule, term, message),) = refusals(name, position)
    assert (rule, term) == problem
    assert says in message


def test_other_members_are_ignored_and_a_motorbike_is_another_vehicle() -> None:
    records = mapped("telraam-edge.jsonl", 6)  # carries "mac": core's privacy screen refuses it
    assert counts(records) == [
        ("car", "vehicles", "both", 150.0), ("car", "vehicles", "in", 70.0),
        ("car", "vehicles", "out", 80.0), ("other", "vehicles", "both", 4.0),
    ]
    assert validated(records) == []


@pytest.mark.parametrize(
    ("timezone", "start"), [(None, "2026-11-20T08:00:00"), ("Europe/Brussels", "2026-11-20T07:00")]
)
def test_a_naive_date_is_utc_unless_the_source_declares_a_zone(
    timezone: str | None, start: str
) -> None:
    item = {"segment_id": 1, "date": "2026-11-20 08:00:00", "interval": "hourly", "car": 3}
    (record,) = map_telraam(item, {}, timezone)
    assert record.values["start"] == t(start)
    assert "coverage" not in record.values and "estimated" not in record.values


def test_responses_bare_arrays_and_json_lines_are_read_as_report_items() -> None:
    assert [r.position for r in raws("telraam.json")] == [1, 2]
    assert len(raws("telraam-edge.jsonl")) == 6
    response = json.loads((CROWDING / "telraam.json").read_text())
    assert report_items(response["report"]) == report_items(response) == response["report"]
    with pytest.raises(UnreadableInput, match="answered 403"):
        raws("telraam-error.json")
    with pytest.raises(UnreadableInput, match="holds no report items"):
        list(ADAPTER.read(io.BytesIO(b'{"status_code": 200, "report": []}'), context()))


def test_a_live_message_may_be_a_whole_response() -> None:
    response = (CROWDING / "telraam-quarterly.json").read_bytes()
    records = ADAPTER.map(RawRecord("telraam", "topic", None, NOW, response), context())
    assert len(records) == 16
    with pytest.raises(RecordRejected) as caught:
        ADAPTER.map(RawRecord("telraam", "topic", None, NOW,
                              json.loads((CROWDING / "telraam.json").read_text())), context())
    assert [p.message[:23] for p in caught.value.problems] == ["report item 2: uptime i"]
    with pytest.raises(RecordRejected, match="answered 403"):
        ADAPTER.map(RawRecord("telraam", "topic", None, NOW, {"status_code": 403}), context())
