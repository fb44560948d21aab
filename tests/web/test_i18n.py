"""Both languages have every text, and the messages the scripts and templates use exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.web.i18n import LANGUAGES, MESSAGES, choose_language
from api.web.palette import LAYER_COLOURS
from api.web.routes import PROFILES

WEB = Path(__file__).resolve().parents[2] / "api" / "web"


def test_dutch_and_english_have_the_same_keys_and_no_empty_text() -> None:
    assert set(MESSAGES["nl"]) == set(MESSAGES["en"])
    for language in LANGUAGES:
        assert all(text.strip() for text in MESSAGES[language].values()), language


def test_every_key_the_pages_name_exists() -> None:
    named: set[str] = set()
    for path in [*WEB.glob("templates/*.html"), *WEB.glob("static/js/*.js")]:
        text = path.read_text(encoding="utf-8")
        named |= set(re.findall(r"""t\[["']([a-z][\w.-]+)["']\]""", text))
        named |= set(re.findall(r"""\bt\(["']([a-z][\w.-]+)["']\)""", text))
    assert named, "the pattern finds the keys"
    assert named - set(MESSAGES["en"]) == set()


def test_every_legend_category_and_profile_has_a_name() -> None:
    for layer, colours in LAYER_COLOURS.items():
        for category in colours:
            assert f"{layer}.{category}" in MESSAGES["en"]
    for profile in PROFILES:
        assert f"profile.{profile}" in MESSAGES["nl"]


@pytest.mark.parametrize(
    ("asked", "accept", "expected"),
    [
        ("en", "nl", "en"),
        ("de", "en", "en"),
        (None, "de-DE, en-US;q=0.8, nl;q=0.9", "nl"),
        (None, "en;q=0", "nl"),
        (None, "en;q=abc, nl", "nl"),
        (None, None, "nl"),
    ],
)
def test_choose_language(asked: str | None, accept: str | None, expected: str) -> None:
    assert choose_language(asked, accept) == expected
