"""The DCAT-AP catalogue: valid RDF in both serialisations, the same graph, every mandatory
property of DCAT-AP and DCAT-AP Vlaanderen, and coverage that matches the data."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pyld import jsonld
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

from api.catalogue import Catalogue
from core.pilot import Registry
from core.settings import CatalogSettings
from core.sources import Source, add_source, remove_source
from tests.api.checks import assert_problem, links_by_rel

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
BASE = "http://testserver"
CATALOG = URIRef(f"{BASE}/catalog")
API = URIRef(f"{BASE}/catalog#api")
FLEMISH_CC0 = URIRef(
    "https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0"
)
PUBLIC = URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")
VLOPENDATA = URIRef("https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden/VLOPENDATA")
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"


def dataset(collection_id: str) -> URIRef:
    return URIRef(f"{BASE}/catalog#dataset-{collection_id}")


@pytest.fixture(scope="module")
def turtle(client: TestClient) -> Graph:
    response = client.get("/catalog", params={"f": "ttl"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    return Graph().parse(data=response.text, format="turtle")


@pytest.fixture(scope="module")
def jsonld_document(client: TestClient) -> dict[str, object]:
    response = client.get("/catalog")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    document: dict[str, object] = response.json()
    return document


@pytest.fixture(scope="module")
def catalog(turtle: Graph) -> Graph:
    return turtle


def languages(graph: Graph, subject: Node, predicate: URIRef) -> set[str | None]:
    values = list(graph.objects(subject, predicate))
    assert values, f"{subject} has no {predicate}"
    assert all(isinstance(value, Literal) and str(value).strip() for value in values)
    return {value.language for value in values if isinstance(value, Literal)}


def one(graph: Graph, subject: Node, predicate: URIRef) -> Node:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, f"{subject} {predicate}: {values}"
    return values[0]


def test_both_serialisations_are_the_same_graph(
    turtle: Graph, jsonld_document: dict[str, object]
) -> None:
    """rdflib reads the Turtle, an independent processor (pyld) the JSON-LD: same triples."""
    nquads = jsonld.to_rdf(jsonld_document, {"format": "application/n-quads"})
    from_pyld = Graph().parse(data=nquads, format="nt")
    from_rdflib = Graph().parse(data=json.dumps(jsonld_document), format="json-ld")
    assert len(turtle) > 300
    assert isomorphic(turtle, from_pyld)
    assert isomorphic(turtle, from_rdflib)


def test_the_format_follows_f_then_accept(client: TestClient) -> None:
    assert client.get("/catalog?f=jsonld").headers["content-type"] == "application/ld+json"
    by_accept = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert by_accept.headers["content-type"].startswith("text/turtle")
    preferred = client.get(
        "/catalog", headers={"Accept": "text/turtle;q=0.5, application/ld+json"}
    )
    assert preferred.headers["content-type"] == "application/ld+json"
    assert "ETag" in by_accept.headers


def test_wrong_requests_are_4xx_problems(client: TestClient) -> None:
    assert_problem(client.get("/catalog?f=rdfxml"), 400, "f")
    assert_problem(client.get("/catalog?format=ttl"), 400, "format")
    assert_problem(client.get("/catalog", headers={"Accept": "image/png"}), 406)


def test_the_catalog_has_its_mandatory_and_recommended_properties(catalog: Graph) -> None:
    assert (CATALOG, RDF.type, DCAT.Catalog) in catalog
    assert languages(catalog, CATALOG, DCT.title) == {"nl", "en"}
    assert languages(catalog, CATALOG, DCT.description) == {"nl", "en"}
    publisher = one(catalog, CATALOG, DCT.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in catalog
    assert languages(catalog, publisher, FOAF.name) == {"nl"}
    assert one(catalog, CATALOG, FOAF.homepage) == URIRef(f"{BASE}/")
    assert one(catalog, CATALOG, DCT.license) == FLEMISH_CC0  # what DCAT-AP VL demands
    assert set(catalog.objects(CATALOG, DCT.language)) == {
        URIRef(f"http://publications.europa.eu/resource/authority/language/{code}")
        for code in ("NLD", "ENG")
    }
    assert one(catalog, CATALOG, DCAT.themeTaxonomy) == URIRef(THEME.rstrip("/"))


def test_one_dataset_per_collection(catalog: Graph, registry: Registry) -> None:
    collections = [c.id for c in Catalogue.from_registry(registry)]
    assert set(catalog.objects(CATALOG, DCAT.dataset)) == {dataset(c) for c in collections}
    for collection_id in collections:
        assert (dataset(collection_id), RDF.type, DCAT.Dataset) in catalog


def test_every_dataset_has_what_dcat_ap_vlaanderen_requires(
    catalog: Graph, registry: Registry
) -> None:
    for collection in Catalogue.from_registry(registry):
        node = dataset(collection.id)
        assert languages(catalog, node, DCT.title) == {"nl", "en"}, collection.id
        assert languages(catalog, node, DCT.description) == {"nl", "en"}
        assert languages(catalog, node, DCAT.keyword) == {"nl", "en"}
        assert one(catalog, node, DCT.identifier) == Literal(str(node))
        assert one(catalog, node, DCT.publisher) == one(catalog, CATALOG, DCT.publisher)
        contact = one(catalog, node, DCAT.contactPoint)
        assert (contact, RDF.type, VCARD.Organization) in catalog
        assert list(catalog.objects(contact, VCARD.hasEmail)) or list(
            catalog.objects(contact, VCARD.hasURL)
        )
        assert one(catalog, node, DCT.accessRights) == PUBLIC
        assert one(catalog, node, DCT.subject) == VLOPENDATA
        assert str(one(catalog, node, DCT.accrualPeriodicity)).startswith(FREQUENCY)
        themes = {str(theme) for theme in catalog.objects(node, DCAT.theme)}
        assert themes and all(theme.startswith(THEME) for theme in themes)
        assert one(catalog, node, DCT.license) == FLEMISH_CC0
        handbook = one(catalog, node, DCT.conformsTo)
        assert languages(catalog, handbook, DCT.title) == {"nl", "en"}


def test_parking_sites_is_a_live_transport_dataset(catalog: Graph) -> None:
    node = dataset("parking-sites")
    assert one(catalog, node, DCT.accrualPeriodicity) == URIRef(f"{FREQUENCY}UPDATE_CONT")
    assert URIRef(f"{THEME}TRAN") in set(catalog.objects(node, DCAT.theme))
    assert Literal("Parkeerlocaties met hun laatste bezetting", lang="nl") in set(
        catalog.objects(node, DCT.title)
    )
    register = dataset("accessibility-buildings")
    assert one(catalog, register, DCT.accrualPeriodicity) == URIRef(f"{FREQUENCY}IRREG")


EXPECTED_DISTRIBUTIONS = {
    "": ("application/json", False),
    "/items?f=geojson": ("application/geo+json", False),
    "/items?f=csv": ("text/csv", False),
    "/items?f=jsonld": ("application/ld+json", False),
    "/download?f=flatgeobuf": ("application/flatgeobuf", True),
    "/download?f=geoparquet": ("application/vnd.apache.parquet", True),
}


def test_distributions_reach_the_api_and_the_bulk_downloads(catalog: Graph) -> None:
    for collection_id in ("parking-sites", "crowding-observations"):
        found = {}
        for distribution in catalog.objects(dataset(collection_id), DCAT.distribution):
            assert (distribution, RDF.type, DCAT.Distribution) in catalog
            assert one(catalog, distribution, DCT.identifier) == Literal(str(distribution))
            assert one(catalog, distribution, DCT.license) == FLEMISH_CC0
            assert languages(catalog, distribution, DCT.title) == {"nl", "en"}
            url = str(one(catalog, distribution, DCAT.accessURL))
            media_type = str(one(catalog, distribution, DCAT.mediaType))
            downloads = list(catalog.objects(distribution, DCAT.downloadURL))
            if downloads:
                assert [str(d) for d in downloads] == [url]
            else:
                assert one(catalog, distribution, DCAT.accessService) == API
            found[url.removeprefix(f"{BASE}/collections/{collection_id}")] = (
                media_type.removeprefix(MEDIA_TYPE), bool(downloads),
            )
        assert found == EXPECTED_DISTRIBUTIONS


def test_the_api_is_a_data_service_serving_every_dataset(
    catalog: Graph, client: TestClient
) -> None:
    assert one(catalog, CATALOG, DCAT.service) == API
    assert (API, RDF.type, DCAT.DataService) in catalog
    assert one(catalog, API, DCAT.endpointURL) == URIRef(f"{BASE}/")
    description = one(catalog, API, DCAT.endpointDescription)
    assert description == URIRef(f"{BASE}/openapi.json")
    assert client.get(str(description).removeprefix(BASE)).status_code == 200
    assert set(catalog.objects(API, DCAT.servesDataset)) == set(
        catalog.objects(CATALOG, DCAT.dataset)
    )
    assert one(catalog, API, DCT.conformsTo) == URIRef(
        "http://www.opengis.net/spec/ogcapi-features-1/1.0"
    )
    for predicate in (DCT.identifier, DCT.license, DCT.accessRights, DCT.publisher,
                      DCAT.contactPoint, DCT.subject):
        one(catalog, API, predicate)
    assert languages(catalog, API, DCAT.keyword) == {"nl", "en"}
    for accessed in catalog.subjects(DCAT.accessService, API):
        assert client.get(str(one(catalog, accessed, DCAT.accessURL))).status_code == 200


def test_coverage_is_the_extent_of_the_data(catalog: Graph, client: TestClient) -> None:
    extent = client.get("/collections/parking-observations").json()["extent"]
    node = dataset("parking-observations")
    location = one(catalog, node, DCT.spatial)
    minx, miny, maxx, maxy = extent["spatial"]["bbox"][0]
    ring = [[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]
    wkt = one(catalog, location, DCAT.bbox)
    assert isinstance(wkt, Literal) and wkt.datatype == GSP.wktLiteral
    assert str(wkt) == "POLYGON((" + ", ".join(f"{x} {y}" for x, y in ring) + "))"
    geometry = one(catalog, location, LOCN.geometry)
    assert isinstance(geometry, Literal) and geometry.datatype == GSP.geoJSONLiteral
    assert json.loads(str(geometry)) == {"type": "Polygon", "coordinates": [ring]}
    period = one(catalog, node, DCT.temporal)
    start, end = extent["temporal"]["interval"][0]
    assert str(one(catalog, period, DCAT.startDate)).replace("+00:00", "Z") == start
    assert str(one(catalog, period, DCAT.endDate)).replace("+00:00", "Z") == end


def test_a_collection_without_data_has_no_coverage(catalog: Graph) -> None:
    node = dataset("accessibility-buildings")  # the seed holds parking data only
    assert not list(catalog.objects(node, DCT.spatial))
    assert not list(catalog.objects(node, DCT.temporal))


def test_the_landing_page_links_the_catalogue(client: TestClient) -> None:
    links = links_by_rel(client.get("/").json())
    meta = links["http://www.opengis.net/def/rel/ogc/1.0/data-meta"]
    assert (meta["href"], meta["type"]) == (f"{BASE}/catalog", "application/ld+json")


@pytest.fixture
def catalog_settings(client: TestClient) -> Iterator[None]:
    """Lets a test replace the app's catalogue settings; restores them afterwards."""
    before = getattr(client.app.state, "catalog_settings", None)
    yield
    client.app.state.catalog_settings = before


