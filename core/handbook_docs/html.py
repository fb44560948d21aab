"""A handbook page as one standalone, accessible HTML document, from the same :class:`Page`.

No external assets (the style is inline), the page's language on ``<html>`` and text in the
other language marked with its own ``lang``, one ``<main>``, headings h1 → h2 → h3 in order,
and every table with a ``<caption>`` and ``<th scope>``. All text is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from core.handbook import Handbook
from core.handbook_docs.model import (
    AssessmentSection,
    CodelistSection,
    Constraint,
    EntitySection,
    Link,
    Page,
    PrivacySection,
    build_page,
)
from core.handbook_docs.words import Lang, other, pick

# Contrast (WCAG): text 17.4:1 and links 7.4:1 on white, header cells 14.7:1, borders 5.3:1.
CSS = (
    "body{margin:0;background:#fff;color:#1a1a1a;font:16px/1.5 system-ui,sans-serif}"
    "main{max-width:90rem;margin:0 auto;padding:1rem 1.5rem 3rem}"
    "a{color:#0b50b8}a:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}"
    "caption{text-align:left;font-weight:600;padding:.25rem 0}"
    "th,td{border:1px solid #6b6b6b;padding:.3rem .5rem;text-align:left;vertical-align:top;"
    "overflow-wrap:anywhere}"
    "thead th{background:#ececec}"
    "code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.95em}"
)


def text(value: str) -> str:
    return escape(value, quote=True)


def code(value: str) -> str:
    return f"<code>{text(value)}</code>"


def link(target: Link) -> str:
    return f'<a href="{text(target.href)}">{text(target.text)}</a>'


def links(targets: Iterable[Link], separator: str = ", ") -> str:
    return separator.join(link(target) for target in targets)


def constraint(item: Constraint) -> str:
    return text(item.text) + (link(item.link) if item.link else "")


def in_lang(value: str, lang: Lang, page: Page) -> str:
    """``value`` escaped, marked with its language when it differs from the page's."""
    escaped = text(value)
    return escaped if lang == page.lang else f'<span lang="{lang}">{escaped}</span>'


def cell(content: str, lang: Lang | None = None, page: Page | None = None) -> str:
    marked = f' lang="{lang}"' if lang and page and lang != page.lang else ""
    return f"<td{marked}>{content}</td>"


def table(caption: str, header: list[str], rows: Iterable[tuple[str, list[str]]]) -> list[str]:
    """Rows are (row id, cells); the first cell is the row header."""
    lines = ["<table>", f"<caption>{caption}</caption>", "<thead><tr>"]
    lines += [f'<th scope="col">{title}</th>' for title in header]
    lines += ["</tr></thead>", "<tbody>"]
    for row_id, cells in rows:
        first, *rest = cells
        identity = f' id="{text(row_id)}"' if row_id else ""
        lines.append(f'<tr{identity}><th scope="row">{first}</th>{"".join(rest)}</tr>')
    return [*lines, "</tbody>", "</table>"]


def phrase(page: Page, key: str, **markup: str) -> str:
    """A page phrase, escaped, with its placeholders filled by ready ``markup``."""
    return text(page.word(key, **{name: "{" + name + "}" for name in markup})).format(**markup)


def _entity(page: Page, entity: EntitySection) -> list[str]:
    lines = [
        f'<section id="{text(entity.anchor)}">',
        f"<h3>{text(pick(entity.label, page.lang))} ({code(entity.id)})</h3>",
        f"<p>{text(entity.definition)}</p>",
    ]
    if entity.explicit:
        lines.append(f"<p>{phrase(page, 'explicit', column=code('entity'))}</p>")
    if entity.standards:
        lines.append(f"<p>{text(page.word('standards'))}: {links(entity.standards, ' · ')}</p>")
    header = [text(page.word(key)) for key in ("term", "label_nl", "label_en", "definition")]
    header += [text(page.word(key)) for key in ("datatype", "required", "constraints", "standards")]
    rows = (
        (
            term.anchor,
            [
                code(term.id),
                cell(text(term.label.nl), "nl", page),
                cell(text(term.label.en), "en", page),
                cell(text(term.definition)),
                cell(text(term.datatype)),
                cell(text(page.word("yes" if term.required else "no"))),
                cell("; ".join(constraint(item) for item in term.constraints)),
                cell(links(term.standards, "<br>")),
            ],
        )
        for term in entity.terms
    )
    caption = text(page.word("terms_of", entity=pick(entity.label, page.lang)))
    return [*lines, *table(caption, header, rows), "</section>"]


