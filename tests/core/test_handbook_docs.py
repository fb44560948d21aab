"""Handbook pages (Markdown, HTML, SKOS JSON-LD) generated from the handbook, and the CLI."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld
from typer.testing import CliRunner, Result

import core.cli.handbook  # noqa: F401  (registers the command on the app)
from core.cli.main import app
from core.handbook import Handbook
from core.handbook_docs import FORMATS, render, write_all
from core.handbook_docs.generic import GENERIC_SCOPE, PRIVACY_RULE, RECORD_RULES
from core.handbook_docs.model import build_page
from core.pilot import Registry, load_registry
from core.validation import GENERIC_RULES

REPOSITORY = Path(__file__).resolve().parents[2]
PUBLISHED = REPOSITORY / "docs" / "handbooks"
PARKING = load_registry().get("parking").handbook
SKOS = "http://www.w3.org/2004/02/skos/core#"
QUDT = "http://qudt.org/schema/qudt/"

#: A small handbook of another domain, with text that needs escaping in both formats.
NOISE = Handbook.model_validate({
    "pilot": "noise", "version": "0.1", "base_uri": "https://example.org/def/noise#",
    "title": {"nl": "Handboek <geluid>", "en": "Noise | handbook"},
    "description": {"nl": "Geluid & meer.", "en": "Sound & *more*."},
    "entities": [{
        "id": "meter", "label": {"nl": "Meter", "en": "Meter"},
        "definition": {"nl": "Een meter.", "en": "A <b>meter</b> | sensor."},
        "terms": [
            {"id": "level", "label": {"nl": "Niveau", "en": "Level"},
             "definition": {"nl": "LAeq.", "en": "LAeq."}, "datatype": "number", "unit": "dB",
             "maximum": 140},
            {"id": "ratio", "label": {"nl": "Aandeel", "en": "Share"},
             "definition": {"nl": "Een fractie.", "en": "A fraction."}, "datatype": "number",
             "unit": "1", "minimum": 0, "maximum": 0.5},
            {"id": "name", "label": {"nl": "Naam", "en": "Name"},
             "definition": {"nl": "Naam.", "en": "Name."}, "datatype": "string", "minimum": 3},
        ],
    }],
})


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, ["handbook", *(str(arg) for arg in args)])


def term_rows(handbook: Handbook, lang: str = "en") -> dict[str, list[str]]:
    page = build_page(handbook, "nl" if lang == "nl" else "en")
    return {
        row.anchor: [item.plain for item in row.constraints]
        for entity in page.entities
        for row in entity.terms
    }


@pytest.mark.parametrize(
    ("handbook", "lang", "term", "expected"),
    [
        (PARKING, "en", "site.capacity", ["≥ 0"]),
        (PARKING, "en", "observation.occupancy", ["0 … 100 %", "derived when absent"]),
        (PARKING, "nl", "observation.occupancy", ["0 … 100 %", "afgeleid indien afwezig"]),
        (PARKING, "en", "observation.vacant", ["≥ 0", "derived when absent"]),
        (PARKING, "en", "observation.site", ["refers to site"]),
        (PARKING, "en", "observation.observed_at", ["at most 300 s in the future"]),
        (PARKING, "nl", "observation.observed_at", ["ten hoogste 300 s in de toekomst"]),
        (PARKING, "en", "site.type",
         ["one of: carPark, undergroundCarPark, parkAndRide, onStreetZone, other"]),
        (PARKING, "en", "site.name", []),
        (NOISE, "en", "meter.level", ["≤ 140 dB"]),
        (NOISE, "en", "meter.ratio", ["0 … 0.5"]),  # UCUM "1": no unit after the bound
        (NOISE, "en", "meter.name", []),  # the validator checks bounds on numbers only
    ],
)
def test_constraints_are_rendered_exactly(
    handbook: Handbook, lang: str, term: str, expected: list[str]
) -> None:
    assert term_rows(handbook, lang)[term] == expected


@pytest.mark.parametrize(
    ("fragment", "output_format"),
    [
        ("| ≥ 0; derived when absent |", "md"),
        ("one of: [carPark, undergroundCarPark, parkAndRide, onStreetZone, other]"
         "(#codelist-site-type)", "md"),
        ("refers to [site](#entity-site)", "md"),
        ("<td>0 … 100 %; derived when absent</td>", "html"),
        ('one of: <a href="#codelist-site-type">carPark, undergroundCarPark, parkAndRide, '
         "onStreetZone, other</a>", "html"),
        ('<td lang="nl">Totale capaciteit</td>', "html"),
        ('<a href="https://smartdatamodels.org/dataModel.Parking/totalSpotNumber">'
         "Smart Data Models: totalSpotNumber</a>", "html"),
    ],
)
def test_constraints_link_to_their_codelist_and_entity(fragment: str, output_format: str) -> None:
    assert fragment in render(PARKING, output_format)


@pytest.mark.parametrize("output_format", ["md", "html"])
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_term_code_and_rule_id_appears(output_format: str, lang: str) -> None:
    page = render(PARKING, output_format, "nl" if lang == "nl" else "en")
    ids = [f'id="{entity.id}.{term.id}"' for entity in PARKING.entities for term in entity.terms]
    ids += [f'id="rule-{rule.id}"' for rule in PARKING.rules]
    ids += [f'id="rule-{rule}"' for rule in GENERIC_RULES]
    ids += [f'id="codelist-{codelist.id}"' for codelist in PARKING.codelists]
    assert [anchor for anchor in ids if anchor not in page] == []
    names = [term.id for entity in PARKING.entities for term in entity.terms]
    names += [code.id for codelist in PARKING.codelists for code in codelist.codes]
    names += [rule.id for rule in PARKING.rules]
    names += [rule.description.nl for rule in PARKING.rules]
    names += [rule.description.en for rule in PARKING.rules]
    assert [name for name in names if f"{name}" not in page] == []


def test_every_generic_rule_is_classified() -> None:
    """A generic rule added to core must be given its scope here, or pages would omit it."""
    known = set(GENERIC_SCOPE) | RECORD_RULES | {PRIVACY_RULE}
    assert set(GENERIC_RULES) <= known


@pytest.mark.parametrize(
    ("rule", "applies_to"),
    [
        ("core.maximum", ["observation.occupancy"]),
        ("core.future", ["observation.observed_at", "bay_observation.observed_at"]),
        ("core.reference", ["observation.site", "bay.zone", "bay_observation.bay"]),
        ("core.crs", ["site.geometry", "bay.geometry"]),
        ("core.unknown-entity", ["every record"]),
        ("core.personal-data", ["not used by this handbook"]),
    ],
)
def test_generic_rules_name_the_terms_they_apply_to(rule: str, applies_to: list[str]) -> None:
    rows = {row.id: row for row in build_page(PARKING).generic_rules}
    row = rows[rule]
    assert ([row.scope] if row.scope else [link.text for link in row.applies_to]) == applies_to
    assert row.meaning == GENERIC_RULES[rule]


class Structure(HTMLParser):
    """Checks nesting and collects what an accessible page needs: lang, headings, tables."""

    VOID = frozenset({"meta", "br", "link", "img", "hr", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.headings: list[int] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(str(attributes["href"]))
        if tag == "table":
            self.stack.append("table:fresh")
            return
        if self.stack and self.stack[-1] == "table:fresh":
            if tag != "caption":
                self.errors.append("a table whose first child is not its caption")
            self.stack[-1] = "table"
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        top = self.stack.pop().split(":")[0] if self.stack else None
        if top != tag:
            self.errors.append(f"</{tag}> closes <{top}>")


def parse(page: str) -> Structure:
    structure = Structure()
    structure.feed(page)
    structure.close()
    return structure


@pytest.mark.parametrize("handbook", [PARKING, NOISE], ids=["parking", "noise"])
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_html_is_well_formed_and_accessible(handbook: Handbook, lang: str) -> None:
    page = render(handbook, "html", "nl" if lang == "nl" else "en")
    assert page.startswith("<!DOCTYPE html>\n")
    structure = parse(page)
    assert structure.errors == [] and structure.stack == []
    assert structure.tags[0] == ("html", {"lang": lang})
    assert [tag for tag, _ in structure.tags].count("main") == 1
    assert structure.headings[0] == 1 and structure.headings.count(1) == 1
    jumps = zip(structure.headings, structure.headings[1:], strict=False)
    assert all(after <= before + 1 for before, after in jumps)
    headers = [attributes for tag, attributes in structure.tags if tag == "th"]
    assert headers and all(attributes.get("scope") in {"col", "row"} for attributes in headers)
    assert len(structure.ids) == len(set(structure.ids))
    targets = {href[1:] for href in structure.hrefs if href.startswith("#")}
    assert targets - set(structure.ids) == set()
    assert not [tag for tag, attributes in structure.tags if tag in {"link", "script", "img"}]
    assert "<b>" not in page and "&lt;b&gt;meter&lt;/b&gt; | sensor." in render(NOISE, "html")


@pytest.mark.parametrize("handbook", [PARKING, NOISE], ids=["parking", "noise"])
def test_markdown_tables_and_anchors_hold_together(handbook: Handbook) -> None:
    page = render(handbook, "md")
    anchors = re.findall(r'<a id="([^"]+)"></a>', page)
    assert len(anchors) == len(set(anchors))
    assert set(re.findall(r"\]\(#([^)]+)\)", page)) - set(anchors) == set()
    for block in re.split(r"\n\n", page):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) <= 1, block
    assert "# Noise \\| handbook — Handboek \\<geluid\\>" in render(NOISE, "md")


def concepts(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["@id"]: node for node in document["@graph"]}


def test_jsonld_is_a_skos_concept_scheme() -> None:
    document = json.loads(render(PARKING, "jsonld"))
    nodes = concepts(document)
    base = PARKING.base_uri
    scheme = nodes[base.removesuffix("#")]
    assert scheme["@type"] == "skos:ConceptScheme"
    assert scheme["prefLabel"] == {"nl": "Handboek parkeren", "en": "Parking handbook"}
    capacity = nodes[f"{base}site.capacity"]
    assert capacity["prefLabel"] == {"nl": "Totale capaciteit", "en": "Total capacity"}
    assert (capacity["broader"], capacity["notation"], capacity["unit"]) == (
        f"{base}site", "site.capacity", "{spaces}")
    assert "https://smartdatamodels.org/dataModel.Parking/totalSpotNumber" in capacity["closeMatch"]
    assert nodes[f"{base}observation.occupancy"]["maximum"] == 100
    code = nodes[f"{base}codelist/site-status/almostFull"]
    assert code["inScheme"] == [f"{base}codelist/site-status", base.removesuffix("#")]
    rule = nodes[f"{base}rule/parking.counts-add-up"]
    assert rule["notation"] == "parking.counts-add-up"
    assert f"{base}observation.vacant" in rule["related"]
    expected = sum(len(entity.terms) + 1 for entity in PARKING.entities) + len(PARKING.rules)
    expected += sum(len(codelist.codes) for codelist in PARKING.codelists)
    assert sum(node["@type"] == "skos:Concept" for node in document["@graph"]) == expected


@pytest.mark.parametrize("handbook", [PARKING, NOISE], ids=["parking", "noise"])
def test_jsonld_expands_compacts_and_yields_the_triples(handbook: Handbook) -> None:
    document = json.loads(render(handbook, "jsonld"))
    expanded = jsonld.expand(document)
    compacted = jsonld.compact(expanded, document["@context"])
    assert jsonld.expand(compacted) == expanded
    quads = set(jsonld.to_rdf(document, {"format": "application/n-quads"}).splitlines())
    base = handbook.base_uri
    first = handbook.entities[0]
    term = f"<{base}{first.id}.{first.terms[0].id}>"
    assert f"{term} <{SKOS}broader> <{base}{first.id}> ." in quads
    assert f"{term} <{SKOS}inScheme> <{base.removesuffix('#')}> ." in quads
    assert f'{term} <{SKOS}prefLabel> "{first.terms[0].label.nl}"@nl .' in quads
    assert f'{term} <{SKOS}prefLabel> "{first.terms[0].label.en}"@en .' in quads
    typed = [quad for quad in quads if f"<{SKOS}Concept>" in quad]
    assert len(typed) == sum(len(entity.terms) + 1 for entity in handbook.entities) + len(
        handbook.rules) + sum(len(codelist.codes) for codelist in handbook.codelists)
    if handbook is PARKING:
        unit = '<https://stadspuls.example/def/handbook#unit> "{spaces}"'
        assert f"<{base}site.capacity> {unit}^^<{QUDT}UCUMcs> ." in quads


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["--pilot", "parking"], 0, "# Parking handbook — Handboek parkeren\n"),
        (["-p", "parking", "--format", "html", "--lang", "nl"], 0, '<html lang="nl">'),
        (["-p", "parking", "-f", "jsonld"], 0, '"@context"'),
        (["--pilot", "nope"], 2, "error: unknown pilot 'nope'; known pilots:"),
        (["-p", "parking", "--format", "pdf"], 2,
         "error: --format must be one of md, html, jsonld, not 'pdf'"),
        (["-p", "parking", "--lang", "fr"], 2, "error: --lang must be nl or en, not 'fr'"),
        (["-p", "parking", "-o", "/nonexistent/folder/parking.md"], 2, "error: cannot write"),
    ],
)
def test_cli_exit_codes(args: list[str], code: int, expected: str) -> None:
    result = run(*args)
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit | None)
    assert expected in (result.stdout if code == 0 else result.stderr)


def test_cli_writes_the_output_file(tmp_path: Path) -> None:
    target = tmp_path / "parking.html"
    result = run("--pilot", "parking", "--format", "html", "--output", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == render(PARKING, "html")


def test_write_all_writes_every_format_of_every_pilot(registry: Registry, tmp_path: Path) -> None:
    written = write_all(registry, tmp_path / "out")
    expected = {f"{pilot}{suffix}" for pilot in registry.ids for suffix, _ in FORMATS.values()}
    assert {path.name for path in written} == expected
    assert (tmp_path / "out" / "parking.md").read_text(encoding="utf-8") == render(PARKING, "md")


def test_committed_handbook_pages_are_current(registry: Registry, tmp_path: Path) -> None:
    assert PUBLISHED.is_dir(), "regenerate with: python -m core.handbook_docs docs/handbooks"
    fresh = {path.name: path for path in write_all(registry, tmp_path)}
    committed = {
        path.name: path for path in PUBLISHED.iterdir()
        if path.suffix in {suffix for suffix, _ in FORMATS.values()}
    }
    regenerate = "regenerate with: python -m core.handbook_docs docs/handbooks"
    assert sorted(committed) == sorted(fresh), regenerate
    stale = [name for name, path in fresh.items()
             if committed[name].read_text(encoding="utf-8") != path.read_text(encoding="utf-8")]
    assert stale == [], f"out of date: {', '.join(stale)}; {regenerate}"
