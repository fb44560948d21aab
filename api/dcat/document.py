"""The catalogue as a JSON-LD document: the catalog, the API as a data service, a dataset per
collection, and the publisher and contact point they share.

Resources get hash URIs under ``{base}/catalog`` (``#dataset-parking-sites``, ``#api``...), so
each identifier dereferences to this document. The choices where DCAT-AP Vlaanderen is stricter
than DCAT-AP are in the README ("The catalogue").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from api.catalogue import Extent
from api.dcat.context import CONTEXT
from api.dcat.distributions import distributions
from api.dcat.facts import DatasetFacts
from api.dcat.vocabulary import (
    DATA_THEMES,
    FLEMISH_KEYWORDS,
    FLEMISH_OPEN_DATA,
    FLEMISH_OPEN_DATA_SERVICE,
    METADATA_LANGUAGES,
    OGC_API_FEATURES,
    PUBLIC_ACCESS,
    PUBLISHER_TYPES,
    frequency_code,
    frequency_uri,
    language_uri,
    licence_uri,
    theme_uri,
)
from api.features import rfc3339
from api.links import segment
from core.handbook import Handbook
from core.pilot import Collection
from core.settings import ApiSettings, CatalogSettings


def catalog_document(
    base: str, api: ApiSettings, settings: CatalogSettings, datasets: Sequence[DatasetFacts]
) -> dict[str, Any]:
    """The whole catalogue; ``base`` is the API's public base URL (no trailing slash)."""
    uris = _Uris(base, settings)
    catalog = {
        "@id": uris.catalog,
        "@type": "dcat:Catalog",
        "identifier": uris.catalog,
        "title": {"nl": settings.catalog_title_nl, "en": settings.catalog_title_en},
        "description": {
            "nl": settings.catalog_description_nl,
            "en": settings.catalog_description_en,
        },
        "publisher": uris.publisher,
        "homepage": uris.homepage,
        "license": _licence(api.licence),
        "language": [
            {"@id": language_uri(tag), "@type": "dct:LinguisticSystem"}
            for tag in METADATA_LANGUAGES
        ],
        "themeTaxonomy": {
            "@id": DATA_THEMES,
            "@type": "skos:ConceptScheme",
            "title": {"en": "Data theme", "nl": "Datathema"},
        },
        "service": [_service(uris, api, settings, datasets)],
        "dataset": [_dataset(uris, facts) for facts in datasets],
    }
    return {
        "@context": CONTEXT,
        "@graph": [catalog, _publisher(uris, settings), _contact(uris, settings)],
    }


class _Uris:
    """The URIs of the catalogue's own resources."""

    def __init__(self, base: str, settings: CatalogSettings) -> None:
        self.base = base
        self.catalog = f"{base}/catalog"
        self.service = f"{self.catalog}#api"
        self.contact = f"{self.catalog}#contact"
        self.publisher = settings.catalog_publisher_uri or f"{self.catalog}#publisher"
        self.homepage = settings.catalog_homepage or f"{base}/"

    def dataset(self, collection_id: str) -> str:
        return f"{self.catalog}#dataset-{segment(collection_id)}"


def _dataset(uris: _Uris, facts: DatasetFacts) -> dict[str, Any]:
    collection = facts.collection
    uri = uris.dataset(collection.id)
    node: dict[str, Any] = {
        "@id": uri,
        "@type": "dcat:Dataset",
        "identifier": uri,
        "title": _texts(collection, "title"),
        "description": _texts(collection, "description"),
        "keyword": _keywords(collection),
        "theme": [
            {"@id": theme_uri(code), "@type": "skos:Concept", "inScheme": DATA_THEMES}
            for code in collection.themes
        ],
        "subject": _statuut(FLEMISH_OPEN_DATA, "Vlaamse Open data"),
        "publisher": uris.publisher,
        "contactPoint": uris.contact,
        "accessRights": _public(),
        "accrualPeriodicity": {
            "@id": frequency_uri(
                frequency_code(collection.update_frequency, collection.update_interval)
            ),
            "@type": "dct:Frequency",
        },
        "license": _licence(facts.licence),
        "landingPage": f"{uris.base}/collections/{segment(collection.id)}",
        "conformsTo": _handbook(facts.handbook),
        "distribution": distributions(
            uris.base, uris.catalog, uris.service, collection.id, facts.licence
        ),
    }
    node.update(_coverage(facts.extent))
    return node


