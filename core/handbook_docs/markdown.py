"""A handbook page as GitHub-flavoured Markdown, laid out from :mod:`core.handbook_docs.model`.

Anchors are explicit (``<a id="…"></a>``) so links into the page do not depend on how a
Markdown host turns headings into slugs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
from core.handbook_docs.words import Lang, pick

_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_SPACE = re.compile(r"\s+")


def text(value: str) -> str:
    """Inline text with Markdown's special characters escaped; one line, safe in a table."""
    return _SPECIAL.sub(r"\\\1", _SPACE.sub(" ", value))


def code(value: str, in_table: bool = False) -> str:
    """A code span; in a table cell a ``|`` is escaped (GFM reads cells before code spans)."""
    if in_table:
        value = value.replace("|", "\\|")
    fence, pad = ("``", " ") if "`" in value else ("`", "")
    return f"{fence}{pad}{value}{pad}{fence}"


def link(target: Link) -> str:
    href = f"<{target.href}>" if re.search(r"[\s()<>]", target.href) else target.href
    return f"[{text(target.text)}]({href})"


def links(targets: Iterable[Link], separator: str = ", ") -> str:
    return separator.join(link(target) for target in targets)


def anchor(name: str) -> str:
    return f'<a id="{name}"></a>'


def constraint(item: Constraint) -> str:
    return text(item.text) + (link(item.link) if item.link else "")


def table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(cell or " " for cell in row) + " |" for row in rows)
    return [*lines, ""]


def _entity(page: Page, entity: EntitySection) -> list[str]:
    heading = f"### {text(pick(entity.label, page.lang))} ({code(entity.id)})"
    lines = [anchor(entity.anchor), heading, "", text(entity.definition)]
    if entity.explicit:
        lines += ["", page.word("explicit", column=code("entity"))]
    if entity.standards:
        lines += ["", f"{page.word('standards')}: {links(entity.standards, ' · ')}"]
    header = [page.word(key) for key in ("term", "label_nl", "label_en", "definition")]
    header += [page.word(key) for key in ("datatype", "required", "constraints", "standards")]
    rows = (
        [
            anchor(term.anchor) + code(term.id, in_table=True),
            text(term.label.nl),
            text(term.label.en),
            text(term.definition),
            text(term.datatype),
            page.word("yes" if term.required else "no"),
            "; ".join(constraint(item) for item in term.constraints),
            links(term.standards, "<br>"),
        ]
        for term in entity.terms
    )
    return [*lines, "", *table(header, rows)]


def _codelist(page: Page, codelist: CodelistSection) -> list[str]:
    heading = f"### {text(pick(codelist.label, page.lang))} ({code(codelist.id)})"
    lines = [anchor(codelist.anchor), heading, ""]
    if codelist.used_by:
        lines += [f"{page.word('used_by')}: {links(codelist.used_by)}", ""]
    header = [page.word(key) for key in ("code", "label_nl", "label_en", "definition", "standards")]
    rows = (
        [
            code(item.id, in_table=True),
            text(item.label.nl),
            text(item.label.en),
            text(item.definition),
            links(item.standards, "<br>"),
        ]
        for item in codelist.codes
    )
    return lines + table(header, rows)


def _privacy(page: Page, privacy: PrivacySection) -> list[str]:
    lines = [
        anchor("personal-data"),
        f"## {page.word('personal_data')}",
        "",
        text(privacy.description),
    ]
    if privacy.keys:
        keys = ", ".join(code(key) for key in privacy.keys)
        lines += ["", f"{page.word('refused_keys')}: {keys}"]
    if privacy.patterns:
        patterns = ", ".join(code(pattern) for pattern in privacy.patterns)
        lines += ["", f"{page.word('refused_values')}: {patterns}"]
    return [*lines, ""]


