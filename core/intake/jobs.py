"""Upload jobs: a supplier's file, kept on disk, run through the pipeline in the background.

A job row says where the file is, how far processing got and, at the end, the ingest summary
and the validation report. Files are kept after processing: a quarantine replay after a
mapping fix reads them again. A job still queued or running when the service stopped is run
again at the next start (storage is idempotent, so a second run stores nothing twice).
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Column, Engine
from sqlmodel import Field, SQLModel

from core.errors import NotFound, UnreadableInput
from core.ingest.files import FileJob, process_file, record_unreadable
from core.ingest.pipeline import IngestSummary
from core.pilot import Registry
from core.reports.model import summary_counts, validation_report
from core.sources import Source, get_source
from core.storage import table_of
from core.types import JsonColumnType, Timestamp

logger = logging.getLogger("stadspuls.intake")

_PROGRESS_EVERY = 1.0  # seconds between two progress writes


class IngestJob(SQLModel, table=True):
    """One uploaded or pushed file and what became of it."""

    __tablename__ = "ingest_job"

    id: str = Field(primary_key=True)
    source: str = Field(index=True)
    key_id: str | None = None
    filename: str
    path: str
    size: int
    status: str  # queued, running, done, failed
    records_read: int = 0
    summary: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JsonColumnType, nullable=True)
    )
    report: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JsonColumnType, nullable=True)
    )
    error: str | None = None
    created_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), sa_column=Column(Timestamp, nullable=False)
    )
    started_at: datetime | None = Field(default=None, sa_column=Column(Timestamp, nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=Column(Timestamp, nullable=True))


def _table() -> sa.Table:
    return table_of(IngestJob)


def new_job_folder(upload_dir: Path) -> tuple[str, Path]:
    """A fresh job id and its own folder under ``upload_dir`` for the job's file."""
    job_id = uuid.uuid4().hex
    folder = upload_dir / job_id
    folder.mkdir(parents=True, exist_ok=False)
    return job_id, folder


def create_job(
    engine: Engine, job_id: str, source: Source, path: Path, key_id: str | None
) -> IngestJob:
    job = IngestJob(
        id=job_id,
        source=source.id,
        key_id=key_id,
        filename=path.name,
        path=str(path),
        size=path.stat().st_size,
        status="queued",
    )
    with engine.begin() as conn:
        conn.execute(sa.insert(_table()), [job.model_dump()])
    return job


def get_job(engine: Engine, job_id: str) -> IngestJob:
    with engine.connect() as conn:
        row = conn.execute(sa.select(_table()).where(_table().c.id == job_id)).mappings().first()
    if row is None:
        raise NotFound(f"there is no job '{job_id}'")
    return IngestJob.model_validate(dict(row))


def jobs_of(engine: Engine, source_id: str, limit: int = 50) -> list[IngestJob]:
    query = (
        sa.select(_table())
        .where(_table().c.source == source_id)
        .order_by(_table().c.created_at.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [IngestJob.model_validate(dict(row)) for row in conn.execute(query).mappings()]


def _update(engine: Engine, job_id: str, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(_table()).where(_table().c.id == job_id).values(**values))


def run_job(engine: Engine, registry: Registry, job_id: str) -> IngestJob:
    """Process the job's file with its source's pilot, format, CRS, time zone and options."""
    job = get_job(engine, job_id)
    source = get_source(engine, job.source)
    pilot = registry.get(source.pilot)
    adapter = pilot.adapter(source.format)
    _update(engine, job_id, status="running", started_at=datetime.now(UTC))
    last = [time.monotonic()]

    def progress(count: int) -> None:
        if time.monotonic() - last[0] >= _PROGRESS_EVERY:
            last[0] = time.monotonic()
            _update(engine, job_id, records_read=count)

    file_job = FileJob(
        Path(job.path), source.id, source.crs, source.timezone, source.options, job.filename
    )
    try:
        summary = process_file(pilot, adapter, file_job, engine, dry_run=False, progress=progress)
    except UnreadableInput as error:
        damaged = IngestSummary()
        record_unreadable(damaged, job.filename, str(error))
        report = validation_report(job.filename, pilot.id, adapter.format_id, damaged)
        _update(
            engine,
            job_id,
            status="failed",
            error=str(error),
            report=report,
            finished_at=datetime.now(UTC),
        )
        return get_job(engine, job_id)
    _update(
        engine,
        job_id,
        status="done",
        records_read=summary.read,
        summary=summary_counts(summary),
        report=validation_report(job.filename, pilot.id, adapter.format_id, summary),
        finished_at=datetime.now(UTC),
    )
    return get_job(engine, job_id)


def run_job_logged(engine: Engine, registry: Registry, job_id: str) -> None:
    """Run a job in the background; an unexpected failure marks it failed instead of vanishing."""
    try:
        run_job(engine, registry, job_id)
    except Exception as error:
        logger.exception("job %s failed", job_id, extra={"event": "job_failed", "job": job_id})
        _update(
            engine,
            job_id,
            status="failed",
            error=f"processing stopped: {error}",
            finished_at=datetime.now(UTC),
        )


def unfinished_jobs(engine: Engine) -> list[str]:
    """Jobs that a stop interrupted (queued or running), oldest first."""
    query = (
        sa.select(_table().c.id)
        .where(_table().c.status.in_(("queued", "running")))
        .order_by(_table().c.created_at)
    )
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(query)]
