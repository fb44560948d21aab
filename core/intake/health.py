"""A source's health: is data coming, how much, and how much of it is rejected, and why.

Read from :mod:`core.ingest.activity` (stored and quarantined per hour) and the quarantine
table (the reasons), over a window of the last ``hours`` hours.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from core.ingest.activity import activity_table
from core.ingest.quarantine import QuarantineRecord
from core.storage import table_of

TOP_REASONS = 5
_REASON_SAMPLE = 10_000  # newest quarantine rows read to rank the reasons


def source_health(
    engine: Engine, source_id: str, hours: int = 24, now: datetime | None = None
) -> dict[str, Any]:
    """Last record time, records per hour, quarantine rate, most frequent reasons."""
    now = now or datetime.now(UTC)
    since = (now - timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)
    activity = activity_table()
    with engine.connect() as conn:
        hourly = conn.execute(
            sa.select(activity.c.hour, activity.c.records, activity.c.quarantined)
            .where(activity.c.source == source_id, activity.c.hour >= since)
            .order_by(activity.c.hour)
        ).all()
        last = conn.execute(
            sa.select(sa.func.max(activity.c.last_received_at)).where(
                activity.c.source == source_id
            )
        ).scalar()
        reasons = _top_reasons(conn, source_id, since)
    records = sum(row.records for row in hourly)
    quarantined = sum(row.quarantined for row in hourly)
    seen = records + quarantined
    return {
        "source": source_id,
        "window": {"start": since.isoformat(), "end": now.isoformat(), "hours": hours},
        "last_record_at": last.isoformat() if last is not None else None,
        "records": records,
        "quarantined": quarantined,
        "records_per_hour": round(records / hours, 2),
        "quarantine_rate": round(quarantined / seen, 4) if seen else None,
        "top_reasons": reasons,
        "hourly": [
            {"hour": row.hour.isoformat(), "records": row.records, "quarantined": row.quarantined}
            for row in hourly
        ],
    }


def _top_reasons(conn: sa.Connection, source_id: str, since: datetime) -> list[dict[str, Any]]:
    quarantine = table_of(QuarantineRecord)
    rows = conn.execute(
        sa.select(quarantine.c.rules)
        .where(
            quarantine.c.source == source_id,
            quarantine.c.received_at >= since,
            quarantine.c.resolved_at.is_(None),
        )
        .order_by(quarantine.c.received_at.desc())
        .limit(_REASON_SAMPLE)
    ).all()
    counts = Counter(rule for (rules,) in rows for rule in rules.split())
    return [{"rule": rule, "count": count} for rule, count in counts.most_common(TOP_REASONS)]