def _service(
    uris: _Uris, api: ApiSettings, settings: CatalogSettings, datasets: Sequence[DatasetFacts]
) -> dict[str, Any]:
    return {
        "@id": uris.service,
        "@type": "dcat:DataService",
        "identifier": uris.service,
        "title": {
            "nl": f"{settings.catalog_title_nl} (OGC API - Features)",
            "en": f"{api.title} (OGC API - Features)",
        },
        "description": {
            "nl": "De OGC API - Features van alle gepubliceerde collecties, met filters "
            "(CQL2), coördinaatreferentiesystemen en formaten.",
            "en": "The OGC API - Features of every published collection, with filtering "
            "(CQL2), coordinate reference systems and formats.",
        },
        "keyword": {language: ["OGC API - Features", "open data"] for language in ("nl", "en")},
        "endpointURL": f"{uris.base}/",
        "endpointDescription": f"{uris.base}/openapi.json",
        "conformsTo": {"@id": OGC_API_FEATURES, "@type": "dct:Standard"},
        "servesDataset": [uris.dataset(facts.collection.id) for facts in datasets],
        "subject": _statuut(FLEMISH_OPEN_DATA_SERVICE, "Vlaamse Open data Service"),
        "publisher": uris.publisher,
        "contactPoint": uris.contact,
        "accessRights": _public(),
        "license": _licence(api.licence),
    }


def _publisher(uris: _Uris, settings: CatalogSettings) -> dict[str, Any]:
    return {
        "@id": uris.publisher,
        "@type": "foaf:Agent",
        "name": {"nl": settings.catalog_publisher_name},
        "publisherType": {
            "@id": f"{PUBLISHER_TYPES}{settings.catalog_publisher_type}",
            "@type": "skos:Concept",
        },
    }


def _contact(uris: _Uris, settings: CatalogSettings) -> dict[str, Any]:
    """A vCard organisation with an e-mail or a web page (the profile wants at least one)."""
    node: dict[str, Any] = {
        "@id": uris.contact,
        "@type": "vcard:Organization",
        "fn": settings.catalog_contact_name,
    }
    if settings.catalog_contact_email:
        node["hasEmail"] = f"mailto:{settings.catalog_contact_email}"
    if settings.catalog_contact_url or not settings.catalog_contact_email:
        node["hasURL"] = settings.catalog_contact_url or uris.homepage
    return node


def _texts(collection: Collection, name: str) -> dict[str, str]:
    texts = {"en": str(getattr(collection, name))}
    for language, translation in collection.translations.items():
        texts[language] = str(getattr(translation, name))
    return texts


def _keywords(collection: Collection) -> dict[str, list[str]]:
    keywords = {"en": list(collection.keywords)}
    for language, translation in collection.translations.items():
        keywords[language] = list(translation.keywords)
    return {language: words for language, words in keywords.items() if words}


def _coverage(extent: Extent) -> dict[str, Any]:
    """Where (a bbox, as WKT and GeoJSON literals in CRS84) and when the data is, if known."""
    coverage: dict[str, Any] = {}
    if extent.bbox is not None:
        minx, miny, maxx, maxy = extent.bbox
        ring = [[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]
        wkt = ", ".join(f"{x} {y}" for x, y in ring)
        coverage["spatial"] = {
            "@type": "dct:Location",
            "bbox": f"POLYGON(({wkt}))",
            "geometry": json.dumps({"type": "Polygon", "coordinates": [ring]}),
        }
    if extent.interval is not None:
        start, end = extent.interval
        period: dict[str, Any] = {"@type": "dct:PeriodOfTime"}
        if start is not None:
            period["startDate"] = rfc3339(start)
        if end is not None:
            period["endDate"] = rfc3339(end)
        coverage["temporal"] = period
    return coverage


def _handbook(handbook: Handbook) -> dict[str, Any]:
    """The pilot's handbook, the definitions the data conforms to, as a standard."""
    return {
        "@id": handbook.base_uri.rstrip("#/"),
        "@type": "dct:Standard",
        "title": {"nl": handbook.title.nl, "en": handbook.title.en},
    }


def _licence(licence: str) -> dict[str, str]:
    return {"@id": licence_uri(licence), "@type": "dct:LicenseDocument"}


def _public() -> dict[str, Any]:
    return {"@id": PUBLIC_ACCESS, "@type": ["skos:Concept", "dct:RightsStatement"]}


def _statuut(uri: str, label: str) -> dict[str, Any]:
    return {
        "@id": uri,
        "@type": "skos:Concept",
        "inScheme": FLEMISH_KEYWORDS,
        "prefLabel": {"nl": label},
    }
