"""imec CityFlows records: the sample, events, options, refusals, live messages and sniffing."""

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
from pilots.crowding.adapters import CityFlowsAdapter, TelraamAdapter
from tests.conftest import FIXTURES

CROWDING = FIXTURES / "crowding"
ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)
ADAPTER = CityFlowsAdapter()
HANDBOOK = load_handbook(ROOT / "pilots" / "crowding" / "handbook.yaml")
TERMS_ONLY = PilotRules(
    derive=lambda record, referenced: None,
    checks={rule.id: (lambda record: None) for rule in HANDBOOK.rules},
)
VALIDATOR = Validator(HANDBOOK, TERMS_ONLY, clock=lambda: NOW)
BRUUL = {
    "type": "Polygon",
    "coordinates": [
        [[4.47870, 51.02905], [4.47930, 51.02905], [4.47930, 51.02940], [4.47870, 51.02940],
         [4.47870, 51.02905]]
    ],
}


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def context(timezone: str | None = None, **options: str) -> ReadContext:
    return ReadContext("mechelen", "cityflows.json", NOW, timezone=timezone, options=options)


def raws(name: str) -> list[RawRecord]:
    with (CROWDING / name).open("rb") as stream:
        return list(ADAPTER.read(stream, context()))


def mapped(name: str, position: int, ctx: ReadContext | None = None) -> list[Canonical]:
    return ADAPTER.map(raws(name)[position - 1], ctx or context())


def refusals(name: str, position: int, ctx: ReadContext | None = None) -> list[tuple[Any, ...]]:
    with pytest.raises(RecordRejected) as caught:
        mapped(name, position, ctx)
    return [(p.rule, p.term) for p in caught.value.problems]


def validated(records: list[Canonical]) -> list[tuple[str, str | None]]:
    return [(p.rule, p.term) for r in records for p in VALIDATOR.validate(r, context())]


def observation(records: list[Canonical]) -> dict[str, Any]:
    (found,) = [r.values for r in records if r.entity == "observation"]
    return found


def test_a_sample_record_is_the_detection_area_and_its_interval_count() -> None:
    assert mapped("cityflows.json", 1) == [
        Canonical("location", {"id": "mechelen-bruul-cam-01", "kind": "detection-area",
                               "geometry": BRUUL}),
        Canonical("observation", {
            "location": "mechelen-bruul-cam-01", "characteristic": "passages",
            "count_type": "interval", "start": t("2026-11-20T14:00:00"),
            "end": t("2026-11-20T14:15:00"), "value": 212, "unit": "people",
            "statistic": "total", "modality": "pedestrian", "bearing": 45, "accuracy": 0.05,
        }),
    ]


@pytest.mark.parametrize(
    ("position", "expected"),
    [  # (location, start, value, unit, modality, bearing, technique)
        (1, ("mechelen-bruul-cam-01", "14:00", 212, "people", "pedestrian", 45, None)),
        (2, ("mechelen-bruul-cam-01", "14:15", 247, "people", "pedestrian", 45, None)),
        (3, ("mechelen-bruul-cam-01", "14:00", 198, "people", "pedestrian", 225, None)),
        (4, ("mechelen-ijzerenleen-wifi-02", "14:00", 1310, "wifi-devices", None, None, "wifi")),
    ],
)
def test_every_sample_record_maps_and_passes_the_handbook(
    position: int, expected: tuple[Any, ...]
) -> None:
    records = mapped("cityflows.json", position)
    values = observation(records)
    keys = ("location", "start", "value", "unit", "modality", "bearing", "technique")
    found = tuple(values.get(key) for key in keys)
    assert found == (*expected[:1], t(f"2026-11-20T{expected[1]}:00"), *expected[2:])
    assert [r.entity for r in records] == ["location", "observation"]
    assert validated(records) == []


def test_events_are_instants_with_any_key_case_and_a_feature_as_range() -> None:
    first, second = (mapped("cityflows-events.jsonl", n) for n in (1, 2))
    assert observation(first) == {
        "location": "leuven-naamsestraat-loop-03", "characteristic": "passages",
        "count_type": "event", "start": t("2026-11-20T14:03:27"), "value": 1,
        "unit": "vehicles", "modality": "bicycle", "bearing": 180,
    }  # "Bicyle" is the standard's own spelling; Speed has no handbook term
    assert observation(second)["start"] == t("2026-11-20T13:03:41.250")  # +01:00 to UTC
    assert (observation(second)["value"], observation(second)["bearing"]) == ("1", 0)
    assert second[0].values["geometry"] == first[0].values["geometry"]  # unwrapped Feature
    assert validated(first + second) == []


@pytest.mark.parametrize(
    ("position", "problems"),
    [
        (1, [("crowding.mapping", "observation.location")]),  # no Id
        (6, [("core.datatype", "observation.start")]),  # "20/11/2026 14:45"
        (7, [("crowding.mapping", "observation.count_type")]),  # Type_count "X"
        (8, [("crowding.mapping", "observation.value"), ("crowding.mapping", "observation.start")]),
    ],
)
def test_records_that_cannot_be_mapped_say_why(
    position: int, problems: list[tuple[str, str]]
) -> None:
    assert refusals("cityflows-edge.json", position) == problems


