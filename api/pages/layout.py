"""The frame of every HTML page of the API, and the pieces pages are made of.

Self-contained: one inline style sheet, no script, font, image or request elsewhere, so the
pages work offline and under a Content-Security-Policy that forbids scripts (sent with each
page, so a missed escape still could not run one). Every value that comes from data or from
the request goes through :func:`html.escape`, in text and in attributes alike. Accessibility:
``lang``, one ``h1``, landmarks (``nav``, ``main``), table headers with ``scope``, captions,
scrollable tables as focusable regions, visible focus, text contrast above 7:1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

import orjson
from fastapi.responses import HTMLResponse

#: No scripts at all, styles only inline, nothing fetched from anywhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)

STYLE = """
body { font: 1rem/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 80rem; padding: 1rem;
       color: #1b1b1b; background: #fff; }
h1, h2 { line-height: 1.2; }
a { color: #0b4f9c; }
a:visited { color: #5b2a86; }
:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
code { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
nav ol { list-style: none; padding: 0; margin: 0 0 1rem; display: flex; flex-wrap: wrap; }
nav li + li::before { content: "\\203A"; padding: 0 .5rem; color: #444; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid #8a8a8a; padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #eee; }
tbody th { font-weight: 600; background: #f7f7f7; }
.null { color: #555; font-style: italic; }
.formats a { margin-right: .75rem; }
figure { margin: 1rem 0; }
figcaption { color: #333; font-size: .9rem; }
svg.map { width: 100%; max-width: 640px; height: auto; border: 1px solid #8a8a8a; }
svg.map .sea { fill: #f4f6f8; }
svg.map .extent { fill: none; stroke: #5a5a5a; stroke-width: 2; stroke-dasharray: 6 4; }
svg.map .feature { fill: #1565c0; fill-opacity: .35; stroke: #0d3c78; stroke-width: 2; }
svg.map .feature circle { fill-opacity: .9; stroke: #fff; }
svg.map polyline { fill: none; stroke-width: 3; }
svg.map .feature a:hover, svg.map .feature a:focus { stroke: #b3261e; fill: #b3261e; }
svg.map .scale line { stroke: #1b1b1b; stroke-width: 2; }
svg.map .scale text { font: 12px system-ui, sans-serif; fill: #1b1b1b; }
"""

#: How the formats read in "This page in other formats".
FORMAT_NAMES = {
    "application/geo+json": "GeoJSON",
    "application/json": "JSON",
    "text/csv": "CSV",
    "application/ld+json": "JSON-LD",
    "application/schema+json": "JSON Schema",
}

Crumb = tuple[str, str | None]  # label, URL (None: this page)


def html_response(text: str, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(
        text, headers={**(headers or {}), "Content-Security-Policy": CONTENT_SECURITY_POLICY}
    )


def page(
    title: str, crumbs: Sequence[Crumb], body: Iterable[str], links: Sequence[dict[str, Any]]
) -> str:
    """A whole page: breadcrumbs, ``h1`` title, body, and its other formats from ``links``."""
    heads = "".join(
        f'<link rel="alternate" type="{escape(item["type"])}" href="{escape(item["href"])}">'
        for item in format_links(links)
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>{heads}<style>{STYLE}</style></head><body>"
        f"<header>{breadcrumbs(crumbs)}</header><main><h1>{escape(title)}</h1>"
        f"{formats_paragraph(links)}{''.join(body)}</main></body></html>"
    )


def breadcrumbs(crumbs: Sequence[Crumb]) -> str:
    items = "".join(
        f'<li><a href="{escape(url)}">{escape(text)}</a></li>'
        if url is not None
        else f'<li aria-current="page">{escape(text)}</li>'
        for text, url in crumbs
    )
    return f'<nav aria-label="Breadcrumb"><ol>{items}</ol></nav>'


def format_links(links: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The document in its other formats: its ``self`` and ``alternate`` links, except HTML."""
    return [
        item
        for item in links
        if item.get("rel") in ("self", "alternate") and item.get("type") != "text/html"
    ]


def formats_paragraph(links: Sequence[dict[str, Any]]) -> str:
    found = format_links(links)
    if not found:
        return ""
    anchors = "".join(
        f'<a href="{escape(item["href"])}" type="{escape(item["type"])}">'
        f"{escape(FORMAT_NAMES.get(item['type'], item['type']))}</a>"
        for item in found
    )
    return f'<p class="formats">This page in other formats: {anchors}</p>'


def anchor(url: str, text: str) -> str:
    return f'<a href="{escape(url)}">{escape(text)}</a>'


def links_table(links: Sequence[dict[str, Any]], caption: str = "Links") -> str:
    """Every link of the document: relation, title (linked) and media type."""
    rows = [
        [
            escape(str(item.get("rel", ""))),
            anchor(str(item["href"]), str(item.get("title") or item["href"])),
            f"<code>{escape(str(item.get('type', '')))}</code>",
        ]
        for item in links
    ]
    return table(caption, ["Relation", "Link", "Media type"], rows)


def table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table of already escaped cells; a row's first cell is its header when it says so."""
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in headers)
    body = "".join("<tr>" + "".join(_cell(cell) for cell in row) + "</tr>" for row in rows)
    return (
        f'<div class="scroll" role="region" tabindex="0" aria-label="{escape(caption)}">'
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def _cell(cell: str) -> str:
    return cell if cell.startswith("<th") else f"<td>{cell}</td>"


#: How a missing value reads: styled apart, so it is not mistaken for the text "null".
NULL = '<span class="null">null</span>'


def row_header(html_text: str) -> str:
    return f'<th scope="row">{html_text}</th>'


def value_html(value: Any) -> str:
    """A property value, escaped: web addresses linked, lists and objects as JSON."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return f"<code>{escape(orjson.dumps(value).decode())}</code>"
    text = str(value)
    if text.startswith(("https://", "http://")) and " " not in text:
        return anchor(text, text)
    return escape(text)


def definition_table(caption: str, pairs: Sequence[tuple[str, Any]]) -> str:
    """A two-column table of name → value, names as row headers."""
    rows = [[row_header(escape(name)), value_html(value)] for name, value in pairs]
    return table(caption, ["Property", "Value"], rows)


def figure(svg: str, caption: str) -> str:
    if not svg:
        return f"<p>{escape(caption)}: no geometry to map.</p>"
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"
