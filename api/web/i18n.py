"""Dutch and English texts of the web interface, and which language a request gets.

The texts live here, not in the templates, so a test can check that both languages have every
key; the pages get them twice: rendered into the HTML, and as JSON for their scripts. Content
from the API (names, the validation report's rule meanings) is shown as the API gives it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")
DEFAULT_LANGUAGE: Language = "nl"  # a Flemish platform: Dutch unless the browser prefers English

_NL: dict[str, str] = {
    "site.name": "Stadspuls",
    "site.skip": "Naar de inhoud",
    "nav.label": "Hoofdmenu",
    "nav.map": "Kaart",
    "nav.dashboard": "Stadsdashboard",
    "nav.supplier": "Gegevens controleren",
    "nav.api": "API",
    "lang.label": "Taal",
    "lang.switch": "English",
    "map.title": "Kaart van parkeren, drukte en toegankelijkheid",
    "map.controls": "Kaartlagen en filters",
    "map.layers": "Lagen",
    "map.layer.parking": "Parkings (bezetting)",
    "map.layer.bays": "Parkeerplaatsen op straat",
    "map.layer.crowding": "Drukte",
    "map.layer.buildings": "Toegankelijkheid van gebouwen",
    "map.profile": "Profiel voor toegankelijkheid",
    "map.slider": "Tijdstip voor drukte",
    "map.slider.help": (
        "Schuif over de laatste dagen; de kleuren tonen het drukteniveau van dat uur."
    ),
    "map.live": "Live bijwerken",
    "map.updated": "Bijgewerkt om",
    "map.region": "Kaart",
    "map.details": "Details",
    "map.details.empty": (
        "Kies een object op de kaart (klik, of Tab en Enter) om de details te zien."
    ),
    "map.legend": "Legende",
    "map.tiles.failed": (
        "De achtergrondkaart kan niet geladen worden; de gegevens staan op een effen achtergrond."
    ),
    "map.tiles.none": "Geen achtergrondkaart ingesteld.",
    "map.loading": "Gegevens laden…",
    "map.error": "Kon niet laden",
    "map.features": "objecten",
    "profile.wheelchair": "Rolstoel (zelfstandig)",
    "profile.wheelchair_assisted": "Rolstoel (met hulp)",
    "profile.reduced_mobility": "Beperkte mobiliteit",
    "profile.blind": "Blind of slechtziend",
    "profile.deaf": "Doof of slechthorend",
    "parking.free": "Vrij (< 70 %)",
    "parking.filling": "Vult (70-90 %)",
    "parking.almostFull": "Bijna vol (≥ 90 %)",
    "parking.full": "Vol",
    "parking.closed": "Gesloten",
    "parking.unknown": "Onbekend",
    "bay.free": "Vrij",
    "bay.occupied": "Bezet",
    "bay.closed": "Gesloten",
    "bay.unknown": "Onbekend",
    "crowding.calm": "Rustig",
    "crowding.normal": "Normaal",
    "crowding.busy": "Druk",
    "crowding.very-busy": "Zeer druk",
    "crowding.none": "Geen niveau",
    "accessibility.accessible": "Toegankelijk",
    "accessibility.accessible-with-help": "Toegankelijk met hulp",
    "accessibility.not-accessible": "Niet toegankelijk",
    "accessibility.unknown": "Onbekend",
    "detail.occupancy": "Bezetting",
    "detail.vacant": "Vrije plaatsen",
    "detail.capacity": "Capaciteit",
    "detail.observed": "Waargenomen",
    "detail.chart.parking": "Bezetting (%) in de 24 uur tot de laatste waarneming",
    "detail.chart.crowding": "Tellingen per uur tegenover de basislijn",
    "detail.chart.source": "Records per uur (blauw) en in quarantaine (rood), laatste 24 uur",
    "detail.nodata": "Geen gegevens in deze periode.",
    "detail.baseline": "Basislijn: mediaan van hetzelfde uur op dezelfde weekdag in eerdere weken",
    "detail.baseline.none": "Nog geen basislijn: er zijn geen eerdere weken voor deze uren.",
    "detail.count": "Telling",
    "detail.level": "Niveau",
    "detail.rule": "Bepaald door",
    "detail.zone": "Zone",
    "detail.state": "Toestand",
    "detail.profile": "Profiel",
    "detail.basis": "Grondslag",
    "detail.reasons": "Redenen",
    "detail.criteria": "Criteria die het niveau bepaalden",
    "detail.criterion": "Criterium",
    "detail.outcome": "Resultaat",
    "detail.explanation": "Uitleg",
    "detail.close": "Sluiten",
    "outcome.pass": "voldoet",
    "outcome.fail": "voldoet niet",
    "outcome.unknown": "onbekend",
    "outcome.not_applicable": "niet van toepassing",
    "dashboard.title": "Stadsdashboard: bronnen en hun gezondheid",
    "dashboard.city": "Stad",
    "dashboard.city.all": "Alle steden",
    "dashboard.city.none": "(geen stad)",
    "dashboard.sources": "Bronnen",
    "dashboard.none": "Geen bronnen gevonden.",
    "dashboard.source": "Bron",
    "dashboard.pilot": "Pilot",
    "dashboard.format": "Formaat",
    "dashboard.supplier": "Leverancier",
    "dashboard.last": "Laatste record",
    "dashboard.perhour": "Records per uur",
    "dashboard.rate": "Quarantaine",
    "dashboard.reasons": "Meest voorkomende redenen",
    "dashboard.never": "nog nooit",
    "dashboard.quarantine": "Quarantaine bekijken",
    "quarantine.title": "Quarantaine van een bron",
    "quarantine.key": "API-sleutel",
    "quarantine.key.help": (
        "De quarantaine bevat ruwe gegevens van leveranciers en vraagt een sleutel van de"
        " stad of de leverancier. De sleutel blijft enkel in dit tabblad (sessionStorage)"
        " en gaat als X-API-Key naar de API."
    ),
    "quarantine.key.save": "Tonen",
    "quarantine.key.forget": "Sleutel vergeten",
    "quarantine.rule": "Enkel regel",
    "quarantine.records": "Records in quarantaine",
    "quarantine.received": "Ontvangen",
    "quarantine.origin": "Herkomst",
    "quarantine.reasons": "Redenen",
    "quarantine.raw": "Ruwe inhoud",
    "quarantine.more": "Meer laden",
    "quarantine.back": "Terug naar het dashboard",
    "supplier.title": "Controleer je gegevens vóór ze live gaan",
    "supplier.intro": (
        "Laad een bestand op of plak de inhoud, kies pilot en formaat, en zie per regel "
        "wat er niet klopt. Er wordt niets opgeslagen."
    ),
    "supplier.pilot": "Pilot",
    "supplier.format": "Formaat",
    "supplier.format.auto": "Automatisch herkennen",
    "supplier.file": "Bestand",
    "supplier.paste": "Of plak de inhoud",
    "supplier.filename": "Bestandsnaam voor geplakte inhoud",
    "supplier.submit": "Controleren",
    "supplier.report": "Rapport",
    "supplier.verdict.ok": "Alle records zijn geldig.",
    "supplier.verdict.bad": "Niet alle records zijn geldig.",
    "supplier.records": "Records gelezen",
    "supplier.valid": "Geldig",
    "supplier.invalid": "Ongeldig",
    "supplier.rule": "Regel",
    "supplier.breaks": "records breken deze regel",
    "supplier.terms": "Termen",
    "supplier.position": "Record",
    "supplier.term": "Term",
    "supplier.message": "Melding",
    "supplier.found": "Gevonden",
    "supplier.expected": "Verwacht",
    "supplier.download.json": "Rapport downloaden (JSON)",
    "supplier.download.junit": "Rapport downloaden (JUnit XML)",
    "supplier.nothing": "Kies een bestand of plak inhoud.",
    "supplier.working": "Bezig met controleren…",
    "error.title": "Er ging iets mis",
}

_EN: dict[str, str] = {
    "site.name": "Stadspuls",
    "site.skip": "Skip to content",
    "nav.label": "Main menu",
    "nav.map": "Map",
    "nav.dashboard": "City dashboard",
    "nav.supplier": "Check your data",
    "nav.api": "API",
    "lang.label": "Language",
    "lang.switch": "Nederlands",
    "map.title": "Map of parking, crowding and accessibility",
    "map.controls": "Map layers and filters",
    "map.layers": "Layers",
    "map.layer.parking": "Car parks (occupancy)",
    "map.layer.bays": "On-street bays",
    "map.layer.crowding": "Crowding",
    "map.layer.buildings": "Accessibility of buildings",
    "map.profile": "Accessibility profile",
    "map.slider": "Time for crowding",
    "map.slider.help": (
        "Slide over the last days; the colours show the crowding level of that hour."
    ),
    "map.live": "Update live",
    "map.updated": "Updated at",
    "map.region": "Map",
    "map.details": "Details",
    "map.details.empty": (
        "Choose a feature on the map (click, or Tab and Enter) to see its details."
    ),
    "map.legend": "Legend",
    "map.tiles.failed": "The base map cannot be loaded; the data is shown on a plain background.",
    "map.tiles.none": "No base map configured.",
    "map.loading": "Loading data…",
    "map.error": "Could not load",
    "map.features": "features",
    "profile.wheelchair": "Wheelchair (independent)",
    "profile.wheelchair_assisted": "Wheelchair (assisted)",
    "profile.reduced_mobility": "Reduced mobility",
    "profile.blind": "Blind or low vision",
    "profile.deaf": "Deaf or hard of hearing",
    "parking.free": "Free (< 70 %)",
    "parking.filling": "Filling (70-90 %)",
    "parking.almostFull": "Almost full (≥ 90 %)",
    "parking.full": "Full",
    "parking.closed": "Closed",
    "parking.unknown": "Unknown",
    "bay.free": "Free",
    "bay.occupied": "Occupied",
    "bay.closed": "Closed",
    "bay.unknown": "Unknown",
    "crowding.calm": "Calm",
    "crowding.normal": "Normal",
    "crowding.busy": "Busy",
    "crowding.very-busy": "Very busy",
    "crowding.none": "No level",
    "accessibility.accessible": "Accessible",
    "accessibility.accessible-with-help": "Accessible with help",
    "accessibility.not-accessible": "Not accessible",
    "accessibility.unknown": "Unknown",
    "detail.occupancy": "Occupancy",
    "detail.vacant": "Vacant spaces",
    "detail.capacity": "Capacity",
    "detail.observed": "Observed",
    "detail.chart.parking": "Occupancy (%) over the 24 hours up to the latest observation",
    "detail.chart.crowding": "Counts per hour against the baseline",
    "detail.chart.source": "Records per hour (blue) and quarantined (red), last 24 hours",
    "detail.nodata": "No data in this period.",
    "detail.baseline": "Baseline: median of the same hour on the same weekday in earlier weeks",
    "detail.baseline.none": "No baseline yet: there are no earlier weeks for these hours.",
    "detail.count": "Count",
    "detail.level": "Level",
    "detail.rule": "Decided by",
    "detail.zone": "Zone",
    "detail.state": "State",
    "detail.profile": "Profile",
    "detail.basis": "Basis",
    "detail.reasons": "Reasons",
    "detail.criteria": "Criteria that decided the level",
    "detail.criterion": "Criterion",
    "detail.outcome": "Outcome",
    "detail.explanation": "Explanation",
    "detail.close": "Close",
    "outcome.pass": "pass",
    "outcome.fail": "fail",
    "outcome.unknown": "unknown",
    "outcome.not_applicable": "not applicable",
    "dashboard.title": "City dashboard: sources and their health",
    "dashboard.city": "City",
    "dashboard.city.all": "All cities",
    "dashboard.city.none": "(no city)",
    "dashboard.sources": "Sources",
    "dashboard.none": "No sources found.",
    "dashboard.source": "Source",
    "dashboard.pilot": "Pilot",
    "dashboard.format": "Format",
    "dashboard.supplier": "Supplier",
    "dashboard.last": "Last record",
    "dashboard.perhour": "Records per hour",
    "dashboard.rate": "Quarantine",
    "dashboard.reasons": "Most frequent reasons",
    "dashboard.never": "never",
    "dashboard.quarantine": "Browse quarantine",
    "quarantine.title": "A source's quarantine",
    "quarantine.key": "API key",
    "quarantine.key.help": (
        "The quarantine holds suppliers' raw data and needs a key of the city or the "
        "supplier. The key stays in this tab only (sessionStorage) and goes to the API as"
        " X-API-Key."
    ),
    "quarantine.key.save": "Show",
    "quarantine.key.forget": "Forget key",
    "quarantine.rule": "Only rule",
    "quarantine.records": "Quarantined records",
    "quarantine.received": "Received",
    "quarantine.origin": "Origin",
    "quarantine.reasons": "Reasons",
    "quarantine.raw": "Raw content",
    "quarantine.more": "Load more",
    "quarantine.back": "Back to the dashboard",
    "supplier.title": "Check your data before go-live",
    "supplier.intro": (
        "Upload a file or paste its content, pick the pilot and format, and see per rule "
        "what is wrong. Nothing is stored."
    ),
    "supplier.pilot": "Pilot",
    "supplier.format": "Format",
    "supplier.format.auto": "Detect automatically",
    "supplier.file": "File",
    "supplier.paste": "Or paste the content",
    "supplier.filename": "File name for pasted content",
    "supplier.submit": "Check",
    "supplier.report": "Report",
    "supplier.verdict.ok": "All records are valid.",
    "supplier.verdict.bad": "Not all records are valid.",
    "supplier.records": "Records read",
    "supplier.valid": "Valid",
    "supplier.invalid": "Invalid",
    "supplier.rule": "Rule",
    "supplier.breaks": "records break this rule",
    "supplier.terms": "Terms",
    "supplier.position": "Record",
    "supplier.term": "Term",
    "supplier.message": "Message",
    "supplier.found": "Found",
    "supplier.expected": "Expected",
    "supplier.download.json": "Download the report (JSON)",
    "supplier.download.junit": "Download the report (JUnit XML)",
    "supplier.nothing": "Choose a file or paste content.",
    "supplier.working": "Checking…",
    "error.title": "Something went wrong",
}

MESSAGES: Mapping[Language, Mapping[str, str]] = {"nl": _NL, "en": _EN}
_BY_CODE: Mapping[str, Language] = {language: language for language in LANGUAGES}


def choose_language(asked: str | None, accept_language: str | None) -> Language:
    """``?lang=`` when it names a language we have, else the browser's first one we have."""
    if asked is not None and asked in _BY_CODE:
        return _BY_CODE[asked]
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, order, tag.strip().lower().split("-")[0]))
    for negative_quality, _order, primary in sorted(ranked):
        if negative_quality < 0 and primary in _BY_CODE:
            return _BY_CODE[primary]
    return DEFAULT_LANGUAGE
