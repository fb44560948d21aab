"""The validation service's HTML: an upload form, and a report grouped by rule.

Self-contained pages: no script, no external style sheet, font or image, so they work offline
and under a strict Content-Security-Policy. Everything that comes from the input (file name,
found values, messages that quote the input) goes through :func:`html.escape`; the page is also
served with a CSP that forbids scripts, so a missed escape still could not run one.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from core.pilot import Registry
from core.reports.model import RuleGroup, ValidationReport
from core.reports.text import plural

#: Served with every page: no scripts at all, styles only inline, forms only to this site.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)

_STYLE = """
body { font: 1rem/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem;
       color: #1b1b1b; background: #fff; }
h1, h2, h3 { line-height: 1.2; }
code { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid #8a8a8a; padding: .3rem .5rem; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #eee; }
.verdict { font-size: 1.25rem; padding: .75rem 1rem; border: 3px solid; }
.valid { border-color: #176b29; background: #e6f4e9; }
.invalid { border-color: #a1150c; background: #fbe9e7; }
form { display: grid; gap: .75rem; max-width: 36rem; }
label { font-weight: 600; display: block; }
input, select, button { font: inherit; padding: .35rem; }
button { width: max-content; padding: .4rem 1.2rem; }
:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.hint { font-weight: 400; color: #444; }
"""


def form_page(registry: Registry) -> str:
    """``GET /validate``: what the service does and the upload form."""
    body = [
        "<h1>Check your data before go-live</h1>",
        "<p>Upload a file to check it against the pilot's definitions handbook. Nothing is "
        "stored: the report lists every problem, grouped by rule.</p>",
        upload_form(registry),
        "<p>The same service answers <code>POST /validate</code> with JSON (default) or JUnit "
        'XML (<code>f=junit</code>) for scripts and CI; see <a href="docs">the API '
        "documentation</a>.</p>",
    ]
    return _page("Validate your data", body)


def report_page(report: ValidationReport, registry: Registry) -> str:
    """The report: verdict, rules broken (count, terms, meaning, examples), then the form."""
    body = [
        "<h1>Validation report</h1>",
        _verdict(report),
        *(_rule_section(group, report) for group in report.rules),
        "<h2>Check another file</h2>",
        upload_form(registry, report.pilot, report.format),
    ]
    return _page(f"Validation report: {report.name}", body)


def upload_form(registry: Registry, pilot: str | None = None, format_id: str | None = None) -> str:
    """The form; every control has a label, the native controls keep it keyboard usable."""
    pilots = "".join(
        _option(candidate.id, f"{candidate.title} ({candidate.id})", candidate.id == pilot)
        for candidate in registry
    )
    groups = "".join(
        f'<optgroup label="{escape(candidate.title)}">'
        + "".join(
            _option(adapter_id, f"{adapter_id}: {adapter.title}", adapter_id == format_id)
            for adapter_id, adapter in sorted(candidate.adapters.items())
        )
        + "</optgroup>"
        for candidate in registry
    )
    return (
        '<form method="post" action="validate?f=html" enctype="multipart/form-data">'
        '<div><label for="file">File</label>'
        '<input type="file" id="file" name="file" required></div>'
        '<div><label for="pilot">Pilot</label>'
        f'<select id="pilot" name="pilot" required>{pilots}</select></div>'
        '<div><label for="format">Format <span class="hint">(detected when left on '
        "automatic)</span></label>"
        f'<select id="format" name="format">{_option("", "automatic", not format_id)}'
        f"{groups}</select></div>"
        '<div><label for="crs">CRS of the coordinates <span class="hint">(optional, e.g. '
        'EPSG:31370)</span></label><input type="text" id="crs" name="crs"></div>'
        '<div><label for="timezone">Time zone of times without offset <span class="hint">'
        "(optional, e.g. Europe/Brussels)</span></label>"
        '<input type="text" id="timezone" name="timezone"></div>'
        '<button type="submit">Validate</button>'
        "</form>"
    )


def _verdict(report: ValidationReport) -> str:
    word, css = ("Valid", "valid") if report.is_valid else ("Invalid", "invalid")
    fmt = report.format or "format unknown"
    details = f"{plural(report.records, 'record')}: {report.valid} valid, {report.invalid} invalid"
    if not report.is_valid:
        details += f"; {plural(len(report.rules), 'rule')} broken"
    return (
        f'<p class="verdict {css}" role="status"><strong>{word}</strong>: '
        f"<code>{escape(report.name)}</code> ({escape(report.pilot)}, {escape(fmt)}). "
        f"{escape(details)}.</p>"
    )


def _rule_section(group: RuleGroup, report: ValidationReport) -> str:
    terms = ", ".join(
        f"<code>{escape(term.id)}</code>" + (f" ({escape(term.label)})" if term.label else "")
        for term in group.terms
    )
    parts = [
        f'<section aria-labelledby="rule-{escape(group.rule)}">',
        f'<h2 id="rule-{escape(group.rule)}"><code>{escape(group.rule)}</code>: '
        f"{escape(plural(group.records, 'record'))}, "
        f"{escape(plural(group.problems, 'problem'))}</h2>",
    ]
    if group.meaning:
        parts.append(f"<p>{escape(group.meaning)}</p>")
    if terms:
        parts.append(f"<p>Handbook terms: {terms}</p>")
    parts.append(_examples(group, report))
    parts.append("</section>")
    return "".join(parts)


def _examples(group: RuleGroup, report: ValidationReport) -> str:
    shown = len(group.examples)
    caption = f"Examples ({shown} of {group.problems})" if group.problems > shown else "Problems"
    head = "".join(
        f'<th scope="col">{name}</th>'
        for name in ("Record", "Term", "Message", "Found", "Expected")
    )
    rows = "".join(_example_row(example) for example in group.examples)
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _example_row(example: dict[str, Any]) -> str:
    position = example["position"]
    cells: Iterable[object] = (
        position if position is not None else "whole input",
        example["term"] or "-",
        example["message"],
        "-" if example["found"] is None else example["found"],
        example["expected"] or "-",
    )
    return "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in cells) + "</tr>"


def _option(value: str, label: str, selected: bool) -> str:
    chosen = " selected" if selected else ""
    return f'<option value="{escape(value)}"{chosen}>{escape(label)}</option>'


def _page(title: str, body: Iterable[str]) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>"
    )
