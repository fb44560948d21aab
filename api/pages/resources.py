"""The HTML page of each OGC resource, rendered from the very document its JSON carries.

Why from the JSON document: the page then has the same links (self, alternates, next/prev,
collection, licence, downloads) as the JSON a client reads, and cannot drift from it. Pages
link to each other with ``f=html`` so they stay HTML whatever a client's ``Accept`` says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from api.pages.layout import (
    anchor,
    definition_table,
    figure,
    links_table,
    page,
    row_header,
    table,
    value_html,
)
from api.pages.svg_map import MapFeature, svg_map

#: The URL of an HTML page of the API from its path segments.
PageUrl = Callable[..., str]

Bbox = tuple[float, float, float, float]


def landing_page(document: dict[str, Any], url: PageUrl) -> str:
    title = str(document["title"])
    body = [
        f"<p>{escape(str(document.get('description', '')))}</p>",
        "<ul>",
        f"<li>{anchor(url('collections'), 'The collections of features')}</li>",
        f"<li>{anchor(url('conformance'), 'The conformance classes the API implements')}</li>",
        "</ul>",
        links_table(document["links"]),
    ]
    return page(title, [("Home", None)], body, document["links"])


def conformance_page(document: dict[str, Any], url: PageUrl) -> str:
    items = "".join(
        f"<li>{anchor(uri, uri)}</li>" for uri in document["conformsTo"]
    )
    body = [f"<p>The API implements these conformance classes:</p><ul>{items}</ul>"]
    crumbs = [("Home", url()), ("Conformance", None)]
    return page("Conformance", crumbs, body, document.get("links", []))


def collections_page(document: dict[str, Any], url: PageUrl) -> str:
    rows = []
    for collection in document["collections"]:
        identifier = str(collection["id"])
        rows.append([
            row_header(anchor(url("collections", identifier), str(collection["title"]))),
            escape(str(collection.get("description", ""))),
            anchor(url("collections", identifier, "items"), "Items"),
            _bbox_text(collection),
        ])
    body = [
        table("Collections", ["Collection", "Description", "Features", "Extent (lon/lat)"], rows),
        links_table(document["links"]),
    ]
    crumbs = [("Home", url()), ("Collections", None)]
    return page("Collections", crumbs, body, document["links"])


def collection_page(
    document: dict[str, Any], sample: Sequence[MapFeature], url: PageUrl
) -> str:
    identifier = str(document["id"])
    extent = _bbox(document)
    interval = (document.get("extent", {}).get("temporal") or {}).get("interval", [[None, None]])
    facts = [
        ("id", identifier),
        ("keywords", ", ".join(document.get("keywords", [])) or None),
        ("spatial extent (lon/lat)", None if extent is None else ", ".join(map(str, extent))),
        ("temporal extent", " / ".join(str(t or "..") for t in interval[0])),
        ("storage CRS", document.get("storageCrs")),
    ]
    crs_items = "".join(f"<li><code>{escape(str(uri))}</code></li>" for uri in document["crs"])
    svg = svg_map(sample, extent, label=f"Map of {document['title']}")
    caption = "The collection's extent (dashed)"
    if sample:
        caption += f" and its first {len(sample)} features"
    body = [
        f"<p>{escape(str(document.get('description', '')))}</p>",
        f"<p>{anchor(url('collections', identifier, 'items'), 'Browse the features')} · "
        f"{anchor(url('collections', identifier, 'queryables'), 'Queryable properties')}</p>",
        figure(svg, caption),
        definition_table("About this collection", facts),
        f"<h2>Coordinate reference systems</h2><ul>{crs_items}</ul>",
        links_table(document["links"]),
    ]
    crumbs = [("Home", url()), ("Collections", url("collections")), (document["title"], None)]
    return page(str(document["title"]), crumbs, body, document["links"])


def queryables_page(
    schema: dict[str, Any], collection_id: str, collection_title: str, url: PageUrl
) -> str:
    rows = [
        [
            row_header(f"<code>{escape(name)}</code>"),
            escape(str(spec.get("type", "geometry"))),
            escape(str(spec.get("format", ""))),
            escape(str(spec.get("description", ""))),
        ]
        for name, spec in schema["properties"].items()
    ]
    body = [
        "<p>Properties that <code>filter</code> (CQL2), <code>sortby</code> and equality "
        "parameters may use.</p>",
        table("Queryables", ["Name", "Type", "Format", "Description"], rows),
    ]
    crumbs = [
        ("Home", url()),
        ("Collections", url("collections")),
        (collection_title, url("collections", collection_id)),
        ("Queryables", None),
    ]
    links = [{"rel": "self", "href": schema["$id"], "type": "application/schema+json"}]
    return page(f"Queryables of {collection_title}", crumbs, body, links)


def items_page(
    document: dict[str, Any], collection: dict[str, Any], extent: Bbox | None, url: PageUrl
) -> str:
    identifier, title = str(collection["id"]), str(collection["title"])
    features = document["features"]
    names = list(features[0]["properties"]) if features else []
    rows = [
        [
            row_header(anchor(url("collections", identifier, "items", str(f["id"])),
                              str(f["id"]))),
            *(value_html(f["properties"].get(name)) for name in names),
        ]
        for f in features
    ]
    mapped = [
        MapFeature(str(f["id"]), f["geometry"], url("collections", identifier, "items",
                                                     str(f["id"])))
        for f in features
    ]
    count = f"{document['numberReturned']} features on this page"
    if "numberMatched" in document:
        count += f" of {document['numberMatched']}"
    body = [
        f"<p>{escape(count)}.</p>",
        _paging(document["links"]),
        figure(svg_map(mapped, extent, label=f"Map of the features of {title} on this page"),
               "The features on this page; the collection's extent dashed"),
        table("Features", ["id", *names], rows),
        _paging(document["links"]),
        links_table(document["links"]),
    ]
    crumbs = [
        ("Home", url()),
        ("Collections", url("collections")),
        (title, url("collections", identifier)),
        ("Items", None),
    ]
    return page(f"{title}: features", crumbs, body, document["links"])


def item_page(feature: dict[str, Any], collection: dict[str, Any], url: PageUrl) -> str:
    identifier, title = str(collection["id"]), str(collection["title"])
    feature_id = str(feature["id"])
    svg = svg_map([MapFeature(feature_id, feature["geometry"])], label=f"Map of {feature_id}")
    body = [
        figure(svg, f"Where {feature_id} is"),
        definition_table("Properties", list(feature["properties"].items())),
        links_table(feature["links"]),
    ]
    crumbs = [
        ("Home", url()),
        ("Collections", url("collections")),
        (title, url("collections", identifier)),
        ("Items", url("collections", identifier, "items")),
        (feature_id, None),
    ]
    return page(feature_id, crumbs, body, feature["links"])


def _paging(links: Sequence[dict[str, Any]]) -> str:
    found = [
        anchor(str(item["href"]), "Previous page" if item["rel"] == "prev" else "Next page")
        for rel in ("prev", "next")
        for item in links
        if item["rel"] == rel
    ]
    if not found:
        return ""
    return f'<nav aria-label="Pages"><p>{" · ".join(found)}</p></nav>'


def _bbox(collection: dict[str, Any]) -> Bbox | None:
    spatial = (collection.get("extent") or {}).get("spatial")
    if not spatial:
        return None
    minx, miny, maxx, maxy = (float(v) for v in spatial["bbox"][0][:4])
    return minx, miny, maxx, maxy


def _bbox_text(collection: dict[str, Any]) -> str:
    extent = _bbox(collection)
    return "unknown" if extent is None else escape(", ".join(f"{v:.4f}" for v in extent))
