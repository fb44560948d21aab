"""Supplier files into the pipeline: choose the adapter, read, and never lose an unreadable file.

A file that cannot be read at all (empty, truncated, wrong format) is one clear error for the
caller; when ingesting, its content is also quarantined as one record so it is not lost. The
supplier's validation service asks :func:`check_file` instead, which reports that damage as one
more invalid record (rule ``core.unreadable``), so every upload gets a report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from core.errors import UnreadableInput
from core.ingest.activity import record_activity
from core.ingest.envelope import Problem, RawRecord, ReadContext
from core.ingest.pipeline import IngestSummary, Pipeline, Progress, RecordReport
from core.ingest.quarantine import quarantine_row, store_quarantine
from core.pilot import Adapter, Pilot

#: How much of an unreadable file quarantine keeps (the supplier still has the file).
QUARANTINE_FILE_LIMIT = 1024 * 1024
#: The rule of a file or payload that cannot be read (at all, or from some point on).
UNREADABLE_RULE = "core.unreadable"
_SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileJob:
    """One file to read, with what the caller declares about it."""

    path: Path
    source: str | None = None
    crs: str | None = None
    timezone: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)  # the source's adapter settings
    origin: str | None = None  # the name records are quarantined under; the file name if unset


def choose_adapter(pilot: Pilot, path: Path, format_id: str | None) -> Adapter:
    """The adapter for ``path``: the one asked for, else the single one that recognises it."""
    if format_id is not None:
        return pilot.adapter(format_id)
    if not path.is_file():
        raise UnreadableInput(f"{path}: no such file")
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head.strip():
        raise UnreadableInput(f"{path.name}: the file is empty")
    return pilot.detect(head, path.name)


def process_file(
    pilot: Pilot,
    adapter: Adapter,
    job: FileJob,
    engine: Engine | None,
    *,
    dry_run: bool,
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> IngestSummary:
    """Run one file through the pipeline; re-raise UnreadableInput after quarantining it."""
    if not job.path.is_file():
        raise UnreadableInput(f"{job.path}: no such file")
    context = _context(job, adapter)
    pipeline = Pipeline(pilot, adapter, engine, dry_run=dry_run, batch_size=batch_size)
    try:
        with job.path.open("rb") as stream:
            if not stream.read(1):
                raise UnreadableInput(f"{job.path.name}: the file is empty")
            stream.seek(0)
            return pipeline.run(adapter.read(stream, context), context, progress)
    except UnreadableInput as error:
        if not dry_run and engine is not None:
            _quarantine_file(pilot, adapter, job.path, context, str(error), engine)
        raise


def check_file(
    pilot: Pilot, adapter: Adapter, job: FileJob, engine: Engine | None
) -> IngestSummary:
    """A dry run whose summary reports an unreadable file instead of raising.

    What was read before the damage counts as usual; the damage itself (an empty, truncated or
    malformed file) is one more invalid record with rule ``core.unreadable``, as ingestion would
    quarantine it as one record. A path that is not a file still raises: that is the caller's
    mistake, not the supplier's.
    """
    if not job.path.is_file():
        raise UnreadableInput(f"{job.path}: no such file")
    context = _context(job, adapter)
    pipeline = Pipeline(pilot, adapter, engine, dry_run=True)
    summary = IngestSummary()
    failure: UnreadableInput | None
    with job.path.open("rb") as stream:
        if not stream.read(1):
            failure = UnreadableInput(f"{job.path.name}: the file is empty")
        else:
            stream.seek(0)
            try:
                summary, failure = pipeline.run_until_unreadable(
                    adapter.read(stream, context), context
                )
            except UnreadableInput as error:  # an adapter that checks before it yields
                failure = error
    if failure is not None:
        record_unreadable(summary, context.origin, str(failure))
    return summary


def record_unreadable(summary: IngestSummary, origin: str, reason: str) -> None:
    """Count the unreadable (rest of an) input as one invalid record of ``summary``."""
    summary.read += 1
    summary.reject(RecordReport(origin, None, [Problem(UNREADABLE_RULE, reason)]))


def _context(job: FileJob, adapter: Adapter) -> ReadContext:
    return ReadContext(
        source=job.source or adapter.format_id,
        origin=job.origin or job.path.name,
        received_at=datetime.now(UTC),
        crs=job.crs,
        timezone=job.timezone,
        options=dict(job.options),
    )


def _quarantine_file(
    pilot: Pilot, adapter: Adapter, path: Path, context: ReadContext, reason: str, engine: Engine
) -> None:
    content = path.read_bytes()[:QUARANTINE_FILE_LIMIT]
    if not content.strip():
        return
    raw = RawRecord(context.source, context.origin, None, context.received_at, content)
    row = quarantine_row(pilot.id, adapter.format_id, raw, [Problem(UNREADABLE_RULE, reason)])
    with engine.begin() as conn:
        store_quarantine(conn, [row])
        record_activity(conn, context.source, context.received_at, 0, 1)