def _codelist(page: Page, codelist: CodelistSection) -> list[str]:
    lines = [
        f'<section id="{text(codelist.anchor)}">',
        f"<h3>{text(pick(codelist.label, page.lang))} ({code(codelist.id)})</h3>",
    ]
    if codelist.used_by:
        lines.append(f"<p>{text(page.word('used_by'))}: {links(codelist.used_by)}</p>")
    header = [text(page.word(key)) for key in ("code", "label_nl", "label_en", "definition")]
    header.append(text(page.word("standards")))
    rows = (
        (
            "",
            [
                code(item.id),
                cell(text(item.label.nl), "nl", page),
                cell(text(item.label.en), "en", page),
                cell(text(item.definition)),
                cell(links(item.standards, "<br>")),
            ],
        )
        for item in codelist.codes
    )
    caption = text(page.word("codes_of", codelist=pick(codelist.label, page.lang)))
    return [*lines, *table(caption, header, rows), "</section>"]


def _privacy(page: Page, privacy: PrivacySection) -> list[str]:
    keys = ", ".join(code(key) for key in privacy.keys)
    patterns = ", ".join(code(pattern) for pattern in privacy.patterns)
    lines = ['<section id="personal-data">', f"<h2>{text(page.word('personal_data'))}</h2>"]
    lines.append(f"<p>{text(privacy.description)}</p>")
    if keys:
        lines.append(f"<p>{text(page.word('refused_keys'))}: {keys}</p>")
    if patterns:
        lines.append(f"<p>{text(page.word('refused_values'))}: {patterns}</p>")
    return [*lines, "</section>"]


def _rules(page: Page) -> list[str]:
    header = [text(page.word(key)) for key in ("rule", "entity", "terms")]
    header += [text(page.word("description_nl")), text(page.word("description_en"))]
    rows = (
        (
            rule.anchor,
            [
                code(rule.id),
                cell(link(rule.entity)),
                cell(links(rule.terms)),
                cell(text(rule.description.nl), "nl", page),
                cell(text(rule.description.en), "en", page),
            ],
        )
        for rule in page.rules
    )
    caption = text(page.word("rules_caption", pilot=page.pilot))
    return [
        '<section id="rules">',
        f"<h2>{text(page.word('rules'))}</h2>",
        f"<p>{text(page.word('rules_intro'))}</p>",
        *table(caption, header, rows),
        "</section>",
    ]


def _generic_rules(page: Page) -> list[str]:
    header = [text(page.word(key)) for key in ("rule", "meaning", "applies_to")]
    rows = (
        (
            rule.anchor,
            [
                code(rule.id),
                cell(text(rule.meaning), "en", page),
                cell(text(rule.scope) if rule.scope else links(rule.applies_to)),
            ],
        )
        for rule in page.generic_rules
    )
    return [
        '<section id="generic-rules">',
        f"<h2>{text(page.word('generic_rules'))}</h2>",
        f"<p>{text(page.word('generic_intro'))}</p>",
        *table(text(page.word("generic_caption")), header, rows),
        "</section>",
    ]


