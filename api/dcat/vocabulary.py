"""The vocabularies the catalogue speaks: namespaces, EU authority tables and Flemish code lists.

DCAT-AP takes its controlled values from the EU Publications Office authority tables (data
themes, frequencies, file types, access rights, languages); DCAT-AP Vlaanderen adds its own
licence URIs and the "statuut" keyword list of the Flemish geo-data infrastructure that marks a
resource as Flemish open data. Everything here is a constant or a pure mapping.
"""

from __future__ import annotations

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
LOCN = "http://www.w3.org/ns/locn#"
GSP = "http://www.opengis.net/ont/geosparql#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

_AUTHORITY = "http://publications.europa.eu/resource/authority/"
DATA_THEMES = f"{_AUTHORITY}data-theme"
FREQUENCIES = f"{_AUTHORITY}frequency"
FILE_TYPES = f"{_AUTHORITY}file-type"
LANGUAGES = f"{_AUTHORITY}language"
PUBLIC_ACCESS = f"{_AUTHORITY}access-right/PUBLIC"
PUBLISHER_TYPES = "http://purl.org/adms/publishertype/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

#: DCAT-AP Vlaanderen: every dataset and data service names its "statuut"; these two mark
#: Flemish open data (what Datavindplaats filters on).
FLEMISH_OPEN_DATA = "https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden/VLOPENDATA"
FLEMISH_OPEN_DATA_SERVICE = (
    "https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden/VLOPENDATASERVICE"
)
FLEMISH_KEYWORDS = "https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden"
#: The profile the catalogue follows, as DCAT-AP Vlaanderen names itself.
DCAT_AP_VL = "https://data.vlaanderen.be/doc/applicatieprofiel/DCAT-AP-VL/"
OGC_API_FEATURES = "http://www.opengis.net/spec/ogcapi-features-1/1.0"

#: SPDX id -> the licence URI the Flemish profile expects (its own code list where it has one).
FLEMISH_LICENCES = {
    "CC0-1.0": "https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0",
}
SPDX_LICENCES = "http://spdx.org/licenses/"

#: Update intervals (seconds, at most) -> EU frequency code, for collections that declare an
#: update interval but no frequency.
INTERVAL_FREQUENCIES = (
    (60, "UPDATE_CONT"),
    (300, "5MIN"),
    (600, "10MIN"),
    (900, "15MIN"),
    (1800, "30MIN"),
    (3600, "HOURLY"),
    (86_400, "DAILY"),
    (604_800, "WEEKLY"),
)

#: Metadata languages: every text is given in Dutch (the profile's language) and English.
METADATA_LANGUAGES = {"nl": "NLD", "en": "ENG"}


def licence_uri(licence: str) -> str:
    """The URI of a licence given as an SPDX id or already as a URI."""
    if "://" in licence:
        return licence
    return FLEMISH_LICENCES.get(licence, f"{SPDX_LICENCES}{licence}")


def theme_uri(code: str) -> str:
    return f"{DATA_THEMES}/{code}"


def frequency_uri(code: str) -> str:
    return f"{FREQUENCIES}/{code}"


def frequency_code(declared: str | None, update_interval: int | None) -> str:
    """The declared frequency, else the one the update interval implies, else ``UNKNOWN``."""
    if declared is not None:
        return declared
    if update_interval is None:
        return "UNKNOWN"
    for seconds, code in INTERVAL_FREQUENCIES:
        if update_interval <= seconds:
            return code
    return "IRREG"


def file_type_uri(code: str) -> str:
    return f"{FILE_TYPES}/{code}"


def media_type_uri(media_type: str) -> str:
    return f"{IANA_MEDIA_TYPES}{media_type}"


def language_uri(tag: str) -> str:
    return f"{LANGUAGES}/{METADATA_LANGUAGES[tag]}"
