"""Simulated feeds: payloads the real adapters map and the real validator accepts."""

from __future__ import annotations

import base64
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

import pytest

from core.geo import BELGIUM_BOUNDS
from core.ingest.envelope import Canonical, RawRecord, ReadContext
from core.ingest.pipeline import Pipeline
from core.pilot import Pilot
from core.simulate import Publication, Simulation, SimulationError
from core.simulate.feeds import GENT, ParkingFeed

START = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
SECOND_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MILLIS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UPLINK_TOPIC = re.compile(r"^v3/stadspuls-sim@ttn/devices/(sim-bay-\d{4})/up$")


def context(source: str) -> ReadContext:
    return ReadContext(source, "test", datetime.now(UTC))


def canonical(pilot: Pilot, message: Publication, source: str) -> list[Canonical]:
    raw = RawRecord(source, message.topic, None, datetime.now(UTC), json.loads(message.payload))
    return pilot.adapter("json").map(raw, context(source))


def problems(pilot: Pilot, record: Canonical, source: str, referenced: Any = None) -> list[str]:
    return [p.message for p in pilot.validator.validate(record, context(source), referenced)]


def stream(simulation: Simulation, count: int) -> list[Publication]:
    return list(islice(simulation.messages(START), count))


def uplinks(messages: list[Publication]) -> Iterator[tuple[str, dict[str, Any]]]:
    for message in messages:
        match = UPLINK_TOPIC.match(message.topic)
        if match:
            yield match.group(1), json.loads(message.payload)


@pytest.fixture(scope="module")
def simulation() -> Simulation:
    return Simulation(pilot="parking", sensors=60, rate=20, seed=11)


def test_the_layout_lies_around_the_centre_inside_belgium(simulation: Simulation) -> None:
    layout = simulation.feed.layout  # type: ignore[attr-defined]
    assert len(layout.garages) == 6 and len(layout.bays) == 54
    assert sum(zone.bays for zone in layout.zones) == 54
    minx, miny, maxx, maxy = BELGIUM_BOUNDS
    points = [(g.lon, g.lat) for g in layout.garages] + [
        (b.device.lon, b.device.lat) for b in layout.bays
    ]
    for lon, lat in points:
        assert minx <= lon <= maxx and miny <= lat <= maxy
        assert abs(lon - GENT[0]) < 0.05 and abs(lat - GENT[1]) < 0.03  # within ~3 km
    assert (
        len({b.device.dev_eui for b in layout.bays})
        == len({b.device.device_id for b in layout.bays})
        == 54
    )


def test_garage_sites_are_valid_handbook_sites(parking: Pilot, simulation: Simulation) -> None:
    setup = simulation.setup_messages()
    assert [m.topic for m in setup] == [
        f"stadspuls/parking/sim-garages/sim-garage-{n:02d}" for n in range(1, 7)
    ]
    for message in setup:
        document = json.loads(message.payload)
        assert document["entity"] == "site" and document["type"] == "carPark"
        assert set(document) >= {"id", "name", "capacity", "lon", "lat"}
        [site] = canonical(parking, message, "sim-garages")
        assert site.entity == "site"
        assert problems(parking, site, "sim-garages") == []


def test_garage_observations_are_valid_and_consistent(
    parking: Pilot, simulation: Simulation
) -> None:
    capacities = {
        json.loads(m.payload)["id"]: json.loads(m.payload)["capacity"]
        for m in simulation.setup_messages()
    }
    observations = [m for m in stream(simulation, 600) if m.topic.startswith("stadspuls/")]
    assert len(observations) == 60  # 6 garages of 60 sensors, ten rounds
    for message in observations:
        document = json.loads(message.payload)
        assert set(document) == {"site", "observed_at", "vacant", "capacity"}
        assert message.topic.endswith("/" + document["site"])
        assert SECOND_Z.match(document["observed_at"])
        assert 0 <= document["vacant"] <= document["capacity"] == capacities[document["site"]]
        [observation] = canonical(parking, message, "sim-garages")
        assert observation.entity == "observation"
        referenced = {"capacity": capacities[document["site"]]}
        assert problems(parking, observation, "sim-garages", referenced) == []


def test_the_stream_carries_rate_messages_per_simulated_second(simulation: Simulation) -> None:
    messages = stream(simulation, 120)
    times = []
    for message in messages:
        document = json.loads(message.payload)
        times.append(document.get("observed_at") or document["uplink_message"]["received_at"])
    first = datetime.fromisoformat(times[0].replace("Z", "+00:00"))
    last = datetime.fromisoformat(times[-1].replace("Z", "+00:00"))
    assert first == START
    assert (last - first).total_seconds() == pytest.approx(119 / 20, abs=1.0)
    rounds = Counter(message.topic for message in messages)
    assert set(rounds.values()) == {2}  # every sensor reports once per round, in a fixed order


