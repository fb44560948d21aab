"""The supplier's validation report as data: the CLI, the API and upload jobs return the same."""

from __future__ import annotations

from typing import Any

from core.ingest.pipeline import IngestSummary


def validation_report(
    name: str, pilot: str, format_id: str, summary: IngestSummary
) -> dict[str, Any]:
    """Counts and every problem of every rejected record, with where it was found."""
    return {
        "file": name,
        "pilot": pilot,
        "format": format_id,
        "records": summary.read,
        "valid": summary.valid,
        "invalid": summary.quarantined,
        "problems": [
            {"origin": report.origin, "position": report.position, **problem.as_dict()}
            for report in summary.rejected
            for problem in report.problems
        ],
    }


def summary_counts(summary: IngestSummary) -> dict[str, Any]:
    """What an ingest did, in numbers: read, valid, quarantined, rows new/updated/unchanged."""
    counts = summary.counts
    return {
        "read": summary.read,
        "valid": summary.valid,
        "quarantined": summary.quarantined,
        "inserted": counts.inserted,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "reasons": dict(summary.reasons.most_common()),
    }


def unreadable_report(name: str, pilot: str, format_id: str, message: str) -> dict[str, Any]:
    """The report of a file that could not be read at all: one ``core.unreadable`` problem."""
    problem = {
        "rule": "core.unreadable",
        "term": None,
        "message": message,
        "found": None,
        "expected": None,
    }
    return {
        "file": name,
        "pilot": pilot,
        "format": format_id,
        "records": 0,
        "valid": 0,
        "invalid": 1,
        "problems": [{"origin": name, "position": None, **problem}],
    }
