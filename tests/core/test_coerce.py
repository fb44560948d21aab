"""Datatype coercion: what counts as an integer, number, yes/no, time or geometry, and why not."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from shapely.geometry import Point, Polygon

from core.coerce import (
    CoercionError,
    is_absent,
    to_boolean,
    to_datetime,
    to_geometry,
    to_integer,
    to_number,
)

LAMBERT72_POINT = {"type": "Point", "coordinates": [104000.0, 194000.0]}
LAMBERT72_LONLAT = (3.7127, 51.0543)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), (" 12 ", 12), (12, 12), (12.0, 12), ("12.0", 12), ("-3", -3), (0, 0),
     ("1e3", 1000)],
)
def test_integer_accepts_whole_numbers(value: Any, expected: int) -> None:
    result = to_integer(value)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    ("value", "message"),
    [("12.5", "'12.5' is not an integer"), (12.5, "'12.5' is not an integer"),
     ("twaalf", "'twaalf' is not an integer"), ("nan", "'nan' is not an integer"),
     (True, "a boolean is not an integer"), (False, "a boolean is not an integer"),
     (None, "'None' is not an integer"), ([12], "'[12]' is not an integer")],
)
def test_integer_refuses_fractions_booleans_and_text(value: Any, message: str) -> None:
    with pytest.raises(CoercionError) as caught:
        to_integer(value)
    assert (caught.value.rule, str(caught.value), caught.value.expected) == (
        "core.datatype", message, "an integer")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3,5", 3.5), ("3.5", 3.5), (" 2,0 ", 2.0), (3, 3.0), (12.25, 12.25), ("-0,5", -0.5)],
)
def test_number_accepts_decimal_point_and_decimal_comma(value: Any, expected: float) -> None:
    result = to_number(value)
    assert result == expected
    assert type(result) is float


@pytest.mark.parametrize(
    ("value", "message"),
    [(True, "a boolean is not a number"), ("abc", "'abc' is not a number"),
     ("1.234,5", "'1.234,5' is not a number"), (None, "'None' is not a number")],
)
def test_number_refuses_booleans_and_text(value: Any, message: str) -> None:
    with pytest.raises(CoercionError) as caught:
        to_number(value)
    assert (caught.value.rule, str(caught.value), caught.value.expected) == (
        "core.datatype", message, "a number")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("ja", True), ("nee", False), ("JA", True), (" Nee ", False), ("j", True), ("n", False),
     ("true", True), ("False", False), ("yes", True), ("no", False), ("1", True), ("0", False),
     (1, True), (0, False), (True, True), (False, False)],
)
def test_boolean_understands_dutch_and_english(value: Any, expected: bool) -> None:
    assert to_boolean(value) is expected


@pytest.mark.parametrize("value", ["misschien", "2", 2, "", None])
def test_boolean_refuses_other_values(value: Any) -> None:
    with pytest.raises(CoercionError) as caught:
        to_boolean(value)
    assert (caught.value.rule, caught.value.expected) == ("core.datatype", "true or false")
    assert str(caught.value) == f"'{value}' is not a yes/no value"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T10:00:00Z", datetime(2026, 11, 20, 10, 0, tzinfo=UTC)),
        ("2026-11-20T10:00:00z", datetime(2026, 11, 20, 10, 0, tzinfo=UTC)),
        ("2026-11-20T10:00:00+01:00", datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
        ("2026-07-15T10:00:00+02:00", datetime(2026, 7, 15, 8, 0, tzinfo=UTC)),
        ("2026-11-20 10:00:00-05:00", datetime(2026, 11, 20, 15, 0, tzinfo=UTC)),
        (datetime(2026, 11, 20, 10, 0, tzinfo=UTC), datetime(2026, 11, 20, 10, 0, tzinfo=UTC)),
    ],
)
def test_times_with_an_offset_become_aware_utc(value: Any, expected: datetime) -> None:
    result = to_datetime(value, None)
    assert result == expected
    assert result.utcoffset() is not None and result.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("value", ["2026-11-20T10:00:00", "2026-11-20 10:10:00",
                                   datetime(2026, 11, 20, 10, 0)])
def test_a_naive_time_without_declared_zone_is_a_timezone_error(value: Any) -> None:
    with pytest.raises(CoercionError) as caught:
        to_datetime(value, None)
    assert caught.value.rule == "core.timezone"
    assert caught.value.expected == "a time with an offset"
    assert "has no time zone" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-15T10:00:00", datetime(2026, 1, 15, 9, 0, tzinfo=UTC)),  # winter, +01:00
        ("2026-07-15T10:00:00", datetime(2026, 7, 15, 8, 0, tzinfo=UTC)),  # summer, +02:00
        ("2026-03-29T01:30:00", datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),  # before the switch
        ("2026-03-29T03:30:00", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # after the switch
        # an explicit offset wins over the declared zone
        ("2026-07-15T10:00:00+00:00", datetime(2026, 7, 15, 10, 0, tzinfo=UTC)),
    ],
)
def test_a_naive_time_uses_the_declared_zone_with_daylight_saving(
    value: str, expected: datetime
) -> None:
    assert to_datetime(value, "Europe/Brussels") == expected


def test_an_unknown_declared_zone_is_a_timezone_error() -> None:
    with pytest.raises(CoercionError) as caught:
        to_datetime("2026-07-15T10:00:00", "Europe/Gent")
    assert (caught.value.rule, str(caught.value), caught.value.expected) == (
        "core.timezone", "unknown time zone 'Europe/Gent'", "an IANA time zone")


@pytest.mark.parametrize("value", ["gisteren", "20/11/2026 10:00", "", 1763629200])
def test_a_non_iso_time_is_a_datatype_error(value: Any) -> None:
    with pytest.raises(CoercionError) as caught:
        to_datetime(value, "Europe/Brussels")
    assert (caught.value.rule, caught.value.expected) == ("core.datatype",
                                                         "an ISO 8601 date-time")


@pytest.mark.parametrize(
    "value",
    [{"type": "Point", "coordinates": [4.4, 51.2]}, '{"type": "Point", "coordinates": [4.4, 51.2]}',
     "POINT (4.4 51.2)", " POINT(4.4 51.2) ", Point(4.4, 51.2)],
)
def test_geometry_from_geojson_wkt_or_shapely(value: Any) -> None:
    geometry = to_geometry(value, None)
    assert geometry.geom_type == "Point"
    assert (geometry.x, geometry.y) == (4.4, 51.2)


def test_polygon_wkt_keeps_its_shape() -> None:
    wkt = "POLYGON((4.40 51.20, 4.41 51.20, 4.41 51.21, 4.40 51.21, 4.40 51.20))"
    geometry = to_geometry(wkt, "EPSG:4326")
    assert isinstance(geometry, Polygon)
    assert geometry.bounds == pytest.approx((4.40, 51.20, 4.41, 51.21))


@pytest.mark.parametrize("value", [LAMBERT72_POINT, "POINT (104000 194000)",
                                   Point(104000, 194000)])
def test_projected_coordinates_without_a_crs_are_flagged_as_missing_crs(value: Any) -> None:
    with pytest.raises(CoercionError) as caught:
        to_geometry(value, None)
    assert caught.value.rule == "core.crs-missing"
    assert "(104000.0, 194000.0)" in str(caught.value)
    assert "EPSG:31370" in str(caught.value)


@pytest.mark.parametrize("crs", ["EPSG:31370", "31370", "epsg:31370", "Lambert72",
                                 "urn:ogc:def:crs:EPSG::31370",
                                 "http://www.opengis.net/def/crs/EPSG/0/31370"])
def test_lambert72_is_reprojected_to_lon_lat(crs: str) -> None:
    geometry = to_geometry(LAMBERT72_POINT, crs)
    assert (geometry.x, geometry.y) == pytest.approx(LAMBERT72_LONLAT, abs=1e-4)


def test_lambert2008_is_reprojected_to_lon_lat() -> None:
    geometry = to_geometry("POINT (604500 693800)", "EPSG:3812")
    assert (geometry.x, geometry.y) == pytest.approx((3.71987, 51.05262), abs=1e-4)


@pytest.mark.parametrize("crs", ["EPSG:4326", "OGC:CRS84", "CRS84"])
def test_lon_lat_crs_leaves_coordinates_alone(crs: str) -> None:
    geometry = to_geometry("POINT (4.4 51.2)", crs)
    assert (geometry.x, geometry.y) == (4.4, 51.2)


@pytest.mark.parametrize("crs", ["EPSG:28992", "Amersfoort", "EPSG:"])
def test_an_unsupported_crs_is_a_crs_error(crs: str) -> None:
    with pytest.raises(CoercionError) as caught:
        to_geometry(LAMBERT72_POINT, crs)
    assert (caught.value.rule, caught.value.expected) == ("core.crs", "a supported CRS")
    assert f"unsupported CRS '{crs}'" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "rule", "expected"),
    [("POINT EMPTY", "core.datatype", "a non-empty geometry"),
     ("not a geometry", "core.datatype", "a GeoJSON geometry, WKT, or longitude/latitude"),
     ({"type": "Point"}, "core.datatype", "a GeoJSON geometry, WKT, or longitude/latitude"),
     ({"type": "Nope"}, "core.datatype", "a GeoJSON geometry, WKT, or longitude/latitude"),
     ('{"type": "Point", "coord', "core.datatype",
      "a GeoJSON geometry, WKT, or longitude/latitude"),
     (12, "core.datatype", "a GeoJSON geometry, WKT, or longitude/latitude")],
)
def test_unreadable_or_empty_geometry_is_a_datatype_error(
    value: Any, rule: str, expected: str
) -> None:
    with pytest.raises(CoercionError) as caught:
        to_geometry(value, None)
    assert (caught.value.rule, caught.value.expected) == (rule, expected)


@pytest.mark.parametrize(("value", "absent"), [(None, True), ("", True), ("  ", True),
                                                (0, False), ("0", False), (False, False)])
def test_absent_means_none_or_blank_text(value: Any, absent: bool) -> None:
    assert is_absent(value) is absent
