"""SenML packs of garage counters: RFC 8428 resolution, naming, units and refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.ingest.envelope import Canonical, RawRecord, ReadContext, RecordRejected
from core.pilot import Pilot
from pilots.parking.formats.senml import map_senml, resolve
from pilots.parking.message_adapters import SenmlAdapter

MESSAGES = Path(__file__).resolve().parents[2] / "fixtures" / "parking" / "messages"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
AT = datetime(2026, 11, 20, 9, 45, tzinfo=UTC)  # bt 1795167900 of the fixtures
ADAPTER = SenmlAdapter()


def context(**options: str) -> ReadContext:
    return ReadContext("garages", "stadspuls/parking/garages/garage-12", NOW, options=options)


def records(name: str, ctx: ReadContext | None = None) -> list[RawRecord]:
    with (MESSAGES / name).open("rb") as stream:
        return list(ADAPTER.read(stream, ctx or context()))


def mapped(name: str, ctx: ReadContext | None = None) -> list[Canonical]:
    ctx = ctx or context()
    (raw,) = records(name, ctx)
    return ADAPTER.map(raw, ctx)


def observation(site: str, at: datetime, **values: Any) -> Canonical:
    return Canonical("observation", {"site": site, "observed_at": at, **values})


VALID = [
    # bn/bt/bu carried over; an unknown quantity (temperature) ignored; two times, two groups.
    ("senml-garage.json", [
        observation("garage-12", AT, vacant=212, occupied=268, capacity=480, occupancy=55.8),
        observation("garage-12", AT + timedelta(minutes=5), vacant=205, occupied=275,
                    capacity=480),
    ]),
    # Relative times (bt + t below 2**28) count from the arrival; a urn:dev name keeps its form.
    ("senml-relative.json", [
        observation("urn:dev:mac:0024befffe804ff1", NOW - timedelta(minutes=2), vacant=40),
        observation("urn:dev:mac:0024befffe804ff1", NOW, vacant=38, opening_status="open"),
    ]),
    ("senml-full-names.json", [observation("garage-7", AT, vacant=0, status="full",
                                           capacity=150)]),
    # {spaces} and no unit for counts; the ratio unit "/" becomes a percentage.
    ("senml-units.json", [observation("garage-3", AT, vacant=60, capacity=200, occupancy=70.0)]),
    # bv is added to v, until a later record sets another bv.
    ("senml-base-value.json", [observation("garage-5", AT, vacant=97, capacity=120)]),
]


@pytest.mark.parametrize(("name", "expected"), VALID)
def test_packs_map_to_one_observation_per_site_and_time(
    name: str, expected: list[Canonical]
) -> None:
    assert mapped(name) == expected


def test_units_that_do_not_fit_the_term_reject_the_pack() -> None:
    with pytest.raises(RecordRejected) as caught:
        mapped("senml-bad-unit.json")
    assert [(p.rule, p.term, p.found) for p in caught.value.problems] == [
        ("parking.mapping", "observation.vacant", "40 %"),
        ("parking.mapping", "observation.capacity", "480 m"),
    ]
    assert caught.value.problems[0].message == (
        "record 1 ('garage-12/vacant'): unit '%' does not fit vacant "
        "(expected count, {spaces} or no unit)"
    )


def test_a_pack_in_which_nothing_maps_is_refused() -> None:
    with pytest.raises(RecordRejected) as caught:
        mapped("senml-nothing-mappable.json")
    (problem,) = caught.value.problems
    assert problem.rule == "parking.mapping"
    assert problem.message.startswith("no record of the pack names an observation term")
    assert problem.found == "garage-12/humidity, garage-12/temperature"


@pytest.mark.parametrize("name", ["senml-packs.json", "senml-packs.jsonl"])
def test_files_of_several_packs(name: str) -> None:
    raws = records(name)
    assert [raw.position for raw in raws] == [1, 2]
    assert [ADAPTER.map(raw, context()) for raw in raws] == [
        [observation("garage-12", AT, vacant=212, capacity=480)],
        [observation("garage-12", AT + timedelta(minutes=1), vacant=210, capacity=480)],
    ]


def test_relative_times_use_the_arrival_of_the_message() -> None:
    """A live message is dated from its own arrival, not from when the consumer started."""
    arrival = NOW + timedelta(hours=1)
    live = RawRecord("garages", "stadspuls/parking/garages/x", None, arrival,
                     [{"bn": "garage-9/", "n": "vacant", "v": 3, "t": -30}])
    (record,) = ADAPTER.map(live, context())
    assert record.values["observed_at"] == arrival - timedelta(seconds=30)


def test_resolution_follows_rfc_8428() -> None:
    pack = [
        {"bn": "a/", "bt": 1795167900, "bu": "count", "bv": 10, "n": "x", "v": 1},
        {"n": "y", "t": 60, "u": "%", "vs": "open"},
        {"bn": "b/", "bt": 100, "n": "z", "v": 2},
    ]
    assert [(r.name, r.time, r.unit, r.value) for r in resolve(pack, NOW)] == [
        ("a/x", AT, "count", 11),
        ("a/y", AT + timedelta(minutes=1), "%", "open"),
        ("b/z", NOW + timedelta(seconds=100), "count", 12),
    ]


@pytest.mark.parametrize(("pack", "fragment"), [
    ({"bn": "garage-12/", "n": "vacant", "v": 3}, "a SenML pack is a JSON array of records"),
    ([{"n": "garage-12/vacant", "v": "3"}], "record 1: 'v' is not a number"),
    ([{"n": "garage-12/vacant", "t": True, "v": 3}], "record 1: 't' is not a number"),
    (["vacant"], "record 1 is not a JSON object"),
    ([{"v": 3}], "record 1 has no name (n or bn)"),
    ([{"n": "vacant", "v": 3}], "names no site"),
    ([{"n": "g/vacant", "v": 3}, {"n": "g/vacant", "v": 4}], "record 2 repeats vacant of g"),
    ([{"n": "g/vacant", "s": 30}], "record 1 ('g/vacant'): has no value"),
    ([{"n": "g/vacant", "v": 3, "t": 1e20}], "record 1: time 1e+20 is out of range"),
])
def test_malformed_packs(pack: Any, fragment: str) -> None:
    with pytest.raises(RecordRejected) as caught:
        map_senml(pack, NOW)
    assert any(fragment in problem.message for problem in caught.value.problems)


def test_the_site_option_names_the_site_of_bare_term_names() -> None:
    (record,) = map_senml([{"n": "vacant", "v": 3}], NOW, default_site="garage-1")
    assert record.values == {"site": "garage-1", "observed_at": NOW, "vacant": 3}


def test_sniff() -> None:
    assert ADAPTER.sniff((MESSAGES / "senml-garage.json").read_bytes(), "pack.json")
    assert ADAPTER.sniff(b"", "counts.senml")
    assert not ADAPTER.sniff((MESSAGES / "ttn-uplink.json").read_bytes(), "up.json")


@pytest.mark.parametrize("name", [name for name, _ in VALID])
def test_mapped_packs_pass_the_handbook_validator(parking: Pilot, name: str) -> None:
    ctx = context()
    for record in mapped(name, ctx):
        site = {"capacity": record.values.get("capacity", 500)}
        assert parking.validator.validate(record, ctx, site) == []


def test_observations_without_capacity_take_the_sites(parking: Pilot) -> None:
    ctx = context()
    (record,) = map_senml([{"n": "garage-9/vacant", "v": 30}], NOW)
    assert parking.validator.validate(record, ctx, {"capacity": 120}) == []
    assert record.values["occupancy"] == 75.0
    assert record.derived == {"capacity", "occupied", "occupancy", "status"}
