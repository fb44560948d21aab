"""Gent parking JSON parser: the three Opendatasoft shapes, edge records and unreadable files.

The same two garages appear in the v1, v2.1-records and export fixtures, so the mapping is
checked to be shape-independent with one set of expected values.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from pilots.parking.formats.gent_json import (
    GentFormatError,
    GentItem,
    detect_shape,
    iter_gent_json,
    looks_like_gent_json,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parking"
CET = timezone(timedelta(hours=1))
GARAGES = "https://stad.gent/nl/mobiliteit-openbare-werken/parkeren/parkings-gent/"
OPERATOR = "Mobiliteitsbedrijf Gent"
NO_ID = "record has no 'id' field"


def parse(name: str) -> list[GentItem]:
    with (FIXTURES / name).open("rb") as stream:
        return list(iter_gent_json(stream))


def parse_bytes(data: bytes) -> list[GentItem]:
    return list(iter_gent_json(io.BytesIO(data)))


SINT_PIETERS = (
    {
        "id": GARAGES + "parking-sint-pietersplein",
        "name": "Sint-Pietersplein",
        "type": "carPark",
        "capacity": 712,
        "latitude": 51.0428,
        "longitude": 3.7266,
        "operator": OPERATOR,
        "opening_info": "24/7",
        "free_parking": False,
        "description": "Ondergrondse parkeergarage Sint-Pietersplein in Gent",
        "address": "Sint-Pietersplein 65, 9000 Gent",
    },
    {
        "site": GARAGES + "parking-sint-pietersplein",
        "observed_at": datetime(2026, 11, 20, 10, 15, 2, tzinfo=CET),
        "vacant": 288,
        "capacity": 712,
        "occupancy": 60.0,
        "opening_status": "open",
    },
)
KOUTER = (
    {
        "id": GARAGES + "parking-kouter",
        "name": "Kouter",
        "type": "carPark",
        "capacity": 262,
        "latitude": 51.0503,
        "longitude": 3.7236,
        "operator": OPERATOR,
        "opening_info": "24/7",
        "free_parking": False,
        "description": "Ondergrondse parkeergarage Kouter in Gent",
        "address": "Kouter, 9000 Gent",
    },
    {
        "site": GARAGES + "parking-kouter",
        "observed_at": datetime(2026, 11, 20, 10, 14, 58, tzinfo=CET),
        "vacant": 14,
        "capacity": 262,
        "occupancy": 95.0,
        "opening_status": "open",
        "trend": "increasing",
    },
)
GETOUW = (
    {
        "id": GARAGES + "parking-getouw",
        "name": "Getouw",
        "type": "carPark",
        "capacity": 100,
        "latitude": 51.0616,
        "longitude": 3.7318,
        "operator": OPERATOR,
        "opening_info": "ma-za 7u-20u",
        "free_parking": False,
        "url": GARAGES + "parking-getouw",
        "description": "Parkeergarage Getouw",
        "address": "Getouw, 9000 Gent",
    },
    {
        "site": GARAGES + "parking-getouw",
        "observed_at": datetime(2026, 11, 20, 10, 20, 11, tzinfo=CET),
        "vacant": 61,
        "capacity": 100,
        "occupancy": 39.0,
        "opening_status": "open",
    },
)
LEDEBERG = (
    {
        "id": GARAGES + "parking-ledeberg",
        "name": "Ledeberg",
        "type": "carPark",
        "capacity": 129,
        "latitude": 51.0391,
        "longitude": 3.7412,
        "operator": OPERATOR,
        "opening_info": "gesloten",
        "free_parking": False,
        "description": "Parkeergarage Ledeberg",
        "address": "Hundelgemsesteenweg, 9050 Ledeberg",
    },
    {
        "site": GARAGES + "parking-ledeberg",
        "observed_at": datetime(2026, 11, 20, 10, 19, 40, tzinfo=CET),
        "vacant": 0,
        "capacity": 129,
        "occupancy": 0.0,
        "opening_status": "closed",
        "status": "closed",
    },
)
THE_LOOP = (
    {
        "id": GARAGES + "pr-the-loop",
        "name": "The Loop",
        "type": "parkAndRide",
        "capacity": 600,
        "latitude": 51.0254,
        "longitude": 3.6865,
        "free_parking": True,
    },
    {
        "site": GARAGES + "pr-the-loop",
        "observed_at": datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        "vacant": 540,
        "capacity": 600,
        "occupancy": 10.0,
        "opening_status": "unknown",
    },
)


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("gent-v1-records.json", "records-v1"),
        ("gent-v2-records.json", "records-v2"),
        ("gent-export-city-centre.json", "export"),
        ("gent-export.json", "export"),
        ("gent-v1-geometry-only.json", "records-v1"),
        ("gent-wrong-shape.json", None),
    ],
)
def test_detect_shape(name: str, shape: str | None) -> None:
    assert detect_shape(json.loads((FIXTURES / name).read_bytes())) == shape


@pytest.mark.parametrize(
    ("doc", "shape"),
    [
        ([], "export"),
        ({"total_count": 0, "results": []}, "records-v2"),
        ({"nhits": 0, "records": []}, "records-v1"),
        ([1, 2, 3], None),
        ({"total_count": 1, "records": [{"record": {"fields": {}}}]}, None),  # Explore v2.0
        ("text", None),
        (None, None),
    ],
)
def test_detect_shape_edges(doc: Any, shape: str | None) -> None:
    assert detect_shape(doc) == shape


@pytest.mark.parametrize(
    "name",
    ["gent-v1-records.json", "gent-v2-records.json", "gent-export-city-centre.json"],
)
def test_same_garages_map_identically_in_all_three_shapes(name: str) -> None:
    items = parse(name)
    assert [(i.position, i.site, i.observation, i.problems) for i in items] == [
        (1, *SINT_PIETERS, []),
        (2, *KOUTER, []),
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gent-export.json", [GETOUW, LEDEBERG]),
        ("gent-geometry-only.json", [THE_LOOP]),
        ("gent-v1-geometry-only.json", [THE_LOOP]),
    ],
)
def test_fixture_maps_to_expected_values(name: str, expected: list[tuple[Any, Any]]) -> None:
    items = parse(name)
    assert [(i.site, i.observation, i.problems) for i in items] == [(*e, []) for e in expected]


REEP = GARAGES + "parking-reep"
SAVAAN = GARAGES + "parking-savaanstraat"
DOK = GARAGES + "parking-dok-noord"
TOLHUIS = GARAGES + "parking-tolhuis"
LEDE = GARAGES + "parking-ledeberg"


@pytest.mark.parametrize(
    ("name", "site", "observation", "problems"),
    [
        pytest.param(
            "gent-no-id.json",
            {"name": "Vrijdagmarkt", "type": "carPark", "capacity": 625,
             "latitude": 51.0566, "longitude": 3.7258},
            {"observed_at": datetime(2026, 11, 20, 10, 16, 40, tzinfo=CET), "vacant": 120,
             "capacity": 625, "occupancy": 81.0, "opening_status": "open"},
            [NO_ID],
            id="no-id",
        ),
        pytest.param(
            "gent-available-over-capacity.json",
            {"id": REEP, "name": "Reep", "type": "carPark", "capacity": 486,
             "latitude": 51.0537, "longitude": 3.7321},
            {"site": REEP, "observed_at": datetime(2026, 11, 20, 10, 17, 3, tzinfo=CET),
             "vacant": 512, "capacity": 486, "occupancy": 0.0, "opening_status": "open",
             "trend": "decreasing"},
            [],
            id="vacant-over-capacity-still-mapped",
        ),
        pytest.param(
            "gent-naive-lastupdate.json",
            {"id": SAVAAN, "name": "Savaanstraat", "type": "undergroundCarPark", "capacity": 530,
             "latitude": 51.0481, "longitude": 3.7223},
            {"site": SAVAAN, "observed_at": datetime(2026, 11, 20, 10, 18), "vacant": 201,
             "capacity": 530, "occupancy": 62.0, "opening_status": "open"},
            [],
            id="naive-lastupdate",
        ),
        pytest.param(
            "gent-locationanddimension-only.json",
            {"id": DOK, "name": "Dok Noord", "type": "parkAndRide", "capacity": 400,
             "latitude": 51.0662, "longitude": 3.7305, "free_parking": False,
             "address": "Dok-Noord 4, 9000 Gent"},
            {"site": DOK, "observed_at": datetime(2026, 11, 20, 10, 19, 12, tzinfo=CET),
             "vacant": 133, "capacity": 400, "occupancy": 67.0, "opening_status": "closed"},
            [],
            id="locationanddimension-only",
        ),
        pytest.param(
            "gent-nonnumeric-capacity.json",
            {"id": TOLHUIS, "name": "Tolhuis", "type": "other", "capacity": "onbekend",
             "latitude": 51.0611, "longitude": 3.7262},
            {"site": TOLHUIS, "observed_at": "gisteren", "vacant": 150, "capacity": "onbekend",
             "occupancy": "n.v.t.", "opening_status": "open"},
            [],
            id="non-numeric-kept-raw",
        ),
        pytest.param(
            "gent-closed.json",
            {"id": LEDE, "name": "Ledeberg", "type": "carPark", "capacity": 129,
             "latitude": 51.0391, "longitude": 3.7412, "operator": OPERATOR,
             "opening_info": "24/7", "free_parking": False,
             "description": "Parkeergarage Ledeberg"},
            {"site": LEDE, "observed_at": datetime(2026, 11, 20, 10, 19, 40, tzinfo=CET),
             "vacant": 0, "capacity": 129, "occupancy": 0.0, "opening_status": "closed",
             "status": "closed"},
            [],
            id="temporarily-closed-beats-isopennow",
        ),
    ],
)  # fmt: skip
def test_edge_records(
    name: str, site: dict[str, Any], observation: dict[str, Any], problems: list[str]
) -> None:
    (item,) = parse(name)
    assert (item.position, item.site, item.observation, item.problems) == (
        1,
        site,
        observation,
        problems,
    )


def test_naive_time_stays_naive_and_z_means_utc() -> None:
    (naive,) = parse("gent-naive-lastupdate.json")
    (utc,) = parse("gent-geometry-only.json")
    assert naive.observation["observed_at"].tzinfo is None
    assert utc.observation["observed_at"].utcoffset() == timedelta(0)


def test_raw_is_the_record_object_as_found() -> None:
    v1 = parse("gent-v1-records.json")
    v2 = parse("gent-v2-records.json")
    assert v1[0].raw["recordid"] == "5c1f4a"
    assert v1[0].raw["geometry"] == {"type": "Point", "coordinates": [3.7266, 51.0428]}
    assert v2[1].raw == json.loads((FIXTURES / "gent-v2-records.json").read_bytes())["results"][1]


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        (b'[7, {"id": "x"}]', [["record is a number, not a JSON object"], []]),
        (
            b'[{"id": "x", "locationanddimension": "{broken"}]',
            [["'locationanddimension' is not a JSON object, so it was ignored"]],
        ),
        (
            b'[{"id": "x", "location": {"lat": "?", "lon": null}}]',
            [["no usable coordinates in 'location', 'geometry' or 'locationanddimension'"]],
        ),
        (b'[{"id": ""}]', [[NO_ID]]),
        (b'{"nhits": 1, "records": [{"fields": {"id": "a"}}, {"recordid": "b"}]}',
         [[], ["v1 record has no 'fields' object"]]),
    ],
)  # fmt: skip
def test_mapping_problems(data: bytes, problems: list[list[str]]) -> None:
    assert [item.problems for item in parse_bytes(data)] == problems


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("gent-empty.json", r"^The file is empty; expected Gent parking JSON"),
        ("gent-truncated.json", r"^The JSON ends inside a string opened at line 7, column 27; "),
        ("gent-wrong-shape.json", r"^The JSON is an object with keys 'type', 'features', which"),
    ],
)
def test_unreadable_files(name: str, message: str) -> None:
    with (FIXTURES / name).open("rb") as stream, pytest.raises(GentFormatError, match=message):
        iter_gent_json(stream)  # raised at call time, before any record is yielded


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"  \n\t", r"^The file is empty"),
        (b'[{"id": 1} {"id": 2}]', r"^The file is not valid JSON at line 1, column 12: Expecting"),
        (b'[{"id": 1', r"^The JSON ends unexpectedly at line 1, column 10; the file looks trunc"),
        (b"\xff\xfe[]", r"^The file is not UTF-8 text"),
        (b'"just text"', r"^The JSON is a string, which is none of"),
        (b"[1, 2]", r"^The JSON is an array without record objects"),
    ],
)
def test_unreadable_bytes(data: bytes, message: str) -> None:
    with pytest.raises(GentFormatError, match=message):
        parse_bytes(data)


def test_bom_and_empty_export_are_fine() -> None:
    assert parse_bytes(b"\xef\xbb\xbf[]") == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gent-v1-records.json", True),
        ("gent-v2-records.json", True),
        ("gent-export.json", True),
        ("gent-export-city-centre.json", True),
        ("gent-truncated.json", True),  # a sniff, not a parse
        ("gent-empty.json", False),
    ],
)
def test_looks_like_gent_json_on_first_kb(name: str, expected: bool) -> None:
    assert looks_like_gent_json((FIXTURES / name).read_bytes()[:1024]) is expected


@pytest.mark.parametrize(
    "head",
    [
        b'{"type": "FeatureCollection", "features": []}',
        b'<?xml version="1.0"?><d2LogicalModel totalcapacity="1"/>',
        b'name,totalcapacity,availablecapacity\n"Kouter",262,14\n',
    ],
)
def test_looks_like_gent_json_rejects_other_formats(head: bytes) -> None:
    assert not looks_like_gent_json(head)
