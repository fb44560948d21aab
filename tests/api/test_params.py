"""The query parameter parsers on their own (no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.params import BBox, Page, TimeFilter, parse_bbox, parse_datetime, parse_items_query
from core.errors import InvalidParameter
from tests.api.conftest import api_settings

T = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def test_bbox_of_four_or_six_numbers() -> None:
    assert parse_bbox("3.7,51,4.5,51.1") == BBox(3.7, 51, 4.5, 51.1)
    assert parse_bbox(" 3.7, 51 ,0,4.5,51.1,50") == BBox(3.7, 51, 4.5, 51.1)
    assert parse_bbox("4,51,4,51") == BBox(4, 51, 4, 51)  # a point is a valid box


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T09:30:00Z", TimeFilter(T, T)),
        ("2026-11-20t09:30:00z", TimeFilter(T, T)),
        ("2026-11-20T11:30:00+02:00", TimeFilter(T, T)),
        ("2026-11-20T09:30:00.000000001Z", TimeFilter(T, T)),
        ("2026-11-20T09:30:00Z/2026-11-20T09:30:00Z", TimeFilter(T, T)),
        ("2026-11-20T09:30:00Z/..", TimeFilter(T, None)),
        ("2026-11-20T09:30:00Z/", TimeFilter(T, None)),
        ("../2026-11-20T09:30:00Z", TimeFilter(None, T)),
        ("/2026-11-20T09:30:00Z", TimeFilter(None, T)),
    ],
)
def test_datetime_instants_and_intervals(value: str, expected: TimeFilter) -> None:
    parsed = parse_datetime(value)
    assert parsed == expected
    for moment in (parsed.start, parsed.end):
        assert moment is None or moment.tzinfo == UTC


def test_instant_is_an_instant_and_intervals_are_not() -> None:
    assert parse_datetime("2026-11-20T09:30:00Z").is_instant
    assert not parse_datetime("2026-11-20T09:30:00Z/..").is_instant


def test_items_query_defaults_and_values() -> None:
    settings = api_settings()
    assert parse_items_query([], settings).page == Page(limit=10, offset=0)
    query = parse_items_query(
        [("limit", "10000"), ("offset", "30"), ("bbox", "3,50,4,51"),
         ("datetime", "../2026-11-20T09:30:00Z")],
        settings,
    )
    assert query.page == Page(limit=10_000, offset=30)
    assert query.bbox == BBox(3, 50, 4, 51)
    assert query.time == TimeFilter(None, T)


@pytest.mark.parametrize(
    ("pairs", "parameter"),
    [
        ([("limit", "10001")], "limit"),
        ([("offset", "1e3")], "offset"),
        ([("bbox", "1,2,3,4"), ("bbox", "1,2,3,4")], "bbox"),
        ([("colour", "red")], "colour"),
        ([("crs", "EPSG:28992")], "crs"),
        ([("bbox-crs", "http://www.opengis.net/def/crs/EPSG/0/31370")], "bbox-crs"),
        ([("filter", "status = ")], "filter"),
        ([("filter", "true"), ("filter-lang", "ecql")], "filter-lang"),
        ([("filter-crs", "EPSG:3857")], "filter-crs"),
        ([("sortby", "-")], "sortby"),
        ([("sortby", "name,-name")], "sortby"),
        ([("properties", "a,,b")], "properties"),
        ([("skipGeometry", "yes")], "skipGeometry"),
        ([("cursor", "")], "cursor"),
    ],
)
def test_items_query_errors_name_the_parameter(
    pairs: list[tuple[str, str]], parameter: str
) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_items_query(pairs, api_settings())
    assert caught.value.parameter == parameter
