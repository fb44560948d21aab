"""JSON-LD contexts: each pilot's terms mapped to the URIs its handbook already declares.

A property named like a handbook term expands to that term's reference, preferring the
Flemish OSLO vocabulary, then DATEX II, SOSA, Smart Data Models and schema.org; any other
property expands under the handbook's own ``base_uri`` (``@vocab``), so nothing published is
left without an IRI. GeoJSON's own members use the GeoJSON-LD vocabulary; the geometry is
kept as a JSON literal and ``properties`` is nested into the feature node.
"""

from __future__ import annotations

from typing import Any

from core.handbook import Handbook, References

GEOJSON_VOCAB = "https://purl.org/geojson/vocab#"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: Which reference wins when a term has several.
PREFERENCE = ("oslo", "datex2", "sosa", "sdm", "schema_org")
_DATATYPES = {"datetime": "xsd:dateTime", "integer": "xsd:integer", "number": "xsd:double",
              "boolean": "xsd:boolean"}


def _reference(references: References) -> str | None:
    for name in PREFERENCE:
        uri = getattr(references, name)
        if uri:
            return str(uri)
    return None


def context(handbook: Handbook, properties: tuple[str, ...]) -> dict[str, Any]:
    """The ``@context`` for features with ``properties`` of ``handbook``'s pilot."""
    terms: dict[str, Any] = {}
    for entity in handbook.entities:
        for term in entity.terms:
            if term.id in terms or term.id in ("id", "geometry"):
                continue
            uri = _reference(term.references) or f"{handbook.base_uri}{term.id}"
            datatype = _DATATYPES.get(term.datatype)
            terms[term.id] = {"@id": uri, "@type": datatype} if datatype else uri
    published = {name: terms[name] for name in properties if name in terms}
    return {
        "@version": 1.1,
        "@vocab": handbook.base_uri,
        "geojson": GEOJSON_VOCAB,
        "xsd": XSD,
        "id": "@id",
        "type": "@type",
        "Feature": "geojson:Feature",
        "FeatureCollection": "geojson:FeatureCollection",
        "features": {"@id": "geojson:features", "@container": "@set"},
        "geometry": {"@id": "geojson:geometry", "@type": "@json"},
        "properties": "@nest",
        "links": {"@id": "geojson:links", "@type": "@json"},
        "numberMatched": {"@id": "geojson:numberMatched", "@type": "xsd:integer"},
        "numberReturned": {"@id": "geojson:numberReturned", "@type": "xsd:integer"},
        "timeStamp": {"@id": "geojson:timeStamp", "@type": "xsd:dateTime"},
        **published,
    }
