"""Canonical CSV and GeoJSON: files that already speak the handbook's term names."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from core.errors import UnreadableInput
from core.ingest.canonical import CanonicalCsvAdapter, CanonicalGeoJsonAdapter
from core.ingest.envelope import Canonical, RawRecord, ReadContext, RecordRejected
from core.pilot import Pilot
from tests.conftest import FIXTURES

CONTEXT = ReadContext("lab", "upload", datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
Adapter = CanonicalCsvAdapter | CanonicalGeoJsonAdapter


@pytest.fixture(scope="module")
def csv_adapter(parking: Pilot) -> CanonicalCsvAdapter:
    return CanonicalCsvAdapter(parking.handbook)


@pytest.fixture(scope="module")
def geojson_adapter(parking: Pilot) -> CanonicalGeoJsonAdapter:
    return CanonicalGeoJsonAdapter(parking.handbook)


def read(adapter: Adapter, data: bytes) -> list[RawRecord]:
    return list(adapter.read(io.BytesIO(data), CONTEXT))


def mapped(adapter: Adapter, data: bytes) -> list[list[tuple[str, dict[str, Any]]]]:
    """Per raw record, its canonical records as (entity, values)."""
    return [[(r.entity, r.values) for r in adapter.map(raw, CONTEXT)]
            for raw in read(adapter, data)]


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def feature_collection(*features: Any, **members: Any) -> bytes:
    return json.dumps({"type": "FeatureCollection", **members,
                       "features": list(features)}).encode()


@pytest.mark.parametrize(
    "data",
    [b"id;name;capacity;lon;lat\nP-1;Zuid;550;3,7302;51,047\n",
     b"id,name,capacity,lon,lat\nP-1,Zuid,550,3.7302,51.047\n",
     b"id\tname\tcapacity\tlon\tlat\nP-1\tZuid\t550\t3.7302\t51.047\n",
     b"\xef\xbb\xbfid,name,capacity,lon,lat\r\nP-1,Zuid,550,3.7302,51.047\r\n"],
    ids=["semicolon-decimal-comma", "comma", "tab", "bom-crlf"],
)
def test_csv_separators_and_decimal_commas(csv_adapter: CanonicalCsvAdapter,
                                           data: bytes) -> None:
    assert mapped(csv_adapter, data) == [[("site", {
        "id": "P-1", "name": "Zuid", "capacity": "550", "geometry": point(3.7302, 51.047)})]]


def test_csv_rows_know_their_line_and_skip_blank_rows(csv_adapter: CanonicalCsvAdapter) -> None:
    raws = read(csv_adapter, b"id,lon,lat\nA,4.4,51.2\n\n,,\nB,4.5,51.1\n")
    assert [(raw.position, raw.content["id"]) for raw in raws] == [(2, "A"), (5, "B")]
    assert all((raw.source, raw.origin) == ("lab", "upload") for raw in raws)


@pytest.mark.parametrize(
    ("columns", "expected"),
    [("lon,lat\n4.4,51.2", point(4.4, 51.2)),
     ("longitude,latitude\n4.4,51.2", point(4.4, 51.2)),
     ("lng,lat\n4.4,51.2", point(4.4, 51.2)),
     ("x,y\n104000,194000", point(104000.0, 194000.0)),  # reprojected later, by the validator
     ('geometry\n"POINT (4.4 51.2)"', "POINT (4.4 51.2)"),
     ('geometry,lon,lat\n"POINT (4.4 51.2)",5,50', "POINT (4.4 51.2)")],  # explicit wins
)
def test_csv_geometry_from_lon_lat_x_y_or_wkt(csv_adapter: CanonicalCsvAdapter, columns: str,
                                              expected: Any) -> None:
    header, row = columns.split("\n")
    records = mapped(csv_adapter, f"id,{header}\nP-1,{row}\n".encode())
    assert records == [[("site", {"id": "P-1", "geometry": expected})]]


def test_a_row_can_be_a_site_and_an_observation_of_it(csv_adapter: CanonicalCsvAdapter) -> None:
    raws = read(csv_adapter, (FIXTURES / "parking" / "sites-and-observations.csv").read_bytes())
    site, observation = csv_adapter.map(raws[0], CONTEXT)
    assert (site.entity, site.values) == ("site", {
        "id": "P-A", "name": "Parking A", "capacity": "100", "geometry": point(4.40, 51.22)})
    assert (observation.entity, observation.values) == ("observation", {
        "site": "P-A", "observed_at": "2026-11-20T09:00:00Z", "capacity": "100", "vacant": "25",
        "occupancy": "75"})
    # without coordinates P-C is no site, so nothing names the observation's site either
    with pytest.raises(RecordRejected) as caught:
        csv_adapter.map(raws[2], CONTEXT)
    assert caught.value.problems[0].message == (
        "the record is no complete handbook entity: as a site it lacks geometry")


def test_an_entity_prefixed_column_belongs_to_that_entity_only(
    csv_adapter: CanonicalCsvAdapter,
) -> None:
    data = (b"id,capacity,lon,lat,observed_at,vacant,observation.capacity\n"
            b"P-1,550,4.4,51.2,2026-11-20T09:00:00Z,3,500\n")
    [[site, observation]] = mapped(csv_adapter, data)
    assert site[1]["capacity"] == "550"
    assert observation[1]["capacity"] == "500"
    assert observation[1]["site"] == "P-1"


def test_an_explicit_site_column_is_not_overwritten_by_the_row_id(
    csv_adapter: CanonicalCsvAdapter,
) -> None:
    data = b"id,lon,lat,site,observed_at,vacant\nP-1,4.4,51.2,P-2,2026-11-20T09:00:00Z,3\n"
    [[_site, observation]] = mapped(csv_adapter, data)
    assert observation[1]["site"] == "P-2"


@pytest.mark.parametrize(
    ("data", "message", "found"),
    [(b"name,capacity\nZuid,550\n",
      "the record is no complete handbook entity: as a site it lacks id, geometry",
      ["capacity", "name"]),
     (b"site,vacant\nP-1,10\n",
      "the record is no complete handbook entity: as a observation it lacks observed_at",
      ["site", "vacant"]),
     (b"id,lat\nP-1,51.2\n",
      "the record is no complete handbook entity: as a site it lacks geometry", ["id", "lat"])],
)
def test_a_row_that_is_no_complete_entity_is_rejected(
    csv_adapter: CanonicalCsvAdapter, data: bytes, message: str, found: list[str]
) -> None:
    [raw] = read(csv_adapter, data)
    with pytest.raises(RecordRejected) as caught:
        csv_adapter.map(raw, CONTEXT)
    [problem] = caught.value.problems
    assert (problem.rule, problem.message, problem.found, problem.expected) == (
        "core.required", message, found, "the required terms of an entity")


def test_non_numeric_coordinates_are_a_datatype_problem(csv_adapter: CanonicalCsvAdapter) -> None:
    [raw] = read(csv_adapter, b"id,lon,lat\nP-1,oost,51.2\n")
    with pytest.raises(RecordRejected) as caught:
        csv_adapter.map(raw, CONTEXT)
    assert [(p.rule, p.term, p.found) for p in caught.value.problems] == [
        ("core.datatype", "geometry", "oost, 51.2")]


@pytest.mark.parametrize(
    ("adapter_name", "data", "message"),
    [("csv_adapter", b"", "upload: the file is empty"),
     ("csv_adapter", b" \n \n", "upload: the file is empty"),
     ("csv_adapter", b"\n\nid,lon,lat\nP-1,4.4,51.2\n", "upload: the CSV file has no header row"),
     ("csv_adapter", "id;name\nP-1;Caf\xe9\n".encode("latin-1"),
      "upload: the file is not UTF-8 (byte 15); save it as UTF-8"),
     ("geojson_adapter", b"", "upload: the file is empty"),
     ("geojson_adapter", b"[]", "upload: not a GeoJSON FeatureCollection"),
     ("geojson_adapter", b'{"type": "Point", "coordinates": [4.4, 51.2]}',
      "upload: not a GeoJSON FeatureCollection"),
     ("geojson_adapter", b'{"type": "FeatureCollection", "features": {}}',
      "upload: 'features' is not a list"),
     ("geojson_adapter", b'{"type": "FeatureCollection", "features": [',
      "upload: invalid JSON at line 1, column 44: Expecting value (the file looks truncated)"),
     ("geojson_adapter", b'\xff{"type": "FeatureCollection"}',
      "upload: the file is not UTF-8 (byte 0); save it as UTF-8")],
)
def test_unreadable_input_is_one_clear_sentence(
    request: pytest.FixtureRequest, adapter_name: str, data: bytes, message: str
) -> None:
    adapter = request.getfixturevalue(adapter_name)
    with pytest.raises(UnreadableInput) as caught:
        read(adapter, data)
    assert str(caught.value) == message


def test_geojson_features_become_sites(geojson_adapter: CanonicalGeoJsonAdapter) -> None:
    data = (FIXTURES / "parking" / "sites.geojson").read_bytes()
    raws = read(geojson_adapter, data)
    assert [raw.position for raw in raws] == [1, 2]
    [site] = geojson_adapter.map(raws[0], CONTEXT)
    assert (site.entity, site.crs) == ("site", None)
    assert site.values == {"id": "G-1", "name": "Parking Ladeuze", "type": "undergroundCarPark",
                           "capacity": 750, "geometry": point(4.7005, 50.8798), "city": "Leuven"}
    with pytest.raises(RecordRejected) as caught:  # the second feature has no id
        geojson_adapter.map(raws[1], CONTEXT)
    assert caught.value.problems[0].message.endswith("as a site it lacks id")


@pytest.mark.parametrize(
    ("members", "crs"),
    [({"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}}},
      "urn:ogc:def:crs:EPSG::31370"),
     ({"crs": {"type": "name", "properties": {"name": "EPSG:3812"}}}, "EPSG:3812"),
     ({"crs": {"type": "name", "properties": {}}}, None),
     ({"crs": "EPSG:31370"}, None),  # not the 2008 form: ignored
     ({}, None)],
)
def test_the_legacy_crs_member_sets_the_record_crs(
    geojson_adapter: CanonicalGeoJsonAdapter, members: dict[str, Any], crs: str | None
) -> None:
    feature = {"type": "Feature", "geometry": point(173500.0, 174500.0),
               "properties": {"id": "LV-1", "capacity": 300}}
    [[record]] = [geojson_adapter.map(raw, CONTEXT)
                  for raw in read(geojson_adapter, feature_collection(feature, **members))]
    assert isinstance(record, Canonical)
    assert (record.crs, record.values["geometry"]) == (crs, point(173500.0, 174500.0))


@pytest.mark.parametrize(
    ("feature", "values"),
    [({"type": "Feature", "id": "F-1", "geometry": point(4.4, 51.2), "properties": {}},
      {"id": "F-1", "geometry": point(4.4, 51.2)}),
     ({"type": "Feature", "id": "F-1", "geometry": point(4.4, 51.2),
       "properties": {"id": "P-1"}}, {"id": "P-1", "geometry": point(4.4, 51.2)}),
     ({"type": "Feature", "geometry": None, "properties": {"id": "P-1", "lon": 4.4, "lat": 51.2}},
      {"id": "P-1", "geometry": point(4.4, 51.2)})],
    ids=["feature-id", "property-id-wins", "null-geometry-lon-lat"],
)
def test_geojson_ids_and_geometry(geojson_adapter: CanonicalGeoJsonAdapter,
                                  feature: dict[str, Any], values: dict[str, Any]) -> None:
    assert mapped(geojson_adapter, feature_collection(feature)) == [[("site", values)]]


def test_a_single_feature_document_is_one_record(
    geojson_adapter: CanonicalGeoJsonAdapter,
) -> None:
    feature = {"type": "Feature", "id": "F-1", "geometry": point(4.4, 51.2), "properties": None}
    assert mapped(geojson_adapter, json.dumps(feature).encode()) == [
        [("site", {"id": "F-1", "geometry": point(4.4, 51.2)})]]


@pytest.mark.parametrize("item", [{"type": "Foo"}, 3, "Feature", None, ["feature"]])
def test_an_item_that_is_no_feature_is_rejected(geojson_adapter: CanonicalGeoJsonAdapter,
                                                item: Any) -> None:
    for members in ({}, {"crs": {"type": "name", "properties": {"name": "EPSG:31370"}}}):
        [raw] = read(geojson_adapter, feature_collection(item, **members))
        with pytest.raises(RecordRejected) as caught:
            geojson_adapter.map(raw, CONTEXT)
        assert [(p.rule, p.message) for p in caught.value.problems] == [
            ("core.datatype", "the item is not a GeoJSON Feature")]
