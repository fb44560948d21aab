"""The colours of the web interface, in one place, with the contrast arithmetic of WCAG 2.1.

Every colour a page uses comes from here: the map layers (through the page's configuration),
and the interface (through ``/web/palette.css``), so the unit test that computes the contrast
ratios checks what people actually see. Feature colours must stand out from every map
background by 3:1 (WCAG 1.4.11, non-text contrast) and carry white text in legend and detail
badges at 4.5:1 (1.4.3); interface text must reach 4.5:1 on the backgrounds it sits on.
"""

from __future__ import annotations

from collections.abc import Mapping

WHITE = "#ffffff"

#: What features are coloured by, per layer: category -> colour.
LAYER_COLOURS: Mapping[str, Mapping[str, str]] = {
    # parking sites: by status, and by occupancy where the status says spaces are available
    "parking": {
        "free": "#1a7f37",  # under 70 % occupied
        "filling": "#8a5a00",  # 70-90 %
        "almostFull": "#c2410c",  # 90 % or more
        "full": "#a40e26",
        "closed": "#3d4450",
        "unknown": "#636c76",
    },
    "bay": {
        "free": "#1a7f37",
        "occupied": "#a40e26",
        "closed": "#3d4450",
        "unknown": "#636c76",
    },
    "crowding": {
        "calm": "#0a5c8a",
        "normal": "#1a7f37",
        "busy": "#b35900",
        "very-busy": "#a40e26",
        "none": "#636c76",  # no level for that hour (no data, or not enough history)
    },
    "accessibility": {
        "accessible": "#1a7f37",
        "accessible-with-help": "#8a5a00",
        "not-accessible": "#a40e26",
        "unknown": "#636c76",
    },
}

#: Backgrounds a feature can be drawn on: white, the plain background shown when tiles cannot
#: load, and the land colour of the default OpenStreetMap style.
MAP_BACKGROUNDS = {"white": WHITE, "plain": "#eef1f4", "osm-land": "#f2efe9"}

#: Interface colours, exported as CSS custom properties ``--sp-<name>``.
INTERFACE: Mapping[str, str] = {
    "text": "#1f2328",
    "muted": "#57606a",
    "background": WHITE,
    "panel": "#f6f8fa",
    "border": "#6e7781",
    "link": "#0a5c8a",
    "focus": "#0a5c8a",
    "accent": "#0a5c8a",
    "accent-text": WHITE,
    "error": "#a40e26",
    "map-plain": MAP_BACKGROUNDS["plain"],
    "chart-line": "#0a5c8a",
    "chart-baseline": "#57606a",
    "chart-warn": "#a40e26",
}

#: Pairs of (foreground, background) interface names that carry text.
TEXT_PAIRS = (
    ("text", "background"),
    ("text", "panel"),
    ("text", "map-plain"),
    ("muted", "background"),
    ("muted", "panel"),
    ("link", "background"),
    ("link", "panel"),
    ("accent-text", "accent"),
    ("error", "background"),
    ("error", "panel"),
    ("chart-line", "background"),
    ("chart-baseline", "background"),
    ("chart-warn", "background"),
)


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of an ``#rrggbb`` colour."""
    value = colour.removeprefix("#")
    if len(value) != 6:
        raise ValueError(f"not an #rrggbb colour: {colour!r}")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio, from 1 (same) to 21 (black on white); the order does not matter."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def palette_css() -> str:
    """The interface and layer colours as CSS custom properties."""
    lines = [f"  --sp-{name}: {colour};" for name, colour in INTERFACE.items()]
    for layer, colours in LAYER_COLOURS.items():
        lines += [f"  --sp-{layer}-{name}: {colour};" for name, colour in colours.items()]
    swatches = [
        f'.sp-swatch[data-layer="{layer}"][data-category="{name}"] '
        f"{{ background: var(--sp-{layer}-{name}); }}"
        for layer, colours in LAYER_COLOURS.items()
        for name in colours
    ]
    return ":root {\n" + "\n".join(lines) + "\n}\n" + "\n".join(swatches) + "\n"
