"""How values, units and thresholds read in an explanation, in Dutch and English.

An app shows the explanation as is ("entrance door 78 cm (needs ≥ 90 cm)"), so numbers follow
the language's convention (a decimal comma in Dutch) and dimensionless UCUM annotations become
words ("3 steps").
"""

from __future__ import annotations

from typing import Any, Literal

from core.assessment import SYMBOLS, Criterion
from core.labels import Labels

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")

_ANNOTATIONS: dict[str, Labels] = {
    "{steps}": Labels(nl="treden", en="steps"),
    "{spaces}": Labels(nl="plaatsen", en="spaces"),
}

PHRASES: dict[Lang, dict[str, str]] = {
    "en": {
        "yes": "yes",
        "no": "no",
        "needs": "needs",
        "unknown": "unknown",
        "or": "or",
        "depending": "{low} to {high}, depending on the {term} (unknown)",
        "for_rise": "for a {term} of {value}",
        "applies_unknown": "whether it applies is unknown ({terms})",
        "all_pass": "all {count} applicable criteria pass",
        "reported": "reported '{value}' ({term}), a tag, not measured",
    },
    "nl": {
        "yes": "ja",
        "no": "nee",
        "needs": "vereist",
        "unknown": "onbekend",
        "or": "of",
        "depending": "{low} tot {high}, naargelang: {term} (onbekend)",
        "for_rise": "bij een {term} van {value}",
        "applies_unknown": "onbekend of dit van toepassing is ({terms})",
        "all_pass": "alle {count} toepasselijke criteria zijn in orde",
        "reported": "gemeld '{value}' ({term}), een tag, niet gemeten",
    },
}


def pick(labels: Labels, lang: Lang) -> str:
    return labels.nl if lang == "nl" else labels.en


def number(value: float, lang: Lang) -> str:
    text = f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"
    return text.replace(".", ",") if lang == "nl" else text


def unit_text(unit: str | None, lang: Lang) -> str:
    if unit is None:
        return ""
    annotation = _ANNOTATIONS.get(unit)
    return pick(annotation, lang) if annotation is not None else unit


def quantity(value: Any, unit: str | None, lang: Lang) -> str:
    """A value as it reads: ``78 cm``, ``6 %``, ``3 steps``, ``yes``."""
    if isinstance(value, bool):
        return PHRASES[lang]["yes" if value else "no"]
    if isinstance(value, int | float):
        suffix = unit_text(unit, lang)
        return f"{number(float(value), lang)} {suffix}".rstrip()
    return str(value)


def requirement(criterion: Criterion, threshold: Any, lang: Lang) -> str:
    """``≥ 90 cm``, or ``yes`` for a boolean criterion."""
    if isinstance(threshold, bool):
        return quantity(threshold, None, lang)
    return f"{SYMBOLS[criterion.comparison]} {quantity(threshold, criterion.unit, lang)}"
