"""The accessibility handbook pages document the assessment from the data the assessor uses."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import core.cli.handbook  # noqa: F401  (registers the command on the app)
from core.cli.main import app
from core.handbook_docs import html, markdown, render
from core.handbook_docs.assessment import requirement
from core.handbook_docs.skos import criterion_id
from pilots.accessibility import pilot

HANDBOOK = pilot().handbook
ASSESSMENT = HANDBOOK.assessment
assert ASSESSMENT is not None


@pytest.mark.parametrize("output_format", ["md", "html"])
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_criterion_is_on_the_page_with_its_threshold_and_source(
    output_format: str, lang: str
) -> None:
    page = render(HANDBOOK, output_format, "nl" if lang == "nl" else "en")
    escape = markdown.text if output_format == "md" else html.text
    for criterion in ASSESSMENT.criteria:
        assert f"criterion-{criterion.id}" in page
        assert escape(requirement(criterion, HANDBOOK, "nl" if lang == "nl" else "en")) in page
    for source in ASSESSMENT.sources:
        assert escape(source.citation) in page
    assert "≥ 90 cm" in page and "art. 22 §2" in page


def test_the_jsonld_carries_the_thresholds_as_numbers() -> None:
    document = json.loads(render(HANDBOOK, "jsonld"))
    nodes = {node["@id"]: node for node in document["@graph"]}
    door = nodes[criterion_id(HANDBOOK, "entrance.door-width")]
    assert (door["comparison"], door["threshold"], door["unit"]) == ("at_least", 90, "cm")
    slope = nodes[criterion_id(HANDBOOK, "ramp.slope")]
    assert slope["thresholdSteps"] == [
        {"threshold": 10, "below": 10}, {"threshold": 8.3, "below": 25},
        {"threshold": 6.25, "below": 50}, {"threshold": 5}]
    assert nodes[door["source"]]["bibliographicCitation"].startswith("BVR 5 juni 2009")


def test_the_cli_prints_the_accessibility_handbook_as_jsonld() -> None:
    result = CliRunner().invoke(app, ["handbook", "--pilot", "accessibility", "-f", "jsonld"])
    assert result.exit_code == 0
    assert "ramp.slope" in result.output
