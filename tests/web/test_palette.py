"""WCAG 2.1 AA contrast of every colour the web interface uses, computed from the palette."""

from __future__ import annotations

import pytest

from api.web.palette import (
    INTERFACE,
    LAYER_COLOURS,
    MAP_BACKGROUNDS,
    TEXT_PAIRS,
    WHITE,
    contrast_ratio,
    palette_css,
)

NON_TEXT = 3.0  # WCAG 1.4.11: graphical objects that carry meaning
TEXT = 4.5  # WCAG 1.4.3: normal-size text

FEATURE_COLOURS = [
    (layer, category, colour)
    for layer, colours in LAYER_COLOURS.items()
    for category, colour in colours.items()
]


def test_contrast_ratio_matches_the_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#ffffff", "#767676") == contrast_ratio("#767676", "#ffffff")
    with pytest.raises(ValueError, match="not an #rrggbb colour"):
        contrast_ratio("red", "#ffffff")


@pytest.mark.parametrize(("layer", "category", "colour"), FEATURE_COLOURS)
@pytest.mark.parametrize("background", MAP_BACKGROUNDS)
def test_features_stand_out_from_every_map_background(
    layer: str, category: str, colour: str, background: str
) -> None:
    assert contrast_ratio(colour, MAP_BACKGROUNDS[background]) >= NON_TEXT


@pytest.mark.parametrize(("layer", "category", "colour"), FEATURE_COLOURS)
def test_badges_carry_readable_white_text(layer: str, category: str, colour: str) -> None:
    assert contrast_ratio(WHITE, colour) >= TEXT


@pytest.mark.parametrize(("foreground", "background"), TEXT_PAIRS)
def test_interface_text_is_readable(foreground: str, background: str) -> None:
    assert contrast_ratio(INTERFACE[foreground], INTERFACE[background]) >= TEXT


def test_focus_ring_and_borders_are_visible() -> None:
    for name in ("focus", "border"):
        for background in ("background", "panel"):
            assert contrast_ratio(INTERFACE[name], INTERFACE[background]) >= NON_TEXT, name


def test_categories_of_a_layer_have_distinct_colours() -> None:
    for layer, colours in LAYER_COLOURS.items():
        unknown = {"unknown", "none"}
        known = [colour for category, colour in colours.items() if category not in unknown]
        assert len(set(known)) == len(known), layer


def test_the_stylesheet_carries_every_colour() -> None:
    css = palette_css()
    for layer, category, colour in FEATURE_COLOURS:
        assert f"--sp-{layer}-{category}: {colour};" in css
        assert f'[data-layer="{layer}"][data-category="{category}"]' in css
    for name, colour in INTERFACE.items():
        assert f"--sp-{name}: {colour};" in css
