"""The quarantine browser: a source's rejected records, newest first, filterable by rule."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from core.ingest.quarantine import QuarantineRecord
from core.storage import table_of


def quarantined_records(
    engine: Engine,
    source_id: str,
    rule: str | None = None,
    include_resolved: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """One page of quarantined records with their reasons and raw content."""
    table = table_of(QuarantineRecord)
    conditions = [table.c.source == source_id]
    if not include_resolved:
        conditions.append(table.c.resolved_at.is_(None))
    if rule is not None:
        # rules is a space-separated list: match the whole id, not a prefix of another one
        padded = sa.literal(" ") + table.c.rules + sa.literal(" ")
        conditions.append(padded.contains(f" {rule} ", autoescape=True))
    where = sa.and_(*conditions)
    with engine.connect() as conn:
        matched = conn.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar()
        rows = conn.execute(
            sa.select(table)
            .where(where)
            .order_by(table.c.received_at.desc(), table.c.id)
            .limit(limit)
            .offset(offset)
        ).mappings()
        records = [_record(dict(row)) for row in rows]
    return {"numberMatched": int(matched or 0), "numberReturned": len(records), "records": records}


def _record(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "origin": row["origin"],
        "position": row["position"],
        "format": row["format"],
        "received_at": row["received_at"].isoformat(),
        "reasons": row["reasons"],
        "raw": row["raw"],
        "replayed_at": row["replayed_at"].isoformat() if row["replayed_at"] else None,
        "resolved_at": row["resolved_at"].isoformat() if row["resolved_at"] else None,
    }
