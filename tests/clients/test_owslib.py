"""OWSLib's OGC API - Features client lists the collections and reads their items."""

from __future__ import annotations

from owslib.ogcapi.features import Features

from tests.clients.api_reads import a_bbox_around_the_first_feature, all_features


def test_owslib_lists_every_collection_and_the_conformance(
    live_url: str, collection_ids: list[str]
) -> None:
    api = Features(live_url)
    assert sorted(api.feature_collections()) == sorted(collection_ids)
    conformance = api.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    assert api.api()["openapi"].startswith("3.0")
    for collection_id in collection_ids:
        assert api.collection(collection_id)["id"] == collection_id
        assert api.collection_queryables(collection_id)["type"] == "object"


def test_owslib_reads_items_and_single_features(
    live_url: str, collection_ids: list[str]
) -> None:
    api = Features(live_url)
    for collection_id in collection_ids:
        served = all_features(live_url, collection_id)
        page = api.collection_items(collection_id, limit=len(served))
        assert page["type"] == "FeatureCollection"
        assert [f["id"] for f in page["features"]] == [f["id"] for f in served]
        first = served[0]
        assert api.collection_item(collection_id, first["id"]) | {"links": []} == first | {
            "links": []
        }


def test_owslib_reads_items_within_a_bbox(live_url: str, collection_ids: list[str]) -> None:
    api = Features(live_url)
    for collection_id in collection_ids:
        bbox = a_bbox_around_the_first_feature(all_features(live_url, collection_id))
        page = api.collection_items(collection_id, bbox=list(bbox), limit=1000)
        served = all_features(live_url, collection_id, bbox)
        assert {f["id"] for f in page["features"]} == {f["id"] for f in served}
