"""The fixed wording of a handbook page in each language: headings, column names, phrases.

Everything a handbook defines comes from the handbook; only this page furniture lives here.
"""

from __future__ import annotations

from typing import Literal

from core.handbook import Labels

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("en", "nl")

WORDS: dict[Lang, dict[str, str]] = {
    "en": {
        "version": "Version",
        "pilot": "pilot",
        "generated": "Generated from the handbook data by {command}; do not edit by hand.",
        "contents": "Contents",
        "entities": "Entities",
        "terms_of": "Terms of {entity}",
        "term": "Term",
        "label_nl": "Label (nl)",
        "label_en": "Label (en)",
        "definition": "Definition",
        "datatype": "Datatype",
        "required": "Required",
        "constraints": "Constraints",
        "standards": "Standards",
        "explicit": "Canonical files name this entity in the {column} column.",
        "yes": "yes",
        "no": "no",
        "codelists": "Codelists",
        "codes_of": "Codes of {codelist}",
        "code": "Code",
        "used_by": "Used by",
        "rules": "Rules of this pilot",
        "rules_intro": "Cross-term rules of this pilot; a validation report names them by id.",
        "rules_caption": "Rules of the {pilot} pilot",
        "rule": "Rule",
        "entity": "Entity",
        "terms": "Terms",
        "description_nl": "Description (nl)",
        "description_en": "Description (en)",
        "generic_rules": "Generic rules",
        "generic_intro": (
            "Checks of the platform core, the same for every pilot; a validation report "
            "names them by id."
        ),
        "generic_caption": "Generic rules of the platform core",
        "meaning": "Meaning",
        "applies_to": "Applies here to",
        "every_record": "every record",
        "none": "no term of this handbook",
        "not_used": "not used by this handbook",
        "personal_data": "Personal data",
        "refused_keys": "Refused field names",
        "refused_values": "Refused value patterns (regular expressions)",
        "one_of": "one of: ",
        "refers_to": "refers to ",
        "future": "at most {seconds} s in the future",
        "derived": "derived when absent",
        "assessment": "Assessment criteria",
        "criteria": "Criteria",
        "criterion": "Criterion",
        "what": "What",
        "requirement": "Requirement",
        "applies_when": "Applies when",
        "source": "Source",
        "reference": "Where in the source",
        "note": "Note",
        "profiles": "Profiles",
        "profile": "Profile",
        "reported": "Reported judgement (tag)",
        "sources": "Sources",
        "citation": "Citation",
        "levels": "Levels",
        "level": "Level",
        "outcomes": "Outcomes per criterion",
        "fails_to": "A failed criterion leads to",
        "otherwise": "otherwise",
        "any_of": "any of:",
        "or": "or",
        "always": "always",
        "criteria_caption": "Assessment criteria of the {pilot} pilot",
        "profiles_caption": "Profiles of the {pilot} pilot",
        "levels_caption": "Levels",
    },
    "nl": {
        "version": "Versie",
        "pilot": "pilot",
        "generated": (
            "Gegenereerd uit de handboekgegevens door {command}; niet met de hand bewerken."
        ),
        "contents": "Inhoud",
        "entities": "Entiteiten",
        "terms_of": "Termen van {entity}",
        "term": "Term",
        "label_nl": "Label (nl)",
        "label_en": "Label (en)",
        "definition": "Definitie",
        "datatype": "Datatype",
        "required": "Verplicht",
        "constraints": "Beperkingen",
        "standards": "Standaarden",
        "explicit": "Canonieke bestanden noemen deze entiteit in een kolom {column}.",
        "yes": "ja",
        "no": "nee",
        "codelists": "Codelijsten",
        "codes_of": "Codes van {codelist}",
        "code": "Code",
        "used_by": "Gebruikt door",
        "rules": "Regels van deze pilot",
        "rules_intro": (
            "Regels over meerdere termen van deze pilot; een validatierapport noemt ze bij hun id."
        ),
        "rules_caption": "Regels van de pilot {pilot}",
        "rule": "Regel",
        "entity": "Entiteit",
        "terms": "Termen",
        "description_nl": "Beschrijving (nl)",
        "description_en": "Beschrijving (en)",
        "generic_rules": "Generieke regels",
        "generic_intro": (
            "Controles van de kern van het platform, voor elke pilot dezelfde; een "
            "validatierapport noemt ze bij hun id. Hun betekenis staat er in het Engels, zoals "
            "in het rapport."
        ),
        "generic_caption": "Generieke regels van de kern van het platform",
        "meaning": "Betekenis",
        "applies_to": "Geldt hier voor",
        "every_record": "elk record",
        "none": "geen term van dit handboek",
        "not_used": "niet gebruikt door dit handboek",
        "personal_data": "Persoonsgegevens",
        "refused_keys": "Geweigerde veldnamen",
        "refused_values": "Geweigerde waardepatronen (reguliere expressies)",
        "one_of": "één van: ",
        "refers_to": "verwijst naar ",
        "future": "ten hoogste {seconds} s in de toekomst",
        "derived": "afgeleid indien afwezig",
        "assessment": "Beoordelingscriteria",
        "criteria": "Criteria",
        "criterion": "Criterium",
        "what": "Wat",
        "requirement": "Vereiste",
        "applies_when": "Geldt wanneer",
        "source": "Bron",
        "reference": "Waar in de bron",
        "note": "Opmerking",
        "profiles": "Profielen",
        "profile": "Profiel",
        "reported": "Gemeld oordeel (tag)",
        "sources": "Bronnen",
        "citation": "Citeerwijze",
        "levels": "Niveaus",
        "level": "Niveau",
        "outcomes": "Uitkomsten per criterium",
        "fails_to": "Een niet-voldaan criterium leidt tot",
        "otherwise": "anders",
        "any_of": "één van:",
        "or": "of",
        "always": "altijd",
        "criteria_caption": "Beoordelingscriteria van de pilot {pilot}",
        "profiles_caption": "Profielen van de pilot {pilot}",
        "levels_caption": "Niveaus",
    },
}

#: Display names of the standards a handbook refers to, keyed by :class:`References` field.
STANDARDS: dict[str, str] = {
    "datex2": "DATEX II",
    "sdm": "Smart Data Models",
    "oslo": "OSLO",
    "sosa": "SOSA",
    "schema_org": "schema.org",
    "a11yjson": "A11yJSON",
    "osm": "OpenStreetMap",
}


def pick(labels: Labels, lang: Lang) -> str:
    """The text of ``labels`` in ``lang``."""
    return labels.nl if lang == "nl" else labels.en


def other(lang: Lang) -> Lang:
    return "en" if lang == "nl" else "nl"
