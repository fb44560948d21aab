"""Handbook pages generated from the handbook data: Markdown, HTML and SKOS JSON-LD.

The pages are derived from the same :class:`core.handbook.Handbook` the validator enforces (and
list :data:`core.validation.GENERIC_RULES`), so the documentation cannot drift from the checks.
``write_all`` publishes every registered pilot's pages (``docs/handbooks/`` in the repository:
``python -m core.handbook_docs docs/handbooks`` regenerates them).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import UnknownFormat
from core.handbook import Handbook
from core.handbook_docs import html, markdown, skos
from core.handbook_docs.words import LANGS, Lang

if TYPE_CHECKING:
    from core.pilot import Registry

__all__ = ["FORMATS", "LANGS", "Lang", "render", "write_all"]


def _jsonld(handbook: Handbook, lang: Lang) -> str:
    return skos.render(handbook)  # carries both languages


#: Format id → (file suffix, renderer).
FORMATS: dict[str, tuple[str, Callable[[Handbook, Lang], str]]] = {
    "md": (".md", markdown.render),
    "html": (".html", html.render),
    "jsonld": (".jsonld", _jsonld),
}


def render(handbook: Handbook, output_format: str, lang: Lang = "en") -> str:
    """The handbook page in ``output_format`` (md, html or jsonld)."""
    try:
        _, renderer = FORMATS[output_format]
    except KeyError:
        known = ", ".join(FORMATS)
        raise UnknownFormat(
            f"unknown handbook format '{output_format}'; known formats: {known}"
        ) from None
    return renderer(handbook, lang)


def write_all(registry: Registry, folder: Path, lang: Lang = "en") -> list[Path]:
    """Write ``{pilot}.md``, ``{pilot}.html`` and ``{pilot}.jsonld`` of every registered pilot."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for pilot in registry:
        for output_format, (suffix, _) in FORMATS.items():
            path = folder / f"{pilot.id}{suffix}"
            path.write_text(render(pilot.handbook, output_format, lang), encoding="utf-8")
            written.append(path)
    return written