@pytest.mark.parametrize(
    ("position", "expected", "problems"),
    [
        (2, {"value": "many"}, [("core.datatype", "observation.value")]),
        (3, {"unit": "unknown", "modality": "other", "accuracy": 0.1}, []),
        (4, {"unit": "wifi-devices", "technique": "wifi"}, []),  # mac_address: core's screen
        (5, {"unit": "wifi-devices", "end": t("2026-11-20T14:45:00")}, []),
        (9, {"modality": "hoverboard"}, [("core.codelist", "observation.modality")]),
    ],
)
def test_loose_values_are_passed_on_for_the_validator_to_judge(
    position: int, expected: dict[str, Any], problems: list[tuple[str, str]]
) -> None:
    records = mapped("cityflows-edge.json", position)
    values = observation(records)
    assert {key: values.get(key) for key in expected} == expected
    assert validated(records) == problems


def test_a_record_without_locationrange_refers_to_a_known_location() -> None:
    records = mapped("cityflows-edge.json", 5)
    assert [r.entity for r in records] == ["observation"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, {"characteristic": "passages", "statistic": "total", "end": "14:15"}),
        ({"interval_minutes": "5"}, {"end": "14:05"}),
        ({"interval_minutes": "60"}, {"end": "15:00"}),
        ({"characteristic": "Presence"}, {"characteristic": "presence", "statistic": None}),
        ({"characteristic": "presence", "statistic": "mean"}, {"statistic": "mean"}),
        ({"technique": "thermal-camera"}, {"technique": "thermal-camera"}),
    ],
)
def test_source_options(options: dict[str, str], expected: dict[str, Any]) -> None:
    values = observation(mapped("cityflows.json", 1, context(**options)))
    if "end" in expected:
        expected = {**expected, "end": t(f"2026-11-20T{expected['end']}:00")}
    assert {key: values.get(key) for key in expected} == expected


@pytest.mark.parametrize(
    "options",
    [{"interval_minutes": "quarter"}, {"interval_minutes": "0"}, {"characteristic": "density"},
     {"statistic": "sum"}],
)
def test_a_bad_source_option_is_named(options: dict[str, str]) -> None:
    assert refusals("cityflows.json", 1, context(**options)) == [("crowding.mapping", None)]


@pytest.mark.parametrize(
    ("timezone", "start"), [(None, "2026-11-20T14:00:00"), ("Europe/Brussels", "2026-11-20T13:00")]
)
def test_a_naive_timestamp_is_utc_unless_the_source_declares_a_zone(
    timezone: str | None, start: str
) -> None:
    record = {"Id": "a", "Timestamp": "2026-11-20T14:00:00", "Count": 3, "Type_count": "I"}
    raw = RawRecord("mechelen", "topic", None, NOW, record)
    assert observation(ADAPTER.map(raw, context(timezone)))["start"] == t(start)


def test_a_live_message_may_hold_several_records_and_arrive_undecoded() -> None:
    records = json.loads((CROWDING / "cityflows.json").read_text())
    several = ADAPTER.map(RawRecord("m", "topic", None, NOW, records[:2]), context())
    assert [r.entity for r in several] == ["location", "observation"] * 2
    undecoded = ADAPTER.map(RawRecord("m", "topic", None, NOW, json.dumps(records[0])), context())
    assert undecoded == mapped("cityflows.json", 1)
    with pytest.raises(RecordRejected) as caught:
        ADAPTER.map(RawRecord("m", "topic", None, NOW, [records[0], {"Id": "x"}]), context())
    assert caught.value.problems[0].message.startswith("record 2: ")
    with pytest.raises(RecordRejected):
        ADAPTER.map(RawRecord("m", "topic", None, NOW, b"{not json"), context())


def test_reading_gives_one_raw_record_per_record() -> None:
    assert [r.position for r in raws("cityflows.json")] == [1, 2, 3, 4]
    assert len(raws("cityflows-events.jsonl")) == 2
    with pytest.raises(UnreadableInput, match="holds no records"):
        list(ADAPTER.read(io.BytesIO(b"[]"), context()))


PARKING = FIXTURES / "parking"
SNIFFED = [
    (CROWDING / "cityflows.json", "cityflows"),
    (CROWDING / "cityflows-events.jsonl", "cityflows"),
    (CROWDING / "cityflows-edge.json", "cityflows"),
    (CROWDING / "telraam.json", "telraam"),
    (CROWDING / "telraam-quarterly.json", "telraam"),
    (CROWDING / "telraam-edge.jsonl", "telraam"),
    (CROWDING / "canonical.jsonl", None),
    *[(path, None) for path in sorted(PARKING.glob("*.json")) + sorted(PARKING.glob("*/*.json*"))],
]


@pytest.mark.parametrize(("path", "claimed_by"), SNIFFED, ids=lambda v: getattr(v, "name", v))
def test_sniffing_is_exclusive_and_leaves_other_formats_alone(
    path: Path, claimed_by: str | None
) -> None:
    head = path.read_bytes()[:4096]
    claims = [a.format_id for a in (ADAPTER, TelraamAdapter()) if a.sniff(head, path.name)]
    assert claims == ([claimed_by] if claimed_by else [])