def test_the_same_seed_gives_the_same_stream_and_another_seed_another() -> None:
    a = stream(Simulation(sensors=30, rate=5, seed=4), 90)
    assert a == stream(Simulation(sensors=30, rate=5, seed=4), 90)
    assert a != stream(Simulation(sensors=30, rate=5, seed=5), 90)


def test_uplinks_have_the_things_stack_form(simulation: Simulation) -> None:
    seen: set[str] = set()
    counters: dict[str, int] = {}
    for device, message in uplinks(stream(simulation, 180)):
        ids, up = message["end_device_ids"], message["uplink_message"]
        assert ids["device_id"] == device and re.fullmatch(r"[0-9A-F]{16}", ids["dev_eui"])
        assert ids["application_ids"] == {"application_id": "stadspuls-sim"}
        assert MILLIS_Z.match(message["received_at"]) and MILLIS_Z.match(up["received_at"])
        decoded = up["decoded_payload"]
        assert isinstance(decoded["occupied"], bool)
        assert all(isinstance(value, bool | int | float) for value in decoded.values())  # no base64
        assert base64.b64decode(up["frm_payload"]) == bytes([decoded["occupied"]])
        assert up["f_cnt"] > counters.get(device, -1)
        counters[device] = up["f_cnt"]
        if device in seen:
            assert "locations" not in up  # later uplinks, as network servers often send them
        else:
            user = up["locations"]["user"]
            assert isinstance(user["latitude"], float) and isinstance(user["longitude"], float)
            seen.add(device)
    assert len(seen) == 54


def test_uplinks_map_through_the_ttn_adapter_to_valid_bays(
    parking: Pilot, simulation: Simulation
) -> None:
    adapter = parking.adapter("ttn")
    states: Counter[str] = Counter()
    for device, message in uplinks(stream(simulation, 120)):
        raw = RawRecord("sim-bays", f"v3/.../{device}/up", None, datetime.now(UTC), message)
        bay, state = adapter.map(raw, context("sim-bays"))
        assert bay.entity == "bay" and bay.values["id"] == device
        assert state.entity == "bay_observation" and state.values["bay"] == device
        assert problems(parking, bay, "sim-bays") == []
        assert problems(parking, state, "sim-bays", {}) == []
        states[state.values["status"]] += 1
    assert set(states) <= {"free", "occupied"} and sum(states.values()) == 108


def test_the_bay_register_links_bays_to_zones_and_passes_the_pipeline(
    parking: Pilot, simulation: Simulation
) -> None:
    [register] = simulation.register_files()
    assert (register.pilot, register.source, register.format_id) == ("parking", "sim-bays", "json")
    lines = [json.loads(line) for line in register.content.decode().splitlines()]
    zones = [line for line in lines if line["entity"] == "site"]
    bays = [line for line in lines if line["entity"] == "bay"]
    assert lines == zones + bays  # zones first: bays refer to them
    assert {z["type"] for z in zones} == {"onStreetZone"}
    assert {b["zone"] for b in bays} == {z["id"] for z in zones}
    adapter = parking.adapter("json")
    ctx = ReadContext("sim-bays", register.name, datetime.now(UTC))
    summary = Pipeline(parking, adapter, None, dry_run=True).run(
        adapter.read(io.BytesIO(register.content), ctx), ctx
    )
    assert (summary.read, summary.valid, summary.quarantined) == (len(lines), len(lines), 0)


def test_the_sources_name_formats_and_topics(simulation: Simulation) -> None:
    garages, bays = simulation.sources()
    assert (garages.id, garages.format, garages.topic) == ("sim-garages", "json", None)
    assert (bays.id, bays.format, bays.topic) == (
        "sim-bays",
        "ttn",
        "v3/stadspuls-sim@ttn/devices/+/up",
    )


def test_a_city_of_garages_only_has_no_register() -> None:
    only = Simulation(sensors=3, rate=1, seed=0, garages=3)
    assert only.register_files() == []
    assert {m.topic.split("/")[2] for m in stream(only, 9)} == {"sim-garages"}


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ({"pilot": "accessibility"}, "no simulator for pilot 'accessibility'"),
        ({"rate": 0}, "rate must be a positive"),
        ({"sensors": 0}, "one sensor or more"),
        ({"sensors": 5, "garages": 6}, "garages (6)"),
        ({"centre": (13.4, 52.5)}, "outside Belgium"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_impossible_simulations_say_why(arguments: dict[str, Any], fragment: str) -> None:
    with pytest.raises(SimulationError, match=re.escape(fragment)):
        Simulation(**arguments)


def test_the_stream_needs_an_aware_start() -> None:
    with pytest.raises(ValueError, match="time zone"):
        next(ParkingFeed(sensors=2).messages(datetime(2026, 3, 10, 11), 1.0))