def _assessment(page: Page, section: AssessmentSection) -> list[str]:
    w = page.word
    lines = ['<section id="assessment">', f"<h2>{text(w('assessment'))}</h2>"]
    lines += [f"<p>{text(section.description)}</p>"]
    lines += [f"<p>{text(w('outcomes'))}: {text(section.outcomes)}</p>"]
    level_rows = (
        ("", [code(i), cell(text(lab.nl), "nl", page), cell(text(lab.en), "en", page),
              cell(text(d))])
        for i, lab, d in section.levels
    )
    header = [text(w(k)) for k in ("level", "label_nl", "label_en", "definition")]
    lines += table(text(w("levels_caption")), header, level_rows)
    lines += [f"<h3>{text(w('criteria'))}</h3>"]
    header = [text(w(k)) for k in ("criterion", "label_nl", "label_en", "terms", "requirement")]
    header += [text(w(k)) for k in ("applies_when", "source", "reference")]
    rows = (
        (
            row.anchor,
            [
                code(row.id),
                cell(text(row.label.nl), "nl", page),
                cell(text(row.label.en), "en", page),
                cell(links(row.terms)),
                cell(text(row.requirement) + (f" ({text(row.note)})" if row.note else "")),
                cell(text(row.applies_when)),
                cell(link(row.source)),
                cell(text(row.reference), "nl", page),
            ],
        )
        for row in section.criteria
    )
    lines += table(text(w("criteria_caption", pilot=page.pilot)), header, rows)
    lines += [f"<h3>{text(w('profiles'))}</h3>"]
    for profile in section.profiles:
        items = "".join(
            f"<li>{text(w('fails_to'))} <em>{text(level)}</em>: {links(criteria)}</li>"
            for level, criteria in profile.by_level
            if criteria
        )
        if profile.reported:
            items += f"<li>{text(w('reported'))}: {code(profile.reported)}</li>"
        lines += [
            f"<p><strong>{text(pick(profile.label, page.lang))}</strong> ({code(profile.id)}): "
            f"{text(profile.definition)}</p>",
            f"<ul>{items}</ul>",
        ]
    lines += [f"<h3>{text(w('sources'))}</h3>", "<ul>"]
    for source in section.sources:
        title = (
            f'<a href="{text(source.url)}">{text(source.title)}</a>'
            if source.url
            else text(source.title)
        )
        lines.append(
            f'<li id="{text(source.anchor)}">{code(source.id)}: {title}. '
            f"{text(source.citation)}</li>"
        )
    return [*lines, "</ul>", "</section>"]


def _contents(page: Page) -> list[str]:
    items = "".join(
        f'<li><a href="#{name}">{text(title)}</a></li>' for name, title in page.sections
    )
    return [f'<nav aria-label="{text(page.word("contents"))}"><ul>{items}</ul></nav>']


def render_page(page: Page) -> str:
    second = other(page.lang)
    heading = (
        f"{text(pick(page.title, page.lang))} — {in_lang(pick(page.title, second), second, page)}"
    )
    command = code(page.command("html"))
    lines = [
        "<!DOCTYPE html>",
        f'<html lang="{page.lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{text(page.heading)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{heading}</h1>",
        f"<p>{text(page.word('version'))} {text(page.version)} · "
        f"{text(page.word('pilot'))} {code(page.pilot)}</p>",
        f"<p>{text(page.description)}</p>",
        f"<p>{phrase(page, 'generated', command=command)}</p>",
        *_contents(page),
        '<section id="entities">',
        f"<h2>{text(page.word('entities'))}</h2>",
    ]
    for entity in page.entities:
        lines += _entity(page, entity)
    lines += ["</section>", '<section id="codelists">', f"<h2>{text(page.word('codelists'))}</h2>"]
    for codelist in page.codelists:
        lines += _codelist(page, codelist)
    lines.append("</section>")
    if page.privacy:
        lines += _privacy(page, page.privacy)
    lines += [*_rules(page), *_generic_rules(page)]
    if page.assessment is not None:
        lines += _assessment(page, page.assessment)
    lines += ["</main>", "</body>", "</html>"]
    return "\n".join(lines) + "\n"


def render(handbook: Handbook, lang: Lang = "en") -> str:
    """The handbook's HTML page in ``lang`` (labels are always shown in both languages)."""
    return render_page(build_page(handbook, lang))
