"""Quarantine replay: after a supplier or mapping fix, run rejected records through again.

Nothing rejected is lost for good: a quarantined record is kept with its raw content, and a
replay re-runs it through today's pipeline (today's adapter, handbook and source settings).
Two kinds of records can be replayed:

* records of a file the platform still has (uploads and pushes are kept): the whole file is
  processed again — storage is idempotent, so what was stored before stays as it was — and
  the file's quarantined records that now pass are marked resolved;
* MQTT messages: their payload is kept whole, so each runs through the worker's own path again.

Records of files delivered some other way (``stadspuls ingest`` on a local file) are counted as
not replayable: ingest the corrected file again. A record that still fails stays in
quarantine with its new reasons; a resolved one stays too, marked with when it was resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from core.ingest.envelope import Problem
from core.ingest.files import FileJob, process_file
from core.ingest.messages import MessageRouter
from core.ingest.quarantine import QuarantineRecord
from core.intake.jobs import IngestJob
from core.pilot import Registry
from core.sources import Source, topic_matches
from core.storage import table_of

REPLAY_LIMIT = 10_000  # quarantined records looked at per replay request


@dataclass
class ReplayResult:
    attempted: int = 0
    resolved: int = 0
    still_quarantined: int = 0
    not_replayable: int = 0
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "attempted": self.attempted,
            "resolved": self.resolved,
            "still_quarantined": self.still_quarantined,
            "not_replayable": self.not_replayable,
            "files": self.files,
        }


@dataclass(frozen=True)
class _Message:
    """A kept MQTT payload in the shape the router reads."""

    topic: str
    payload: bytes
    received_at: datetime


def replay_quarantine(
    engine: Engine,
    registry: Registry,
    source: Source,
    rule: str | None = None,
    ids: list[str] | None = None,
) -> ReplayResult:
    """Replay the unresolved quarantined records of ``source`` (optionally one rule, or ids)."""
    rows = _unresolved(engine, source.id, rule, ids)
    by_origin: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_origin.setdefault(row["origin"], []).append(row)
    kept = _kept_files(engine, source.id)
    result = ReplayResult()
    for origin, records in by_origin.items():
        result.attempted += len(records)
        if origin in kept:
            _replay_file(engine, registry, source, kept[origin], records, result)
        elif source.accepts("mqtt") and topic_matches(source.topic_filter, origin):
            _replay_messages(engine, registry, source, records, result)
        else:
            result.not_replayable += len(records)
    return result


def _unresolved(
    engine: Engine, source_id: str, rule: str | None, ids: list[str] | None
) -> list[dict[str, Any]]:
    table = table_of(QuarantineRecord)
    query = (
        sa.select(table)
        .where(table.c.source == source_id, table.c.resolved_at.is_(None))
        .order_by(table.c.received_at)
        .limit(REPLAY_LIMIT)
    )
    if ids:
        query = query.where(table.c.id.in_(ids))
    with engine.connect() as conn:
        rows = [dict(row) for row in conn.execute(query).mappings()]
    if rule is not None:
        rows = [row for row in rows if rule in row["rules"].split()]
    return rows


def _kept_files(engine: Engine, source_id: str) -> dict[str, IngestJob]:
    """The newest kept file per origin name among the source's jobs."""
    table = table_of(IngestJob)
    query = sa.select(table).where(table.c.source == source_id).order_by(table.c.created_at)
    with engine.connect() as conn:
        jobs = [IngestJob.model_validate(dict(row)) for row in conn.execute(query).mappings()]
    return {job.filename: job for job in jobs if Path(job.path).is_file()}


def _replay_file(
    engine: Engine,
    registry: Registry,
    source: Source,
    job: IngestJob,
    records: list[dict[str, Any]],
    result: ReplayResult,
) -> None:
    pilot = registry.get(source.pilot)
    adapter = pilot.adapter(source.format)
    file_job = FileJob(
        Path(job.path), source.id, source.crs, source.timezone, source.options, job.filename
    )
    result.files.append(job.filename)
    try:
        summary = process_file(pilot, adapter, file_job, engine, dry_run=False)
    except Exception as error:  # still unreadable: every record of it stays
        failing: dict[int | None, list[Problem]] = {
            row["position"]: [Problem("core.unreadable", str(error))] for row in records
        }
    else:
        failing = {report.position: report.problems for report in summary.rejected}
    _settle(engine, records, failing, result)


def _replay_messages(
    engine: Engine,
    registry: Registry,
    source: Source,
    records: list[dict[str, Any]],
    result: ReplayResult,
) -> None:
    router = MessageRouter(registry, engine, [source], keep_reports=True)
    for row in records:
        message = _Message(row["origin"], row["raw"].encode("utf-8"), row["received_at"])
        problems = router.replay(message)
        _settle(engine, [row], {row["position"]: problems} if problems else {}, result)


def _settle(
    engine: Engine,
    records: list[dict[str, Any]],
    failing: dict[int | None, list[Problem]],
    result: ReplayResult,
) -> None:
    """Mark what passed as resolved; give what still fails its new reasons."""
    table = table_of(QuarantineRecord)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for row in records:
            problems = failing.get(row["position"])
            values: dict[str, Any] = {"replayed_at": now}
            if problems is None:
                values["resolved_at"] = now
                result.resolved += 1
            else:
                values["reasons"] = [problem.as_dict() for problem in problems]
                values["rules"] = " ".join(sorted({problem.rule for problem in problems}))
                result.still_quarantined += 1
            conn.execute(sa.update(table).where(table.c.id == row["id"]).values(**values))
