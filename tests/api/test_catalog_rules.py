"""The catalogue's pure rules: which licence a dataset gets, and its update frequency."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from api.dcat.licences import dataset_licence
from api.dcat.vocabulary import frequency_code, licence_uri
from core.pilot import Collection


def collection(licence: str = "CC0-1.0") -> Collection:
    return Collection(
        id="things", title="Things", description="Some things.",
        query=lambda: sa.select(sa.literal(1)), properties=(), licence=licence,
    )


def test_an_override_wins_over_sources_and_the_collection() -> None:
    assert dataset_licence(collection(), ["CC-BY-4.0"], {"things": "ODbL-1.0"}) == "ODbL-1.0"


def test_sources_that_agree_decide() -> None:
    assert dataset_licence(collection(), ["CC-BY-4.0", "CC-BY-4.0"], {}) == "CC-BY-4.0"


def test_without_sources_the_collection_decides() -> None:
    assert dataset_licence(collection("CC-BY-4.0"), [], {}) == "CC-BY-4.0"


def test_sources_that_disagree_fall_back_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="api.dcat.licences"):
        assert dataset_licence(collection(), ["CC-BY-4.0", "CC0-1.0"], {}) == "CC0-1.0"
    assert "STADSPULS_CATALOG_LICENCES" in caplog.text
    assert "things" in caplog.text


@pytest.mark.parametrize(
    ("licence", "uri"),
    [
        ("CC0-1.0", "https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0"),
        ("CC-BY-4.0", "http://spdx.org/licenses/CC-BY-4.0"),
        ("https://example.org/licence", "https://example.org/licence"),
    ],
)
def test_licences_become_uris(licence: str, uri: str) -> None:
    assert licence_uri(licence) == uri


@pytest.mark.parametrize(
    ("declared", "interval", "code"),
    [
        ("IRREG", 60, "IRREG"),
        (None, None, "UNKNOWN"),
        (None, 30, "UPDATE_CONT"),
        (None, 60, "UPDATE_CONT"),
        (None, 61, "5MIN"),
        (None, 900, "15MIN"),
        (None, 3600, "HOURLY"),
        (None, 7200, "DAILY"),
        (None, 10**7, "IRREG"),
    ],
)
def test_frequency_is_declared_or_follows_the_update_interval(
    declared: str | None, interval: int | None, code: str
) -> None:
    assert frequency_code(declared, interval) == code
