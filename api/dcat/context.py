"""The JSON-LD ``@context`` of the catalogue: short, readable keys for the DCAT-AP terms.

Texts are language maps (``{"nl": ..., "en": ...}``), so every title, description, keyword and
name is an ``rdf:langString`` as DCAT-AP Vlaanderen requires; references are ``@id`` values.
The context is embedded in the document, so a JSON-LD processor needs no network to read it.
"""

from __future__ import annotations

from typing import Any

from api.dcat.vocabulary import DCAT, DCT, FOAF, GSP, LOCN, RDFS, SKOS, VCARD, XSD


def _ref(term: str) -> dict[str, str]:
    return {"@id": term, "@type": "@id"}


def _texts(term: str) -> dict[str, str]:
    return {"@id": term, "@container": "@language"}


def _typed(term: str, datatype: str) -> dict[str, str]:
    return {"@id": term, "@type": datatype}


CONTEXT: dict[str, Any] = {
    "dcat": DCAT,
    "dct": DCT,
    "foaf": FOAF,
    "vcard": VCARD,
    "skos": SKOS,
    "locn": LOCN,
    "gsp": GSP,
    "xsd": XSD,
    "rdfs": RDFS,
    "title": _texts("dct:title"),
    "description": _texts("dct:description"),
    "keyword": _texts("dcat:keyword"),
    "name": _texts("foaf:name"),
    "prefLabel": _texts("skos:prefLabel"),
    "identifier": "dct:identifier",
    "publisher": _ref("dct:publisher"),
    "publisherType": _ref("dct:type"),
    "contactPoint": _ref("dcat:contactPoint"),
    "fn": "vcard:fn",
    "hasEmail": _ref("vcard:hasEmail"),
    "hasURL": _ref("vcard:hasURL"),
    "homepage": _ref("foaf:homepage"),
    "landingPage": _ref("dcat:landingPage"),
    "license": _ref("dct:license"),
    "language": _ref("dct:language"),
    "themeTaxonomy": _ref("dcat:themeTaxonomy"),
    "theme": _ref("dcat:theme"),
    "inScheme": _ref("skos:inScheme"),
    "subject": _ref("dct:subject"),
    "accessRights": _ref("dct:accessRights"),
    "accrualPeriodicity": _ref("dct:accrualPeriodicity"),
    "conformsTo": _ref("dct:conformsTo"),
    "spatial": _ref("dct:spatial"),
    "bbox": _typed("dcat:bbox", "gsp:wktLiteral"),
    "geometry": _typed("locn:geometry", "gsp:geoJSONLiteral"),
    "temporal": _ref("dct:temporal"),
    "startDate": _typed("dcat:startDate", "xsd:dateTime"),
    "endDate": _typed("dcat:endDate", "xsd:dateTime"),
    "dataset": {"@id": "dcat:dataset", "@type": "@id", "@container": "@set"},
    "service": {"@id": "dcat:service", "@type": "@id", "@container": "@set"},
    "distribution": {"@id": "dcat:distribution", "@type": "@id", "@container": "@set"},
    "accessURL": _ref("dcat:accessURL"),
    "downloadURL": _ref("dcat:downloadURL"),
    "accessService": _ref("dcat:accessService"),
    "mediaType": _ref("dcat:mediaType"),
    "format": _ref("dct:format"),
    "endpointURL": _ref("dcat:endpointURL"),
    "endpointDescription": _ref("dcat:endpointDescription"),
    "servesDataset": {"@id": "dcat:servesDataset", "@type": "@id", "@container": "@set"},
}