def licences(client: TestClient, collection_id: str) -> set[Node]:
    graph = Graph().parse(data=client.get("/catalog?f=ttl").text, format="turtle")
    node = dataset(collection_id)
    found = set(graph.objects(node, DCT.license))
    for distribution in graph.objects(node, DCAT.distribution):
        found |= set(graph.objects(distribution, DCT.license))
    return found


@pytest.mark.usefixtures("catalog_settings")
def test_settings_name_the_publisher_contact_and_licences(client: TestClient) -> None:
    client.app.state.catalog_settings = CatalogSettings(
        catalog_publisher_name="Stad Gent",
        catalog_publisher_uri="https://data.vlaanderen.be/id/organisatie/OVO000024",
        catalog_contact_email="opendata@stad.gent",
        catalog_licences={"parking-bays": "CC-BY-4.0"},
    )
    graph = Graph().parse(data=client.get("/catalog?f=ttl").text, format="turtle")
    publisher = URIRef("https://data.vlaanderen.be/id/organisatie/OVO000024")
    assert one(graph, dataset("parking-sites"), DCT.publisher) == publisher
    assert one(graph, publisher, FOAF.name) == Literal("Stad Gent", lang="nl")
    contact = one(graph, dataset("parking-sites"), DCAT.contactPoint)
    assert one(graph, contact, VCARD.hasEmail) == URIRef("mailto:opendata@stad.gent")
    assert licences(client, "parking-bays") == {URIRef("http://spdx.org/licenses/CC-BY-4.0")}
    assert licences(client, "parking-sites") == {FLEMISH_CC0}


@pytest.mark.usefixtures("catalog_settings")
def test_licence_follows_the_sources_when_they_agree(
    client: TestClient, registry: Registry
) -> None:
    client.app.state.catalog_settings = CatalogSettings()
    engine = client.app.state.engine
    source = Source(id="catalog-test-feed", pilot="parking", format="gent-json",
                    licence="CC-BY-4.0")
    add_source(engine, registry, source)
    try:
        assert licences(client, "parking-sites") == {
            URIRef("http://spdx.org/licenses/CC-BY-4.0")
        }
        assert licences(client, "crowding-locations") == {FLEMISH_CC0}
    finally:
        remove_source(engine, source.id)
    assert licences(client, "parking-sites") == {FLEMISH_CC0}
