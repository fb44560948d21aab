"""The distributions of a dataset: the OGC API collection, its item formats and bulk downloads.

Every distribution has an ``accessURL`` (mandatory in DCAT-AP). The API's representations are
served by the data service (``accessService``); the bulk downloads (FlatGeobuf, GeoParquet at
``/collections/{id}/download?f=...``) are files and carry a ``downloadURL`` as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.dcat.vocabulary import file_type_uri, licence_uri, media_type_uri
from api.links import segment


@dataclass(frozen=True)
class Representation:
    """One way a collection can be fetched."""

    key: str
    title_nl: str
    title_en: str
    path: str  # under /collections/{id}
    f: str | None  # the f= of the URL, if any
    media_type: str
    file_type: str | None  # code of the EU file-type table, where it has one
    download: bool = False


REPRESENTATIONS = (
    Representation(
        "collection",
        "OGC API - Features-collectie",
        "OGC API - Features collection",
        "",
        None,
        "application/json",
        "JSON",
    ),
    Representation(
        "geojson", "Objecten als GeoJSON", "Features as GeoJSON", "/items", "geojson",
        "application/geo+json", "GEOJSON",
    ),
    Representation(
        "csv", "Objecten als CSV", "Features as CSV", "/items", "csv", "text/csv", "CSV"
    ),
    Representation(
        "jsonld", "Objecten als JSON-LD", "Features as JSON-LD", "/items", "jsonld",
        "application/ld+json", "JSON_LD",
    ),
    Representation(
        "flatgeobuf", "Volledige download (FlatGeobuf)", "Bulk download (FlatGeobuf)",
        "/download", "flatgeobuf", "application/flatgeobuf", None, download=True,
    ),
    Representation(
        "geoparquet", "Volledige download (GeoParquet)", "Bulk download (GeoParquet)",
        "/download", "geoparquet", "application/vnd.apache.parquet", "PARQUET", download=True,
    ),
)


def distribution_uri(catalog: str, collection_id: str, key: str) -> str:
    return f"{catalog}#distribution-{segment(collection_id)}-{key}"


def distributions(
    base: str, catalog: str, service: str, collection_id: str, licence: str
) -> list[dict[str, Any]]:
    """The distribution nodes of one collection's dataset."""
    nodes = []
    for kind in REPRESENTATIONS:
        url = f"{base}/collections/{segment(collection_id)}{kind.path}"
        if kind.f is not None:
            url = f"{url}?f={kind.f}"
        uri = distribution_uri(catalog, collection_id, kind.key)
        node: dict[str, Any] = {
            "@id": uri,
            "@type": "dcat:Distribution",
            "identifier": uri,
            "title": {"nl": kind.title_nl, "en": kind.title_en},
            "accessURL": url,
            "mediaType": {"@id": media_type_uri(kind.media_type), "@type": "dct:MediaType"},
            "license": {"@id": licence_uri(licence), "@type": "dct:LicenseDocument"},
        }
        if kind.file_type is not None:
            node["format"] = {
                "@id": file_type_uri(kind.file_type),
                "@type": "dct:MediaTypeOrExtent",
            }
        if kind.download:
            node["downloadURL"] = url
        else:
            node["accessService"] = service
        nodes.append(node)
    return nodes
