"""What the three message adapters share: reading recorded messages, live content, detection."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.errors import UnreadableInput
from core.handbook import load_handbook
from core.ingest.canonical import CanonicalCsvAdapter, CanonicalGeoJsonAdapter
from core.ingest.envelope import RawRecord, ReadContext, RecordRejected
from core.pilot import Adapter
from pilots.parking.adapters import Datex2Adapter, GentJsonAdapter
from pilots.parking.message_adapters import (
    NgsiLdAdapter,
    SenmlAdapter,
    TtnAdapter,
    message_adapters,
    read_messages,
)

ROOT = Path(__file__).resolve().parents[3]
MESSAGES = ROOT / "tests" / "fixtures" / "parking" / "messages"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
CONTEXT = ReadContext("recorded", "messages.json", NOW)


def read(data: bytes, is_message: Any = lambda doc: isinstance(doc, dict)) -> list[RawRecord]:
    return list(read_messages(data, CONTEXT, is_message))


def contents(data: bytes) -> list[tuple[int | None, Any]]:
    return [(raw.position, raw.content) for raw in read(data)]


def test_the_three_adapters() -> None:
    adapters: list[Adapter] = message_adapters()
    assert [(a.format_id, type(a).__name__) for a in adapters] == [
        ("ttn", TtnAdapter.__name__), ("senml", SenmlAdapter.__name__),
        ("ngsi-ld", NgsiLdAdapter.__name__)]
    assert all(a.title and a.media_types for a in adapters)


@pytest.mark.parametrize(("data", "expected"), [
    (b'{"a": 1}', [(1, {"a": 1})]),
    (b'[{"a": 1}, {"b": 2}]', [(1, {"a": 1}), (2, {"b": 2})]),
    (b'{"a": 1}\n{"b": 2}\n\n{"c": 3}\n', [(1, {"a": 1}), (2, {"b": 2}), (4, {"c": 3})]),
    (b'\xef\xbb\xbf{"a": 1}\r\n{"b": 2}', [(1, {"a": 1}), (2, {"b": 2})]),
    (b'{\n  "a": 1\n}\n', [(1, {"a": 1})]),
    (b'[{"a": 1},\n 7]', [(1, {"a": 1}), (2, 7)]),  # map() refuses the odd one, not read()
])
def test_one_message_an_array_or_json_lines(data: bytes, expected: list[Any]) -> None:
    assert contents(data) == expected


def test_records_carry_the_envelope_of_the_file() -> None:
    (raw,) = read(b'{"a": 1}')
    assert (raw.source, raw.origin, raw.received_at, raw.problems) == (
        "recorded", "messages.json", NOW, [])


def test_what_is_one_message_is_the_formats_call() -> None:
    """A SenML pack is itself an array; an array of packs holds several messages."""
    pack = [{"n": "g/vacant", "v": 1}]
    assert [raw.content for raw in SenmlAdapter().read(io.BytesIO(json.dumps(pack).encode()),
                                                        CONTEXT)] == [pack]
    two = json.dumps([pack, pack]).encode()
    assert len(list(SenmlAdapter().read(io.BytesIO(two), CONTEXT))) == 2


@pytest.mark.parametrize(("data", "message"), [
    (b"", "messages.json: the file is empty"),
    (b"  \n", "messages.json: the file is empty"),
    (b"[]", "messages.json: the file holds no messages"),
    (b'{"a": 1', "messages.json: invalid JSON at line 1, column 8"),
    (b'{\n  "a": 1,\n', "messages.json: invalid JSON at line 3"),
    (b"\xff\xfe{}", "messages.json: the file is not UTF-8"),
])
def test_unreadable_files_are_one_sentence(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableInput) as caught:
        read(data)
    assert str(caught.value).startswith(message)


def test_a_broken_json_lines_line_keeps_the_lines_before_it() -> None:
    records = read_messages(b'{"a": 1}\n{"b": 2}\n{"c": \n{"d": 4}\n', CONTEXT,
                            lambda doc: isinstance(doc, dict))
    assert next(records).content == {"a": 1}
    assert next(records).content == {"b": 2}
    with pytest.raises(UnreadableInput, match=r"^messages.json: line 3 is not a JSON message"):
        next(records)


@pytest.mark.parametrize("adapter", message_adapters(), ids=lambda a: a.format_id)
def test_live_content_may_also_arrive_undecoded(adapter: Adapter) -> None:
    name = {"ttn": "ttn-uplink.json", "senml": "senml-garage.json",
            "ngsi-ld": "ngsi-ld-notification.json"}[adapter.format_id]
    data = (MESSAGES / name).read_bytes()
    decoded = RawRecord("s", "topic", None, NOW, json.loads(data))
    undecoded = RawRecord("s", "topic", None, NOW, data)
    assert adapter.map(undecoded, CONTEXT) == adapter.map(decoded, CONTEXT)
    with pytest.raises(RecordRejected, match="the message is not JSON"):
        adapter.map(RawRecord("s", "topic", None, NOW, b"\x01\x00garbage"), CONTEXT)


def test_each_message_fixture_is_detected_as_exactly_its_format() -> None:
    """Pilot.detect needs one adapter to recognise a file, among all of the pilot's formats."""
    handbook = load_handbook(ROOT / "pilots" / "parking" / "handbook.yaml")
    adapters: list[Adapter] = [
        *message_adapters(), GentJsonAdapter(), Datex2Adapter(),
        CanonicalCsvAdapter(handbook), CanonicalGeoJsonAdapter(handbook),
    ]
    prefixes = {"ttn-": "ttn", "senml-": "senml", "ngsi-ld-": "ngsi-ld"}
    for path in sorted(MESSAGES.iterdir()):
        expected = next(fmt for prefix, fmt in prefixes.items() if path.name.startswith(prefix))
        head = path.read_bytes()[:2048]
        found = [a.format_id for a in adapters if a.sniff(head, path.name)]
        assert found == [expected], path.name