def _rules(page: Page) -> list[str]:
    header = [page.word(key) for key in ("rule", "entity", "terms")]
    header += [page.word("description_nl"), page.word("description_en")]
    rows = (
        [
            anchor(rule.anchor) + code(rule.id, in_table=True),
            link(rule.entity),
            links(rule.terms),
            text(rule.description.nl),
            text(rule.description.en),
        ]
        for rule in page.rules
    )
    return [
        anchor("rules"),
        f"## {page.word('rules')}",
        "",
        page.word("rules_intro"),
        "",
        *table(header, rows),
    ]


def _generic_rules(page: Page) -> list[str]:
    header = [page.word(key) for key in ("rule", "meaning", "applies_to")]
    rows = (
        [
            anchor(rule.anchor) + code(rule.id, in_table=True),
            text(rule.meaning),
            text(rule.scope) if rule.scope else links(rule.applies_to),
        ]
        for rule in page.generic_rules
    )
    return [
        anchor("generic-rules"),
        f"## {page.word('generic_rules')}",
        "",
        page.word("generic_intro"),
        "",
        *table(header, rows),
    ]


def _assessment(page: Page, section: AssessmentSection) -> list[str]:
    lines = [anchor("assessment"), f"## {page.word('assessment')}", "", text(section.description)]
    lines += ["", f"{page.word('outcomes')}: {text(section.outcomes)}", ""]
    lines += table(
        [page.word("level"), page.word("label_nl"), page.word("label_en"), page.word("definition")],
        (
            [code(level, True), text(label.nl), text(label.en), text(definition)]
            for level, label, definition in section.levels
        ),
    )
    lines += [f"### {page.word('criteria')}", ""]
    header = [page.word(k) for k in ("criterion", "label_nl", "label_en", "terms", "requirement")]
    header += [page.word(k) for k in ("applies_when", "source", "reference")]
    rows = (
        [
            anchor(row.anchor) + code(row.id, in_table=True),
            text(row.label.nl),
            text(row.label.en),
            links(row.terms),
            text(row.requirement) + (f" ({text(row.note)})" if row.note else ""),
            text(row.applies_when),
            link(row.source),
            text(row.reference),
        ]
        for row in section.criteria
    )
    lines += table(header, rows)
    lines += [f"### {page.word('profiles')}", ""]
    for profile in section.profiles:
        lines += [f"**{text(pick(profile.label, page.lang))}** ({code(profile.id)}): "
                  f"{text(profile.definition)}", ""]
        for level, criteria in profile.by_level:
            if criteria:
                lines += [f"- {page.word('fails_to')} *{text(level)}*: {links(criteria)}"]
        if profile.reported:
            lines += [f"- {page.word('reported')}: {code(profile.reported)}"]
        lines.append("")
    lines += [f"### {page.word('sources')}", ""]
    for source in section.sources:
        title = f"[{text(source.title)}]({source.url})" if source.url else text(source.title)
        lines += [f"- {anchor(source.anchor)}{code(source.id)}: {title}. {text(source.citation)}"]
    return [*lines, ""]


def render_page(page: Page) -> str:
    contents = " · ".join(f"[{title}](#{name})" for name, title in page.sections)
    lines = [
        f"# {text(page.heading)}",
        "",
        f"{page.word('version')} {text(page.version)} · {page.word('pilot')} {code(page.pilot)}",
        "",
        text(page.description),
        "",
        page.word("generated", command=code(page.command("md"))),
        "",
        f"{page.word('contents')}: {contents}",
        "",
        anchor("entities"),
        f"## {page.word('entities')}",
        "",
    ]
    for entity in page.entities:
        lines += _entity(page, entity)
    lines += [anchor("codelists"), f"## {page.word('codelists')}", ""]
    for codelist in page.codelists:
        lines += _codelist(page, codelist)
    if page.privacy is not None:
        lines += _privacy(page, page.privacy)
    lines += _rules(page)
    lines += _generic_rules(page)
    if page.assessment is not None:
        lines += ["", *_assessment(page, page.assessment)]
    return "\n".join(lines).rstrip("\n") + "\n"


def render(handbook: Handbook, lang: Lang = "en") -> str:
    """The handbook's Markdown page in ``lang`` (labels are always shown in both languages)."""
    return render_page(build_page(handbook, lang))
