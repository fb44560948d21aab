"""The source registry and MQTT topic matching."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from core.errors import UnknownFormat, UnknownPilot
from core.pilot import Registry
from core.sources import (
    Source,
    SourceError,
    add_source,
    list_sources,
    remove_source,
    source_for_topic,
    topic_matches,
)


@pytest.mark.parametrize(
    ("topic_filter", "topic", "expected"),
    [
        ("stadspuls/parking/gent/#", "stadspuls/parking/gent/s1", True),
        ("stadspuls/parking/gent/#", "stadspuls/parking/gent", True),
        ("stadspuls/parking/gent/#", "stadspuls/parking/gentbrugge/s1", False),
        ("v3/+/devices/+/up", "v3/app@ttn/devices/bay-1/up", True),
        ("v3/+/devices/+/up", "v3/app@ttn/devices/bay-1/join", False),
        ("v3/+/devices/+/up", "v3/app@ttn/devices/up", False),
        ("a/b", "a/b", True),
        ("a/b", "a/b/c", False),
        ("#", "anything/at/all", True),
    ],
)
def test_topic_matching(topic_filter: str, topic: str, expected: bool) -> None:
    assert topic_matches(topic_filter, topic) is expected


def test_the_most_specific_source_claims_a_topic() -> None:
    broad = Source(id="all-ttn", pilot="parking", format="ttn", topic="v3/#")
    narrow = Source(id="kortrijk", pilot="parking", format="ttn", topic="v3/kortrijk@ttn/#")
    default = Source(id="gent", pilot="parking", format="json")
    sources = [broad, narrow, default]
    assert source_for_topic(sources, "v3/kortrijk@ttn/devices/b/up") is narrow
    assert source_for_topic(sources, "v3/leuven@ttn/devices/b/up") is broad
    assert source_for_topic(sources, "stadspuls/parking/gent/garage-1") is default
    assert source_for_topic(sources, "stadspuls/parking/brugge/garage-1") is None


def test_sources_are_added_listed_and_removed(engine: Engine, registry: Registry) -> None:
    add_source(engine, registry, Source(id="gent", pilot="parking", format="gent-json"))
    add_source(engine, registry, Source(id="bays", pilot="parking", format="json",
                                        topic="city/bays/+", options={"decoder": "first-byte"}))
    listed = {source.id: source for source in list_sources(engine)}
    assert set(listed) == {"gent", "bays"}
    assert listed["gent"].topic_filter == "stadspuls/parking/gent/#"
    assert listed["bays"].options == {"decoder": "first-byte"}
    assert listed["bays"].created_at.tzinfo is not None
    remove_source(engine, "gent")
    assert [source.id for source in list_sources(engine)] == ["bays"]


@pytest.mark.parametrize(
    ("source", "error", "message"),
    [
        (Source(id="a b", pilot="parking", format="json"), SourceError, "must be 1-64"),
        (Source(id="x", pilot="noise", format="json"), UnknownPilot, "unknown pilot 'noise'"),
        (Source(id="x", pilot="parking", format="xlsx"), UnknownFormat, "no format 'xlsx'"),
        (Source(id="x", pilot="parking", format="json", topic="a/#/b"), SourceError,
         "'#' must be the last level"),
        (Source(id="x", pilot="parking", format="json", topic="a/b+/c"), SourceError,
         "'+' must fill a whole level"),
        (Source(id="x", pilot="parking", format="json", topic="$SYS/#"), SourceError,
         "system topic"),
    ],
)
def test_bad_sources_are_refused(
    engine: Engine, registry: Registry, source: Source, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message.replace("+", r"\+")):
        add_source(engine, registry, source)
    assert list_sources(engine) == []


def test_duplicate_and_unknown_ids(engine: Engine, registry: Registry) -> None:
    add_source(engine, registry, Source(id="gent", pilot="parking", format="json"))
    with pytest.raises(SourceError, match="exists already"):
        add_source(engine, registry, Source(id="gent", pilot="parking", format="json"))
    with pytest.raises(SourceError, match="there is no source 'nope'"):
        remove_source(engine, "nope")
