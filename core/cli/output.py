"""How CLI results look: summaries for ingest, reports for validate, progress on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import typer

from core.handbook import Handbook
from core.ingest.pipeline import IngestSummary
from core.reports.junit import junit_xml
from core.reports.model import ValidationReport, build_report, validation_report
from core.reports.text import notice_line, report_lines

__all__ = ["Output", "print_report", "print_summary", "print_validation", "validation_report"]

_TOP_REASONS = 5


class Output:
    """Progress on stderr, only where a person is watching (a terminal)."""

    def __init__(self) -> None:
        self.active = sys.stderr.isatty()
        self.shown = False

    def progress(self, name: str) -> Callable[[int], None]:
        def show(count: int) -> None:
            if self.active:
                sys.stderr.write(f"\r{name}: {count:,} records read")
                sys.stderr.flush()
                self.shown = True

        return show

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            self.shown = False


def print_summary(name: str, format_id: str, summary: IngestSummary) -> None:
    counts = summary.counts
    typer.echo(
        f"{name} ({format_id}): {summary.read} records read, {summary.valid} valid; "
        f"{counts.inserted} rows new, {counts.updated} updated, "
        f"{counts.unchanged} unchanged duplicates; {summary.quarantined} records quarantined"
    )
    for rule, count in summary.reasons.most_common(_TOP_REASONS):
        typer.echo(f"  {count} x {rule}: {summary.examples[rule]}")
    for notice in summary.notices[:_TOP_REASONS]:
        typer.echo(notice_line(notice.as_dict()))
    if len(summary.notices) > _TOP_REASONS:
        typer.echo(f"  ... and {len(summary.notices) - _TOP_REASONS} more notices")


def print_validation(
    name: str,
    pilot: str,
    format_id: str,
    summary: IngestSummary,
    output_format: str,
    handbook: Handbook | None = None,
) -> None:
    """The supplier report: per-record text, JSON, or JUnit XML (see :mod:`core.reports`)."""
    if output_format in ("json", "junit"):
        print_report(build_report(name, pilot, format_id, summary, handbook), output_format)
        return
    verdict = "valid" if not summary.quarantined else "INVALID"
    typer.echo(
        f"{name} ({pilot}, {format_id}): {verdict} - {summary.read} records, "
        f"{summary.valid} valid, {summary.quarantined} invalid"
    )
    for report in summary.rejected:
        where = f"record {report.position}" if report.position is not None else "file"
        for problem in report.problems:
            typer.echo(f"  {where}: [{problem.rule}] {problem.term or '-'}: {problem.message}")
            if problem.found is not None or problem.expected:
                typer.echo(f"      found: {problem.found!s}; expected: {problem.expected or '-'}")


def print_report(report: ValidationReport, output_format: str) -> None:
    """A report as JSON, JUnit XML or text grouped by rule."""
    if output_format == "json":
        typer.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    elif output_format == "junit":
        typer.echo(junit_xml([report]).decode("utf-8"), nl=False)
    else:
        typer.echo("\n".join(report_lines(report)))
